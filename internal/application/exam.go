package application

import (
	"fmt"
	"slices"

	"opcert/internal/catalog"
)

// ExamOutcome is the result of the exams recorded for an application.
type ExamOutcome struct {
	Passed bool
	// Retake: failed, and the failed subject may be taken once more (补考).
	Retake  bool
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

// ExamVerdict is what a recorded score means for the application: passed
// (the decision follows), or failed with or without a 补考. One subject
// failed while the other passed may be retaken once; both failed, a retake
// failed again, or A 特种设备安全管理 (theory only) — no 补考, the applicant
// must apply again (SOURCES.md §3, S11; DESIGN.md). earlier are the scores
// already recorded for this application.
func ExamVerdict(items []catalog.Qualification, theory, practical int, p Policy, earlier []ExamResult) (ExamOutcome, error) {
	out, err := CheckExamScores(items, theory, practical, p)
	if err != nil || out.Passed {
		return out, err
	}
	theoryOnly := len(items) > 0
	for _, q := range items {
		if q.Code != "A" {
			theoryOnly = false
		}
	}
	failedBefore := false
	for _, r := range earlier {
		failedBefore = failedBefore || !r.Passed
	}
	switch {
	case theoryOnly:
		out.Message += "；特种设备安全管理（A）不设补考，须重新申请"
	case failedBefore:
		out.Message += "；补考仍不合格，须重新申请"
	case theory < p.ExamPassMark && practical < p.ExamPassMark:
		out.Message = fmt.Sprintf("理论知识考试 %d 分、实际操作技能考试 %d 分，两科均不合格，不能补考，须重新申请", theory, practical)
	default:
		out.Retake = true
		out.Message += "；可补考一次"
	}
	return out, nil
}

// Arrangement is how the exam after 受理 is arranged for an application's
// items (seed 000 2.1 注1–3).
type Arrangement int

const (
	// ArrangedByExamSystem: general items, seated by the exam institution in
	// a 考试场次, with a 准考证 the applicant prints (注1).
	ArrangedByExamSystem Arrangement = iota
	// ArrangedByR3Institution: R3 is examined by 中国人民解放军海军特色医学中心,
	// which notifies the applicant itself; no 准考证 (注1, 注2).
	ArrangedByR3Institution
	// ArrangedWithChosenInstitution: 安全阀校验 and 客运索道 applicants contact
	// the exam institution they chose when applying; no 准考证 (注1, 注3).
	ArrangedWithChosenInstitution
)

// ExamArrangement says how the exam of these items is arranged. R3 comes
// first: it cannot be combined with other items anyway (seed 000 3.2 注2).
func ExamArrangement(items []catalog.Qualification) Arrangement {
	for _, q := range items {
		if isR3(q) {
			return ArrangedByR3Institution
		}
	}
	for _, q := range items {
		if examinedByChosenInstitution(q) {
			return ArrangedWithChosenInstitution
		}
	}
	return ArrangedByExamSystem
}

// ExamNotice tells the applicant how the exam after 受理 is arranged (seed
// 000 2.1 注1–3): general items through the exam website and a 准考证; R3 by
// 中国人民解放军海军特色医学中心, which notifies the applicant; 安全阀校验 and
// 客运索道 items by the exam institution chosen when applying, whom the
// applicant contacts.
func ExamNotice(items []catalog.Qualification, institution string) string {
	switch ExamArrangement(items) {
	case ArrangedByR3Institution:
		return "R3（氧舱维护保养）项目的考试机构为中国人民解放军海军特色医学中心，排考信息将由考试机构通知，请保持联系电话畅通。"
	case ArrangedWithChosenInstitution:
		who := "申请时指定的考试机构"
		if institution != "" {
			who = "申请时指定的考试机构（" + institution + "）"
		}
		return "安全阀校验、客运索道作业项目新取证，请自行联系" + who + "参加考试。"
	}
	return "请及时登录网站 www.tzsbks.sh.cn 查询考试安排，并打印准考证，按时参加理论知识考试和实际操作技能考试。"
}

// ExamInstitution is a 考试机构 and the items it examines.
type ExamInstitution struct {
	Name    string
	Items   []catalog.NewCode
	Contact string
}

// examinedByChosenInstitution are the items whose applicants choose the
// exam institution when applying and contact it (seed 000 2.1 注3: 安全阀校验,
// 客运索道作业).
func examinedByChosenInstitution(q catalog.Qualification) bool {
	switch q.Code {
	case "F", "S1", "S2":
		return true
	}
	return false
}

// InstitutionsToChoose are the institutions a 新办/增项 applicant chooses
// among (those examining every such item applied for), and whether a
// choice is needed at all.
func InstitutionsToChoose(m Matter, items []catalog.Qualification, all []ExamInstitution) ([]ExamInstitution, bool) {
	if m != MatterNew && m != MatterAdd {
		return nil, false
	}
	var need []catalog.Qualification
	for _, q := range items {
		if examinedByChosenInstitution(q) {
			need = append(need, q)
		}
	}
	if len(need) == 0 {
		return nil, false
	}
	var out []ExamInstitution
	for _, e := range all {
		ok := true
		for _, q := range need {
			ok = ok && slices.Contains(e.Items, q.Code)
		}
		if ok {
			out = append(out, e)
		}
	}
	return out, true
}

// checkExamInstitution is the choice InstitutionsToChoose asks for.
func checkExamInstitution(f *Form, items []catalog.Qualification, all []ExamInstitution) *Problem {
	list, needed := InstitutionsToChoose(f.Matter, items, all)
	if !needed {
		return nil
	}
	for _, e := range list {
		if e.Name == f.ExamInstitution {
			return nil
		}
	}
	if len(list) == 0 {
		return &Problem{Field: "exam_institution", Label: "考试机构", Message: "暂无可考所选项目的考试机构，请联系受理机关"}
	}
	return &Problem{Field: "exam_institution", Label: "考试机构", Message: "安全阀校验、客运索道作业项目须在申请时选择考试机构，考试时由申请人自行联系"}
}
