package casework

import (
	"context"
	"errors"
	"strings"

	"opcert/internal/application"
	"opcert/internal/auth"
	"opcert/internal/store"
)

// dutiesOf is the separation of duties of the application's bureau, read
// at each action (an admin's change holds on every instance at once), and
// who took the steps it keeps apart, with their names.
func (s *Service) dutiesOf(ctx context.Context, c Loaded) (application.Duties, dutyNames, error) {
	on, err := s.store.DutySeparated(ctx, c.AuthorityCode)
	if err != nil {
		return application.Duties{}, dutyNames{}, err
	}
	steps, err := s.store.DutySteps(ctx, []int64{c.ID})
	if err != nil {
		return application.Duties{}, dutyNames{}, err
	}
	d, names := dutiesFrom(on, steps[c.ID])
	return d, names, nil
}

type dutyNames struct{ accepted, reviewed string }

func dutiesFrom(separated bool, steps []store.DutyStep) (application.Duties, dutyNames) {
	d := application.Duties{Separated: separated}
	var n dutyNames
	for _, st := range steps {
		if application.Action(st.Action) == application.ActionReview {
			d.ReviewedBy, n.reviewed = st.ActorID, st.ActorName
		} else {
			d.AcceptedBy, n.accepted = st.ActorID, st.ActorName
		}
	}
	return d, n
}

// nextDutyStep is the step separation waits for in status, "" for none.
func nextDutyStep(st application.Status) application.Action {
	switch st {
	case application.StatusAccepted:
		return application.ActionReview
	case application.StatusReviewed:
		return application.ActionApprove
	}
	return ""
}

// whoMayAct says, for a bureau that separates duties, who may take the
// next step of an application kept apart (审核 or 批准): the viewer, or
// another officer than those named. "" where nothing is kept apart.
func whoMayAct(d application.Duties, n dutyNames, status application.Status, viewer int64) string {
	next := nextDutyStep(status)
	if !d.Separated || next == "" {
		return ""
	}
	step := "待审核"
	if next == application.ActionApprove {
		step = "待批准"
	}
	if d.Check(status, next, viewer) == nil {
		return step + "：您可办理"
	}
	var who []string
	if n.accepted != "" {
		who = append(who, "受理人"+n.accepted)
	}
	if n.reviewed != "" {
		who = append(who, "审核人"+n.reviewed)
	}
	return step + "：须由" + strings.Join(who, "、") + "以外的工作人员办理"
}

// WhoMayAct is, for each row of a queue page, who may take its next step
// where the bureau separates duties; rows without such a step are absent.
func (s *Service) WhoMayAct(ctx context.Context, who Actor, rows []QueueRow) (map[int64]string, error) {
	out := map[int64]string{}
	if !who.staff() || len(rows) == 0 {
		return out, nil
	}
	separated, err := s.store.DutySeparations(ctx)
	if err != nil {
		return nil, err
	}
	var ids []int64
	for _, r := range rows {
		if separated[r.AuthorityCode] && nextDutyStep(application.Status(r.Status)) != "" {
			ids = append(ids, r.ID)
		}
	}
	steps, err := s.store.DutySteps(ctx, ids)
	if err != nil {
		return nil, err
	}
	for _, id := range ids {
		for _, r := range rows {
			if r.ID == id {
				d, n := dutiesFrom(true, steps[id])
				out[id] = whoMayAct(d, n, application.Status(r.Status), who.UserID)
			}
		}
	}
	return out, nil
}

// DutySetting is one bureau's separation of duties on the admin page.
type DutySetting struct {
	Code, Name string
	Separated  bool
}

// DutySettings lists every 受理机关 with its separation of duties, for the
// admin.
func (s *Service) DutySettings(ctx context.Context, who Actor) ([]DutySetting, error) {
	if who.Role != auth.RoleAdmin {
		return nil, Errorf(Forbidden, "只有系统管理员可以设置审批分离")
	}
	as, err := s.store.Authorities(ctx)
	if err != nil {
		return nil, err
	}
	on, err := s.store.DutySeparations(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]DutySetting, len(as))
	for i, a := range as {
		out[i] = DutySetting{Code: a.Code, Name: a.Name, Separated: on[a.Code]}
	}
	return out, nil
}

// SetDutySeparation turns a bureau's separation of duties on or off: an
// admin's decision, audited. Applications under way follow the setting
// from their next step (application.Duties).
func (s *Service) SetDutySeparation(ctx context.Context, who Actor, code string, on bool) error {
	if who.Role != auth.RoleAdmin {
		return Errorf(Forbidden, "只有系统管理员可以设置审批分离")
	}
	err := s.store.SetDutySeparation(ctx, code, on, *who.audit("set_duty_separation"))
	if errors.Is(err, store.ErrNotFound) {
		return &Error{Code: Invalid, Field: "authority", Label: "受理机关", Message: "请选择受理机关"}
	}
	return err
}
