package store

import (
	"context"
	"database/sql"

	"opcert/internal/civil"
)

// BureauCounts are one 受理机关's figures of the dashboard as SQL counts
// them; the working days between the dates are the caller's to count
// (they need the holiday calendar).
type BureauCounts struct {
	AuthorityCode string
	ByStatus      map[string]int // applications by status, drafts left out
	DueThisWeek   int            // the authority's deadline falls from today to Sunday
	Overdue       int            // the authority's deadline has passed
	Submitted     int            // applications submitted in the period
	Corrected     int            // of them, asked for 补正 at least once
	// ToAcceptance and ToDecision count the applications of the period by
	// their pair of dates: submitted (China day) and 受理; 受理 and decision.
	ToAcceptance, ToDecision []DatePair
}

// DatePair is how many applications went from one date to another.
type DatePair struct {
	From, To civil.Date
	N        int
}

// DashboardQuery selects the figures: one 受理机关 ("" for every one),
// today and the last day of the week, and the first day of the period the
// averages and the 补正 rate cover.
type DashboardQuery struct {
	Authority      string
	Today, WeekEnd civil.Date
	Since          civil.Date
}

// Dashboard counts the figures of each 受理机关 with aggregates over the
// indexes of migration 0083, so a city of a million holders is answered
// without reading an application's form.
func (db *DB) Dashboard(ctx context.Context, q DashboardQuery) ([]BureauCounts, error) {
	by := map[string]*BureauCounts{}
	var order []string
	get := func(code string) *BureauCounts {
		b, ok := by[code]
		if !ok {
			b = &BureauCounts{AuthorityCode: code, ByStatus: map[string]int{}}
			by[code] = b
			order = append(order, code)
		}
		return b
	}
	scope := func(col string) string {
		if q.Authority == "" {
			return col + " IS NOT NULL AND $1 = ''"
		}
		return col + " = $1"
	}
	each := func(query string, args []any, scan func(rows *sql.Rows) error) error {
		rows, err := db.sql.QueryContext(ctx, query, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			if err := scan(rows); err != nil {
				return err
			}
		}
		return rows.Err()
	}
	// Applications by status: the queue's (authority_code, status, due_on)
	// index answers it alone.
	if err := each(`SELECT authority_code, status, COUNT(*) FROM applications
		WHERE `+scope("authority_code")+` AND status NOT IN ('draft', 'draft_expired') GROUP BY authority_code, status`,
		[]any{q.Authority}, func(rows *sql.Rows) error {
			var code, status string
			var n int
			if err := rows.Scan(&code, &status, &n); err != nil {
				return err
			}
			get(code).ByStatus[status] = n
			return nil
		}); err != nil {
		return nil, err
	}
	// The authority's own deadlines: 受理 and the decision (a 补正 deadline
	// is the applicant's, and clears due_on).
	if err := each(`SELECT authority_code,
			SUM(CASE WHEN due_on >= $2 AND due_on <= $3 THEN 1 ELSE 0 END),
			SUM(CASE WHEN due_on < $2 THEN 1 ELSE 0 END)
		FROM applications WHERE `+scope("authority_code")+` AND status IN ('submitted', 'accepted', 'examining', 'reviewed') AND due_on IS NOT NULL
		GROUP BY authority_code`, []any{q.Authority, q.Today, q.WeekEnd}, func(rows *sql.Rows) error {
		var code string
		var week, over int
		if err := rows.Scan(&code, &week, &over); err != nil {
			return err
		}
		b := get(code)
		b.DueThisWeek, b.Overdue = week, over
		return nil
	}); err != nil {
		return nil, err
	}
	since := q.Since.String()
	// 补正 rate: of the applications submitted in the period, those asked
	// for 补正 at least once.
	if err := each(`SELECT authority_code, COUNT(*) FROM applications
		WHERE `+scope("authority_code")+` AND submitted_on >= $2 GROUP BY authority_code`, []any{q.Authority, since}, func(rows *sql.Rows) error {
		var code string
		var n int
		if err := rows.Scan(&code, &n); err != nil {
			return err
		}
		get(code).Submitted = n
		return nil
	}); err != nil {
		return nil, err
	}
	if err := each(`SELECT a.authority_code, COUNT(DISTINCT e.application_id) FROM application_events e JOIN applications a ON a.id = e.application_id
		WHERE e.action = 'request_correction' AND `+scope("a.authority_code")+` AND a.submitted_on >= $2
		GROUP BY a.authority_code`, []any{q.Authority, since}, func(rows *sql.Rows) error {
		var code string
		var n int
		if err := rows.Scan(&code, &n); err != nil {
			return err
		}
		get(code).Corrected = n
		return nil
	}); err != nil {
		return nil, err
	}
	pairs := func(query string, add func(b *BureauCounts, p DatePair)) error {
		return each(query, []any{q.Authority, since}, func(rows *sql.Rows) error {
			var code string
			var p DatePair
			if err := rows.Scan(&code, &p.From, &p.To, &p.N); err != nil {
				return err
			}
			add(get(code), p)
			return nil
		})
	}
	// Grouped in the order of their indexes, so each is read in order
	// without a sort.
	if err := pairs(`SELECT authority_code, submitted_on, accepted_on, COUNT(*) FROM applications
		WHERE `+scope("authority_code")+` AND accepted_on >= $2 AND submitted_on IS NOT NULL
		GROUP BY authority_code, accepted_on, submitted_on`, func(b *BureauCounts, p DatePair) { b.ToAcceptance = append(b.ToAcceptance, p) }); err != nil {
		return nil, err
	}
	if err := pairs(`SELECT authority_code, accepted_on, decided_on, COUNT(*) FROM applications
		WHERE `+scope("authority_code")+` AND decided_on >= $2 AND accepted_on IS NOT NULL
		GROUP BY authority_code, decided_on, accepted_on`, func(b *BureauCounts, p DatePair) { b.ToDecision = append(b.ToDecision, p) }); err != nil {
		return nil, err
	}
	out := make([]BureauCounts, 0, len(order))
	for _, code := range order {
		out = append(out, *by[code])
	}
	return out, nil
}
