package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"opcert/internal/audit"
	"opcert/internal/auth"
	"opcert/internal/registry"
)

// CreateSession stores a new session for the user.
func (db *DB) CreateSession(ctx context.Context, userID int64, tokenHash string) (auth.Session, error) {
	now := db.now().UTC()
	s := auth.Session{TokenHash: tokenHash, UserID: userID, CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(auth.AbsoluteTimeout)}
	_, err := db.w.ExecContext(ctx, `INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at, expires_at) VALUES ($1, $2, $3, $4, $5)`,
		s.TokenHash, s.UserID, s.CreatedAt, s.LastSeenAt, s.ExpiresAt)
	return s, err
}

// SessionUser returns the live session and its user, and marks it used
// (unless touch is false: a page polling in the background must not keep a
// session alive that its person has left). ErrNotFound for a missing,
// expired or idle session, or a disabled account.
func (db *DB) SessionUser(ctx context.Context, tokenHash string, touch bool) (auth.Session, auth.User, error) {
	var s auth.Session
	err := db.queryRow(ctx, `
		SELECT token_hash, user_id, created_at, last_seen_at, expires_at FROM sessions WHERE token_hash = $1`, tokenHash).
		Scan(&s.TokenHash, &s.UserID, &s.CreatedAt, &s.LastSeenAt, &s.ExpiresAt)
	if errors.Is(err, sql.ErrNoRows) {
		return s, auth.User{}, ErrNotFound
	}
	if err != nil {
		return s, auth.User{}, err
	}
	now := db.now().UTC()
	if !s.Alive(now) {
		db.w.ExecContext(ctx, `DELETE FROM sessions WHERE token_hash = $1`, tokenHash)
		return s, auth.User{}, ErrNotFound
	}
	u, err := db.UserByID(ctx, s.UserID)
	if err != nil {
		return s, u, err
	}
	if u.Disabled {
		return s, u, ErrNotFound
	}
	// Writing on every request would serialise SQLite readers behind the
	// writer; a minute's precision is plenty for a 30-minute idle limit.
	if touch && now.Sub(s.LastSeenAt) > time.Minute {
		s.LastSeenAt = now
		if _, err := db.w.ExecContext(ctx, `UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2`, now, tokenHash); err != nil {
			return s, u, err
		}
	}
	return s, u, nil
}

// ExtendSession marks the session used now (the "继续办理" button).
func (db *DB) ExtendSession(ctx context.Context, tokenHash string) (auth.Session, error) {
	s, _, err := db.SessionUser(ctx, tokenHash, false)
	if err != nil {
		return s, err
	}
	s.LastSeenAt = db.now().UTC()
	_, err = db.w.ExecContext(ctx, `UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2`, s.LastSeenAt, tokenHash)
	return s, err
}

// DeleteSession logs a browser out.
func (db *DB) DeleteSession(ctx context.Context, tokenHash string) error {
	_, err := db.w.ExecContext(ctx, `DELETE FROM sessions WHERE token_hash = $1`, tokenHash)
	return err
}

// DeleteExpiredSessions removes sessions past either limit.
func (db *DB) DeleteExpiredSessions(ctx context.Context) (int64, error) {
	now := db.now().UTC()
	res, err := db.w.ExecContext(ctx, `DELETE FROM sessions WHERE expires_at < $1 OR last_seen_at < $2`, now, now.Add(-auth.IdleTimeout))
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// How long rows outlive their use. Instances' clocks differ a little, so a
// QR login stays an hour past its expiry; an SMS code stays a day, so that a
// complaint that a code did not work can still be looked into (when it was
// sent, how many tries it took).
const (
	qrLoginKept = time.Hour
	smsCodeKept = 24 * time.Hour
)

// LoginsPruned counts the rows DeleteExpiredLogins removed.
type LoginsPruned struct {
	QRLogins, SMSCodes, RateEvents, Captchas int64
}

// DeleteExpiredLogins removes QR logins, SMS codes and captchas past their
// use and rate events older than any limit looks back
// (auth.LongestRateWindow).
// Anonymous requests add rows to all three (every GET /login/qr makes a QR
// login), so without this they grow for ever.
func (db *DB) DeleteExpiredLogins(ctx context.Context) (LoginsPruned, error) {
	now := db.now().UTC()
	var p LoginsPruned
	for _, d := range []struct {
		n     *int64
		query string
		arg   time.Time
	}{
		{&p.QRLogins, `DELETE FROM qr_logins WHERE expires_at < $1`, now.Add(-qrLoginKept)},
		{&p.SMSCodes, `DELETE FROM sms_codes WHERE expires_at < $1`, now.Add(-smsCodeKept)},
		{&p.RateEvents, `DELETE FROM rate_events WHERE at < $1`, now.Add(-auth.LongestRateWindow())},
		{&p.Captchas, `DELETE FROM captchas WHERE expires_at < $1`, now},
	} {
		res, err := db.w.ExecContext(ctx, d.query, d.arg)
		if err != nil {
			return p, err
		}
		if *d.n, err = res.RowsAffected(); err != nil {
			return p, err
		}
	}
	return p, nil
}

// IssueSMSCode stores a one-time code and queues its text message in the
// same transaction: the code exists only if its message will be sent.
func (db *DB) IssueSMSCode(ctx context.Context, mobile string, purpose auth.SMSPurpose, code string) error {
	key, err := db.key(ctx, keySMSCode)
	if err != nil {
		return err
	}
	pk, err := db.personal(ctx)
	if err != nil {
		return err
	}
	now := db.now().UTC()
	return db.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO sms_codes (mobile_hmac, purpose, code_hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)`,
			pk.mobileHMAC(mobile), string(purpose), auth.SMSCodeHash(key, mobile, code), now, now.Add(auth.SMSCodeTTL)); err != nil {
			return err
		}
		return enqueue(ctx, tx, pk, now, "sms", mobile, "sms_code", auth.SMSCodeMessage(purpose, code))
	})
}

// LastSMSCodeAt is when a code was last issued to the number (resend wait).
func (db *DB) LastSMSCodeAt(ctx context.Context, mobile string) (time.Time, bool, error) {
	var t time.Time
	pk, err := db.personal(ctx)
	if err != nil {
		return t, false, err
	}
	err = db.sql.QueryRowContext(ctx, `SELECT created_at FROM sms_codes WHERE mobile_hmac = $1 ORDER BY created_at DESC LIMIT 1`, pk.mobileHMAC(mobile)).Scan(&t)
	if errors.Is(err, sql.ErrNoRows) {
		return t, false, nil
	}
	return t, err == nil, err
}

// Reasons a code is refused.
var (
	ErrCodeWrong   = errors.New("验证码不正确")
	ErrCodeExpired = errors.New("验证码已过期或已使用，请重新获取")
)

// UseSMSCode checks a code and spends it. Only the newest unexpired code of
// the number counts, and each wrong try uses up one of its attempts.
func (db *DB) UseSMSCode(ctx context.Context, mobile string, purpose auth.SMSPurpose, code string) error {
	key, err := db.key(ctx, keySMSCode)
	if err != nil {
		return err
	}
	pk, err := db.personal(ctx)
	if err != nil {
		return err
	}
	now := db.now().UTC()
	return db.inTx(ctx, func(tx *sql.Tx) error {
		var id int64
		var hash string
		var attempts int
		err := tx.QueryRowContext(ctx, `
			SELECT id, code_hash, attempts FROM sms_codes
			WHERE mobile_hmac = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > $3
			ORDER BY created_at DESC LIMIT 1`, pk.mobileHMAC(mobile), string(purpose), now).Scan(&id, &hash, &attempts)
		if errors.Is(err, sql.ErrNoRows) || attempts >= auth.SMSCodeMaxAttempts {
			return ErrCodeExpired
		}
		if err != nil {
			return err
		}
		if !auth.SameHash(hash, auth.SMSCodeHash(key, mobile, code)) {
			_, err := tx.ExecContext(ctx, `UPDATE sms_codes SET attempts = attempts + 1 WHERE id = $1`, id)
			if err != nil {
				return err
			}
			return errCommitThen{ErrCodeWrong}
		}
		_, err = tx.ExecContext(ctx, `UPDATE sms_codes SET used_at = $1 WHERE id = $2`, now, id)
		return err
	})
}

// errCommitThen lets a transaction keep its writes (the spent attempt) and
// still report an error to the caller.
type errCommitThen struct{ err error }

func (e errCommitThen) Error() string { return e.err.Error() }
func (e errCommitThen) Unwrap() error { return e.err }

// Allow records an event in a rate-limit bucket if the limit allows it.
// Buckets are kept under their blind names (rateBucket), here and in every
// other rate method: the caller names them in clear.
func (db *DB) Allow(ctx context.Context, bucket string, limit auth.RateLimit) (bool, error) {
	if err := prunedAfter(limit); err != nil {
		return false, err
	}
	pk, err := db.personal(ctx)
	if err != nil {
		return false, err
	}
	bucket = pk.rateBucket(bucket)
	now := db.now().UTC()
	allowed := false
	err = db.inTx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM rate_events WHERE bucket = $1 AND at > $2`,
			bucket, now.Add(-limit.Window)).Scan(&n); err != nil {
			return err
		}
		if n >= limit.Max {
			return nil
		}
		allowed = true
		_, err := tx.ExecContext(ctx, `INSERT INTO rate_events (bucket, at) VALUES ($1, $2)`, bucket, now)
		return err
	})
	return allowed, err
}

// Exceeded tells whether a bucket is full without recording anything
// (checked before a password is verified; failures are recorded after).
func (db *DB) Exceeded(ctx context.Context, bucket string, limit auth.RateLimit) (bool, error) {
	if err := prunedAfter(limit); err != nil {
		return false, err
	}
	pk, err := db.personal(ctx)
	if err != nil {
		return false, err
	}
	var n int
	err = db.sql.QueryRowContext(ctx, `SELECT COUNT(*) FROM rate_events WHERE bucket = $1 AND at > $2`,
		pk.rateBucket(bucket), db.now().UTC().Add(-limit.Window)).Scan(&n)
	return n >= limit.Max, err
}

// prunedAfter refuses a limit that looks back further than rate events are
// kept (DeleteExpiredLogins): it would count too few and let more through.
func prunedAfter(limit auth.RateLimit) error {
	if keep := auth.LongestRateWindow(); limit.Window > keep {
		return fmt.Errorf("store: a rate limit of %v looks back further than events are kept (%v): list it in auth.RateLimits", limit.Window, keep)
	}
	return nil
}

// ClearRate forgets a bucket (a successful login clears its failures).
func (db *DB) ClearRate(ctx context.Context, bucket string) error {
	pk, err := db.personal(ctx)
	if err != nil {
		return err
	}
	_, err = db.w.ExecContext(ctx, `DELETE FROM rate_events WHERE bucket = $1`, pk.rateBucket(bucket))
	return err
}

// QR login states.
type QRState int

const (
	QRWaiting   QRState = iota // shown, not yet confirmed on a phone
	QRConfirmed                // confirmed: the desktop may now log in (once)
	QRExpired                  // too old, already used, or unknown
)

// CreateQRLogin stores a QR login offer.
func (db *DB) CreateQRLogin(ctx context.Context, tokenHash, pollHash string) error {
	now := db.now().UTC()
	_, err := db.w.ExecContext(ctx, `INSERT INTO qr_logins (token_hash, poll_hash, created_at, expires_at) VALUES ($1, $2, $3, $4)`,
		tokenHash, pollHash, now, now.Add(auth.QRLoginTTL))
	return err
}

// ConfirmQRLogin is the phone's 确认登录 by a logged-in user.
func (db *DB) ConfirmQRLogin(ctx context.Context, tokenHash string, userID int64) error {
	now := db.now().UTC()
	res, err := db.w.ExecContext(ctx, `UPDATE qr_logins SET user_id = $1, confirmed_at = $2
		WHERE token_hash = $3 AND confirmed_at IS NULL AND consumed_at IS NULL AND expires_at > $2`, userID, now, tokenHash)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrCodeExpired
	}
	return nil
}

// QRLoginValid tells the phone page whether the code can still be confirmed.
func (db *DB) QRLoginValid(ctx context.Context, tokenHash string) (bool, error) {
	var n int
	err := db.sql.QueryRowContext(ctx, `SELECT COUNT(*) FROM qr_logins WHERE token_hash = $1 AND confirmed_at IS NULL AND consumed_at IS NULL AND expires_at > $2`,
		tokenHash, db.now().UTC()).Scan(&n)
	return n == 1, err
}

// PollQRLogin is the desktop asking about its code. Only the browser holding
// the poll secret may ask, and a confirmed code is consumed by the first
// ask: it logs in exactly one desktop, once.
func (db *DB) PollQRLogin(ctx context.Context, tokenHash, pollHash string) (QRState, int64, error) {
	now := db.now().UTC()
	state, user := QRExpired, int64(0)
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		var stored string
		var uid sql.NullInt64
		var confirmed, consumed sql.NullTime
		var expires time.Time
		err := tx.QueryRowContext(ctx, `SELECT poll_hash, user_id, confirmed_at, consumed_at, expires_at FROM qr_logins WHERE token_hash = $1`, tokenHash).
			Scan(&stored, &uid, &confirmed, &consumed, &expires)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		switch {
		case !auth.SameHash(stored, pollHash), consumed.Valid, !now.Before(expires):
			return nil
		case !confirmed.Valid:
			state = QRWaiting
			return nil
		}
		if _, err := tx.ExecContext(ctx, `UPDATE qr_logins SET consumed_at = $1 WHERE token_hash = $2`, now, tokenHash); err != nil {
			return err
		}
		state, user = QRConfirmed, uid.Int64
		return nil
	})
	return state, user, err
}

// Registration refusals the applicant can act on.
var (
	ErrMobileTaken   = errors.New("该手机号已注册，请直接登录")
	ErrPersonTaken   = errors.New("该证件号码已注册账号，请使用原账号登录")
	ErrNameMismatch  = errors.New("姓名与证件号码不一致，请按证件上的姓名填写")
	ErrHolderMissing = errors.New("持证人不存在")
)

// RegisterApplicant creates a real-name applicant account: the person is
// found in the registry by 证件类型 and 证件号码 (or added, for a first
// application), and the account is bound to them. One account per person
// and per mobile number (seed 000 三 1: 必须使用申请人本人账号).
func (db *DB) RegisterApplicant(ctx context.Context, h registry.Holder, mobile, passwordHash string) (auth.User, error) {
	return db.registerApplicant(ctx, h, mobile, passwordHash, nil)
}

// Reclaim is a registration that has proven it is the holder taking back
// their 证件号码 from the account bound to it: that account is stopped (its
// sessions ended, the holder unbound), told by SMS, and the change audited,
// in the registration's transaction.
type Reclaim struct {
	Notice string      // the SMS to the stopped account's mobile
	Audit  audit.Entry // Action and the actor; Subject and Before are filled in
}

// ReclaimApplicant registers a proven holder (see Reclaim); with no account
// bound to the holder it is RegisterApplicant.
func (db *DB) ReclaimApplicant(ctx context.Context, h registry.Holder, mobile, passwordHash string, r Reclaim) (auth.User, error) {
	return db.registerApplicant(ctx, h, mobile, passwordHash, &r)
}

func (db *DB) registerApplicant(ctx context.Context, h registry.Holder, mobile, passwordHash string, reclaim *Reclaim) (auth.User, error) {
	var u auth.User
	now := db.now().UTC()
	pk, err := db.personal(ctx)
	if err != nil {
		return u, err
	}
	err = db.inTx(ctx, func(tx *sql.Tx) error {
		id, err := db.holderFor(ctx, tx, now, h)
		if err != nil {
			return err
		}
		var old claimedAccount
		err = tx.QueryRowContext(ctx, `SELECT id, mobile, COALESCE(mobile_hmac, '') FROM users WHERE role = 'applicant' AND holder_id = $1`, id).
			Scan(&old.id, &old.mobile, &old.mobileHMAC)
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return err
		case reclaim == nil:
			return ErrPersonTaken
		default:
			if err := db.stopClaimedAccount(ctx, tx, pk, now, old, id, *reclaim); err != nil {
				return err
			}
		}
		// The mobile may be no one's login nor another applicant's mobile.
		var taken int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM users WHERE login_hmac = $1 OR (role = 'applicant' AND mobile_hmac = $2)`,
			pk.loginHMAC(mobile), pk.mobileHMAC(mobile)).Scan(&taken); err != nil {
			return err
		}
		if taken > 0 {
			return ErrMobileTaken
		}
		u = auth.User{Login: mobile, Name: h.Name, Role: auth.RoleApplicant, PasswordHash: passwordHash, HolderID: id, Mobile: mobile, CreatedAt: now}
		k, err := pk.keepAccount(u)
		if err != nil {
			return err
		}
		return insertUser(ctx, tx, &u, k)
	})
	if isUniqueViolation(err) {
		return u, ErrMobileTaken
	}
	return u, err
}

// claimedAccount is the applicant account bound to a holder, its mobile as
// kept in users.
type claimedAccount struct {
	id                 int64
	mobile, mobileHMAC string
}

// stopClaimedAccount unbinds the holder from the account that claimed them
// and disables it. Its applications stay where they are, under the stopped
// account, for the officers to see who made them. The notice goes to the
// account's mobile and the audit line records it, both as sealed in users.
func (db *DB) stopClaimedAccount(ctx context.Context, tx *sql.Tx, pk *personalKeys, now time.Time, old claimedAccount, holderID int64, r Reclaim) error {
	if _, err := tx.ExecContext(ctx, `UPDATE users SET disabled = $1, holder_id = NULL WHERE id = $2`, true, old.id); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1`, old.id); err != nil {
		return err
	}
	mobile, err := pk.kept(old.mobile)
	if err != nil {
		return err
	}
	if mobile != "" && r.Notice != "" {
		if err := enqueueKept(ctx, tx, now, "sms", mobile, old.mobileHMAC, "account_reclaimed", r.Notice); err != nil {
			return err
		}
	}
	e := r.Audit
	e.Subject = fmt.Sprintf("user:%d", old.id)
	e.Before = fmt.Sprintf(`{"holder_id":%d,"mobile":%q}`, holderID, mobile)
	_, err = db.AppendAuditTx(ctx, tx, e)
	return err
}

// HolderClaim is what the registry knows of the person a registration
// names, to decide what proof the registration needs.
type HolderClaim struct {
	Known   bool   // the registry has the person
	Name    string // as the registry has it
	Mobile  string // on record (holder import), "" if none
	Holds   bool   // the registry holds certificates of theirs
	Account bool   // an applicant account is bound to them
}

// HolderClaim looks up the person with this document.
func (db *DB) HolderClaim(ctx context.Context, idType registry.IDType, idNumber string) (HolderClaim, error) {
	var c HolderClaim
	var holderID int64
	pk, err := db.personal(ctx)
	if err != nil {
		return c, err
	}
	err = db.sql.QueryRowContext(ctx, `SELECT id, name, mobile FROM holders WHERE id_number_hmac = $1 AND id_type = $2`, pk.idHMAC(idNumber), string(idType)).
		Scan(&holderID, &c.Name, &c.Mobile)
	if errors.Is(err, sql.ErrNoRows) {
		return c, nil
	}
	if err != nil {
		return c, err
	}
	if c.Mobile, err = db.open(ctx, c.Mobile); err != nil {
		return c, err
	}
	c.Known = true
	err = db.sql.QueryRowContext(ctx, `SELECT
		EXISTS (SELECT 1 FROM certificates WHERE holder_id = $1),
		EXISTS (SELECT 1 FROM users WHERE role = 'applicant' AND holder_id = $1)`, holderID).Scan(&c.Holds, &c.Account)
	return c, err
}

// HolderByID returns a registry person (the applicant behind an account).
func (db *DB) HolderByID(ctx context.Context, id int64) (registry.Holder, error) {
	var h registry.Holder
	var idType string
	err := db.queryRow(ctx, `SELECT id, id_type, id_number, name, sex, birth_date FROM holders WHERE id = $1`, id).
		Scan(&h.ID, &idType, &h.IDNumber, &h.Name, &h.Sex, &h.BirthDate)
	if errors.Is(err, sql.ErrNoRows) {
		return h, ErrHolderMissing
	}
	if err != nil {
		return h, err
	}
	h.IDType = registry.IDType(idType)
	h.IDNumber, err = db.open(ctx, h.IDNumber)
	return h, err
}

// OutboxMessage is one queued notification.
type OutboxMessage struct {
	ID        int64
	Channel   string
	Recipient string
	Topic     string
	Body      string
	Status    string
	CreatedAt time.Time
}

// enqueue adds a message to the outbox inside the caller's transaction, so
// a notification is queued if and only if the change it reports is saved.
// The recipient is sealed with pk (read before the transaction), found by
// the HMAC of its digits.
func enqueue(ctx context.Context, tx *sql.Tx, pk *personalKeys, now time.Time, channel, recipient, topic, body string) error {
	if strings.TrimSpace(recipient) == "" {
		return fmt.Errorf("store: outbox message %s without recipient", topic)
	}
	kept, err := pk.seal(recipient)
	if err != nil {
		return err
	}
	return enqueueKept(ctx, tx, now, channel, kept, pk.mobileHMAC(recipient), topic, body)
}

// enqueueKept adds a message to a recipient already sealed (copied from the
// row that keeps it) with its HMAC.
func enqueueKept(ctx context.Context, tx *sql.Tx, now time.Time, channel, recipient, recipientHMAC, topic, body string) error {
	if recipient == "" {
		return fmt.Errorf("store: outbox message %s without recipient", topic)
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO outbox (channel, recipient, recipient_hmac, body, topic, created_at, next_attempt_at) VALUES ($1, $2, $3, $4, $5, $6, $6)`,
		channel, recipient, nullString(recipientHMAC), body, topic, now)
	return err
}

// RecentOutbox lists the newest messages, to recipient when not "", for
// the development page.
func (db *DB) RecentOutbox(ctx context.Context, recipient string, limit int) ([]OutboxMessage, error) {
	q := `SELECT id, channel, recipient, topic, body, status, created_at FROM outbox`
	args := []any{}
	if recipient != "" {
		pk, err := db.personal(ctx)
		if err != nil {
			return nil, err
		}
		q += ` WHERE recipient_hmac = $1`
		args = append(args, pk.mobileHMAC(recipient))
	}
	q += fmt.Sprintf(` ORDER BY id DESC LIMIT %d`, limit)
	out, err := scanAll(func(row rowScanner) (m OutboxMessage, err error) {
		err = row.Scan(&m.ID, &m.Channel, &m.Recipient, &m.Topic, &m.Body, &m.Status, &m.CreatedAt)
		return m, err
	})(db.sql.QueryContext(ctx, q, args...))
	if err != nil {
		return nil, err
	}
	if err := openEach(ctx, db, out, func(m *OutboxMessage) *string { return &m.Recipient }); err != nil {
		return nil, err
	}
	return out, nil
}
