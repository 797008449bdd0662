package casework_test

import (
	"bytes"
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"opcert/internal/casework"
	"opcert/internal/catalog"
	"opcert/internal/civil"
	"opcert/internal/importer"
	"opcert/internal/store"
	"opcert/internal/store/storetest"
	"opcert/internal/testfixture"
	"opcert/internal/weldexam"
)

// batchOf50 is a workbook of 50 candidates of whom three are wrong: row 5
// leaves out the 联系电话(手机), row 20 has a 技能考试项目明细 code with a
// wrong 焊接位置, row 30 repeats row 10's 身份证.
func batchOf50(t *testing.T) []byte {
	t.Helper()
	rows := testfixture.WeldBatchRows(50)
	delete(rows[3], weldexam.ColMobile)
	rows[18][weldexam.ColItems] = "SMAW-FeⅡ-9G-9/57-Fef3J"
	rows[28][weldexam.ColIDNumber] = rows[8][weldexam.ColIDNumber]
	rows[28][weldexam.ColSex] = rows[8][weldexam.ColSex]
	return must(importer.WeldBatchWorkbook(rows, catalog.Default()))
}

// A 单位 uploads a workbook (seed 000 四.1 批量报名): every row is checked as
// the single form, the report says row, column and reason, nothing is
// registered until the 单位 confirms; the confirmation registers the good
// rows in one go, bound to the 单位, which then follows them; a second
// confirmation, another 单位, and a later upload of the same people are
// refused.
func TestWeldBatchUploadReportAndConfirm(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db, "2026-12-02")
		examStaff(t, db, "weld-exam", "上海市特种设备作业人员考试中心", "金属焊接操作", "非金属焊接操作")
		unit := unitAccount(t, w, "91310000MA00003490", "上海焊接工程有限公司")
		other := unitAccount(t, w, "91310115607111111"+creditCheck("91310115607111111"), "上海浦东锅炉运行服务有限公司")

		b := must(w.s.ReadWeldBatch(ctx, unit, "报名.xlsx", batchOf50(t)))
		if b.Rows != 50 || len(b.Good) != 47 || b.BadRows() != 3 {
			t.Fatalf("rows %d good %d problems %+v", b.Rows, len(b.Good), b.Problems)
		}
		want := []struct {
			line         int
			column, text string
		}{{5, "联系电话(手机)", "请填写联系电话!"}, {20, "技能考试项目明细", "第1行："}, {30, "身份证", "与第10行的身份证号相同"}}
		for i, p := range b.Problems {
			if p.Line != want[i].line || p.Column != want[i].column || !strings.Contains(p.Message, want[i].text) {
				t.Fatalf("problem %d: %+v, want %+v", i, p, want[i])
			}
		}
		if wf := must(w.s.Workforce(ctx, unit)); len(wf.Welders)+len(wf.Waiting) != 0 {
			t.Fatalf("registered before the confirmation: %+v", wf)
		}
		// Another 单位 neither sees nor confirms it.
		if _, err := w.s.WeldBatchOf(ctx, other, b.ID); casework.ErrorCode(err) != casework.NotFound {
			t.Fatalf("another 单位 sees it: %v", err)
		}
		if _, err := w.s.ConfirmWeldBatch(ctx, other, b.ID, 47); casework.ErrorCode(err) != casework.NotFound {
			t.Fatalf("another 单位 confirms it: %v", err)
		}
		// A confirmation of another count than the report's registers nothing.
		if _, err := w.s.ConfirmWeldBatch(ctx, unit, b.ID, 50); casework.ErrorCode(err) != casework.Conflict {
			t.Fatalf("wrong count: %v", err)
		}
		if wf := must(w.s.Workforce(ctx, unit)); len(wf.Welders) != 0 {
			t.Fatalf("half registered: %d", len(wf.Welders))
		}
		done := must(w.s.ConfirmWeldBatch(ctx, unit, b.ID, 47))
		if !done.Confirmed || done.Registered != 47 {
			t.Fatalf("confirmed: %+v", done)
		}
		wf := must(w.s.Workforce(ctx, unit))
		if len(wf.Welders) != 47 || len(wf.Waiting) != 47 || !wf.Welders[0].NeedsPhoto || wf.Welders[0].Progress != "已报名（考生可修改）" || len(wf.Welders[0].Items) != 2 {
			t.Fatalf("the 单位's welders: %d waiting %d %+v", len(wf.Welders), len(wf.Waiting), wf.Welders[0])
		}
		if wf := must(w.s.Workforce(ctx, other)); len(wf.Welders)+len(wf.Waiting) != 0 {
			t.Fatalf("another 单位 sees them: %+v", wf)
		}
		reg := must(db.LatestWeldRegistration(ctx, testfixture.WeldBatchRows(1)[0][weldexam.ColIDNumber], "new"))
		if reg.Name != "焊工1" || reg.InstitutionID == 0 {
			t.Fatalf("registration: %+v", reg)
		}
		// The upload and each registration are audited as the 单位's.
		up := must(db.AuditEntries(ctx, fmt.Sprintf("weld_batch:%d", b.ID), 5))
		regAudit := must(db.AuditEntries(ctx, fmt.Sprintf("weld_registration:%d", reg.ID), 5))
		if len(up) != 1 || up[0].Action != "weld_batch_upload" || up[0].ActorID != unit.UserID ||
			len(regAudit) != 1 || regAudit[0].Action != "weld_batch_register" || regAudit[0].ActorRole != "unit" {
			t.Fatalf("audit: %+v %+v", up, regAudit)
		}
		// Confirmed once only.
		if _, err := w.s.ConfirmWeldBatch(ctx, unit, b.ID, 47); casework.ErrorCode(err) != casework.Conflict || !strings.Contains(err.Error(), "不能重复确认") {
			t.Fatalf("second confirmation: %v", err)
		}
		if again := must(w.s.WeldBatchOf(ctx, unit, b.ID)); !again.Confirmed || again.Registered != 47 {
			t.Fatalf("the confirmed batch: %+v", again)
		}
		// The same people uploaded again: each registered one is reported.
		b2 := must(w.s.ReadWeldBatch(ctx, unit, "again.xlsx", batchOf50(t)))
		if len(b2.Good) != 0 || b2.BadRows() != 50 {
			t.Fatalf("uploaded again: good %d bad %d", len(b2.Good), b2.BadRows())
		}
		for _, p := range b2.Problems {
			if p.Line == 2 && (p.Column != "身份证" || p.Message != store.ErrWeldRegistered.Error()) {
				t.Fatalf("already registered: %+v", p)
			}
		}
		if _, err := w.s.ConfirmWeldBatch(ctx, unit, b2.ID, 0); casework.ErrorCode(err) != casework.Invalid {
			t.Fatalf("nothing to register: %v", err)
		}
	})
}

// Files that are no 批量报名表 are refused at the upload field, in words
// the 单位 can act on, and nothing is kept.
func TestWeldBatchRefusedFiles(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db, "2026-12-02")
		unit := unitAccount(t, w, "91310000MA00003490", "上海焊接工程有限公司")
		good := batchOf50(t)
		tpl := must(w.s.WeldBatchTemplate(ctx, unit))
		// A score sheet uploaded by mistake.
		f := excelize.NewFile()
		f.SetSheetRow("Sheet1", "A1", &[]any{"申请号", "准考证号", "姓名", "理论成绩", "实操成绩"})
		f.SetSheetRow("Sheet1", "A2", &[]any{"1", "2", "王焊工", "80", "90"})
		var wrongHeader bytes.Buffer
		must0(t, f.Write(&wrongHeader))
		cases := []struct {
			name, file string
			data       []byte
			want       string
		}{
			{"empty", "a.xlsx", nil, "文件是空的"},
			{"oversized", "a.xlsx", append(bytes.Clone(good), make([]byte, 3<<20)...), "超过2MB"},
			{"a picture renamed", "a.xlsx", testfixture.Photo(), "内容不是 Excel 表格"},
			{"cut short", "a.xlsx", good[:len(good)/2], "已损坏"},
			{"the template unfilled", "a.xlsx", tpl, "表中没有考生"},
			{"another workbook", "a.xlsx", wrongHeader.Bytes(), "不是批量报名模板的格式"},
		}
		for _, c := range cases {
			_, err := w.s.ReadWeldBatch(ctx, unit, c.file, c.data)
			fe := casework.FieldErrors(err)
			if len(fe) != 1 || fe[0].Field != "file" || !strings.Contains(fe[0].Message, c.want) {
				t.Errorf("%s: %v", c.name, err)
			}
		}
		// A 个人 account has no 批量报名.
		if _, err := w.s.ReadWeldBatch(ctx, w.applicant, "a.xlsx", good); err == nil {
			t.Fatal("an applicant uploaded a batch")
		}
	})
}

// A welder the 单位 registered brings the photo themselves (BatchPhotoRule):
// by the SMS code to the mobile of their row they open the registration,
// and their 修改 without a photo is refused at the photo, with one it is
// kept.
func TestWeldBatchRegistrantAddsThePhoto(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db, "2026-12-02")
		examStaff(t, db, "weld-exam", "上海市特种设备作业人员考试中心", "金属焊接操作", "非金属焊接操作")
		unit := unitAccount(t, w, "91310000MA00003490", "上海焊接工程有限公司")
		rows := testfixture.WeldBatchRows(2)
		b := must(w.s.ReadWeldBatch(ctx, unit, "报名.xlsx", must(importer.WeldBatchWorkbook(rows, catalog.Default()))))
		must(w.s.ConfirmWeldBatch(ctx, unit, b.ID, 2))
		id, mobile := rows[1][weldexam.ColIDNumber], rows[1][weldexam.ColMobile]
		must(w.s.SendWeldCode(ctx, "new", id, "192.0.2.1"))
		msgs := must(db.RecentOutbox(ctx, mobile, 1))
		token := must(w.s.OpenWeld(ctx, "new", id, weldCodeRE.FindStringSubmatch(msgs[0].Body)[1], "192.0.2.1"))
		own := must(w.s.OwnWeld(ctx, token))
		if own.Form.PhotoKey != "" || own.Form.Name != "焊工2" {
			t.Fatalf("registration: %+v", own.Form)
		}
		_, err := w.s.ModifyWelder(ctx, token, own.Version, own.Form, "192.0.2.1")
		if fe := casework.FieldErrors(err); len(fe) != 1 || fe[0].Field != "photo" || fe[0].Message != "请上传2寸正面近期免冠照片!" {
			t.Fatalf("修改 without a photo: %v", err)
		}
		photo := testfixture.Photo()
		form := own.Form
		form.PhotoKey = must(w.s.SaveWeldPhoto(ctx, *sentFile("photo.png", photo)))
		mod := must(w.s.ModifyWelder(ctx, token, own.Version, form, "192.0.2.1"))
		if mod.Form.PhotoKey == "" {
			t.Fatal("photo not kept")
		}
		if wf := must(w.s.Workforce(ctx, unit)); wf.Welders[0].Name != "焊工2" || wf.Welders[0].NeedsPhoto || !wf.Welders[1].NeedsPhoto {
			t.Fatalf("the 单位's view: %+v", wf.Welders)
		}
	})
}

// An upload the 单位 never confirms is deleted weldexam.UnconfirmedBatchKept
// after it was uploaded (个人信息保护法 第十九条), on the day its report
// gave, with the audit entry of the system; a younger one stays. A
// confirmed upload keeps its record, which is all its pages show: the
// file, the rows, the registrations made, and the welders on the 工作台.
func TestUnconfirmedWeldBatchDeleted(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db, "2026-12-02")
		examStaff(t, db, "weld-exam", "上海市特种设备作业人员考试中心", "金属焊接操作", "非金属焊接操作")
		unit := unitAccount(t, w, "91310000MA00003490", "上海焊接工程有限公司")
		uploaded := db.Now()
		confirmed := must(w.s.ReadWeldBatch(ctx, unit, "报名.xlsx", batchOf50(t)))
		given := must(w.s.ReadWeldBatch(ctx, unit, "放弃.xlsx", batchOf50(t)))
		if want := civil.MustParse("2026-12-09"); given.DeletedOn != want {
			t.Fatalf("deleted on %s, want %s", given.DeletedOn, want)
		}
		if done := must(w.s.ConfirmWeldBatch(ctx, unit, confirmed.ID, 47)); !done.DeletedOn.IsZero() {
			t.Fatalf("a confirmed upload told its deletion: %+v", done.DeletedOn)
		}
		at := func(d time.Duration) { db.SetClock(func() time.Time { return uploaded.Add(d) }) }
		at(time.Hour)
		young := must(w.s.ReadWeldBatch(ctx, unit, "新.xlsx", batchOf50(t)))
		at(weldexam.UnconfirmedBatchKept)
		if gone := must(w.s.ExpireWeldBatches(ctx)); len(gone) != 0 {
			t.Fatalf("deleted on its last moment: %+v", gone)
		}
		at(weldexam.UnconfirmedBatchKept + time.Minute)
		gone := must(w.s.ExpireWeldBatches(ctx))
		if len(gone) != 1 || gone[0].ID != given.ID || gone[0].RowCount != 50 {
			t.Fatalf("deleted: %+v", gone)
		}
		if _, err := w.s.WeldBatchOf(ctx, unit, given.ID); casework.ErrorCode(err) != casework.NotFound {
			t.Fatalf("the deleted upload: %v", err)
		}
		if b := must(w.s.WeldBatchOf(ctx, unit, young.ID)); b.Confirmed || b.Rows != 50 || b.BadRows() != 50 {
			t.Fatalf("the younger upload: %+v", b)
		}
		b := must(w.s.WeldBatchOf(ctx, unit, confirmed.ID))
		if !b.Confirmed || b.Registered != 47 || b.Rows != 50 || b.Filename != "报名.xlsx" || len(b.Problems)+len(b.Good) != 0 {
			t.Fatalf("the confirmed upload: %+v", b)
		}
		if _, err := w.s.ConfirmWeldBatch(ctx, unit, confirmed.ID, 47); casework.ErrorCode(err) != casework.Conflict {
			t.Fatalf("the confirmed upload confirmed again: %v", err)
		}
		if wf := must(w.s.Workforce(ctx, unit)); len(wf.Welders) != 47 {
			t.Fatalf("the 单位's welders: %d", len(wf.Welders))
		}
		// Nothing of the rows is kept once confirmed.
		var rows string
		storetest.InTx(t, db, func(tx *sql.Tx) error {
			return tx.QueryRow(`SELECT rows_json FROM weld_batches WHERE id = $1`, confirmed.ID).Scan(&rows)
		})
		if rows != "" {
			t.Fatalf("rows of the confirmed upload kept: %d bytes", len(rows))
		}
		e := must(db.AuditEntries(ctx, fmt.Sprintf("weld_batch:%d", given.ID), 5))
		if len(e) != 2 || e[0].Action != "weld_batch_expired" || e[0].ActorRole != "system" || e[1].Action != "weld_batch_upload" || e[1].ActorID != unit.UserID {
			t.Fatalf("audit: %+v", e)
		}
	})
}
