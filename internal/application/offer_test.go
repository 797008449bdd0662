package application

import (
	"fmt"
	"strings"
	"testing"

	"opcert/internal/registry"
)

func holdingWith(items ...registry.Item) registry.Holding {
	for i := range items {
		items[i].ID = int64(i + 1)
	}
	return registry.Holding{Holder: registry.Holder{Name: "张伟", IDNumber: "11010519491231002X"},
		Certificates: []registry.Certificate{{Number: "11010519491231002X", Items: items}}}
}

func issued(it registry.Item, by string) registry.Item { it.IssuedBy = by; return it }

// 补证 reprints what the holder has, at the 原发证机关 (the guide page: 证书遗失
// 或者损毁的，向原发证机关申请补发; SOURCES.md §3 补证).
func TestReissue(t *testing.T) {
	today := d("2026-11-23")
	h := holdingWith(
		issued(item(oldRef("G2"), "2027-01-31"), "浦东新区市场监督管理局"),
		issued(item(newRef("N1"), "2028-05-01"), "浦东新区市场监督管理局"),
		issued(item(newRef("R1"), "2028-05-01"), "徐汇区市场监督管理局"),
		issued(item(newRef("A"), "2028-05-01"), "苏州市市场监督管理局"),
		issued(item(oldRef("G6"), "2027-01-31"), "浦东新区市场监督管理局"), // cancelled: not reissued
		issued(item(newRef("T"), "2026-10-01"), "浦东新区市场监督管理局"),  // expired
	)
	o := NewOffer(MatterReissue, h, true, nil, today, ShanghaiPolicy(), nil)
	var rows []string
	for _, r := range o.Reissue {
		rows = append(rows, fmt.Sprintf("%s:%s:%v", r.Key, r.Code, r.Selectable))
	}
	if got := strings.Join(rows, " "); got != "0-0:G2:true 0-1:N1:true 0-2:R1:true 0-3:A:false" {
		t.Fatalf("rows %s", got)
	}
	if !strings.Contains(o.Reissue[3].Reason, "原发证机关为苏州市市场监督管理局，请向原发证机关申请补发") {
		t.Errorf("out-of-town reason %q", o.Reissue[3].Reason)
	}
	pick := func(keys ...string) Picks {
		none := func(string) string { return "" }
		return Picks{Items: keys, Target: none, Exam: none, Extras: func(string) []string { return nil }}
	}
	items, ps := o.Choose(pick("0-0", "0-1"), today, nil)
	if len(ps) > 0 {
		t.Fatal(ps)
	}
	// The old G2 stays G2: no silent choice of G1 or G2, no 换发 without 复审.
	if items[0].Target != "" || items[0].From != "2011:G2" || items[0].Key() != "2011:G2" || items[1].Target != "N1" {
		t.Fatalf("items %+v", items)
	}
	f := Form{Matter: MatterReissue, Items: items, Employer: Employer{District: "310104"}}
	if rt := f.Route(nil); rt.Code != "310115" || !rt.Fixed || rt.Reason != ReasonIssuer {
		t.Fatalf("routing %+v, want 浦东新区 as the 原发证机关", rt)
	}
	if _, ps := o.Choose(pick("0-1", "0-2"), today, nil); len(ps) != 1 || !strings.Contains(ps[0].Message, "所选项目的原发证机关不同（浦东新区市场监督管理局、徐汇区市场监督管理局）") {
		t.Fatalf("two issuers: %v", ps)
	}
	if _, ps := o.Choose(pick("0-3"), today, nil); len(ps) != 1 || !strings.Contains(ps[0].Message, "不可补发") {
		t.Fatalf("out of town: %v", ps)
	}
	// A city-level issuer: the usual matching, by the employer.
	city := Form{Matter: MatterReissue, Items: []FormItem{{From: "2019:N1", Target: "N1", IssuedBy: "上海市质量技术监督局"}}, Employer: Employer{District: "310104"}}
	if rt := city.Route(nil); rt.Code != "310104" || rt.Reason != ReasonEmployer {
		t.Fatalf("city-level issuer: %+v", rt)
	}
}
