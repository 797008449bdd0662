package exam

import (
	"slices"
	"strconv"
	"strings"

	"opcert/internal/application"
	"opcert/internal/civil"
)

// ScoreInput is a candidate's scores as exam staff typed them.
type ScoreInput struct {
	Theory, Practical string
}

// Scores are what a score entry records: both subjects' scores, the one not
// retaken carried from the failed attempt, and the day of the last subject
// sat.
type Scores struct {
	Theory, Practical int
	Sat               civil.Date
}

// CheckScores checks a score entry for the candidate's current attempt:
// every subject needed was seated and its session has been held (a score
// is entered after the exam), each typed score is a whole number from 0 to
// 100, and a subject not sat in this attempt is not typed (A has no
// practical exam; a 补考 is of the failed subject only, SOURCES.md §3, S11).
// The verdict itself is application.ExamVerdict's, applied when the score
// is recorded.
func CheckScores(c Candidate, in ScoreInput, b *Board, today civil.Date, p application.Policy) (Scores, application.Problems) {
	need := Needed(c, p)
	if len(need) == 0 {
		return Scores{}, application.Problems{{Field: "theory", Label: "成绩", Message: "该考生的考试成绩已录入，无需再录入"}}
	}
	var out Scores
	if n := len(c.Attempts); n > 0 {
		out.Theory, out.Practical = c.Attempts[n-1].Theory, c.Attempts[n-1].Practical
	}
	var ps application.Problems
	typed := map[Subject]string{Theory: strings.TrimSpace(in.Theory), Practical: strings.TrimSpace(in.Practical)}
	for _, sub := range Subjects {
		field := string(sub)
		if !slices.Contains(need, sub) {
			if typed[sub] != "" {
				msg := "本次不考" + sub.Label() + "，请勿填写"
				if theoryOnly(c.Items) && sub == Practical {
					msg = "特种设备安全管理（A）只考理论知识，请勿填写实际操作技能考试成绩"
				} else if c.Retake() {
					msg = "本次为补考，" + sub.Label() + "成绩沿用首次考试的 " + strconv.Itoa(scoreOf(out, sub)) + " 分，请勿填写"
				}
				ps = append(ps, application.Problem{Field: field, Label: sub.Label() + "成绩", Message: msg})
			}
			continue
		}
		seat, ok := c.seat(sub)
		s, found := b.session(seat.SessionID)
		switch {
		case !ok || !seat.Seated() || !found:
			ps = append(ps, application.Problem{Field: field, Label: sub.Label() + "成绩", Message: "该考生尚未安排" + sub.Label() + "的考场，不能录入成绩"})
			continue
		case s.Date.After(today):
			ps = append(ps, application.Problem{Field: field, Label: sub.Label() + "成绩", Message: sub.Label() + "定于 " + s.Date.Chinese() + " 举行，考试后才能录入成绩"})
			continue
		}
		if s.Date.After(out.Sat) {
			out.Sat = s.Date
		}
		n, err := strconv.Atoi(typed[sub])
		if err != nil || n < 0 || n > 100 {
			ps = append(ps, application.Problem{Field: field, Label: sub.Label() + "成绩", Message: "请填写" + sub.Label() + "成绩（0–100 的整数）"})
			continue
		}
		if sub == Theory {
			out.Theory = n
		} else {
			out.Practical = n
		}
	}
	if len(ps) > 0 {
		return Scores{}, ps
	}
	return out, nil
}

func scoreOf(s Scores, sub Subject) int {
	if sub == Theory {
		return s.Theory
	}
	return s.Practical
}
