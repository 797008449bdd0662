package casework

import (
	"context"
	"slices"

	"opcert/internal/application"
	"opcert/internal/exam"
	"opcert/internal/importer"
	"opcert/internal/store"
	"opcert/internal/upload"
)

// ScoreSheet is a 考试场次's score sheet as checked, before anything is
// recorded: the rows that can be recorded and the problems of the others.
type ScoreSheet struct {
	Session exam.Session
	Items   string
	// Rows are every row read, carried to the confirmation, which checks
	// them again.
	Rows     []exam.ScoreRow
	Good     []exam.ScoreLine
	Problems []exam.RowProblem // by row
}

// scoreSheetName is the file as the pages and refusals name it.
const scoreSheetName = "成绩表"

// pendingScore is a good row's change, decided and not yet written.
type pendingScore struct {
	loaded Loaded
	change application.Change
}

// sessionOfDesk is a session of the staff member's institution.
func sessionOfDesk(d *examDesk, sessionID int64) (exam.Session, error) {
	x, ok := d.board.Session(sessionID)
	if !ok {
		return exam.Session{}, Errorf(NotFound, "考试场次不存在")
	}
	return x, nil
}

// ScoreSheetTemplate is the session and the rows of its template: each
// candidate seated in it for the current attempt and still to be scored,
// with the 申请号, 准考证号 and 姓名 filled in and the scores blank.
func (s *Service) ScoreSheetTemplate(ctx context.Context, who Actor, sessionID int64) (exam.Session, []exam.ScoreRow, error) {
	d, err := s.desk(ctx, who)
	if err != nil {
		return exam.Session{}, nil, err
	}
	x, err := sessionOfDesk(d, sessionID)
	if err != nil {
		return exam.Session{}, nil, err
	}
	var rows []exam.ScoreRow
	for _, c := range d.candidates {
		if c.SeatedIn(sessionID) && len(exam.Needed(c, d.policy)) > 0 {
			rows = append(rows, exam.ScoreRow{Line: len(rows) + 2, Number: c.Number, Ticket: exam.TicketNumber(c.Number), Name: c.Name})
		}
	}
	return x, rows, nil
}

// ReadScoreSheet checks an uploaded score sheet of a session: an xlsx
// workbook (upload.CheckSheet: not too large, not another kind of file
// renamed) with the template's header, every row checked as an entry by
// hand would be. Nothing is recorded (RecordScoreSheet, once the staff
// have seen the report, does).
func (s *Service) ReadScoreSheet(ctx context.Context, who Actor, sessionID int64, filename string, data []byte) (ScoreSheet, error) {
	d, err := s.desk(ctx, who)
	if err != nil {
		return ScoreSheet{}, err
	}
	if _, err := sessionOfDesk(d, sessionID); err != nil {
		return ScoreSheet{}, err
	}
	if err := upload.CheckSheet(scoreSheetName, filename, data); err != nil {
		return ScoreSheet{}, &Error{Code: Invalid, Field: "file", Label: scoreSheetName, Message: err.Error()}
	}
	rows, header, err := importer.ReadScoreSheet(data)
	if err != nil {
		return ScoreSheet{}, &Error{Code: Invalid, Field: "file", Label: scoreSheetName, Message: "「" + scoreSheetName + "」" + err.Error() + "，请用 Excel 或 WPS 重新保存后上传"}
	}
	if len(header) > 0 {
		sheet, _, err := s.checkSheet(ctx, who, d, sessionID, nil)
		for _, h := range header {
			sheet.Problems = append(sheet.Problems, exam.RowProblem{Line: h.Row, Column: h.Column, Message: h.Message})
		}
		return sheet, err
	}
	sheet, _, err := s.checkSheet(ctx, who, d, sessionID, rows)
	return sheet, err
}

// CheckScoreSheet checks rows of a session's score sheet again, as they
// were read and carried by the page (the report's download).
func (s *Service) CheckScoreSheet(ctx context.Context, who Actor, sessionID int64, rows []exam.ScoreRow) (ScoreSheet, error) {
	d, err := s.desk(ctx, who)
	if err != nil {
		return ScoreSheet{}, err
	}
	sheet, _, err := s.checkSheet(ctx, who, d, sessionID, rows)
	return sheet, err
}

// checkSheet checks the rows (exam.CheckScoreSheet) and decides each good
// row's change as an entry by hand; a row the decision refuses becomes a
// problem of the row.
func (s *Service) checkSheet(ctx context.Context, who Actor, d *examDesk, sessionID int64, rows []exam.ScoreRow) (ScoreSheet, []pendingScore, error) {
	x, err := sessionOfDesk(d, sessionID)
	if err != nil {
		return ScoreSheet{}, nil, err
	}
	sheet := ScoreSheet{Session: x, Items: x.ItemList(s.catalog), Rows: rows}
	good, problems := exam.CheckScoreSheet(rows, sessionID, d.candidates, d.board, s.today(), d.policy)
	var pending []pendingScore
	for _, g := range good {
		l, ch, err := s.scoreChange(ctx, who, d, g.Candidate, g.Scores)
		if ErrorCode(err) == "" && err != nil {
			return ScoreSheet{}, nil, err
		}
		if err != nil {
			for _, e := range FieldErrors(err) {
				problems = append(problems, exam.RowProblem{Line: g.Row.Line, Column: exam.SheetColumn(e.Field), Message: e.Message})
			}
			continue
		}
		sheet.Good = append(sheet.Good, g)
		pending = append(pending, pendingScore{loaded: l, change: ch})
	}
	slices.SortStableFunc(problems, func(a, b exam.RowProblem) int { return a.Line - b.Line })
	sheet.Problems = problems
	return sheet, pending, nil
}

// RecordScoreSheet records the good rows of a score sheet the staff have
// confirmed, checked again first: if fewer or more rows would be recorded
// than the report they confirmed said (expect), something changed in
// between and nothing is recorded. Otherwise every good row is recorded
// as an entry by hand would record it (history line, SMS, audit entry),
// all in one transaction: the sheet is recorded whole or not at all.
func (s *Service) RecordScoreSheet(ctx context.Context, who Actor, sessionID int64, rows []exam.ScoreRow, expect int) (ScoreSheet, error) {
	d, err := s.desk(ctx, who)
	if err != nil {
		return ScoreSheet{}, err
	}
	sheet, pending, err := s.checkSheet(ctx, who, d, sessionID, rows)
	switch {
	case err != nil:
		return ScoreSheet{}, err
	case len(pending) == 0:
		return sheet, &Error{Code: Invalid, Field: "file", Label: scoreSheetName, Message: "成绩表中没有可以录入的成绩，请按检查报告修改后重新上传"}
	case len(pending) != expect:
		return sheet, &Error{Code: Conflict, Field: "file", Label: scoreSheetName,
			Message: "检查之后考生情况有变化，可录入的行数与您确认时不同，本次未录入任何成绩。请核对下方最新的检查结果后重新确认。"}
	}
	ts := make([]store.Transition, 0, len(pending))
	for _, p := range pending {
		t, err := s.transition(ctx, who, p.loaded, p.loaded.Version, p.change)
		if err != nil {
			return sheet, err
		}
		ts = append(ts, t)
	}
	if _, err := s.store.ApplyAll(ctx, ts); err != nil {
		return sheet, s.applyRefusal(who, err)
	}
	s.log.Info("score sheet recorded", "institution_id", d.institution.ID, "session_id", sessionID, "rows", len(ts), "actor_id", who.UserID)
	return sheet, nil
}
