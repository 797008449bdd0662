// Package notify sends the text messages queued in the outbox. Every state
// change of an application queues one in the same transaction as the change
// (DESIGN.md: every state change notifies the applicant by SMS); a Dispatcher drains the queue with retries and
// records delivery status. Senders: a log file (the default) and an HTTP
// SMS gateway. The texts come from templates an admin may edit.
package notify

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"opcert/internal/auth"
	"opcert/internal/store"
)

// Sender delivers one message and returns the provider's message id.
type Sender interface {
	Send(ctx context.Context, to, body string) (providerID string, err error)
}

// PermanentError is a refusal a retry cannot change (the gateway rejected
// the number or the text): the message is given up at once.
type PermanentError struct{ Err error }

func (e *PermanentError) Error() string { return e.Err.Error() }
func (e *PermanentError) Unwrap() error { return e.Err }

// MaxAttempts is how many times a message is tried before it is given up
// for good (status failed, last error kept).
const MaxAttempts = 8

// Backoff is the wait after the given failed attempt: 1 min, 5 min, 30 min,
// then 2 h, so a gateway outage of a few hours loses nothing while a
// message still arrives the same day.
func Backoff(attempt int) time.Duration {
	switch attempt {
	case 1:
		return time.Minute
	case 2:
		return 5 * time.Minute
	case 3:
		return 30 * time.Minute
	}
	return 2 * time.Hour
}

const (
	// sendTimeout bounds one Send, whatever the Sender's own timeouts.
	sendTimeout = 30 * time.Second
	// renewMargin: a claim with less lease than this left is renewed before
	// its message is sent, so that no send runs past the lease, when another
	// instance could claim and send the same message. Twice sendTimeout
	// leaves room for clocks of instances that differ a little.
	renewMargin = 2 * sendTimeout
	// The lease must outlast a send with its margin.
	_ = uint64(store.ClaimLease - renewMargin)
)

// Dispatcher drains the outbox. Several may run at once, in one process or
// in several instances on the same database: each message is claimed by one
// of them only.
type Dispatcher struct {
	Store  *store.DB
	Sender Sender
	Log    *slog.Logger
	Batch  int // messages claimed at a time; 50 when zero
	// KeepCodes leaves the code readable in a code message's stored text
	// once it is sent. Demo only: there the outbox is the phone (/dev/sms
	// shows it to anyone, by design) and every account is made up.
	KeepCodes bool
}

// kept is the text a message keeps once sent or given up: without its code,
// which nobody needs after it has gone out.
func (d *Dispatcher) kept(body string) string {
	if d.KeepCodes {
		return body
	}
	return auth.MaskSMSCode(body)
}

func (d *Dispatcher) log() *slog.Logger {
	if d.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return d.Log
}

// RunOnce claims the messages due now and sends them. It returns how many
// were sent and how many failed (to be retried or given up); err is a
// database error, or the end of ctx.
func (d *Dispatcher) RunOnce(ctx context.Context) (sent, failed int, err error) {
	batch := d.Batch
	if batch <= 0 {
		batch = 50
	}
	claims, err := d.Store.ClaimOutbox(ctx, batch)
	if err != nil {
		return 0, 0, err
	}
	// Results are recorded even when ctx ends (shutdown) mid-batch: a
	// message the gateway took but not marked sent would go out again.
	record := context.WithoutCancel(ctx)
	for i := range claims {
		if err := ctx.Err(); err != nil {
			// Shutdown: the rest were not tried; another instance (or this
			// one, restarted) sends them at once instead of after the lease.
			if rerr := d.Store.ReleaseClaims(record, claims[i:]); rerr != nil {
				d.log().Error("sms: release claims at shutdown", "err", rerr)
			}
			return sent, failed, err
		}
		c := &claims[i]
		log := d.log().With("outbox_id", c.ID, "topic", c.Topic, "attempt", c.Attempts)
		if c.Attempts > MaxAttempts {
			// Attempts are counted at the claim, so this is a message whose
			// every try ended without a result (the sender crashed).
			if err := d.Store.MarkFailed(record, *c, errors.New("多次发送均未完成，已停止发送"), time.Time{}, d.kept(c.Body)); err != nil {
				return sent, failed, err
			}
			failed++
			log.Error("sms given up: no try finished")
			continue
		}
		if d.Store.Now().Add(renewMargin).After(c.Lease) {
			mine, err := d.Store.RenewClaim(ctx, c)
			if err != nil {
				return sent, failed, err
			}
			if !mine {
				log.Info("sms claimed by another sender after the lease ran out; skipped")
				continue
			}
		}
		sctx, cancel := context.WithTimeout(ctx, sendTimeout)
		providerID, serr := d.Sender.Send(sctx, c.Recipient, c.Body)
		cancel()
		if serr == nil {
			if err := d.Store.MarkSent(record, c.ID, d.Store.Now(), providerID, d.kept(c.Body)); err != nil {
				return sent, failed, err
			}
			sent++
			continue
		}
		if ctx.Err() != nil {
			// Stopped by shutdown, not refused by the gateway: the try
			// is retried after the lease.
			return sent, failed, ctx.Err()
		}
		var perm *PermanentError
		next := time.Time{}
		if !errors.As(serr, &perm) && c.Attempts < MaxAttempts {
			next = d.Store.Now().Add(Backoff(c.Attempts))
		}
		if err := d.Store.MarkFailed(record, *c, serr, next, d.kept(c.Body)); err != nil {
			return sent, failed, err
		}
		failed++
		if next.IsZero() {
			log.Error("sms given up", "err", serr)
		} else {
			log.Warn("sms not sent; will retry", "err", serr, "retry_at", next)
		}
	}
	return sent, failed, nil
}

// Run sends every interval until ctx ends, at once again while a full
// batch comes back (a backlog after an outage).
func (d *Dispatcher) Run(ctx context.Context, interval time.Duration) {
	batch := d.Batch
	if batch <= 0 {
		batch = 50
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		sent, failed, err := d.RunOnce(ctx)
		if err != nil && ctx.Err() == nil {
			d.log().Error("sms dispatcher", "err", err)
		}
		if err == nil && sent+failed >= batch {
			continue
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
