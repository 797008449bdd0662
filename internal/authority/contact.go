package authority

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// Contact is how the public reaches a 受理机关's window (seed 000 §1.2: each
// district's entry names its bureau; applicants ask the window when in
// doubt, and the guides send rare-character names there).
type Contact struct {
	Address string // 窗口地址
	Phone   string // 咨询电话, one or more numbers
	Hours   string // 办公时间
}

// Problem is a contact field refused, with its Chinese message.
type Problem struct {
	Field, Message string
}

// Check refuses the fields that cannot be what they say: an address too
// long for a page or a notice, a phone without a number, text with line
// breaks. Any field may be left empty (not yet known).
func (c Contact) Check() []Problem {
	var out []Problem
	for _, f := range []struct {
		field, label, value string
		max                 int
	}{{"address", "窗口地址", c.Address, 100}, {"phone", "咨询电话", c.Phone, 60}, {"hours", "办公时间", c.Hours, 100}} {
		switch {
		case utf8.RuneCountInString(f.value) > f.max:
			out = append(out, Problem{f.field, f.label + "不能超过" + strconv.Itoa(f.max) + "个字"})
		case strings.ContainsAny(f.value, "\r\n\t"):
			out = append(out, Problem{f.field, f.label + "请写在一行内"})
		}
	}
	if p := c.Phone; p != "" && !phoneLike(p) {
		out = append(out, Problem{"phone", "咨询电话应为电话号码，如 021-64871234；多个号码用“、”分隔"})
	}
	return out
}

// phoneLike: digits with the separators people write between and around
// numbers (021-6487 1234、12345 转 2), at least five digits in each number
// (12345 is the shortest government hotline).
func phoneLike(s string) bool {
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == '、' || r == ',' || r == '，' || r == ';' || r == '；' || r == '/' }) {
		digits := 0
		for _, r := range part {
			switch {
			case r >= '0' && r <= '9':
				digits++
			case r == '-' || r == ' ' || r == '(' || r == ')' || r == '（' || r == '）' || r == '+' || r == '转':
			default:
				return false
			}
		}
		if digits < 5 {
			return false
		}
	}
	return true
}
