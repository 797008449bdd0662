package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"opcert/internal/auth"
	"opcert/internal/casework"
	"opcert/internal/registry"
)

// An admin ends a certificate item (撤销 or 注销) with its reason and legal
// basis; the public query and every certificate check show it at once.
func (s *Server) adminCertificateRoutes(mux *http.ServeMux) {
	admin := func(h http.HandlerFunc) http.HandlerFunc { return s.requireRole(auth.RoleAdmin, h) }
	mux.HandleFunc("GET /admin/certificates", admin(s.adminCertificates))
	mux.HandleFunc("POST /admin/certificates/items/{item}/end", admin(s.endItem))
}

type adminCertificatesPage struct {
	chrome
	Search  *form
	Holding *registry.Holding
	Rows    []adminItemRow
	Notice  string
	// Ending is the form of the item being ended, with its errors.
	EndingItem int64
	Ending     *form
}

type adminItemRow struct {
	itemRow
	ID      int64
	InForce bool
	Ending  *registry.Ending
}

func (s *Server) adminCertificates(w http.ResponseWriter, r *http.Request) {
	p := &adminCertificatesPage{Search: &form{Values: map[string]string{"id": r.URL.Query().Get("id")}}, Ending: &form{Values: map[string]string{}}}
	// The notice is chosen here, never taken from the address: a link
	// must not make the page say what its sender wants.
	if k := registry.EndingKind(r.URL.Query().Get("done")); k == registry.Revoke || k == registry.Cancel {
		p.Notice = "已" + k.Label() + "该项目，证书查询和证书核验即时显示。"
	}
	if p.Search.Get("id") == "" {
		s.render(w, r, "admin_certificates", p)
		return
	}
	s.showHolding(w, r, p, http.StatusOK)
}

// showHolding renders the page with the searched person's items.
func (s *Server) showHolding(w http.ResponseWriter, r *http.Request, p *adminCertificatesPage, status int) {
	h, err := s.cases.HoldingForAdmin(r.Context(), s.actor(r), p.Search.Get("id"))
	if err != nil {
		s.failForm(w, r, p.Search, err, "admin_certificates", p)
		return
	}
	p.Holding = &h
	today := s.today()
	rows := s.itemRows(h)
	i := 0
	for _, c := range h.Certificates {
		for _, it := range c.Items {
			p.Rows = append(p.Rows, adminItemRow{itemRow: rows[i], ID: it.ID, InForce: it.Status == registry.ItemValid && !it.ExpiredOn(today), Ending: it.Ending})
			i++
		}
	}
	s.renderStatus(w, r, status, "admin_certificates", p)
}

func (s *Server) endItem(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("item"), 10, 64)
	if err != nil {
		s.notFound(w, r)
		return
	}
	f := newForm(r, "id", "kind", "reason", "basis")
	err = s.cases.EndItem(r.Context(), s.actor(r), casework.ItemEnding{ItemID: id, Kind: f.Get("kind"), Reason: f.Get("reason"), Basis: f.Get("basis"),
		Confirmed: r.PostFormValue("confirm") == "yes"})
	if err != nil {
		p := &adminCertificatesPage{Search: &form{Values: map[string]string{"id": f.Get("id")}}, Ending: f, EndingItem: id}
		if statusOf(err) == http.StatusInternalServerError {
			s.serverError(w, r, err)
			return
		}
		f.Errors = fieldErrorsOf(err, nil)
		s.showHolding(w, r, p, statusOf(err))
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/admin/certificates?id=%s&done=%s", url.QueryEscape(f.Get("id")), url.QueryEscape(f.Get("kind"))), http.StatusSeeOther)
}
