package e2e

import (
	"strings"
	"testing"
	"time"
)

// rerunSessionScript makes the page's session end at endsInMs from now and
// runs the timeout script again, as if that much time had passed.
func rerunSessionScript(b *Browser, endsInMs int) {
	Evaluate[bool](b, `(() => {
		document.getElementById("session-warning").setAttribute("data-ends", String(Date.now() + `+itoa(endsInMs)+`));
		const s = document.createElement("script"); s.src = "/static/session.js"; document.body.appendChild(s); return true; })()`)
}

func itoa(n int) string {
	if n < 0 {
		return "-" + itoa(-n)
	}
	s := ""
	for {
		s = string(rune('0'+n%10)) + s
		n /= 10
		if n == 0 {
			return s
		}
	}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(8 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(150 * time.Millisecond)
	}
}

// Issue 3: a warning before the session times out, which keeps unsaved
// form input: 继续办理 extends the session in place; once it has ended,
// what was typed is kept in the tab and put back after logging in again.
func TestSessionTimeoutWarningKeepsInput(t *testing.T) {
	srv := StartServer(t)
	b := NewBrowser(t)
	b.Desktop()
	openApply(t, b, srv, "310104", "renew", "13800000001")
	b.tick(`input[name="item"][value="0"]`)
	b.clickID("confirm")
	b.Choose("未发生过")
	b.Choose("未超过1年")
	b.clickID("next")
	b.Fill("毕业院校", "上海市第一中学")

	visible := func() bool { return Evaluate[bool](b, `!document.getElementById("session-warning").hidden`) }
	rerunSessionScript(b, 2000) // within WarnBefore: the warning shows at once
	waitFor(t, "the warning", visible)
	mustSee(t, b, "登录即将失效", "继续办理")
	b.Screenshot("session-warning")
	b.tick("#session-extend")
	waitFor(t, "the warning to close", func() bool { return !visible() })
	if got := b.FieldValue("毕业院校"); got != "上海市第一中学" {
		t.Fatalf("typed value after 继续办理 = %q", got)
	}

	// The session ends: the page says so and keeps what was typed.
	here := b.Location()
	rerunSessionScript(b, -1000)
	waitFor(t, "the expired notice", func() bool { return strings.Contains(b.PageText(), "登录已失效") })
	b.Open(srv.URL + "/") // leave the page, as a person who logs in again would
	b.Open(here)
	if got := b.FieldValue("毕业院校"); got != "上海市第一中学" {
		t.Fatalf("typed value after coming back = %q", got)
	}
}
