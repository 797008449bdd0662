package demo_test

import (
	"context"
	"strings"
	"testing"

	"opcert/internal/auth"
	"opcert/internal/catalog"
	"opcert/internal/civil"
	"opcert/internal/demo"
	"opcert/internal/enterprise"
	"opcert/internal/idcheck"
	"opcert/internal/store"
	"opcert/internal/store/storetest"
	"opcert/internal/weldcode"
)

var today = civil.MustParse("2026-11-22")

// The foundation issue lists the cases the demo must show; each is checked.
func TestDemoCoversEveryCase(t *testing.T) {
	cat := catalog.Default()
	d := demo.Build(cat, today)
	if len(d.Holdings) < 30 {
		t.Fatalf("holders = %d, want at least 30", len(d.Holdings))
	}
	has := map[string]bool{}
	districts := map[string]bool{}
	for _, h := range d.Holdings {
		if err := h.Validate(); err != nil {
			t.Errorf("%s: %v", h.Holder.Name, err)
		}
		if _, err := idcheck.ParseResidentID(h.Holder.IDNumber, today); err != nil {
			t.Errorf("%s: %v", h.Holder.Name, err)
		}
		if h.NumberDiffers() {
			has["number differs"] = true
		}
		for _, it := range h.Items() {
			days := today.DaysUntil(it.ValidUntil)
			switch {
			case days < 0:
				has["expired"] = true
			case days <= 92:
				has["due within 3 months"] = true
			case days > 365:
				has["far from expiry"] = true
			}
			if !strings.Contains(it.IssuedBy, "区市场监督管理局") {
				has["outside Shanghai"] = true
			}
			if it.WeldCode != "" {
				has["welding"] = true
			}
			if old, ok := it.Ref.Old(); ok {
				m, _ := cat.Mapping(old)
				switch {
				case m.Kind == catalog.KindCancelled:
					has["cancelled old item"] = true
				case m.Kind == catalog.KindChoice:
					has["choice "+string(old)] = true
				case old == "Q8" || old == "G4":
					has["direct "+string(old)] = true
				}
			}
			if q, ok := it.Ref.New(); ok && q.Code == "R3" {
				has["R3"] = true
			}
		}
	}
	for _, want := range []string{"number differs", "expired", "due within 3 months", "far from expiry", "outside Shanghai",
		"welding", "cancelled old item", "choice G2", "choice Q4", "direct Q8", "direct G4", "R3"} {
		if !has[want] {
			t.Errorf("demo lacks case %q", want)
		}
	}
	for _, e := range d.Enterprises {
		if _, err := idcheck.CreditCode(e.CreditCode); err != nil {
			t.Errorf("%s: %v", e.Name, err)
		}
		districts[e.DistrictCode] = true
	}
	if len(districts) < 3 {
		t.Errorf("enterprises in %d districts, want several", len(districts))
	}
	if len(d.Authorities) != 16 {
		t.Errorf("authorities = %d", len(d.Authorities))
	}
	for i, a := range d.Applicants {
		if want := "1380000000" + string(rune('1'+i)); a.Mobile != want {
			t.Errorf("applicant %d mobile %s, want %s", i, a.Mobile, want)
		}
	}
}

func TestLoadOnceThenLeavesDataAlone(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		cat := catalog.Default()
		if _, loaded, err := demo.Load(ctx, db, cat, today); err != nil || !loaded {
			t.Fatalf("first load: loaded=%v err=%v", loaded, err)
		}
		if _, loaded, err := demo.Load(ctx, db, cat, today); err != nil || loaded {
			t.Fatalf("second load: loaded=%v err=%v", loaded, err)
		}
		u, err := db.UserByLogin(ctx, "13800000001")
		if err != nil {
			t.Fatal(err)
		}
		if u.Role != auth.RoleApplicant || u.HolderID == 0 || !auth.CheckPassword(u.PasswordHash, demo.Password) {
			t.Fatalf("demo applicant = %+v", u)
		}
		o, err := db.UserByLogin(ctx, "officer-310104")
		if err != nil || o.AuthorityCode != "310104" {
			t.Fatalf("officer = %+v, %v", o, err)
		}
		if _, err := db.UserByLogin(ctx, "admin"); err != nil {
			t.Fatal(err)
		}
		// The README lists the 单位 account by its credit code.
		unit, err := db.UserByLogin(ctx, "913101166074444444")
		if err != nil || unit.Role != auth.RoleUnit || !auth.CheckPassword(unit.PasswordHash, demo.Password) {
			t.Fatalf("demo 单位 = %+v, %v", unit, err)
		}
		if p, err := db.UnitRecordOf(ctx, unit.ID); err != nil || p.Name != demo.UnitEnterprise || p.Check != enterprise.CheckApproved {
			t.Fatalf("demo 单位 profile = %+v, %v", p, err)
		}
		// And the one awaiting 审核, as the README lists it.
		pending, err := db.UserByLogin(ctx, "91310113607666666F")
		if err != nil {
			t.Fatal(err)
		}
		if p, err := db.UnitRecordOf(ctx, pending.ID); err != nil || p.Name != demo.PendingEnterprise || p.Check != enterprise.CheckPending || p.Licence.Key != demo.PendingLicence.Key {
			t.Fatalf("demo 单位 待审核 = %+v, %v", p, err)
		}
	})
}

func TestDemoWeldCodesParse(t *testing.T) {
	for _, h := range demo.Build(catalog.Default(), today).Holdings {
		for _, it := range h.Items() {
			if it.WeldCode == "" {
				continue
			}
			c, err := weldcode.Parse(it.WeldCode)
			if err != nil || c.String() != it.WeldCode {
				t.Errorf("%s: %q → %q, %v", h.Holder.Name, it.WeldCode, c.String(), err)
			}
		}
	}
}

// No old-catalogue line is dated after the 2019 catalogue replaced it.
func TestOldItemsApprovedUnderTheOldCatalogue(t *testing.T) {
	d := demo.Build(catalog.Default(), civil.New(2026, 12, 1))
	n := 0
	for _, h := range d.Holdings {
		for _, c := range h.Certificates {
			for _, it := range c.Items {
				if _, old := it.Ref.Old(); !old {
					continue
				}
				n++
				if it.ApprovedOn.After(civil.New(2019, 5, 31)) || !it.ApprovedOn.Before(it.ValidUntil) {
					t.Errorf("%s %s: approved %s, valid until %s", h.Holder.Name, it.Ref, it.ApprovedOn, it.ValidUntil)
				}
			}
		}
	}
	if n == 0 {
		t.Fatal("no old lines in the demo")
	}
}

// The demo's 考试机构 (seed 000 2.1 注1–3): every 2019 item is examined by
// exactly one of them; R3 by 中国人民解放军海军特色医学中心 (注2), 安全阀校验 (F)
// and 客运索道 (S1, S2) each by an institution of their own, which the
// applicant contacts (注3), and all the others, welding included, by the
// city's institution (注1, www.tzsbks.sh.cn).
func TestDemoExamInstitutions(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t, store.SQLite)
	cat := catalog.Default()
	if _, _, err := demo.Load(ctx, db, cat, today); err != nil {
		t.Fatal(err)
	}
	list, err := db.ExamInstitutions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	examinedBy := map[string][]string{}
	for _, e := range list {
		for _, code := range e.Items {
			examinedBy[code] = append(examinedBy[code], e.Name)
		}
	}
	for _, it := range cat.Items() {
		code := string(it.Code)
		by := examinedBy[code]
		if len(by) != 1 {
			t.Errorf("%s %s examined by %v, want exactly one institution", code, it.Name, by)
			continue
		}
		want := demo.CityInstitution
		switch code {
		case "R3":
			want = "中国人民解放军海军特色医学中心"
		case "F":
			want = examinedBy["F"][0]
			if want == demo.CityInstitution || strings.Contains(want, "索道") {
				t.Errorf("安全阀校验 examined by %s", want)
			}
		case "S1", "S2":
			want = examinedBy["S1"][0]
			if want == demo.CityInstitution || want == examinedBy["F"][0] {
				t.Errorf("客运索道 examined by %s", want)
			}
		}
		if by[0] != want {
			t.Errorf("%s %s examined by %s, want %s", code, it.Name, by[0], want)
		}
	}
	if len(list) != 4 {
		t.Errorf("institutions: %d", len(list))
	}
}
