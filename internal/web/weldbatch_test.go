package web_test

import (
	"bytes"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"opcert/internal/catalog"
	"opcert/internal/demo"
	"opcert/internal/importer"
	"opcert/internal/testfixture"
	"opcert/internal/weldexam"
)

// batchOf50 is a 批量报名表 of 50 candidates, three of them wrong: row 5
// without 联系电话(手机), row 20 with a wrong 焊接位置 in a code, row 30
// repeating row 10's 身份证.
func batchOf50(t *testing.T) []byte {
	t.Helper()
	rows := testfixture.WeldBatchRows(50)
	delete(rows[3], weldexam.ColMobile)
	rows[18][weldexam.ColItems] = "SMAW-FeⅡ-9G-9/57-Fef3J"
	rows[28][weldexam.ColIDNumber], rows[28][weldexam.ColSex] = rows[8][weldexam.ColIDNumber], rows[8][weldexam.ColSex]
	data, err := importer.WeldBatchWorkbook(rows, catalog.Default())
	if err != nil {
		t.Fatal(err)
	}
	return data
}

var (
	batchPathRE = regexp.MustCompile(`^/unit/weld-batch/(\d+)$`)
	deletedOnRE = regexp.MustCompile(`本表如未确认报名，将于\d{4}年\d{2}月\d{2}日自动删除`)
)

// The demo 单位 downloads the template, uploads 50 rows with three bad
// ones, sees and downloads the report, confirms, and follows the 47 on its
// 工作台; another 单位 cannot see or confirm the upload, and a second
// confirmation is refused.
func TestWeldBatchUploadConfirm(t *testing.T) {
	srv, _ := newDemoServer(t, true)
	b := newBrowser(t, srv)
	d := demo.Build(catalog.Default(), today)
	login(t, b, d.Unit().CreditCode)
	resp, body := b.get("/unit/weld-batch")
	if resp.StatusCode != 200 {
		t.Fatalf("page: %d", resp.StatusCode)
	}
	mustContain(t, body, weldexam.BatchPhotoRule, `href="/unit/weld-batch/template.xlsx"`)
	// How long an upload not confirmed is kept, before uploading.
	mustContain(t, text(body), "上传后未确认报名的表格保留7天，到期自动删除，表中考生的身份证号、手机号等信息一并删除")
	resp, tpl := b.get("/unit/weld-batch/template.xlsx")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" {
		t.Fatalf("template: %d", resp.StatusCode)
	}
	header := sheetOf(t, tpl)
	if len(header) != 1 || strings.Join(header[0], "|") != strings.Join(weldexam.BatchColumns, "|") {
		t.Fatalf("template header: %q", header)
	}
	if !bytes.Contains([]byte(tpl), []byte("xl/worksheets/sheet2.xml")) {
		t.Fatal("template without the 填写说明 sheet")
	}

	resp, _ = b.postMultipart("/unit/weld-batch", nil, "file", "报名.xlsx", batchOf50(t))
	m := batchPathRE.FindStringSubmatch(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusSeeOther || m == nil {
		t.Fatalf("upload: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	page := "/unit/weld-batch/" + m[1]
	_, body = b.get(page)
	report := text(body)
	mustContain(t, report, "共 50 行：可报名 47 人，有问题 3 行", "5联系电话(手机)请填写联系电话!", "20技能考试项目明细第1行：", "30身份证与第10行的身份证号相同", "尚未报名任何考生")
	if !deletedOnRE.MatchString(report) {
		t.Fatalf("the report does not say when the upload is deleted: %s", report)
	}
	_, sheet := b.get(page + "/report.xlsx")
	rows := sheetOf(t, sheet)
	if len(rows) != 4 || rows[0][0] != "行号" || rows[1][0] != "5" || rows[1][1] != "联系电话(手机)" || rows[3][0] != "30" {
		t.Fatalf("report: %q", rows)
	}
	if _, desk := b.get("/unit"); strings.Contains(desk, "焊工1<") {
		t.Fatal("registered before the confirmation")
	}

	// Another 单位 neither sees nor confirms it.
	var xuhui string
	for _, e := range d.Enterprises {
		if e.Name == "上海徐汇起重设备安装有限公司" {
			xuhui = e.CreditCode
		}
	}
	other := newBrowser(t, srv)
	f := unitForm(xuhui)
	f.Set("unit_name", "上海徐汇起重设备安装有限公司")
	registerApprovedUnit(t, srv, other, f)
	if resp, _ := other.get(page); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("another 单位 sees it: %d", resp.StatusCode)
	}
	if resp, _ := other.get(page + "/report.xlsx"); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("another 单位 downloads its report: %d", resp.StatusCode)
	}
	if resp, _ := other.post(page+"/confirm", url.Values{"expect": {"47"}}); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("another 单位 confirms it: %d", resp.StatusCode)
	}

	resp, _ = b.post(page+"/confirm", url.Values{"expect": {"47"}})
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/unit?batch_registered=47") {
		t.Fatalf("confirm: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	_, desk := b.get(resp.Header.Get("Location"))
	mustContain(t, desk, "批量报名成功：已报名 47 名考生", "焊工1<", "焊工50<", "待考生本人上传")
	if strings.Contains(desk, ">焊工4<") || strings.Contains(desk, ">焊工19<") || strings.Contains(desk, ">焊工29<") {
		t.Fatalf("a bad row registered: %d %d %d", strings.Count(desk, ">焊工4<"), strings.Count(desk, ">焊工19<"), strings.Count(desk, ">焊工29<"))
	}
	resp, body = b.post(page+"/confirm", url.Values{"expect": {"47"}})
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, "不能重复确认") {
		t.Fatalf("second confirmation: %d %s", resp.StatusCode, errorsOf(body))
	}
	// The confirmed upload keeps its record without its rows: its page and
	// report say what it registered, and nothing of a deletion.
	_, body = b.get(page)
	mustContain(t, text(body), "检查结果（报名.xlsx）", "本表已确认，已报名 47 名考生")
	if deletedOnRE.MatchString(text(body)) {
		t.Fatal("a confirmed upload is told it will be deleted")
	}
	_, sheet = b.get(page + "/report.xlsx")
	if rows := sheetOf(t, sheet); len(rows) != 2 || rows[1][2] != "已确认报名 47 名考生" {
		t.Fatalf("report of the confirmed upload: %q", rows)
	}
	if _, desk := other.get("/unit"); strings.Contains(desk, "焊工1<") {
		t.Fatal("another 单位 sees the welders")
	}
}

// Files that are no 批量报名表 are refused at the upload field with a
// Chinese reason, the page kept; other accounts have no 批量报名.
func TestWeldBatchRefusals(t *testing.T) {
	srv, _ := newDemoServer(t, true)
	b := newBrowser(t, srv)
	login(t, b, demo.Build(catalog.Default(), today).Unit().CreditCode)
	good := batchOf50(t)
	cases := []struct {
		name, file string
		data       []byte
		status     int
		want       string
	}{
		{"no file", "", nil, http.StatusUnprocessableEntity, "请选择要上传的批量报名表"},
		{"empty", "a.xlsx", []byte{}, http.StatusUnprocessableEntity, "文件是空的"},
		{"oversized", "a.xlsx", append(bytes.Clone(good), make([]byte, 3<<20)...), http.StatusRequestEntityTooLarge, "超过2MB"},
		{"a picture renamed", "a.xlsx", testfixture.Photo(), http.StatusUnprocessableEntity, "内容不是 Excel 表格"},
		{"cut short", "a.xlsx", good[:len(good)/2], http.StatusUnprocessableEntity, "已损坏"},
		{"another workbook", "a.xlsx", xlsxOf(t, [][]string{{"申请号", "姓名", "理论"}, {"1", "王", "80"}}), http.StatusUnprocessableEntity, "不是批量报名模板的格式"},
	}
	for _, c := range cases {
		field := "file"
		if c.file == "" {
			field = ""
		}
		resp, body := b.postMultipart("/unit/weld-batch", nil, field, c.file, c.data)
		if resp.StatusCode != c.status || !strings.Contains(body, `id="file-error"`) || !strings.Contains(body, c.want) {
			t.Errorf("%s: %d %s", c.name, resp.StatusCode, errorsOf(body))
		}
	}
	app := newBrowser(t, srv)
	login(t, app, "13800000005")
	for _, path := range []string{"/unit/weld-batch", "/unit/weld-batch/template.xlsx"} {
		if resp, _ := app.get(path); resp.StatusCode != http.StatusForbidden {
			t.Fatalf("applicant on %s: %d", path, resp.StatusCode)
		}
	}
	if resp, _ := app.postMultipart("/unit/weld-batch", nil, "file", "a.xlsx", good); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("applicant uploads: %d", resp.StatusCode)
	}
}
