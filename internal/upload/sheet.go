package upload

import (
	"bytes"
	"strings"
)

// MaxSheetSize is the largest spreadsheet an import takes. A session's
// scores are at most MaxCapacity (500) rows of a few cells, some tens of
// KB; a file of megabytes is the wrong file, and reading a huge workbook
// would hold the server's memory for nothing.
const MaxSheetSize = 2 << 20

// xlsxWhat is how identify names an Excel workbook.
const xlsxWhat = "Excel 表格（xlsx）"

// CheckSheet accepts an Excel workbook (xlsx) for an import, the type taken
// from the content and never from the name, or says why not in words the
// uploader can act on: empty, too large, damaged, or another kind of file
// (an old xls, a csv, a picture renamed .xlsx). what names the file as the
// page does (成绩表).
func CheckSheet(what, filename string, data []byte) error {
	if len(data) == 0 {
		return refuse("empty", "「%s」文件是空的（0 字节），请重新选择文件", what)
	}
	if len(data) > MaxSheetSize {
		return refuse("too_large", "「%s」文件大小超过2MB（实际 %.1fMB）：请只保留本场次考生的行后重新上传", what, float64(len(data))/(1<<20))
	}
	s := identify(data[:min(len(data), sniffLen)], bytes.NewReader(data), int64(len(data)))
	ext := extOf(filename)
	switch {
	case s.what == xlsxWhat && !s.damaged:
		return nil
	case s.damaged && (s.what == xlsxWhat || s.what == "Office 文档" || strings.Contains(s.what, "压缩包")):
		// A workbook is a zip: one cut short has lost the directory at
		// its end, and no longer says what it was.
		return refuse("damaged", "「%s」文件已损坏或不完整，无法作为 Excel 表格打开，请用 Excel 或 WPS 重新保存后上传", what)
	case s.what == "Excel 表格（xls）":
		return refuse("type", "「%s」是旧版 Excel 表格（xls）：请在 Excel 或 WPS 中另存为 xlsx 格式后上传", what)
	case ext == ".xlsx":
		return refuse("disguised", "「%s」文件名为 .xlsx，但内容不是 Excel 表格（内容是%s）：请上传用 Excel 或 WPS 保存的 xlsx 文件", what, spaced(s.what))
	}
	return refuse("type", "「%s」文件类型不支持：只能上传 Excel 表格（xlsx），您上传的文件内容是%s", what, spaced(s.what))
}
