package web

import (
	"net/http"
	"strconv"

	"opcert/internal/auth"
	"opcert/internal/casework"
	"opcert/internal/store"
)

// The administrator's 审核 of 单位 registrations: the list awaiting it,
// each 营业执照 to open, and the decision.
func (s *Server) adminUnitRoutes(mux *http.ServeMux) {
	admin := func(h http.HandlerFunc) http.HandlerFunc { return s.requireRole(auth.RoleAdmin, h) }
	mux.HandleFunc("GET /admin/units", admin(s.adminUnitsPage))
	mux.HandleFunc("GET /admin/units/{id}/licence", admin(s.adminUnitLicence))
	mux.HandleFunc("POST /admin/units/{id}/decide", admin(s.adminUnitDecide))
}

type adminUnitsPage struct {
	chrome
	Pending []store.UnitRecord
	Notice  string
	// Form is the decision just refused, at the registration it was for.
	Form    *form
	FormFor int64
}

func (s *Server) adminUnitsPage(w http.ResponseWriter, r *http.Request) {
	p, err := s.adminUnits(r, nil, 0)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	switch r.URL.Query().Get("done") {
	case "approve":
		p.Notice = "已审核通过，并已通知该单位。"
	case "refuse":
		p.Notice = "已审核不通过，并已通知该单位。"
	case "release":
		p.Notice = "已审核不通过并释放该统一社会信用代码，该账号已停用。"
	}
	s.render(w, r, "admin_units", p)
}

func (s *Server) adminUnits(r *http.Request, f *form, at int64) (*adminUnitsPage, error) {
	pending, err := s.cases.PendingUnits(r.Context(), s.actor(r))
	if f == nil {
		f = &form{Values: map[string]string{}}
	}
	return &adminUnitsPage{Pending: pending, Form: f, FormFor: at}, err
}

func (s *Server) adminUnitLicence(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		s.notFound(w, r)
		return
	}
	lic, err := s.cases.UnitLicence(r.Context(), s.actor(r), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.sendBlob(w, r, lic.Key, lic.Filename)
}

func (s *Server) adminUnitDecide(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		s.notFound(w, r)
		return
	}
	f := newForm(r, "action", "reason", "release")
	v := casework.UnitVerdict{Action: f.Get("action"), Reason: f.Get("reason"), Release: f.Get("release") != ""}
	if _, err := s.cases.DecideUnit(r.Context(), s.actor(r), id, v); err != nil {
		if statusOf(err) != http.StatusUnprocessableEntity {
			s.fail(w, r, err)
			return
		}
		p, perr := s.adminUnits(r, f, id)
		if perr != nil {
			s.fail(w, r, perr)
			return
		}
		s.failForm(w, r, f, err, "admin_units", p)
		return
	}
	done := v.Action
	if v.Release {
		done = "release"
	}
	http.Redirect(w, r, "/admin/units?done="+done, http.StatusSeeOther)
}
