package idcheck

import (
	"strings"
	"unicode"
)

// Mobile validates a mainland mobile number: 11 digits, 1 then 3–9. Spaces,
// dashes and a +86/86 country code are accepted, as people copy numbers from
// contact cards in those forms. It returns the bare 11 digits.
func Mobile(s string) (string, error) {
	s = strings.Map(func(r rune) rune {
		if r == '-' || unicode.IsSpace(r) {
			return -1
		}
		return r
	}, clean(s))
	if s == "" {
		return "", fail(CodeMobile, "请填写手机号码")
	}
	switch {
	case strings.HasPrefix(s, "+86"):
		s = s[3:]
	case len(s) == 13 && strings.HasPrefix(s, "86"):
		s = s[2:]
	}
	for _, r := range s {
		if !isDigit(r) {
			return "", fail(CodeMobile, "手机号码中不能有%s，只能填写数字", quote(r))
		}
	}
	if len(s) != 11 {
		return "", fail(CodeMobile, "手机号码应为11位数字，您输入了%d位", len(s))
	}
	if s[0] != '1' || s[1] < '3' {
		return "", fail(CodeMobile, "手机号码应以13至19开头，请核对")
	}
	return s, nil
}

// Postcode validates a 6-digit postcode.
func Postcode(s string) (string, error) {
	s = clean(s)
	if s == "" {
		return "", fail(CodePostcode, "请填写邮政编码")
	}
	for _, r := range s {
		if !isDigit(r) {
			return "", fail(CodePostcode, "邮政编码中不能有%s，只能填写数字", quote(r))
		}
	}
	if len(s) != 6 {
		return "", fail(CodePostcode, "邮政编码应为6位数字，您输入了%d位", len(s))
	}
	return s, nil
}

// MaskMobile keeps the first 3 and last 4 digits of a mobile number, as
// messages to someone who may not own it print it: 138****0001.
func MaskMobile(m string) string {
	if len(m) != 11 {
		return m
	}
	return m[:3] + "****" + m[7:]
}
