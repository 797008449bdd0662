package web

import (
	"net/http"
	"strconv"

	"opcert/internal/auth"
	"opcert/internal/authority"
	"opcert/internal/casework"
	"opcert/internal/store"
)

func (s *Server) orgRoutes(mux *http.ServeMux) {
	admin := func(h http.HandlerFunc) http.HandlerFunc { return s.requireRole(auth.RoleAdmin, h) }
	mux.HandleFunc("GET /admin/organisations", admin(s.orgsPage))
	mux.HandleFunc("GET /admin/authorities/{code}", admin(s.authorityEdit))
	mux.HandleFunc("POST /admin/authorities/{code}", admin(s.authoritySave))
	mux.HandleFunc("GET /admin/institutions/new", admin(s.institutionEdit))
	mux.HandleFunc("GET /admin/institutions/{id}", admin(s.institutionEdit))
	mux.HandleFunc("POST /admin/institutions", admin(s.institutionSave))
	mux.HandleFunc("POST /admin/institutions/{id}", admin(s.institutionSave))
}

type orgsPageData struct {
	chrome
	casework.Organisations
	Notice string
}

// orgsPage lists the 受理机关 with their windows' contact and the 考试机构
// with their items and contact.
func (s *Server) orgsPage(w http.ResponseWriter, r *http.Request) {
	o, err := s.cases.Organisations(r.Context(), s.actor(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := &orgsPageData{Organisations: o}
	switch r.URL.Query().Get("done") {
	case "authority":
		p.Notice = "受理机关信息已保存，办事指南等页面立即显示。"
	case "institution":
		p.Notice = "考试机构信息已保存。"
	}
	s.render(w, r, "admin_orgs", p)
}

type orgEditData struct {
	chrome
	Authority   *authority.Authority
	Institution *store.ExamInstitution
	Checked     map[string]bool // the institution's items, as stored or posted
	casework.Organisations
	Form   *form
	Errors []fieldError
}

func (s *Server) orgEdit(r *http.Request) (*orgEditData, error) {
	o, err := s.cases.Organisations(r.Context(), s.actor(r))
	if err != nil {
		return nil, err
	}
	return &orgEditData{Organisations: o, Form: &form{Values: map[string]string{}}, Checked: map[string]bool{}}, nil
}

func (s *Server) authorityEdit(w http.ResponseWriter, r *http.Request) {
	p, err := s.orgEdit(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for _, a := range p.Authorities {
		if a.Code == r.PathValue("code") {
			p.Authority = &a
		}
	}
	if p.Authority == nil {
		s.notFound(w, r)
		return
	}
	p.Form.Values = map[string]string{"address": p.Authority.Address, "phone": p.Authority.Phone, "hours": p.Authority.Hours}
	s.render(w, r, "admin_org_edit", p)
}

func (s *Server) authoritySave(w http.ResponseWriter, r *http.Request) {
	f := newForm(r, "address", "phone", "hours")
	code := r.PathValue("code")
	err := s.cases.SetAuthorityContact(r.Context(), s.actor(r), code, authority.Contact{Address: f.Get("address"), Phone: f.Get("phone"), Hours: f.Get("hours")})
	if err == nil {
		http.Redirect(w, r, "/admin/organisations?done=authority", http.StatusSeeOther)
		return
	}
	if refusesThePage(err) {
		s.fail(w, r, err)
		return
	}
	p, perr := s.orgEdit(r)
	if perr != nil {
		s.serverError(w, r, perr)
		return
	}
	for _, a := range p.Authorities {
		if a.Code == code {
			p.Authority = &a
		}
	}
	p.Form, p.Errors = f, fieldErrorsOf(err, nil)
	f.Errors = p.Errors
	s.renderStatus(w, r, statusOf(err), "admin_org_edit", p)
}

func (s *Server) institutionEdit(w http.ResponseWriter, r *http.Request) {
	p, err := s.orgEdit(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.Institution = &store.ExamInstitution{}
	if id := r.PathValue("id"); id != "" {
		p.Institution = nil
		for _, e := range p.Institutions {
			if strconv.FormatInt(e.ID, 10) == id {
				p.Institution = &e
			}
		}
		if p.Institution == nil {
			s.notFound(w, r)
			return
		}
	}
	p.Form.Values = map[string]string{"name": p.Institution.Name, "contact": p.Institution.Contact}
	for _, c := range p.Institution.Items {
		p.Checked[c] = true
	}
	s.render(w, r, "admin_org_edit", p)
}

func (s *Server) institutionSave(w http.ResponseWriter, r *http.Request) {
	var id int64
	if v := r.PathValue("id"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			s.notFound(w, r)
			return
		}
		id = n
	}
	f := newForm(r, "name", "contact")
	items := r.PostForm["items"]
	_, err := s.cases.SaveInstitution(r.Context(), s.actor(r), casework.InstitutionForm{ID: id, Name: f.Get("name"), Items: items, Contact: f.Get("contact")})
	if err == nil {
		http.Redirect(w, r, "/admin/organisations?done=institution", http.StatusSeeOther)
		return
	}
	if refusesThePage(err) {
		s.fail(w, r, err)
		return
	}
	p, perr := s.orgEdit(r)
	if perr != nil {
		s.serverError(w, r, perr)
		return
	}
	p.Institution = &store.ExamInstitution{ID: id}
	for _, c := range items {
		p.Checked[c] = true
	}
	p.Form, p.Errors = f, fieldErrorsOf(err, nil)
	f.Errors = p.Errors
	s.renderStatus(w, r, statusOf(err), "admin_org_edit", p)
}
