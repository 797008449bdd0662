package web_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"opcert/internal/catalog"
	"opcert/internal/civil"
	"opcert/internal/demo"
	"opcert/internal/store"
	"opcert/internal/store/storetest"
	"opcert/internal/web"
)

// An admin sets the 复审 window and the 疫情期间 reopening on one server;
// an applicant on a second server over the same database sees them on the
// next page, without a restart, on both engines.
func TestPolicyChangeSeenBySecondServer(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		one, two := twoDemoServers(t, db)
		applicant := newBrowser(t, two)
		login(t, applicant, "13800000001")
		_, page := applicant.get("/apply?authority=310104&matter=renew")
		mustContain(t, page, "可办理有效期届满前3个月内的复审业务，")

		admin := newBrowser(t, one)
		login(t, admin, "admin")
		_, page = admin.get("/admin/policy")
		mustContain(t, page, "政策参数", `id="in-force-accept_workdays"`, "5 个工作日", "TSG Z6001-2019", `value="2026-11-23"`, `href="/admin"`)

		// Mistakes at their fields, what was typed kept.
		resp, page := admin.post("/admin/policy", url.Values{"key": {"accept_workdays"}, "value": {"7"}, "effective_from": {"2026-11-01"}, "note": {"沪市监特〔2026〕9号"}})
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("bad value: %d", resp.StatusCode)
		}
		mustContain(t, page, `href="#value"`, "受理期限应在 1 至 5 个工作日之间", `href="#effective_from"`, "早于今天", `value="沪市监特〔2026〕9号"`, `<option value="accept_workdays" selected>`)
		resp, page = admin.post("/admin/policy", url.Values{"key": {"renewal_lead_months"}, "value": {"2"}, "effective_from": {"2026-11-21"}, "note": {"x"}})
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("yesterday: %d", resp.StatusCode)
		}

		for _, v := range []url.Values{
			{"key": {"renewal_lead_months"}, "value": {"2"}, "effective_from": {"2026-11-21"}, "retroactive": {"1"}, "note": {"沪市监特〔2026〕10号"}},
			{"key": {"reopen_expired_since"}, "value": {"2020-01-01"}, "effective_from": {"2026-11-22"}, "note": {"沪市监特〔2026〕10号"}},
			{"key": {"decide_workdays"}, "value": {"10"}, "effective_from": {"2026-11-22"}, "note": {"承诺时限"}},
		} {
			if resp, page := admin.post("/admin/policy", v); resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("set %v: %d\n%s", v, resp.StatusCode, text(page))
			}
		}
		_, page = applicant.get("/apply?authority=310104&matter=renew")
		mustContain(t, page, "可办理有效期届满前2个月内的复审业务（有效期至2020年01月01日以后过期的项目仍可复审）")
		_, page = newBrowser(t, two).get("/guide/new")
		mustContain(t, page, "受理之日起10个工作日内作出准予许可或者不予许可的决定")
		_, page = newAdminOn(t, two).get("/admin/policy")
		mustContain(t, page, "2020年01月01日", "沪市监特〔2026〕10号", "2 个月")

		if resp, _ := applicant.get("/admin/policy"); resp.StatusCode != http.StatusForbidden {
			t.Fatalf("an applicant on the policy page: %d", resp.StatusCode)
		}
		if resp, _ := applicant.post("/admin/policy", url.Values{"key": {"exam_pass_mark"}, "value": {"50"}, "effective_from": {"2026-11-23"}, "note": {"x"}}); resp.StatusCode != http.StatusForbidden {
			t.Fatalf("an applicant setting a value: %d", resp.StatusCode)
		}
	})
}

func newAdminOn(t *testing.T, srv *httptest.Server) *browser {
	b := newBrowser(t, srv)
	login(t, b, "admin")
	return b
}

// twoDemoServers are two instances of the service over one database with
// the demo data, as behind a load balancer.
func twoDemoServers(t *testing.T, db *store.DB) (*httptest.Server, *httptest.Server) {
	t.Helper()
	cat := catalog.Default()
	if _, _, err := demo.Load(context.Background(), db, cat, today); err != nil {
		t.Fatal(err)
	}
	start := func() *httptest.Server {
		s, err := web.New(web.Options{Store: db, Catalog: cat, Logger: scannedLogger(t), Today: func() civil.Date { return today }, Files: testFiles(t)})
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(s)
		t.Cleanup(srv.Close)
		return srv
	}
	return start(), start()
}
