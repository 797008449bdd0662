package casework

import (
	"errors"
	"fmt"
	"time"
)

// Code says what kind of refusal an Error is; the web maps each to an HTTP
// status in one place.
type Code string

const (
	// Invalid: the input is wrong; Field names where, Message says why.
	Invalid Code = "invalid"
	// Conflict: the action does not fit the case as it stands (out of turn,
	// changed meanwhile by someone else).
	Conflict Code = "conflict"
	// Forbidden: the actor may not do this.
	Forbidden Code = "forbidden"
	// NotFound: no such case, or not one the actor may see.
	NotFound Code = "not_found"
	// TooMany: a limit on attempts was reached; try again later.
	TooMany Code = "too_many"
	// Unavailable: the service is busy for a moment (password hashing
	// queue); the same request will succeed shortly.
	Unavailable Code = "unavailable"
	// Gone: what the request names has expired or was used.
	Gone Code = "gone"
	// Unauthorized: the credential presented (an API key) is unknown or
	// revoked.
	Unauthorized Code = "unauthorized"
)

// Error is a refusal a user can understand: the code, the field it is
// about (empty for the whole request) and a Chinese message to show there.
type Error struct {
	Code    Code
	Field   string
	Label   string // the field as the page names it, for the error summary
	Message string
	// Related is another application the refusal is about (the one already
	// under way for the same item), for a link to it.
	Related int64
	// Challenge is a captcha the next try must answer (after failed
	// logins or public queries); the page shows its picture.
	Challenge string
	// RetryAfter is how long a refusal over a rate limit asks the caller
	// to wait (zero: not said).
	RetryAfter time.Duration
	// Details are the refusals of several fields at once (a form with more
	// than one mistake); Code is then Invalid.
	Details []*Error
}

func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("%s: %s", e.Field, e.Message)
	}
	return e.Message
}

// Errorf builds an Error without a field.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// FieldError builds an Invalid error at a field.
func FieldError(field, message string) *Error {
	return &Error{Code: Invalid, Field: field, Message: message}
}

// ErrorCode is the code of err, "" for an error that is not a refusal (a
// failure of the service itself).
func ErrorCode(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// ChallengeOf is the captcha a refusal asks the next try to answer, "" if
// none.
func ChallengeOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Challenge
	}
	return ""
}

// ErrorMessage is the message to show for err; "" unless it is a refusal.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return ""
}

// Errors joins the refusals of several fields into one Invalid error, so a
// form shows every mistake in one pass; nil for none.
func Errors(list []*Error) error {
	switch len(list) {
	case 0:
		return nil
	case 1:
		return list[0]
	}
	return &Error{Code: Invalid, Message: list[0].Message, Details: list}
}

// FieldErrors lists the fields err refuses, each with its message: the
// details of a joined error, or the error itself.
func FieldErrors(err error) []*Error {
	var e *Error
	if !errors.As(err, &e) {
		return nil
	}
	if len(e.Details) > 0 {
		return e.Details
	}
	return []*Error{e}
}

// RelatedOf is the other application a refusal is about, 0 for none.
func RelatedOf(err error) int64 {
	var e *Error
	if errors.As(err, &e) {
		return e.Related
	}
	return 0
}

// RetryAfterOf is how long a refusal over a limit asks the caller to wait,
// zero if it does not say.
func RetryAfterOf(err error) time.Duration {
	var e *Error
	if errors.As(err, &e) {
		return e.RetryAfter
	}
	return 0
}
