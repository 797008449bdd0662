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
