package e2e

import (
	"strings"
	"testing"
	"time"
)

// 扫码登录 (seed 001 第二部分 4): the desktop shows a QR code; the phone,
// logged in, opens it and presses 确认登录; the desktop page notices by
// itself (scripts on) and enters.
func TestQRLoginDesktopEntersByItself(t *testing.T) {
	srv := StartServer(t)
	desktop := NewBrowser(t)
	desktop.Desktop()
	wantStatus(t, "qr page", desktop.Open(srv.URL+"/login/qr?next=/applications"), 200)
	mustSee(t, desktop, "扫码登录", "二维码3分钟内有效")
	confirm := desktop.Text("#qr-url")
	if !strings.Contains(confirm, "/login/qr/confirm?t=") {
		t.Fatalf("confirm link %q", confirm)
	}
	desktop.Screenshot("qr-desktop")

	phone := NewBrowser(t)
	phone.Phone()
	phone.Open(confirm)
	mustSee(t, phone, "登录") // not logged in on the phone: log in first, then back
	logIn(t, phone, "13800000003")
	mustSee(t, phone, "确认在电脑上登录", "王强")
	wantStatus(t, "确认登录", phone.clickID("qr-confirm"), 200)
	mustSee(t, phone, "已确认登录")

	deadline := time.Now().Add(15 * time.Second)
	for strings.Contains(desktop.Location(), "/login/qr") {
		if time.Now().After(deadline) {
			t.Fatalf("desktop still at %s after confirmation", desktop.Location())
		}
		time.Sleep(300 * time.Millisecond)
	}
	mustSee(t, desktop, "您好，王强", "办件查询")
}

// Without scripts the desktop uses the 刷新 button instead.
func TestQRLoginWithoutJavaScript(t *testing.T) {
	srv := StartServer(t)
	desktop := NewBrowser(t)
	desktop.Desktop()
	desktop.DisableJavaScript()
	desktop.Open(srv.URL + "/login/qr?next=/applications")
	confirm := desktop.Text("#qr-url")
	wantStatus(t, "刷新 before confirming", desktop.clickID("qr-refresh"), 200)
	mustSee(t, desktop, "尚未在手机上确认登录")

	phone := NewBrowser(t)
	phone.Phone()
	phone.Open(srv.URL + "/login?next=" + strings.TrimPrefix(confirm, srv.URL))
	logIn(t, phone, "13800000003")
	phone.clickID("qr-confirm")
	wantStatus(t, "刷新", desktop.clickID("qr-refresh"), 200)
	mustSee(t, desktop, "您好，王强")
}
