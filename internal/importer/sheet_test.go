package importer_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"opcert/internal/catalog"
	"opcert/internal/importer"
)

var layout = importer.Layout{Columns: []string{"姓名", "证件号码", "备注"}, Optional: []string{"备注"}}

func readCSV(t *testing.T, data string) ([]importer.Row, []importer.RowError) {
	t.Helper()
	rows, problems, err := importer.ReadSheet("f.csv", strings.NewReader(data), layout)
	if err != nil {
		t.Fatal(err)
	}
	return rows, problems
}

// lines writes each row as "行号:姓名/证件号码/备注".
func lines(rows []importer.Row) string {
	var s []string
	for _, r := range rows {
		s = append(s, fmt.Sprintf("%d:%s/%s/%s", r.Line, r.Get("姓名"), r.Get("证件号码"), r.Get("备注")))
	}
	return strings.Join(s, " ")
}

func TestSheetCSVWithAndWithoutBOM(t *testing.T) {
	for _, bom := range []string{"", "\xef\xbb\xbf"} {
		rows, problems := readCSV(t, bom+"姓名,证件号码\n张三, 11010519491231002X \n")
		if len(problems) > 0 {
			t.Fatalf("BOM %q: header refused: %v", bom, problems)
		}
		if got := lines(rows); got != "2:张三/11010519491231002X/" {
			t.Errorf("BOM %q: rows = %s", bom, got)
		}
	}
}

// Row numbers are those a spreadsheet shows for the same file: blank rows
// are skipped but counted, an empty line is a row, a quoted cell spanning
// lines is one row.
func TestSheetBlankRowsKeepSpreadsheetRowNumbers(t *testing.T) {
	rows, problems := readCSV(t, "\n姓名,证件号码,备注\r\n张三,1,\n,,\n\n李四,2,\"住址\n第二行\"\n 　,\t,\n王五,3\n")
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	if got, want := lines(rows), "3:张三/1/ 6:李四/2/住址\n第二行 8:王五/3/"; got != want {
		t.Errorf("rows = %q, want %q", got, want)
	}
}

func TestSheetEmptyFile(t *testing.T) {
	for _, data := range []string{"", "\xef\xbb\xbf", "\n\n", ",,,\n , \n"} {
		rows, problems := readCSV(t, data)
		if len(rows) != 0 || len(problems) != 1 || problems[0].Row != 1 ||
			problems[0].String() != "第 1 行：文件为空，第一行应为表头：姓名，证件号码，备注" {
			t.Errorf("%q: rows = %v, problems = %v", data, rows, problems)
		}
	}
	rows, problems, err := importer.ReadSheet("f.xlsx", xlsx(t), layout)
	if err != nil || len(rows) != 0 || len(problems) != 1 || !strings.Contains(problems[0].Message, "文件为空") {
		t.Errorf("empty workbook: rows = %v, problems = %v, err = %v", rows, problems, err)
	}
}

// A wrong header is reported column by column, and no row is read.
func TestSheetWrongHeader(t *testing.T) {
	rows, problems := readCSV(t, "\n姓名,证件号,姓名,,备注,备注\n张三,1,张三,,,\n")
	if len(rows) != 0 {
		t.Errorf("rows read under a wrong header: %s", lines(rows))
	}
	var got []string
	for _, p := range problems {
		got = append(got, p.String())
	}
	want := []string{
		"第 2 行【证件号码】：缺少此列；表头应为：姓名，证件号码，备注",
		"第 2 行【证件号】：第 B 列的表头“证件号”不是本表的列；表头应为：姓名，证件号码，备注",
		"第 2 行【姓名】：第 C 列与第 A 列的表头相同，每列只能出现一次",
		"第 2 行【备注】：第 F 列与第 E 列的表头相同，每列只能出现一次",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestSheetNotUTF8(t *testing.T) {
	gbk := []byte("\xd0\xd5\xc3\xfb,\xd6\xa4\xbc\xfe\xba\xc5\xc2\xeb\n") // 姓名,证件号码 in GBK, as Excel on Chinese Windows saves "CSV"
	_, _, err := importer.ReadSheet("f.csv", bytes.NewReader(gbk), layout)
	if err == nil || !strings.Contains(err.Error(), "UTF-8") {
		t.Fatalf("err = %v", err)
	}
}

func TestSheetBadCSVQuoting(t *testing.T) {
	_, _, err := importer.ReadSheet("f.csv", strings.NewReader("姓名,证件号码\n张\"三,1\n"), layout)
	if err == nil || !strings.Contains(err.Error(), "第 2 行格式错误") {
		t.Fatalf("err = %v", err)
	}
}

// xlsx builds a workbook whose first sheet holds rows from A1 down; a nil
// row is left empty.
func xlsx(t *testing.T, rows ...[]any) *bytes.Buffer {
	t.Helper()
	f := excelize.NewFile()
	sh := f.GetSheetName(0)
	for i, r := range rows {
		if r != nil {
			if err := f.SetSheetRow(sh, fmt.Sprintf("A%d", i+1), &r); err != nil {
				t.Fatal(err)
			}
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return &buf
}

func TestSheetXLSX(t *testing.T) {
	buf := xlsx(t,
		[]any{"备注", " 姓名 ", "证件号码"},
		[]any{"", "张三", "11010519491231002X"},
		nil,
		[]any{"", "", ""},
		[]any{"外地证书", "𠮷野", 110105194912310038},
	)
	rows, problems, err := importer.ReadSheet("名单.XLSX", buf, layout)
	if err != nil || len(problems) > 0 {
		t.Fatalf("err = %v, problems = %v", err, problems)
	}
	if got, want := lines(rows), "2:张三/11010519491231002X/ 5:𠮷野/110105194912310038/外地证书"; got != want {
		t.Errorf("rows = %q, want %q", got, want)
	}
}

// 𠮷 (U+20BB7, outside the Basic Multilingual Plane) is a real surname
// character; it must reach the holder as typed, from CSV and from XLSX.
func TestRareCharacterNameImported(t *testing.T) {
	row := []any{"𠮷䶮", "居民身份证", "11010519491231002X", "", "", "2019", "G3", "", "徐汇区市场监督管理局", "2023-01-05", "2027-01-04", ""}
	var csvRow []string
	for _, c := range row {
		csvRow = append(csvRow, fmt.Sprint(c))
	}
	header := make([]any, len(importer.Header))
	for i, h := range importer.Header {
		header[i] = h
	}
	files := map[string]*bytes.Buffer{
		"holders.csv":  bytes.NewBufferString(strings.Join(importer.Header, ",") + "\n" + strings.Join(csvRow, ",") + "\n"),
		"holders.xlsx": xlsx(t, header, row),
	}
	for name, buf := range files {
		res, err := importer.ReadFile(name, buf, catalog.Default(), today)
		if err != nil || len(res.Errors) > 0 || len(res.Holdings) != 1 {
			t.Fatalf("%s: err = %v, errors = %v", name, err, res.Errors)
		}
		if got := res.Holdings[0].Holder.Name; got != "𠮷䶮" {
			t.Errorf("%s: name = %q (% x)", name, got, got)
		}
	}
}

// Both importers report a wrong header through the same helper.
func TestImportersShareHeaderCheck(t *testing.T) {
	res, err := importer.ReadFile("h.csv", strings.NewReader(strings.Join(importer.Header, ",")+",姓名,电话\n"), catalog.Default(), today)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Errors) != 2 || res.Errors[0].Column != "电话" || res.Errors[1].Column != "姓名" || res.Rows != 0 {
		t.Errorf("holders: %v", res.Errors)
	}
	er, err := importer.ReadEnterprises("e.csv", strings.NewReader("统一社会信用代码,单位名称,地址,所在区\n"), catalog.Default())
	if err != nil {
		t.Fatal(err)
	}
	if len(er.Errors) != 2 || er.Errors[0].Column != "注册地址" || er.Errors[1].Column != "地址" {
		t.Errorf("enterprises: %v", er.Errors)
	}
}
