package web_test

import (
	"bytes"
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

func sheetOf(t *testing.T, body string) [][]string {
	t.Helper()
	f, err := excelize.OpenReader(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows(f.GetSheetList()[0])
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func xlsxOf(t *testing.T, rows [][]string) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		line := make([]any, len(r))
		for j, c := range r {
			line[j] = c
		}
		f.SetSheetRow("Sheet1", cell, &line)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

var hiddenRE = regexp.MustCompile(`<input type="hidden" name="(\w+)" value="([^"]*)">`)

// hiddenFields are the hidden inputs of a page, as its form posts them.
func hiddenFields(body string) url.Values {
	v := url.Values{}
	for _, m := range hiddenRE.FindAllStringSubmatch(body, -1) {
		v.Add(m[1], html.UnescapeString(m[2]))
	}
	return v
}

// Exam staff download a session's template, upload it filled with one bad
// row, see the report (and download it), and confirm: the good row is
// recorded as by hand, the bad one not. A file that is not a workbook, or
// far too large, is refused at the file field; other accounts cannot use
// the import.
func TestScoreSheetUploadAndConfirm(t *testing.T) {
	c := &clock{}
	c.set("2026-11-23")
	srv, db := newDemoServerOn(t, c)
	zhang, li, officer, staff := newBrowser(t, srv), newBrowser(t, srv), newBrowser(t, srv), newBrowser(t, srv)
	login(t, zhang, "13800000001")
	login(t, li, "13800000002")
	login(t, officer, "officer-310104")
	first := acceptedForExam(t, zhang, officer, "P")
	second := acceptedForExam(t, li, officer, "P")
	login(t, staff, "exam")
	for _, s := range []url.Values{
		{"items": {"P"}, "subject": {"theory"}, "date": {"2026-12-01"}, "start": {"09:00"}, "end": {"11:00"}, "venue": {"第一考场"}, "capacity": {"30"}},
		{"items": {"P"}, "subject": {"practical"}, "date": {"2026-12-01"}, "start": {"13:00"}, "end": {"15:00"}, "venue": {"实操场地"}, "capacity": {"30"}},
	} {
		if resp, body := staff.post("/exam/sessions", s); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("session: %d %s", resp.StatusCode, errorsOf(body))
		}
	}
	staff.post("/exam/assign", nil)
	_, desk := staff.get("/exam")
	session := sessionLinkRE.FindString(desk)
	if session == "" || !strings.Contains(desk, `id="form-scores"`) {
		t.Fatalf("no 成绩导入 on the desk:\n%s", desk)
	}
	if resp, _ := staff.get("/exam/scores?session=" + strings.TrimPrefix(session, "/exam/sessions/")); resp.Header.Get("Location") != session+"/scores" {
		t.Fatalf("the desk's choice of session: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	c.set("2026-12-02")
	resp, tmpl := staff.get(session + "/scores/template.xlsx")
	if resp.StatusCode != 200 {
		t.Fatalf("template: %d", resp.StatusCode)
	}
	rows := sheetOf(t, tmpl)
	if len(rows) != 3 || strings.Join(rows[0], ",") != "申请号,准考证号,姓名,理论,实操" || rows[1][2] != "张伟" || rows[2][2] != "李娜" || rows[1][1] != "ZK"+rows[1][0] {
		t.Fatalf("template rows: %q", rows)
	}
	rows[1] = append(rows[1][:3], "90", "85")
	rows[2] = append(rows[2][:3], "九十", "80")
	resp, page := staff.postMultipart(session+"/scores", nil, "file", "成绩.xlsx", xlsxOf(t, rows))
	if resp.StatusCode != 200 {
		t.Fatalf("upload: %d %s", resp.StatusCode, errorsOf(page))
	}
	mustContain(t, page, "共 2 行：可录入 1 行，有问题 1 处", `<td data-label="行号">3</td><td data-label="列">理论</td><td data-label="原因">请填写理论知识考试成绩（0–100 的整数）</td>`,
		"确认录入 1 名考生的成绩", "尚未录入任何成绩")
	for _, id := range []int64{first, second} {
		if r, _ := db.ExamResultsOf(context.Background(), id); len(r) != 0 {
			t.Fatalf("recorded before the confirmation: %+v", r)
		}
	}
	form := hiddenFields(page)
	resp, report := staff.post(session+"/scores/report.xlsx", form)
	if resp.StatusCode != 200 {
		t.Fatalf("report: %d", resp.StatusCode)
	}
	if got := sheetOf(t, report); len(got) != 2 || strings.Join(got[1], "|") != "3|理论|请填写理论知识考试成绩（0–100 的整数）" {
		t.Fatalf("report rows: %q", got)
	}
	resp, _ = staff.post(session+"/scores/confirm", form)
	if resp.StatusCode != http.StatusSeeOther || !strings.Contains(resp.Header.Get("Location"), "recorded=1") {
		t.Fatalf("confirm: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	_, done := staff.get(resp.Header.Get("Location"))
	mustContain(t, done, "已录入 1 名考生的考试成绩")
	if r, _ := db.ExamResultsOf(context.Background(), first); len(r) != 1 || !r[0].Passed || r[0].Theory.Int64 != 90 {
		t.Fatalf("张伟's result: %+v", r)
	}
	if r, _ := db.ExamResultsOf(context.Background(), second); len(r) != 0 {
		t.Fatalf("李娜's bad row recorded: %+v", r)
	}
	// The same confirmation again records nothing more.
	if resp, page := staff.post(session+"/scores/confirm", form); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "没有可以录入的成绩") || !strings.Contains(page, "该考生不在本机构待录入成绩的考生名单中") {
		t.Fatalf("confirmed twice: %d", resp.StatusCode)
	}

	// The file itself refused, at its field, the page ready for another.
	for _, bad := range []struct {
		name    string
		content []byte
		status  int
		msg     string
	}{
		{"成绩.xlsx", photoPNG(t), http.StatusUnprocessableEntity, "文件名为 .xlsx，但内容不是 Excel 表格（内容是 PNG 图片）"},
		{"成绩.csv", []byte("申请号,姓名\n"), http.StatusUnprocessableEntity, "只能上传 Excel 表格（xlsx）"},
		{"成绩.xlsx", nil, http.StatusUnprocessableEntity, "文件是空的"},
		{"成绩.xlsx", bytes.Repeat([]byte("x"), 3<<20), http.StatusRequestEntityTooLarge, "文件大小超过2MB"},
	} {
		resp, page := staff.postMultipart(session+"/scores", nil, "file", bad.name, bad.content)
		if resp.StatusCode != bad.status || !strings.Contains(page, bad.msg) || !strings.Contains(page, `id="file-error"`) || !strings.Contains(page, `href="#file"`) {
			t.Errorf("%s (%d bytes): %d %s", bad.name, len(bad.content), resp.StatusCode, errorsOf(page))
		}
	}
	if resp, page := staff.postMultipart(session+"/scores", nil, "", "", nil); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "请选择要上传的成绩表") {
		t.Errorf("no file: %d", resp.StatusCode)
	}
	// A wrong header is reported before any row.
	resp, page = staff.postMultipart(session+"/scores", nil, "file", "成绩.xlsx", xlsxOf(t, [][]string{{"申请号", "姓名", "成绩"}, {"1", "张伟", "90"}}))
	if resp.StatusCode != 200 || !strings.Contains(page, "“成绩”不是本表的列") || strings.Contains(page, `id="score-confirm"`) {
		t.Errorf("wrong header: %d %s", resp.StatusCode, page)
	}
	// Not for other accounts, nor for another institution's session.
	if resp, _ := zhang.postMultipart(session+"/scores", nil, "file", "成绩.xlsx", xlsxOf(t, rows)); resp.StatusCode != http.StatusForbidden {
		t.Errorf("applicant: %d", resp.StatusCode)
	}
	if resp, _ := staff.get("/exam/sessions/99999/scores/template.xlsx"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown session: %d", resp.StatusCode)
	}
}
