package casework

import (
	"context"
	"encoding/json"
	"fmt"

	"opcert/internal/application"
	"opcert/internal/notify"
	"opcert/internal/registry"
	"opcert/internal/store"
)

// reminderBatch is how many reminders one pass reads at a time.
const reminderBatch = 200

// Reminded counts the reminders a run sent.
type Reminded struct{ Items, Drafts int }

// SendReminders tells holders of the items nearing 有效期至 (3 months and 1
// month before, registry.Item.ReminderDue) and applicants of the drafts
// about to be deleted (application.DraftReminderDue), each once: a second
// run, or another instance running at the same moment, sends nothing more.
func (s *Service) SendReminders(ctx context.Context) (Reminded, error) {
	var out Reminded
	today := s.today()
	render := notify.Renderer(ctx, s.store, notify.TopicExpiryReminder)
	var after registry.Item
	for {
		items, err := s.store.ExpiringItems(ctx, today, after, reminderBatch)
		if err != nil {
			return out, err
		}
		if len(items) > 0 {
			after = items[len(items)-1].Item
		}
		applied, err := s.linesUnderRenewal(ctx, items)
		if err != nil {
			return out, err
		}
		for _, e := range items {
			kind := e.Item.ReminderDue(today)
			if kind == "" || applied[e.Item.ID] {
				// A line whose 复审 is under way is left unreminded and
				// unrecorded: should the application end without a
				// decision, the next run reminds.
				continue
			}
			body := render(map[string]string{"项目": s.itemLabel(e.Item), "有效期至": e.Item.ValidUntil.Chinese()})
			sent, err := s.store.SendExpiryReminder(ctx, e, kind, body)
			if err != nil {
				return out, err
			}
			if sent {
				out.Items++
			}
		}
		if len(items) < reminderBatch {
			break
		}
	}
	drafts, err := s.store.ExpiringDrafts(ctx, today, today.AddDays(application.DraftReminderDays))
	if err != nil {
		return out, err
	}
	renderDraft := notify.Renderer(ctx, s.store, notify.TopicDraftExpiring)
	for _, d := range drafts {
		if !application.DraftReminderDue(d.ExpiresOn, today) {
			continue
		}
		body := renderDraft(map[string]string{"事项": application.Matter(d.Matter).Label(), "期限": application.DraftDeletedOn(d.ExpiresOn).Chinese()})
		sent, err := s.store.SendDraftReminder(ctx, d, body)
		if err != nil {
			return out, err
		}
		if sent {
			out.Drafts++
		}
	}
	return out, nil
}

// linesUnderRenewal are the registry lines among items that a 复审
// application under way asks to renew.
func (s *Service) linesUnderRenewal(ctx context.Context, items []store.ExpiringItem) (map[int64]bool, error) {
	var holders []int64
	seen := map[int64]bool{}
	for _, e := range items {
		if !seen[e.HolderID] {
			seen[e.HolderID] = true
			holders = append(holders, e.HolderID)
		}
	}
	apps, err := s.store.RenewalsUnderWay(ctx, holders)
	if err != nil {
		return nil, err
	}
	out := map[int64]bool{}
	for _, a := range apps {
		var f application.Form
		if err := json.Unmarshal(a.Data, &f); err != nil {
			return nil, fmt.Errorf("casework: the form of application %d: %w", a.ID, err)
		}
		for _, id := range f.RenewedLines() {
			out[id] = true
		}
	}
	return out, nil
}

// itemLabel names an item as the registry (and the public query) does: in
// its own edition's code, the welding code for a welder's item.
func (s *Service) itemLabel(it registry.Item) string {
	code, name, _, _ := s.catalog.Describe(it.Ref)
	if it.WeldCode != "" {
		code = it.WeldCode
	}
	return code + " " + name
}
