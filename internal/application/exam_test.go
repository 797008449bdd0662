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

// Only general items get a 准考证 from the exam system; R3 is arranged by
// its institution, 安全阀校验 and 客运索道 by the one chosen when applying
// (seed 000 2.1 注1–3).
func TestExamArrangement(t *testing.T) {
	for _, tc := range []struct {
		items []string
		want  Arrangement
	}{
		{[]string{"P"}, ArrangedByExamSystem},
		{[]string{"N1", "Q2(限桥式起重机)"}, ArrangedByExamSystem},
		{[]string{"A"}, ArrangedByExamSystem},
		{[]string{"R3"}, ArrangedByR3Institution},       // 注2
		{[]string{"F"}, ArrangedWithChosenInstitution},  // 注3 安全阀校验
		{[]string{"S1"}, ArrangedWithChosenInstitution}, // 注3 客运索道修理
		{[]string{"N1", "S2"}, ArrangedWithChosenInstitution},
	} {
		var items []catalog.Qualification
		for _, s := range tc.items {
			q, err := catalog.ParseQualification(s)
			if err != nil {
				t.Fatal(err)
			}
			items = append(items, q)
		}
		if got := ExamArrangement(items); got != tc.want {
			t.Errorf("%v: %v, want %v", tc.items, got, tc.want)
		}
	}
}
