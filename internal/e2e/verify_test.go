package e2e

import (
	"strings"
	"testing"
)

// A certificate anyone can check: the public query finds 张伟's lines with
// his name and number masked; the approved certificate's QR page says the
// signature holds and the lines are 有效; after an admin revokes one line,
// the same page shows it 已撤销.
func TestCertificateCheckAfterRevocation(t *testing.T) {
	srv := StartServer(t)
	f := fixtures(t)
	applicant, _ := submitQ8Renewal(t, srv, f)
	appURL := applicant.Location()

	officer := NewBrowser(t)
	officer.Desktop()
	officer.Open(srv.URL + "/login")
	logIn(t, officer, "officer-310104")
	wantStatus(t, "办理", officer.ClickLink("办理"), 200)
	wantStatus(t, "受理", officer.clickID("do-accept"), 200)
	officer.setValue("#opinion-approve", "同意准予许可")
	wantStatus(t, "准予许可", officer.clickID("do-approve"), 200)
	wantStatus(t, "确认", officer.clickID("confirm"), 200)

	q := NewBrowser(t)
	q.Desktop()
	q.Open(srv.URL + "/certificates/query")
	q.Fill("姓名", "张伟")
	q.Fill("证件号码", zhangWeiID(t))
	wantStatus(t, "查询", q.ClickButton("查询"), 200)
	wantText(t, "result heading", q.Text("#result h2"), "查询结果：张*（"+maskedID(zhangWeiID(t))+"）")

	applicant.Open(appURL)
	check := Evaluate[string](applicant, `document.getElementById("certificate-check-link").href`)
	stranger := NewBrowser(t)
	stranger.Phone()
	wantStatus(t, "certificate check", stranger.Open(check), 200)
	mustSee(t, stranger, "二维码签名有效", "张*", "起重机司机(限流动式起重机)", "叉车司机")
	if strings.Contains(stranger.PageText(), "张伟") || strings.Contains(stranger.PageText(), zhangWeiID(t)) {
		t.Error("the check page shows the full name or number")
	}
	if strings.Contains(stranger.PageText(), "已撤销") {
		t.Fatal("a line shows 已撤销 before any decision")
	}
	stranger.Screenshot("certificate-check")

	admin := NewBrowser(t)
	admin.Desktop()
	admin.Open(srv.URL + "/login?next=/admin/certificates")
	logIn(t, admin, "admin")
	admin.Fill("证件号码或证书编号", zhangWeiID(t))
	wantStatus(t, "查找", admin.ClickButton("查找"), 200)
	row := Evaluate[string](admin, `[...document.querySelectorAll("#holding tbody tr")].find(r => r.textContent.includes("叉车司机") && r.querySelector("details")).id`)
	id := strings.TrimPrefix(row, "item-")
	Evaluate[bool](admin, `(() => { document.querySelector("#`+row+` details").open = true; return true })()`)
	admin.tick(`#` + row + ` input[name="kind"][value="revoke"]`)
	admin.setValue(`#reason-`+id, "以欺骗手段取得考试合格证明")
	admin.setValue(`#basis-`+id, "《中华人民共和国行政许可法》第六十九条第二款")
	admin.tick(`#` + row + ` input[name="confirm"]`)
	wantStatus(t, "撤销", admin.clickID("end-"+id), 200)
	mustSee(t, admin, "已撤销该项目", "以欺骗手段取得考试合格证明")

	wantStatus(t, "certificate check again", stranger.Open(check), 200)
	mustSee(t, stranger, "二维码签名有效", "已撤销")
	stranger.Screenshot("certificate-check-revoked")
	wantNoConsoleErrors(t, stranger)
}
