package web

import (
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"strconv"

	"opcert/internal/application"
	"opcert/internal/auth"
	"opcert/internal/blob"
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
// file. A file past 256 KB goes to a temporary file as it arrives: held in
// memory, a 1 MB scan cost a buffer grown by doubling to 2 MB for each
// upload; a 2-inch photo still stays in memory.
func (s *Server) parseStepForm(r *http.Request) error {
	r.Body = http.MaxBytesReader(nil, r.Body, maxRequest)
	var err error
	if ct := r.Header.Get("Content-Type"); len(ct) >= 19 && ct[:19] == "multipart/form-data" {
		err = r.ParseMultipartForm(256 << 10)
	} else {
		err = r.ParseForm()
	}
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return fmt.Errorf("上传的文件超过10MB，请压缩或分成多个文件后重新上传")
	}
	return err
}

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

// savePhoto checks and stores the 2-inch photo of the 基本信息 step.
func (s *Server) savePhoto(r *http.Request, a store.Application, f *application.Form) (string, error) {
	if p := (&wizardPage{Form: f, Correcting: a.Status == string(application.StatusCorrection)}); p.Locked("field:photo") {
		return "补正时只能修改受理机关要求补正的内容", nil
	}
	file, fh := formFile(r, "photo")
	if file == nil {
		return "请选择要上传的照片文件", nil
	}
	defer file.Close()
	// Receive keeps what it read (in memory up to 1 MB, else in a temporary
	// file) so the checks and the store read it again without a copy of the
	// whole upload in memory.
	checked, content, err := upload.Receive("照片", fh.Filename, file, fh.Size)
	if msg, ok := userError(err); ok {
		return msg, nil
	} else if err != nil {
		return "", err
	}
	defer content.Close()
	if _, err := upload.CheckPhoto(content.Reader()); err != nil {
		if msg, ok := userError(err); ok {
			return msg, nil
		}
		return "", err
	}
	key := fmt.Sprintf("applications/%d/photo-%s.%s", a.ID, checked.SHA256[:16], checked.Kind)
	if err := s.files.Put(r.Context(), key, content.Reader(), content.Size(), checked.ContentType); err != nil {
		return "", err
	}
	old := f.PhotoKey
	f.PhotoKey = key
	if old != "" && old != key {
		s.files.Delete(r.Context(), old)
	}
	return "", nil
}

// userError unwraps the refusals a person can act on.
func userError(err error) (string, bool) {
	var ue *upload.Error
	if errors.As(err, &ue) {
		return ue.Message, true
	}
	return "", false
}

// saveMaterial stores one uploaded file of a material (several files per
// material are allowed: seed 000 3.3).
func (s *Server) saveMaterial(r *http.Request, a store.Application, f *application.Form) (string, error) {
	key := r.URL.Query().Get("material")
	var spec *application.MaterialSpec
	for _, m := range s.materialSpecs(f) {
		if m.Key == key {
			spec = &m
		}
	}
	if spec == nil {
		return "请选择要上传的材料", nil
	}
	if a.Status == string(application.StatusCorrection) && !asked(f, "material:"+key) {
		return "补正时只能上传受理机关要求补正的材料", nil
	}
	file, fh := formFile(r, "file-"+key)
	if file == nil {
		return "请先选择要上传的" + spec.Name + "文件", nil
	}
	defer file.Close()
	checked, content, err := upload.Receive(spec.Name, fh.Filename, file, fh.Size)
	if msg, ok := userError(err); ok {
		return msg, nil
	} else if err != nil {
		return "", err
	}
	defer content.Close()
	blobKey := fmt.Sprintf("applications/%d/materials/%s-%s.%s", a.ID, checked.SHA256[:16], strconv.FormatInt(s.clockNano(), 36), checked.Kind)
	if err := s.files.Put(r.Context(), blobKey, content.Reader(), content.Size(), checked.ContentType); err != nil {
		return "", err
	}
	if _, err := s.store.AddMaterial(r.Context(), store.Material{ApplicationID: a.ID, Material: key, BlobKey: blobKey,
		Filename: checked.Name, ContentType: checked.ContentType, Size: checked.Size, SHA256: checked.SHA256}); err != nil {
		s.files.Delete(r.Context(), blobKey)
		return "", err
	}
	return "", nil
}

func (s *Server) deleteMaterial(r *http.Request, a store.Application, f *application.Form) (string, error) {
	id, _ := strconv.ParseInt(r.URL.Query().Get("file"), 10, 64)
	if a.Status == string(application.StatusCorrection) {
		return "补正时不能删除已提交的材料，请上传补正后的文件", nil
	}
	m, err := s.store.DeleteMaterial(r.Context(), a.ID, id)
	if errors.Is(err, store.ErrNotFound) {
		return "该文件已删除", nil
	}
	if err != nil {
		return "", err
	}
	if err := s.files.Delete(r.Context(), m.BlobKey); err != nil {
		s.log.Error("delete material file", "application_id", a.ID, "key", m.BlobKey, "err", err)
	}
	return "", nil
}

// fetchElectronicID asks the e-licence service for the applicant's 电子身份证
// (seed 000 3.3: 获取电子身份证的功能仅支持上海户籍的申请人).
func (s *Server) fetchElectronicID(r *http.Request, f *application.Form) string {
	ok, msg, err := s.elicence.ResidentCard(r.Context(), f.Applicant.Name, f.Applicant.IDNumber)
	if err != nil {
		s.log.Error("e-licence", "err", err)
		return "电子证照服务暂时无法使用，请上传身份证扫描件"
	}
	if !ok {
		return msg
	}
	f.ElectronicID = true
	return ""
}

// materialFile sends one of the applicant's own uploaded files.
func (s *Server) materialFile(w http.ResponseWriter, r *http.Request) {
	a, _, ok := s.ownApplication(w, r)
	if !ok {
		return
	}
	s.sendMaterial(w, r, a)
}

// sendMaterial sends one uploaded file of a, named by the path's {file}.
func (s *Server) sendMaterial(w http.ResponseWriter, r *http.Request, a store.Application) {
	id, _ := strconv.ParseInt(r.PathValue("file"), 10, 64)
	files, err := s.store.Materials(r.Context(), a.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	for _, m := range files {
		if m.ID == id {
			s.sendBlob(w, r, m.BlobKey, m.Filename)
			return
		}
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
	for _, spec := range s.materialSpecs(f) {
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
		Authority: s.route(f).Name, GeneratedOn: s.today().Chinese()}
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
