package casework

import (
	"context"
	"slices"

	"opcert/internal/application"
	"opcert/internal/civil"
	"opcert/internal/store"
	"opcert/internal/workday"
)

// Figures are one 受理机关's (or the city's) dashboard figures.
type Figures struct {
	Code, Name string
	ByStatus   []StatusCount // every status an application of the bureau can have, in order of life
	Total      int
	// DueThisWeek and Overdue count the applications whose 受理 or decision
	// deadline (the authority's) falls this week, or has passed.
	DueThisWeek, Overdue int
	// AvgToAcceptance is the mean of working days from submission to 受理
	// over Accepted applications; AvgToDecision from 受理 to 准予/不予许可
	// over Decided ones. Working days follow the official calendar.
	AvgToAcceptance, AvgToDecision float64
	Accepted, Decided              int
	// Submitted in the period, Corrected of them asked for 补正 at least
	// once; CorrectionRate is the share in per cent.
	Submitted, Corrected int
	CorrectionRate       float64
}

// StatusCount is how many applications are in a status.
type StatusCount struct {
	Status application.Status
	N      int
}

// Dashboard is the back office's figures: the officer's own 受理机关, or for
// an admin the city with each bureau.
type Dashboard struct {
	Title          string
	Today, WeekEnd civil.Date
	Since          civil.Date // the averages and the 补正 rate cover submissions and decisions since this day
	Total          Figures
	Bureaus        []Figures // the city's bureaus (admins only)
	// Provisional names the years counted Monday to Friday because their
	// holiday notice is not loaded yet (DESIGN.md: never blocks, 暂定).
	Provisional []int
}

// DashboardPeriod is how far back the averages and the 补正 rate look.
const DashboardPeriod = 12 // months

// Dashboard gives the figures the actor may see: an officer their bureau's,
// an admin the city's and every bureau's.
func (s *Service) Dashboard(ctx context.Context, who Actor) (Dashboard, error) {
	if !who.staff() {
		return Dashboard{}, Errorf(Forbidden, "只有受理机关工作人员可以查看统计")
	}
	today := s.today()
	d := Dashboard{Today: today, Since: today.AddMonths(-DashboardPeriod).AddDays(1)}
	// The week runs Monday to Sunday (the working week of the notices).
	d.WeekEnd = today.AddDays((7 - int(today.Weekday())) % 7)
	cal, err := s.Calendar(ctx)
	if err != nil {
		return Dashboard{}, err
	}
	counts, err := s.store.Dashboard(ctx, store.DashboardQuery{Authority: who.scope(), Today: today, WeekEnd: d.WeekEnd, Since: d.Since})
	if err != nil {
		return Dashboard{}, err
	}
	byCode := map[string]store.BureauCounts{}
	for _, c := range counts {
		byCode[c.AuthorityCode] = c
	}
	assumed := map[int]bool{}
	var all store.BureauCounts
	all.ByStatus = map[string]int{}
	if who.scope() != "" {
		d.Title = s.authorityName(who.scope())
		d.Total = s.figures(byCode[who.scope()], cal, assumed)
		d.Total.Code, d.Total.Name = who.scope(), d.Title
	} else {
		d.Title = "全市"
		as, err := s.store.Authorities(ctx)
		if err != nil {
			return Dashboard{}, err
		}
		for _, a := range as {
			c := byCode[a.Code]
			f := s.figures(c, cal, assumed)
			f.Code, f.Name = a.Code, a.Name
			d.Bureaus = append(d.Bureaus, f)
			for k, n := range c.ByStatus {
				all.ByStatus[k] += n
			}
			all.DueThisWeek += c.DueThisWeek
			all.Overdue += c.Overdue
			all.Submitted += c.Submitted
			all.Corrected += c.Corrected
			all.ToAcceptance = append(all.ToAcceptance, c.ToAcceptance...)
			all.ToDecision = append(all.ToDecision, c.ToDecision...)
		}
		d.Total = s.figures(all, cal, assumed)
		d.Total.Name = "全市"
	}
	for y := range assumed {
		d.Provisional = append(d.Provisional, y)
	}
	slices.Sort(d.Provisional)
	return d, nil
}

// dashboardStatuses are the statuses a bureau's applications can have.
var dashboardStatuses = func() []application.Status {
	var out []application.Status
	for _, st := range application.Statuses {
		if st != application.StatusDraft && st != application.StatusDraftExpired {
			out = append(out, st)
		}
	}
	return out
}()

func (s *Service) figures(c store.BureauCounts, cal *workday.Calendar, assumed map[int]bool) Figures {
	f := Figures{DueThisWeek: c.DueThisWeek, Overdue: c.Overdue, Submitted: c.Submitted, Corrected: c.Corrected}
	for _, st := range dashboardStatuses {
		n := c.ByStatus[string(st)]
		f.ByStatus = append(f.ByStatus, StatusCount{Status: st, N: n})
		f.Total += n
	}
	f.AvgToAcceptance, f.Accepted = meanWorkdays(c.ToAcceptance, cal, assumed)
	f.AvgToDecision, f.Decided = meanWorkdays(c.ToDecision, cal, assumed)
	if f.Submitted > 0 {
		f.CorrectionRate = 100 * float64(f.Corrected) / float64(f.Submitted)
	}
	return f
}

// meanWorkdays is the mean of the working days between each pair's dates
// (the day after From through To, as the legal periods count), weighted by
// how many applications each pair stands for.
func meanWorkdays(pairs []store.DatePair, cal *workday.Calendar, assumed map[int]bool) (float64, int) {
	var sum, n int
	for _, p := range pairs {
		if p.To.Before(p.From) {
			continue
		}
		days, years, err := cal.Count(p.From, p.To)
		if err != nil {
			continue // a date outside every calendar: bad data, not a figure
		}
		for _, y := range years {
			assumed[y] = true
		}
		sum += days * p.N
		n += p.N
	}
	if n == 0 {
		return 0, 0
	}
	return float64(sum) / float64(n), n
}
