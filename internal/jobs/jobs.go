// Package jobs is the timed work of the service: deleting drafts past their
// 15 days (seed 000 3.5) with their files, and clearing dead sessions, QR
// logins, SMS codes and rate-limit events. Later
// stages add 补正 deadlines and the SMS sender. Each job is idempotent, so
// several instances may run it at once without harm.
package jobs

import (
	"context"
	"log/slog"
	"time"

	"opcert/internal/casework"
	"opcert/internal/store"
)

// FileDeleter removes uploaded files (the blob store).
type FileDeleter interface {
	Delete(ctx context.Context, key string) error
}

// Runner runs the jobs every Interval until its context ends. The changes
// to applications are the service's (casework); the runner only times them.
type Runner struct {
	DB       *store.DB
	Cases    *casework.Service
	Files    FileDeleter
	Log      *slog.Logger
	Interval time.Duration
}

// Run loops until ctx is done, running once at start.
func (r *Runner) Run(ctx context.Context) {
	if r.Interval <= 0 {
		r.Interval = 10 * time.Minute
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
	if p, err := r.DB.DeleteExpiredLogins(ctx); err != nil && ctx.Err() == nil {
		r.Log.Error("job: expire login codes", "err", err)
	} else if p != (store.LoginsPruned{}) {
		r.Log.Info("job: login codes expired", "qr_logins", p.QRLogins, "sms_codes", p.SMSCodes, "rate_events", p.RateEvents)
	}
}

// ExpireDrafts deletes drafts kept past their last day, telling their
// applicants, then their files.
func (r *Runner) ExpireDrafts(ctx context.Context) error {
	gone, err := r.Cases.ExpireDrafts(ctx)
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
// passed (casework.AbandonOverdueCorrections).
func (r *Runner) AbandonOverdueCorrections(ctx context.Context) error {
	n, err := r.Cases.AbandonOverdueCorrections(ctx)
	if n > 0 {
		r.Log.Info("job: corrections overdue, applications abandoned", "count", n)
	}
	return err
}
