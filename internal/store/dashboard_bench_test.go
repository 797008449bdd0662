package store

// BenchmarkDashboard measures the bureau and city dashboards over the
// queue benchmark's applications (OPCERT_BENCH_QUEUE_APPS, 100,000 by
// default; a city of a million holders has about that many a year), with
// their 受理 and decision dates and a 补正 for each one in 补正:
//
//	go test ./internal/store -run '^$' -bench BenchmarkDashboard
import (
	"context"
	"testing"

	"opcert/internal/civil"
)

func dashboardSetup(b *testing.B, db *DB) {
	queueSetup(b, db)
	ctx := context.Background()
	for _, q := range []string{
		`UPDATE applications SET submitted_on = due_on`,
		`UPDATE applications SET accepted_on = due_on WHERE status IN ('accepted', 'completed')`,
		`UPDATE applications SET decided_on = due_on WHERE status = 'completed'`,
		`INSERT INTO application_events (application_id, at, action, from_status, to_status, note)
			SELECT id, submitted_at, 'request_correction', 'submitted', 'correction', '' FROM applications WHERE status = 'correction'`,
		`ANALYZE`,
	} {
		if _, err := db.w.ExecContext(ctx, q); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDashboard(b *testing.B) {
	for _, d := range []Dialect{SQLite, Postgres} {
		b.Run(string(d), func(b *testing.B) {
			db := benchEngine(b, d, "dashboard")
			dashboardSetup(b, db)
			today := civil.MustParse("2026-11-23")
			q := DashboardQuery{Today: today, WeekEnd: today.AddDays(6), Since: today.AddMonths(-12)}
			for name, authority := range map[string]string{"bureau": "310104", "city": ""} {
				b.Run(name, func(b *testing.B) {
					q.Authority = authority
					for b.Loop() {
						got, err := db.Dashboard(context.Background(), q)
						if err != nil || len(got) == 0 || len(got[0].ToDecision) == 0 {
							b.Fatalf("dashboard: %d bureaus, %v", len(got), err)
						}
					}
				})
			}
		})
	}
}
