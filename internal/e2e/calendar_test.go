package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"opcert/internal/testfixture"
)

// The calendar's Must show: on a demo running as if on 2026-12-15, with no
// 2027 notice, an officer accepts and the decision deadline is counted
// Monday to Friday and marked 暂定; an admin imports 2027 in the web admin
// and the officer's page shows the final date, with no restart.
func TestAcceptWithoutNextYearThenImportInTheWebAdmin(t *testing.T) {
	srv := StartServer(t, "--today", "2026-12-15")
	_, number := submitQ8Renewal(t, srv, fixtures(t))

	officer := NewBrowser(t)
	officer.Desktop()
	officer.Open(srv.URL + "/login")
	logIn(t, officer, "officer-310104")
	mustSee(t, officer, "受理工作台", number, "工作日历尚未导入 2027年 的法定节假日安排")
	wantStatus(t, "办理", officer.ClickLink("办理"), 200)
	wantStatus(t, "受理", officer.clickID("do-accept"), 200)
	mustSee(t, officer, "已受理", "法定期限 2027年01月12日（暂定，待国务院办公厅公布2027年节假日安排后确认）（剩余 20 个工作日）")
	caseURL := officer.Location()
	officer.Screenshot("accepted-provisional")

	file := filepath.Join(t.TempDir(), "2027.json")
	os.WriteFile(file, testfixture.Fictional2027, 0o600)
	admin := NewBrowser(t)
	admin.Desktop()
	admin.Open(srv.URL + "/login")
	logIn(t, admin, "admin")
	wantStatus(t, "导入节假日安排", admin.clickID("calendar-banner-link"), 200)
	mustSee(t, admin, "工作日历（法定节假日安排）", "目前有 1 件办理中的申请，其期限为暂定")
	admin.upload("file", file)
	wantStatus(t, "预览", admin.clickID("preview-file"), 200)
	mustSee(t, admin, "确认导入 2027 年法定节假日安排", number, "法定期限由 2027年01月12日（暂定） 确定为 2027年01月13日")
	admin.Screenshot("calendar-preview")
	wantStatus(t, "确认导入", admin.clickID("confirm-import"), 200)
	mustSee(t, admin, "已导入 2027 年法定节假日安排，所有服务实例立即生效", "日期变化 1 件")

	officer.Open(caseURL)
	mustSee(t, officer, "法定期限 2027年01月13日（剩余 20 个工作日）", "重新计算期限")
	if got := officer.PageText(); contains(got, "暂定，待国务院办公厅") || contains(got, "工作日历尚未导入") {
		t.Fatalf("still provisional after the import:\n%s", got)
	}
	officer.Screenshot("accepted-final")
	wantNoConsoleErrors(t, officer)
	wantNoConsoleErrors(t, admin)
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }
