package application

import (
	"errors"
	"strings"
	"testing"

	"opcert/internal/catalog"
	"opcert/internal/registry"
	"opcert/internal/workday"
)

// completeRenewal is a 复审 form of Q8 → Q2(限流动式起重机) that passes every
// step, employer in 徐汇区.
func completeRenewal() Form {
	return Form{Matter: MatterRenew, Incident: "no", WorkInterrupted: "no",
		Items:     []FormItem{{RegistryItemID: 7, From: "2011:Q8", Target: "Q2(限流动式起重机)", ValidUntil: "2027-01-31"}},
		Applicant: Person{Name: "张伟", IDNumber: "11010519491231002X", BirthDate: "1980-05-01", Education: "高中", Mobile: "13800000001"},
		Employer:  Employer{Name: "上海徐汇起重设备安装有限公司", CreditCode: "91310104MA1FL0XQ4F", District: "310104", AddressDetail: "1号", Synced: true},
		PhotoKey:  "photo"}
}

func env() Env {
	return Env{Today: d("2026-11-23"), Calendar: workday.Default(), Policy: ShanghaiPolicy()}
}

// Every action of the state machine, each with what it must do, and with the
// message the applicant gets (DESIGN.md: every state change notifies).
func TestDecideEveryAction(t *testing.T) {
	f := completeRenewal()
	submitted := Case{Status: StatusSubmitted, Number: "261123000001", Form: f, AuthorityName: "徐汇区市场监督管理局",
		Due: workday.Deadline{From: d("2026-11-23"), Workdays: 5, Date: d("2026-11-30")}}
	corrected := submitted
	corrected.Status = StatusCorrection
	corrected.Form.Correction = &Correction{Items: []CorrectionItem{{Target: "material:id_card", Label: "身份证信息", Reason: "不清晰"}}}
	corrected.Files = map[string]int{MaterialIDCard: 1}
	draft := Case{Status: StatusDraft, Form: f, Files: map[string]int{MaterialIDCard: 1}}
	accepted := submitted
	accepted.Status = StatusAccepted
	accepted.Held = map[int64]registry.Item{7: {ID: 7, Ref: oldRef("Q8"), ValidUntil: d("2027-01-31"), Status: registry.ItemValid}}
	newForm := Form{Matter: MatterNew, Items: []FormItem{{Target: "N1"}}}
	examining := Case{Status: StatusExamining, Number: "261123000002", Form: newForm, AuthorityName: "徐汇区市场监督管理局"}
	approved, collecting := accepted, accepted
	approved.Status, collecting.Status = StatusApproved, StatusAwaitingCollection
	abandoning := corrected
	abandoning.CorrectionDue = workday.Deadline{From: d("2026-11-02"), Workdays: 15, Date: d("2026-11-20")}

	tests := []struct {
		rule  string
		c     Case
		act   Action
		role  Role
		in    Input
		to    Status
		topic string
		check func(t *testing.T, ch Change)
	}{
		{"seed 000 3.3 提交: number, items under way, 受理 within 5 working days (行政许可法 第三十二条)", draft, ActionSubmit, RoleApplicant, Input{},
			StatusSubmitted, "submitted", func(t *testing.T, ch Change) {
				if !ch.AssignNumber || ch.AuthorityCode != "310104" || len(ch.Items) != 1 || ch.ItemsActive == nil || !*ch.ItemsActive {
					t.Errorf("submit change %+v", ch)
				}
				if ch.Due.Date != d("2026-11-30") || ch.SMS.Vars["期限"] != "2026年11月30日" || ch.SMS.Vars["受理机关"] != "徐汇区市场监督管理局" {
					t.Errorf("due %+v, vars %v", ch.Due, ch.SMS.Vars)
				}
			}},
		{"补正后提交 (seed 001 第三部分): period runs again from arrival (第三十二条 (五)), 受理机关 kept, own message", corrected, ActionResubmit, RoleApplicant, Input{},
			StatusSubmitted, "resubmitted", func(t *testing.T, ch Change) {
				if ch.AuthorityCode != "" || ch.Form.Correction != nil || strings.Join(ch.Form.AskedBefore, ",") != "material:id_card" {
					t.Errorf("resubmit change %+v", ch)
				}
			}},
		{"撤回 before 受理 frees the items", submitted, ActionWithdraw, RoleApplicant, Input{},
			StatusWithdrawn, "withdrawn", func(t *testing.T, ch Change) {
				if ch.ItemsActive == nil || *ch.ItemsActive || !ch.Due.IsZero() {
					t.Errorf("withdraw change %+v", ch)
				}
			}},
		{"补正 told once with reasons, 15 working days (暂行规定 第十五条)", submitted, ActionRequestCorrection, RoleOfficer,
			Input{Asks: []CorrectionItem{{Target: "material:id_card", Reason: "身份证照片不清晰"}, {Target: "field:unknown", Reason: "x"}}},
			StatusCorrection, "correction", func(t *testing.T, ch Change) {
				c := ch.Form.Correction
				if len(c.Items) != 1 || c.Items[0].Label != "身份证信息" || c.Notice != "BZ261123000001" || c.Deadline != "2026-12-14" {
					t.Errorf("correction %+v", c)
				}
				if ch.CorrectionDue.Date != d("2026-12-14") || !ch.Due.IsZero() || ch.SMS.Vars["期限"] != "2026年12月14日" {
					t.Errorf("deadlines %+v %+v", ch.CorrectionDue, ch.Due)
				}
			}},
		{"受理 of a 复审: decide within 20 working days (第四十二条)", submitted, ActionAccept, RoleOfficer, Input{},
			StatusAccepted, "accepted", func(t *testing.T, ch Change) {
				if ch.AcceptedOn != d("2026-11-23") || ch.Due.Date != d("2026-12-21") {
					t.Errorf("accept change %+v", ch)
				}
			}},
		{"受理 of a 新办 of a general item: examined after 受理 (seed 000 2.1 注1)", Case{Status: StatusSubmitted, Form: newForm}, ActionAcceptForExam, RoleOfficer, Input{},
			StatusExamining, "examining", func(t *testing.T, ch Change) {
				if !ch.Due.IsZero() || ch.AcceptedOn.IsZero() {
					t.Errorf("accept for exam %+v", ch)
				}
			}},
		{"录入考试成绩: pass marks 70 (DESIGN.md), the decision period runs from the result", examining, ActionRecordExam, RoleOfficer, Input{Theory: "80", Practical: "75"},
			StatusAccepted, "exam_recorded", func(t *testing.T, ch Change) {
				if ch.Due.Date != d("2026-12-21") || ch.Note != "理论 80 分，实操 75 分，考试合格" {
					t.Errorf("exam %+v", ch)
				}
			}},
		{"不予受理 needs its reason (第三十二条)", submitted, ActionNotAccept, RoleOfficer, Input{Reason: "不属于本机关职权范围"},
			StatusNotAccepted, "not_accepted", func(t *testing.T, ch Change) {
				if ch.SMS.Vars["理由"] != "不属于本机关职权范围" || ch.DecidedOn.IsZero() || *ch.ItemsActive {
					t.Errorf("not accept %+v", ch)
				}
			}},
		{"准予许可 writes the registry (第三十八条) with its 审批意见", accepted, ActionApprove, RoleOfficer, Input{Opinion: " 同意准予许可 "},
			StatusApproved, "approved", func(t *testing.T, ch Change) {
				if ch.Opinion != "同意准予许可" {
					t.Errorf("opinion %q", ch.Opinion)
				}
				if ch.Grant == nil || len(ch.Grant.Items) != 1 || ch.Grant.Items[0].ValidUntil != d("2031-01-31") || ch.Grant.Supersede[0] != 7 {
					t.Errorf("grant %+v", ch.Grant)
				}
			}},
		{"不予许可 needs its reason and 审批意见", accepted, ActionDeny, RoleOfficer, Input{Reason: "考试不合格", Opinion: "不同意"},
			StatusDenied, "denied", func(t *testing.T, ch Change) {
				if ch.Note != "考试不合格" || ch.Opinion != "不同意" {
					t.Errorf("deny %+v", ch)
				}
			}},
		{"待领证 (seed 000 3.5)", approved, ActionMarkCollect, RoleOfficer, Input{}, StatusAwaitingCollection, "awaiting_collection", nil},
		{"已完成 frees the items (seed 001 第三部分)", collecting, ActionComplete, RoleOfficer, Input{}, StatusCompleted, "completed", func(t *testing.T, ch Change) {
			if ch.ItemsActive == nil || *ch.ItemsActive {
				t.Errorf("complete %+v", ch)
			}
		}},
		{"逾期不补正视为放弃 (暂行规定 第十五条第（四）项)", abandoning, ActionAbandon, RoleSystem, Input{}, StatusAbandoned, "abandoned", func(t *testing.T, ch Change) {
			if ch.Note != "补正期限 2026-11-20 届满未补正" || ch.SMS.Vars["期限"] != "2026年11月20日" {
				t.Errorf("abandon %+v", ch)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.rule, func(t *testing.T) {
			ch, err := Decide(tc.c, tc.act, tc.role, tc.in, env())
			if err != nil {
				t.Fatal(err)
			}
			if ch.To != tc.to || ch.From != tc.c.Status || ch.Action != tc.act {
				t.Fatalf("%s → %s by %s, want %s", ch.From, ch.To, ch.Action, tc.to)
			}
			if ch.SMS.Topic != tc.topic || ch.SMS.Vars["事项"] == "" {
				t.Fatalf("message %+v, want topic %s", ch.SMS, tc.topic)
			}
			if tc.check != nil {
				tc.check(t, ch)
			}
		})
	}
}

func TestDecideRefuses(t *testing.T) {
	f := completeRenewal()
	submitted := Case{Status: StatusSubmitted, Number: "261123000001", Form: f}
	accepted := Case{Status: StatusAccepted, Number: "261123000001", Form: f}
	incomplete := f
	incomplete.PhotoKey, incomplete.Incident = "", ""
	tests := []struct {
		rule    string
		c       Case
		act     Action
		role    Role
		in      Input
		problem string // a Problems message; "" for a *TransitionError
		msg     string
	}{
		{"提交 checks every step again", Case{Status: StatusDraft, Form: incomplete}, ActionSubmit, RoleApplicant, Input{},
			"incident", "请选择持证期间是否发生过违章作业行为和责任事故"},
		{"提交 needs the required materials", Case{Status: StatusDraft, Form: f}, ActionSubmit, RoleApplicant, Input{},
			"material-id_card", "请上传身份证信息"},
		{"补正 names what to correct (一次性告知)", submitted, ActionRequestCorrection, RoleOfficer, Input{},
			"action", "请勾选需要补正的内容，并逐项填写补正原因（一次性告知）"},
		{"each 补正 item has its reason", submitted, ActionRequestCorrection, RoleOfficer, Input{Asks: []CorrectionItem{{Target: "field:photo"}}},
			"action", "请填写“照片”的补正原因"},
		{"a second round asking something new needs a justification", Case{Status: StatusSubmitted, Form: Form{Matter: MatterRenew, AskedBefore: []string{"field:photo"}}},
			ActionRequestCorrection, RoleOfficer, Input{Asks: []CorrectionItem{{Target: "field:mobile", Reason: "号码有误"}}},
			"action", "补正应一次性告知：本次要求补正的“移动电话”在前次补正中未提出，请在“再次补正说明”中写明理由"},
		{"不予受理 without a reason", submitted, ActionNotAccept, RoleOfficer, Input{}, "reason", "请填写理由"},
		{"准予许可 without 审批意见 (行政许可法 第三十八条: a written decision)", accepted, ActionApprove, RoleOfficer, Input{Opinion: "  "}, "opinion", "请填写审批意见"},
		{"不予许可 without 审批意见", accepted, ActionDeny, RoleOfficer, Input{Reason: "考试不合格"}, "opinion", "请填写审批意见"},
		{"不予许可 without a reason, with 审批意见", accepted, ActionDeny, RoleOfficer, Input{Opinion: "不同意"}, "reason", "请填写理由"},
		{"行政许可法 第三十二条第一款第（四）项: no 补正 after the five working days", Case{Status: StatusSubmitted, Form: f,
			Due: workday.Deadline{From: d("2026-11-13"), Workdays: 5, Date: d("2026-11-20")}}, ActionRequestCorrection, RoleOfficer,
			Input{Asks: []CorrectionItem{{Target: "field:photo", Reason: "x"}}}, "",
			"已超过受理审查期限（2026年11月20日）：依照《行政许可法》第三十二条，逾期未一次告知补正的，自收到申请材料之日起即为受理，现只能受理或不予受理"},
		{"the 受理 that does not fit the items", submitted, ActionAcceptForExam, RoleOfficer, Input{}, "", "该申请应选择“受理”"},
		{"scores must be numbers", Case{Status: StatusExamining, Form: Form{Matter: MatterNew, Items: []FormItem{{Target: "N1"}}}},
			ActionRecordExam, RoleOfficer, Input{Theory: "六十"}, "action", "请填写理论知识考试和实际操作技能考试成绩（0–100 的整数）"},
		{"out of turn", Case{Status: StatusCompleted, Form: f}, ActionApprove, RoleOfficer, Input{}, "", "申请已办结，不能再准予许可"},
		{"an applicant cannot decide", Case{Status: StatusAccepted, Form: f}, ActionApprove, RoleApplicant, Input{}, "", "只有受理机关工作人员可以准予许可"},
	}
	for _, tc := range tests {
		t.Run(tc.rule, func(t *testing.T) {
			_, err := Decide(tc.c, tc.act, tc.role, tc.in, env())
			var ps Problems
			var te *TransitionError
			switch {
			case tc.problem != "" && errors.As(err, &ps):
				for _, p := range ps {
					if p.Field == tc.problem && p.Message == tc.msg {
						return
					}
				}
				t.Fatalf("problems %+v, want %s: %s", ps, tc.problem, tc.msg)
			case tc.problem == "" && errors.As(err, &te):
				if te.Message != tc.msg {
					t.Fatalf("refusal %q, want %q", te.Message, tc.msg)
				}
				if te.WrongRole != (tc.role == RoleApplicant) {
					t.Fatalf("WrongRole = %v", te.WrongRole)
				}
			default:
				t.Fatalf("err = %v", err)
			}
		})
	}
}

// R3 stays with 杨浦区 (seed 000 3.2 注2); a transfer needs its reason and
// tells the applicant.
func TestDecideTransfer(t *testing.T) {
	r3 := Case{Status: StatusSubmitted, Number: "1", Form: Form{Matter: MatterRenew, Items: []FormItem{{Target: "R3"}}}}
	if _, err := DecideTransfer(r3, Transfer{To: "310104", Reason: "工作调动"}, env()); err == nil || !strings.Contains(err.Error(), ReasonR3) {
		t.Fatalf("R3 moved away from 杨浦区: %v", err)
	}
	if _, err := DecideTransfer(r3, Transfer{To: "310110"}, env()); err == nil || err.Error() != "请填写转办原因" {
		t.Fatalf("no reason: %v", err)
	}
	if _, err := DecideTransfer(r3, Transfer{To: "999999", Reason: "x"}, env()); err == nil || err.Error() != "请选择转至的受理机关" {
		t.Fatalf("unknown district: %v", err)
	}
	ch, err := DecideTransfer(r3, Transfer{To: "310110", ToName: "杨浦区市场监督管理局", Reason: "误选"}, env())
	if err != nil || ch.AuthorityCode != "310110" || ch.SMS.Topic != "transferred" || ch.SMS.Vars["受理机关"] != "杨浦区市场监督管理局" || ch.Note != "误选" {
		t.Fatalf("transfer %+v %v", ch, err)
	}
}

// Past the 受理 deadline the page offers no 补正 (行政许可法 第三十二条第一款第（四）项).
func TestActionsForHidesLateCorrection(t *testing.T) {
	c := Case{Status: StatusSubmitted, Form: completeRenewal(), Due: workday.Deadline{From: d("2026-11-13"), Workdays: 5, Date: d("2026-11-20")}}
	for _, tc := range []struct {
		today string
		want  string
	}{
		{"2026-11-20", "request_correction,accept,not_accept"},
		{"2026-11-23", "accept,not_accept"},
	} {
		var got []string
		for _, a := range ActionsFor(c, RoleOfficer, d(tc.today), nil) {
			got = append(got, string(a))
		}
		if strings.Join(got, ",") != tc.want {
			t.Errorf("%s: %v, want %s", tc.today, got, tc.want)
		}
	}
}

// The education condition of 取证 (SOURCES.md §3, S8): 中专或高中以上 for A,
// G1–G3 and R3, 初中以上 for the rest; 复审 and 补证 have none (S10).
func TestCheckEducation(t *testing.T) {
	for _, tc := range []struct {
		m         Matter
		item, edu string
		refused   bool
	}{
		{MatterNew, "A", "初中", true},
		{MatterAdd, "G3", "初中", true},
		{MatterNew, "R3", "高中", false},
		{MatterNew, "G1", "中专", false},
		{MatterNew, "G2", "本科", false},
		{MatterNew, "N1", "初中", false},
		{MatterRenew, "A", "初中", false},
		{MatterReissue, "G1", "初中", false},
	} {
		msg := CheckEducation(tc.m, []catalog.Qualification{q(tc.item)}, tc.edu)
		if (msg != "") != tc.refused {
			t.Errorf("%s %s %s: %q", tc.m, tc.item, tc.edu, msg)
		}
	}
	f := completeRenewal()
	f.Matter, f.Items, f.Applicant.Education = MatterNew, []FormItem{{Target: "A"}}, "初中"
	for _, p := range CheckBasic(&f, d("2026-11-23"), ShanghaiPolicy(), nil, nil) {
		if p.Field == "education" && p.Message == "所申请项目（A 特种设备安全管理）要求中专或高中以上学历，您选择的学历为初中，不符合申请条件" {
			return
		}
	}
	t.Fatal("基本信息 lets 初中 apply for A")
}

// Every score is recorded; one 补考 of a single failed subject, none for A,
// none after both failed or a failed 补考 (SOURCES.md §3, S11; DESIGN.md).
func TestExamVerdict(t *testing.T) {
	p := ShanghaiPolicy()
	failed := []ExamResult{{Passed: false}}
	for _, tc := range []struct {
		rule              string
		item              string
		theory, practical int
		earlier           []ExamResult
		passed, retake    bool
		msg               string
	}{
		{"both at least 70", "N1", 70, 70, nil, true, false, "考试合格"},
		{"practical failed: 补考 once", "N1", 80, 60, nil, false, true, "实际操作技能考试 60 分，未达到 70 分合格线；可补考一次"},
		{"theory failed: 补考 once", "Q2(限流动式起重机)", 50, 90, nil, false, true, "理论知识考试 50 分，未达到 70 分合格线；可补考一次"},
		{"both failed: no 补考", "N1", 50, 60, nil, false, false, "理论知识考试 50 分、实际操作技能考试 60 分，两科均不合格，不能补考，须重新申请"},
		{"the 补考 failed too", "N1", 80, 65, failed, false, false, "实际操作技能考试 65 分，未达到 70 分合格线；补考仍不合格，须重新申请"},
		{"A has no 补考", "A", 60, 0, nil, false, false, "理论知识考试 60 分，未达到 70 分合格线；特种设备安全管理（A）不设补考，须重新申请"},
		{"A theory only", "A", 75, 0, nil, true, false, "考试合格"},
	} {
		out, err := ExamVerdict([]catalog.Qualification{q(tc.item)}, tc.theory, tc.practical, p, tc.earlier)
		if err != nil || out.Passed != tc.passed || out.Retake != tc.retake || out.Message != tc.msg {
			t.Errorf("%s: %+v %v, want %v %v %q", tc.rule, out, err, tc.passed, tc.retake, tc.msg)
		}
	}
	// Decide records the failed score and keeps the application for the 补考.
	c := Case{Status: StatusExamining, Number: "1", Form: Form{Matter: MatterNew, Items: []FormItem{{Target: "N1"}}}, AuthorityName: "徐汇区市场监督管理局"}
	ch, err := Decide(c, ActionRecordExam, RoleOfficer, Input{Theory: "80", Practical: "60"}, env())
	if err != nil || ch.To != StatusExamining || ch.RecordExam == nil || ch.RecordExam.Passed || ch.RecordExam.Practical != 60 ||
		ch.SMS.Topic != "exam_failed" || !strings.Contains(ch.SMS.Vars["理由"], "可补考一次") || !ch.Due.IsZero() {
		t.Fatalf("failed exam: %+v %v", ch, err)
	}
	c.ExamAttempts = []ExamResult{*ch.RecordExam}
	ch, err = Decide(c, ActionRecordExam, RoleOfficer, Input{Theory: "80", Practical: "75"}, env())
	if err != nil || ch.To != StatusAccepted || !ch.RecordExam.Passed || ch.Due.IsZero() {
		t.Fatalf("补考 passed: %+v %v", ch, err)
	}
	if ch.RecordExam.Institution != "徐汇区市场监督管理局" || ch.RecordExam.ExamDate != env().Today {
		t.Fatalf("recorded by hand: %+v", ch.RecordExam)
	}
	// Recorded by the exam system: the institution that examined, on the day
	// of the exam.
	c.Sitting = ExamSitting{Institution: "上海市特种设备作业人员考试中心", Date: d("2026-11-20")}
	ch, err = Decide(c, ActionRecordExam, RoleSystem, Input{Theory: "80", Practical: "75"}, env())
	if err != nil || ch.RecordExam.Institution != c.Sitting.Institution || ch.RecordExam.ExamDate != c.Sitting.Date {
		t.Fatalf("recorded by the exam system: %+v %v", ch.RecordExam, err)
	}
}

// The exam result cited is consumed by the application, and given back
// when it ends without a decision on its merits.
func TestExamResultsConsumed(t *testing.T) {
	f := Form{Matter: MatterNew, Incident: "no", Items: []FormItem{{Target: "金属焊接操作", ExamResultID: 41, WeldCode: "SMAW-FeⅡ-6G(K)-9/57-Fef3J"}}}
	c := Case{Status: StatusDraft, Form: f}
	ch, err := Decide(c, ActionSubmit, RoleApplicant, Input{}, env())
	var ps Problems
	if errors.As(err, &ps) {
		// The rest of the form is incomplete here; only the exam rule matters.
		c.Form = completeRenewal()
		c.Form.Matter, c.Form.Items = MatterNew, f.Items
		c.Files = map[string]int{MaterialIDCard: 1, MaterialEducation: 1, MaterialHealth: 1}
		ch, err = Decide(c, ActionSubmit, RoleApplicant, Input{}, env())
	}
	if err != nil || len(ch.UseExamResults) != 1 || ch.UseExamResults[0] != 41 {
		t.Fatalf("submit %+v %v", ch.UseExamResults, err)
	}
	for _, tc := range []struct {
		act  Action
		role Role
	}{{ActionWithdraw, RoleApplicant}, {ActionNotAccept, RoleOfficer}} {
		ch, err := Decide(Case{Status: StatusSubmitted, Form: f}, tc.act, tc.role, Input{Reason: "x"}, env())
		if err != nil || !ch.ReleaseExamResults {
			t.Errorf("%s: %+v %v", tc.act, ch, err)
		}
	}
}

// The exam after 受理 is arranged three ways (seed 000 2.1 注1–3).
func TestExamNotice(t *testing.T) {
	for _, tc := range []struct {
		items, institution, want string
	}{
		{"N1", "", "www.tzsbks.sh.cn 查询考试安排，并打印准考证"},
		{"R3", "", "中国人民解放军海军特色医学中心，排考信息将由考试机构通知"},
		{"F", "某考试机构", "请自行联系申请时指定的考试机构（某考试机构）参加考试"},
		{"S2", "", "请自行联系申请时指定的考试机构参加考试"},
	} {
		got := ExamNotice([]catalog.Qualification{q(tc.items)}, tc.institution)
		if !strings.Contains(got, tc.want) || (tc.items != "N1" && strings.Contains(got, "准考证")) {
			t.Errorf("%s: %q", tc.items, got)
		}
	}
	ch, err := Decide(Case{Status: StatusSubmitted, Form: Form{Matter: MatterNew, Items: []FormItem{{Target: "R3"}}}}, ActionAcceptForExam, RoleOfficer, Input{}, env())
	if err != nil || !strings.Contains(ch.SMS.Vars["考试安排"], "海军特色医学中心") {
		t.Fatalf("受理 of R3: %+v %v", ch.SMS, err)
	}
}

// Each special case of the 受理机构 (seed 000 3.2) speaks of the original
// certificate and must match where it was issued.
func TestSpecialCaseMatchesTheIssuer(t *testing.T) {
	basic := func(sc, issuer string, household string) Form {
		f := completeRenewal()
		f.Employer = Employer{Name: "苏州吊装有限公司", CreditCode: "91320505MA1MXY4G15", Address: "江苏省苏州市", OutsideShanghai: true}
		f.Applicant.HouseholdDistrict = household
		f.Routing = Choice{SpecialCase: sc, Chosen: "310104"}
		f.Items[0].IssuedBy = issuer
		return f
	}
	for _, tc := range []struct {
		rule string
		f    Form
		want string
	}{
		{"原证书由上海发证，申请人既不在上海工作，也非上海户籍: issued by 徐汇区", basic("issued_here_lives_elsewhere", "徐汇区市场监督管理局", ""), ""},
		{"the same case with a 苏州 certificate", basic("issued_here_lives_elsewhere", "苏州市市场监督管理局", ""), "不是上海发证"},
		{"原证书非上海发证，申请人在上海: a 苏州 certificate, 上海户籍", basic("issued_elsewhere_works_here", "苏州市市场监督管理局", "310104"), ""},
		{"the same case with a Shanghai certificate", basic("issued_elsewhere_works_here", "徐汇区市场监督管理局", "310104"), "属于上海发证"},
		{"no special case: employer outside Shanghai, 户籍 in 徐汇", basic("", "苏州市市场监督管理局", "310104"), ""},
		{"新办 has no original certificate", func() Form {
			f := basic("issued_elsewhere_works_here", "", "310104")
			f.Matter, f.Items = MatterNew, []FormItem{{Target: "N1"}}
			return f
		}(), "没有原证书"},
	} {
		got := ""
		for _, p := range CheckBasic(&tc.f, d("2026-11-23"), ShanghaiPolicy(), nil, nil) {
			if p.Field == "special_case" {
				got = p.Message
			}
		}
		if (tc.want == "") != (got == "") || !strings.Contains(got, tc.want) {
			t.Errorf("%s: %q, want %q", tc.rule, got, tc.want)
		}
	}
}

// 安全阀校验 and 客运索道 applicants choose the exam institution when they
// apply (seed 000 2.1 注3); no one else is asked.
func TestExamInstitutionChoice(t *testing.T) {
	all := []ExamInstitution{{Name: "城市考试中心", Items: []catalog.NewCode{"N1", "A"}}, {Name: "安全阀考点", Items: []catalog.NewCode{"F"}}, {Name: "索道考点", Items: []catalog.NewCode{"S1", "S2"}}}
	if list, needed := InstitutionsToChoose(MatterNew, []catalog.Qualification{q("N1")}, all); needed || list != nil {
		t.Fatal("N1 asks for an institution")
	}
	if list, needed := InstitutionsToChoose(MatterNew, []catalog.Qualification{q("S2")}, all); !needed || len(list) != 1 || list[0].Name != "索道考点" {
		t.Fatalf("S2: %v %v", list, needed)
	}
	if _, needed := InstitutionsToChoose(MatterRenew, []catalog.Qualification{q("F")}, all); needed {
		t.Fatal("复审 of F asks for an exam institution")
	}
	f := completeRenewal()
	f.Matter, f.Items = MatterNew, []FormItem{{Target: "F"}}
	msg := func() string {
		for _, p := range CheckBasic(&f, d("2026-11-23"), ShanghaiPolicy(), nil, all) {
			if p.Field == "exam_institution" {
				return p.Message
			}
		}
		return ""
	}
	if !strings.Contains(msg(), "须在申请时选择考试机构") {
		t.Fatalf("no choice: %q", msg())
	}
	f.ExamInstitution = "索道考点"
	if msg() == "" {
		t.Fatal("an institution that does not examine F was accepted")
	}
	f.ExamInstitution = "安全阀考点"
	if m := msg(); m != "" {
		t.Fatalf("the right institution: %q", m)
	}
}
