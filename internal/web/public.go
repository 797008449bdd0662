package web

import (
	"encoding/json"
	"errors"
	"net/http"

	"opcert/internal/application"
	"opcert/internal/store"
)

func (s *Server) publicRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /p/{token}", s.progressPage)
}

type progressData struct {
	chrome
	App       store.Application
	Status    application.Status
	Matter    application.Matter
	Name      string
	Authority string
	Events    []store.Event
	Deadline  string
}

// progressPage is what the QR code of a notice opens (seed 000 3.5: 直接手机
// 扫描补正通知书或者受理通知书上的二维码查询业务办理进度): the state of the
// application and nothing personal beyond a masked name.
func (s *Server) progressPage(w http.ResponseWriter, r *http.Request) {
	a, err := s.store.ApplicationByPublicToken(r.Context(), r.PathValue("token"))
	if errors.Is(err, store.ErrNotFound) {
		s.notFound(w, r)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	// Only the name is shown: decoding the whole form for it cost more than
	// the rest of the page.
	var f struct {
		Applicant struct {
			Name string `json:"name"`
		} `json:"applicant"`
	}
	if err := json.Unmarshal(a.Data, &f); err != nil {
		s.serverError(w, r, err)
		return
	}
	ev, err := s.store.Events(r.Context(), a.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	p := &progressData{App: a, Status: application.Status(a.Status), Matter: application.Matter(a.Matter), Name: maskName(f.Applicant.Name), Events: ev, Deadline: deadlineSentence(a)}
	if au, ok := s.catalog.District(a.AuthorityCode); ok {
		p.Authority = au.Name + "市场监督管理局"
	}
	w.Header().Set("X-Robots-Tag", "noindex")
	s.render(w, r, "progress", p)
}
