package web_test

import (
	"context"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"opcert/internal/catalog"
	"opcert/internal/civil"
	"opcert/internal/demo"
	"opcert/internal/store"
	"opcert/internal/store/storetest"
	"opcert/internal/testfixture"
	"opcert/internal/web"
)

// clock is a day the test moves.
type clock struct {
	mu  sync.Mutex
	day civil.Date
}

func (c *clock) today() civil.Date { c.mu.Lock(); defer c.mu.Unlock(); return c.day }
func (c *clock) set(s string)      { c.mu.Lock(); defer c.mu.Unlock(); c.day = civil.MustParse(s) }

// newDemoServerOn is the demo on a day the test sets.
func newDemoServerOn(t *testing.T, c *clock) (*httptest.Server, *store.DB) {
	t.Helper()
	db := storetest.Open(t, store.SQLite)
	cat := catalog.Default()
	if _, _, err := demo.Load(context.Background(), db, cat, c.today()); err != nil {
		t.Fatal(err)
	}
	s, err := web.New(web.Options{Store: db, Catalog: cat, Logger: scannedLogger(t), Today: c.today, Demo: true, Files: testFiles(t)})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return srv, db
}

const note2027 = "（暂定，待国务院办公厅公布2027年节假日安排后确认）"

// text is a page with its tags removed and entities decoded, for reading
// sentences that the markup splits.
func text(page string) string {
	return html.UnescapeString(regexp.MustCompile(`<[^>]+>`).ReplaceAllString(page, ""))
}

// An officer accepts on 2026-12-15 with no 2027 notice: the decision
// deadline is counted Monday to Friday and shown 暂定 everywhere; the admin
// imports 2027 in the web admin and the date is final, in the history, and
// told to the applicant, with no restart (DESIGN.md, legal deadlines).
func TestAcceptAcrossTheYearThenImport(t *testing.T) {
	c := &clock{}
	c.set("2026-12-15")
	srv, db := newDemoServerOn(t, c)
	applicant := newBrowser(t, srv)
	app, id := submitQ8(t, applicant)
	officer := newBrowser(t, srv)
	login(t, officer, "officer-310104")
	_, queue := officer.get("/officer")
	mustContain(t, queue, `id="calendar-banner"`, "工作日历尚未导入 <strong>2027年</strong>", "请联系系统管理员导入")
	if resp, _ := officerAct(t, officer, id, url.Values{"action": {"accept"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("受理 on 2026-12-15: %d", resp.StatusCode)
	}
	path := "/officer/applications/" + strconv.FormatInt(id, 10)
	_, detail := officer.get(path)
	mustContain(t, text(detail), "法定期限 2027年01月12日"+note2027+"（剩余 20 个工作日）")
	_, queue = officer.get("/officer")
	mustContain(t, queue, "2027年01月12日", note2027)
	_, view := applicant.get(app)
	mustContain(t, text(view), "受理机关应在 2027年01月12日"+note2027+" 前作出是否准予许可的决定")
	if strings.Contains(view, "calendar-banner") {
		t.Error("the applicant sees the admins' banner")
	}
	if resp, body := applicant.get(app + "/notices/acceptance.pdf"); resp.StatusCode != 200 || !strings.HasPrefix(body, "%PDF-") {
		t.Fatalf("受理通知书: %d", resp.StatusCode)
	}

	admin := newBrowser(t, srv)
	login(t, admin, "admin")
	_, page := admin.get("/admin/calendar")
	mustContain(t, page, "工作日历（法定节假日安排）", `id="year-2026"`, "国办发明电〔2025〕7号", "目前有 1 件办理中的申请，其期限为暂定", `href="/admin"`)
	resp, preview := admin.postMultipart("/admin/calendar/preview", url.Values{}, "file", "2027.json", testfixture.Fictional2027)
	if resp.StatusCode != 200 {
		t.Fatalf("preview: %d\n%s", resp.StatusCode, text(preview))
	}
	mustContain(t, text(preview), "确认导入 2027 年法定节假日安排", "放假10 天", "2027年02月20日（星期六） 春节",
		"法定期限由 2027年01月12日（暂定） 确定为 2027年01月13日（将短信通知申请人）")
	if _, again := officer.get(path); !strings.Contains(again, note2027) {
		t.Fatal("the preview changed the deadline")
	}
	data := regexp.MustCompile(`name="data" value="([^"]*)"`).FindStringSubmatch(preview)
	if data == nil {
		t.Fatal("no data to confirm")
	}
	resp, _ = admin.post("/admin/calendar/import", url.Values{"data": {html.UnescapeString(data[1])}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("import: %d", resp.StatusCode)
	}
	_, done := admin.get(resp.Header.Get("Location"))
	mustContain(t, done, "已导入 2027 年法定节假日安排，所有服务实例立即生效。重新计算暂定期限 1 件，其中日期变化 1 件", `id="year-2027"`, "测试用虚构安排")
	if strings.Contains(done, "calendar-banner") {
		t.Error("banner after the import")
	}

	_, detail = officer.get(path)
	mustContain(t, text(detail), "法定期限 2027年01月13日（剩余 20 个工作日）", "重新计算期限", "确定为 2027年01月13日")
	if strings.Contains(detail, "暂定，待") {
		t.Error("still provisional after the import")
	}
	msgs, _ := db.RecentOutbox(context.Background(), "13800000001", 1)
	if len(msgs) == 0 || msgs[0].Topic != "deadline_changed" || !strings.Contains(msgs[0].Body, "许可决定期限调整为2027年01月13日") {
		t.Fatalf("SMS = %+v", msgs)
	}
}

// The queue counts days left and overdue days across 1 January without the
// new year's notice: the 已超期 mark stays and the days filter works.
func TestQueueAcrossTheYearBoundary(t *testing.T) {
	t.Run("overdue", func(t *testing.T) {
		c := &clock{}
		c.set("2026-12-22")
		srv, _ := newDemoServerOn(t, c)
		submitQ8(t, newBrowser(t, srv)) // 受理 due 2026-12-29
		c.set("2027-01-05")
		o := newBrowser(t, srv)
		login(t, o, "officer-310104")
		// (12-29, 01-05]: 12-30, 12-31, 01-01, 01-04, 01-05, 2027 counted
		// Monday to Friday.
		_, body := o.get("/officer?overdue=1")
		mustContain(t, body, "张伟", "已超期 5 个工作日")
	})
	t.Run("days left", func(t *testing.T) {
		c := &clock{}
		c.set("2026-12-31")
		srv, _ := newDemoServerOn(t, c)
		submitQ8(t, newBrowser(t, srv)) // 受理 due 2027-01-07: 01-01, 01-04…01-07
		c.set("2027-01-05")
		o := newBrowser(t, srv)
		login(t, o, "officer-310104")
		_, body := o.get("/officer?days=2")
		mustContain(t, body, "张伟", "2027年01月07日", note2027, "剩余 2 个工作日")
		if _, body := o.get("/officer?days=1"); strings.Contains(body, "张伟") {
			t.Error("days=1 lists an application with 2 working days left")
		}
	})
}

// Admins alone import; a disguised or oversized file and a wrong form are
// refused at their field with the typed values kept.
func TestCalendarImportRefusals(t *testing.T) {
	srv, _ := newDemoServer(t, true)
	officer := newBrowser(t, srv)
	login(t, officer, "officer-310104")
	if resp, _ := officer.get("/admin/calendar"); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("officer: %d", resp.StatusCode)
	}
	if resp, _ := officer.postMultipart("/admin/calendar/preview", url.Values{}, "file", "2027.json", testfixture.Fictional2027); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("officer preview: %d", resp.StatusCode)
	}
	if resp, _ := officer.post("/admin/calendar/import", url.Values{"data": {string(testfixture.Fictional2027)}}); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("officer import: %d", resp.StatusCode)
	}
	admin := newBrowser(t, srv)
	login(t, admin, "admin")
	for name, tc := range map[string]struct {
		file []byte
		want string
	}{
		"a picture named .json":  {testfixture.Photo(), "无法解析 JSON"},
		"dates outside the year": {[]byte(`{"year":2027,"source":"x","holidays":[{"date":"2026-01-01","name":"元旦"}],"workdays":[]}`), "不在 2027 年内"},
		"a misspelt key":         {[]byte(`{"year":2027,"source":"x","holidays":[],"workday":[]}`), "unknown field"},
		"too big":                {[]byte(strings.Repeat(" ", 300<<10)), "文件太大"},
	} {
		resp, body := admin.postMultipart("/admin/calendar/preview", url.Values{}, "file", "2027.json", tc.file)
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="file-error"`) || !strings.Contains(html.UnescapeString(body), tc.want) {
			t.Errorf("%s: %d, want 422 with %q at the file field", name, resp.StatusCode, tc.want)
		}
	}
	resp, body := admin.postMultipart("/admin/calendar/preview", url.Values{"year": {"2027"}, "source": {""},
		"holidays": {"2027-01-01 元旦\n2027-02-30 春节"}, "workdays": {"2027-01-04 元旦"}}, "", "", nil)
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("typed form: %d", resp.StatusCode)
	}
	mustContain(t, html.UnescapeString(body), `id="source-error"`, `id="holidays-error"`, "第 2 行的日期 2027-02-30 不存在",
		`href="#holidays"`, "2027-01-01 元旦\n2027-02-30 春节", `value="2027"`)
	// Tampered confirmation data is checked again.
	resp, body = admin.post("/admin/calendar/import", url.Values{"data": {`{"year":2027}`}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "缺少法定节假日") {
		t.Fatalf("tampered import: %d", resp.StatusCode)
	}
	// The typed form, right, previews.
	resp, body = admin.postMultipart("/admin/calendar/preview", url.Values{"year": {"2027"}, "source": {"测试"},
		"holidays": {"2027-01-01 元旦\n2027-05-01 至 2027-05-02 劳动节\n2027-10-01 至 2027-10-03 国庆节"}}, "", "", nil)
	if resp.StatusCode != 200 || !strings.Contains(body, "确认导入 2027 年") || !strings.Contains(body, "目前没有暂定期限的申请") {
		t.Fatalf("good typed form: %d", resp.StatusCode)
	}
}

// The confirmation page states the 受理 deadline that runs: after a 补正, the
// one counted from the resubmission (行政许可法 第三十二条第一款第（五）项), the
// same the officers' queue has.
func TestConfirmationStatesTheStoredDeadline(t *testing.T) {
	c := &clock{}
	c.set("2026-11-02")
	srv, db := newDemoServerOn(t, c)
	b := newBrowser(t, srv)
	app, id := submitQ8(t, b) // 受理 due 2026-11-09
	o := newBrowser(t, srv)
	login(t, o, "officer-310104")
	officerAct(t, o, id, url.Values{"action": {"request_correction"}, "ask-material:id_card": {"1"}, "reason-material:id_card": {"不清晰"}})
	c.set("2026-11-12")
	uploadMaterial(t, b, app, "id_card", "身份证.pdf", minimalPDF)
	_, review := b.get(app + "/edit/review")
	if resp, body := b.post(app+"/submit", url.Values{"version": {version(t, review)}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("resubmit: %d %s", resp.StatusCode, errorsOf(body))
	}
	_, page := b.get(app + "/submitted")
	// 11-13, 11-16…11-19: five working days from the resubmission.
	mustContain(t, page, "2026年11月19日")
	a, _ := appByID(db, id)
	if a.Due.Date.String() != "2026-11-19" {
		t.Fatalf("stored deadline %s", a.Due.Date)
	}
}
