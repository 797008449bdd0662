// Package exam holds the rules of the exam system for the general items
// examined after 受理 (seed 000 2.1 注1): the exam institutions' 考试场次,
// which candidates a session can seat, automatic and manual assignment with
// a waitlist when sessions are full, and what a score entry needs. Plain
// functions over plain types; what a score means (the pass mark, the one
// 补考) stays application.ExamVerdict's, which these rules call.
package exam

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"opcert/internal/application"
	"opcert/internal/catalog"
	"opcert/internal/civil"
)

// Subject is one of the two exams of an item: 理论知识考试 and 实际操作技能考试
// (TSG Z6001-2019; SOURCES.md §3: A 特种设备安全管理 has the knowledge exam
// only).
type Subject string

const (
	Theory    Subject = "theory"
	Practical Subject = "practical"
)

// Subjects in the order they are shown.
var Subjects = []Subject{Theory, Practical}

// Label is the subject as the 准考证 prints it.
func (s Subject) Label() string {
	switch s {
	case Theory:
		return "理论知识考试"
	case Practical:
		return "实际操作技能考试"
	}
	return string(s)
}

// ParseSubject reads a stored or posted subject.
func ParseSubject(s string) (Subject, bool) {
	if slices.Contains(Subjects, Subject(s)) {
		return Subject(s), true
	}
	return "", false
}

// Clock is a time of day in minutes after midnight, China time.
type Clock int

// ParseClock reads "09:00" or "9:00".
func ParseClock(s string) (Clock, bool) {
	h, m, ok := strings.Cut(strings.TrimSpace(strings.ReplaceAll(s, "：", ":")), ":")
	if !ok {
		return 0, false
	}
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if err1 != nil || err2 != nil || len(m) != 2 || hh < 0 || hh > 23 || mm < 0 || mm > 59 {
		return 0, false
	}
	return Clock(hh*60 + mm), true
}

func (c Clock) String() string { return fmt.Sprintf("%02d:%02d", int(c)/60, int(c)%60) }

// Session is a 考试场次 of an exam institution: one subject of the items it
// lists, on a day at a venue, for at most Capacity candidates.
type Session struct {
	ID          int64
	Institution int64
	Items       []catalog.NewCode
	Subject     Subject
	Date        civil.Date
	Start, End  Clock
	Venue       string
	Capacity    int
}

// Examines reports whether the session examines every one of the items:
// an application's exam is one theory and one practical score
// (application.ExamVerdict), so one session must cover all its items.
func (s Session) Examines(items []catalog.Qualification) bool {
	if len(items) == 0 {
		return false
	}
	for _, q := range items {
		if !slices.Contains(s.Items, q.Code) {
			return false
		}
	}
	return true
}

// When is the day and time: "2026年12月05日 09:00–11:00".
func (s Session) When() string {
	return s.Date.Chinese() + " " + s.Start.String() + "–" + s.End.String()
}

// ItemList names the items: "P 气瓶充装、N1 叉车司机".
func (s Session) ItemList(cat *catalog.Catalog) string {
	names := make([]string, len(s.Items))
	for i, code := range s.Items {
		names[i] = string(code) + " " + catalog.Qualification{Code: code}.Name(cat)
	}
	return strings.Join(names, "、")
}

// Label is the session in one line, for lists and history notes.
func (s Session) Label() string {
	return s.Subject.Label() + " " + s.When() + " " + s.Venue
}

// overlaps reports two sessions on the same day whose times cross.
func (s Session) overlaps(o Session) bool {
	return s.Date == o.Date && s.Start < o.End && o.Start < s.End
}

// MaxCapacity bounds a session: a typing slip (3000 for 30) would otherwise
// seat a whole year's candidates in one room.
const MaxCapacity = 500

// SessionInput is a session as exam staff typed it.
type SessionInput struct {
	Items                                      []string
	Subject, Date, Start, End, Venue, Capacity string
}

// ArrangedHere reports whether the exam system seats candidates of the item
// in sessions: a general (non-welding) item whose exam is not arranged by
// its institution outside it (application.ExamArrangement: R3, 安全阀校验,
// 客运索道 get no 准考证, seed 000 2.1 注1–3). Welding exams come before the
// application and are arranged with the welder registrations.
func ArrangedHere(code catalog.NewCode, cat *catalog.Catalog) bool {
	if cat == nil {
		cat = catalog.Default()
	}
	it, ok := cat.Item(code)
	if !ok || it.Welding {
		return false
	}
	return application.ExamArrangement([]catalog.Qualification{{Code: code}}) == application.ArrangedByExamSystem
}

// SessionItems are the items an institution can hold sessions for: those
// it examines that the exam system arranges, and the welding items it
// examines, whose sessions seat the welder registrations (焊工报名, seed 000
// 四: 相关考试机构会统一安排考试), in catalogue order.
func SessionItems(examined []catalog.NewCode, cat *catalog.Catalog) []catalog.NewCode {
	if cat == nil {
		cat = catalog.Default()
	}
	var out []catalog.NewCode
	for _, it := range cat.Items() {
		if slices.Contains(examined, it.Code) && (ArrangedHere(it.Code, cat) || it.Welding) {
			out = append(out, it.Code)
		}
	}
	return out
}

// NewSession checks a session typed by the staff of an institution that
// examines the items examined, each problem at its field.
func NewSession(in SessionInput, examined []catalog.NewCode, today civil.Date, cat *catalog.Catalog) (Session, application.Problems) {
	var s Session
	var ps application.Problems
	fail := func(field, label, msg string) {
		ps = append(ps, application.Problem{Field: field, Label: label, Message: msg})
	}
	allowed := SessionItems(examined, cat)
	for _, raw := range in.Items {
		code := catalog.NewCode(strings.TrimSpace(raw))
		if code == "" || slices.Contains(s.Items, code) {
			continue
		}
		if !slices.Contains(allowed, code) {
			fail("items", "考试项目", "“"+string(code)+"”不是本机构在此安排考试的项目")
			continue
		}
		s.Items = append(s.Items, code)
	}
	if len(s.Items) == 0 && len(ps) == 0 {
		fail("items", "考试项目", "请选择考试项目")
	}
	var ok bool
	if s.Subject, ok = ParseSubject(in.Subject); !ok {
		fail("subject", "考试科目", "请选择理论知识考试或实际操作技能考试")
	} else if s.Subject == Practical && slices.Contains(s.Items, "A") {
		// SOURCES.md §3 (S11): A has the knowledge exam only.
		fail("subject", "考试科目", "特种设备安全管理（A）只考理论知识，不设实际操作技能考试")
	}
	d, err := civil.Parse(strings.TrimSpace(in.Date))
	switch {
	case strings.TrimSpace(in.Date) == "":
		fail("date", "考试日期", "请填写考试日期")
	case err != nil:
		fail("date", "考试日期", "考试日期格式应为 2026-12-05")
	case d.Before(today):
		fail("date", "考试日期", "考试日期不能早于今天（"+today.Chinese()+"）")
	default:
		s.Date = d
	}
	start, okStart := ParseClock(in.Start)
	end, okEnd := ParseClock(in.End)
	if !okStart {
		fail("start", "开始时间", "请按 09:00 的格式填写开始时间")
	}
	if !okEnd {
		fail("end", "结束时间", "请按 11:00 的格式填写结束时间")
	}
	if okStart && okEnd && end <= start {
		fail("end", "结束时间", "结束时间应晚于开始时间")
	}
	s.Start, s.End = start, end
	if s.Venue = strings.TrimSpace(in.Venue); s.Venue == "" {
		fail("venue", "考场地址", "请填写考场地址")
	}
	n, err := strconv.Atoi(strings.TrimSpace(in.Capacity))
	if err != nil || n < 1 || n > MaxCapacity {
		fail("capacity", "容量", fmt.Sprintf("容量应为 1 到 %d 之间的整数", MaxCapacity))
	}
	s.Capacity = n
	if len(ps) > 0 {
		return Session{}, ps
	}
	return s, nil
}
