package web

import (
	"fmt"
	"net/http"
	"time"

	"opcert/internal/auth"
	"opcert/internal/casework"
)

// officeRoutes are the back office's bureau-wide pages: the dashboard of a
// bureau (the city's for an admin) and the admin's separation of duties per
// 受理机关.
func (s *Server) officeRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /officer/dashboard", s.requireStaff(s.officerDashboard))
	mux.HandleFunc("GET /officer/dashboard.xlsx", s.requireStaff(s.dashboardExport))
	mux.HandleFunc("GET /officer/applications/{id}/print", s.requireStaff(s.officerPrint))
	mux.HandleFunc("GET /admin/duties", s.requireRole(auth.RoleAdmin, s.dutiesPage))
	mux.HandleFunc("POST /admin/duties", s.requireRole(auth.RoleAdmin, s.dutiesSave))
}

type dutiesData struct {
	chrome
	Rows   []casework.DutySetting
	Notice string
	Errors []fieldError
}

// dutiesPage lists every 受理机关 with its separation of 受理, 审核 and 批准.
func (s *Server) dutiesPage(w http.ResponseWriter, r *http.Request) {
	s.renderDuties(w, r, http.StatusOK, &dutiesData{})
}

func (s *Server) renderDuties(w http.ResponseWriter, r *http.Request, status int, p *dutiesData) {
	rows, err := s.cases.DutySettings(r.Context(), s.actor(r))
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	p.Rows = rows
	s.renderStatus(w, r, status, "admin_duties", p)
}

// dutiesSave turns one bureau's separation on or off.
func (s *Server) dutiesSave(w http.ResponseWriter, r *http.Request) {
	code, on := r.PostFormValue("authority"), r.PostFormValue("separated") == "1"
	err := s.cases.SetDutySeparation(r.Context(), s.actor(r), code, on)
	if err != nil {
		if statusOf(err) == http.StatusInternalServerError {
			s.serverError(w, r, err)
			return
		}
		s.renderDuties(w, r, statusOf(err), &dutiesData{Errors: fieldErrorsOf(err, nil)})
		return
	}
	name := code
	if d, ok := s.catalog.District(code); ok {
		name = d.Name + "市场监督管理局"
	}
	notice := name + "已取消审批分离：受理后可直接作出许可决定。"
	if on {
		notice = name + "已实行受理、审核、批准分离：受理人不能审核或批准，审核人不能批准。"
	}
	s.renderDuties(w, r, http.StatusOK, &dutiesData{Notice: notice})
}

type printPage struct {
	*officerAppPage
	Authority string // the 受理机关 the application is with
	PrintedBy string
	PrintedAt time.Time
}

// officerPrint is the whole application on one printable page for the case
// file: applicant, items, materials and the 办理记录. It shows personal data
// in full, so it is audited like every officer view of it.
func (s *Server) officerPrint(w http.ResponseWriter, r *http.Request) {
	a, f, ok := s.officerLoad(w, r)
	if !ok {
		return
	}
	p, err := s.officerPage(r, a, f)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if err := s.cases.RecordView(r.Context(), s.actor(r), "print_application", fmt.Sprintf("application:%d", a.ID)); err != nil {
		s.serverError(w, r, err)
		return
	}
	pp := &printPage{officerAppPage: p, PrintedAt: time.Now(), Authority: a.AuthorityCode}
	if d, ok := s.catalog.District(a.AuthorityCode); ok {
		pp.Authority = d.Name + "市场监督管理局"
	}
	if v := viewerFrom(r.Context()); v != nil {
		pp.PrintedBy = v.User.Name
	}
	s.render(w, r, "officer_print", pp)
}
