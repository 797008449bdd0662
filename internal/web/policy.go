package web

import (
	"net/http"

	"opcert/internal/application"
	"opcert/internal/auth"
	"opcert/internal/casework"
)

func (s *Server) policyRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /admin/policy", s.requireRole(auth.RoleAdmin, s.policyPage))
	mux.HandleFunc("POST /admin/policy", s.requireRole(auth.RoleAdmin, s.setPolicyValue))
}

// policyLabels name the form's fields in the error summary.
var policyLabels = map[string]string{"key": "政策项目", "value": "设定值", "effective_from": "生效日期", "note": "设定依据"}

type policyPageData struct {
	chrome
	casework.PolicyOverview
	Fields []application.PolicyField
	Form   *form
	Errors []fieldError
	Notice string
}

func (s *Server) policyData(r *http.Request, f *form) (*policyPageData, error) {
	ov, err := s.cases.PolicyOverview(r.Context(), s.actor(r))
	if err != nil {
		return nil, err
	}
	if f == nil {
		f = &form{Values: map[string]string{"effective_from": ov.Today.AddDays(1).String()}}
	}
	return &policyPageData{PolicyOverview: ov, Fields: application.PolicyFields, Form: f}, nil
}

// policyPage shows the policy values in force, those set for later days,
// and takes a new value with the day it applies from.
func (s *Server) policyPage(w http.ResponseWriter, r *http.Request) {
	p, err := s.policyData(r, nil)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if r.URL.Query().Get("done") == "1" {
		p.Notice = "已保存。新的设定自生效日期起在所有服务实例生效，无需重启。"
	}
	s.render(w, r, "admin_policy", p)
}

func (s *Server) setPolicyValue(w http.ResponseWriter, r *http.Request) {
	f := newForm(r, "key", "value", "effective_from", "note", "retroactive")
	_, err := s.cases.SetPolicyValue(r.Context(), s.actor(r), application.PolicyChange{Key: f.Get("key"), Value: f.Get("value"),
		EffectiveFrom: f.Get("effective_from"), Note: f.Get("note"), Retroactive: f.Get("retroactive") == "1"})
	if err == nil {
		http.Redirect(w, r, "/admin/policy?done=1", http.StatusSeeOther)
		return
	}
	if statusOf(err) == http.StatusInternalServerError {
		s.serverError(w, r, err)
		return
	}
	p, perr := s.policyData(r, f)
	if perr != nil {
		s.serverError(w, r, perr)
		return
	}
	p.Errors = fieldErrorsOf(err, policyLabels)
	f.Errors = p.Errors
	s.renderStatus(w, r, statusOf(err), "admin_policy", p)
}
