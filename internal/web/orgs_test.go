package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"testing"

	"opcert/internal/store"
	"opcert/internal/store/storetest"
)

// An admin on one server sets 徐汇区's window and changes an exam
// institution; the guide and the admin list on a second server over the
// same database show them at once, on both engines.
func TestOrganisationsSeenBySecondServer(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		one, two := twoDemoServers(t, db)
		visitor := newBrowser(t, two)
		if _, page := visitor.get("/guide/renew?authority=310104"); regexp.MustCompile(`id="authority-phone"`).MatchString(page) {
			t.Fatal("a phone before any was set")
		}
		admin := newAdminOn(t, one)
		_, page := admin.get("/admin/organisations")
		mustContain(t, page, "徐汇区市场监督管理局（310104）", `href="/admin/authorities/310104"`, `id="institutions"`)

		resp, page := admin.post("/admin/authorities/310104", url.Values{"address": {"漕溪北路336号"}, "phone": {"请来电"}, "hours": {"周一至周五"}})
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("bad phone: %d", resp.StatusCode)
		}
		mustContain(t, page, `href="#phone"`, "咨询电话应为电话号码", `value="漕溪北路336号"`)
		if resp, _ := admin.post("/admin/authorities/319999", url.Values{"phone": {"12345"}}); resp.StatusCode != http.StatusNotFound {
			t.Fatalf("unknown authority: %d", resp.StatusCode)
		}
		resp, _ = admin.post("/admin/authorities/310104", url.Values{"address": {"徐汇区漕溪北路336号"}, "phone": {"021-64871234、12345"}, "hours": {"周一至周五 9:00-17:00"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("save: %d", resp.StatusCode)
		}
		_, page = visitor.get("/guide/renew?authority=310104")
		mustContain(t, page, "窗口地址：徐汇区漕溪北路336号", "咨询电话：021-64871234、12345", "办公时间：周一至周五 9:00-17:00")

		_, page = admin.get("/admin/organisations")
		id := regexp.MustCompile(`href="/admin/institutions/(\d+)"`).FindStringSubmatch(page)
		if id == nil {
			t.Fatal("no institution to edit")
		}
		resp, page = admin.post("/admin/institutions/"+id[1], url.Values{"name": {""}, "items": {"N1", "X9"}, "contact": {"021-1"}})
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("bad institution: %d", resp.StatusCode)
		}
		mustContain(t, page, "请填写考试机构名称", "“X9”不是现行（2019年目录）作业项目代号", `value="N1" checked`)
		resp, page = admin.post("/admin/institutions", url.Values{"name": {"上海市特种设备考试中心（新）"}, "contact": {"021-12345678"}})
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("no items: %d", resp.StatusCode)
		}
		mustContain(t, page, "请至少选择一个考试项目")
		resp, _ = admin.post("/admin/institutions", url.Values{"name": {"浦东特种设备培训考试站"}, "items": {"N1", "N2"}, "contact": {"021-58881234 浦东新区张杨路1号"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("new institution: %d", resp.StatusCode)
		}
		resp, page = admin.post("/admin/institutions", url.Values{"name": {"浦东特种设备培训考试站"}, "items": {"N1"}})
		if resp.StatusCode != http.StatusConflict {
			t.Fatalf("same name twice: %d", resp.StatusCode)
		}
		mustContain(t, page, "已有名为“浦东特种设备培训考试站”的考试机构")
		_, page = newAdminOn(t, two).get("/admin/organisations")
		mustContain(t, page, "浦东特种设备培训考试站", "N1、N2", "021-58881234 浦东新区张杨路1号", "021-64871234、12345")

		officer := newBrowser(t, two)
		login(t, officer, "officer-310104")
		if resp, _ := officer.post("/admin/authorities/310104", url.Values{"phone": {"12345"}}); resp.StatusCode != http.StatusForbidden {
			t.Fatalf("an officer editing: %d", resp.StatusCode)
		}
		if resp, _ := officer.get("/admin/organisations"); resp.StatusCode != http.StatusForbidden {
			t.Fatalf("an officer on the list: %d", resp.StatusCode)
		}
	})
}
