package importer

import (
	"bytes"

	"opcert/internal/exam"
)

// scoreLayout is the score sheet of a 考试场次 (exam.SheetColumns): either
// the 申请号 or the 准考证号 names the candidate, so a sheet may leave one of
// the two columns out.
var scoreLayout = Layout{Columns: exam.SheetColumns, Optional: []string{exam.ColumnNumber, exam.ColumnTicket}, MaxUnzipped: 64 << 20}

// ReadScoreSheet reads the rows of a score sheet, an xlsx workbook already
// recognised as one (upload.CheckSheet). A header that is not the
// template's gives no rows and its problems; err is set only when the file
// cannot be read at all.
func ReadScoreSheet(data []byte) ([]exam.ScoreRow, []RowError, error) {
	rows, problems, err := ReadSheet("scores.xlsx", bytes.NewReader(data), scoreLayout)
	if err != nil || len(problems) > 0 {
		return nil, problems, err
	}
	if len(rows) == 0 {
		return nil, []RowError{{Row: 2, Message: "表中没有考生：请在表头下逐行填写考生的申请号（或准考证号）、姓名和成绩"}}, nil
	}
	out := make([]exam.ScoreRow, len(rows))
	for i, r := range rows {
		out[i] = exam.ScoreRow{Line: r.Line, Number: r.Get(exam.ColumnNumber), Ticket: r.Get(exam.ColumnTicket), Name: r.Get(exam.ColumnName),
			Theory: r.Get(exam.ColumnTheory), Practical: r.Get(exam.ColumnPractical)}
	}
	return out, nil, nil
}
