package application

import (
	"fmt"

	"opcert/internal/catalog"
)

// ExamOutcome is the result of the exams recorded for an application.
type ExamOutcome struct {
	Passed  bool
	Message string
}

// CheckExamScores applies the pass mark to the two subjects: 理论知识考试
// and 实际操作技能考试, each out of 100; A 特种设备安全管理 has the theory
// exam only (SOURCES.md §3, S11).
func CheckExamScores(items []catalog.Qualification, theory, practical int, p Policy) (ExamOutcome, error) {
	if theory < 0 || theory > 100 || practical < 0 || practical > 100 {
		return ExamOutcome{}, fmt.Errorf("成绩应在 0 到 100 分之间")
	}
	theoryOnly := len(items) > 0
	for _, q := range items {
		if q.Code != "A" {
			theoryOnly = false
		}
	}
	mark := p.ExamPassMark
	switch {
	case theory < mark:
		return ExamOutcome{Message: fmt.Sprintf("理论知识考试 %d 分，未达到 %d 分合格线", theory, mark)}, nil
	case !theoryOnly && practical < mark:
		return ExamOutcome{Message: fmt.Sprintf("实际操作技能考试 %d 分，未达到 %d 分合格线", practical, mark)}, nil
	}
	return ExamOutcome{Passed: true, Message: "考试合格"}, nil
}
