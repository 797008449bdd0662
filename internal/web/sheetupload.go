package web

import (
	"errors"
	"io"
	"net/http"

	"opcert/internal/casework"
	"opcert/internal/upload"
)

// maxSheetRequest bounds a request that carries one uploaded workbook (a
// 成绩表, a 批量报名表): the sheet's own limit and room for the form.
const maxSheetRequest = upload.MaxSheetSize + 64<<10

// sheetUpload is an upload of one workbook at the field "file": the
// refusals said there when it is too large or missing.
type sheetUpload struct {
	tooLarge, missing *casework.Error
}

// read reads the uploaded file, refusing a declared or actual oversize
// without reading on.
func (u sheetUpload) read(r *http.Request) (string, []byte, error) {
	if r.ContentLength > maxSheetRequest {
		return "", nil, u.tooLarge
	}
	r.Body = http.MaxBytesReader(nil, r.Body, maxSheetRequest)
	if err := r.ParseMultipartForm(maxSheetRequest); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return "", nil, u.tooLarge
		}
		return "", nil, u.missing
	}
	defer r.MultipartForm.RemoveAll()
	file, header, err := r.FormFile("file")
	if err != nil {
		return "", nil, u.missing
	}
	defer file.Close()
	data, err := io.ReadAll(io.LimitReader(file, upload.MaxSheetSize+1))
	if err != nil {
		return "", nil, err
	}
	return header.Filename, data, nil
}

// refusal is how a refused upload is shown on its page: the status and the
// errors at the file field; false when the error page answers instead
// (the page's own data could not be loaded, or the service failed).
func (u sheetUpload) refusal(err error) (int, []fieldError, bool) {
	status := statusOf(err)
	if status != http.StatusUnprocessableEntity && status != http.StatusConflict {
		return status, nil, false
	}
	if errors.Is(err, u.tooLarge) {
		status = http.StatusRequestEntityTooLarge
	}
	var out []fieldError
	for _, e := range casework.FieldErrors(err) {
		out = append(out, fieldError{Field: "file", Label: u.tooLarge.Label, Message: e.Message})
	}
	return status, out, true
}
