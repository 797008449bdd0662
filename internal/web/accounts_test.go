package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

var oneTimeRE = regexp.MustCompile(`id="one-time-password" class="code">([^<]+)<`)

// An admin creates an officer of 徐汇区 on the web; the officer logs in with
// the one-time password and can do nothing before choosing their own; the
// admin disables the account and its open session ends at once.
func TestAdminAccounts(t *testing.T) {
	srv, _ := newDemoServer(t, false)
	admin := newBrowser(t, srv)
	login(t, admin, "admin")
	_, page := admin.get("/admin/accounts")
	mustContain(t, page, "账号管理", `id="accounts"`, "officer-310104", "徐汇区市场监督管理局", `href="/admin"`)

	// Mistakes come back at their fields with what was typed kept.
	resp, page := admin.post("/admin/accounts", url.Values{"login": {"officer-310104"}, "name": {"王芳"}, "role": {"officer"}, "authority": {"310104"}})
	if resp.StatusCode != http.StatusConflict {
		t.Fatalf("duplicate login: %d", resp.StatusCode)
	}
	mustContain(t, page, `href="#login"`, "登录名“officer-310104”已被使用", `value="王芳"`, `<option value="310104" selected>`)
	resp, page = admin.post("/admin/accounts", url.Values{"login": {"xh-wang"}, "name": {"王芳"}, "role": {"officer"}, "authority": {"319999"}})
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("unknown authority: %d", resp.StatusCode)
	}
	mustContain(t, page, "受理机关“319999”不存在", `value="xh-wang"`)

	resp, page = admin.post("/admin/accounts", url.Values{"login": {"xh-wang"}, "name": {"王芳"}, "role": {"officer"}, "authority": {"310104"}})
	m := oneTimeRE.FindStringSubmatch(page)
	if resp.StatusCode != 200 || m == nil {
		t.Fatalf("create: %d\n%s", resp.StatusCode, text(page))
	}
	password := m[1]
	mustContain(t, page, "账号已创建", "xh-wang", "临时密码只显示这一次")

	officer := newBrowser(t, srv)
	resp, _ = officer.post("/login/password", url.Values{"login": {"xh-wang"}, "password": {password}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login with the one-time password: %d", resp.StatusCode)
	}
	resp, _ = officer.get(resp.Header.Get("Location"))
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/account/password?next=") {
		t.Fatalf("the workbench before the change: %d %s", resp.StatusCode, loc)
	}
	if resp, _ := officer.post("/officer/applications/1/act", url.Values{"action": {"accept"}}); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("an action before the change: %d", resp.StatusCode)
	}
	_, page = officer.get("/account/password?next=/officer")
	mustContain(t, page, "您的密码是管理员设置的临时密码", `name="next" value="/officer"`)
	resp, page = officer.post("/account/password", url.Values{"current": {password}, "new": {"Garden2026x"}, "new2": {"Garden2026"}, "next": {"/officer"}})
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("mismatched new passwords: %d", resp.StatusCode)
	}
	mustContain(t, page, "两次输入的新密码不一致", `href="#new2"`)
	resp, _ = officer.post("/account/password", url.Values{"current": {password}, "new": {"Garden2026x"}, "new2": {"Garden2026x"}, "next": {"/officer"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/officer" {
		t.Fatalf("change: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if resp, _ := officer.get("/officer"); resp.StatusCode != 200 {
		t.Fatalf("the workbench after the change: %d", resp.StatusCode)
	}
	// An officer is no admin.
	if resp, _ := officer.get("/admin/accounts"); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("an officer on the accounts page: %d", resp.StatusCode)
	}
	if resp, _ := officer.post("/admin/accounts", url.Values{"login": {"mine"}, "name": {"我"}, "role": {"admin"}}); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("an officer creating an admin: %d", resp.StatusCode)
	}

	_, page = admin.get("/admin/accounts?role=officer&authority=310104")
	row := regexp.MustCompile(`<tr id="account-(\d+)">\s*<td data-label="登录名"><a href="/admin/accounts/\d+">xh-wang</a></td>`).FindStringSubmatch(page)
	if row == nil {
		t.Fatalf("xh-wang not listed\n%s", text(page))
	}
	resp, _ = admin.post("/admin/accounts/"+row[1]+"/disable", url.Values{"role": {"officer"}, "authority": {"310104"}})
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || loc != "/admin/accounts?authority=310104&done=disabled&role=officer" {
		t.Fatalf("disable: %d %s", resp.StatusCode, loc)
	}
	if resp, _ := officer.get("/officer"); resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
		t.Fatalf("a disabled officer's session: %d", resp.StatusCode)
	}
	if resp, _ := officer.post("/login/password", url.Values{"login": {"xh-wang"}, "password": {"Garden2026x"}}); resp.StatusCode == http.StatusSeeOther {
		t.Fatal("a disabled account logged in")
	}
	resp, page = admin.post("/admin/accounts/"+row[1]+"/disable", nil)
	if resp.StatusCode != http.StatusConflict {
		t.Fatalf("disabling twice: %d", resp.StatusCode)
	}
	mustContain(t, page, "该账号已停用（可能已由其他管理员处理）")

	// The admin cannot disable themself.
	_, page = admin.get("/admin/accounts?role=admin")
	self := regexp.MustCompile(`<tr id="account-(\d+)">\s*<td data-label="登录名"><a href="/admin/accounts/\d+">admin</a></td>`).FindStringSubmatch(page)
	resp, page = admin.post("/admin/accounts/"+self[1]+"/disable", nil)
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("disabling oneself: %d", resp.StatusCode)
	}
	mustContain(t, page, "不能停用自己的账号")

	// A reset shows a new one-time password, and the old one no longer works.
	if resp, _ := admin.post("/admin/accounts/"+row[1]+"/enable", nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("enable: %d", resp.StatusCode)
	}
	resp, page = admin.post("/admin/accounts/"+row[1]+"/reset-password", nil)
	m = oneTimeRE.FindStringSubmatch(page)
	if resp.StatusCode != 200 || m == nil {
		t.Fatalf("reset: %d", resp.StatusCode)
	}
	mustContain(t, page, "密码已重置", "原有的登录已全部失效")
	if resp, _ := officer.post("/login/password", url.Values{"login": {"xh-wang"}, "password": {"Garden2026x"}}); resp.StatusCode == http.StatusSeeOther {
		t.Fatal("the password from before the reset still works")
	}
	if resp, _ := officer.post("/login/password", url.Values{"login": {"xh-wang"}, "password": {m[1]}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("the new one-time password: %d", resp.StatusCode)
	}

	// Who did what, on the account's page.
	_, page = admin.get("/admin/accounts/" + row[1])
	mustContain(t, text(page), "账号 xh-wang", "徐汇区市场监督管理局", "待修改临时密码", "创建账号", "停用", "启用", "重置密码", "本人修改密码", "系统管理员（admin）", "王芳（xh-wang）")
	if resp, _ := admin.get("/admin/accounts/987654"); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("an unknown account: %d", resp.StatusCode)
	}
	other := newBrowser(t, srv)
	login(t, other, "officer-310104")
	if resp, _ := other.get("/admin/accounts/" + row[1]); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("an officer on an account's page: %d", resp.StatusCode)
	}
}
