package application

import (
	"testing"

	"opcert/internal/catalog"
)

func TestCheckExamScores(t *testing.T) {
	p := ShanghaiPolicy()
	n1 := []catalog.Qualification{{Code: "N1"}}
	a := []catalog.Qualification{{Code: "A"}}
	cases := []struct {
		items             []catalog.Qualification
		theory, practical int
		passed            bool
	}{
		{n1, 70, 70, true},  // 70 passes (SOURCES §3: 70/100 per subject)
		{n1, 69, 90, false}, // theory failed
		{n1, 90, 69, false}, // practical failed
		{a, 75, 0, true},    // A: theory only (S11)
		{a, 65, 100, false},
	}
	for _, c := range cases {
		got, err := CheckExamScores(c.items, c.theory, c.practical, p)
		if err != nil || got.Passed != c.passed || got.Message == "" {
			t.Errorf("%v %d/%d: %+v %v", c.items, c.theory, c.practical, got, err)
		}
	}
	if _, err := CheckExamScores(n1, 101, 0, p); err == nil {
		t.Error("score over 100 accepted")
	}
}
