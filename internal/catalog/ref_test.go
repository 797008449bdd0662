package catalog

import (
	"database/sql"
	"database/sql/driver"
	"encoding"
	"encoding/json"
	"strings"
	"testing"
)

var (
	_ encoding.TextMarshaler   = ItemRef{}
	_ encoding.TextUnmarshaler = (*ItemRef)(nil)
	_ driver.Valuer            = ItemRef{}
	_ sql.Scanner              = (*ItemRef)(nil)
)

func TestItemRefRoundTrip(t *testing.T) {
	tests := []struct {
		ref  ItemRef
		text string
	}{
		{NewRef(q("Q2", "限流动式起重机")), "2019:Q2(限流动式起重机)"},
		{NewRef(q("G3", "")), "2019:G3"},
		{NewRef(q(MetalWelding, "")), "2019:金属焊接操作"},
		{OldRef("Q8"), "2011:Q8"},
		{OldRef("Q10"), "2011:Q10"},
		{OldRef("Q2"), "2011:Q2"},
		{OldRef("非金属焊接操作"), "2011:非金属焊接操作"},
	}
	for _, tt := range tests {
		if got := tt.ref.String(); got != tt.text {
			t.Errorf("String() = %q, want %q", got, tt.text)
		}
		back, err := ParseItemRef(tt.text)
		if err != nil || back != tt.ref {
			t.Errorf("ParseItemRef(%q) = %v, %v", tt.text, back, err)
		}

		b, _ := tt.ref.MarshalText()
		var u ItemRef
		if err := u.UnmarshalText(b); err != nil || u != tt.ref {
			t.Errorf("text round trip of %s = %v, %v", tt.ref, u, err)
		}

		v, _ := tt.ref.Value()
		var s ItemRef
		if err := s.Scan(v); err != nil || s != tt.ref {
			t.Errorf("SQL round trip of %s = %v, %v", tt.ref, s, err)
		}
		if err := s.Scan([]byte(tt.text)); err != nil || s != tt.ref {
			t.Errorf("Scan([]byte(%q)) = %v, %v", tt.text, s, err)
		}
	}
}

// SOURCES §2 warning: old Q2 (起重机械电气安装维修, cancelled) is not new Q2
// (起重机司机). The refs must differ whatever limit the new one carries.
func TestOldAndNewQ2NeverEqual(t *testing.T) {
	old := OldRef("Q2")
	for _, nq := range []ItemRef{NewRef(q("Q2", "")), NewRef(q("Q2", "限桥式起重机"))} {
		if old == nq || old.String() == nq.String() {
			t.Errorf("%s == %s", old, nq)
		}
		if _, ok := nq.Old(); ok {
			t.Errorf("%s.Old() reports an old code", nq)
		}
	}
	if _, ok := old.New(); ok {
		t.Error("2011:Q2.New() reports a qualification")
	}
	if oc, ok := old.Old(); !ok || oc != "Q2" || old.Edition() != Edition2011 {
		t.Errorf("2011:Q2.Old() = %q, %v, edition %v", oc, ok, old.Edition())
	}
	byRef := map[ItemRef]string{old: "old", NewRef(q("Q2", "限桥式起重机")): "new"}
	if len(byRef) != 2 {
		t.Error("old and new Q2 collide as map keys")
	}
}

func TestItemRefZero(t *testing.T) {
	var r ItemRef
	if !r.IsZero() || r.String() != "" || r.Edition() != 0 {
		t.Errorf("zero ItemRef = %q edition %v", r, r.Edition())
	}
	if v, err := r.Value(); v != nil || err != nil {
		t.Errorf("zero Value() = %v, %v; want NULL", v, err)
	}
	r = OldRef("Q8")
	if err := r.Scan(nil); err != nil || !r.IsZero() {
		t.Errorf("Scan(nil) = %v, %v", r, err)
	}
	r = OldRef("Q8")
	if err := r.UnmarshalText(nil); err != nil || !r.IsZero() {
		t.Errorf("UnmarshalText(empty) = %v, %v", r, err)
	}
	if err := r.Scan(42); err == nil {
		t.Error("Scan(int) accepted")
	}
}

func TestItemRefJSON(t *testing.T) {
	in := struct {
		Item ItemRef `json:"item"`
	}{NewRef(q("Q2", "限门式起重机"))}
	b, err := json.Marshal(in)
	if err != nil || string(b) != `{"item":"2019:Q2(限门式起重机)"}` {
		t.Fatalf("json = %s, %v", b, err)
	}
	out := in
	out.Item = ItemRef{}
	if err := json.Unmarshal(b, &out); err != nil || out != in {
		t.Errorf("json round trip = %v, %v", out, err)
	}
	if err := json.Unmarshal([]byte(`{"item":"Q2"}`), &out); err == nil {
		t.Error("JSON without edition accepted")
	}
}

func TestParseItemRefRejects(t *testing.T) {
	for _, s := range []string{
		"",
		"Q8",               // no edition: the ambiguity ItemRef removes
		"2019:Q8",          // old code under the new edition
		"2011:Q2(限流动式起重机)", // a limit on an old code
		"2011:X1",
		"2019:Q2", // Q2 is always limited
		"2019:Q2(限汽车起重机)",
		"2019:G1(限桥式起重机)",
		"2020:G1",
		"2019:",
		"2011:",
		"garbage",
	} {
		r, err := ParseItemRef(s)
		if err == nil {
			t.Errorf("ParseItemRef(%q) = %v, want error", s, r)
			continue
		}
		if !hasHan(err.Error()) {
			t.Errorf("ParseItemRef(%q) error is not Chinese: %v", s, err)
		}
	}
}

func TestParseQualification(t *testing.T) {
	good := []struct {
		in   string
		want Qualification
	}{
		{"Q2(限流动式起重机)", q("Q2", "限流动式起重机")},
		{"G3", q("G3", "")},
		{"金属焊接操作", q(MetalWelding, "")},
		// 手工录入 (seed 000) is typed by hand: full-width brackets, case, spaces.
		{" q2（限桥式起重机） ", q("Q2", "限桥式起重机")},
		{"Q2(限升降机)", q("Q2", "限升降机")}, // uncertain but in the data
	}
	for _, tt := range good {
		got, err := ParseQualification(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseQualification(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
		if back, err := ParseQualification(got.String()); err != nil || back != got {
			t.Errorf("ParseQualification(%q.String()) = %v, %v", got, back, err)
		}
	}
	bad := []struct{ in, mention string }{
		{"", "为空"},
		{"Q8", "原项目Q8流动式起重机司机换发为Q2起重机司机(限流动式起重机)"},
		{"G6", "已取消"},
		{"Q2", "须注明范围"},
		{"Q2(限汽车起重机)", "未知的起重机司机范围"},
		{"G1(限桥式起重机)", "不带范围限制"},
		{"Q2(限桥式起重机", "格式"},
		{"Q2()", "格式"},
		{"Q2(限桥式起重机)(限门式起重机)", "格式"},
		{"Z9", "未知的作业项目代号"},
		{"<script>", "未知的作业项目代号"},
	}
	for _, tt := range bad {
		_, err := ParseQualification(tt.in)
		if err == nil {
			t.Errorf("ParseQualification(%q) accepted", tt.in)
			continue
		}
		if !hasHan(err.Error()) || !strings.Contains(err.Error(), tt.mention) {
			t.Errorf("ParseQualification(%q) = %v, want a Chinese message mentioning %q", tt.in, err, tt.mention)
		}
	}
}

func TestQualificationName(t *testing.T) {
	tests := []struct {
		q    Qualification
		want string
	}{
		{q("Q2", "限流动式起重机"), "起重机司机(限流动式起重机)"},
		{q("G3", ""), "锅炉水处理"},
		{q("Q8", ""), ""},
	}
	for _, tt := range tests {
		if got := tt.q.Name(nil); got != tt.want {
			t.Errorf("%s.Name() = %q, want %q", tt.q, got, tt.want)
		}
	}
}

func TestParseCodes(t *testing.T) {
	if c, err := ParseNewCode("q2"); err != nil || c != CraneDriver {
		t.Errorf("ParseNewCode(q2) = %q, %v", c, err)
	}
	if _, err := ParseNewCode("Q10"); err == nil || !hasHan(err.Error()) {
		t.Errorf("ParseNewCode(Q10) = %v", err)
	}
	if c, err := ParseOldCode("Q10"); err != nil || c != "Q10" {
		t.Errorf("ParseOldCode(Q10) = %q, %v", c, err)
	}
	if _, err := ParseOldCode("P"); err == nil || !hasHan(err.Error()) {
		t.Errorf("ParseOldCode(P) = %v", err)
	}
}

func TestEdition(t *testing.T) {
	tests := []struct {
		e           Edition
		text, label string
	}{
		{Edition2011, "2011", "原项目(2011版目录)"},
		{Edition2019, "2019", "现行项目(TSG Z6001-2019)"},
	}
	for _, tt := range tests {
		if tt.e.String() != tt.text || tt.e.Label() != tt.label || !tt.e.Valid() {
			t.Errorf("%d: %q %q %v", int(tt.e), tt.e.String(), tt.e.Label(), tt.e.Valid())
		}
		if p, err := ParseEdition(tt.text); err != nil || p != tt.e {
			t.Errorf("ParseEdition(%q) = %v, %v", tt.text, p, err)
		}
	}
	if _, err := ParseEdition("2013"); err == nil || !hasHan(err.Error()) {
		t.Errorf("ParseEdition(2013) = %v", err)
	}
	if Edition(0).Valid() {
		t.Error("zero Edition valid")
	}
}
