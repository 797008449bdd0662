package web

import (
	"context"
	"net/http"
	"sort"
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
	stored, err := s.store.SMSTemplates(ctx)
	if err != nil {
		return nil, err
	}
	var rows []templateRow
	for topic, def := range notify.Defaults {
		body := def
		if stored[topic] != "" {
			body = stored[topic]
		}
		rows = append(rows, templateRow{Topic: topic, Label: notify.TopicLabel(topic), Body: body})
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].Topic < rows[j].Topic })
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
	p := &templatesData{Placeholders: strings.Join(notify.Placeholders, " ")}
	for i := range rows {
		body := strings.TrimSpace(r.PostFormValue("body-" + rows[i].Topic))
		rows[i].Body = body
		if err := notify.ValidateTemplate(body); err != nil {
			rows[i].Error = err.Error()
			p.Errors = append(p.Errors, fieldError{"body-" + rows[i].Topic, rows[i].Label, err.Error()})
		}
	}
	p.Rows = rows
	if len(p.Errors) > 0 {
		s.renderStatus(w, r, http.StatusUnprocessableEntity, "sms_templates", p)
		return
	}
	v := viewerFrom(r.Context())
	old, err := s.store.SMSTemplates(r.Context())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	for _, row := range rows {
		if row.Body == old[row.Topic] || (old[row.Topic] == "" && row.Body == notify.Defaults[row.Topic]) {
			continue
		}
		if err := s.store.PutSMSTemplate(r.Context(), row.Topic, row.Body, v.User.ID); err != nil {
			s.serverError(w, r, err)
			return
		}
		e := s.auditEntry(r, "edit_sms_template", "sms_template:"+row.Topic)
		e.Before, e.After = old[row.Topic], row.Body
		if _, err := s.store.AppendAudit(r.Context(), e); err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	p.Notice = "短信模板已保存。"
	s.render(w, r, "sms_templates", p)
}
