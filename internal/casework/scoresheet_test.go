package casework_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"opcert/internal/application"
	"opcert/internal/casework"
	"opcert/internal/exam"
	"opcert/internal/store"
	"opcert/internal/store/storetest"
)

func scoreWorkbook(t *testing.T, rows ...[]any) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, r := range append([][]any{{"申请号", "准考证号", "姓名", "理论", "实操"}}, rows...) {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		f.SetSheetRow("Sheet1", cell, &r)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// Three N1 candidates seated in one theory and one practical session: the
// sheet with one bad row records nothing when read; confirmed, the two good
// rows are recorded as by hand (history, SMS, audit), the bad one not; a
// confirmation of a report that no longer holds records nothing.
func TestScoreSheetImport(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		first := newWorldNamed(t, db, "2026-11-23", "王强")
		second := first.another(t, "李娜", "11010519850302002", "13900000078")
		third := first.another(t, "刘洋", "11010519850302003", "13900000079")
		staff := examStaff(t, db, "exam", "上海市特种设备作业人员考试中心", "N1")
		elsewhere := examStaff(t, db, "exam-2", "另一考试机构", "N1")
		var apps []store.Application
		for _, w := range []*world{first, second, third} {
			a := w.act(t, w.applicant, w.newApplication(t), application.ActionSubmit, application.Input{})
			apps = append(apps, w.act(t, w.officer, a, application.ActionAcceptForExam, application.Input{}))
		}
		theory := must(first.s.AddExamSession(ctx, staff, session("theory", "2026-12-01", "09:00", "11:00", "5", "N1")))
		must(first.s.AddExamSession(ctx, staff, session("practical", "2026-12-01", "13:00", "15:00", "5", "N1")))
		if got := must(first.s.AutoAssign(ctx, staff)); got.Seated != 6 {
			t.Fatalf("auto: %+v", got)
		}
		after := service(t, db, "2026-12-02")
		_, template := must2(after.ScoreSheetTemplate(ctx, staff, theory.ID))
		if len(template) != 3 || template[0].Number != apps[0].Number || template[0].Ticket != "ZK"+apps[0].Number || template[0].Name != "王强" {
			t.Fatalf("template: %+v", template)
		}
		file := scoreWorkbook(t,
			[]any{apps[0].Number, "", "王强", 90, 85},
			[]any{apps[1].Number, "", "李娜", 101, 80},
			[]any{"", "ZK" + apps[2].Number, "刘洋", "75", "70"})
		sheet := must(after.ReadScoreSheet(ctx, staff, theory.ID, "成绩.xlsx", file))
		if len(sheet.Good) != 2 || len(sheet.Problems) != 1 || sheet.Problems[0] != (exam.RowProblem{Line: 3, Column: "理论", Message: "请填写理论知识考试成绩（0–100 的整数）"}) {
			t.Fatalf("checked: good %d, problems %+v", len(sheet.Good), sheet.Problems)
		}
		for _, a := range apps {
			if r := must(db.ExamResultsOf(ctx, a.ID)); len(r) != 0 {
				t.Fatalf("recorded before the confirmation: %+v", r)
			}
		}
		// Refusals of the file itself, at its field.
		for _, bad := range []struct{ name, msg string }{{"成绩.xlsx", "内容不是 Excel 表格"}, {"成绩.png", "只能上传 Excel 表格（xlsx）"}} {
			_, err := after.ReadScoreSheet(ctx, staff, theory.ID, bad.name, []byte("\x89PNG\r\n\x1a\n not really"))
			if casework.ErrorCode(err) != casework.Invalid || casework.FieldErrors(err)[0].Field != "file" || !strings.Contains(casework.ErrorMessage(err), bad.msg) {
				t.Errorf("%s: %v", bad.name, err)
			}
		}
		// Another institution's session is not there for them.
		if _, err := after.ReadScoreSheet(ctx, elsewhere, theory.ID, "成绩.xlsx", file); casework.ErrorCode(err) != casework.NotFound {
			t.Fatalf("another institution: %v", err)
		}
		if _, err := after.RecordScoreSheet(ctx, elsewhere, theory.ID, sheet.Rows, 2); casework.ErrorCode(err) != casework.NotFound {
			t.Fatalf("another institution records: %v", err)
		}
		// A report that no longer holds: nothing recorded.
		if _, err := after.RecordScoreSheet(ctx, staff, theory.ID, sheet.Rows, 3); casework.ErrorCode(err) != casework.Conflict {
			t.Fatalf("stale confirmation: %v", err)
		}
		if r := must(db.ExamResultsOf(ctx, apps[0].ID)); len(r) != 0 {
			t.Fatalf("recorded by a stale confirmation: %+v", r)
		}
		must(after.RecordScoreSheet(ctx, staff, theory.ID, sheet.Rows, 2))
		for i, want := range []struct {
			results int
			status  application.Status
		}{{1, application.StatusAccepted}, {0, application.StatusExamining}, {1, application.StatusAccepted}} {
			a := must(db.ApplicationIn(ctx, apps[i].ID, ""))
			if r := must(db.ExamResultsOf(ctx, a.ID)); len(r) != want.results || a.Status != want.status {
				t.Errorf("application %d: %d results, %s", i, len(r), a.Status)
			}
		}
		if m := first.lastSMS(t); m.Topic != "exam_recorded" {
			t.Errorf("SMS %+v", m)
		}
		ev := must(db.Events(ctx, apps[2].ID))
		if last := ev[len(ev)-1]; last.Action != string(application.ActionRecordExam) {
			t.Errorf("history %+v", last)
		}
		for i, want := range []int{1, 0, 1} {
			n := 0
			for _, e := range must(db.AuditEntries(ctx, fmt.Sprintf("application:%d", apps[i].ID), 50)) {
				if e.Action == string(application.ActionRecordExam) && e.ActorID == staff.UserID {
					n++
				}
			}
			if n != want {
				t.Errorf("audit entries of application %d: %d", i, n)
			}
		}
		// The same sheet again: the recorded rows are now refused.
		again := must(after.CheckScoreSheet(ctx, staff, theory.ID, sheet.Rows))
		if len(again.Good) != 0 || len(again.Problems) != 3 {
			t.Fatalf("again: %+v", again)
		}
	})
}

func must2[A, B any](a A, b B, err error) (A, B) {
	if err != nil {
		panic(err)
	}
	return a, b
}
