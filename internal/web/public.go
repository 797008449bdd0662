package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"opcert/internal/application"
	"opcert/internal/auth"
	"opcert/internal/document"
	"opcert/internal/store"
)

func (s *Server) publicRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /p/{token}", s.progressPage)
	mux.HandleFunc("GET /applications/{id}/notices/correction.pdf", s.requireRole(auth.RoleApplicant, s.correctionNoticePDF))
}

type progressData struct {
	chrome
	App       store.Application
	Status    application.Status
	Matter    application.Matter
	Name      string
	Authority string
	Events    []store.Event
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
	var f application.Form
	if err := json.Unmarshal(a.Data, &f); err != nil {
		s.serverError(w, r, err)
		return
	}
	ev, err := s.store.Events(r.Context(), a.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	p := &progressData{App: a, Status: application.Status(a.Status), Matter: application.Matter(a.Matter), Name: maskName(f.Applicant.Name), Events: ev}
	if au, ok := s.catalog.District(a.AuthorityCode); ok {
		p.Authority = au.Name + "市场监督管理局"
	}
	w.Header().Set("X-Robots-Tag", "noindex")
	s.render(w, r, "progress", p)
}

// correctionNoticePDF lets the applicant download the 补正告知书 of a
// correction request (seed 001 第三部分: 先点击"补正材料通知书"会下载一份PDF).
func (s *Server) correctionNoticePDF(w http.ResponseWriter, r *http.Request) {
	a, f, ok := s.ownApplication(w, r)
	if !ok {
		return
	}
	c := f.Correction
	if c == nil {
		s.notFound(w, r)
		return
	}
	var items []string
	for _, q := range s.targets(f) {
		items = append(items, q.String())
	}
	n := document.CorrectionNoticeData{Number: c.Notice, IDNumber: maskID(f.Applicant.IDNumber), Name: f.Applicant.Name,
		Items: strings.Join(items, "、"), Matter: f.Matter.Label(), Deadline: cdateOf(c.Deadline), Authority: s.route(f).Name,
		IssuedOn: a.UpdatedAt.In(chinaTime()).Format("2006年01月02日"), QRURL: s.absoluteURL(r, "/p/"+a.PublicToken)}
	for _, it := range c.Items {
		n.Asks = append(n.Asks, document.CorrectionAsk{What: it.Label, Reason: it.Reason})
	}
	pdf, err := document.CorrectionNotice(n)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", mimeAttachment("补正告知书.pdf", "application/pdf"))
	w.Header().Set("Cache-Control", "private, no-store")
	w.Write(pdf)
}
