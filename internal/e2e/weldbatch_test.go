package e2e

import (
	"bytes"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"

	"opcert/internal/testfixture"
	"opcert/internal/weldexam"
)

// fetchBytes GETs path with the browser's own cookies and returns the body.
func fetchBytes(t *testing.T, b *Browser, path string) []byte {
	t.Helper()
	ctx, cancel := b.action()
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(async () => { const r = await fetch(`+jsString(path)+`, {credentials: "same-origin"});
		const b = new Uint8Array(await r.arrayBuffer());
		let s = ""; for (const c of b) s += String.fromCharCode(c);
		return r.status + " " + btoa(s); })()`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("fetch %s: %v", path, err)
	}
	status, body, _ := strings.Cut(v, " ")
	if status != "200" {
		t.Fatalf("fetch %s: %s", path, status)
	}
	raw, err := base64.StdEncoding.DecodeString(body)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// The demo 单位 downloads the 批量报名 template, fills 50 candidates into it
// of whom three are wrong (row 5 without 联系电话(手机), row 20 with a wrong
// 焊接位置, row 30 repeating row 10's 身份证), uploads it, sees the three
// rows with their reasons and nothing registered, downloads the report,
// confirms, and follows the 47 on its 工作台.
func TestWeldBatchRegistration(t *testing.T) {
	r := newApplyRun(t)
	b := r.b
	b.Desktop()
	b.Open(r.srv.URL + "/login")
	logIn(t, b, r.creditCode("上海金山石化焊接工程有限公司"))
	wantStatus(t, "焊工批量报名", b.clickID("weld-batch-link"), 200)
	mustSee(t, b, "焊工批量报名（新考证）", "照片不在表格中填写", "点击“修改”")

	tpl := fetchBytes(t, b, Evaluate[string](b, `document.querySelector("#batch-template").getAttribute("href")`))
	f, err := excelize.OpenReader(bytes.NewReader(tpl))
	if err != nil {
		t.Fatal(err)
	}
	if got := f.GetSheetList(); strings.Join(got, ",") != "报名,填写说明" {
		t.Fatalf("template sheets: %q", got)
	}
	header, _ := f.GetRows("报名")
	if len(header) != 1 || strings.Join(header[0], ",") != strings.Join(weldexam.BatchColumns, ",") {
		t.Fatalf("template header: %q", header)
	}
	rows := testfixture.WeldBatchRows(50)
	delete(rows[3], weldexam.ColMobile)
	rows[18][weldexam.ColItems] = "SMAW-FeⅡ-9G-9/57-Fef3J"
	rows[28][weldexam.ColIDNumber], rows[28][weldexam.ColSex] = rows[8][weldexam.ColIDNumber], rows[8][weldexam.ColSex]
	for i, row := range rows {
		cells := make([]any, len(weldexam.BatchColumns))
		for j, c := range weldexam.BatchColumns {
			cells[j] = row[c]
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		f.SetSheetRow("报名", cell, &cells)
	}
	var filled bytes.Buffer
	if err := f.Write(&filled); err != nil {
		t.Fatal(err)
	}
	b.upload("file", r.file("焊工报名.xlsx", filled.Bytes()))
	wantStatus(t, "上传并检查", b.clickID("batch-check"), 200)
	mustSee(t, b, "共 50 行：可报名 47 人，有问题 3 行", "尚未报名任何考生")
	report := b.TableRows("#batch-report")
	if len(report) != 3 || report[0][0] != "5" || report[0][1] != "联系电话(手机)" || report[0][2] != "请填写联系电话!" ||
		report[1][0] != "20" || report[1][1] != "技能考试项目明细" || !strings.HasPrefix(report[1][2], "第1行：") ||
		report[2][0] != "30" || report[2][1] != "身份证" || !strings.Contains(report[2][2], "与第10行的身份证号相同") {
		t.Fatalf("report: %q", report)
	}
	if good := b.TableRows("#batch-good"); len(good) != 47 {
		t.Fatalf("good rows: %d", len(good))
	}
	b.Screenshot("weld-batch-report")
	typ, sheet := fetchXLSX(t, b, Evaluate[string](b, `document.querySelector("#batch-report-download").getAttribute("href")`), "")
	if typ != xlsxType || len(sheet) != 4 || strings.Join(sheet[0], "|") != "行号|列|原因" || strings.Join(sheet[1], "|") != "5|联系电话(手机)|请填写联系电话!" || sheet[3][0] != "30" {
		t.Fatalf("report download %s: %q", typ, sheet)
	}

	wantStatus(t, "确认报名", b.clickID("batch-confirm"), 200)
	mustSee(t, b, "单位工作台", "批量报名成功：已报名 47 名考生")
	welders := b.TableRows("#weld-registrations-table")
	if len(welders) != 47 || welders[0][3] != "已报名（考生可修改）" || welders[0][4] != "待考生本人上传" {
		t.Fatalf("the 单位's welders: %d %q", len(welders), welders[:min(2, len(welders))])
	}
	names := map[string]bool{}
	for _, w := range welders {
		names[w[0]] = true
	}
	if !names["焊工1"] || !names["焊工50"] || names["焊工4"] || names["焊工19"] || names["焊工29"] {
		t.Fatalf("registered: %v", names)
	}
	b.Screenshot("weld-batch-registered")
	wantNoConsoleErrors(t, b)
}
