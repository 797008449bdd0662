package auth

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"math/big"
	"strings"
	"time"
)

// Session limits. A government form takes a while to fill in, so the idle
// limit is generous; the page warns WarnBefore the end and can extend it
// without losing what has been typed.
const (
	IdleTimeout     = 30 * time.Minute
	AbsoluteTimeout = 12 * time.Hour
	WarnBefore      = 5 * time.Minute
)

// Session is a logged-in browser.
type Session struct {
	TokenHash  string
	UserID     int64
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time
}

// Alive reports whether the session may still be used at now.
func (s Session) Alive(now time.Time) bool {
	return now.Before(s.ExpiresAt) && now.Before(s.LastSeenAt.Add(IdleTimeout))
}

// EndsAt is when the session will end if nothing more happens.
func (s Session) EndsAt() time.Time {
	idle := s.LastSeenAt.Add(IdleTimeout)
	if idle.Before(s.ExpiresAt) {
		return idle
	}
	return s.ExpiresAt
}

// NewToken returns a random token for a cookie or a QR code, and the hash
// under which it is stored: a stolen database does not yield live tokens.
func NewToken() (raw, hash string) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on Linux; a failure is not recoverable
	}
	raw = base64.RawURLEncoding.EncodeToString(b)
	return raw, HashToken(raw)
}

// HashToken is the stored form of a token.
func HashToken(raw string) string {
	sum := sha256.Sum256([]byte(raw))
	return hex.EncodeToString(sum[:])
}

// One-time SMS codes: six digits, five minutes, five tries.
const (
	SMSCodeTTL         = 5 * time.Minute
	SMSCodeMaxAttempts = 5
	SMSResendAfter     = 60 * time.Second
)

// SMSPurpose says what a code may be used for; a login code cannot register.
type SMSPurpose string

const (
	SMSRegister SMSPurpose = "register"
	SMSLogin    SMSPurpose = "login"
	// SMSWeld proves a 焊工报名 is the registrant's own before it is shown
	// or changed: the code goes to the phone the registration gives.
	SMSWeld SMSPurpose = "weld"
)

// NewSMSCode returns a uniformly random six-digit code.
func NewSMSCode() string {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		panic(err)
	}
	return fmt.Sprintf("%06d", n.Int64())
}

// SMSCodeHash is how a code is stored: an HMAC under the server's key, since
// a code has only 10⁶ values and a plain hash of it is undone by trying them
// all. The mobile number is in the message, so equal codes for two people
// differ in the table.
func SMSCodeHash(key []byte, mobile, code string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(mobile + ":" + code))
	return hex.EncodeToString(m.Sum(nil))
}

// SameHash compares two stored hashes in constant time.
func SameHash(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }

// codeMarker comes just before the code in SMSCodeMessage, where
// MaskSMSCode looks for it.
const codeMarker = "验证码为 "

// SMSCodeMessage is the text sent with a code.
func SMSCodeMessage(p SMSPurpose, code string) string {
	what := "登录"
	switch p {
	case SMSRegister:
		what = "注册"
	case SMSWeld:
		what = "焊工考试报名查询"
	}
	return fmt.Sprintf("【特种设备作业人员资格认定】您的%s"+codeMarker+"%s，5分钟内有效。请勿告诉他人。", what, code)
}

// MaskSMSCode is a text with the code of SMSCodeMessage replaced by stars,
// for what is kept once the message is sent (the outbox, the SMS log): a
// code is a password for five minutes and has no reason to be readable
// after it has gone out. Other texts come back unchanged.
func MaskSMSCode(body string) string {
	var b strings.Builder
	for {
		i := strings.Index(body, codeMarker)
		if i < 0 {
			b.WriteString(body)
			return b.String()
		}
		i += len(codeMarker)
		b.WriteString(body[:i])
		body = body[i:]
		n := 0
		for n < len(body) && body[n] >= '0' && body[n] <= '9' {
			n++
		}
		b.WriteString(strings.Repeat("*", n))
		body = body[n:]
	}
}

// QR login (seed 000 2.2, seed 001 第二部分 4: 使用手机"随申办市民云"APP扫码后手机上确认登入).
const QRLoginTTL = 3 * time.Minute

// RateLimit is at most Max events per Window in one bucket.
type RateLimit struct {
	Max    int
	Window time.Duration
}

// Limits on what a person or a script can try.
var (
	SMSPerMobile = RateLimit{Max: 5, Window: time.Hour}
	SMSPerIP     = RateLimit{Max: 20, Window: time.Hour}
	SMSResend    = RateLimit{Max: 1, Window: SMSResendAfter}
)

// RateLimits lists every limit in use. The store forgets rate events older
// than the longest of their windows and refuses a limit not covered by it,
// so a new limit must be listed here or it counts nothing.
var RateLimits = []RateLimit{SMSPerMobile, SMSPerIP, SMSResend,
	{Max: CaptchaAfterAccountFailures, Window: LoginFailureWindow},
	{Max: CaptchaAfterClientMiss, Window: QueryMissWindow}}

// LongestRateWindow is how far back any limit looks.
func LongestRateWindow() time.Duration {
	var w time.Duration
	for _, l := range RateLimits {
		w = max(w, l.Window)
	}
	return w
}
