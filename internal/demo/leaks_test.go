package demo_test

import (
	"strings"
	"testing"

	"opcert/internal/catalog"
	"opcert/internal/civil"
	"opcert/internal/demo"
	"opcert/internal/idcheck"
)

// The log scan finds a demo 证件号码 or mobile in any case, and any resident
// ID number with a right check character; masked forms pass.
func TestLeaksIn(t *testing.T) {
	d := demo.Build(catalog.Default(), civil.MustParse("2026-11-22"))
	zhang := d.Applicants[0]
	var withX string
	for _, h := range d.Holdings {
		if strings.HasSuffix(h.Holder.IDNumber, "X") {
			withX = h.Holder.IDNumber
		}
	}
	for _, c := range []struct {
		line  string
		found bool
	}{
		{`level=INFO msg=login id=` + zhang.IDNumber, true},
		{`{"msg":"sms","to":"` + zhang.Mobile + `"}`, true},
		{`msg=typed id_number=110105198001010016`, true},  // not a demo holder, but a valid number
		{`msg=typed id_number=110105198001010017`, false}, // wrong check character
		{`msg=masked id=` + idcheck.MaskNumber(zhang.IDNumber) + ` to=` + idcheck.MaskMobile(zhang.Mobile), false},
		{`request_id=a1101051980010100161b`, false}, // inside a token
		{`msg=typed id=` + strings.ToLower(withX), withX != ""},
	} {
		got := d.LeaksIn("level=INFO msg=start\n"+c.line, "13800000123")
		if (len(got) == 1) != c.found || (c.found && !strings.HasPrefix(got[0], "line 2 holds ")) {
			t.Errorf("%s: %v", c.line, got)
		}
	}
	if withX == "" {
		t.Log("no demo ID number ends in X")
	}
	if got := d.LeaksIn("to=13800000123", "13800000123"); len(got) != 1 {
		t.Errorf("extra not found: %v", got)
	}
}
