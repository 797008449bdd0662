package application

// Commitment is the answer to the 自我承诺 step (seed 000, 3.1):
// "持证期间是否发生过违章作业行为和责任事故".
type Commitment int

const (
	Unanswered       Commitment = iota
	NoIncident                  // 未发生过
	IncidentOccurred            // 发生过
)

// String is the value stored in Form.Incident: "no", "yes", or "" while
// unanswered.
func (c Commitment) String() string {
	switch c {
	case NoIncident:
		return "no"
	case IncidentOccurred:
		return "yes"
	}
	return ""
}

// ParseCommitment reads Form.Incident; anything else is Unanswered, so a
// tampered value never counts as a promise.
func ParseCommitment(s string) Commitment {
	switch s {
	case "no":
		return NoIncident
	case "yes":
		return IncidentOccurred
	}
	return Unanswered
}

// CommitmentQuestion is the question as the seed asks it.
const CommitmentQuestion = "持证期间是否发生过违章作业行为和责任事故"

// Label is the button text of the answer.
func (c Commitment) Label() string {
	switch c {
	case NoIncident:
		return "未发生过"
	case IncidentOccurred:
		return "发生过"
	}
	return ""
}

// CheckCommitment decides what the answer means for the matter.
//
// For 复审, 发生过 fails renewal condition (二) of TSG Z6001-2019: "持证期间
// 无违章作业、未发生责任事故" (SOURCES.md §3, S10). The online service cannot
// weigh the circumstances, so it stops the 复审 and sends the applicant to
// the 受理机关.
//
// For 新办, 增项 and 补证 the 2019 conditions attach no such bar, so the answer
// is recorded and a 情况说明 is asked for (RequiredMaterials with
// IncidentReported) for the officer to weigh; that material is our choice.
func CheckCommitment(m Matter, c Commitment) (ok bool, message string) {
	switch c {
	case NoIncident:
		return true, ""
	case IncidentOccurred:
		if m == MatterRenew {
			return false, "根据《特种设备作业人员考核规则》（TSG Z6001-2019），复审须满足持证期间无违章作业、未发生责任事故的条件。您选择了“发生过”，不能在网上申请复审，请联系受理机关咨询办理。"
		}
		return true, "请在申请材料中上传违章作业行为和责任事故的情况说明，受理机关将据此审查。"
	case Unanswered:
		return false, "请选择" + CommitmentQuestion
	}
	return false, "自我承诺的选项无效，请重新选择" + CommitmentQuestion
}

// InterruptionQuestion is renewal condition (三) of TSG Z6001-2019 asked of
// the applicant beside the self-commitment (SOURCES.md §3, S10: 持证期间聘用
// 记录中所从事持证项目的作业时间连续中断未超过1年).
const InterruptionQuestion = "持证期间所从事持证项目的作业时间是否连续中断超过1年"

// Interruption is the answer to InterruptionQuestion, stored in
// Form.WorkInterrupted as "no" (未超过1年), "yes" (超过1年) or "".
type Interruption = Commitment

// CheckSelfDeclaration applies the 自我承诺 step (seed 000 3.1) and, for 复审,
// renewal condition (三): work not interrupted more than a year. Not met,
// the item cannot be renewed; the holder sits the exam again (SOURCES.md
// §3, renewal exam, S30), so the online 复审 stops with that consequence.
func CheckSelfDeclaration(f *Form) []Problem {
	var out []Problem
	if ok, msg := CheckCommitment(f.Matter, ParseCommitment(f.Incident)); !ok {
		out = append(out, Problem{Field: "incident", Label: CommitmentQuestion, Message: msg})
	}
	if f.Matter != MatterRenew {
		return out
	}
	switch ParseCommitment(f.WorkInterrupted) {
	case Unanswered:
		out = append(out, Problem{Field: "work_interrupted", Label: InterruptionQuestion, Message: "请选择" + InterruptionQuestion})
	case IncidentOccurred:
		out = append(out, Problem{Field: "work_interrupted", Label: InterruptionQuestion, Message: "根据《特种设备作业人员考核规则》（TSG Z6001-2019），复审须满足持证期间作业时间连续中断未超过1年的条件。" +
			"您选择了“超过1年”，不符合复审条件，不能申请复审；如需继续从事该项作业，须重新参加考试取证（申请新办），可联系受理机关咨询。"})
	}
	return out
}
