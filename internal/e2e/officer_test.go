package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// submitQ8Renewal is 张伟 applying for the 复审 of his Q8 at 徐汇区, in a
// desktop browser, up to 办件查询; it returns the browser and the 申请号.
func submitQ8Renewal(t *testing.T, srv *Server, f files) (*Browser, string) {
	t.Helper()
	applicant := NewBrowser(t)
	applicant.Desktop()
	openApply(t, applicant, srv, "310104", "renew", "13800000001")
	applicant.tick(`input[name="item"][value="0"]`)
	applicant.clickID("confirm")
	commitmentAndBasic(t, applicant, f, "上海徐汇起重设备安装有限公司")
	uploadMaterial(t, applicant, "id_card", f.pdf)
	return applicant, submitAndFind(t, applicant, srv, "复审", "徐汇区市场监督管理局")
}

// fetchPDF fetches a document with the browser's own cookies and says
// whether a PDF came back.
func fetchPDF(t *testing.T, b *Browser, path string) string {
	t.Helper()
	ctx, cancel := b.action()
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(async () => { const r = await fetch(`+jsString(path)+`, {credentials: "same-origin"});
		const b = new Uint8Array(await r.arrayBuffer());
		return r.status + " " + r.headers.get("content-type") + " " + String.fromCharCode(...b.slice(0, 5)); })()`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("fetch %s: %v", path, err)
	}
	return v
}

func jsString(s string) string { return "\"" + strings.ReplaceAll(s, "\"", "\\\"") + "\"" }

// Issue 4, Must show: an officer of 徐汇区 asks for 补正 on two materials;
// the applicant corrects only those and resubmits; the officer accepts and
// approves; the registry shows the renewed item valid 4 more years; the
// 准予许可决定书 and the certificate PDFs open, and their QR pages show the
// state.
func TestOfficerRoundTrip(t *testing.T) {
	srv := StartServer(t)
	f := fixtures(t)
	applicant, number := submitQ8Renewal(t, srv, f)
	appURL := applicant.Location()

	officer := NewBrowser(t)
	officer.Desktop()
	officer.Open(srv.URL + "/login")
	logIn(t, officer, "officer-310104")
	mustSee(t, officer, "受理工作台", number, "剩余 5 个工作日")
	wantStatus(t, "办理", officer.ClickLink("办理"), 200)
	mustSee(t, officer, "申请 "+number, "登记在册的证书", "流动式起重机司机")
	officer.tick(`input[id="ask-material:id_card"]`)
	officer.setValue(`input[name="reason-material:id_card"]`, "身份证照片不清晰，请重新上传")
	officer.tick(`input[id="ask-material:education"]`)
	officer.setValue(`input[name="reason-material:education"]`, "请上传学历证明")
	wantStatus(t, "补正", officer.clickID("do-correction"), 200)
	mustSee(t, officer, "补正")
	officer.Screenshot("officer-after-correction")

	// The applicant sees exactly what was asked, and only that can change.
	applicant.Open(srv.URL + "/applications")
	wantStatus(t, "材料补正", applicant.ClickLink("材料补正"), 200)
	mustSee(t, applicant, "材料补正", "身份证照片不清晰，请重新上传", "请上传学历证明")
	applicant.Open(strings.Replace(appURL, "/applications/", "/applications/", 1) + "/edit/materials")
	if strings.Contains(applicant.PageText(), "+ 添加其他材料") {
		t.Error("custom materials can be added during 补正")
	}
	uploadMaterial(t, applicant, "id_card", f.pdf)
	uploadMaterial(t, applicant, "education", f.pdf)
	applicant.Screenshot("applicant-correction")
	wantStatus(t, "下一步", applicant.clickID("next"), 200)
	wantStatus(t, "提交", applicant.clickID("submit"), 200)
	mustSee(t, applicant, "申请已提交")

	officer.Open(srv.URL + "/officer")
	officer.ClickLink("办理")
	wantStatus(t, "受理", officer.clickID("do-accept"), 200)
	mustSee(t, officer, "已受理", "剩余 20 个工作日")
	// 准予许可 asks for the 审批意见, then for a confirmation; 返回修改 keeps
	// what was typed; 确认 decides, and the 办理记录 shows who and the opinion.
	wantStatus(t, "准予许可 without 审批意见", officer.clickID("do-approve"), 422)
	wantText(t, "审批意见 error", officer.Text("#opinion-approve-error"), "请填写审批意见")
	officer.setValue("#opinion-approve", "材料齐全，复审合格，同意准予许可")
	wantStatus(t, "准予许可", officer.clickID("do-approve"), 200)
	mustSee(t, officer, "确认准予许可？", "张伟", "Q2(限流动式起重机)", "材料齐全，复审合格，同意准予许可")
	officer.Screenshot("officer-confirm-approval")
	wantStatus(t, "返回修改", officer.clickID("back"), 200)
	wantText(t, "审批意见 kept", Evaluate[string](officer, `document.querySelector("#opinion-approve").value`), "材料齐全，复审合格，同意准予许可")
	wantStatus(t, "准予许可", officer.clickID("do-approve"), 200)
	wantStatus(t, "确认", officer.clickID("confirm"), 200)
	mustSee(t, officer, "准予许可", "准予许可决定书", "特种设备安全管理和作业人员证")
	var approvedLine []string
	for _, r := range officer.TableRows("#history") {
		if len(r) > 2 && r[2] == "准予许可" {
			approvedLine = r
		}
	}
	if len(approvedLine) != 6 || approvedLine[1] != "徐汇区受理员（徐汇区市场监督管理局）" || approvedLine[5] != "材料齐全，复审合格，同意准予许可" {
		t.Errorf("办理记录 line of 准予许可: %q", approvedLine)
	}

	// The registry: the renewed Q2 line, valid four more years.
	q := NewBrowser(t)
	q.Desktop()
	q.Open(srv.URL + "/certificates/query")
	q.Fill("姓名", "张伟")
	q.Fill("证件号码", zhangWeiID(t))
	q.ClickButton("查询")
	rows := q.TableRows("#result table")
	var oldUntil, newUntil string
	for _, r := range rows {
		if len(r) == 7 && r[0] == "Q8" {
			oldUntil = r[5]
			if r[6] != "已换发" {
				t.Errorf("old Q8 status %q, want 已换发", r[6])
			}
		}
		if len(r) == 7 && r[0] == "Q2(限流动式起重机)" {
			newUntil = r[5]
		}
	}
	old, err1 := time.Parse("2006年01月02日", oldUntil)
	renewed, err2 := time.Parse("2006年01月02日", newUntil)
	if err1 != nil || err2 != nil || !renewed.Equal(old.AddDate(4, 0, 0)) {
		t.Fatalf("registry rows %q: old until %q, renewed until %q", rows, oldUntil, newUntil)
	}
	q.Screenshot("registry-after-approval")

	// The documents open as PDFs for the applicant.
	applicant.Open(appURL)
	mustSee(t, applicant, "准予许可决定书", "特种设备安全管理和作业人员证")
	for _, kind := range []string{"decision.pdf", "certificate.pdf"} {
		if got := fetchPDF(t, applicant, appURL+"/notices/"+kind); got != "200 application/pdf %PDF-" {
			t.Errorf("%s: %s", kind, got)
		}
	}
	// The QR code of the documents opens the public progress page.
	progress := Evaluate[string](applicant, `document.getElementById("progress-link").href`)
	stranger := NewBrowser(t)
	stranger.Desktop()
	wantStatus(t, "progress page", stranger.Open(progress), 200)
	mustSee(t, stranger, "办理进度", number, "张*", "准予许可")
	if strings.Contains(stranger.PageText(), "张伟") {
		t.Error("the public page shows the full name")
	}
	stranger.Screenshot("public-progress")
}
