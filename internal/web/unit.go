package web

import (
	"net/http"

	"opcert/internal/auth"
	"opcert/internal/casework"
	"opcert/internal/enterprise"
)

// The 单位 pages: registration of an employer or training body, and its
// 工作台.
func (s *Server) unitRoutes(mux *http.ServeMux) {
	unit := func(h http.HandlerFunc) http.HandlerFunc { return s.requireRole(auth.RoleUnit, h) }
	mux.HandleFunc("GET /unit/register", s.unitRegisterPage)
	mux.HandleFunc("POST /unit/register", s.unitRegister)
	mux.HandleFunc("GET /unit", unit(s.unitDesk))
}

// unitFields are the 单位注册 inputs besides the passwords.
var unitFields = []string{"unit_name", "credit_code", "address", "contact", "phone"}

type unitRegisterPage struct {
	chrome
	Form *form
}

func (s *Server) unitRegisterPage(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, "unit_register", &unitRegisterPage{Form: &form{Values: map[string]string{}}})
}

// unitRegister creates the 单位 account through the service and logs it in.
func (s *Server) unitRegister(w http.ResponseWriter, r *http.Request) {
	f := newForm(r, unitFields...)
	f.Values["password"], f.Values["password2"] = r.PostFormValue("password"), r.PostFormValue("password2")
	page := &unitRegisterPage{Form: f}
	u, err := s.cases.RegisterUnit(r.Context(), casework.UnitRegistration{
		Unit:     enterprise.Unit{Name: f.Get("unit_name"), CreditCode: f.Get("credit_code"), Address: f.Get("address"), Contact: f.Get("contact"), Phone: f.Get("phone")},
		Password: f.Get("password"), Password2: f.Get("password2")})
	if err != nil {
		s.failForm(w, r, f, err, "unit_register", page)
		return
	}
	if err := s.startSession(w, r, u); err != nil {
		s.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, "/unit?registered=1", http.StatusSeeOther)
}

type unitDeskPage struct {
	chrome
	Unit       enterprise.Unit
	Registered bool
}

func (s *Server) unitDesk(w http.ResponseWriter, r *http.Request) {
	un, err := s.cases.UnitOf(r.Context(), s.actor(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, "unit_desk", &unitDeskPage{Unit: un, Registered: r.URL.Query().Has("registered")})
}
