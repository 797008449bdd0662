package e2e

import (
	"strings"
	"testing"
)

// The exam of a general item after 受理 (seed 000 2.1 注1): 张伟 applies for
// 新办 P 气瓶充装 at 徐汇区; the officer accepts it for the exam (受理（待考试）);
// the city's exam institution sets a theory and a practical session and
// seats him automatically; he finds 考试安排 on his application and prints
// the 准考证; after the exam the staff enter his passing scores, and the
// application is back with the officer for the decision.
func TestNewPExamToDecision(t *testing.T) {
	r, officer, number, appURL := pAcceptedForExam(t)
	b := r.b
	mustSee(t, officer, "待考试")

	staff := NewBrowser(t)
	staff.Desktop()
	staff.Open(r.srv.URL + "/login")
	logIn(t, staff, "exam")
	mustSee(t, staff, "考试工作台", "上海市特种设备作业人员考试中心", number, "张伟", "待安排")
	today := r.today.String()
	for _, s := range []struct{ subject, start, end string }{{"理论知识考试", "09:00", "11:00"}, {"实际操作技能考试", "13:00", "15:00"}} {
		staff.Choose("气瓶充装（P）")
		staff.Choose(s.subject)
		staff.setValue("#date", today)
		staff.setValue("#start", s.start)
		staff.setValue("#end", s.end)
		staff.Fill("考场地址", "上海市普陀区真北路1号 第一考场")
		staff.Fill("容量（人）", "30")
		wantStatus(t, "新增场次", staff.clickID("add-session"), 200)
		if got := staff.Texts(".error-summary li"); len(got) > 0 {
			t.Fatalf("新增场次 %s: %q", s.subject, got)
		}
	}
	wantStatus(t, "自动安排", staff.clickID("auto-assign"), 200)
	mustSee(t, staff, "自动安排完成：安排座位 2 个，列入候补 0 个。", "已安排", "座位号 1")
	staff.Screenshot("exam-desk")

	// The applicant's 考试安排, and the 准考证 to print.
	b.Open(r.srv.URL + "/applications")
	wantStatus(t, "查看", b.clickAndWait(`//table[@id="applications"]//tr[td[2]=`+xpathString(number)+`]//a[normalize-space(.)="查看"]`, "查看 "+number), 200)
	r.text("申请状态", "#status", "待考试")
	rows := b.TableRows("#exam-places")
	if len(rows) != 2 || rows[0][0] != "理论知识考试" || rows[0][1] != r.today.Chinese()+" 09:00–11:00" || rows[0][3] != "1" || rows[1][0] != "实际操作技能考试" {
		t.Fatalf("考试安排 %q", rows)
	}
	href := Evaluate[string](b, `document.querySelector("#print-ticket").getAttribute("href")`)
	if got := fetchPDF(t, b, href); got != "200 application/pdf %PDF-" {
		t.Fatalf("准考证 %s: %s", href, got)
	}
	b.Screenshot("exam-arrangement")

	// After the exam: the scores, and the decision is the officer's again.
	staff.Open(r.srv.URL + "/exam")
	wantStatus(t, "办理", staff.clickAndWait(`//table[@id="candidate-list"]//tr[td[1]=`+xpathString(number)+`]//a[normalize-space(.)="办理"]`, "办理 "+number), 200)
	staff.Screenshot("exam-candidate")
	staff.Fill("理论知识考试成绩", "88")
	staff.Fill("实际操作技能考试成绩", "76")
	wantStatus(t, "录入成绩", staff.clickID("record-scores"), 200)
	mustSee(t, staff, "考试合格")
	if got := staff.Texts(".error-summary li"); len(got) > 0 {
		t.Fatalf("录入成绩: %q", got)
	}

	officer.Open(appURL)
	mustSee(t, officer, "已受理", "剩余 20 个工作日", "安排考试", "理论 88 分，实操 76 分，考试合格")
	if !strings.Contains(officer.PageText(), "准予许可") {
		t.Fatal("the officer is not offered the decision")
	}
	if n := len(officer.Texts("#do-approve")); n != 1 {
		t.Fatalf("准予许可 buttons: %d", n)
	}
	officer.Screenshot("exam-decision-step")
	wantNoConsoleErrors(t, b)
	wantNoConsoleErrors(t, staff)
}

// pAcceptedForExam is 张伟's 新办 of 气瓶充装（P） submitted through the
// portal and accepted for its exam (受理（待考试）) by the 徐汇 officer, who
// stays on the case page.
func pAcceptedForExam(t *testing.T) (r *applyRun, officer *Browser, number, appURL string) {
	t.Helper()
	r = newApplyRun(t)
	b := r.b
	r.enter("徐汇区市场监督管理局", "新办", "13800000001")
	b.Choose("气瓶充装（P）")
	r.status("确定", b.ClickButton("确定"), 200)
	r.commitment("新办")
	r.basic(basicInfo{name: "张伟", employer: "上海徐汇起重设备安装有限公司", address: "上海市徐汇区漕溪北路88号",
		mobile: "13800000001", routing: "徐汇区市场监督管理局" + byEmployer, items: [][]string{{"1", "P", "气瓶充装"}}})
	r.upload("id_card", r.pdf("身份证"))
	r.upload("education", r.pdf("学历证明"))
	for _, name := range r.materialNames() {
		if name == "* 体检报告" {
			r.upload("health", r.pdf("体检报告"))
		}
	}
	r.review([]string{"P 气瓶充装"}, "徐汇区市场监督管理局")
	number = r.submit("徐汇区市场监督管理局")

	officer = NewBrowser(t)
	officer.Desktop()
	officer.Open(r.srv.URL + "/login")
	logIn(t, officer, "officer-310104")
	wantStatus(t, "办理", officer.clickAndWait(`//table[@id="queue"]//tr[td[1]=`+xpathString(number)+`]//a[normalize-space(.)="办理"]`, "办理 "+number), 200)
	appURL = officer.Location()
	wantStatus(t, "受理（待考试）", officer.clickID("do-accept_for_exam"), 200)
	return r, officer, number, appURL
}
