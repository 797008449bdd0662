package application

import (
	"slices"
	"testing"

	"opcert/internal/catalog"
	"opcert/internal/civil"
	"opcert/internal/registry"
)

func TestGrantFor(t *testing.T) {
	decided := civil.MustParse("2026-12-10")
	q8 := registry.Item{ID: 7, Ref: catalog.OldRef("Q8"), IssuedBy: "徐汇区市场监督管理局", ApprovedOn: civil.MustParse("2023-01-23"), ValidUntil: civil.MustParse("2027-01-22"), Status: registry.ItemValid}
	expired := q8
	expired.ID, expired.ValidUntil = 8, civil.MustParse("2026-11-30")
	held := map[int64]registry.Item{7: q8, 8: expired}
	by := "徐汇区市场监督管理局"
	cases := []struct {
		name      string
		form      Form
		want      []string // ref|approved|until
		supersede []int64
	}{
		// SOURCES §3: renewed items are valid the next four years.
		{"复审 Q8 → Q2 next four years", Form{Matter: MatterRenew, Items: []FormItem{{RegistryItemID: 7, From: "2011:Q8", Target: "Q2(限流动式起重机)"}}},
			[]string{"2019:Q2(限流动式起重机)|2026-12-10|2031-01-22"}, []int64{7}},
		{"复审 after expiry runs from the decision", Form{Matter: MatterRenew, Items: []FormItem{{RegistryItemID: 8, Target: "Q2(限流动式起重机)"}}},
			[]string{"2019:Q2(限流动式起重机)|2026-12-10|2030-12-09"}, []int64{8}},
		{"新办 four years from the decision", Form{Matter: MatterNew, Items: []FormItem{{Target: "N1"}}},
			[]string{"2019:N1|2026-12-10|2030-12-09"}, nil},
		{"复审 with an optional extra", Form{Matter: MatterRenew, Items: []FormItem{{RegistryItemID: 7, Target: "S1", Extras: []string{"S2"}}}},
			[]string{"2019:S1|2026-12-10|2031-01-22", "2019:S2|2026-12-10|2031-01-22"}, []int64{7}},
		// 补证 reprints what the holder has: an old Q8 stays Q8 with its
		// dates; only 复审 换发s it into a 2019 item.
		{"补证 copies the line as held", Form{Matter: MatterReissue, Items: []FormItem{{RegistryItemID: 7, From: "2011:Q8"}}},
			[]string{"2011:Q8|2023-01-23|2027-01-22"}, []int64{7}},
	}
	for _, c := range cases {
		g, err := GrantFor(c.form, held, decided, by, nil)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		var got []string
		for _, it := range g.Items {
			got = append(got, it.Ref.String()+"|"+it.ApprovedOn.String()+"|"+it.ValidUntil.String())
			if it.Status != registry.ItemValid || it.IssuedBy != by {
				t.Errorf("%s: line %+v", c.name, it)
			}
		}
		if len(got) != len(c.want) {
			t.Fatalf("%s: got %v, want %v", c.name, got, c.want)
		}
		for i := range got {
			if got[i] != c.want[i] {
				t.Errorf("%s: line %d = %s, want %s", c.name, i, got[i], c.want[i])
			}
		}
		if len(g.Supersede) != len(c.supersede) || (len(c.supersede) > 0 && g.Supersede[0] != c.supersede[0]) {
			t.Errorf("%s: supersede %v, want %v", c.name, g.Supersede, c.supersede)
		}
	}
	if _, err := GrantFor(Form{Matter: MatterRenew, Items: []FormItem{{RegistryItemID: 99, Target: "G3"}}}, held, decided, by, nil); err == nil {
		t.Error("renewing a line that is no longer valid was granted")
	}
}

// The 2019-format certificate prints the 2019 item of a line held under the
// 2011 catalogue, with the old one as 原项目 (the 换发对应表; SOURCES.md §2).
func TestLineOnCertificate(t *testing.T) {
	for _, tc := range []struct {
		it                   registry.Item
		code, name, original string
	}{
		{item(oldRef("N2"), "2027-01-01"), "N1", "叉车司机", "原项目：N2 叉车司机"},
		{item(oldRef("Q8"), "2027-01-01"), "Q2(限流动式起重机)", "起重机司机(限流动式起重机)", "原项目：Q8 流动式起重机司机"},
		{item(oldRef("G2"), "2027-01-01"), "", "", "原项目：G2 二级锅炉司炉"},
		{item(newRef("N2"), "2027-01-01"), "N2", "观光车和观光列车司机", ""},
	} {
		got := LineOnCertificate(tc.it, nil)
		if got.Code != tc.code || got.Name != tc.name || got.Original != tc.original {
			t.Errorf("%s: %+v, want %s %s %s", tc.it.Ref, got, tc.code, tc.name, tc.original)
		}
	}
}

// A 复审 form renews the registry lines it names; a 手工录入 line (no
// registry id), 新办, 增项 and 补证 renew none.
func TestRenewedLines(t *testing.T) {
	for _, tc := range []struct {
		name string
		f    Form
		want []int64
	}{
		{"复审 of two lines", Form{Matter: MatterRenew, Items: []FormItem{{RegistryItemID: 7, Target: "Q2"}, {RegistryItemID: 9, Target: "N1"}}}, []int64{7, 9}},
		{"复审 of a 手工录入 line", Form{Matter: MatterRenew, Items: []FormItem{{Target: "Q2", ValidUntil: "2027-01-31"}}}, nil},
		{"补证", Form{Matter: MatterReissue, Items: []FormItem{{RegistryItemID: 7}}}, nil},
		{"增项", Form{Matter: MatterAdd, Items: []FormItem{{Target: "N1"}}}, nil},
	} {
		if got := tc.f.RenewedLines(); !slices.Equal(got, tc.want) {
			t.Errorf("%s: RenewedLines = %v, want %v", tc.name, got, tc.want)
		}
	}
}
