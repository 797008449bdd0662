package casework_test

import (
	"strings"
	"testing"

	"opcert/internal/application"
	"opcert/internal/casework"
	"opcert/internal/catalog"
	"opcert/internal/registry"
	"opcert/internal/store"
	"opcert/internal/store/storetest"
)

// An admin decides an uncertain 换发 rule with its source on one instance;
// another instance renews by it from its next look, audited, on both
// engines.
func TestMappingDecisionUsedByAnotherInstance(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db, "2026-11-23")
		other := service(t, db, "2026-11-23")
		until := day("2027-01-20")
		h := registry.Holding{Holder: registry.Holder{Name: "卫东", IDNumber: "310117197403010015"},
			Certificates: []registry.Certificate{{Number: "310117197403010015", Items: []registry.Item{{ID: 1, Ref: catalog.OldRef("Q9"),
				IssuedBy: "松江区市场监督管理局", ApprovedOn: until.AddYears(-4).AddDays(1), ValidUntil: until, Status: registry.ItemValid}}}}}
		renewal := func() application.Option {
			l := application.RenewalOptions(h, other.Catalog(ctx), day("2026-11-23"), application.ShanghaiPolicy())
			if len(l.Options) != 1 {
				t.Fatalf("options %+v, not offered %+v", l.Options, l.NotOffered)
			}
			return l.Options[0]
		}
		if o := renewal(); !o.Mapping.Uncertain() || o.Mapping.Kind != catalog.KindDirect {
			t.Fatalf("before: %+v", o.Mapping)
		}

		err := w.s.DecideMapping(ctx, w.adm, casework.MappingForm{Old: "Q9", Kind: "choice", Targets: "Q2(限升降机)", Source: ""})
		refusedAt(t, err, casework.Invalid, "targets", "择一换发须填写两个或以上现行项目")
		refusedAt(t, err, casework.Invalid, "source", "请填写确认依据")
		err = w.s.DecideMapping(ctx, w.adm, casework.MappingForm{Old: "Q9", Kind: "direct", Targets: "Q9", Source: "x"})
		refusedAt(t, err, casework.Invalid, "targets", "原项目代号")
		err = w.s.DecideMapping(ctx, w.adm, casework.MappingForm{Old: "Q8", Kind: "direct", Targets: "Q2(限流动式起重机)", Source: "x"})
		refusedAt(t, err, casework.NotFound, "", "不属于待确认的对应关系")
		err = w.s.DecideMapping(ctx, w.officer, casework.MappingForm{Old: "Q9", Kind: "cancelled", Source: "x"})
		refusedAt(t, err, casework.Forbidden, "", "只有系统管理员")

		source := "《特种设备作业人员证书换发对应表》 https://scjgj.sh.gov.cn/example"
		if err := w.s.DecideMapping(ctx, w.adm, casework.MappingForm{Old: "Q9", Kind: "choice", Targets: "Q2(限升降机)、Q2(限塔式起重机)", Source: source}); err != nil {
			t.Fatal(err)
		}
		o := renewal()
		if o.Mapping.Uncertain() || len(o.Mapping.Choices()) != 2 || o.Mapping.Decided() == nil || o.Mapping.Decided().Source != source || o.Mapping.Decided().DecidedBy != "adm" {
			t.Fatalf("after: %+v", o.Mapping)
		}
		list, _, err := other.UncertainMappings(ctx, w.adm)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range list {
			if m.Old == "Q9" && m.Decided() == nil {
				t.Error("the admin's list does not show Q9 decided")
			}
		}
		e := must(db.AuditEntries(ctx, "mapping:Q9", 5))
		if len(e) != 1 || e[0].Action != "decide_mapping" || e[0].ActorID != w.adm.UserID || !strings.Contains(e[0].After, "Q2(限升降机)、Q2(限塔式起重机)") {
			t.Fatalf("audit %+v", e)
		}
	})
}
