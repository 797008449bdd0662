package importer

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"opcert/internal/catalog"
	"opcert/internal/testfixture"
)

// trimmedRows are rows without blank ones and without trailing empty
// cells, for comparing two readers.
func trimmedRows(rows []rawRow) []rawRow {
	var out []rawRow
	for _, r := range dropBlank(slices.Clone(rows)) {
		c := slices.Clone(r.cells)
		for len(c) > 0 && c[len(c)-1] == "" {
			c = c[:len(c)-1]
		}
		out = append(out, rawRow{r.line, c})
	}
	return out
}

// The scanner reads what excelize reads, from a workbook written with
// inline strings (the stream writer), one with a shared string table, rich
// text, numbers, booleans, formulas, gaps between rows and cells, XML
// entities, line breaks, Excel's _x000D_ escape and a 生僻字.
func TestScanFirstSheetReadsAsExcelize(t *testing.T) {
	streamed, err := WeldBatchWorkbook(testfixture.WeldBatchRows(30), catalog.Default())
	if err != nil {
		t.Fatal(err)
	}
	f := excelize.NewFile()
	f.SetSheetRow("Sheet1", "A1", &[]any{"姓名", "备注 & <注>", "数", "真"})
	f.SetSheetRow("Sheet1", "A2", &[]any{"王\U00030000", "第一行\n第二行", 12.5, true})
	f.SetCellValue("Sheet1", "C5", 310107)
	f.SetCellStr("Sheet1", "E5", "a_x000D_b \"引号\" 'x'")
	f.SetCellFormula("Sheet1", "F5", `="公式"&"文本"`)
	f.SetCellRichText("Sheet1", "B7", []excelize.RichTextRun{{Text: "粗体"}, {Text: "普通", Font: &excelize.Font{Bold: true}}})
	f.SetCellStr("Sheet1", "B8", "  前后空格  ")
	f.NewSheet("第二张")
	f.SetCellStr("第二张", "A1", "不读")
	var shared bytes.Buffer
	if err := f.Write(&shared); err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{"streamed": streamed, "shared strings": shared.Bytes()} {
		want, err := readXLSX(bytes.NewReader(data), 64<<20)
		if err != nil {
			t.Fatal(err)
		}
		got, err := scanFirstSheet(data, 64<<20)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		w, g := trimmedRows(want), trimmedRows(got)
		if len(w) < 5 || len(w) != len(g) {
			t.Fatalf("%s: %d rows, excelize %d", name, len(g), len(w))
		}
		for i := range w {
			if w[i].line != g[i].line || strings.Join(w[i].cells, "|") != strings.Join(g[i].cells, "|") {
				t.Errorf("%s row %d: %d %q, excelize %d %q", name, i, g[i].line, g[i].cells, w[i].line, w[i].cells)
			}
		}
	}
}

// A package that unzips beyond the bound is refused, not read.
func TestScanFirstSheetBoundsTheUnzippedSize(t *testing.T) {
	data, err := WeldBatchWorkbook(testfixture.WeldBatchRows(200), catalog.Default())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := scanFirstSheet(data, 64<<10); err == nil || !strings.Contains(err.Error(), "无法读取 Excel 文件") {
		t.Fatalf("over the bound: %v", err)
	}
	if _, err := scanFirstSheet([]byte("PK\x03\x04 not a zip"), 64<<20); err == nil {
		t.Fatal("a broken zip read")
	}
}
