package web

import (
	"bytes"
	"net/http/httptest"
	"testing"
	"time"

	"opcert/internal/casework"
	"opcert/internal/catalog"
	"opcert/internal/civil"
	"opcert/internal/registry"
	"opcert/internal/store"
	"opcert/internal/store/storetest"
)

// BenchmarkRenderQuery is the template of the public query with a result,
// without the look-up: what a page costs to render.
func BenchmarkRenderQuery(b *testing.B) {
	pages, err := parsePages()
	if err != nil {
		b.Fatal(err)
	}
	// The page's chrome states the policy in force, read through the
	// service (cached between requests; its revision looked at once a
	// second, as opcert serve does).
	db := storetest.Open(b, store.SQLite)
	today := func() civil.Date { return civil.MustParse("2026-12-01") }
	s := &Server{pages: pages, catalog: catalog.Default(), today: today, cases: casework.New(casework.Options{Store: db, Today: today, RevisionCheckEvery: time.Second})}
	ref, _ := catalog.ParseItemRef("2019:Q2(限流动式起重机)")
	h := registry.Holding{Holder: registry.Holder{Name: "张喆堃", IDNumber: "310104198203140012"},
		Certificates: []registry.Certificate{{Number: "310104198203140012", Items: []registry.Item{
			{Ref: ref, IssuedBy: "徐汇区市场监督管理局", ApprovedOn: civil.MustParse("2023-01-02"), ValidUntil: civil.MustParse("2027-01-01"), Status: registry.ItemValid},
			{Ref: ref, IssuedBy: "徐汇区市场监督管理局", ApprovedOn: civil.MustParse("2019-01-02"), ValidUntil: civil.MustParse("2023-01-01"), Status: registry.ItemSuperseded},
		}}}}
	r := httptest.NewRequest("POST", "/certificates/query", nil)
	var buf bytes.Buffer
	for b.Loop() {
		p := &queryPage{Form: &form{Values: map[string]string{"name": h.Holder.Name, "id": h.Holder.IDNumber}}, Searched: true, Holding: &h, Rows: s.itemRows(h)}
		buf.Reset()
		if err := s.renderTo(&buf, r, "query", p); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(buf.Len()), "bytes/page")
}
