package web

import (
	"bytes"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"strconv"
	"unicode/utf8"

	"opcert/internal/application"
	"opcert/internal/auth"
	"opcert/internal/blob"
	"opcert/internal/casework"
	"opcert/internal/document"
	"opcert/internal/store"
	"opcert/internal/upload"
)

// maxRequest bounds a wizard request: one file of at most upload.MaxSize
// plus the form around it. A larger body is cut off before it is read.
const maxRequest = upload.MaxSize + 1<<20

func (s *Server) fileRoutes(mux *http.ServeMux) {
	app := func(h http.HandlerFunc) http.HandlerFunc { return s.requireRole(auth.RoleApplicant, h) }
	mux.HandleFunc("GET /applications/{id}/files/{file}", app(s.materialFile))
	mux.HandleFunc("GET /applications/{id}/photo", app(s.photoFile))
	mux.HandleFunc("GET /applications/{id}/form.pdf", app(s.applicationForm))
}

// parseStepForm reads a wizard step's form, multipart when it carries a
// file. A file is read from the connection once, as its part arrives, into
// the upload it will be checked and stored from (upload.Spool): parsed by
// net/http, a 1 MB scan was written to a temporary file, read back into
// memory and written again to the file store, a fifth of an application's
// CPU. The caller closes the files it gets back, whatever the error.
func (s *Server) parseStepForm(r *http.Request) (sentFiles, error) {
	if r.ContentLength > maxRequest {
		return nil, errTooLarge // declared: refused unread
	}
	r.Body = http.MaxBytesReader(nil, r.Body, maxRequest)
	var files sentFiles
	var err error
	if ct := r.Header.Get("Content-Type"); len(ct) >= 19 && ct[:19] == "multipart/form-data" {
		files, err = readMultipart(r)
	} else {
		err = r.ParseForm()
	}
	var tooBig *http.MaxBytesError
	switch {
	case err == nil:
		if field := notUTF8(r); field != "" {
			return files, casework.FieldError(field, notUTF8Message)
		}
		if field := files.notUTF8(); field != "" {
			return files, casework.FieldError(field, notUTF8Message)
		}
		return files, nil
	case errors.As(err, &tooBig):
		return files, errTooLarge
	case errors.Is(err, errFieldsTooLong):
		return files, err
	}
	return files, errMalformed
}

// maxFieldsSize bounds the text fields of a multipart form together, as
// maxFormBody bounds a form without a file.
const maxFieldsSize = maxFormBody

// readMultipart reads the parts of a multipart form in turn: the text
// fields into r.PostForm and r.Form as ParseMultipartForm would, each file
// into a sentFile. A field sent twice keeps its first file, as
// FormFile does; a part without a name is skipped, and one with an empty
// file name (a file input left empty) is a text field.
func readMultipart(r *http.Request) (sentFiles, error) {
	if err := r.ParseForm(); err != nil {
		return nil, err
	}
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, err
	}
	files := sentFiles{}
	left := int64(maxFieldsSize)
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			return files, nil
		}
		if err != nil {
			return files, err
		}
		name := p.FormName()
		switch {
		case name == "":
		case p.FileName() == "":
			var b bytes.Buffer
			n, err := b.ReadFrom(io.LimitReader(p, left+1))
			if err != nil {
				return files, err
			}
			if left -= n; left < 0 {
				return files, errFieldsTooLong
			}
			r.PostForm.Add(name, b.String())
			r.Form.Add(name, b.String())
		case files[name] != nil:
			if _, err := io.Copy(io.Discard, p); err != nil {
				return files, err
			}
		default:
			c, err := upload.Spool(p, r.ContentLength)
			if c != nil {
				files[name] = &casework.Upload{Name: p.FileName(), Content: c}
			}
			if err != nil {
				return files, err
			}
		}
		p.Close()
	}
}

// sentFiles are the files of a posted form by field, each read once.
type sentFiles map[string]*casework.Upload

// file is the file sent in field, nil when none was chosen.
func (fs sentFiles) file(field string) *casework.Upload { return fs[field] }

// Close removes what the files spilled to disk.
func (fs sentFiles) Close() {
	for _, f := range fs {
		f.Content.Close()
	}
}

// notUTF8 is the field of a file whose field name or file name is not
// UTF-8, "" when all are.
func (fs sentFiles) notUTF8() string {
	for field, f := range fs {
		if !utf8.ValidString(field) || !utf8.ValidString(f.Name) {
			return field
		}
	}
	return ""
}

// errMalformed is a form that could not be read (a broken multipart body).
var errMalformed = errors.New("提交的内容无法识别，请重新选择文件后再上传")

// errFieldsTooLong is a multipart form whose text fields together pass
// maxFieldsSize: no form of the service comes near it.
var errFieldsTooLong = errors.New("填写的内容过长，未被保存，请精简后重新提交")

// errTooLarge is an upload over the size limit, cut off before it was read.
var errTooLarge = errors.New("上传的文件超过10MB，请压缩或分成多个文件后重新上传")

// formFile returns the file sent in field, or nil when none was chosen.
func formFile(r *http.Request, field string) (multipart.File, *multipart.FileHeader) {
	if r.MultipartForm == nil || len(r.MultipartForm.File[field]) == 0 {
		return nil, nil
	}
	fh := r.MultipartForm.File[field][0]
	f, err := fh.Open()
	if err != nil {
		return nil, nil
	}
	return f, fh
}

// materialFile sends one of the applicant's own uploaded files.
func (s *Server) materialFile(w http.ResponseWriter, r *http.Request) {
	a, _, ok := s.ownApplication(w, r)
	if !ok {
		return
	}
	s.sendMaterial(w, r, a, nil)
}

// sendMaterial sends one uploaded file of a, named by the path's {file}.
//
// seen, when not nil, is called once the file is known to exist, before it
// is sent (the audit of an officer's view).
func (s *Server) sendMaterial(w http.ResponseWriter, r *http.Request, a store.Application, seen func() error) {
	id, _ := strconv.ParseInt(r.PathValue("file"), 10, 64)
	files, err := s.store.Materials(r.Context(), a.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	for _, m := range files {
		if m.ID != id {
			continue
		}
		if seen != nil {
			if err := seen(); err != nil {
				s.serverError(w, r, err)
				return
			}
		}
		s.sendBlob(w, r, m.BlobKey, m.Filename)
		return
	}
	s.notFound(w, r)
}

func (s *Server) photoFile(w http.ResponseWriter, r *http.Request) {
	_, f, ok := s.ownApplication(w, r)
	if !ok {
		return
	}
	if f.PhotoKey == "" {
		s.notFound(w, r)
		return
	}
	s.sendBlob(w, r, f.PhotoKey, "")
}

// sendBlob streams a stored file. Uploaded content is never rendered as a
// page of this site: nosniff (set for every response) and a sandbox CSP.
func (s *Server) sendBlob(w http.ResponseWriter, r *http.Request, key, filename string) {
	rc, info, err := s.files.Open(r.Context(), key)
	if errors.Is(err, blob.ErrNotFound) {
		s.notFound(w, r)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	defer rc.Close()
	w.Header().Set("Content-Type", info.ContentType)
	w.Header().Set("Content-Length", strconv.FormatInt(info.Size, 10))
	w.Header().Set("Content-Security-Policy", "sandbox; default-src 'none'")
	w.Header().Set("Cache-Control", "private, no-store")
	if filename != "" {
		w.Header().Set("Content-Disposition", mimeAttachment(filename, info.ContentType))
	}
	io.Copy(w, rc)
}

// applicationForm sends the 申请表 generated from what the applicant entered
// (seed 000 3.3: 系统可自动生成复审申请表，也可以上传签字后的申请表).
func (s *Server) applicationForm(w http.ResponseWriter, r *http.Request) {
	a, f, ok := s.ownApplication(w, r)
	if !ok {
		return
	}
	s.sendApplicationForm(w, r, a, f)
}

func (s *Server) sendApplicationForm(w http.ResponseWriter, r *http.Request, a store.Application, f *application.Form) {
	title := "《特种设备安全管理和作业人员资格申请表》"
	for _, spec := range f.Materials(s.catalog) {
		if spec.Key == application.MaterialForm {
			title = spec.Name
		}
	}
	data := document.ApplicationFormData{Title: title, Number: a.Number, Matter: f.Matter.Label(),
		Name: f.Applicant.Name, Sex: f.Applicant.Sex, BirthDate: f.Applicant.BirthDate, IDType: f.Applicant.IDType, IDNumber: f.Applicant.IDNumber,
		Education: f.Applicant.Education, Title2: f.Applicant.Title, School: f.Applicant.School, Major: f.Applicant.Major,
		Household: f.Applicant.HouseholdAddress, Postcode: f.Applicant.Postcode, Mobile: f.Applicant.Mobile,
		Employer: f.Employer.Name, CreditCode: f.Employer.CreditCode, Address: f.Employer.Address + " " + f.Employer.AddressDetail,
		WorkHistory: f.Applicant.WorkHistory, Commitment: application.ParseCommitment(f.Incident).Label(),
		Authority: f.Route(s.catalog).Name, GeneratedOn: s.today().Chinese()}
	if a.PublicToken != "" {
		data.QRURL = s.absoluteURL(r, "/p/"+a.PublicToken)
	}
	wp, err := s.newWizardPage(r, a, f, "review")
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	for _, it := range wp.Items {
		from := ""
		if it.From != "" {
			from = it.FromName + "[" + it.From + "]"
		}
		code := it.Target
		if it.Extras != "" {
			code += "、" + it.Extras
		}
		name := it.TargetName
		if it.WeldCode != "" {
			name += " " + it.WeldCode
		}
		data.Items = append(data.Items, document.FormItem{From: from, Period: it.Period, Code: code, Name: name})
	}
	if f.PhotoKey != "" {
		if rc, _, err := s.files.Open(r.Context(), f.PhotoKey); err == nil {
			data.Photo, _ = io.ReadAll(io.LimitReader(rc, upload.MaxSize))
			rc.Close()
		}
	}
	pdf, err := document.ApplicationForm(data)
	var missing *document.MissingGlyphError
	if errors.As(err, &missing) {
		s.renderStatus(w, r, http.StatusUnprocessableEntity, "error", &errorPage{Title: "无法生成申请表",
			Message: err.Error() + "。请下载空白表手工填写后上传签字的申请表，或联系受理机关。"})
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", mimeAttachment("申请表.pdf", "application/pdf"))
	w.Header().Set("Cache-Control", "private, no-store")
	w.Write(pdf)
}
