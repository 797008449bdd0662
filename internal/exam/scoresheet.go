package exam

import (
	"fmt"
	"strings"

	"opcert/internal/application"
	"opcert/internal/civil"
)

// The columns of a score sheet, in the template's order: the candidate by
// 申请号 or 准考证号 (either is enough), the name as a check that the row is
// the person meant, and the scores.
const (
	ColumnNumber    = "申请号"
	ColumnTicket    = "准考证号"
	ColumnName      = "姓名"
	ColumnTheory    = "理论"
	ColumnPractical = "实操"
)

// SheetColumns are the columns of a score sheet in the template's order.
var SheetColumns = []string{ColumnNumber, ColumnTicket, ColumnName, ColumnTheory, ColumnPractical}

// TicketNumber is the 准考证号 printed on a candidate's 准考证.
func TicketNumber(applicationNumber string) string { return "ZK" + applicationNumber }

// ScoreRow is one row of a score sheet as it was typed; Line is its row
// number as the spreadsheet shows it (the header is row 1).
type ScoreRow struct {
	Line                                    int
	Number, Ticket, Name, Theory, Practical string
}

// RowProblem says what is wrong with one row: 行号, 列名 (empty for the
// whole row) and 原因.
type RowProblem struct {
	Line    int
	Column  string
	Message string
}

// ScoreLine is a row that can be recorded: its candidate and the scores the
// entry records.
type ScoreLine struct {
	Row       ScoreRow
	Candidate Candidate
	Scores    Scores
}

// CheckScoreSheet checks the rows of a score sheet for one session against
// the institution's candidates, each with the rule of a score entry by
// hand (CheckScores): the row names a candidate (by 申请号 or 准考证号,
// agreeing when both are given) seated in this session for the current
// attempt, under their own name, at most once in the sheet, with the
// scores CheckScores accepts. Every problem of a row is reported, so the
// sheet is corrected in one pass.
func CheckScoreSheet(rows []ScoreRow, sessionID int64, candidates []Candidate, b *Board, today civil.Date, p application.Policy) ([]ScoreLine, []RowProblem) {
	byNumber := map[string]Candidate{}
	for _, c := range candidates {
		byNumber[c.Number] = c
	}
	seen := map[int64]int{} // application → the line that named it first
	var good []ScoreLine
	var problems []RowProblem
	for _, r := range rows {
		fail := func(column, msg string) {
			problems = append(problems, RowProblem{Line: r.Line, Column: column, Message: msg})
		}
		number, ticket := strings.TrimSpace(r.Number), strings.ToUpper(strings.TrimSpace(r.Ticket))
		column := ColumnNumber
		if number == "" {
			column = ColumnTicket
		}
		switch {
		case number == "" && ticket == "":
			fail(ColumnNumber, "请填写申请号或准考证号")
			continue
		case number == "":
			number = strings.TrimPrefix(ticket, "ZK")
			if number == ticket {
				fail(ColumnTicket, "准考证号“"+r.Ticket+"”格式不正确，应为 ZK 加申请号")
				continue
			}
		case ticket != "" && ticket != TicketNumber(number):
			fail(ColumnTicket, "准考证号与申请号不是同一考生，请核对")
			continue
		}
		c, ok := byNumber[number]
		if !ok {
			fail(column, "该考生不在本机构待录入成绩的考生名单中，请核对"+column)
			continue
		}
		if !c.SeatedIn(sessionID) {
			fail(column, "该考生本次考试未安排在本场次，请在其所在场次导入成绩")
			continue
		}
		if first, dup := seen[c.ApplicationID]; dup {
			fail(column, fmt.Sprintf("与第 %d 行为同一考生，每名考生只能有一行", first))
			continue
		}
		seen[c.ApplicationID] = r.Line
		bad := false
		switch name := strings.TrimSpace(r.Name); {
		case name == "":
			fail(ColumnName, "请填写考生姓名")
			bad = true
		case name != c.Name:
			fail(ColumnName, "姓名与"+column+"不符，请核对是否填错了行")
			bad = true
		}
		scores, ps := CheckScores(c, ScoreInput{Theory: r.Theory, Practical: r.Practical}, b, today, p)
		for _, pr := range ps {
			fail(SheetColumn(pr.Field), pr.Message)
		}
		if !bad && len(ps) == 0 {
			good = append(good, ScoreLine{Row: r, Candidate: c, Scores: scores})
		}
	}
	return good, problems
}

// SheetColumn is the score sheet column of a score entry's field.
func SheetColumn(field string) string {
	switch field {
	case string(Theory):
		return ColumnTheory
	case string(Practical):
		return ColumnPractical
	}
	return ""
}

// SeatedIn reports a seat (not a waitlist place) of the current attempt in
// the session.
func (c Candidate) SeatedIn(sessionID int64) bool {
	for _, s := range c.Seats {
		if s.SessionID == sessionID && s.Attempt == c.Attempt() && s.Seated() {
			return true
		}
	}
	return false
}
