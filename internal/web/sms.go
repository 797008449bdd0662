package web

import (
	"context"
	"net/http"
	"strings"

	"opcert/internal/auth"
	"opcert/internal/notify"
)

// smsText is the message of a state change: the admin's template for the
// topic, or the built-in one.
func (s *Server) smsText(ctx context.Context, topic string, vars map[string]string) string {
	return notify.Message(ctx, s.store, topic, vars)
}

func (s *Server) smsRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /admin/sms-templates", s.requireRole(auth.RoleAdmin, s.templatesPage))
	mux.HandleFunc("POST /admin/sms-templates", s.requireRole(auth.RoleAdmin, s.templatesSave))
}

type templateRow struct {
	Topic, Label, Body, Error string
}

type templatesData struct {
	chrome
	Rows         []templateRow
	Placeholders string
	Notice       string
	Errors       []fieldError
}

func (s *Server) templateRows(ctx context.Context) ([]templateRow, error) {
	list, err := s.cases.Templates(ctx)
	if err != nil {
		return nil, err
	}
	rows := make([]templateRow, len(list))
	for i, t := range list {
		rows[i] = templateRow{Topic: t.Topic, Label: t.Label, Body: t.Body}
	}
	return rows, nil
}

// templatesPage lets an admin edit the state-change messages (seed 000 3.5:
// 受理机关在材料预审、受理、审批时会有相应的短信息).
func (s *Server) templatesPage(w http.ResponseWriter, r *http.Request) {
	rows, err := s.templateRows(r.Context())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, "sms_templates", &templatesData{Rows: rows, Placeholders: strings.Join(notify.Placeholders, " ")})
}

func (s *Server) templatesSave(w http.ResponseWriter, r *http.Request) {
	rows, err := s.templateRows(r.Context())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	bodies := map[string]string{}
	for i := range rows {
		rows[i].Body = strings.TrimSpace(r.PostFormValue("body-" + rows[i].Topic))
		bodies[rows[i].Topic] = rows[i].Body
	}
	p := &templatesData{Rows: rows, Placeholders: strings.Join(notify.Placeholders, " ")}
	if err := s.cases.SaveTemplates(r.Context(), s.actor(r), bodies); err != nil {
		if statusOf(err) == http.StatusInternalServerError {
			s.serverError(w, r, err)
			return
		}
		p.Errors = fieldErrorsOf(err, nil)
		for i := range p.Rows {
			p.Rows[i].Error = fieldErrors(p.Errors).ErrorFor("body-" + p.Rows[i].Topic)
		}
		s.renderStatus(w, r, statusOf(err), "sms_templates", p)
		return
	}
	p.Notice = "短信模板已保存。"
	s.render(w, r, "sms_templates", p)
}
