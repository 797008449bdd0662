package e2e

import (
	"regexp"
	"strings"
	"testing"
)

// The public 证书查询: the demo holder 张伟 finds his items; a mistyped
// check character is explained in Chinese and what was typed is kept.
func TestCertificateQuery(t *testing.T) {
	srv := StartServer(t)
	b := NewBrowser(t)
	b.Desktop()
	id := zhangWeiID(t)

	wantStatus(t, "query page", b.Open(srv.URL+"/certificates/query"), 200)
	wantText(t, "h1", b.Text("h1"), "特种设备安全管理和作业人员证查询")
	b.Fill("姓名", "张伟")
	b.Fill("证件号码", id)
	wantStatus(t, "查询", b.ClickButton("查询"), 200)

	wantText(t, "result heading", b.Text("#result h2"), "查询结果：张*（"+maskedID(id)+"）")
	wantTexts(t, "table header", b.Texts("#result thead th"),
		[]string{"项目代号", "项目名称", "项目种类", "发证机关", "批准日期", "有效期至", "状态"})
	rows := b.TableRows("#result table")
	want := [][]string{
		{"Q8", "流动式起重机司机", "起重机械作业", "徐汇区市场监督管理局", "有效（即将到期）"},
		{"N2", "叉车司机", "场（厂）内专用机动车辆作业", "徐汇区市场监督管理局", "有效"},
	}
	if len(rows) != len(want) {
		t.Fatalf("result rows = %q, want %d rows", rows, len(want))
	}
	date := regexp.MustCompile(`^\d{4}年\d{2}月\d{2}日$`)
	for i, r := range rows {
		if len(r) != 7 {
			t.Errorf("row %d = %q, want 7 cells", i, r)
			continue
		}
		got := []string{r[0], r[1], r[2], r[3], r[6]}
		wantTexts(t, "result row", got, want[i])
		if !date.MatchString(r[4]) || !date.MatchString(r[5]) {
			t.Errorf("row %d dates %q, %q: want YYYY年MM月DD日", i, r[4], r[5])
		}
	}
	page := b.PageText()
	for _, secret := range []string{"张伟", id} {
		if strings.Contains(page, secret) {
			t.Errorf("the result page prints %q in full; it should be masked", secret)
		}
	}
	wantText(t, "姓名 kept", b.FieldValue("姓名"), "张伟")
	wantText(t, "证件号码 kept", b.FieldValue("证件号码"), id)
	b.Screenshot("result")

	// A wrong check character: error summary, message at the field, and the
	// typed values kept.
	wrong := wrongCheckChar(id)
	wantStatus(t, "query page", b.Open(srv.URL+"/certificates/query"), 200)
	b.Fill("姓名", "张伟")
	b.Fill("证件号码", wrong)
	wantStatus(t, "查询 with a wrong check character", b.ClickButton("查询"), 422)
	msg := "身份证号码最后一位校验码“" + wrong[17:] + "”不正确，请逐位核对号码后重新输入"
	wantText(t, "error summary heading", b.Text(".error-summary h2"), "请修改以下内容")
	wantTexts(t, "error summary", b.Texts(".error-summary li"), []string{"证件号码：" + msg})
	wantText(t, "证件号码 error", b.FieldError("证件号码"), msg)
	wantText(t, "姓名 error", b.FieldError("姓名"), "")
	wantText(t, "姓名 kept", b.FieldValue("姓名"), "张伟")
	wantText(t, "证件号码 kept", b.FieldValue("证件号码"), wrong)
	if got := b.Texts("#result"); len(got) != 0 {
		t.Errorf("a result is shown for an invalid number: %q", got)
	}
	b.Screenshot("wrong-check-char")

	// Nothing typed: both fields are asked for.
	wantStatus(t, "query page", b.Open(srv.URL+"/certificates/query"), 200)
	wantStatus(t, "查询 with nothing typed", b.ClickButton("查询"), 422)
	wantTexts(t, "error summary", b.Texts(".error-summary li"), []string{"姓名：请输入姓名", "证件号码：请输入证件号码"})
	wantText(t, "姓名 error", b.FieldError("姓名"), "请输入姓名")
	wantText(t, "证件号码 error", b.FieldError("证件号码"), "请输入证件号码")
	wantNoConsoleErrors(t, b)

	// DESIGN.md: personal data never goes into the logs.
	log := srv.Log()
	for _, secret := range []string{id, wrong, "张伟"} {
		if strings.Contains(log, secret) {
			t.Errorf("the server log contains %q", secret)
		}
	}
}

// With JavaScript turned off the site still works: it is server-rendered.
func TestWithoutJavaScript(t *testing.T) {
	srv := StartServer(t)
	b := NewBrowser(t)
	b.Desktop()
	b.DisableJavaScript()

	// Prove that page scripts really do not run in this tab.
	b.Open(`data:text/html;charset=utf-8,<title>off</title><script>document.title="on"</script>`)
	wantText(t, "title of a page whose script renames it", b.Title(), "off")

	wantStatus(t, "home", b.Open(srv.URL+"/"), 200)
	b.Select("受理机关", "徐汇区市场监督管理局")
	b.Choose("补证")
	wantStatus(t, "查看办事指南", b.ClickButton("查看办事指南"), 200)
	wantText(t, "guide h1", b.Text("h1"), "特种设备安全管理和作业人员资格认定（补证）办事指南")
	wantText(t, "受理机关 notice", b.Text("main .notice"), "受理机关：徐汇区市场监督管理局")

	id := zhangWeiID(t)
	wantStatus(t, "证书查询 link", b.ClickLink("返回首页"), 200)
	wantStatus(t, "证书查询", b.ClickLink("证书查询"), 200)
	b.Fill("姓名", "张伟")
	b.Fill("证件号码", id)
	wantStatus(t, "查询", b.ClickButton("查询"), 200)
	wantText(t, "result heading", b.Text("#result h2"), "查询结果：张*（"+maskedID(id)+"）")
	if rows := b.TableRows("#result table"); len(rows) == 0 || rows[0][1] != "流动式起重机司机" {
		t.Errorf("result rows = %q, want 流动式起重机司机 first", rows)
	}
	b.Screenshot("result-no-js")
	wantNoConsoleErrors(t, b)
}
