// Package idcheck validates the identity numbers applicants type into the
// 特种设备作业人员资格认定 forms: the resident ID number (GB 11643-1999), the
// unified social credit code (GB 32100-2015), mainland mobile numbers and
// postcodes.
//
// Applicants are workers typing on phones, so every failure is an *Error whose
// Message is a short Chinese sentence that can be shown to them as is, and
// whose Code is a stable slug for programs.
package idcheck

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Error is a user-facing validation failure; Error() returns the Chinese message.
type Error struct {
	Code    string // stable English slug, one of the Code* constants
	Message string // Chinese sentence for the applicant
}

func (e *Error) Error() string { return e.Message }

// Codes of Error. Several messages may share a code; programs branch on the
// code, people read the message.
const (
	CodeIDLength     = "id_length"
	CodeIDChars      = "id_chars"
	CodeIDBirthDate  = "id_birth_date"
	CodeIDChecksum   = "id_checksum"
	CodeUSCCLength   = "uscc_length"
	CodeUSCCChars    = "uscc_chars"
	CodeUSCCChecksum = "uscc_checksum"
	CodeMobile       = "mobile"
	CodePostcode     = "postcode"
)

func fail(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// clean trims surrounding white space and folds full-width ASCII to
// half-width: a Chinese input method left in full-width mode types "１１０…Ｘ",
// which is the same number to the person typing it.
func clean(s string) string {
	return strings.TrimSpace(strings.Map(func(r rune) rune {
		if r >= '！' && r <= '～' {
			return r - ('！' - '!')
		}
		return r
	}, s))
}

// quote names a character inside a message. Blanks and control characters
// would be invisible between quotation marks, so they are described instead.
func quote(r rune) string {
	switch {
	case unicode.IsSpace(r):
		return "空格"
	case r == utf8.RuneError || !unicode.IsGraphic(r):
		return "无法识别的字符"
	}
	return "“" + string(r) + "”"
}

func isDigit(r rune) bool { return '0' <= r && r <= '9' }

func allDigits(s string) bool {
	for _, r := range s {
		if !isDigit(r) {
			return false
		}
	}
	return true
}

// MaskNumber keeps the first 4 and last 4 characters of a document number,
// as a page or notice that others may see prints it.
func MaskNumber(id string) string {
	r := []rune(id)
	if len(r) <= 8 {
		return strings.Repeat("*", len(r))
	}
	return string(r[:4]) + strings.Repeat("*", len(r)-8) + string(r[len(r)-4:])
}

// MaskName keeps the first character of a name, as pages others may see
// print it: 张伟 → 张*, 欧阳娜娜 → 欧***.
func MaskName(name string) string {
	r := []rune(name)
	if len(r) <= 1 {
		return name
	}
	return string(r[0]) + strings.Repeat("*", len(r)-1)
}
