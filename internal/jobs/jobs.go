// Package jobs is the timed work of the service: deleting drafts past their
// 15 days (seed 000 3.5) with their files and 补正 past their deadline;
// deleting 批量报名 uploads never confirmed (weldexam.UnconfirmedBatchKept);
// reminding holders of items nearing 有效期至 and applicants of drafts about
// to be deleted; clearing dead sessions, QR logins, SMS codes and
// rate-limit events; and removing files that a crash left without a row,
// or that a registrant who gave up left behind. Each job is idempotent, so
// several instances may run it at once without harm.
package jobs

import (
	"context"
	"iter"
	"log/slog"
	"maps"
	"slices"
	"time"

	"opcert/internal/blob"
	"opcert/internal/casework"
	"opcert/internal/store"
)

// FileStore is the blob store as the jobs use it.
type FileStore interface {
	Delete(ctx context.Context, key string) error
	List(ctx context.Context, prefix string) iter.Seq2[blob.Object, error]
	RemoveStale(ctx context.Context, before time.Time) (int, error)
}

// FileGrace is how old a file must be before the sweep may remove it. An
// upload writes its file first and the row that names it after, within one
// request (minutes at most), so a file younger than this may be an upload
// under way; a day also covers clocks of instances and of the file store
// that differ.
const FileGrace = 24 * time.Hour

// FileSweepEvery spaces the file sweeps: each lists every stored file, and
// nothing it could remove is younger than FileGrace anyway.
const FileSweepEvery = 6 * time.Hour

// Runner runs the jobs every Interval until its context ends. The changes
// to applications are the service's (casework); the runner only times them.
type Runner struct {
	DB       *store.DB
	Cases    *casework.Service
	Files    FileStore
	Log      *slog.Logger
	Interval time.Duration
	// Now is the real time, for the age of files (time.Now when nil). The
	// store's clock may run on a demo's made-up day; files are written by
	// the real one.
	Now func() time.Time
	// Observe is told of each job's run (metrics); nil for none.
	Observe func(job string, err error, took time.Duration)

	lastSweep time.Time
}

func (r *Runner) now() time.Time {
	if r.Now == nil {
		return time.Now()
	}
	return r.Now()
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

// Once runs every job one time (the file sweep only when FileSweepEvery
// has passed since the last one); a failing job is logged and retried on
// the next round.
func (r *Runner) Once(ctx context.Context) {
	if err := r.timed("expire_drafts", func() error { return r.ExpireDrafts(ctx) }); err != nil && ctx.Err() == nil {
		r.Log.Error("job: expire drafts", "err", err)
	}
	if err := r.timed("overdue_corrections", func() error { return r.AbandonOverdueCorrections(ctx) }); err != nil && ctx.Err() == nil {
		r.Log.Error("job: overdue corrections", "err", err)
	}
	var n casework.Reminded
	if err := r.timed("reminders", func() (err error) { n, err = r.Cases.SendReminders(ctx); return err }); err != nil && ctx.Err() == nil {
		r.Log.Error("job: reminders", "err", err)
	} else if n != (casework.Reminded{}) {
		r.Log.Info("job: reminders sent", "items", n.Items, "drafts", n.Drafts)
	}
	var expired int64
	if err := r.timed("expire_sessions", func() (err error) { expired, err = r.DB.DeleteExpiredSessions(ctx); return err }); err != nil && ctx.Err() == nil {
		r.Log.Error("job: expire sessions", "err", err)
	} else if expired > 0 {
		r.Log.Info("job: sessions expired", "count", expired)
	}
	var p store.LoginsPruned
	if err := r.timed("expire_logins", func() (err error) { p, err = r.DB.DeleteExpiredLogins(ctx); return err }); err != nil && ctx.Err() == nil {
		r.Log.Error("job: expire login codes", "err", err)
	} else if p != (store.LoginsPruned{}) {
		r.Log.Info("job: login codes expired", "qr_logins", p.QRLogins, "sms_codes", p.SMSCodes, "rate_events", p.RateEvents, "captchas", p.Captchas)
	}
	var pruned int64
	if err := r.timed("prune_outbox", func() (err error) { pruned, err = r.DB.PruneOutbox(ctx); return err }); err != nil && ctx.Err() == nil {
		r.Log.Error("job: prune outbox", "err", err)
	} else if pruned > 0 {
		r.Log.Info("job: old messages deleted", "count", pruned)
	}
	var batches []store.ExpiredWeldBatch
	if err := r.timed("expire_weld_batches", func() (err error) { batches, err = r.Cases.ExpireWeldBatches(ctx); return err }); err != nil && ctx.Err() == nil {
		r.Log.Error("job: expire weld batches", "err", err)
	}
	for _, b := range batches {
		r.Log.Info("job: unconfirmed weld batch deleted", "weld_batch_id", b.ID, "rows", b.RowCount)
	}
	if now := r.now(); r.lastSweep.IsZero() || now.Sub(r.lastSweep) >= FileSweepEvery {
		if err := r.timed("sweep_files", func() error { return r.SweepFiles(ctx) }); err != nil && ctx.Err() == nil {
			r.Log.Error("job: sweep files", "err", err)
		} else if err == nil {
			r.lastSweep = now
		}
	}
}

// timed runs one job and tells Observe how it went.
func (r *Runner) timed(job string, run func() error) error {
	start := time.Now()
	err := run()
	if r.Observe != nil {
		r.Observe(job, err, time.Since(start))
	}
	return err
}

// SweepFiles removes what a crash left in the file store, and what a
// registrant gave up: temporaries of unfinished uploads; files under
// applications/ that no row names (an upload that stopped between its
// file and its row, a draft deleted before its files, a delete that
// failed); and 焊工报名 photos no registration names (a form given up
// after its photo was uploaded, a photo a 修改 replaced). Only files older
// than FileGrace and in the layouts casework writes are considered;
// anything else in the store is not the service's to remove.
func (r *Runner) SweepFiles(ctx context.Context) error {
	before := r.now().Add(-FileGrace)
	if n, err := r.Files.RemoveStale(ctx, before); err != nil {
		return err
	} else if n > 0 {
		r.Log.Info("job: unfinished uploads removed", "count", n)
	}
	var t sweepTally
	if err := r.sweepApplicationFiles(ctx, before, &t); err != nil {
		return err
	}
	if t.removed+t.failed > 0 {
		r.Log.Info("job: files no row names removed", "count", t.removed, "failed", t.failed)
	}
	t = sweepTally{}
	if err := r.sweepWeldPhotos(ctx, before, &t); err != nil {
		return err
	}
	if t.removed+t.failed > 0 {
		r.Log.Info("job: weld photos no registration names removed", "count", t.removed, "failed", t.failed)
	}
	return nil
}

// sweepTally counts a sweep's deletions.
type sweepTally struct{ removed, failed int }

// remove deletes the keys used does not name.
func (r *Runner) remove(ctx context.Context, keys []string, used map[string]bool, t *sweepTally) {
	for _, key := range keys {
		if used[key] {
			continue
		}
		if err := r.Files.Delete(ctx, key); err != nil {
			t.failed++
			r.Log.Error("job: delete unnamed file", "key", key, "err", err)
			continue
		}
		t.removed++
		r.Log.Debug("job: unnamed file removed", "key", key)
	}
}

// sweepApplicationFiles asks, a batch of applications at a time, which of
// their old files their rows name (casework.FilesInUse).
func (r *Runner) sweepApplicationFiles(ctx context.Context, before time.Time, t *sweepTally) error {
	batch := map[int64][]string{}
	flush := func() error {
		used, err := r.Cases.FilesInUse(ctx, slices.Collect(maps.Keys(batch)))
		if err != nil {
			return err
		}
		for _, keys := range batch {
			r.remove(ctx, keys, used, t)
		}
		clear(batch)
		return nil
	}
	for o, err := range r.Files.List(ctx, "applications/") {
		if err != nil {
			return err
		}
		if !o.ModTime.Before(before) {
			continue
		}
		id, ok := casework.ApplicationOfFile(o.Key)
		if !ok {
			continue
		}
		batch[id] = append(batch[id], o.Key)
		if len(batch) >= store.MaxFileMentions {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}

// sweepWeldPhotos asks, a batch of old photos at a time, which of them a
// registration names (casework.WeldPhotosInUse). A photo younger than
// FileGrace may belong to a form still being typed.
func (r *Runner) sweepWeldPhotos(ctx context.Context, before time.Time, t *sweepTally) error {
	var batch []string
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		used, err := r.Cases.WeldPhotosInUse(ctx, batch)
		if err != nil {
			return err
		}
		r.remove(ctx, batch, used, t)
		batch = batch[:0]
		return nil
	}
	for o, err := range r.Files.List(ctx, casework.WeldPhotoFolder) {
		if err != nil {
			return err
		}
		if !o.ModTime.Before(before) || !casework.IsWeldPhoto(o.Key) {
			continue
		}
		batch = append(batch, o.Key)
		if len(batch) >= store.MaxFileMentions {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
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
