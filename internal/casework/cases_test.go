package casework_test

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"

	"opcert/internal/application"
	"opcert/internal/auth"
	"opcert/internal/casework"
	"opcert/internal/registry"
	"opcert/internal/store"
	"opcert/internal/store/storetest"
	"opcert/internal/workday"
)

// world is one database with an applicant, an officer of 徐汇区, one of
// 浦东新区 and an admin.
type world struct {
	db                           *store.DB
	s                            *casework.Service
	applicant, officer, far, adm casework.Actor
	holderID                     int64
	mobile, name                 string
}

func newWorld(t *testing.T, db *store.DB, today string) *world {
	// 𠮷 (U+20BB7, Extension B) prints from the fallback faces; without
	// them it is refused at 提交, as every character no font has.
	name := "𠮷祥"
	if fallbackMissing(t) {
		name = "吉祥"
	}
	return newWorldNamed(t, db, today, name)
}

// newWorldNamed is newWorld with the applicant named name.
func newWorldNamed(t *testing.T, db *store.DB, today, name string) *world {
	t.Helper()
	w := &world{db: db, s: service(t, db, today), mobile: "13900000077", name: name}
	u := must(db.RegisterApplicant(ctx, registry.Holder{Name: name, IDType: registry.IDResident, IDNumber: "11010519800501002" + checkChar("11010519800501002"),
		Sex: "男", BirthDate: day("1980-05-01")}, w.mobile, "hash"))
	w.applicant, w.holderID = casework.Actor{UserID: u.ID, Role: auth.RoleApplicant}, u.HolderID
	staff := func(login string, role auth.Role, code string) casework.Actor {
		x := must(db.CreateUser(ctx, auth.User{Login: login, Name: login, Role: role, AuthorityCode: code, PasswordHash: "x"}))
		return casework.Actor{UserID: x.ID, Role: role, AuthorityCode: code, IP: "192.0.2.7"}
	}
	w.officer, w.far, w.adm = staff("o-xh", auth.RoleOfficer, "310104"), staff("o-pd", auth.RoleOfficer, "310115"), staff("adm", auth.RoleAdmin, "")
	return w
}

// newApplication is a complete 新办 of N1 叉车司机 with its materials, ready
// to submit, employer in 徐汇区.
func (w *world) newApplication(t *testing.T) store.Application {
	t.Helper()
	return w.newApplicationOf(t, "N1")
}

// newApplicationOf is newApplication for another item.
func (w *world) newApplicationOf(t *testing.T, item string) store.Application {
	t.Helper()
	f := application.Form{Matter: application.MatterNew, Incident: "no", Items: []application.FormItem{{Target: item}},
		Applicant: application.Person{Name: w.name, IDNumber: "110105198005010021", BirthDate: "1980-05-01", Education: "高中", Mobile: w.mobile},
		Employer:  application.Employer{Name: "上海徐汇起重设备安装有限公司", CreditCode: "91310104MA1FL0XQ4F", District: "310104", AddressDetail: "1号", Synced: true},
		PhotoKey:  "photo"}
	data, _ := json.Marshal(f)
	a := must(w.db.CreateDraft(ctx, store.Application{ApplicantID: w.applicant.UserID, HolderID: w.holderID, Matter: "new", Status: "draft",
		Step: "review", Data: data, DraftExpiresOn: day("2026-12-30")}))
	for _, m := range []string{application.MaterialIDCard, application.MaterialEducation, application.MaterialHealth} {
		must(w.db.AddMaterial(ctx, store.Material{ApplicationID: a.ID, Material: m, BlobKey: fmt.Sprintf("k/%d/%s", a.ID, m), Filename: m + ".pdf", ContentType: "application/pdf", Size: 1, SHA256: "x"}))
	}
	return a
}

// act performs an action and returns the application after it.
func (w *world) act(t *testing.T, who casework.Actor, a store.Application, act application.Action, in application.Input) store.Application {
	t.Helper()
	out, err := w.s.Act(ctx, who, a.ID, a.Version, act, in)
	if err != nil {
		t.Fatalf("%s: %v", act, err)
	}
	return out
}

// lastSMS is the newest message to the applicant.
func (w *world) lastSMS(t *testing.T) store.OutboxMessage {
	t.Helper()
	msgs := must(w.db.RecentOutbox(ctx, w.mobile, 1))
	if len(msgs) == 0 {
		t.Fatal("no SMS")
	}
	return msgs[0]
}

// Every action writes its change and queues the applicant's SMS in the same
// transaction (DESIGN.md: every state change notifies).
func TestEveryActionNotifies(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db, "2026-11-23")
		a := w.act(t, w.applicant, w.newApplication(t), application.ActionSubmit, application.Input{})
		if a.Status != "submitted" || a.AuthorityCode != "310104" || a.Due.Date != day("2026-11-30") {
			t.Fatalf("submitted %+v", a)
		}
		if m := w.lastSMS(t); m.Topic != "submitted" || !strings.Contains(m.Body, "（申请号 "+a.Number+"）已提交") || !strings.Contains(m.Body, "将于2026年11月30日前决定是否受理") {
			t.Fatalf("submit SMS %+v", m)
		}
		steps := []struct {
			who   casework.Actor
			act   application.Action
			in    application.Input
			topic string
			says  string
		}{
			{w.officer, application.ActionRequestCorrection, application.Input{Asks: []application.CorrectionItem{{Target: "material:id_card", Reason: "不清晰"}}}, "correction", "请于2026年12月14日前"},
			{w.applicant, application.ActionResubmit, application.Input{}, "resubmitted", "已补正并再次提交"},
			{w.officer, application.ActionAcceptForExam, application.Input{}, "examining", "已由徐汇区市场监督管理局受理"},
			{w.officer, application.ActionRecordExam, application.Input{Theory: "88", Practical: "90"}, "exam_recorded", "将于2026年12月21日前作出是否准予许可的决定"},
			{w.officer, application.ActionApprove, application.Input{Opinion: "同意"}, "approved", "准予许可"},
			{w.officer, application.ActionMarkCollect, application.Input{}, "awaiting_collection", "待领取"},
			{w.officer, application.ActionComplete, application.Input{}, "completed", "已办结"},
		}
		for _, st := range steps {
			a = w.act(t, st.who, a, st.act, st.in)
			if m := w.lastSMS(t); m.Topic != st.topic || !strings.Contains(m.Body, st.says) || !strings.Contains(m.Body, a.Number) {
				t.Fatalf("%s: SMS %+v, want topic %s saying %q", st.act, m, st.topic, st.says)
			}
		}
		holding := must(db.HoldingByIDNumber(ctx, "110105198005010021"))
		if items := holding.Items(); len(items) != 1 || items[0].ValidUntil != day("2030-11-22") {
			t.Fatalf("registry after 准予许可: %+v", items)
		}

		// The other endings, each on a fresh application.
		for _, end := range []struct {
			who   casework.Actor
			act   application.Action
			in    application.Input
			topic string
			says  string
		}{
			{w.applicant, application.ActionWithdraw, application.Input{}, "withdrawn", "已撤回"},
			{w.officer, application.ActionNotAccept, application.Input{Reason: "不属于本机关职权范围"}, "not_accepted", "不属于本机关职权范围"},
		} {
			b := w.act(t, w.applicant, w.newApplication(t), application.ActionSubmit, application.Input{})
			b = w.act(t, end.who, b, end.act, end.in)
			if m := w.lastSMS(t); m.Topic != end.topic || !strings.Contains(m.Body, end.says) {
				t.Fatalf("%s: SMS %+v", end.act, m)
			}
		}
		c := w.act(t, w.applicant, w.newApplication(t), application.ActionSubmit, application.Input{})
		if err := w.s.Transfer(ctx, w.adm, c.ID, c.Version, "310115", "单位已迁至浦东新区"); err != nil {
			t.Fatal(err)
		}
		if m := w.lastSMS(t); m.Topic != "transferred" || !strings.Contains(m.Body, "已转由浦东新区市场监督管理局办理，原因：单位已迁至浦东新区") {
			t.Fatalf("transfer SMS %+v", m)
		}
		c = must(w.s.Load(ctx, w.far, c.ID)).Application
		c = w.act(t, w.far, c, application.ActionAcceptForExam, application.Input{})
		c = w.act(t, w.far, c, application.ActionDeny, application.Input{Reason: "未参加考试", Opinion: "不同意"})
		if m := w.lastSMS(t); m.Topic != "denied" || !strings.Contains(m.Body, "未参加考试") {
			t.Fatalf("deny SMS %+v", m)
		}

		// 补正 not answered in time: the job's service call ends it.
		d := w.act(t, w.applicant, w.newApplication(t), application.ActionSubmit, application.Input{})
		w.act(t, w.officer, d, application.ActionRequestCorrection, application.Input{Asks: []application.CorrectionItem{{Target: "field:photo", Reason: "背景不是白色"}}})
		late := service(t, db, "2026-12-15")
		if n, err := late.AbandonOverdueCorrections(ctx); err != nil || n != 1 {
			t.Fatalf("abandoned %d, %v", n, err)
		}
		if m := w.lastSMS(t); m.Topic != "abandoned" || !strings.Contains(m.Body, "未在补正期限2026年12月14日前补正") {
			t.Fatalf("abandon SMS %+v", m)
		}
	})
}

// Refusals come back coded, with the Chinese message at the field, and
// nothing is written.
func TestActRefusals(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db, "2026-11-23")
		draft := w.newApplication(t)
		// Another applicant's, or another district's, application does not exist for them.
		stranger := casework.Actor{UserID: w.applicant.UserID + 1000, Role: auth.RoleApplicant}
		if _, err := w.s.Act(ctx, stranger, draft.ID, draft.Version, application.ActionSubmit, application.Input{}); casework.ErrorCode(err) != casework.NotFound {
			t.Fatalf("stranger: %v", err)
		}
		a := w.act(t, w.applicant, draft, application.ActionSubmit, application.Input{})
		if _, err := w.s.Act(ctx, w.far, a.ID, a.Version, application.ActionAcceptForExam, application.Input{}); casework.ErrorCode(err) != casework.NotFound {
			t.Fatalf("other district: %v", err)
		}
		// A double click on 提交 gives the same application, once.
		again, err := w.s.Act(ctx, w.applicant, draft.ID, draft.Version, application.ActionSubmit, application.Input{})
		if err != nil || again.Number != a.Number {
			t.Fatalf("second submit: %+v %v", again, err)
		}
		for _, tc := range []struct {
			who     casework.Actor
			act     application.Action
			in      application.Input
			version int
			code    casework.Code
			field   string
			msg     string
		}{
			{w.officer, application.ActionNotAccept, application.Input{}, a.Version, casework.Invalid, "reason", "请填写理由"},
			{w.officer, application.ActionAccept, application.Input{}, a.Version, casework.Conflict, "action", "该申请应选择“受理并安排考试”"},
			{w.officer, application.ActionApprove, application.Input{}, a.Version, casework.Conflict, "action", "申请当前状态为“已提交”，不能准予许可"},
			{w.applicant, application.ActionAcceptForExam, application.Input{}, a.Version, casework.Forbidden, "action", "只有受理机关工作人员可以受理并安排考试"},
			{w.officer, application.ActionAcceptForExam, application.Input{}, a.Version - 1, casework.Conflict, "", "该申请已被其他工作人员办理或已更新，本次操作未执行。请查看最新状态后再操作。"},
		} {
			_, err := w.s.Act(ctx, tc.who, a.ID, tc.version, tc.act, tc.in)
			var e *casework.Error
			if casework.ErrorCode(err) != tc.code || casework.ErrorMessage(err) != tc.msg || len(casework.FieldErrors(err)) != 1 {
				t.Errorf("%s: %v, want %s %q", tc.act, err, tc.code, tc.msg)
			} else if e = casework.FieldErrors(err)[0]; e.Field != tc.field {
				t.Errorf("%s: field %q, want %q", tc.act, e.Field, tc.field)
			}
		}
		if now := must(w.s.Load(ctx, w.officer, a.ID)); now.Version != a.Version || now.Status != "submitted" {
			t.Fatalf("a refusal changed the application: %+v", now.Application)
		}
		// Only an admin transfers; R3 stays with 杨浦区.
		if err := w.s.Transfer(ctx, w.officer, a.ID, a.Version, "310115", "x"); casework.ErrorCode(err) != casework.Forbidden {
			t.Fatalf("officer transfer: %v", err)
		}
		// A second application for the same item while one is under way.
		b := w.newApplication(t)
		_, err = w.s.Act(ctx, w.applicant, b.ID, b.Version, application.ActionSubmit, application.Input{})
		if casework.ErrorCode(err) != casework.Conflict || casework.RelatedOf(err) != a.ID || !strings.Contains(casework.ErrorMessage(err), a.Number) {
			t.Fatalf("duplicate: %v (related %d)", err, casework.RelatedOf(err))
		}
	})
}

// A deadline counted while 2027 has no notice is stored provisional from the
// officer's action itself, and the 补正 notice carries the 暂定 note.
func TestActionsAcrossTheYearAreProvisional(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db, "2026-12-15")
		a := w.act(t, w.applicant, w.newApplication(t), application.ActionSubmit, application.Input{})
		if a.Due.Date != day("2026-12-22") || a.Due.Provisional() {
			t.Fatalf("受理 deadline %+v", a.Due)
		}
		a = w.act(t, w.officer, a, application.ActionRequestCorrection, application.Input{Asks: []application.CorrectionItem{{Target: "field:photo", Reason: "背景不是白色"}}})
		if a.CorrectionDue.Date != day("2027-01-05") || fmt.Sprint(a.CorrectionDue.Assumed) != "[2027]" {
			t.Fatalf("补正期限 %+v", a.CorrectionDue)
		}
		loaded := must(w.s.Load(ctx, w.applicant, a.ID))
		if loaded.Form.Correction.DeadlineNote != workday.ProvisionalNote([]int{2027}) {
			t.Fatalf("notice note %q", loaded.Form.Correction.DeadlineNote)
		}
		if m := w.lastSMS(t); !strings.Contains(m.Body, "请于2027年01月05日（暂定，待国务院办公厅公布2027年节假日安排后确认）前") {
			t.Fatalf("SMS %q", m.Body)
		}
	})
}

// An exam result is consumed by the application that cites it and given
// back when that application is withdrawn, so one result is never cited by
// two applications (DESIGN.md: welding needs a passed exam first).
func TestExamResultConsumedBySubmit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db, "2026-11-23")
		r := must(db.AddExamResult(ctx, store.ExamResult{HolderID: w.holderID, Qualification: "金属焊接操作", WeldCode: "SMAW-FeⅡ-6G(K)-9/57-Fef3J",
			ExamDate: day("2026-11-01"), Theory: sql.NullInt64{Int64: 80, Valid: true}, Practical: sql.NullInt64{Int64: 85, Valid: true}, Passed: true, Institution: "考试中心"}))
		weldingDraft := func() store.Application {
			a := w.newApplication(t)
			l := must(w.s.Load(ctx, w.applicant, a.ID))
			l.Form.Items = []application.FormItem{{Target: "金属焊接操作", WeldCode: r.WeldCode, ExamResultID: r.ID}}
			a.Data, _ = json.Marshal(l.Form)
			return must(db.SaveDraft(ctx, a, []string{"draft"}))
		}
		free := func() int { return len(must(db.PassedExamResults(ctx, w.holderID))) }
		a := w.act(t, w.applicant, weldingDraft(), application.ActionSubmit, application.Input{})
		if free() != 0 {
			t.Fatal("the cited result is still offered")
		}
		w.act(t, w.applicant, a, application.ActionWithdraw, application.Input{})
		if free() != 1 {
			t.Fatal("the withdrawn application kept the result")
		}
		b := w.act(t, w.applicant, weldingDraft(), application.ActionSubmit, application.Input{})
		if free() != 0 || b.Status != "submitted" {
			t.Fatalf("second application: %+v", b)
		}
		// Tampering a draft to cite a result already consumed is refused at 提交.
		c := w.newApplication(t)
		l := must(w.s.Load(ctx, w.applicant, c.ID))
		l.Form.Items = []application.FormItem{{Target: "金属焊接操作", WeldCode: "GTAW-FeⅣ-6G-3/57-FefS-02/10/12", ExamResultID: r.ID}}
		c.Data, _ = json.Marshal(l.Form)
		c = must(db.SaveDraft(ctx, c, []string{"draft"}))
		_, err := w.s.Act(ctx, w.applicant, c.ID, c.Version, application.ActionSubmit, application.Input{})
		if casework.ErrorCode(err) != casework.Conflict || !strings.Contains(casework.ErrorMessage(err), "考试成绩已被其他申请使用") {
			t.Fatalf("a consumed result cited again: %v", err)
		}
	})
}

// A notice, once issued, is a record: the 受理通知书 downloaded before and
// after the decision is the same document, byte for byte, although the
// decision cleared the deadline it states; and 准予许可 issues the decision
// with its 制证 sheet and the certificate.
func TestIssuedNoticesAreRecords(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorldNamed(t, db, "2026-11-23", "张喆堃")
		abs := func(p string) string { return "https://opcert.example.gov.cn" + p }
		a := w.act(t, w.applicant, w.newApplication(t), application.ActionSubmit, application.Input{})
		if _, err := w.s.NoticePDF(ctx, w.applicant, a.ID, casework.NoticeAcceptance, abs); casework.ErrorCode(err) != casework.NotFound {
			t.Fatalf("受理通知书 before 受理: %v", err)
		}
		a = w.act(t, w.officer, a, application.ActionAcceptForExam, application.Input{})
		a = w.act(t, w.officer, a, application.ActionRecordExam, application.Input{Theory: "90", Practical: "90"})
		before := must(w.s.NoticePDF(ctx, w.applicant, a.ID, casework.NoticeAcceptance, abs))
		a = w.act(t, w.officer, a, application.ActionApprove, application.Input{Opinion: "同意准予许可"})
		after := must(w.s.NoticePDF(ctx, w.applicant, a.ID, casework.NoticeAcceptance, abs))
		byOfficer := must(w.s.NoticePDF(ctx, w.officer, a.ID, casework.NoticeAcceptance, func(p string) string { return "http://other.host" + p }))
		if !bytes.Equal(before.PDF, after.PDF) || !bytes.Equal(before.PDF, byOfficer.PDF) || before.Title != "受理通知书" {
			t.Fatal("the 受理通知书 changed after it was issued")
		}
		list := must(w.s.Notices(ctx, w.applicant, a.ID))
		var kinds []string
		for _, n := range list {
			kinds = append(kinds, n.Kind)
		}
		if strings.Join(kinds, ",") != "acceptance.pdf,decision.pdf,certificate.pdf" {
			t.Fatalf("notices %v", kinds)
		}
		decision := must(w.s.NoticePDF(ctx, w.applicant, a.ID, casework.NoticeDecision, abs))
		if !bytes.HasPrefix(decision.PDF, []byte("%PDF-")) || !bytes.Contains(decision.PDF, []byte("/Count 2")) {
			t.Fatal("the 准予许可决定书 is not two pages (制证 sheet and decision)")
		}
		if _, err := w.s.NoticePDF(ctx, w.far, a.ID, casework.NoticeDecision, abs); casework.ErrorCode(err) != casework.NotFound {
			t.Fatalf("another district's officer: %v", err)
		}
		// Tampering with the kept PDF is detected, not served.
		n := must(db.NoticeOf(ctx, a.ID, casework.NoticeAcceptance))
		storetest.Exec(t, db, `UPDATE notices SET pdf_sha256 = 'x' WHERE id = $1`, n.ID)
		if _, err := w.s.NoticePDF(ctx, w.applicant, a.ID, casework.NoticeAcceptance, abs); err == nil {
			t.Fatal("a PDF not matching its hash was served")
		}
	})
}

// 提交 and a change of materials racing each other end one way or the
// other, never half: a submitted application keeps its required files and
// gets none after it was submitted (both engines, repeated).
func TestSubmitRacesMaterialChanges(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db, "2026-11-23")
		for round := range 12 {
			a := w.newApplication(t)
			files := must(db.Materials(ctx, a.ID))
			var idCard int64
			for _, m := range files {
				if m.Material == application.MaterialIDCard {
					idCard = m.ID
				}
			}
			var wg sync.WaitGroup
			var submitErr error
			wg.Go(func() {
				_, submitErr = w.s.Act(ctx, w.applicant, a.ID, a.Version, application.ActionSubmit, application.Input{})
			})
			wg.Go(func() {
				if round%2 == 0 {
					db.DeleteMaterial(ctx, a.ID, idCard)
				} else {
					db.AddMaterial(ctx, store.Material{ApplicationID: a.ID, Material: "custom", BlobKey: fmt.Sprintf("late/%d", a.ID), Filename: "x.pdf",
						ContentType: "application/pdf", Size: 1, SHA256: "x"})
				}
			})
			wg.Wait()
			got := must(w.s.Load(ctx, w.applicant, a.ID))
			after := must(db.Materials(ctx, a.ID))
			if got.Status != application.StatusSubmitted {
				if submitErr == nil {
					t.Fatalf("round %d: not submitted, yet no refusal", round)
				}
				continue // the draft stays, to be submitted once its materials are right
			}
			hasID := false
			for _, m := range after {
				hasID = hasID || m.Material == application.MaterialIDCard
				if m.UploadedAt.After(got.SubmittedAt) {
					t.Fatalf("round %d: a file stored after the submission", round)
				}
			}
			if !hasID {
				t.Fatalf("round %d: submitted without its 身份证信息", round)
			}
			w.act(t, w.applicant, got.Application, application.ActionWithdraw, application.Input{})
		}
	})
}

// Two first deliveries of a notice at once both make its PDF; one is kept
// as the record and the other's file is deleted, never the kept one (the
// PDFs are equal byte for byte, so a key made from their content alone was
// the same file).
func TestConcurrentFirstDeliveriesKeepTheRecord(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorldNamed(t, db, "2026-11-23", "张喆堃")
		abs := func(p string) string { return "https://opcert.example.gov.cn" + p }
		a := w.act(t, w.applicant, w.newApplication(t), application.ActionSubmit, application.Input{})
		a = w.act(t, w.officer, a, application.ActionAcceptForExam, application.Input{})
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() {
				if _, err := w.s.NoticePDF(ctx, w.applicant, a.ID, casework.NoticeAcceptance, abs); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		if _, err := w.s.NoticePDF(ctx, w.applicant, a.ID, casework.NoticeAcceptance, abs); err != nil {
			t.Fatalf("the kept 受理通知书 after concurrent first deliveries: %v", err)
		}
	})
}
