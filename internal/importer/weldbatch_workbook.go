package importer

import (
	"bytes"

	"github.com/xuri/excelize/v2"

	"opcert/internal/catalog"
	"opcert/internal/weldexam"
)

// WeldBatchWorkbook writes the 批量报名 workbook: the sheet 报名 with the
// header and the rows given (cells by column; none for the template), and
// the sheet 填写说明 explaining each column and its codes.
func WeldBatchWorkbook(rows []map[string]string, cat *catalog.Catalog) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", weldexam.BatchSheet); err != nil {
		return nil, err
	}
	sw, err := f.NewStreamWriter(weldexam.BatchSheet)
	if err != nil {
		return nil, err
	}
	// Every column is text, so that Excel keeps an 身份证号's 18 digits and
	// a 邮政编码's leading zero as typed.
	text, err := f.NewStyle(&excelize.Style{NumFmt: 49})
	if err != nil {
		return nil, err
	}
	if err := sw.SetColStyle(1, len(weldexam.BatchColumns), text); err != nil {
		return nil, err
	}
	for i, w := range map[int]float64{1: 12, 4: 30, 7: 22, 8: 16, 11: 46, 12: 30, 13: 22, 20: 60, 21: 40} {
		if err := sw.SetColWidth(i, i, w); err != nil {
			return nil, err
		}
	}
	header := make([]any, len(weldexam.BatchColumns))
	for i, c := range weldexam.BatchColumns {
		header[i] = c
	}
	if err := sw.SetRow("A1", header); err != nil {
		return nil, err
	}
	for i, r := range rows {
		cells := make([]any, len(weldexam.BatchColumns))
		for j, c := range weldexam.BatchColumns {
			cells[j] = r[c]
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := sw.SetRow(cell, cells); err != nil {
			return nil, err
		}
	}
	if err := sw.Flush(); err != nil {
		return nil, err
	}
	if _, err := f.NewSheet(weldexam.BatchGuideSheet); err != nil {
		return nil, err
	}
	f.SetSheetRow(weldexam.BatchGuideSheet, "A1", &[]any{"列名", "填写说明"})
	for i, g := range weldexam.BatchGuide(cat) {
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		f.SetSheetRow(weldexam.BatchGuideSheet, cell, &[]any{g[0], g[1]})
	}
	f.SetColWidth(weldexam.BatchGuideSheet, "A", "A", 30)
	f.SetColWidth(weldexam.BatchGuideSheet, "B", "B", 100)
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
