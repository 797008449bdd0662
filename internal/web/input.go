package web

import (
	"mime"
	"net/http"
	"unicode/utf8"
)

// readPlainForms reads every url-encoded form (already bounded by
// limitBodies) before its handler does, so that text that is not UTF-8 is
// refused before anything can store it. Browsers send a page's forms in
// the page's encoding (UTF-8); other bytes come from a script or a broken
// client, and stored raw they would break every page and PDF that shows
// them.
func (s *Server) readPlainForms(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct == "application/x-www-form-urlencoded" {
				if err := r.ParseForm(); err != nil {
					s.renderStatus(w, r, http.StatusBadRequest, "error", &errorPage{Title: "无法识别提交的内容", Message: "提交的内容格式有误，请返回页面重新提交。"})
					return
				}
			}
		}
		if field := notUTF8(r); field != "" {
			s.refuseNotUTF8(w, r, field)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// notUTF8 names the first field of the parsed form (or the query) whose
// name or value is not UTF-8, "" when all are.
func notUTF8(r *http.Request) string {
	for _, values := range []map[string][]string{r.URL.Query(), r.PostForm} {
		if f := badField(values); f != "" {
			return f
		}
	}
	if r.MultipartForm != nil {
		if f := badField(r.MultipartForm.Value); f != "" {
			return f
		}
		for k, files := range r.MultipartForm.File {
			for _, fh := range files {
				if !utf8.ValidString(k) || !utf8.ValidString(fh.Filename) {
					return k
				}
			}
		}
	}
	return ""
}

func badField(values map[string][]string) string {
	for k, vs := range values {
		if !utf8.ValidString(k) {
			return "（字段名）"
		}
		for _, v := range vs {
			if !utf8.ValidString(v) {
				return k
			}
		}
	}
	return ""
}

// notUTF8Message is said at a field whose text is not UTF-8.
const notUTF8Message = "含有无法识别的字符，可能是从其他软件复制时带入的乱码。请删除后重新输入，或直接在页面上输入"

func (s *Server) refuseNotUTF8(w http.ResponseWriter, r *http.Request, field string) {
	s.renderStatus(w, r, http.StatusBadRequest, "error", &errorPage{Title: "无法识别提交的文字",
		Message: "提交的内容（" + field + "）" + notUTF8Message + "。"})
}
