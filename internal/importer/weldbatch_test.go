package importer

import (
	"bytes"
	"testing"

	"opcert/internal/catalog"
	"opcert/internal/civil"
	"opcert/internal/enterprise"
	"opcert/internal/testfixture"
	"opcert/internal/weldexam"
)

var batchUnit = enterprise.Unit{CreditCode: "91310000MA00003490", Name: "上海某安装有限公司", Address: "上海市普陀区中山北路2号", Contact: "李四", Phone: "021-62000000"}

// The template is the workbook read back: its header is the layout's, and
// a filled copy gives every row with its cells as written.
func TestWeldBatchWorkbookRoundTrip(t *testing.T) {
	tpl, err := WeldBatchWorkbook(nil, catalog.Default())
	if err != nil {
		t.Fatal(err)
	}
	if _, problems, err := ReadWeldBatch(tpl); err != nil || len(problems) != 1 || problems[0].Row != 2 {
		t.Fatalf("empty template: %v %v", problems, err)
	}
	filled, err := WeldBatchWorkbook(testfixture.WeldBatchRows(3), catalog.Default())
	if err != nil {
		t.Fatal(err)
	}
	rows, problems, err := ReadWeldBatch(filled)
	if err != nil || len(problems) > 0 || len(rows) != 3 {
		t.Fatalf("rows %d, problems %v, err %v", len(rows), problems, err)
	}
	if rows[2].Line != 4 || rows[2].Cells[weldexam.ColName] != "焊工3" {
		t.Fatalf("row 3: %+v", rows[2])
	}
	good, bad := weldexam.CheckBatch(rows, batchUnit, civil.MustParse("2026-12-02"), catalog.Default())
	if len(good) != 3 || len(bad) > 0 {
		t.Fatalf("good %d, problems %v", len(good), bad)
	}
	if len(good[0].Form.Work) != 2 || len(good[0].Form.Items) != 2 || good[0].Form.CreditCode != batchUnit.CreditCode {
		t.Fatalf("form: %+v", good[0].Form)
	}
}

// A header not the template's is reported by column, no row read.
func TestReadWeldBatchWrongHeader(t *testing.T) {
	rows := testfixture.WeldBatchRows(1)
	data, err := WeldBatchWorkbook(rows, catalog.Default())
	if err != nil {
		t.Fatal(err)
	}
	got, problems, err := ReadSheet("x.xlsx", bytes.NewReader(data), Layout{Columns: append([]string{"准考证号"}, weldexam.BatchColumns...)})
	if err != nil || got != nil || len(problems) != 1 || problems[0].Column != "准考证号" {
		t.Fatalf("%v %v %v", got, problems, err)
	}
}

// BenchmarkBatchCheck10000 reads a workbook of 10,000 candidates and checks
// every row as the single form is checked: the 批量报名's bound is 3 s for
// 10,000 rows.
func BenchmarkBatchCheck10000(b *testing.B) {
	data, err := WeldBatchWorkbook(testfixture.WeldBatchRows(10000), catalog.Default())
	if err != nil {
		b.Fatal(err)
	}
	today, cat := civil.MustParse("2026-12-02"), catalog.Default()
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for b.Loop() {
		rows, problems, err := ReadWeldBatch(data)
		if err != nil || len(problems) > 0 {
			b.Fatal(problems, err)
		}
		good, bad := weldexam.CheckBatch(rows, batchUnit, today, cat)
		if len(good) != 10000 || len(bad) > 0 {
			b.Fatal(len(good), bad[:min(3, len(bad))])
		}
	}
}
