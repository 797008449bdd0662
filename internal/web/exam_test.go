package web_test

import (
	"context"
	"net/http"
	"net/url"
	"opcert/internal/casework"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// acceptedForExam is 张伟's 新办 of item at 徐汇区, accepted by the officer
// for its exam (受理（待考试）); it returns the application's id.
func acceptedForExam(t *testing.T, b, officer *browser, item string) int64 {
	t.Helper()
	resp, body := b.post("/apply", url.Values{"authority": {"310104"}, "matter": {"new"}, "item": {item}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("新办 %s: %d %s", item, resp.StatusCode, errorsOf(body))
	}
	app := strings.TrimSuffix(resp.Header.Get("Location"), "/edit/commitment")
	step(t, b, app, "commitment", url.Values{"action": {"next"}, "incident": {"no"}, "work_interrupted": {"no"}}, "", "", nil)
	fillBasic(t, b, app)
	for _, key := range []string{"id_card", "education", "health"} {
		uploadMaterial(t, b, app, key, key+".pdf", minimalPDF)
	}
	_, review := b.get(app + "/edit/review")
	if resp, body := b.post(app+"/submit", url.Values{"version": {version(t, review)}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("submit: %d %s", resp.StatusCode, errorsOf(body))
	}
	id, _ := strconv.ParseInt(strings.TrimPrefix(app, "/applications/"), 10, 64)
	if resp, body := officerAct(t, officer, id, url.Values{"action": {"accept_for_exam"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("受理（待考试）: %d %s", resp.StatusCode, errorsOf(body))
	}
	return id
}

var sessionLinkRE = regexp.MustCompile(`/exam/sessions/(\d+)`)

// The exam staff of the city's institution set sessions (mistakes told at
// their fields, nothing typed lost), seat the candidate automatically and
// by hand, and enter the scores after the exam; the applicant prints the
// 准考证 and the application goes on to the officer's decision.
func TestExamStaffArrangeAndScore(t *testing.T) {
	c := &clock{}
	c.set("2026-11-23")
	srv, db := newDemoServerOn(t, c)
	applicant, officer, staff := newBrowser(t, srv), newBrowser(t, srv), newBrowser(t, srv)
	login(t, applicant, "13800000001")
	login(t, officer, "officer-310104")
	id := acceptedForExam(t, applicant, officer, "P")
	candidate := "/exam/candidates/" + strconv.FormatInt(id, 10)

	resp, _ := staff.post("/login/password", url.Values{"login": {"exam"}, "password": {"Demo@2026"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/exam" {
		t.Fatalf("exam staff land on %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	_, desk := staff.get("/exam")
	mustContain(t, desk, "上海市特种设备作业人员考试中心", "张伟", "待安排", `value="P"`)
	if strings.Contains(desk, `value="R3"`) {
		t.Error("R3 offered for a session (seed 000 2.1 注2)")
	}

	// A session with mistakes: each told at its field, what was typed kept.
	resp, page := staff.post("/exam/sessions", url.Values{"items": {"P"}, "subject": {"theory"}, "date": {"2026-12-01"}, "start": {"09:00"}, "end": {"08:00"},
		"venue": {""}, "capacity": {"0"}})
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("wrong session: %d", resp.StatusCode)
	}
	mustContain(t, page, "结束时间应晚于开始时间", "请填写考场地址", "容量应为 1 到 500 之间的整数", `href="#venue"`,
		`value="2026-12-01"`, `value="P" checked`, `value="theory" checked`)
	add := func(subject, date, start, end, capacity string) {
		t.Helper()
		resp, page := staff.post("/exam/sessions", url.Values{"items": {"P"}, "subject": {subject}, "date": {date}, "start": {start}, "end": {end},
			"venue": {"上海市普陀区真北路1号 第一考场"}, "capacity": {capacity}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("session %s %s: %d %s", subject, date, resp.StatusCode, errorsOf(page))
		}
	}
	add("theory", "2026-12-01", "09:00", "11:00", "30")
	add("practical", "2026-12-01", "13:00", "15:00", "30")

	resp, _ = staff.post("/exam/assign", nil)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("auto: %d", resp.StatusCode)
	}
	_, desk = staff.get(resp.Header.Get("Location"))
	mustContain(t, desk, "自动安排完成：安排座位 2 个，列入候补 0 个。", "已安排", "座位号 1")
	if msgs, _ := db.RecentOutbox(context.Background(), "13800000001", 1); msgs[0].Topic != "exam_scheduled" || !strings.Contains(msgs[0].Body, "打印准考证") {
		t.Fatalf("SMS %+v", msgs)
	}

	// The applicant's 考试安排 and 准考证.
	app := "/applications/" + strconv.FormatInt(id, 10)
	_, view := applicant.get(app)
	mustContain(t, view, "考试安排", "理论知识考试", "2026年12月01日 09:00–11:00", "上海市普陀区真北路1号 第一考场", "打印准考证", "安排考试")
	resp, pdf := applicant.get(app + "/notices/admission.pdf")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(pdf, "%PDF") {
		t.Fatalf("准考证: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}

	// The 准考证's QR code: signed, and its seats checked against today's.
	ticketCheck := func() string {
		t.Helper()
		n, err := db.NoticeOf(context.Background(), id, casework.NoticeAdmission)
		if err != nil || casework.CheckPathOf(n) == "" {
			t.Fatalf("the 准考证's check path: %v", err)
		}
		return casework.CheckPathOf(n)
	}
	firstTicket := ticketCheck()
	visitor := newBrowser(t, srv)
	_, check := visitor.get(firstTicket)
	mustContain(t, check, "准考证核验", "二维码签名有效", "ZK", "张*", "上海市特种设备作业人员考试中心", "理论知识考试", "2026年12月01日 09:00–11:00", ">有效<")
	if strings.Contains(check, "张伟") || strings.Contains(check, "已调整") {
		t.Fatal("the ticket check shows the full name, or a seat moved")
	}

	// By hand: a later theory session; the move is in the history.
	add("theory", "2026-12-02", "09:00", "11:00", "30")
	m := sessionLinkRE.FindAllStringSubmatch(desk, -1)
	_, desk = staff.get("/exam")
	all := sessionLinkRE.FindAllStringSubmatch(desk, -1)
	if len(m) != 2 || len(all) != 3 {
		t.Fatalf("session links %v %v", m, all)
	}
	if resp, page := staff.post(candidate+"/move", url.Values{"subject": {"theory"}, "session": {""}}); resp.StatusCode != http.StatusUnprocessableEntity ||
		!strings.Contains(page, "请选择考试场次") || !strings.Contains(page, `href="#session-theory"`) {
		t.Fatalf("move without a session: %d %s", resp.StatusCode, errorsOf(page))
	}
	if resp, page := staff.post(candidate+"/move", url.Values{"subject": {"theory"}, "session": {all[2][1]}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("move: %d %s", resp.StatusCode, errorsOf(page))
	}
	_, history := officer.get("/officer/applications/" + strconv.FormatInt(id, 10))
	mustContain(t, history, "调整考试安排", "理论知识考试由 2026年12月01日 09:00–11:00 上海市普陀区真北路1号 第一考场 调至 2026年12月02日 09:00–11:00")
	if resp, pdf := staff.get(candidate + "/notices/admission.pdf"); resp.StatusCode != 200 || !strings.HasPrefix(pdf, "%PDF") {
		t.Errorf("staff's 准考证: %d", resp.StatusCode)
	}
	if resp, _ := staff.get(candidate + "/notices/acceptance.pdf"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("staff open the 受理通知书: %d", resp.StatusCode)
	}
	// The ticket printed before the move says so; the new one holds.
	_, check = visitor.get(firstTicket)
	mustContain(t, check, "二维码签名有效", "已调整（请以考生最新打印的准考证为准）")
	secondTicket := ticketCheck()
	if _, check = visitor.get(secondTicket); secondTicket == firstTicket || strings.Count(check, ">有效<") != 2 || strings.Contains(check, "已调整") {
		t.Fatalf("the new ticket's check: %s", check)
	}
	_, roster := staff.get("/exam/sessions/" + all[2][1])
	mustContain(t, roster, "张伟", "3101")

	// Scores after the exam only; wrong ones told at their field, kept.
	_, cpage := staff.get(candidate)
	resp, page = staff.post(candidate+"/scores", url.Values{"version": {version(t, cpage)}, "theory": {"88"}, "practical": {"75"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "考试后才能录入成绩") {
		t.Fatalf("scores before the exam: %d %s", resp.StatusCode, errorsOf(page))
	}
	c.set("2026-12-02")
	resp, page = staff.post(candidate+"/scores", url.Values{"version": {version(t, cpage)}, "theory": {"八十八"}, "practical": {"75"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "请填写理论知识考试成绩（0–100 的整数）") ||
		!strings.Contains(page, `href="#theory"`) || !strings.Contains(page, `value="75"`) || !strings.Contains(page, `value="八十八"`) {
		t.Fatalf("a score in words: %d %s", resp.StatusCode, errorsOf(page))
	}
	if resp, page := staff.post(candidate+"/scores", url.Values{"version": {version(t, cpage)}, "theory": {"88"}, "practical": {"75"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("scores: %d %s", resp.StatusCode, errorsOf(page))
	}
	_, cpage = staff.get(candidate)
	mustContain(t, cpage, "考试合格", "上海市特种设备作业人员考试中心")
	_, decision := officer.get("/officer/applications/" + strconv.FormatInt(id, 10))
	mustContain(t, decision, "已受理", `id="do-approve"`, "理论 88 分，实操 75 分，考试合格")
	// After the exam the ticket admits no one.
	_, check = visitor.get(secondTicket)
	mustContain(t, check, "已失效（本次考试已结束或申请已办结）")

	// Each account its own pages.
	if resp, _ := staff.get("/officer"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("exam staff on /officer: %d", resp.StatusCode)
	}
	if resp, _ := officer.get("/exam"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("officer on /exam: %d", resp.StatusCode)
	}
	if resp, _ := applicant.get("/exam"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("applicant on /exam: %d", resp.StatusCode)
	}
}
