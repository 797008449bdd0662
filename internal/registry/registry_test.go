package registry

import (
	"strings"
	"testing"

	"opcert/internal/catalog"
	"opcert/internal/civil"
)

func line(until string) Item {
	u := civil.MustParse(until)
	return Item{Ref: catalog.OldRef("Q8"), IssuedBy: "徐汇区市场监督管理局", ApprovedOn: u.AddYears(-4).AddDays(1), ValidUntil: u, Status: ItemValid}
}

func TestValidate(t *testing.T) {
	good := Holding{Holder: Holder{Name: "张三", IDType: IDResident, IDNumber: "11010519491231002X"},
		Certificates: []Certificate{{Number: "11010519491231002X", Items: []Item{line("2027-01-31")}}}}
	if err := good.Validate(); err != nil {
		t.Fatal(err)
	}
	mutate := map[string]func(h *Holding){
		"姓名":     func(h *Holding) { h.Holder.Name = "" },
		"证件类型":   func(h *Holding) { h.Holder.IDType = "驾驶证" },
		"证件号码":   func(h *Holding) { h.Holder.IDNumber = "" },
		"证书编号":   func(h *Holding) { h.Certificates[0].Number = "" },
		"项目代号":   func(h *Holding) { h.Certificates[0].Items[0].Ref = catalog.ItemRef{} },
		"应晚于":    func(h *Holding) { h.Certificates[0].Items[0].ValidUntil = h.Certificates[0].Items[0].ApprovedOn },
		"状态":     func(h *Holding) { h.Certificates[0].Items[0].Status = "lost" },
		"重复":     func(h *Holding) { h.Certificates = append(h.Certificates, h.Certificates[0]) },
		"缺少批准日期": func(h *Holding) { h.Certificates[0].Items[0].ApprovedOn = civil.Date{} },
	}
	for want, m := range mutate {
		h := good
		h.Certificates = []Certificate{{Number: good.Certificates[0].Number, Items: []Item{line("2027-01-31")}}}
		m(&h)
		if err := h.Validate(); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: err = %v", want, err)
		}
	}
}

func TestExpiryAndNumberMismatch(t *testing.T) {
	it := line("2026-11-30")
	if it.ExpiredOn(civil.MustParse("2026-11-30")) || !it.ExpiredOn(civil.MustParse("2026-12-01")) {
		t.Error("an item is valid through its 有效期至 and expired the day after")
	}
	h := Holding{Holder: Holder{IDNumber: "A"}, Certificates: []Certificate{{Number: "A"}}}
	if h.NumberDiffers() {
		t.Error("same number flagged")
	}
	h.Certificates = append(h.Certificates, Certificate{Number: "B"})
	if !h.NumberDiffers() {
		t.Error("differing number not flagged")
	}
	if ItemSuperseded.Label() != "已换发" || ItemValid.Label() != "有效" {
		t.Error("labels")
	}
}

// An item's standing on a day: a decision first (换发, 注销, 撤销 — 行政许可法
// 第六十九条, 第七十条), then its dates; the 3 months before 有效期至 are
// when 复审 is applied for.
func TestStandingOn(t *testing.T) {
	day := civil.MustParse("2026-12-01")
	until := func(s string) Item { return Item{ValidUntil: civil.MustParse(s), Status: ItemValid} }
	ended := func(k EndingKind) Item {
		it := until("2029-01-01")
		it.Status, it.Ending = ItemRevoked, &Ending{Kind: k}
		return it
	}
	superseded := until("2029-01-01")
	superseded.Status = ItemSuperseded
	imported := until("2029-01-01")
	imported.Status = ItemRevoked
	for _, c := range []struct {
		it   Item
		want Standing
	}{
		{until("2029-01-01"), Standing{Label: "有效", InForce: true}},
		{until("2027-02-28"), Standing{Label: "有效（即将到期）", InForce: true, Expiring: true}},
		{until("2027-03-01"), Standing{Label: "有效", InForce: true}},
		{until("2026-12-01"), Standing{Label: "有效（即将到期）", InForce: true, Expiring: true}},
		{until("2026-11-30"), Standing{Label: "已过期"}},
		{superseded, Standing{Label: "已换发"}},
		{imported, Standing{Label: "已注销"}},
		{ended(Cancel), Standing{Label: "已注销"}},
		{ended(Revoke), Standing{Label: "已撤销"}},
	} {
		if got := c.it.StandingOn(day); got != c.want {
			t.Errorf("%+v: %+v, want %+v", c.it, got, c.want)
		}
	}
}

func TestCheckEnding(t *testing.T) {
	long := string(make([]rune, 501))
	for _, c := range []struct {
		e    Ending
		want map[string]string
	}{
		{Ending{Kind: Revoke, Reason: "以欺骗手段取得", Basis: Revoke.DefaultBasis()}, map[string]string{}},
		{Ending{}, map[string]string{"kind": "请选择撤销或注销", "reason": "请填写撤销或注销的理由", "basis": "请填写法律依据"}},
		{Ending{Kind: "delete", Reason: long, Basis: "x"}, map[string]string{"kind": "请选择撤销或注销", "reason": "理由不能超过500个字"}},
	} {
		got := CheckEnding(c.e)
		if len(got) != len(c.want) {
			t.Errorf("%+v: %v, want %v", c.e, got, c.want)
		}
		for k, v := range c.want {
			if got[k] != v {
				t.Errorf("%+v: %s = %q, want %q", c.e, k, got[k], v)
			}
		}
	}
}

// Reminders 3 months and 1 month before 有效期至 (seed 000: 复审可提前三个月申报).
func TestReminderDue(t *testing.T) {
	day := civil.MustParse("2026-12-01")
	for _, c := range []struct {
		until  string
		status ItemStatus
		want   string
	}{
		{"2027-03-02", ItemValid, ""},
		{"2027-02-28", ItemValid, Remind3Months},
		{"2027-01-01", ItemValid, Remind3Months},
		{"2026-12-31", ItemValid, Remind1Month},
		{"2026-12-01", ItemValid, Remind1Month},
		{"2026-11-30", ItemValid, ""},
		{"2026-12-31", ItemSuperseded, ""},
		{"2026-12-31", ItemRevoked, ""},
	} {
		it := Item{ValidUntil: civil.MustParse(c.until), Status: c.status}
		if got := it.ReminderDue(day); got != c.want {
			t.Errorf("%s %s: %q, want %q", c.until, c.status, got, c.want)
		}
	}
}
