package web_test

import (
	"bytes"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"opcert/internal/upload"
)

// An employer outside Shanghai, which the enterprise registry does not hold,
// is typed in whole and checked; the 受理机构 then follows the 户籍/居住证
// address (seed 000 3.2).
func TestEmployerOutsideShanghai(t *testing.T) {
	srv, _ := newDemoServer(t, true)
	b := newBrowser(t, srv)
	login(t, b, "13800000001")
	app := startRenewal(t, b, "310104", url.Values{"item": {"0"}})
	step(t, b, app, "commitment", url.Values{"action": {"next"}, "incident": {"no"}, "work_interrupted": {"no"}}, "", "", nil)
	code, body := step(t, b, app, "basic", url.Values{"action": {"upload_photo"}}, "photo", "照片.png", photoPNG(t))
	if code != 200 {
		t.Fatalf("photo: %d", code)
	}
	fields := url.Values{"action": {"next"}, "employer_name": {"苏州吊装有限公司"}, "employer_outside": {"1"}, "credit_code": {"91320505MA1MXXXXX1"},
		"employer_address": {""}, "education": {"高中"}, "mobile": {"13800000001"}, "household_district": {"310104"}}
	code, body = step(t, b, app, "basic", fields, "", "", nil)
	if code != http.StatusUnprocessableEntity {
		t.Fatalf("incomplete employer: %d", code)
	}
	mustContain(t, body, `id="credit_code-error"`, `id="employer_address-error"`, "请填写单位注册地址")
	if strings.Contains(body, "请点击“同步单位信息”") {
		t.Error("an employer outside Shanghai is asked to synchronise")
	}
	fields.Set("credit_code", "91320505MA1MXY4G15")
	fields.Set("employer_address", "江苏省苏州市姑苏区人民路1号")
	code, body = step(t, b, app, "basic", fields, "", "", nil)
	if code != http.StatusSeeOther || !strings.Contains(body, "申请材料") {
		t.Fatalf("typed employer: %d %s", code, errorsOf(body))
	}
	_, basic := b.get(app + "/edit/basic")
	mustContain(t, basic, "徐汇区市场监督管理局</strong>（按户籍/居住证地址所在区匹配）", "江苏省苏州市姑苏区人民路1号")
}

// Each error sits at its own field: a wrong check character of the credit
// code under the code, an upload refused at its material, and an oversized
// file keeps the applicant on the step.
func TestErrorsAtTheirFields(t *testing.T) {
	srv, _ := newDemoServer(t, true)
	b := newBrowser(t, srv)
	login(t, b, "13800000001")
	app := startRenewal(t, b, "310104", url.Values{"item": {"0"}})
	step(t, b, app, "commitment", url.Values{"action": {"next"}, "incident": {"no"}, "work_interrupted": {"no"}}, "", "", nil)
	_, body := step(t, b, app, "basic", url.Values{"action": {"sync_employer"}, "credit_code": {"91310104MA1FL0XQ4U"}}, "", "", nil)
	mustContain(t, body, `id="credit_code-error"`, `href="#credit_code"`)
	if strings.Contains(body, `id="employer_name-error"`) {
		t.Error("the credit code's error is shown under 单位名称")
	}
	step(t, b, app, "basic", url.Values{"action": {"save"}, "credit_code": {""}}, "", "", nil)
	fillBasic(t, b, app)
	body = uploadMaterial(t, b, app, "id_card", "身份证.pdf", []byte("MZ\x90\x00 this is an exe"))
	mustContain(t, body, `id="material-id_card" class="has-error`, `href="#material-id_card"`)
	_, page := b.get(app + "/edit/materials")
	big := bytes.Repeat([]byte("a"), upload.MaxSize+2<<20)
	resp, body := b.postMultipart(app+"/edit/materials?material=id_card", url.Values{"action": {"upload"}, "version": {version(t, page)}}, "file-id_card", "大文件.pdf", big)
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("oversized upload: %d", resp.StatusCode)
	}
	mustContain(t, body, "申请材料", `id="material-id_card" class="has-error`, "上传的文件超过10MB", `id="wizard-form"`)
}
