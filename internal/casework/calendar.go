package casework

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"opcert/internal/application"
	"opcert/internal/audit"
	"opcert/internal/auth"
	"opcert/internal/notify"
	"opcert/internal/store"
	"opcert/internal/workday"
)

// calendarCache is the working-day calendar built from the embedded years
// and the imported ones, kept until the database's calendar revision moves:
// an import on any instance is seen by every other at its next look.
type calendarCache struct {
	mu  sync.Mutex
	rev int64
	cal *workday.Calendar
}

// Calendar is the working-day calendar as it stands now on every instance:
// the embedded years with the imported ones added.
func (s *Service) Calendar(ctx context.Context) (*workday.Calendar, error) {
	rev, err := s.store.CalendarRevision(ctx)
	if err != nil {
		return nil, err
	}
	c := &s.calendar
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cal != nil && c.rev == rev {
		return c.cal, nil
	}
	cal, err := LoadCalendar(ctx, s.store, s.embedded)
	if err != nil {
		return nil, err
	}
	c.cal, c.rev = cal, rev
	return cal, nil
}

// LoadCalendar is base (the embedded calendar) with the years imported into
// db added.
func LoadCalendar(ctx context.Context, db *store.DB, base *workday.Calendar) (*workday.Calendar, error) {
	years, err := db.ImportedHolidayYears(ctx)
	if err != nil {
		return nil, err
	}
	cal := base
	for _, y := range years {
		data, err := workday.ParseYearData(y.Data)
		if err != nil {
			return nil, fmt.Errorf("imported holidays %d: %w", y.Year, err)
		}
		if cal, err = cal.WithYear(data); err != nil {
			return nil, fmt.Errorf("imported holidays %d: %w", y.Year, err)
		}
	}
	return cal, nil
}

// CalendarYear is one year of the calendar as the admin page lists it.
type CalendarYear struct {
	Year               int
	Source             string
	Holidays, Workdays int
	Embedded           bool // built into the program; otherwise imported
	ImportedAt         time.Time
	ImportedBy         string
}

// CalendarOverview is what the calendar holds and which years it lacks.
type CalendarOverview struct {
	Years   []CalendarYear
	Awaited []int // the years to ask an administrator for (workday.AwaitedYears)
	// Provisional counts the open applications with a deadline resting on a
	// year counted Monday to Friday.
	Provisional int
}

// CalendarOverview lists the years of the calendar, newest first.
func (s *Service) CalendarOverview(ctx context.Context) (CalendarOverview, error) {
	cal, err := s.Calendar(ctx)
	if err != nil {
		return CalendarOverview{}, err
	}
	imported, err := s.store.ImportedHolidayYears(ctx)
	if err != nil {
		return CalendarOverview{}, err
	}
	open, err := s.store.ProvisionalDeadlines(ctx)
	if err != nil {
		return CalendarOverview{}, err
	}
	out := CalendarOverview{Awaited: cal.AwaitedYears(s.today()), Provisional: len(open)}
	for _, y := range slices.Backward(cal.Years()) {
		data, _ := cal.Year(y)
		row := CalendarYear{Year: y, Source: data.Source, Holidays: len(data.Holidays), Workdays: len(data.Workdays), Embedded: true}
		for _, im := range imported {
			if im.Year == y {
				row.Embedded, row.ImportedAt, row.ImportedBy = false, im.ImportedAt, im.ImportedBy
			}
		}
		out.Years = append(out.Years, row)
	}
	return out, nil
}

// AwaitedYears are the years whose notice the officers' and admins' banner
// asks for today.
func (s *Service) AwaitedYears(ctx context.Context) ([]int, error) {
	cal, err := s.Calendar(ctx)
	if err != nil {
		return nil, err
	}
	return cal.AwaitedYears(s.today()), nil
}

// HolidayImport is what importing a year does, or would do: the year, whether
// it replaces one the calendar had, and each open application whose
// provisional deadline is counted again.
type HolidayImport struct {
	Year     workday.YearData
	Replaces bool
	Recounts []DeadlineRecount
}

// Moved counts the applications whose deadline date moves.
func (h HolidayImport) Moved() int {
	n := 0
	for _, r := range h.Recounts {
		if r.Moved {
			n++
		}
	}
	return n
}

// DeadlineRecount is one application's provisional deadlines counted again.
type DeadlineRecount struct {
	ApplicationID int64
	Number        string
	application.DeadlineRecount
}

// ParseHolidayYear reads an uploaded year file (the format of
// internal/workday/data/YYYY.json); a wrong file is an Invalid error at
// field.
func ParseHolidayYear(raw []byte, field string) (workday.YearData, error) {
	y, err := workday.ParseYearData(raw)
	if err != nil {
		return workday.YearData{}, FieldError(field, err.Error())
	}
	return y, nil
}

// HolidayYearForm is a year typed into the admin's form: one line per day
// or range of days (workday.ParseDayLines).
type HolidayYearForm struct {
	Year               int
	Source             string
	Holidays, Workdays string
}

// Parse checks the form field by field and builds the year.
func (f HolidayYearForm) Parse() (workday.YearData, error) {
	var errs []*Error
	if f.Year == 0 {
		errs = append(errs, FieldError("year", "请填写年度，如 2027"))
	}
	if f.Source == "" {
		errs = append(errs, FieldError("source", "请填写国务院办公厅通知的文号和日期，如“国办发明电〔2026〕×号（2026-11-××）”"))
	}
	holidays, hp := workday.ParseDayLines(f.Holidays)
	if len(hp) > 0 {
		errs = append(errs, FieldError("holidays", joinProblems(hp)))
	} else if len(holidays) == 0 {
		errs = append(errs, FieldError("holidays", "请填写放假日期"))
	}
	workdays, wp := workday.ParseDayLines(f.Workdays)
	if len(wp) > 0 {
		errs = append(errs, FieldError("workdays", joinProblems(wp)))
	}
	if len(errs) > 0 {
		return workday.YearData{}, Errors(errs)
	}
	y := workday.YearData{Year: f.Year, Source: f.Source, Holidays: holidays, Workdays: workdays}
	if err := y.Validate(); err != nil {
		return workday.YearData{}, FieldError("holidays", err.Error())
	}
	return y, nil
}

func joinProblems(ps []string) string {
	out := ""
	for i, p := range ps {
		if i > 0 {
			out += "；"
		}
		out += p
	}
	return out
}

// PreviewHolidayYear is what ImportHolidayYear would do with y now, without
// doing it, for the admin to review.
func (s *Service) PreviewHolidayYear(ctx context.Context, y workday.YearData) (HolidayImport, error) {
	cal, next, err := s.withYear(ctx, y)
	if err != nil {
		return HolidayImport{}, err
	}
	apps, err := s.store.ProvisionalDeadlines(ctx)
	if err != nil {
		return HolidayImport{}, err
	}
	out := HolidayImport{Year: y, Replaces: cal.Has(y.Year)}
	for _, a := range apps {
		r, err := application.RecountDeadlines(a.Due, a.CorrectionDue, next)
		if err != nil {
			return HolidayImport{}, err
		}
		out.Recounts = append(out.Recounts, DeadlineRecount{ApplicationID: a.ID, Number: a.Number, DeadlineRecount: r})
	}
	return out, nil
}

func (s *Service) withYear(ctx context.Context, y workday.YearData) (cal, next *workday.Calendar, err error) {
	if cal, err = s.Calendar(ctx); err != nil {
		return nil, nil, err
	}
	if next, err = cal.WithYear(y); err != nil {
		var bad *workday.InvalidYearDataError
		if errors.As(err, &bad) {
			return nil, nil, FieldError("file", err.Error())
		}
		return nil, nil, err
	}
	return cal, next, nil
}

// ImportHolidayYear adds y to the calendar of every instance, effective at
// once, and in the same transaction counts again every open provisional
// deadline, writing each change to the application's history and the
// audit log and telling by SMS each applicant whose date moved (DESIGN.md:
// a year not yet loaded is counted Monday to Friday and shown as 暂定 until
// an admin imports it, which recomputes the dates). who is the admin, or the
// command line.
func (s *Service) ImportHolidayYear(ctx context.Context, who Actor, y workday.YearData) (HolidayImport, error) {
	if who.Role != auth.RoleAdmin && who.UserID != 0 {
		return HolidayImport{}, Errorf(Forbidden, "只有系统管理员可以导入节假日安排")
	}
	cal, _, err := s.withYear(ctx, y)
	if err != nil {
		return HolidayImport{}, err
	}
	raw, err := json.MarshalIndent(y, "", "  ")
	if err != nil {
		return HolidayImport{}, err
	}
	out := HolidayImport{Year: y, Replaces: cal.Has(y.Year)}
	entry := audit.Entry{ActorID: who.UserID, ActorRole: string(who.Role), IP: who.IP}
	_, err = s.store.ImportHolidayYear(ctx, store.HolidayYear{Year: y.Year, Data: raw, Source: y.Source}, entry,
		func(apps []store.Application) ([]store.DeadlineChange, error) {
			// Counted on the calendar as it will be after this import,
			// from the rows as they stand inside the transaction.
			next, err := cal.WithYear(y)
			if err != nil {
				return nil, err
			}
			out.Recounts = nil
			var changes []store.DeadlineChange
			for _, a := range apps {
				r, err := application.RecountDeadlines(a.Due, a.CorrectionDue, next)
				if err != nil {
					return nil, err
				}
				out.Recounts = append(out.Recounts, DeadlineRecount{ApplicationID: a.ID, Number: a.Number, DeadlineRecount: r})
				c := store.DeadlineChange{ApplicationID: a.ID, Due: r.Due, CorrectionDue: r.CorrectionDue,
					Note: fmt.Sprintf("已导入%d年节假日安排（%s）：%s", y.Year, y.Source, r.Note)}
				if r.Moved {
					c.SMSTopic, c.SMS = notify.TopicDeadlineChanged, s.deadlineMovedSMS(ctx, a, r)
				}
				changes = append(changes, c)
			}
			return changes, nil
		})
	if err != nil {
		return HolidayImport{}, err
	}
	s.log.Info("holiday year imported", "year", y.Year, "recounted", len(out.Recounts), "moved", out.Moved())
	return out, nil
}

// deadlineMovedSMS tells the applicant the deadline that concerns them now:
// their own 补正期限 when it moved, otherwise the authority's.
func (s *Service) deadlineMovedSMS(ctx context.Context, a store.Application, r application.DeadlineRecount) string {
	kind, due := "补正期限", r.CorrectionDue
	if r.CorrectionDue.Date == a.CorrectionDue.Date {
		kind, due = application.Status(a.Status).DeadlineKind(), r.Due
	}
	return notify.Message(ctx, s.store, notify.TopicDeadlineChanged, map[string]string{
		"申请号": a.Number, "事项": application.Matter(a.Matter).Label(), "受理机关": s.authorityName(a.AuthorityCode),
		"期限类别": kind, "期限": due.Chinese(),
	})
}

func (s *Service) authorityName(code string) string {
	if d, ok := s.catalog.District(code); ok {
		return d.Name + "市场监督管理局"
	}
	return code
}
