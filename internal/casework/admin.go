package casework

import (
	"context"
	"slices"
	"strings"

	"opcert/internal/audit"
	"opcert/internal/auth"
	"opcert/internal/notify"
	"opcert/internal/store"
)

// Template is a state-change message as the admin page shows it.
type Template struct {
	Topic, Label, Body string
}

// Templates are the messages of every topic: the admin's text, or the
// built-in one.
func (s *Service) Templates(ctx context.Context) ([]Template, error) {
	stored, err := s.store.SMSTemplates(ctx)
	if err != nil {
		return nil, err
	}
	var out []Template
	for _, topic := range notify.Topics {
		body := notify.Defaults[topic]
		if stored[topic] != "" {
			body = stored[topic]
		}
		out = append(out, Template{Topic: topic, Label: notify.TopicLabel(topic), Body: body})
	}
	slices.SortFunc(out, func(a, b Template) int { return strings.Compare(a.Topic, b.Topic) })
	return out, nil
}

// SaveTemplates stores an admin's texts (seed 000 3.5: 受理机关在材料预审、
// 受理、审批时会有相应的短信息), each checked (notify.ValidateTemplate), the
// changed ones written with their audit lines in one transaction.
func (s *Service) SaveTemplates(ctx context.Context, who Actor, bodies map[string]string) error {
	if who.Role != auth.RoleAdmin {
		return Errorf(Forbidden, "只有系统管理员可以修改短信模板")
	}
	current, err := s.Templates(ctx)
	if err != nil {
		return err
	}
	stored, err := s.store.SMSTemplates(ctx)
	if err != nil {
		return err
	}
	var refused []*Error
	var edits []store.TemplateEdit
	for _, t := range current {
		body := strings.TrimSpace(bodies[t.Topic])
		if err := notify.ValidateTemplate(body); err != nil {
			refused = append(refused, &Error{Code: Invalid, Field: "body-" + t.Topic, Label: t.Label, Message: err.Error()})
			continue
		}
		if body == t.Body {
			continue
		}
		e := audit.Entry{ActorID: who.UserID, ActorRole: string(who.Role), IP: who.IP, Action: "edit_sms_template",
			Subject: "sms_template:" + t.Topic, Before: stored[t.Topic], After: body}
		edits = append(edits, store.TemplateEdit{Topic: t.Topic, Body: body, Audit: e})
	}
	if len(refused) > 0 {
		return Errors(refused)
	}
	return s.store.PutSMSTemplates(ctx, who.UserID, edits)
}

// RecordView writes to the audit log that a staff member saw an applicant's
// personal data (GB/T 22239-2019 level 3 expects an audit of access to
// personal data); subject names what, e.g. "application:7/file:3".
func (s *Service) RecordView(ctx context.Context, who Actor, action, subject string) error {
	e := who.audit(action)
	if e == nil {
		return nil
	}
	e.Subject = subject
	_, err := s.store.AppendAudit(ctx, *e)
	return err
}
