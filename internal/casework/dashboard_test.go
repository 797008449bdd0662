package casework_test

import (
	"math"
	"testing"
	"time"

	"opcert/internal/application"
	"opcert/internal/casework"
	"opcert/internal/civil"
	"opcert/internal/store"
	"opcert/internal/store/storetest"
)

// row is an application of the dashboard's known dataset.
type dashRow struct {
	number, authority, status string
	submitted                 time.Time // zero: never submitted
	due, accepted, decided    string    // "" for none
	corrected                 bool      // asked for 补正 once
}

func utc(s string) time.Time {
	t, err := time.Parse("2006-01-02 15:04", s)
	if err != nil {
		panic(err)
	}
	return t
}

func dateOrNil(s string) any {
	if s == "" {
		return nil
	}
	return civil.MustParse(s)
}

func loadDashboardRows(t *testing.T, w *world, rows []dashRow) {
	t.Helper()
	for _, r := range rows {
		var submitted, submittedOn any
		if !r.submitted.IsZero() {
			submitted, submittedOn = r.submitted, civil.Of(r.submitted)
		}
		if err := store.ExecForTest(w.db, `INSERT INTO applications (number, applicant_id, holder_id, matter, authority_code, status, step, data, version,
			created_at, updated_at, submitted_at, due_on, accepted_on, decided_on, submitted_on)
			VALUES ($1, $2, $3, 'renew', $4, $5, 'review', '{}', 1, $6, $6, $7, $8, $9, $10, $11)`,
			r.number, w.applicant.UserID, w.holderID, r.authority, r.status, utc("2025-01-01 00:00"), submitted,
			dateOrNil(r.due), dateOrNil(r.accepted), dateOrNil(r.decided), submittedOn); err != nil {
			t.Fatal(err)
		}
		if r.corrected {
			if err := store.ExecForTest(w.db, `INSERT INTO application_events (application_id, at, action, from_status, to_status, note)
				SELECT id, $2, 'request_correction', 'submitted', 'correction', '' FROM applications WHERE number = $1`, r.number, r.submitted.Add(time.Hour)); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// The dashboard on a known dataset, on both engines. Today is Monday
// 2026-11-23, the week ends on Sunday 29th, the period starts 2025-11-24;
// November 2026 has no holiday, so working days are Monday to Friday.
func TestDashboardFigures(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db, "2026-11-23")
		loadDashboardRows(t, w, []dashRow{
			// 受理 2 working days after a Monday submission; decided 10 after.
			{"A1", "310104", "approved", utc("2026-11-02 02:00"), "", "2026-11-04", "2026-11-18", false},
			// Submitted at 01:00 on Friday in China (Thursday in UTC): 1
			// working day to 受理 on Monday, not 2; decided 4 after.
			{"A2", "310104", "denied", utc("2026-11-05 17:00"), "", "2026-11-09", "2026-11-13", false},
			{"A3", "310104", "submitted", utc("2026-11-20 02:00"), "2026-11-25", "", "", true},           // due this week
			{"A4", "310104", "accepted", utc("2026-10-26 02:00"), "2026-11-20", "2026-10-28", "", false}, // overdue; 2 to 受理
			{"A5", "310104", "correction", utc("2026-11-16 02:00"), "", "", "", true},
			{"A6", "310104", "draft", time.Time{}, "", "", "", false},                                     // not the bureau's yet
			{"A7", "310104", "completed", utc("2025-06-01 02:00"), "", "2025-06-03", "2025-06-10", false}, // before the period
			{"A8", "310104", "submitted", utc("2026-11-21 02:00"), "2026-12-01", "", "", false},           // due next week
			{"B1", "310115", "accepted", utc("2026-11-10 02:00"), "2026-11-24", "2026-11-12", "", false},
			{"B2", "310115", "submitted", utc("2026-11-12 02:00"), "2026-11-19", "", "", false},
		})
		if _, err := w.s.Dashboard(ctx, w.applicant); casework.ErrorCode(err) != casework.Forbidden {
			t.Fatalf("an applicant: %v", err)
		}
		d := must(w.s.Dashboard(ctx, w.officer))
		if d.Title != "徐汇区市场监督管理局" || d.Bureaus != nil || d.WeekEnd != day("2026-11-29") || d.Since != day("2025-11-24") {
			t.Fatalf("dashboard %+v", d)
		}
		xh := d.Total
		want := map[application.Status]int{"approved": 1, "denied": 1, "submitted": 2, "accepted": 1, "correction": 1, "completed": 1}
		checkFigures(t, "徐汇区", xh, want, 7, 1, 1, 6, 2, 5.0/3, 3, 7, 2)

		far := must(w.s.Dashboard(ctx, w.far)).Total
		checkFigures(t, "浦东新区", far, map[application.Status]int{"accepted": 1, "submitted": 1}, 2, 1, 1, 2, 0, 2, 1, 0, 0)

		city := must(w.s.Dashboard(ctx, w.adm))
		if city.Title != "全市" || len(city.Bureaus) != 16 {
			t.Fatalf("city %q, %d bureaus", city.Title, len(city.Bureaus))
		}
		want["accepted"], want["submitted"] = 2, 3
		checkFigures(t, "全市", city.Total, want, 9, 2, 2, 8, 2, 7.0/4, 4, 7, 2)
		for _, b := range city.Bureaus {
			if b.Code == "310104" {
				checkFigures(t, "全市之徐汇区", b, map[application.Status]int{"approved": 1, "denied": 1, "submitted": 2, "accepted": 1, "correction": 1, "completed": 1}, 7, 1, 1, 6, 2, 5.0/3, 3, 7, 2)
			}
		}
		if xh.CorrectionRate < 33.33 || xh.CorrectionRate > 33.34 || city.Total.CorrectionRate != 25 {
			t.Errorf("补正率 %v %v", xh.CorrectionRate, city.Total.CorrectionRate)
		}
	})
}

func checkFigures(t *testing.T, who string, f casework.Figures, byStatus map[application.Status]int, total, week, overdue, submitted, corrected int,
	toAcceptance float64, accepted int, toDecision float64, decided int) {
	t.Helper()
	for _, sc := range f.ByStatus {
		if sc.N != byStatus[sc.Status] {
			t.Errorf("%s %s: %d, want %d", who, sc.Status, sc.N, byStatus[sc.Status])
		}
	}
	if f.Total != total || f.DueThisWeek != week || f.Overdue != overdue || f.Submitted != submitted || f.Corrected != corrected ||
		f.Accepted != accepted || f.Decided != decided || math.Abs(f.AvgToAcceptance-toAcceptance) > 1e-9 || math.Abs(f.AvgToDecision-toDecision) > 1e-9 {
		t.Errorf("%s: %+v", who, f)
	}
}

// The working days to 受理 run from the day of arrival in China: submitted
// at 01:00 on Friday in Beijing (Thursday in UTC) and accepted on Monday is
// 1 working day, not 2.
func TestDashboardCountsFromTheChinaDay(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db, "2026-11-09")
		db.SetClock(func() time.Time { return utc("2026-11-05 17:00") })
		a := w.act(t, w.applicant, w.newApplication(t), application.ActionSubmit, application.Input{})
		db.SetClock(func() time.Time { return utc("2026-11-09 02:00") })
		w.act(t, w.officer, a, application.ActionAcceptForExam, application.Input{})
		f := must(w.s.Dashboard(ctx, w.officer)).Total
		if f.Accepted != 1 || f.AvgToAcceptance != 1 || f.Submitted != 1 {
			t.Fatalf("figures %+v", f)
		}
	})
}
