package authority

import "testing"

func TestContactCheck(t *testing.T) {
	for _, c := range []struct {
		name  string
		c     Contact
		field string // "" for accepted
	}{
		{"empty: not yet known", Contact{}, ""},
		{"a window", Contact{Address: "徐汇区漕溪北路336号", Phone: "021-64871234、12345", Hours: "周一至周五 9:00-17:00"}, ""},
		{"an extension", Contact{Phone: "021-6487 1234 转 2"}, ""},
		{"a word", Contact{Phone: "请来电"}, "phone"},
		{"too few digits", Contact{Phone: "1234"}, "phone"},
		{"two lines", Contact{Hours: "周一\n周二"}, "hours"},
		{"too long", Contact{Address: string(make([]rune, 101))}, "address"},
	} {
		ps := c.c.Check()
		if c.field == "" && len(ps) > 0 || c.field != "" && (len(ps) == 0 || ps[0].Field != c.field) {
			t.Errorf("%s: %v", c.name, ps)
		}
	}
}
