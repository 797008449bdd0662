package enterprise

import (
	"strings"
	"unicode"

	"opcert/internal/idcheck"
)

// Unit is the profile of a 单位 account: an employer or a training body that
// registers its welders and follows its operators' certificates (DESIGN.md,
// 单位). Its 统一社会信用代码 is its login name, one account per code.
type Unit struct {
	CreditCode string // 统一社会信用代码, GB 32100
	Name       string // 单位名称, as on the business licence
	Address    string // 单位地址
	Contact    string // 联系人
	Phone      string // 联系电话: a mobile or a fixed line with its area code
}

// Problem is one mistake in a Unit, at its field.
type Problem struct{ Field, Label, Message string }

// CheckUnit checks a 单位's registration: every field filled, the credit
// code's GB 32100 check character right, and a telephone number someone can
// be reached at. It returns the unit with its values cleaned (the code upper
// case, the phone without spaces) and every mistake at once.
func CheckUnit(u Unit) (Unit, []Problem) {
	var ps []Problem
	fail := func(field, label, msg string) { ps = append(ps, Problem{field, label, msg}) }
	u.Name, u.Address, u.Contact = strings.TrimSpace(u.Name), strings.TrimSpace(u.Address), strings.TrimSpace(u.Contact)
	switch n := len([]rune(u.Name)); {
	case n == 0:
		fail("unit_name", "单位名称", "请填写单位名称（须与营业执照一致）")
	case n > 100:
		fail("unit_name", "单位名称", "单位名称不能超过100个字")
	}
	if code, err := idcheck.CreditCode(u.CreditCode); err != nil {
		fail("credit_code", "统一社会信用代码", err.Error())
	} else {
		u.CreditCode = code
	}
	switch n := len([]rune(u.Address)); {
	case n == 0:
		fail("address", "单位地址", "请填写单位地址")
	case n > 200:
		fail("address", "单位地址", "单位地址不能超过200个字")
	}
	switch n := len([]rune(u.Contact)); {
	case n == 0:
		fail("contact", "联系人", "请填写联系人姓名")
	case n > 30:
		fail("contact", "联系人", "联系人姓名不能超过30个字")
	}
	if phone, msg := checkPhone(u.Phone); msg != "" {
		fail("phone", "联系电话", msg)
	} else {
		u.Phone = phone
	}
	return u, ps
}

// checkPhone accepts a mainland mobile (idcheck.Mobile) or a fixed line
// written with its area code, 0 and 2–3 digits, then 7–8 digits, and an
// optional extension: 021-12345678, 0571-8765432-102.
func checkPhone(s string) (string, string) {
	s = strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
	if s == "" {
		return "", "请填写联系电话"
	}
	if strings.HasPrefix(s, "1") || strings.HasPrefix(s, "+86") {
		m, err := idcheck.Mobile(s)
		if err != nil {
			return "", err.Error()
		}
		return m, ""
	}
	parts := strings.Split(s, "-")
	bad := "联系电话应为手机号码，或带区号的固定电话（如 021-12345678）"
	digits := func(p string, lo, hi int) bool {
		if len(p) < lo || len(p) > hi {
			return false
		}
		for _, r := range p {
			if r < '0' || r > '9' {
				return false
			}
		}
		return true
	}
	switch {
	case len(parts) == 1 && digits(s, 10, 12) && s[0] == '0':
		return s, ""
	case len(parts) >= 2 && len(parts) <= 3 && parts[0] != "" && parts[0][0] == '0' && digits(parts[0], 3, 4) && digits(parts[1], 7, 8) &&
		(len(parts) == 2 || digits(parts[2], 1, 6)):
		return s, ""
	}
	return "", bad
}
