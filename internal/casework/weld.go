package casework

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"opcert/internal/exam"
	"opcert/internal/notify"
	"opcert/internal/verify"
	"slices"
	"strconv"
	"strings"
	"time"

	"opcert/internal/application"
	"opcert/internal/audit"
	"opcert/internal/auth"
	"opcert/internal/catalog"
	"opcert/internal/civil"
	"opcert/internal/document"
	"opcert/internal/idcheck"
	"opcert/internal/registry"
	"opcert/internal/store"
	"opcert/internal/upload"
	"opcert/internal/weldexam"
)

// WeldAccessTTL is how long an SMS code's proof opens a registration to
// its registrant: long enough to read and change the form.
const WeldAccessTTL = 30 * time.Minute

// weldPhotoPrefix holds the photos of 焊工报名; a registration names its
// photo by key, and the key's random part makes it unguessable. The file
// sweep removes those no registration names (WeldPhotosInUse).
const weldPhotoPrefix = "weld-registrations/"

// Welder is one stored 焊工报名 as its registrant or exam staff see it.
type Welder struct {
	store.WeldRegistration
	Form weldexam.Registration
}

func welderOf(r store.WeldRegistration) (Welder, error) {
	w := Welder{WeldRegistration: r}
	if err := json.Unmarshal(r.Data, &w.Form); err != nil {
		return w, fmt.Errorf("weld registration %d: %w", r.ID, err)
	}
	return w, nil
}

// registrant is the audit entry of what a registrant, who has no account,
// does: the client's address says who.
func registrant(action, ip string) audit.Entry {
	return audit.Entry{ActorRole: "registrant", Action: action, IP: ip}
}

// WeldStart is the entry page's 报名 (seed 000 四.1): 报名类型 and 身份证号.
// It gives the form to fill, the ID and the sex from the number, and for a
// 复审 what the registry knows of the welder's certificate (weldexam.Prefill).
// A person with a registration of that kind not yet examined is sent to 修改.
func (s *Service) WeldStart(ctx context.Context, kind, idNumber string) (weldexam.Registration, bool, error) {
	k, ok := weldexam.ParseKind(kind)
	if !ok {
		return weldexam.Registration{}, false, &Error{Code: Invalid, Field: "kind", Label: "报名类型", Message: "请选择报名类型（新考证或复审）"}
	}
	id, err := s.weldID(idNumber)
	if err != nil {
		return weldexam.Registration{}, false, err
	}
	if cur, err := s.store.LatestWeldRegistration(ctx, id.Number, string(k)); err == nil && !cur.Scored() {
		return weldexam.Registration{}, false, &Error{Code: Conflict, Field: "id_number", Label: "身份证号", Message: store.ErrWeldRegistered.Error()}
	} else if err != nil && !errors.Is(err, store.ErrNotFound) {
		return weldexam.Registration{}, false, err
	}
	r := weldexam.Registration{Kind: k, IDNumber: id.Number, Sex: id.Sex.String(), WorkType: "金属焊"}
	prefilled := false
	if k == weldexam.Renew {
		h, err := s.store.HoldingByIDNumber(ctx, id.Number)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return r, false, err
		}
		if err == nil {
			if p, ok := weldexam.Prefill(h, s.today()); ok {
				p.Mobile = "" // the registrant types the phone the SMS codes go to
				if p.Sex == "" {
					p.Sex = r.Sex
				}
				r, prefilled = p, true
			}
		}
	}
	return r, prefilled, nil
}

func (s *Service) weldID(idNumber string) (idcheck.ResidentID, error) {
	if strings.TrimSpace(idNumber) == "" {
		return idcheck.ResidentID{}, &Error{Code: Invalid, Field: "id_number", Label: "身份证号", Message: "请填写身份证号!"}
	}
	id, err := idcheck.ParseResidentID(idNumber, s.today())
	if err != nil {
		return id, &Error{Code: Invalid, Field: "id_number", Label: "身份证号", Message: err.Error()}
	}
	return id, nil
}

// SaveWeldPhoto checks and keeps the 2-inch photo of a registration being
// typed (the portal's check, upload.CheckPhoto), so that the page can
// keep it while the rest is corrected. A refusal is told at the photo.
func (s *Service) SaveWeldPhoto(ctx context.Context, file Upload) (string, error) {
	refuse := func(msg string) error { return &Error{Code: Invalid, Field: "photo", Label: "照片", Message: msg} }
	content := file.Content
	checked, err := upload.Accept("照片", file.Name, content)
	if msg, ok := uploadRefusal(err); ok {
		return "", refuse(msg)
	} else if err != nil {
		return "", err
	}
	if _, err := upload.CheckPhoto(content.Reader()); err != nil {
		if msg, ok := uploadRefusal(err); ok {
			return "", refuse(msg)
		}
		return "", err
	}
	key := weldPhotoKey(checked.SHA256[:16], string(checked.Kind))
	if err := s.files.Put(ctx, key, content.Reader(), content.Size(), checked.ContentType); err != nil {
		return "", err
	}
	return key, nil
}

// weldPhotoKey is the key of a new registration photo, in the layout
// IsWeldPhoto tells: its random part makes it unguessable, and no two
// uploads share a key, so a photo the sweep finds old and named by no
// registration is never named later by a form that is not already open.
func weldPhotoKey(hash, ext string) string {
	return fmt.Sprintf("%sphoto-%s-%s.%s", weldPhotoPrefix, hash, strings.ToLower(rand.Text()[:12]), ext)
}

// WeldPhoto reads a registration photo by its key.
func (s *Service) WeldPhoto(ctx context.Context, key string) ([]byte, error) {
	if !strings.HasPrefix(key, weldPhotoPrefix) {
		return nil, Errorf(NotFound, "照片不存在")
	}
	b := s.photo(ctx, key)
	if b == nil {
		return nil, Errorf(NotFound, "照片不存在")
	}
	return b, nil
}

// CheckWelder checks a typed form (weldexam.Check) and the registration's
// photo key, every problem at once: the 保存并上报 step before the
// confirmation.
//
// The photo must still be stored: a form left open in a browser for
// longer than jobs.FileGrace after its photo was uploaded names a photo
// that the file sweep may have removed meanwhile (no registration named
// it), and is sent back to upload it again rather than registered
// without one.
func (s *Service) CheckWelder(ctx context.Context, r weldexam.Registration) (weldexam.Registration, error) {
	clean, ps := weldexam.Check(r, s.today(), s.catalog)
	var list []*Error
	for _, p := range ps {
		list = append(list, &Error{Code: Invalid, Field: p.Field, Label: p.Label, Message: p.Message})
	}
	if clean.PhotoKey != "" && (!strings.HasPrefix(clean.PhotoKey, weldPhotoPrefix) || !s.weldPhotoKept(ctx, clean.PhotoKey)) {
		list = append(list, &Error{Code: Invalid, Field: "photo", Label: "照片", Message: "照片已失效，请重新上传"})
	}
	list = append(list, unprintable(printed{"", "name", "姓名", clean.Name}, printed{"", "address", "通信地址", clean.Address},
		printed{"", "employer", "用人单位(或者培训机构)名称", clean.Employer}, printed{"", "employer_address", "单位地址", clean.EmployerAddress},
		printed{"", "training", "安全教育和培训情况", clean.Training})...)
	if len(list) > 0 {
		return clean, Errors(list)
	}
	return clean, nil
}

// weldPhotoKept tells whether a photo the form names is still in the file
// store. A store that does not answer is not the registrant's fault: the
// photo was there when uploaded, so the form goes on.
func (s *Service) weldPhotoKept(ctx context.Context, key string) bool {
	ok, err := s.files.Exists(ctx, key)
	if err != nil {
		s.log.Error("weld photo: file store did not answer", "err", err)
		return true
	}
	return ok
}

// WeldSubmission is the confirmed 保存并上报 of a new registration.
type WeldSubmission struct {
	Form                     weldexam.Registration
	CaptchaID, CaptchaAnswer string
	Client                   string
}

// RegisterWelder stores a confirmed registration (seed 000 四.2: 保存并上报
// → 焊考考证报名成功!) at the exam institution that examines its item, in
// one transaction with its audit entry. The captcha is answered once; a
// refusal brings a new one.
//
// The browser that registered gets the registration opened to it (a token,
// as OpenWeld gives) to print its form at once.
func (s *Service) RegisterWelder(ctx context.Context, in WeldSubmission) (Welder, string, error) {
	clean, err := s.CheckWelder(ctx, in.Form)
	if err != nil {
		return Welder{}, "", s.withCaptcha(ctx, err)
	}
	if err := s.checkCaptcha(ctx, in.CaptchaID, in.CaptchaAnswer); err != nil {
		return Welder{}, "", err
	}
	inst, err := s.weldInstitution(ctx, clean.Qualification())
	if err != nil {
		return Welder{}, "", err
	}
	data, err := json.Marshal(clean)
	if err != nil {
		return Welder{}, "", err
	}
	r, err := s.store.AddWeldRegistration(ctx, store.WeldRegistration{Kind: string(clean.Kind), IDNumber: clean.IDNumber, Name: clean.Name,
		Mobile: clean.Mobile, InstitutionID: inst.ID, Data: data, PhotoKey: clean.PhotoKey}, registrant("weld_register", in.Client))
	if errors.Is(err, store.ErrWeldRegistered) {
		return Welder{}, "", s.withCaptcha(ctx, &Error{Code: Conflict, Field: "id_number", Label: "身份证", Message: err.Error()})
	}
	if err != nil {
		return Welder{}, "", err
	}
	s.log.Info("welder registered", "weld_registration_id", r.ID, "institution_id", inst.ID)
	token, _ := auth.NewToken()
	if err := s.store.GrantWeldAccess(ctx, r.ID, weldTokenHash(token), s.store.Now().Add(WeldAccessTTL)); err != nil {
		return Welder{}, "", err
	}
	w, err := welderOf(r)
	return w, token, err
}

// withCaptcha adds a fresh captcha to a refusal of the form, since the
// page shows the form again.
func (s *Service) withCaptcha(ctx context.Context, err error) error {
	var e *Error
	if !errors.As(err, &e) {
		return err
	}
	next, cerr := s.NewCaptcha(ctx)
	if cerr != nil {
		return cerr
	}
	e.Challenge = next
	return e
}

// weldInstitution is the exam institution that examines a welding item:
// registrations go to it (seed 000 四: 相关考试机构会统一安排考试).
func (s *Service) weldInstitution(ctx context.Context, item catalog.NewCode) (store.ExamInstitution, error) {
	list, err := s.store.ExamInstitutions(ctx)
	if err != nil {
		return store.ExamInstitution{}, err
	}
	for _, e := range list {
		if slices.Contains(e.Items, string(item)) {
			return e, nil
		}
	}
	return store.ExamInstitution{}, Errorf(Conflict, "暂无考试机构受理%s的考试报名，请联系市特种设备考试机构", catalog.Qualification{Code: item}.Name(s.catalog))
}

// SendWeldCode is the entry page's 修改: it sends a code to the phone the
// person's registration gives, and says where (masked). The answer for an
// ID with no registration says so: the number and the kind alone do not
// show anything of the registration.
func (s *Service) SendWeldCode(ctx context.Context, kind, idNumber, ip string) (string, error) {
	k, ok := weldexam.ParseKind(kind)
	if !ok {
		return "", &Error{Code: Invalid, Field: "kind", Label: "报名类型", Message: "请选择报名类型（新考证或复审）"}
	}
	id, err := s.weldID(idNumber)
	if err != nil {
		return "", err
	}
	r, err := s.store.LatestWeldRegistration(ctx, id.Number, string(k))
	if errors.Is(err, store.ErrNotFound) {
		return "", &Error{Code: NotFound, Field: "id_number", Label: "身份证号", Message: "未找到该身份证号的" + k.Label() + "报名，请核对报名类型和身份证号，或点击“报名”"}
	}
	if err != nil {
		return "", err
	}
	if err := s.codeLimits(ctx, r.Mobile, ip, string(auth.SMSWeld)); err != nil {
		var e *Error
		if errors.As(err, &e) {
			e.Field, e.Label = "id_number", "身份证号"
		}
		return "", err
	}
	if err := s.store.IssueSMSCode(ctx, r.Mobile, auth.SMSWeld, auth.NewSMSCode()); err != nil {
		return "", err
	}
	return idcheck.MaskMobile(r.Mobile), nil
}

// OpenWeld checks the SMS code of 修改 and opens the registration to its
// registrant for WeldAccessTTL: the token returned is what the pages carry.
func (s *Service) OpenWeld(ctx context.Context, kind, idNumber, code, ip string) (string, error) {
	k, ok := weldexam.ParseKind(kind)
	if !ok {
		return "", &Error{Code: Invalid, Field: "kind", Label: "报名类型", Message: "请选择报名类型（新考证或复审）"}
	}
	id, err := s.weldID(idNumber)
	if err != nil {
		return "", err
	}
	if strings.TrimSpace(code) == "" {
		return "", &Error{Code: Invalid, Field: "code", Label: "短信验证码", Message: "请输入短信验证码"}
	}
	r, err := s.store.LatestWeldRegistration(ctx, id.Number, string(k))
	if errors.Is(err, store.ErrNotFound) {
		return "", &Error{Code: NotFound, Field: "id_number", Label: "身份证号", Message: "未找到该身份证号的" + k.Label() + "报名"}
	}
	if err != nil {
		return "", err
	}
	err = s.store.UseSMSCode(ctx, r.Mobile, auth.SMSWeld, strings.TrimSpace(code))
	if errors.Is(err, store.ErrCodeWrong) || errors.Is(err, store.ErrCodeExpired) {
		return "", &Error{Code: Invalid, Field: "code", Label: "短信验证码", Message: err.Error()}
	}
	if err != nil {
		return "", err
	}
	token, _ := auth.NewToken()
	if err := s.store.GrantWeldAccess(ctx, r.ID, weldTokenHash(token), s.store.Now().Add(WeldAccessTTL)); err != nil {
		return "", err
	}
	return token, nil
}

func weldTokenHash(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// OwnWeld is the registration a registrant's token opens.
func (s *Service) OwnWeld(ctx context.Context, token string) (Welder, error) {
	r, err := s.store.WeldRegistrationByAccess(ctx, weldTokenHash(token))
	if errors.Is(err, store.ErrNotFound) {
		return Welder{}, &Error{Code: Gone, Message: "查看和修改报名的有效时间已过，请在报名页点击“修改”重新获取短信验证码"}
	}
	if err != nil {
		return Welder{}, err
	}
	return welderOf(r)
}

// ModifyWelder writes the registrant's 修改 over the version shown, until
// exam staff lock the registration. The 报名类型 and 身份证 stay those of
// the registration.
func (s *Service) ModifyWelder(ctx context.Context, token string, version int, form weldexam.Registration, ip string) (Welder, error) {
	cur, err := s.OwnWeld(ctx, token)
	if err != nil {
		return Welder{}, err
	}
	if cur.Locked() {
		return Welder{}, Errorf(Conflict, "%s", store.ErrWeldLocked.Error())
	}
	form.Kind, form.IDNumber = cur.Form.Kind, cur.Form.IDNumber
	clean, err := s.CheckWelder(ctx, form)
	if err != nil {
		return Welder{}, err
	}
	data, err := json.Marshal(clean)
	if err != nil {
		return Welder{}, err
	}
	r, err := s.store.UpdateWeldRegistration(ctx, store.WeldRegistration{ID: cur.ID, Version: version, Name: clean.Name, Mobile: clean.Mobile, Data: data, PhotoKey: clean.PhotoKey},
		registrant("weld_modify", ip))
	switch {
	case errors.Is(err, store.ErrWeldLocked):
		return Welder{}, Errorf(Conflict, "%s", err.Error())
	case errors.Is(err, store.ErrStale):
		return Welder{}, Errorf(Conflict, "报名已在其他页面修改，请返回报名页重新打开后再修改")
	case err != nil:
		return Welder{}, err
	}
	return welderOf(r)
}

// WeldLine is a registration on the exam staff's list.
type WeldLine struct {
	Welder
	Seats   []store.WeldSeat
	Results []store.ExamResult
}

// State is where the registration stands, as staff see it.
func (l WeldLine) State() string {
	switch {
	case l.Scored():
		return "已录入成绩"
	case l.Locked() && len(l.Seats) > 0:
		return "已安排考试"
	case l.Locked():
		return "已锁定"
	}
	return "待锁定（报名人可修改）"
}

// WeldRegistrations lists the institution's welder registrations.
func (s *Service) WeldRegistrations(ctx context.Context, who Actor) ([]WeldLine, error) {
	inst, err := s.institutionOf(ctx, who)
	if err != nil {
		return nil, err
	}
	rows, err := s.store.WeldRegistrations(ctx, inst.ID)
	if err != nil {
		return nil, err
	}
	var out []WeldLine
	for _, r := range rows {
		w, err := welderOf(r)
		if err != nil {
			return nil, err
		}
		seats, err := s.store.WeldSeatsOf(ctx, r.ID)
		if err != nil {
			return nil, err
		}
		out = append(out, WeldLine{Welder: w, Seats: seats})
	}
	return out, nil
}

// WeldCase is one registration as exam staff handle it: the form, its
// seats and the sessions it can be seated in, its results once scored.
type WeldCase struct {
	WeldLine
	Sessions    []store.ExamSession // the institution's sessions of the registration's item, from today
	NeedsTheory bool
	PassMark    int
}

// WeldCase loads a registration of the staff member's institution; seeing
// the welder's particulars is audited.
func (s *Service) WeldCase(ctx context.Context, who Actor, id int64) (WeldCase, error) {
	inst, r, err := s.staffWeld(ctx, who, id)
	if err != nil {
		return WeldCase{}, err
	}
	w, err := welderOf(r)
	if err != nil {
		return WeldCase{}, err
	}
	out := WeldCase{WeldLine: WeldLine{Welder: w}, NeedsTheory: weldexam.NeedsTheory(w.Form), PassMark: s.currentPolicy(ctx).ExamPassMark}
	if out.Seats, err = s.store.WeldSeatsOf(ctx, id); err != nil {
		return WeldCase{}, err
	}
	if out.Results, err = s.store.WeldResults(ctx, id); err != nil {
		return WeldCase{}, err
	}
	sessions, err := s.store.ExamSessions(ctx, inst.ID)
	if err != nil {
		return WeldCase{}, err
	}
	for _, x := range sessions {
		if slices.Contains(x.Items, string(w.Form.Qualification())) && !x.Date.Before(s.today()) && (x.Subject == "practical" || out.NeedsTheory) {
			out.Sessions = append(out.Sessions, x)
		}
	}
	if err := s.RecordView(ctx, who, "view_weld_registration", fmt.Sprintf("weld_registration:%d", id)); err != nil {
		return WeldCase{}, err
	}
	return out, nil
}

func (s *Service) staffWeld(ctx context.Context, who Actor, id int64) (store.ExamInstitution, store.WeldRegistration, error) {
	inst, err := s.institutionOf(ctx, who)
	if err != nil {
		return inst, store.WeldRegistration{}, err
	}
	r, err := s.store.WeldRegistration(ctx, id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && r.InstitutionID != inst.ID) {
		return inst, r, Errorf(NotFound, "报名不存在")
	}
	return inst, r, err
}

// LockWeld is exam staff locking a registration: from now on the
// registrant sees it but cannot change it, and it can be seated and scored.
func (s *Service) LockWeld(ctx context.Context, who Actor, id int64) error {
	inst, _, err := s.staffWeld(ctx, who, id)
	if err != nil {
		return err
	}
	return s.store.LockWeldRegistration(ctx, id, inst.ID, who.UserID, *who.audit("weld_lock"))
}

// SeatWeld seats a locked registration in a session of its item.
func (s *Service) SeatWeld(ctx context.Context, who Actor, id, sessionID int64) (store.WeldSeat, error) {
	c, err := s.WeldCase(ctx, who, id)
	if err != nil {
		return store.WeldSeat{}, err
	}
	i := slices.IndexFunc(c.Sessions, func(x store.ExamSession) bool { return x.ID == sessionID })
	if i < 0 {
		return store.WeldSeat{}, &Error{Code: Invalid, Field: "session", Label: "考试场次", Message: "请选择本报名项目的考试场次"}
	}
	x := sessionOf(c.Sessions[i])
	render := notify.Renderer(ctx, s.store, notify.TopicWeldScheduled)
	message := func(seat store.WeldSeat) string {
		return render(map[string]string{"报名序号": WeldNumber(id), "考试安排": fmt.Sprintf("%s %s %s 座位号%d", x.Subject.Label(), x.When(), x.Venue, seat.Seat)})
	}
	seat, err := s.store.SeatWelder(ctx, id, sessionID, *who.audit("weld_seat"), notify.TopicWeldScheduled, message)
	for _, known := range []error{store.ErrWeldNotLocked, store.ErrWeldScored, store.ErrSessionFull, store.ErrSeatTaken} {
		if errors.Is(err, known) {
			return seat, &Error{Code: Conflict, Field: "session", Label: "考试场次", Message: known.Error()}
		}
	}
	return seat, err
}

// WeldScores are the marks as typed: theory once, practical per item.
type WeldScores struct {
	Theory    string
	Practical []string
}

// ScoreWeld records a locked registration's scores (weldexam.Score): each
// skill item's result goes to exam_results for the welder, found or
// created by 证件号码, where a passed one is offered to the welder's
// 一网通办 welding application and consumed by the one that cites it.
func (s *Service) ScoreWeld(ctx context.Context, who Actor, id int64, in WeldScores) ([]weldexam.ItemResult, error) {
	inst, r, err := s.staffWeld(ctx, who, id)
	if err != nil {
		return nil, err
	}
	w, err := welderOf(r)
	if err != nil {
		return nil, err
	}
	results, ps := weldexam.Score(w.Form, in.Theory, in.Practical, s.currentPolicy(ctx).ExamPassMark)
	if len(ps) > 0 {
		return nil, refusal(ps)
	}
	id18, err := idcheck.ParseResidentID(w.Form.IDNumber, s.today())
	if err != nil {
		return nil, err
	}
	h := registry.Holder{Name: w.Form.Name, IDType: registry.IDResident, IDNumber: id18.Number, Sex: id18.Sex.String(), BirthDate: id18.BirthDate}
	var rows []store.ExamResult
	for _, x := range results {
		row := store.ExamResult{Qualification: string(w.Form.Qualification()), WeldCode: x.Code, ExamDate: s.examDate(ctx, id), Passed: x.Passed,
			Institution: inst.Name}
		row.Practical.Int64, row.Practical.Valid = int64(x.Practical), true
		if x.TheorySat {
			row.Theory.Int64, row.Theory.Valid = int64(x.Theory), true
		}
		rows = append(rows, row)
	}
	err = s.store.ScoreWelder(ctx, id, who.UserID, h, rows, *who.audit("weld_score"))
	switch {
	case errors.Is(err, store.ErrWeldNotLocked), errors.Is(err, store.ErrWeldScored):
		return nil, Errorf(Conflict, "%s", err.Error())
	case errors.Is(err, store.ErrNameMismatch):
		return nil, Errorf(Conflict, "报名姓名与登记的持证人姓名不一致（身份证号 %s），请核对后联系受理机关", idcheck.MaskNumber(h.IDNumber))
	case err != nil:
		return nil, err
	}
	return results, nil
}

// examDate is the day of the practical exam the registration was seated
// for, or today when it was examined without a seat in the system.
func (s *Service) examDate(ctx context.Context, id int64) civil.Date {
	seats, err := s.store.WeldSeatsOf(ctx, id)
	if err == nil {
		for _, x := range seats {
			if sessions, err := s.store.ExamSessionsIn(ctx, []int64{x.SessionID}); err == nil && len(sessions) == 1 && x.Subject == "practical" {
				return sessions[0].Date
			}
		}
	}
	return s.today()
}

// WeldNumber is how a registration is named on its form and to staff.
func WeldNumber(id int64) string { return fmt.Sprintf("HK%08d", id) }

// WeldFormPDF is the 考试机构报名表 of a registration (seed 001 第一部分):
// printed, the photo glued on, stamped red by the employer and signed by
// the welder.
func (s *Service) WeldFormPDF(ctx context.Context, w Welder) ([]byte, error) {
	f := w.Form
	inst, err := s.store.ExamInstitutionByID(ctx, w.InstitutionID)
	if err != nil {
		return nil, err
	}
	district := f.District
	if d, ok := s.catalog.District(f.District); ok {
		district = d.Name + "（" + d.Code + "）"
	}
	data := document.WeldFormData{Title: f.Kind.FormTitle(), Number: WeldNumber(w.ID), Institution: inst.Name,
		Name: f.Name, Sex: f.Sex, Nature: f.Nature, Address: f.Address, Education: f.Education, Postcode: f.Postcode, IDNumber: f.IDNumber,
		Mobile: f.Mobile, Photo: s.photo(ctx, f.PhotoKey), WorkType: f.WorkType, WeldingYears: f.WeldingYears, Items: f.Items,
		Employer: f.Employer, CreditCode: f.CreditCode, UnitTypes: strings.Join(f.UnitTypes, "、"), District: district,
		EmployerAddress: f.EmployerAddress, Contact: f.Contact, ContactPhone: f.ContactPhone, EntrustLabel: f.EntrustLabel(), Entrust: f.Entrust,
		Training: f.Training, Materials: weldexam.Materials, Ticked: f.Materials, Renewal: f.Kind == weldexam.Renew,
		Issuer: f.Issuer, IssuerAddress: f.IssuerAddress, CertificateNumber: f.CertificateNumber, FirstIssued: f.FirstIssued,
		Accepted: f.Accepted, Trained: f.Trained, ValidUntil: f.ValidUntil, GeneratedOn: s.today().Chinese()}
	for _, x := range f.Work {
		data.Work = append(data.Work, x.Period+"  "+x.Employer+"  "+x.Work)
	}
	return document.WeldForm(data)
}

// WeldTicketPDF is the 准考证 of a registration as its seats now stand.
func (s *Service) WeldTicketPDF(ctx context.Context, w Welder, absolute func(string) string) ([]byte, error) {
	t, err := s.WeldTicket(ctx, w, absolute)
	if err != nil {
		return nil, err
	}
	return document.AdmissionTicket(t)
}

// WeldTicket is what a registration's 准考证 prints, its QR code the
// signed ticket (checked at /v/…: a seat moved since it was printed shows
// 已调整). absolute makes the QR code's address.
func (s *Service) WeldTicket(ctx context.Context, w Welder, absolute func(string) string) (document.AdmissionTicketData, error) {
	seats, err := s.store.WeldSeatsOf(ctx, w.ID)
	if err != nil {
		return document.AdmissionTicketData{}, err
	}
	if len(seats) == 0 {
		return document.AdmissionTicketData{}, Errorf(NotFound, "尚未安排考试，暂无准考证")
	}
	inst, err := s.store.ExamInstitutionByID(ctx, w.InstitutionID)
	if err != nil {
		return document.AdmissionTicketData{}, err
	}
	f := w.Form
	t := document.AdmissionTicketData{Number: admissionPrefix + WeldNumber(w.ID), Name: f.Name, IDNumber: idcheck.MaskNumber(f.IDNumber),
		Items: strings.Join(f.Items, "、"), Application: WeldNumber(w.ID), Institution: inst.Name, IssuedOn: s.today().Chinese(),
		Photo: s.photo(ctx, f.PhotoKey), Notes: []string{
			"请携带本准考证和本人有效身份证件原件，于考试开始前30分钟到达考场，凭证入场。",
			"考试安排如有调整，将以短信通知，请以最新打印的准考证为准。",
		}}
	signed := verify.Payload{Kind: verify.KindAdmission, Number: t.Number, Name: idcheck.MaskName(f.Name), Issuer: inst.Name, Issued: s.today().String()}
	for _, code := range f.Items {
		signed.Items = append(signed.Items, verify.Item{Code: code, Name: "焊接操作技能考试项目"})
	}
	for _, place := range weldPlaces(ctx, s, seats) {
		t.Sittings = append(t.Sittings, document.Sitting{Subject: place.Subject, When: place.When, Venue: place.Venue, Seat: strconv.Itoa(place.Seat)})
		signed.Sittings = append(signed.Sittings, verify.Sitting{Subject: place.Subject, When: place.When, Venue: place.Venue, Seat: strconv.Itoa(place.Seat)})
	}
	key, err := s.store.SigningKey(ctx, s.signing)
	if err != nil {
		return document.AdmissionTicketData{}, err
	}
	token, err := verify.Sign(key, signed)
	if err != nil {
		return document.AdmissionTicketData{}, err
	}
	t.QRURL = absolute("/v/" + token)
	return t, nil
}

// StaffWeldTicketPDF is the 准考证 of a registration of the staff member's
// institution.
func (s *Service) StaffWeldTicketPDF(ctx context.Context, who Actor, id int64, absolute func(string) string) ([]byte, error) {
	_, r, err := s.staffWeld(ctx, who, id)
	if err != nil {
		return nil, err
	}
	w, err := welderOf(r)
	if err != nil {
		return nil, err
	}
	return s.WeldTicketPDF(ctx, w, absolute)
}

// weldPlaces are a registration's seats with their sessions, theory first.
func weldPlaces(ctx context.Context, s *Service, seats []store.WeldSeat) []WeldPlace {
	seats = slices.Clone(seats)
	slices.SortStableFunc(seats, func(a, b store.WeldSeat) int {
		return slices.Index(exam.Subjects, exam.Subject(a.Subject)) - slices.Index(exam.Subjects, exam.Subject(b.Subject))
	})
	var out []WeldPlace
	for _, x := range seats {
		sessions, err := s.store.ExamSessionsIn(ctx, []int64{x.SessionID})
		if err != nil || len(sessions) == 0 {
			continue
		}
		sess := sessionOf(sessions[0])
		out = append(out, WeldPlace{Subject: sess.Subject.Label(), When: sess.When(), Venue: sess.Venue, Seat: x.Seat})
	}
	return out
}

// StaffWeldFormPDF is the form of a registration of the staff member's
// institution.
func (s *Service) StaffWeldFormPDF(ctx context.Context, who Actor, id int64) ([]byte, error) {
	_, r, err := s.staffWeld(ctx, who, id)
	if err != nil {
		return nil, err
	}
	w, err := welderOf(r)
	if err != nil {
		return nil, err
	}
	return s.WeldFormPDF(ctx, w)
}

// SyncWeldEmployer is 同步单位信息 on the registration form (as on the
// portal's 基本信息, seed 000 3.2): the employer's registered name,
// 统一社会信用代码, address and district from the enterprise registry,
// found by code or by name.
func (s *Service) SyncWeldEmployer(ctx context.Context, r *weldexam.Registration) error {
	f := application.Form{}
	f.Employer.Name, f.Employer.CreditCode = strings.TrimSpace(r.Employer), strings.TrimSpace(r.CreditCode)
	if p := s.syncEmployer(ctx, &f); p != nil {
		field := map[string]string{"employer_name": "employer", "credit_code": "credit_code"}[p.Field]
		return &Error{Code: Invalid, Field: field, Label: weldexam.Labels[field], Message: p.Message}
	}
	r.Employer, r.CreditCode, r.EmployerAddress, r.District = f.Employer.Name, f.Employer.CreditCode, f.Employer.Address, f.Employer.District
	return nil
}

// WeldPlace is a seat of a registration as its registrant sees it.
type WeldPlace struct {
	Subject, When, Venue string
	Seat                 int
}

// WeldProgress is what a registrant sees of their registration's exams:
// its seats (考试安排) and, once entered, its results.
type WeldProgress struct {
	Places  []WeldPlace
	Results []store.ExamResult
}

// WeldProgressOf loads the exams of a registration already opened to its
// registrant (OwnWeld).
func (s *Service) WeldProgressOf(ctx context.Context, w Welder) (WeldProgress, error) {
	var out WeldProgress
	seats, err := s.store.WeldSeatsOf(ctx, w.ID)
	if err != nil {
		return out, err
	}
	out.Places = weldPlaces(ctx, s, seats)
	out.Results, err = s.store.WeldResults(ctx, w.ID)
	return out, err
}
