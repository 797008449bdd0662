package web_test

import (
	"net/http"
	"net/url"
	"testing"
)

// The admin confirms Q9's rule with a source on the web; the public
// 换发对应表 then shows it confirmed with the source.
func TestAdminConfirmsMapping(t *testing.T) {
	srv, _ := newDemoServer(t, false)
	visitor := newBrowser(t, srv)
	_, page := visitor.get("/catalog/mapping")
	mustContain(t, page, `id="mapping-Q9"`, "对应关系待确认")

	admin := newBrowser(t, srv)
	login(t, admin, "admin")
	_, page = admin.get("/admin/mappings")
	mustContain(t, page, "待确认的换发对应关系", `id="mapping-Q9"`, `id="mapping-N1"`, `id="mapping-R1"`, `id="mapping-S4"`, `id="mapping-F2"`,
		`value="Q2(限升降机)"`, "存疑，待确认", "无依据，待确认", `href="/admin"`)

	resp, page := admin.post("/admin/mappings/Q9", url.Values{"kind": {"direct"}, "targets": {"Q2(限升降机)、S1"}, "source": {""}})
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("bad decision: %d", resp.StatusCode)
	}
	mustContain(t, page, `href="#targets-Q9"`, "直接换发须填写且只填写一个现行项目", `href="#source-Q9"`, "请填写确认依据", `value="Q2(限升降机)、S1"`)
	if resp, _ := admin.post("/admin/mappings/Q8", url.Values{"kind": {"direct"}, "targets": {"Q2(限流动式起重机)"}, "source": {"x"}}); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("a settled rule: %d", resp.StatusCode)
	}
	source := "https://scjgj.sh.gov.cn/example/notice.html"
	resp, _ = admin.post("/admin/mappings/Q9", url.Values{"kind": {"direct"}, "targets": {"Q2(限升降机)"}, "source": {source}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("confirm: %d", resp.StatusCode)
	}
	_, page = admin.get(resp.Header.Get("Location"))
	mustContain(t, page, "已确认原项目Q9的换发规则", "依据："+source)

	_, page = visitor.get("/catalog/mapping")
	mustContain(t, page, "已确认", `<a href="`+source+`" rel="noopener">`+source+`</a>`)

	officer := newBrowser(t, srv)
	login(t, officer, "officer-310104")
	if resp, _ := officer.post("/admin/mappings/N1", url.Values{"kind": {"cancelled"}, "source": {"x"}}); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("an officer deciding: %d", resp.StatusCode)
	}
}
