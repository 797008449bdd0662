package casework

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"opcert/internal/application"
	"opcert/internal/auth"
	"opcert/internal/idcheck"
	"opcert/internal/registry"
	"opcert/internal/store"
)

// CaseFile is everything the back office shows of an application: the case,
// the registry record of its person, its history and documents, and the
// actions the viewer may take today.
type CaseFile struct {
	Loaded
	Holding registry.Holding
	Found   bool // the registry knows the person
	Events  []store.Event
	History []HistoryLine // the 办理记录 as staff see it
	Notices []store.Notice
	Actions []application.Action
	// Barred are the steps separation of duties keeps from this viewer,
	// each with its reason; Separated says the bureau separates duties and
	// WhoMayAct who may take the next step kept apart.
	Barred    []string
	Separated bool
	WhoMayAct string
}

// CaseFile loads an application for its officer (or an admin).
func (s *Service) CaseFile(ctx context.Context, who Actor, id int64) (CaseFile, error) {
	c, err := s.Load(ctx, who, id)
	if err != nil {
		return CaseFile{}, err
	}
	out := CaseFile{Loaded: c}
	holder, err := s.store.HolderByID(ctx, c.HolderID)
	if err != nil {
		return CaseFile{}, err
	}
	out.Holding, err = s.store.HoldingByIDNumber(ctx, holder.IDNumber)
	switch {
	case errors.Is(err, store.ErrNotFound):
		out.Holding = registry.Holding{Holder: holder}
	case err != nil:
		return CaseFile{}, err
	default:
		out.Found = true
	}
	if out.Events, err = s.store.Events(ctx, c.ID); err != nil {
		return CaseFile{}, err
	}
	out.History = s.historyOf(out.Events, who.staff())
	if out.Notices, err = s.store.Notices(ctx, c.ID); err != nil {
		return CaseFile{}, err
	}
	if who.staff() {
		k := application.Case{Status: application.Status(c.Status), Form: c.Form, Due: c.Due}
		var names dutyNames
		if k.Duties, names, err = s.dutiesOf(ctx, c); err != nil {
			return CaseFile{}, err
		}
		out.Separated = k.Duties.Separated
		out.WhoMayAct = whoMayAct(k.Duties, names, k.Status, who.UserID)
		for _, act := range application.ActionsFor(k, application.RoleOfficer, s.today(), s.catalog) {
			if te := k.Duties.Check(k.Status, act, who.UserID); te != nil {
				out.Barred = append(out.Barred, te.Message)
				continue
			}
			out.Actions = append(out.Actions, act)
		}
	}
	return out, nil
}

// Progress is what the QR code of a notice opens (seed 000 3.5: 直接手机扫描
// 补正通知书或者受理通知书上的二维码查询业务办理进度): the application and its
// history, found by the token printed in the code; the page shows nothing
// personal beyond a masked name, so of the form only the applicant's name
// is read.
func (s *Service) Progress(ctx context.Context, token string) (Loaded, []store.Event, error) {
	a, events, err := s.store.ApplicationProgress(ctx, token)
	if errors.Is(err, store.ErrNotFound) {
		return Loaded{}, nil, Errorf(NotFound, "办理进度不存在")
	}
	if err != nil {
		return Loaded{}, nil, err
	}
	// Only the name is shown: decoding the whole form for it cost more than
	// the rest of the page.
	var f struct {
		Applicant struct {
			Name string `json:"name"`
		} `json:"applicant"`
	}
	if err := json.Unmarshal(a.Data, &f); err != nil {
		return Loaded{}, nil, fmt.Errorf("application %d: form: %w", a.ID, err)
	}
	out := Loaded{Application: a}
	out.Form.Applicant.Name = f.Applicant.Name
	return out, events, nil
}

// CertificateQuestion is a public 证书查询: by 姓名 and 证件号码, or by 姓名 and
// 证书编号 (档案编号), never by name alone.
type CertificateQuestion struct {
	Name, IDNumber string
	// CertificateNumber is the 证件编号 or 档案编号 of a certificate, asked
	// instead of the 证件号码 when ByCertificate (the number printed on an
	// old certificate may not be the holder's present 证件号码).
	CertificateNumber string
	ByCertificate     bool
	Client            string // the asker's address (behind trusted proxies, the real one)
	// CaptchaID and CaptchaAnswer answer the captcha asked after misses.
	CaptchaID, CaptchaAnswer string
	// API is the open API's caller, nil for the web page: its limit was
	// applied when the call was admitted (AdmitAPICall), and a key's
	// holder, known and limited by the key, answers no captcha.
	API *APICaller
}

// CertificateAnswer is what the query found.
type CertificateAnswer struct {
	Holding registry.Holding
	Number  string // the 证件号码 as checked (a resident ID in its 18-digit form)
	// Certificate is the certificate number as looked up.
	Certificate string
	Found       bool // false when nothing matches both name and number
	// Challenge is the captcha the next query must answer, once misses
	// have made one necessary.
	Challenge string
}

// CertificateQuery is the public 证书查询: the name and the 证件号码 (or the
// certificate's number) must both match, so neither the page nor the API
// can list strangers' qualifications; a resident ID is checked (GB 11643)
// and written in its 18-digit form. Queries are limited per client, and
// after a few misses from the client or about the name a captcha must be
// answered first (auth.CaptchaAfterClientMiss): a script guessing the
// number from a name and a birth date is stopped, whoever and from
// wherever it asks. The log names the asker, never a number in clear.
func (s *Service) CertificateQuery(ctx context.Context, q CertificateQuestion) (CertificateAnswer, error) {
	name, number := strings.TrimSpace(q.Name), strings.ToUpper(strings.TrimSpace(q.IDNumber))
	certificate := strings.ToUpper(strings.TrimSpace(q.CertificateNumber))
	byCertificate := q.ByCertificate || (certificate != "" && number == "")
	out := CertificateAnswer{Number: number, Certificate: certificate}
	var refused []*Error
	if name == "" {
		refused = append(refused, &Error{Code: Invalid, Field: "name", Label: "姓名", Message: "请输入姓名"})
	}
	switch {
	case number != "" && certificate != "":
		refused = append(refused, &Error{Code: Invalid, Field: "certificate", Label: "证书编号", Message: "证件号码和证书编号请只填写其中一项"})
	case byCertificate && certificate == "":
		refused = append(refused, &Error{Code: Invalid, Field: "certificate", Label: "证书编号", Message: "请输入证书编号或档案编号"})
	case byCertificate && len([]rune(certificate)) > 64:
		refused = append(refused, &Error{Code: Invalid, Field: "certificate", Label: "证书编号", Message: "证书编号不能超过64个字符"})
	case byCertificate:
		// Certificate and archive numbers have no checksum: looked up as
		// typed, in capitals.
	case number == "":
		refused = append(refused, &Error{Code: Invalid, Field: "id", Label: "证件号码", Message: "请输入证件号码"})
	case looksLikeResidentID(number):
		id, err := idcheck.ParseResidentID(number, s.today())
		if err != nil {
			refused = append(refused, &Error{Code: Invalid, Field: "id", Label: "证件号码", Message: err.Error()})
		} else {
			out.Number = id.Number
		}
	}
	if len(refused) > 0 {
		return out, Errors(refused)
	}
	if q.API == nil && !s.queries.Allow(q.Client, s.store.Now()) {
		return out, &Error{Code: TooMany, Message: "查询过于频繁，请1分钟后再试", RetryAfter: auth.QueriesPerClient.Window}
	}
	// The misses are read with the record, in one statement; the record
	// is shown only once the captcha they may call for is answered.
	var h registry.Holding
	var misses store.QueryMisses
	var err error
	asker := store.Asker{Client: q.Client, Name: name}
	if byCertificate {
		h, misses, err = s.store.HoldingByCertificateForQuery(ctx, certificate, asker)
	} else {
		h, misses, err = s.store.HoldingForQuery(ctx, out.Number, asker)
	}
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return out, err
	}
	byClient, byName := misses.ByClient, misses.ByName
	keyed := q.API != nil && q.API.KeyID != 0
	if !keyed && (byClient >= auth.CaptchaAfterClientMiss || byName >= auth.CaptchaAfterNameMiss) {
		if err := s.checkCaptcha(ctx, q.CaptchaID, q.CaptchaAnswer); err != nil {
			return out, err
		}
	}
	if err == nil && h.Holder.Name == name {
		out.Holding, out.Found = h, true
	}
	attrs := make([]slog.Attr, 0, 6)
	attrs = append(attrs, slog.String("client", q.Client), slog.String("name", idcheck.MaskName(name)))
	if byCertificate {
		attrs = append(attrs, slog.String("certificate", idcheck.MaskNumber(certificate)))
	} else {
		attrs = append(attrs, slog.String("id", idcheck.MaskNumber(out.Number)))
	}
	attrs = append(attrs, slog.Bool("found", out.Found))
	if q.API != nil {
		attrs = append(attrs, slog.String("via", "api"), slog.Int64("key", q.API.KeyID))
	}
	s.log.LogAttrs(ctx, slog.LevelInfo, "certificate query", attrs...)
	if out.Found {
		return out, nil
	}
	if err := s.store.RecordQueryMiss(ctx, q.Client, name); err != nil {
		return out, err
	}
	if !keyed && (byClient+1 >= auth.CaptchaAfterClientMiss || byName+1 >= auth.CaptchaAfterNameMiss) {
		// The next query will need a captcha: the page shows it already.
		if out.Challenge, err = s.NewCaptcha(ctx); err != nil {
			return out, err
		}
	}
	return out, nil
}

// looksLikeResidentID: 15 or 18 characters of digits (and a final X) are
// read as a resident ID and checked; other documents (passports, 港澳台
// permits) are looked up as typed.
func looksLikeResidentID(s string) bool {
	if len(s) != 15 && len(s) != 18 {
		return false
	}
	for i, c := range s {
		if c >= '0' && c <= '9' || (c == 'X' && i == len(s)-1) {
			continue
		}
		return false
	}
	return true
}

// Session is the logged-in account of a session token's hash; ok is false
// for a session that ended or never was. touch counts the request as
// activity (a background poll does not).
func (s *Service) Session(ctx context.Context, tokenHash string, touch bool) (auth.Session, auth.User, bool, error) {
	sess, u, err := s.store.SessionUser(ctx, tokenHash, touch)
	if errors.Is(err, store.ErrNotFound) {
		return sess, u, false, nil
	}
	return sess, u, err == nil, err
}

// QueueQuery selects an officer's work queue: by status, matter and item,
// the overdue ones, or those with at most DaysLeft working days left (nil:
// any), a page of QueuePageSize at a time.
type QueueQuery struct {
	Status, Matter, Item string
	Search               string // a 申请号, 证件号码 or name (application.ClassifySearch)
	Overdue              bool
	DaysLeft             *int
	Page                 int
}

// QueuePageSize is how many applications a page of the queue lists.
const QueuePageSize = 50

// QueueRow is one application of the queue with the working days left to
// its legal deadline (negative: overdue by that many).
type QueueRow struct {
	Loaded
	Items    []string
	HasDue   bool
	DaysLeft int
}

// Queue is the work queue of the actor's 受理机关 (an admin's: every one),
// nearest legal deadline first. A deadline across a year without its
// holiday notice is counted Monday to Friday, so the 已超期 mark and the
// days filter hold across 1 January (DESIGN.md, legal deadlines).
func (s *Service) Queue(ctx context.Context, who Actor, q QueueQuery) ([]QueueRow, int, error) {
	if !who.staff() {
		return nil, 0, Errorf(Forbidden, "只有受理机关工作人员可以使用此功能。")
	}
	cal, err := s.Calendar(ctx)
	if err != nil {
		return nil, 0, err
	}
	today := s.today()
	f := store.QueueFilter{AuthorityCode: who.scope(), Matter: q.Matter, Item: q.Item, Page: max(q.Page, 1), Size: QueuePageSize}
	if _, ok := application.ParseStatus(q.Status); ok {
		f.Statuses = []string{q.Status}
	}
	if q.Overdue {
		f.OverdueOn = today
	}
	switch kind, term := application.ClassifySearch(q.Search); kind {
	case application.SearchNumber:
		f.Number = term
	case application.SearchIDNumber:
		f.HolderIDNumber = term
	case application.SearchName:
		f.HolderName = term
	}
	if q.DaysLeft != nil && *q.DaysLeft >= 0 {
		if f.DueBy, err = application.DueWithin(today, *q.DaysLeft, cal); err != nil {
			return nil, 0, err
		}
	}
	apps, total, err := s.store.Queue(ctx, f)
	if err != nil {
		return nil, 0, err
	}
	var rows []QueueRow
	for _, a := range apps {
		row := QueueRow{Loaded: Loaded{Application: a}}
		if err := json.Unmarshal(a.Data, &row.Form); err != nil {
			return nil, 0, fmt.Errorf("application %d: form: %w", a.ID, err)
		}
		for _, it := range row.Form.Items {
			row.Items = append(row.Items, it.Key())
		}
		if !a.Due.IsZero() {
			if row.DaysLeft, err = application.DaysLeft(a.Due.Date, today, cal); err != nil {
				return nil, 0, err
			}
			row.HasDue = true
		}
		rows = append(rows, row)
	}
	return rows, total, nil
}

// MaxExportRows bounds an export of the queue: a bureau's open work, not
// the whole archive.
const MaxExportRows = 10000

// QueueExport is every application the queue's filters find (at most
// MaxExportRows), for a spreadsheet; the export of personal data is
// audited with the filters used.
func (s *Service) QueueExport(ctx context.Context, who Actor, q QueueQuery) ([]QueueRow, error) {
	var all []QueueRow
	for page := 1; ; page++ {
		q.Page = page
		rows, total, err := s.Queue(ctx, who, q)
		if err != nil {
			return nil, err
		}
		all = append(all, rows...)
		if len(all) >= total || len(rows) == 0 || len(all) >= MaxExportRows {
			break
		}
	}
	if len(all) > MaxExportRows {
		all = all[:MaxExportRows]
	}
	filters, _ := json.Marshal(q)
	return all, s.RecordView(ctx, who, "export_queue", "queue:"+string(filters))
}

// HistoryLine is one step of the 办理记录: when, who, what and the note.
type HistoryLine struct {
	At     time.Time
	Action string // as stored: an application.Action or a service step (create, transfer …)
	To     application.Status
	// Who names the actor: for the back office the officer's name and
	// 受理机关; for the applicant the 受理机关 only (staff names are not
	// published), "申请人" for their own steps, "系统" for timed work.
	Who     string
	Note    string
	Opinion string // the 审批意见 (or 初审意见) given with the step
}

// History is the 办理记录 of an application as the viewer may see it: staff
// see every note; the applicant sees the steps without the notes that are
// for the case file only (application.InternalNote).
func (s *Service) History(ctx context.Context, who Actor, id int64) ([]HistoryLine, error) {
	c, err := s.Load(ctx, who, id)
	if err != nil {
		return nil, err
	}
	events, err := s.store.Events(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	return s.historyOf(events, who.staff()), nil
}

func (s *Service) historyOf(events []store.Event, staff bool) []HistoryLine {
	out := make([]HistoryLine, 0, len(events))
	for _, e := range events {
		l := HistoryLine{At: e.At, Action: e.Action, To: application.Status(e.To), Note: e.Note, Opinion: e.Opinion}
		switch auth.Role(e.ActorRole) {
		case auth.RoleApplicant:
			l.Who = "申请人"
		case auth.RoleOfficer:
			l.Who = s.authorityName(e.ActorAuthority)
			if staff {
				l.Who = e.ActorName + "（" + l.Who + "）"
			}
		case auth.RoleAdmin:
			l.Who = "系统管理员"
			if staff {
				l.Who = e.ActorName + "（系统管理员）"
			}
		case auth.RoleExaminer:
			l.Who = "考试机构"
			if staff {
				l.Who = e.ActorName + "（考试机构）"
			}
		default:
			l.Who = "系统"
		}
		if !staff && application.InternalNote(e.Action) {
			l.Note, l.Opinion = "", ""
		}
		out = append(out, l)
	}
	return out
}
