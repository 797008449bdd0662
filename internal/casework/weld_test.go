package casework_test

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"opcert/internal/application"
	"opcert/internal/casework"
	"opcert/internal/catalog"
	"opcert/internal/civil"
	"opcert/internal/registry"
	"opcert/internal/store"
	"opcert/internal/store/storetest"
	"opcert/internal/testfixture"
	"opcert/internal/weldexam"
)

const welderID = "110105198001010016" // 男

// welderForm is a filled 考试申请表 of seed 000 四.2 with two skill items.
func welderForm(photo string) weldexam.Registration {
	return weldexam.Registration{Kind: weldexam.New, Name: "王焊工", Sex: "男", Nature: "首次考试", Address: "上海市普陀区真北路1号", Education: "初中",
		Postcode: "200333", IDNumber: welderID, Mobile: "13800000123", PhotoKey: photo, WorkType: "金属焊", WeldingYears: "7",
		Items: []string{"SAW-1G(K)-07/08/19", "SMAW-FeⅡ-6G(K)-9/57-Fef3J"}, Employer: "上海焊接工程有限公司", CreditCode: "91310000MA00003490",
		UnitTypes: []string{"安装", "维修"}, District: "310107", EmployerAddress: "上海市普陀区中山北路2号", Contact: "李四", ContactPhone: "021-62000000",
		Entrust: "是", Work: []weldexam.WorkRow{{Period: "2018.03—2026.06", Employer: "上海焊接工程有限公司", Work: "压力管道焊接"}},
		Training: "经单位安全教育和焊接培训，能独立承担焊接工作", Materials: weldexam.Materials}
}

func captcha(t *testing.T, w *world) (string, string) {
	t.Helper()
	id := must(w.s.NewCaptcha(ctx))
	return id, must(w.db.CaptchaAnswer(ctx, id))
}

var weldCodeRE = regexp.MustCompile(`验证码为 (\d{6})`)

// A welder registers (seed 000 四.2) through the captcha, proves the
// registration is theirs by an SMS code to modify it until exam staff lock
// it; staff seat and score it, and each passed item reaches exam_results
// for the welder's 一网通办 application, once.
func TestWelderRegistrationToExamResult(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db, "2026-12-02")
		if _, _, err := w.s.RegisterWelder(ctx, casework.WeldSubmission{Form: welderForm("")}); casework.ErrorCode(err) != casework.Invalid {
			t.Fatalf("no photo: %v", err)
		}
		staff := examStaff(t, db, "weld-exam", "上海市特种设备作业人员考试中心", "金属焊接操作", "非金属焊接操作")
		other := examStaff(t, db, "exam-2", "另一考试机构", "N1")

		start, prefilled, err := w.s.WeldStart(ctx, "new", welderID)
		if err != nil || prefilled || start.Sex != "男" || start.IDNumber != welderID {
			t.Fatalf("start: %+v %v", start, err)
		}
		if _, err := w.s.SaveWeldPhoto(ctx, *sentFile("x.jpg", []byte("hello"))); casework.ErrorCode(err) != casework.Invalid {
			t.Fatalf("a disguised photo: %v", err)
		}
		photo := testfixture.Photo()
		key := must(w.s.SaveWeldPhoto(ctx, *sentFile("photo.png", photo)))

		// A missing 联系电话 is refused with the seed's message and a new captcha.
		f := welderForm(key)
		f.Mobile = ""
		_, _, err = w.s.RegisterWelder(ctx, casework.WeldSubmission{Form: f})
		fe := casework.FieldErrors(err)
		if len(fe) != 1 || fe[0].Field != "mobile" || fe[0].Message != "请填写联系电话!" || casework.ChallengeOf(err) == "" {
			t.Fatalf("missing mobile: %+v %q", fe, casework.ChallengeOf(err))
		}
		// A 生僻字 no font of the 报名表 has (𰀀, Extension G) is refused where it is typed.
		f = welderForm(key)
		f.Name = "王\U00030000"
		if fe := casework.FieldErrors(func() error { _, _, err := w.s.RegisterWelder(ctx, casework.WeldSubmission{Form: f}); return err }()); len(fe) != 1 || fe[0].Field != "name" {
			t.Fatalf("a 生僻字 in the name: %+v", fe)
		}
		// A wrong captcha stops it; the captcha is used up.
		cid, answer := captcha(t, w)
		if _, _, err := w.s.RegisterWelder(ctx, casework.WeldSubmission{Form: welderForm(key), CaptchaID: cid, CaptchaAnswer: "000000x"}); casework.FieldErrors(err)[0].Field != "captcha" {
			t.Fatalf("wrong captcha: %v", err)
		}
		if _, _, err := w.s.RegisterWelder(ctx, casework.WeldSubmission{Form: welderForm(key), CaptchaID: cid, CaptchaAnswer: answer}); casework.FieldErrors(err)[0].Field != "captcha" {
			t.Fatalf("a used captcha: %v", err)
		}
		cid, answer = captcha(t, w)
		reg, creator, err := w.s.RegisterWelder(ctx, casework.WeldSubmission{Form: welderForm(key), CaptchaID: cid, CaptchaAnswer: answer, Client: "192.0.2.1"})
		if err != nil || reg.Form.Items[1] != "SMAW-FeⅡ-6G(K)-9/57-Fef3J" {
			t.Fatalf("register: %+v %v", reg, err)
		}
		// The browser that registered prints the 考试机构报名表 at once.
		pdf := must(w.s.WeldFormPDF(ctx, must(w.s.OwnWeld(ctx, creator))))
		if !bytes.HasPrefix(pdf, []byte("%PDF")) {
			t.Fatal("no PDF")
		}
		if _, _, err := w.s.WeldStart(ctx, "new", welderID); casework.ErrorCode(err) != casework.Conflict {
			t.Fatalf("a second registration: %v", err)
		}

		// 修改 by 身份证号 after an SMS code to the phone given.
		masked := must(w.s.SendWeldCode(ctx, "new", welderID, "192.0.2.1"))
		if masked != "138****0123" {
			t.Fatal(masked)
		}
		if _, err := w.s.OpenWeld(ctx, "new", welderID, "000000", "192.0.2.1"); casework.ErrorCode(err) != casework.Invalid {
			t.Fatalf("wrong code: %v", err)
		}
		msgs := must(db.RecentOutbox(ctx, "13800000123", 1))
		code := weldCodeRE.FindStringSubmatch(msgs[0].Body)[1]
		token := must(w.s.OpenWeld(ctx, "new", welderID, code, "192.0.2.1"))
		if _, err := w.s.OpenWeld(ctx, "new", welderID, code, "192.0.2.1"); casework.ErrorCode(err) != casework.Invalid {
			t.Fatalf("a code used twice: %v", err)
		}
		own := must(w.s.OwnWeld(ctx, token))
		if own.ID != reg.ID {
			t.Fatal("another registration opened")
		}
		if _, err := w.s.OwnWeld(ctx, "guess"); casework.ErrorCode(err) != casework.Gone {
			t.Fatalf("a guessed token: %v", err)
		}
		changed := own.Form
		changed.WeldingYears, changed.IDNumber = "8", "110105198005010021"
		mod := must(w.s.ModifyWelder(ctx, token, own.Version, changed, "192.0.2.1"))
		if mod.Form.WeldingYears != "8" || mod.Form.IDNumber != welderID {
			t.Fatalf("modified: %+v", mod.Form)
		}
		if _, err := w.s.ModifyWelder(ctx, token, own.Version, changed, "192.0.2.1"); casework.ErrorCode(err) != casework.Conflict {
			t.Fatalf("a stale 修改: %v", err)
		}

		// Exam staff of another institution see nothing of it.
		if l := must(w.s.WeldRegistrations(ctx, other)); len(l) != 0 {
			t.Fatalf("other institution: %d", len(l))
		}
		if _, err := w.s.WeldCase(ctx, other, reg.ID); casework.ErrorCode(err) != casework.NotFound {
			t.Fatalf("other institution opens it: %v", err)
		}
		if _, err := w.s.ScoreWeld(ctx, staff, reg.ID, casework.WeldScores{Theory: "80", Practical: []string{"80", "80"}}); casework.ErrorCode(err) != casework.Conflict {
			t.Fatalf("scored before the lock: %v", err)
		}
		theory := must(w.s.AddExamSession(ctx, staff, session("theory", "2026-12-10", "09:00", "11:00", "1", "金属焊接操作")))
		practical := must(w.s.AddExamSession(ctx, staff, session("practical", "2026-12-11", "09:00", "16:00", "5", "金属焊接操作")))
		if _, err := w.s.SeatWeld(ctx, staff, reg.ID, theory.ID); casework.ErrorCode(err) != casework.Conflict {
			t.Fatalf("seated before the lock: %v", err)
		}
		must0(t, w.s.LockWeld(ctx, staff, reg.ID))
		if _, err := w.s.ModifyWelder(ctx, token, mod.Version, changed, "192.0.2.1"); casework.ErrorCode(err) != casework.Conflict {
			t.Fatalf("modified after the lock: %v", err)
		}
		if seat := must(w.s.SeatWeld(ctx, staff, reg.ID, theory.ID)); seat.Seat != 1 {
			t.Fatalf("seat %+v", seat)
		}
		must(w.s.SeatWeld(ctx, staff, reg.ID, practical.ID))
		for _, x := range must(w.s.ExamDesk(ctx, staff)).Sessions {
			if x.Seated != 1 {
				t.Fatalf("the desk counts %d seated in %s", x.Seated, x.Subject)
			}
		}
		c := must(w.s.WeldCase(ctx, staff, reg.ID))
		if len(c.Seats) != 2 || c.State() != "已安排考试" || !c.NeedsTheory {
			t.Fatalf("case %+v", c)
		}
		// The 准考证's QR code is the signed ticket: both seats hold; after
		// the theory seat moves, the printed one says so.
		ticket := must(w.s.WeldTicket(ctx, c.Welder, func(p string) string { return p }))
		ticketToken := strings.TrimPrefix(ticket.QRURL, "/v/")
		sittings := func() []string {
			t.Helper()
			check := must(w.s.CheckCertificate(ctx, ticketToken))
			if check.Refused != nil || !check.Admission() {
				t.Fatalf("ticket check: %+v", check)
			}
			var out []string
			for _, x := range check.Sittings {
				out = append(out, x.Subject+":"+x.Label)
			}
			return out
		}
		if got := strings.Join(sittings(), " "); got != "理论知识考试:有效 实际操作技能考试:有效" || len(ticket.Sittings) != 2 || ticket.Number != "ZK"+casework.WeldNumber(reg.ID) {
			t.Fatalf("fresh ticket: %s %+v", got, ticket)
		}
		later := must(w.s.AddExamSession(ctx, staff, session("theory", "2026-12-12", "09:00", "11:00", "5", "金属焊接操作")))
		must(w.s.SeatWeld(ctx, staff, reg.ID, later.ID))
		if got := strings.Join(sittings(), " "); got != "理论知识考试:已调整（请以考生最新打印的准考证为准） 实际操作技能考试:有效" {
			t.Fatalf("after the move: %s", got)
		}
		if _, err := w.s.ScoreWeld(ctx, staff, reg.ID, casework.WeldScores{Theory: "80", Practical: []string{"80"}}); len(casework.FieldErrors(err)) != 1 {
			t.Fatalf("a missing practical mark: %v", err)
		}
		results := must(w.s.ScoreWeld(ctx, staff, reg.ID, casework.WeldScores{Theory: "80", Practical: []string{"85", "60"}}))
		if !results[0].Passed || results[1].Passed {
			t.Fatalf("%+v", results)
		}
		if _, err := w.s.ScoreWeld(ctx, staff, reg.ID, casework.WeldScores{Theory: "90", Practical: []string{"90", "90"}}); casework.ErrorCode(err) != casework.Conflict {
			t.Fatalf("scored twice: %v", err)
		}
		if got := sittings(); !strings.HasPrefix(got[0], "理论知识考试:已失效") {
			t.Fatalf("after the exam: %v", got)
		}
		// The welder is new to the registry: a holder is created by 证件号码,
		// with the passed item offered, the failed one not.
		h := must(db.HoldingByIDNumber(ctx, welderID))
		passed := must(db.PassedExamResults(ctx, h.Holder.ID))
		if len(passed) != 1 || passed[0].WeldCode != "SAW-1G(K)-07/08/19" || passed[0].Theory.Int64 != 80 || passed[0].ExamDate != civil.MustParse("2026-12-11") ||
			passed[0].Institution != "上海市特种设备作业人员考试中心" || passed[0].Qualification != string(catalog.MetalWelding) {
			t.Fatalf("results %+v", passed)
		}
		if h.Holder.Name != "王焊工" || h.Holder.IDType != registry.IDResident {
			t.Fatalf("holder %+v", h.Holder)
		}
		// The result fits a 新办 (with theory) and is consumed once.
		r := application.ExamResult{Theory: int(passed[0].Theory.Int64)}
		if !application.ResultFitsMatter(r, application.MatterNew) || application.ResultFitsMatter(r, application.MatterAdd) {
			t.Fatal("a result with theory is for 新办")
		}
		// Every change is in the audit log: the registrant's by address, the
		// staff's by account.
		actions := map[string]int64{}
		for _, e := range must(db.AuditEntriesFrom(ctx, 1, 1000)) {
			if strings.HasPrefix(e.Subject, "weld_registration:") {
				actions[e.Action] = e.ActorID
			}
		}
		for _, a := range []string{"weld_register", "weld_modify", "weld_lock", "weld_seat", "weld_score", "view_weld_registration"} {
			if _, ok := actions[a]; !ok {
				t.Fatalf("%s not audited: %v", a, actions)
			}
		}
		if actions["weld_lock"] != staff.UserID || actions["weld_register"] != 0 {
			t.Fatalf("audit actors %v", actions)
		}
		// After scoring, the welder can register again (补考 or another item).
		if _, _, err := w.s.WeldStart(ctx, "new", welderID); err != nil {
			t.Fatalf("after scoring: %v", err)
		}
	})
}

// A 复审 starts prefilled with the certificate the registry holds (seed
// 000 四.3).
func TestWelderRenewalPrefilled(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db, "2026-12-02")
		weld := catalog.NewRef(catalog.Qualification{Code: catalog.MetalWelding})
		must(db.PutHolding(ctx, registry.Holding{Holder: registry.Holder{Name: "王焊工", IDType: registry.IDResident, IDNumber: welderID, Sex: "男"},
			Certificates: []registry.Certificate{{Number: welderID, Items: []registry.Item{{Ref: weld, WeldCode: "SMAW-FeⅡ-6G(K)-9/57-Fef3J",
				IssuedBy: "上海市市场监督管理局", ApprovedOn: civil.MustParse("2023-02-01"), ValidUntil: civil.MustParse("2027-01-31"), Status: registry.ItemValid}}}}}))
		r, prefilled := mustStart(t, w, "renew", welderID)
		if !prefilled || r.Kind != weldexam.Renew || r.CertificateNumber != welderID || r.Issuer != "上海市市场监督管理局" || r.ValidUntil != "2027-01-31" ||
			r.FirstIssued != "2023-02-01" || len(r.Items) != 1 || r.Name != "王焊工" {
			t.Fatalf("%+v", r)
		}
		if r, prefilled := mustStart(t, w, "renew", "110105198005010021"); prefilled || r.Issuer != "" {
			t.Fatalf("unknown welder prefilled: %+v", r)
		}
	})
}

func mustStart(t *testing.T, w *world, kind, id string) (weldexam.Registration, bool) {
	t.Helper()
	r, ok, err := w.s.WeldStart(ctx, kind, id)
	if err != nil {
		t.Fatal(err)
	}
	return r, ok
}

func must0(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// A passed item of a welder registration is cited by one 一网通办
// application only: the first that submits it consumes it (used_by), a
// second citing it is refused.
func TestWeldResultConsumedOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db, "2026-12-02")
		staff := examStaff(t, db, "weld-exam", "上海市特种设备作业人员考试中心", "金属焊接操作")
		photo := testfixture.Photo()
		key := must(w.s.SaveWeldPhoto(ctx, *sentFile("photo.png", photo)))
		// The world's applicant (𠮷祥, 110105198005010021, 女) registers for 增项.
		f := welderForm(key)
		f.Name, f.Sex, f.IDNumber, f.Nature, f.Items = w.name, "女", "110105198005010021", "增项", []string{"SMAW-FeⅡ-6G(K)-9/57-Fef3J"}
		cid, answer := captcha(t, w)
		reg, _, err := w.s.RegisterWelder(ctx, casework.WeldSubmission{Form: f, CaptchaID: cid, CaptchaAnswer: answer})
		if err != nil {
			t.Fatal(err)
		}
		must0(t, w.s.LockWeld(ctx, staff, reg.ID))
		must(w.s.ScoreWeld(ctx, staff, reg.ID, casework.WeldScores{Practical: []string{"90"}}))
		offered := must(db.PassedExamResults(ctx, w.holderID))
		if len(offered) != 1 || offered[0].Theory.Valid {
			t.Fatalf("增项 result %+v", offered)
		}
		cite := func() store.Application {
			a := w.newApplication(t)
			l := must(w.s.Load(ctx, w.applicant, a.ID))
			l.Form.Items = []application.FormItem{{Target: "金属焊接操作", WeldCode: offered[0].WeldCode, ExamResultID: offered[0].ID}}
			a.Data = mustJSON(t, l.Form)
			return must(db.SaveDraft(ctx, a, []string{"draft"}))
		}
		w.act(t, w.applicant, cite(), application.ActionSubmit, application.Input{})
		if left := must(db.PassedExamResults(ctx, w.holderID)); len(left) != 0 {
			t.Fatalf("still offered after 提交: %+v", left)
		}
		b := cite()
		if _, err := w.s.Act(ctx, w.applicant, b.ID, b.Version, application.ActionSubmit, application.Input{}); casework.ErrorCode(err) != casework.Conflict {
			t.Fatalf("the result cited twice: %v", err)
		}
	})
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
