// Package jobs is the timed work of the service: deleting drafts past their
// 15 days (seed 000 3.5) with their files, and clearing dead sessions. Later
// stages add 补正 deadlines and the SMS sender. Each job is idempotent, so
// several instances may run it at once without harm.
package jobs

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"opcert/internal/application"
	"opcert/internal/civil"
	"opcert/internal/notify"
	"opcert/internal/store"
)

// FileDeleter removes uploaded files (the blob store).
type FileDeleter interface {
	Delete(ctx context.Context, key string) error
}

// Runner runs the jobs every Interval until its context ends.
type Runner struct {
	DB       *store.DB
	Files    FileDeleter
	Log      *slog.Logger
	Interval time.Duration
	Today    func() civil.Date
}

// Run loops until ctx is done, running once at start.
func (r *Runner) Run(ctx context.Context) {
	if r.Interval <= 0 {
		r.Interval = 10 * time.Minute
	}
	if r.Today == nil {
		r.Today = civil.Today
	}
	t := time.NewTicker(r.Interval)
	defer t.Stop()
	for {
		r.Once(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Once runs every job one time; a failing job is logged and retried on the
// next round.
func (r *Runner) Once(ctx context.Context) {
	if err := r.ExpireDrafts(ctx); err != nil && ctx.Err() == nil {
		r.Log.Error("job: expire drafts", "err", err)
	}
	if err := r.AbandonOverdueCorrections(ctx); err != nil && ctx.Err() == nil {
		r.Log.Error("job: overdue corrections", "err", err)
	}
	if n, err := r.DB.DeleteExpiredSessions(ctx); err != nil && ctx.Err() == nil {
		r.Log.Error("job: expire sessions", "err", err)
	} else if n > 0 {
		r.Log.Info("job: sessions expired", "count", n)
	}
}

// ExpireDrafts deletes drafts kept past their last day, then their files.
func (r *Runner) ExpireDrafts(ctx context.Context) error {
	gone, err := r.DB.DeleteExpiredDrafts(ctx, r.Today())
	if err != nil {
		return err
	}
	for _, d := range gone {
		for _, key := range d.BlobKeys {
			if err := r.Files.Delete(ctx, key); err != nil {
				// The draft row is gone already; a file left behind is
				// only space, and the next round does not know of it, so
				// say which one.
				r.Log.Error("job: delete file of expired draft", "application_id", d.ID, "key", key, "err", err)
			}
		}
		r.Log.Info("job: draft expired", "application_id", d.ID, "files", len(d.BlobKeys))
	}
	return nil
}

// AbandonOverdueCorrections ends applications whose 补正 deadline has
// passed (seed 000 3.5 申请信息 2: 如无正当理由逾期不予补正的，视为放弃行政许可
// 申请), frees their items and tells the applicant by SMS. An application
// changed meanwhile (resubmitted at the last minute) is left alone.
func (r *Runner) AbandonOverdueCorrections(ctx context.Context) error {
	apps, err := r.DB.OverdueCorrections(ctx, r.Today())
	if err != nil {
		return err
	}
	for _, a := range apps {
		to, err := application.Transition(application.Status(a.Status), application.ActionAbandon, application.Actor{Role: application.RoleSystem})
		if err != nil {
			return err
		}
		inactive := false
		_, err = r.DB.Apply(ctx, store.Transition{ID: a.ID, Version: a.Version, From: []string{a.Status}, To: string(to),
			Action: string(application.ActionAbandon), ItemsActive: &inactive, CorrectionDue: a.CorrectionDue,
			Note: "补正期限 " + a.CorrectionDue.Date.String() + " 届满未补正", SMSTopic: string(to),
			SMS: notify.Message(ctx, r.DB, string(to), map[string]string{"申请号": a.Number, "期限": a.CorrectionDue.Chinese()})})
		if errors.Is(err, store.ErrStale) {
			continue
		}
		if err != nil {
			return err
		}
		r.Log.Info("job: correction overdue, application abandoned", "application_id", a.ID)
	}
	return nil
}
