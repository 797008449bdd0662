package exam

import (
	"fmt"
	"testing"

	"opcert/internal/civil"
)

// A score sheet's rows are checked with the rule of an entry by hand
// (CheckScores), and each says which candidate it is for.
func TestCheckScoreSheet(t *testing.T) {
	b := &Board{Sessions: []Session{session(1, Theory, "2026-11-20", "09:00", 5, "A", "P"), session(2, Practical, "2026-11-21", "09:00", 5, "P"),
		session(3, Theory, "2026-11-21", "13:00", 5, "P")}}
	seat := func(c *Candidate, sub Subject, sessionID int64, n int) {
		c.Seats = append(c.Seats, Seat{ApplicationID: c.ApplicationID, Subject: sub, Attempt: 1, SessionID: sessionID, Number: n})
	}
	p := cand(1, "2026-11-10", "P")
	p.Name = "𠮷祥"
	seat(&p, Theory, 1, 1)
	seat(&p, Practical, 2, 1)
	a := cand(2, "2026-11-10", "A")
	a.Name = "王强"
	seat(&a, Theory, 1, 2)
	elsewhere := cand(3, "2026-11-10", "P")
	elsewhere.Name = "李娜"
	seat(&elsewhere, Theory, 3, 1)
	seat(&elsewhere, Practical, 2, 2)
	waiting := cand(4, "2026-11-10", "A")
	waiting.Name = "刘洋"
	waiting.Seats = []Seat{{ApplicationID: 4, Subject: Theory, Attempt: 1, SessionID: 1, Waitlist: 1}}
	candidates := []Candidate{p, a, elsewhere, waiting}
	row := func(line int, number, ticket, name, theory, practical string) ScoreRow {
		return ScoreRow{Line: line, Number: number, Ticket: ticket, Name: name, Theory: theory, Practical: practical}
	}
	good, problems := CheckScoreSheet([]ScoreRow{
		row(2, p.Number, "", "𠮷祥", "85", "72"),
		row(3, "", "zk"+a.Number, "王强", "75", ""),
	}, 1, candidates, b, today, policy)
	if len(problems) != 0 || len(good) != 2 || good[0].Scores != (Scores{Theory: 85, Practical: 72, Sat: civil.MustParse("2026-11-21")}) ||
		good[1].Candidate.ApplicationID != a.ApplicationID || good[1].Scores.Theory != 75 {
		t.Fatalf("good sheet: %+v %+v", good, problems)
	}
	for _, tc := range []struct {
		rule string
		row  ScoreRow
		want string // "column: message"
	}{
		{"a candidate is named", row(2, "", "", "𠮷祥", "85", "72"), "申请号: 请填写申请号或准考证号"},
		{"a 准考证号 is ZK and the 申请号", row(2, "", "2611", "𠮷祥", "85", "72"), "准考证号: 准考证号“2611”格式不正确，应为 ZK 加申请号"},
		{"both numbers name one candidate", row(2, p.Number, "ZK"+a.Number, "𠮷祥", "85", "72"), "准考证号: 准考证号与申请号不是同一考生，请核对"},
		{"a candidate of the institution", row(2, "261199999999", "", "𠮷祥", "85", "72"), "申请号: 该考生不在本机构待录入成绩的考生名单中，请核对申请号"},
		{"seated in this session", row(2, elsewhere.Number, "", "李娜", "85", "72"), "申请号: 该考生本次考试未安排在本场次，请在其所在场次导入成绩"},
		{"a waitlist place is no seat", row(2, waiting.Number, "", "刘洋", "85", ""), "申请号: 该考生本次考试未安排在本场次，请在其所在场次导入成绩"},
		{"the name is the candidate's", row(2, p.Number, "", "吉祥", "85", "72"), "姓名: 姓名与申请号不符，请核对是否填错了行"},
		{"a name is given", row(2, "", "ZK"+p.Number, "", "85", "72"), "姓名: 请填写考生姓名"},
		{"scores as by hand: whole numbers", row(2, p.Number, "", "𠮷祥", "八十五", "72"), "理论: 请填写理论知识考试成绩（0–100 的整数）"},
		{"scores as by hand: at most 100", row(2, p.Number, "", "𠮷祥", "85", "101"), "实操: 请填写实际操作技能考试成绩（0–100 的整数）"},
		{"scores as by hand: A has no practical", row(2, a.Number, "", "王强", "75", "80"), "实操: 特种设备安全管理（A）只考理论知识，请勿填写实际操作技能考试成绩"},
	} {
		good, problems := CheckScoreSheet([]ScoreRow{tc.row}, 1, candidates, b, today, policy)
		got := ""
		if len(problems) == 1 {
			got = problems[0].Column + ": " + problems[0].Message
		}
		if len(good) != 0 || got != tc.want || (len(problems) == 1 && problems[0].Line != 2) {
			t.Errorf("%s: good %d, problems %+v, want %q", tc.rule, len(good), problems, tc.want)
		}
	}
	// The same candidate twice: the second row is refused, the first kept.
	good, problems = CheckScoreSheet([]ScoreRow{row(2, p.Number, "", "𠮷祥", "85", "72"), row(5, "", "ZK"+p.Number, "𠮷祥", "90", "90")}, 1, candidates, b, today, policy)
	if len(good) != 1 || len(problems) != 1 || fmt.Sprint(problems[0]) != "{5 准考证号 与第 2 行为同一考生，每名考生只能有一行}" {
		t.Fatalf("duplicate: %+v %+v", good, problems)
	}
	// Every problem of a row at once: the name and both scores.
	_, problems = CheckScoreSheet([]ScoreRow{row(2, p.Number, "", "", "x", "y")}, 1, candidates, b, today, policy)
	if len(problems) != 3 {
		t.Fatalf("all problems of a row: %+v", problems)
	}
}
