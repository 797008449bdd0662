package enterprise

import (
	"strings"
	"testing"

	"opcert/internal/idcheck"
)

// goodCode is the first 17 characters of a 统一社会信用代码 (9 工商, 1 企业,
// 310116 金山区).
const goodCode = "91310116607444444"

func TestCheckUnit(t *testing.T) {
	ok := Unit{CreditCode: validCode(t), Name: "上海金山石化焊接工程有限公司", Address: "上海市金山区卫零路55号", Contact: "王师傅", Phone: "021-57940000"}
	if got, ps := CheckUnit(ok); len(ps) != 0 || got.CreditCode != ok.CreditCode {
		t.Fatalf("a good registration refused: %v", ps)
	}
	lower := ok
	lower.CreditCode = strings.ToLower(ok.CreditCode)
	if got, ps := CheckUnit(lower); len(ps) != 0 || got.CreditCode != ok.CreditCode {
		t.Errorf("lower-case code: %v %q", ps, got.CreditCode)
	}
	wrongCheck := []byte(ok.CreditCode)
	wrongCheck[17] = map[bool]byte{true: '1', false: '0'}[wrongCheck[17] == '0']
	for _, c := range []struct {
		name    string
		change  func(*Unit)
		field   string
		message string
	}{
		// GB 32100-2015: 18 characters, the last a check character over
		// the first 17; I, O, S, V, Z are never used.
		{"wrong check character", func(u *Unit) { u.CreditCode = string(wrongCheck) }, "credit_code", "最后一位校验码"},
		{"too short", func(u *Unit) { u.CreditCode = ok.CreditCode[:17] }, "credit_code", "应为18位，您输入了17位"},
		{"letter never used", func(u *Unit) { u.CreditCode = "91310116O07444444X" }, "credit_code", "不会有字母"},
		{"missing code", func(u *Unit) { u.CreditCode = "" }, "credit_code", "请填写统一社会信用代码"},
		{"missing name", func(u *Unit) { u.Name = " " }, "unit_name", "请填写单位名称"},
		{"missing address", func(u *Unit) { u.Address = "" }, "address", "请填写单位地址"},
		{"missing contact", func(u *Unit) { u.Contact = "" }, "contact", "请填写联系人"},
		{"missing phone", func(u *Unit) { u.Phone = "" }, "phone", "请填写联系电话"},
		{"phone without area code", func(u *Unit) { u.Phone = "57940000" }, "phone", "带区号的固定电话"},
		{"short mobile", func(u *Unit) { u.Phone = "1380000000" }, "phone", "11位"},
	} {
		u := ok
		c.change(&u)
		_, ps := CheckUnit(u)
		if len(ps) != 1 || ps[0].Field != c.field || !strings.Contains(ps[0].Message, c.message) {
			t.Errorf("%s: got %v, want one problem at %s saying %q", c.name, ps, c.field, c.message)
		}
	}
	for _, phone := range []string{"13800000001", "+86 138 0000 0001", "021-57940000", "0571-8765432-102", "02157940000"} {
		u := ok
		u.Phone = phone
		if _, ps := CheckUnit(u); len(ps) != 0 {
			t.Errorf("phone %q refused: %v", phone, ps)
		}
	}
}

func validCode(t *testing.T) string {
	t.Helper()
	check, err := idcheck.CreditCodeCheckChar(goodCode)
	if err != nil {
		t.Fatal(err)
	}
	return goodCode + string(check)
}
