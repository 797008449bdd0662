package application

import "testing"

func TestClassifySearch(t *testing.T) {
	for _, c := range []struct {
		in   string
		kind SearchKind
		want string
	}{
		{"", SearchNone, ""},
		{" 261201000003 ", SearchNumber, "261201000003"},
		{"31010419820314001x", SearchIDNumber, "31010419820314001X"},
		{"E12345678", SearchIDNumber, "E12345678"},
		// A 15-digit card (GB 11643-1989) is searched as its 18-digit number.
		{"110105491231002", SearchIDNumber, "11010519491231002X"},
		{"张伟", SearchName, "张伟"},
		{"𠮷祥", SearchName, "𠮷祥"},
		{"Zhang Wei", SearchName, "Zhang Wei"},
		{"1234", SearchName, "1234"},
	} {
		kind, got := ClassifySearch(c.in)
		if kind != c.kind || got != c.want {
			t.Errorf("%q: %v %q, want %v %q", c.in, kind, got, c.kind, c.want)
		}
	}
}
