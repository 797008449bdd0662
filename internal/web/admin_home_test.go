package web_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
)

// The header carries one 系统管理 link; its page lists every admin page,
// each of which opens for an admin and for no one else.
func TestAdminHomeListsEveryAdminPage(t *testing.T) {
	srv, _ := newDemoServer(t, true)
	admin, officer := newBrowser(t, srv), newBrowser(t, srv)
	login(t, admin, "admin")
	login(t, officer, "officer-310104")
	_, home := admin.get("/")
	mustContain(t, home, `<a href="/admin">系统管理</a>`)
	_, page := admin.get("/admin")
	links := regexp.MustCompile(`<li><a href="(/[^"]+)">`).FindAllStringSubmatch(page, -1)
	if len(links) < 9 {
		t.Fatalf("admin pages listed: %v", links)
	}
	for _, l := range links {
		if resp, _ := admin.get(l[1]); resp.StatusCode != http.StatusOK {
			t.Errorf("admin on %s: %d", l[1], resp.StatusCode)
		}
		if !strings.HasPrefix(l[1], "/admin/") {
			continue
		}
		if resp, _ := officer.get(l[1]); resp.StatusCode != http.StatusForbidden {
			t.Errorf("officer on %s: %d", l[1], resp.StatusCode)
		}
	}
	if resp, _ := officer.get("/admin"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("officer on /admin: %d", resp.StatusCode)
	}
	if _, page := officer.get("/"); strings.Contains(page, `href="/admin"`) {
		t.Error("an officer is offered 系统管理")
	}
}
