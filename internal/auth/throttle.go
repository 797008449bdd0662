package auth

import (
	"crypto/rand"
	"fmt"
	"math/big"
	"time"
)

// Password guessing is slowed, never stopped by a lock: a lock that anyone
// can trigger with five wrong passwords would let a stranger keep the real
// person out of their own account (OWASP ASVS 2.2.1 asks for throttling
// that cannot be used to deny service). So failures bring a captcha and a
// growing wait for the one client that failed; the right password with the
// captcha answered always gets in, and SMS login is never held back by
// password failures.
var (
	// LoginFailureWindow is how long a failed password counts.
	LoginFailureWindow = 15 * time.Minute
	// CaptchaAfterAccountFailures: an account with this many recent
	// failures, from anywhere, asks every login for a captcha.
	CaptchaAfterAccountFailures = 3
	// CaptchaAfterClientFailures: a client with this many recent failures,
	// on any accounts, answers a captcha for each further login.
	CaptchaAfterClientFailures = 10
	// RetryWaitAfter failures of one client on one account, each further try
	// waits twice as long as the last, up to MaxRetryWait.
	RetryWaitAfter = 3
	MaxRetryWait   = time.Minute
)

// LoginFailures are the recent failed password logins that bear on a try.
type LoginFailures struct {
	Account int       // on this account, from any client
	Client  int       // from this client, on any account
	Pair    int       // from this client on this account
	LastTry time.Time // the latest of the Pair failures
}

// CaptchaNeeded: the try must answer a captcha before its password is even
// checked, so that a script cannot go on guessing at machine speed.
func (f LoginFailures) CaptchaNeeded() bool {
	return f.Account >= CaptchaAfterAccountFailures || f.Client >= CaptchaAfterClientFailures
}

// RetryWait is how long this client must still wait before trying this
// account again: 1 s after the RetryWaitAfter-th failure, doubling, at most
// MaxRetryWait. Another client (the real person elsewhere) does not wait.
func (f LoginFailures) RetryWait(now time.Time) time.Duration {
	if f.Pair < RetryWaitAfter {
		return 0
	}
	wait := MaxRetryWait
	if n := f.Pair - RetryWaitAfter; n < 6 {
		wait = min(time.Duration(1<<n)*time.Second, MaxRetryWait)
	}
	if left := f.LastTry.Add(wait).Sub(now); left > 0 {
		return left
	}
	return 0
}

// CaptchaTTL is how long a captcha may be answered.
const CaptchaTTL = 10 * time.Minute

// NewCaptchaAnswer draws the digits of a captcha.
func NewCaptchaAnswer() string {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		panic(err)
	}
	return fmt.Sprintf("%06d", n.Int64())
}
