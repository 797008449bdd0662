package casework_test

import (
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"opcert/internal/application"
	"opcert/internal/casework"
	"opcert/internal/enterprise"
	"opcert/internal/store"
	"opcert/internal/store/storetest"
	"opcert/internal/testfixture"
)

// The credit codes of the 单位 checked here: the form's employer (the
// world's applicant names it) and another company.
const (
	xuhuiCode = "91310104MA1FL0XQ4F"
	xuhuiName = "上海徐汇起重设备安装有限公司"
)

func pudongCode() string { return "91310115607111111" + creditCheck("91310115607111111") }

// refusedWith checks that err is a refusal of code whose message says want.
func refusedWith(t *testing.T, what string, err error, code casework.Code, want string) {
	t.Helper()
	if casework.ErrorCode(err) != code || !strings.Contains(casework.ErrorMessage(err), want) {
		t.Errorf("%s: %v (%s), want %s saying %q", what, err, casework.ErrorCode(err), code, want)
	}
}

// A 单位 待审核 or 审核不通过 logs in and sees where it stands, and is
// refused, in the service, each use of its powers: its workers' items,
// 批量报名 and its welders; approved, it sees the worker who named it,
// and is told by SMS.
func TestUnitGatedUntilApproved(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db, "2026-11-23")
		w.act(t, w.applicant, w.sharedApplication(t, true), application.ActionSubmit, application.Input{})
		unit := pendingUnit(t, w, xuhuiCode, xuhuiName, "13900000123")

		gates := func(want string) {
			t.Helper()
			_, err := w.s.Workforce(ctx, unit)
			refusedWith(t, "workers", err, casework.Forbidden, want)
			_, err = w.s.WeldBatchTemplate(ctx, unit)
			refusedWith(t, "批量报名 template", err, casework.Forbidden, want)
			_, err = w.s.ReadWeldBatch(ctx, unit, "batch.xlsx", []byte("x"))
			refusedWith(t, "批量报名 upload", err, casework.Forbidden, want)
			_, err = w.s.WeldBatchOf(ctx, unit, 1)
			refusedWith(t, "批量报名 upload of an id", err, casework.Forbidden, want)
			_, err = w.s.ConfirmWeldBatch(ctx, unit, 1, 1)
			refusedWith(t, "批量报名 confirmation", err, casework.Forbidden, want)
			_, err = w.s.UnitWelders(ctx, unit)
			refusedWith(t, "welders", err, casework.Forbidden, want)
		}
		gates("待审核")
		desk := must(w.s.UnitDesk(ctx, unit))
		if desk.Registration.Check != enterprise.CheckPending || desk.Workforce != nil || desk.SMSTo != "13900000123" || desk.Registration.Name != xuhuiName {
			t.Fatalf("pending desk: %+v", desk)
		}
		// The administrator sees it awaiting 审核, with its 营业执照.
		pending := must(w.s.PendingUnits(ctx, w.adm))
		if len(pending) != 1 || pending[0].UserID != unit.UserID || pending[0].CreditCode != xuhuiCode || pending[0].Licence.ContentType != "application/pdf" ||
			pending[0].Phone != "13900000123" || pending[0].SubmittedAt.IsZero() {
			t.Fatalf("pending list: %+v", pending)
		}
		if lic := must(w.s.UnitLicence(ctx, w.adm, unit.UserID)); lic.Filename != "营业执照.pdf" {
			t.Fatalf("licence: %+v", lic)
		}
		if e := must(db.AuditEntries(ctx, "user:"+itoa(unit.UserID), 5)); len(e) != 1 || e[0].Action != "view_unit_licence" || e[0].ActorID != w.adm.UserID {
			t.Fatalf("licence view audit: %+v", e)
		}

		must(w.s.DecideUnit(ctx, w.adm, unit.UserID, casework.UnitVerdict{Action: "refuse", Reason: "营业执照上的名称与填写的单位名称不一致"}))
		gates("营业执照上的名称与填写的单位名称不一致")
		if d := must(w.s.UnitDesk(ctx, unit)); d.Registration.Check != enterprise.CheckRefused || d.Registration.Reason != "营业执照上的名称与填写的单位名称不一致" || d.Workforce != nil {
			t.Fatalf("refused desk: %+v", d)
		}
		if len(must(w.s.PendingUnits(ctx, w.adm))) != 0 {
			t.Fatal("a refused registration is still awaiting 审核")
		}
		if err := w.s.ResubmitUnit(ctx, unit, casework.UnitCorrection{Name: xuhuiName, Address: "上海市徐汇区漕溪北路88号", Contact: "周安全", Phone: "13900000123",
			Licence: licenceFile("营业执照（清晰）.png", testfixture.Photo())}); err != nil {
			t.Fatal(err)
		}
		gates("待审核")
		again := must(w.s.PendingUnits(ctx, w.adm))
		if len(again) != 1 || again[0].Licence.ContentType != "image/png" || again[0].Reason == "" {
			t.Fatalf("resubmitted: %+v", again)
		}
		must(w.s.DecideUnit(ctx, w.adm, unit.UserID, casework.UnitVerdict{Action: "approve"}))
		wf := must(w.s.Workforce(ctx, unit))
		if len(wf.Waiting) != 1 || wf.Waiting[0].Name != w.name {
			t.Fatalf("approved workforce: %+v", wf)
		}
		if d := must(w.s.UnitDesk(ctx, unit)); d.Workforce == nil || len(d.Workforce.Waiting) != 1 {
			t.Fatalf("approved desk: %+v", d)
		}
		must(w.s.UnitWelders(ctx, unit))
		must(w.s.WeldBatchTemplate(ctx, unit))

		// Each decision and the correction are audited, with who made them.
		var actions []string
		for _, e := range must(db.AuditEntries(ctx, "user:"+itoa(unit.UserID), 10)) {
			actions = append(actions, e.Action)
			if e.Action != "view_unit_licence" && e.Action != "resubmit_unit" && e.ActorID != w.adm.UserID {
				t.Errorf("%s by %d", e.Action, e.ActorID)
			}
		}
		if got := strings.Join(actions, " "); got != "approve_unit resubmit_unit refuse_unit view_unit_licence" {
			t.Errorf("audit: %s", got)
		}
		// Told by SMS, the refusal with its reason.
		msgs := must(db.RecentOutbox(ctx, "13900000123", 5))
		if len(msgs) != 2 || msgs[0].Topic != "unit_approved" || !strings.Contains(msgs[0].Body, xuhuiName+"的单位账号注册已审核通过") ||
			msgs[1].Topic != "unit_refused" || !strings.Contains(msgs[1].Body, "理由：营业执照上的名称与填写的单位名称不一致") {
			t.Fatalf("messages: %+v", msgs)
		}
	})
}

// A 单位 with a fixed line is decided without an SMS; another 单位 sees
// neither the workers nor the 营业执照 of this one.
func TestUnitFixedLineAndAnotherUnit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db, "2026-11-23")
		w.act(t, w.applicant, w.sharedApplication(t, true), application.ActionSubmit, application.Input{})
		xuhui := pendingUnit(t, w, xuhuiCode, xuhuiName, "021-64870000")
		other := unitAccount(t, w, pudongCode(), "上海浦东锅炉运行服务有限公司")
		if wf := must(w.s.Workforce(ctx, other)); len(wf.Rows)+len(wf.Waiting) != 0 {
			t.Fatalf("another 单位 sees the worker: %+v", wf)
		}
		_, err := w.s.UnitLicence(ctx, other, xuhui.UserID)
		refusedWith(t, "another 单位's licence", err, casework.NotFound, "营业执照不存在")
		_, err = w.s.UnitLicence(ctx, w.officer, xuhui.UserID)
		refusedWith(t, "an officer", err, casework.Forbidden, "只有系统管理员")
		if lic := must(w.s.UnitLicence(ctx, xuhui, xuhui.UserID)); lic.Key == "" {
			t.Fatal("its own licence")
		}
		must(w.s.DecideUnit(ctx, w.adm, xuhui.UserID, casework.UnitVerdict{Action: "approve"}))
		if n := len(must(db.RecentOutbox(ctx, "021-64870000", 5))); n != 0 {
			t.Fatalf("%d messages to a fixed line", n)
		}
		if wf := must(w.s.Workforce(ctx, xuhui)); len(wf.Waiting) != 1 {
			t.Fatalf("approved: %+v", wf)
		}
		if wf := must(w.s.Workforce(ctx, other)); len(wf.Rows)+len(wf.Waiting) != 0 {
			t.Fatalf("another 单位 sees the worker after the approval: %+v", wf)
		}
	})
}

// Decisions out of turn and by the wrong people are refused, and change
// nothing.
func TestUnitDecisionsOutOfTurn(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db, "2026-11-23")
		a := pendingUnit(t, w, xuhuiCode, xuhuiName, "13900000123")
		b := pendingUnit(t, w, pudongCode(), "上海浦东锅炉运行服务有限公司", "13900000124")
		for _, c := range []struct {
			what string
			who  casework.Actor
			id   int64
			v    casework.UnitVerdict
			code casework.Code
			says string
		}{
			{"an officer", w.officer, a.UserID, casework.UnitVerdict{Action: "approve"}, casework.Forbidden, "只有系统管理员"},
			{"the 单位 itself", a, a.UserID, casework.UnitVerdict{Action: "approve"}, casework.Forbidden, "只有系统管理员"},
			{"no action", w.adm, a.UserID, casework.UnitVerdict{}, casework.Invalid, "请选择审核通过或审核不通过"},
			{"a refusal without reason", w.adm, a.UserID, casework.UnitVerdict{Action: "refuse", Reason: "  "}, casework.Invalid, "请填写审核不通过的理由"},
			{"releasing with an approval", w.adm, a.UserID, casework.UnitVerdict{Action: "approve", Release: true}, casework.Invalid, "不能释放"},
			{"no such registration", w.adm, 999999, casework.UnitVerdict{Action: "approve"}, casework.NotFound, "不存在"},
			{"an applicant's account", w.adm, w.applicant.UserID, casework.UnitVerdict{Action: "approve"}, casework.NotFound, "不存在"},
		} {
			_, err := w.s.DecideUnit(ctx, c.who, c.id, c.v)
			refusedWith(t, c.what, err, c.code, c.says)
		}
		if n := len(must(w.s.PendingUnits(ctx, w.adm))); n != 2 {
			t.Fatalf("%d pending after the refusals", n)
		}
		_, err := w.s.PendingUnits(ctx, a)
		refusedWith(t, "the list to a 单位", err, casework.Forbidden, "只有系统管理员")

		must(w.s.DecideUnit(ctx, w.adm, a.UserID, casework.UnitVerdict{Action: "approve"}))
		_, err = w.s.DecideUnit(ctx, w.adm, a.UserID, casework.UnitVerdict{Action: "approve"})
		refusedWith(t, "approving twice", err, casework.Conflict, "已审核通过")
		_, err = w.s.DecideUnit(ctx, w.adm, a.UserID, casework.UnitVerdict{Action: "refuse", Reason: "迟到的理由"})
		refusedWith(t, "refusing an approved one", err, casework.Conflict, "已审核通过")
		must(w.s.DecideUnit(ctx, w.adm, b.UserID, casework.UnitVerdict{Action: "refuse", Reason: "营业执照模糊不清"}))
		_, err = w.s.DecideUnit(ctx, w.adm, b.UserID, casework.UnitVerdict{Action: "approve"})
		refusedWith(t, "approving a refused one", err, casework.Conflict, "须由单位更正后重新提交")
		if d := must(w.s.UnitDesk(ctx, b)); d.Registration.Check != enterprise.CheckRefused {
			t.Fatalf("the refused one: %+v", d.Registration)
		}
		err = w.s.ResubmitUnit(ctx, a, casework.UnitCorrection{Name: xuhuiName, Address: "x", Contact: "x", Phone: "13900000123", Licence: licenceFile("a.pdf", testfixture.PDF)})
		refusedWith(t, "an approved 单位 resubmitting", err, casework.Conflict, "无需更正")
		// One decision each, one SMS each.
		for _, mobile := range []string{"13900000123", "13900000124"} {
			if n := len(must(db.RecentOutbox(ctx, mobile, 5))); n != 1 {
				t.Errorf("%s: %d messages", mobile, n)
			}
		}
	})
}

// The 营业执照 is required, and is a PDF or an image by its content: a file
// named .pdf that is not one, and a Word document, are refused at the
// field, with the form's other mistakes, and nothing is registered.
func TestUnitLicenceUpload(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db, "2026-11-23")
		for _, c := range []struct {
			what string
			file *casework.Upload
			says string
		}{
			{"none", nil, "请上传营业执照"},
			{"a text file named .pdf", licenceFile("营业执照.pdf", []byte("这不是营业执照，只是一段文字。")), "文件名为 .pdf，但内容不是可接受的文件"},
			{"a PNG named .pdf", licenceFile("营业执照.pdf", testfixture.Photo()), "文件名与内容不符"},
			{"empty", licenceFile("营业执照.png", nil), "文件是空的"},
		} {
			f := unitForm(xuhuiCode, xuhuiName, "13900000123")
			f.Licence = c.file
			f.Password2 = "Other2026x"
			_, err := w.s.RegisterUnit(ctx, f)
			if msg := fieldRefusal(err, "licence"); !strings.Contains(msg, c.says) {
				t.Errorf("%s: %q, want %q", c.what, msg, c.says)
			}
			if fieldRefusal(err, "password2") == "" {
				t.Errorf("%s: the form's other mistake is not told with it", c.what)
			}
		}
		if _, err := db.UserByLogin(ctx, xuhuiCode); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("registered after refusals: %v", err)
		}
		// A correction is checked the same way.
		u := pendingUnit(t, w, xuhuiCode, xuhuiName, "13900000123")
		must(w.s.DecideUnit(ctx, w.adm, u.UserID, casework.UnitVerdict{Action: "refuse", Reason: "模糊"}))
		err := w.s.ResubmitUnit(ctx, u, casework.UnitCorrection{Name: xuhuiName, Address: "上海市徐汇区漕溪北路88号", Contact: "周安全", Phone: "13900000123",
			Licence: licenceFile("licence.png", []byte("MZ\x90\x00 not a picture"))})
		if msg := fieldRefusal(err, "licence"); !strings.Contains(msg, "文件名为 .png") {
			t.Errorf("disguised correction: %v", err)
		}
		if d := must(w.s.UnitDesk(ctx, u)); d.Registration.Check != enterprise.CheckRefused {
			t.Errorf("a refused correction changed the status: %s", d.Registration.Check)
		}
	})
}

// A contact named with a character outside the BMP is kept as typed and
// shown to the administrator as it is; without the fonts that print it,
// it is refused at the field.
func TestUnitContactWithRareCharacter(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db, "2026-11-23")
		f := unitForm(xuhuiCode, xuhuiName, "13900000123")
		f.Contact = "𠮷䶮"
		u, err := w.s.RegisterUnit(ctx, f)
		if fallbackMissing(t) {
			if fieldRefusal(err, "contact") == "" {
				t.Fatalf("unprintable contact: %v", err)
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		if p := must(w.s.PendingUnits(ctx, w.adm)); len(p) != 1 || p[0].Contact != "𠮷䶮" || p[0].UserID != u.ID {
			t.Fatalf("pending: %+v", p)
		}
	})
}

// A code must not be held for ever by a registration that is not the
// company's: while one awaits 审核, another registration of the code is
// told to ask the administrator; an administrator refusing may free the
// code at once; a refusal not corrected within 30 days frees it for the
// next registration; a corrected one is awaited again and keeps it.
func TestUnitCodeFreed(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db, "2026-11-23")
		var refusedAt time.Time
		at := func(d time.Duration) { db.SetClock(func() time.Time { return refusedAt.Add(d) }) }
		squatter := pendingUnit(t, w, xuhuiCode, xuhuiName, "13900000123")
		_, err := w.s.RegisterUnit(ctx, unitForm(xuhuiCode, xuhuiName, "021-64870000"))
		refusedWith(t, "a second registration while one is pending", err, casework.Conflict, "正在审核中")

		// Refused and released: the account stops, the real company registers.
		must(w.s.DecideUnit(ctx, w.adm, squatter.UserID, casework.UnitVerdict{Action: "refuse", Reason: "营业执照不属于注册者", Release: true}))
		old := must(db.UserByID(ctx, squatter.UserID))
		if !old.Disabled || old.Login == xuhuiCode {
			t.Fatalf("released account: %+v", old)
		}
		_, err = w.s.UnitDesk(ctx, squatter)
		refusedWith(t, "the released account", err, casework.Forbidden, "只有单位账号")
		real := pendingUnit(t, w, xuhuiCode, xuhuiName, "021-64870000")
		if got := must(db.UserByLogin(ctx, xuhuiCode)); got.ID != real.UserID {
			t.Fatalf("the code logs in as %d, want %d", got.ID, real.UserID)
		}
		var actions []string
		for _, e := range must(db.AuditEntries(ctx, "user:"+itoa(squatter.UserID), 5)) {
			actions = append(actions, e.Action)
		}
		if got := strings.Join(actions, " "); got != "release_unit refuse_unit" {
			t.Errorf("audit of the released one: %s", got)
		}

		// Refused without release: the code is kept for 30 days.
		refusedAt = must(w.s.DecideUnit(ctx, w.adm, real.UserID, casework.UnitVerdict{Action: "refuse", Reason: "营业执照模糊"})).CheckedAt
		at(enterprise.CorrectionPeriod - time.Minute)
		_, err = w.s.RegisterUnit(ctx, unitForm(xuhuiCode, xuhuiName, "13900000125"))
		refusedWith(t, "within 30 days of the refusal", err, casework.Conflict, "已注册单位账号")
		at(enterprise.CorrectionPeriod)
		third := pendingUnit(t, w, xuhuiCode, xuhuiName, "13900000125")
		if u := must(db.UserByID(ctx, real.UserID)); !u.Disabled {
			t.Fatal("the lapsed registration's account still works")
		}
		if e := must(db.AuditEntries(ctx, "user:"+itoa(real.UserID), 1)); len(e) != 1 || e[0].Action != "release_unit_lapsed" || !strings.Contains(e[0].Before, "营业执照模糊") {
			t.Fatalf("lapse audit: %+v", e)
		}

		// Refused, then corrected: awaited again, it keeps the code.
		must(w.s.DecideUnit(ctx, w.adm, third.UserID, casework.UnitVerdict{Action: "refuse", Reason: "名称不符"}))
		must(0, w.s.ResubmitUnit(ctx, third, casework.UnitCorrection{Name: xuhuiName, Address: "上海市徐汇区漕溪北路88号", Contact: "周安全", Phone: "13900000125",
			Licence: licenceFile("营业执照.pdf", testfixture.PDF)}))
		at(3 * enterprise.CorrectionPeriod)
		_, err = w.s.RegisterUnit(ctx, unitForm(xuhuiCode, xuhuiName, "021-64870000"))
		refusedWith(t, "a corrected registration, long after", err, casework.Conflict, "正在审核中")
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
