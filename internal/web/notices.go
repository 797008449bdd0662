package web

import (
	"errors"
	"fmt"
	"net/http"

	"opcert/internal/application"
	"opcert/internal/auth"
	"opcert/internal/casework"
	"opcert/internal/document"
	"opcert/internal/store"
)

func (s *Server) noticeRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /applications/{id}/notices/{kind}", s.requireRole(auth.RoleApplicant, func(w http.ResponseWriter, r *http.Request) {
		if a, f, ok := s.ownApplication(w, r); ok {
			s.sendNotice(w, r, a, f)
		}
	}))
	mux.HandleFunc("GET /officer/applications/{id}/notices/{kind}", s.requireStaff(func(w http.ResponseWriter, r *http.Request) {
		if a, f, ok := s.officerLoad(w, r); ok {
			s.sendNotice(w, r, a, f)
		}
	}))
}

// notice is a document issued for an application, as a download link.
type notice struct {
	Kind, Title string
	CheckPath   string // a certificate's 核验 page, which its QR code opens
}

// noticesOf lists the documents issued for an application, the latest of
// each kind (its link delivers that one), in the order first issued.
func (s *Server) noticesOf(r *http.Request, id int64) ([]notice, error) {
	list, err := s.cases.Notices(r.Context(), s.actor(r), id)
	if err != nil {
		return nil, err
	}
	return latestNotices(list), nil
}

func latestNotices(list []store.Notice) []notice {
	var out []notice
	seen := map[string]int{}
	for _, n := range list {
		if i, ok := seen[n.Kind]; ok {
			out[i].Title, out[i].CheckPath = n.Title, casework.CheckPathOf(n)
			continue
		}
		seen[n.Kind] = len(out)
		out = append(out, notice{Kind: n.Kind, Title: n.Title, CheckPath: casework.CheckPathOf(n)})
	}
	return out
}

// sendNotice delivers a document as it was issued (casework.NoticePDF).
func (s *Server) sendNotice(w http.ResponseWriter, r *http.Request, a store.Application, f *application.Form) {
	n, err := s.cases.NoticePDF(r.Context(), s.actor(r), a.ID, r.PathValue("kind"), func(path string) string { return s.absoluteURL(r, path) })
	var missing *document.MissingGlyphError
	switch {
	case statusOf(err) == http.StatusNotFound:
		s.notFound(w, r)
		return
	case errors.As(err, &missing):
		s.renderStatus(w, r, http.StatusUnprocessableEntity, "error", &errorPage{Title: "无法生成文书", Message: err.Error()})
		return
	case err != nil:
		s.serverError(w, r, err)
		return
	}
	if v := viewerFrom(r.Context()); v != nil && v.User.Role != auth.RoleApplicant {
		// A staff download of a notice is a view of personal data.
		if err := s.cases.RecordView(r.Context(), s.actor(r), "view_notice", fmt.Sprintf("application:%d/notice:%s", a.ID, r.PathValue("kind"))); err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", mimeAttachment(n.Title+".pdf", "application/pdf"))
	w.Header().Set("Cache-Control", "private, no-store")
	w.Write(n.PDF)
}
