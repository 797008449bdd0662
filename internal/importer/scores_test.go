package importer

import (
	"bytes"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

func workbook(t *testing.T, rows ...[]any) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		f.SetSheetRow("Sheet1", cell, &r)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestReadScoreSheet(t *testing.T) {
	rows, problems, err := ReadScoreSheet(workbook(t,
		[]any{"申请号", "准考证号", "姓名", "理论", "实操"},
		[]any{"261123000001", "ZK261123000001", "𠮷祥", 85, 72},
		[]any{},
		[]any{nil, "ZK261123000002", "王强", "75", ""}))
	if err != nil || len(problems) != 0 || len(rows) != 2 {
		t.Fatalf("rows %+v problems %+v err %v", rows, problems, err)
	}
	if r := rows[0]; r.Line != 2 || r.Number != "261123000001" || r.Name != "𠮷祥" || r.Theory != "85" || r.Practical != "72" {
		t.Errorf("row 2: %+v", r)
	}
	if r := rows[1]; r.Line != 4 || r.Number != "" || r.Ticket != "ZK261123000002" || r.Theory != "75" {
		t.Errorf("row 4 (a blank row 3 skipped): %+v", r)
	}
	// Either number column may be left out.
	if rows, problems, _ := ReadScoreSheet(workbook(t, []any{"准考证号", "姓名", "理论", "实操"}, []any{"ZK1", "张三", 1, 2})); len(problems) != 0 || rows[0].Ticket != "ZK1" {
		t.Errorf("without 申请号: %+v %+v", rows, problems)
	}
	_, problems, _ = ReadScoreSheet(workbook(t, []any{"申请号", "姓名", "理论", "成绩"}, []any{"1", "张三", 1, 2}))
	var msgs []string
	for _, p := range problems {
		msgs = append(msgs, p.String())
	}
	if got := strings.Join(msgs, "\n"); !strings.Contains(got, "【实操】：缺少此列") || !strings.Contains(got, "“成绩”不是本表的列") {
		t.Errorf("wrong header: %s", got)
	}
	if _, problems, _ = ReadScoreSheet(workbook(t, []any{"申请号", "准考证号", "姓名", "理论", "实操"})); len(problems) != 1 || !strings.Contains(problems[0].Message, "表中没有考生") {
		t.Errorf("header only: %+v", problems)
	}
}
