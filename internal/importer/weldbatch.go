package importer

import (
	"bytes"
	"fmt"

	"opcert/internal/weldexam"
)

// weldBatchLayout is the 批量报名 workbook (weldexam.BatchColumns); the
// employer's columns may be left out (the uploading 单位's own apply).
var weldBatchLayout = Layout{Columns: weldexam.BatchColumns, Optional: weldexam.BatchOptional, MaxUnzipped: 64 << 20, Scan: true}

// ReadWeldBatch reads the rows of a 批量报名 workbook, an xlsx already
// recognised as one (upload.CheckSheet). A header that is not the
// template's, no candidate, or more than weldexam.MaxBatchRows give no rows
// and their problems; err is set only when the file cannot be read at all.
func ReadWeldBatch(data []byte) ([]weldexam.BatchRow, []RowError, error) {
	rows, problems, err := ReadSheet("batch.xlsx", bytes.NewReader(data), weldBatchLayout)
	if err != nil || len(problems) > 0 {
		return nil, problems, err
	}
	switch {
	case len(rows) == 0:
		return nil, []RowError{{Row: 2, Message: "表中没有考生：请在表头下从第2行起每行填写一位考生"}}, nil
	case len(rows) > weldexam.MaxBatchRows:
		return nil, []RowError{{Row: rows[weldexam.MaxBatchRows].Line, Message: fmt.Sprintf("一次最多报名%d人（本表有%d人），请分成几个表格上传", weldexam.MaxBatchRows, len(rows))}}, nil
	}
	out := make([]weldexam.BatchRow, len(rows))
	for i, r := range rows {
		cells := make(map[string]string, len(weldexam.BatchColumns))
		for _, c := range weldexam.BatchColumns {
			if v := r.Get(c); v != "" {
				cells[c] = v
			}
		}
		out[i] = weldexam.BatchRow{Line: r.Line, Cells: cells}
	}
	return out, nil, nil
}
