package upload

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

func realXLSX(t *testing.T) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	f.SetSheetRow("Sheet1", "A1", &[]any{"申请号", "姓名"})
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// An import takes an xlsx workbook, recognised by its content, and says of
// anything else what it is.
func TestCheckSheet(t *testing.T) {
	good := realXLSX(t)
	for _, name := range []string{"成绩.xlsx", "成绩", "成绩.XLSX"} {
		if err := CheckSheet("成绩表", name, good); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	if err := CheckSheet("成绩表", "成绩.xlsx", xlsxFile()); err != nil {
		t.Errorf("a minimal workbook: %v", err)
	}
	for _, tc := range []struct {
		rule, name string
		data       []byte
		code, msg  string
	}{
		{"empty", "成绩.xlsx", nil, "empty", "「成绩表」文件是空的"},
		{"at most 2 MB", "成绩.xlsx", append(good, make([]byte, MaxSheetSize)...), "too_large", "文件大小超过2MB"},
		{"a picture renamed .xlsx", "成绩.xlsx", photo(40, 56, white), "disguised", "文件名为 .xlsx，但内容不是 Excel 表格（内容是 PNG 图片）"},
		{"a Word document renamed .xlsx", "成绩.xlsx", minimalDocx(), "disguised", "内容是 Word 文档（docx）"},
		{"a csv", "成绩.csv", []byte("申请号,姓名\n1,张三\n"), "type", "只能上传 Excel 表格（xlsx）"},
		{"an old xls", "成绩.xls", cfbFile([]string{"Workbook"}, "", nil, 0), "type", "旧版 Excel 表格（xls）"},
		{"cut short", "成绩.xlsx", good[:len(good)/2], "damaged", "文件已损坏或不完整"},
	} {
		err := CheckSheet("成绩表", tc.name, tc.data)
		var e *Error
		if !errors.As(err, &e) || e.Code != tc.code || !strings.Contains(e.Message, tc.msg) {
			t.Errorf("%s: %v", tc.rule, err)
		}
	}
}
