package casework

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"time"

	"opcert/internal/audit"
	"opcert/internal/auth"
	"opcert/internal/enterprise"
	"opcert/internal/idcheck"
	"opcert/internal/notify"
	"opcert/internal/store"
	"opcert/internal/upload"
)

// UnitRegistration is the 单位注册 form.
type UnitRegistration struct {
	enterprise.Unit
	Password, Password2 string
	// Licence is the 营业执照 scan; nil when none was chosen.
	Licence *Upload
}

// licenceMaterial names the 营业执照 in refusals.
const licenceMaterial = "营业执照"

// RegisterUnit creates a 单位 account (an employer or a training body)
// awaiting 审核: the profile checked (enterprise.CheckUnit: the GB 32100
// check character among others), a strong password, the 营业执照 scan
// (pdf, jpg or png, checked by its content), and one account per
// 统一社会信用代码, which becomes the login name. When the enterprise
// registry knows the code, the name must be the registered one (as
// 同步单位信息 brings it), so that the workers who name the unit find it
// under the same name. Every mistake of the form comes at once.
//
// The account can log in at once but acts as the 单位 only once an
// administrator has checked the 营业执照 (DecideUnit): whoever registers a
// code first must not see that company's workers. A refused registration
// not corrected within enterprise.CorrectionPeriod gives the code up to
// the next registration of it.
func (s *Service) RegisterUnit(ctx context.Context, f UnitRegistration) (auth.User, error) {
	un, ps := enterprise.CheckUnit(f.Unit)
	var refused []*Error
	for _, p := range ps {
		refused = append(refused, &Error{Code: Invalid, Field: p.Field, Label: p.Label, Message: p.Message})
	}
	refused = append(refused, s.checkUnitNames(un)...)
	if err := auth.CheckPasswordStrength(f.Password); err != nil {
		refused = append(refused, &Error{Code: Invalid, Field: "password", Label: "密码", Message: err.Error()})
	} else if f.Password != f.Password2 {
		refused = append(refused, &Error{Code: Invalid, Field: "password2", Label: "确认密码", Message: "两次输入的密码不一致"})
	}
	if len(refused) == 0 {
		more, err := s.checkRegisteredName(ctx, un)
		if err != nil {
			return auth.User{}, err
		}
		refused = append(refused, more...)
	}
	checked, content, err := s.receiveLicence(f.Licence)
	if e, ok := err.(*Error); ok {
		refused = append(refused, e)
	} else if err != nil {
		return auth.User{}, err
	}
	if len(refused) > 0 {
		return auth.User{}, Errors(refused)
	}
	hash, err := auth.HashPasswordContext(ctx, f.Password)
	if errors.Is(err, auth.ErrBusy) {
		return auth.User{}, busy("password")
	}
	if err != nil {
		return auth.User{}, err
	}
	lic, err := s.keepLicence(ctx, un.CreditCode, checked, content)
	if err != nil {
		return auth.User{}, err
	}
	u, err := s.store.SubmitUnit(ctx, store.UnitSubmission{Unit: un, PasswordHash: hash, Licence: lic,
		Gives: func(earlier store.UnitRecord, now time.Time) bool {
			return enterprise.Lapsed(earlier.Check, earlier.CheckedAt, now)
		},
		Freed: audit.Entry{ActorRole: string(auth.RoleUnit), Action: "release_unit_lapsed"}})
	if err != nil {
		s.files.Delete(ctx, lic.Key)
	}
	if errors.Is(err, store.ErrUnitTaken) || errors.Is(err, store.ErrUnitPending) {
		return u, &Error{Code: Conflict, Field: "credit_code", Label: "统一社会信用代码", Message: err.Error()}
	}
	if err == nil {
		s.log.Info("unit registered", "user_id", u.ID)
	}
	return u, err
}

// checkUnitNames refuses characters the notices cannot print.
func (s *Service) checkUnitNames(un enterprise.Unit) []*Error {
	return unprintable(printed{"", "unit_name", "单位名称", un.Name}, printed{"", "address", "单位地址", un.Address},
		printed{"", "contact", "联系人", un.Contact})
}

// checkRegisteredName refuses a name other than the enterprise registry's
// for the code.
func (s *Service) checkRegisteredName(ctx context.Context, un enterprise.Unit) ([]*Error, error) {
	e, err := s.store.Enterprises().ByCreditCode(ctx, un.CreditCode)
	switch {
	case err == nil && e.Name != un.Name:
		return []*Error{{Code: Invalid, Field: "unit_name", Label: "单位名称",
			Message: "单位名称与企业登记信息不一致：该统一社会信用代码登记的名称为“" + e.Name + "”，请按营业执照填写"}}, nil
	case err != nil && !errors.Is(err, store.ErrNotFound):
		return nil, err
	}
	return nil, nil
}

// receiveLicence checks the 营业执照 scan: required, and a PDF or an image
// by its content (package upload); a Word file is no scan of a licence.
// A refusal is an *Error at the field "licence".
func (s *Service) receiveLicence(file *Upload) (upload.File, *upload.Content, error) {
	refuse := func(msg string) error {
		return &Error{Code: Invalid, Field: "licence", Label: licenceMaterial, Message: msg}
	}
	if file == nil {
		return upload.File{}, nil, refuse("请上传营业执照扫描件或照片（pdf、jpg 或 png）")
	}
	checked, err := upload.Accept(licenceMaterial, file.Name, file.Content)
	if msg, ok := uploadRefusal(err); ok {
		return checked, nil, refuse(msg)
	} else if err != nil {
		return checked, nil, err
	}
	switch checked.Kind {
	case upload.PDF, upload.JPG, upload.PNG:
		return checked, file.Content, nil
	}
	return checked, nil, refuse("营业执照请上传扫描件或照片：pdf、jpg 或 png 文件，不能是 Word 文档")
}

// keepLicence puts a checked 营业执照 into the file store, under units/ and
// the code: the sweep of applications/ never sees it, and no two Puts
// write the same key.
func (s *Service) keepLicence(ctx context.Context, code string, checked upload.File, content *upload.Content) (store.UnitLicence, error) {
	key := fmt.Sprintf("units/%s/licence-%s-%s.%s", code, checked.SHA256[:16], strings.ToLower(rand.Text()[:12]), checked.Kind)
	if err := s.files.Put(ctx, key, content.Reader(), content.Size(), checked.ContentType); err != nil {
		if ctx.Err() != nil {
			return store.UnitLicence{}, err
		}
		s.log.Error("file store refused a licence", "err", err)
		return store.UnitLicence{}, &Error{Code: Unavailable, Field: "licence", Label: licenceMaterial, Message: FileStoreDownMessage}
	}
	return store.UnitLicence{Key: key, Filename: checked.Name, ContentType: checked.ContentType}, nil
}

// unitRecord is the registration of the 单位 account who.
func (s *Service) unitRecord(ctx context.Context, who Actor) (store.UnitRecord, error) {
	if who.Role != auth.RoleUnit {
		return store.UnitRecord{}, Errorf(Forbidden, "只有单位账号可以使用此功能")
	}
	r, err := s.store.UnitRecordOf(ctx, who.UserID)
	if errors.Is(err, store.ErrNotFound) {
		return r, Errorf(Forbidden, "只有单位账号可以使用此功能")
	}
	return r, err
}

// UnitOf is the profile of the 单位 account who, once its registration is
// checked (审核通过). Every use of a 单位's powers comes through here — its
// workers' items, their export, 批量报名 — so that a 单位 待审核 or
// 审核不通过 is refused each of them, with what to do.
func (s *Service) UnitOf(ctx context.Context, who Actor) (enterprise.Unit, error) {
	r, err := s.unitRecord(ctx, who)
	if err != nil {
		return enterprise.Unit{}, err
	}
	switch r.Check {
	case enterprise.CheckApproved:
		return r.Unit, nil
	case enterprise.CheckRefused:
		return enterprise.Unit{}, Errorf(Forbidden, "本单位注册审核不通过（理由：%s）。请在单位工作台更正后重新提交，审核通过后才能查看作业人员持证情况和办理焊工批量报名。", r.Reason)
	}
	return enterprise.Unit{}, Errorf(Forbidden, "本单位注册正在审核中（待审核）。系统管理员核对营业执照后才能查看作业人员持证情况和办理焊工批量报名，审核结果将以短信通知联系电话（手机）。")
}

// UnitDesk is the 单位工作台: the registration and its check, and, once
// checked, the workforce.
type UnitDesk struct {
	Registration store.UnitRecord
	Workforce    *Workforce // nil until 审核通过
	// SMSTo is the mobile the decision will be sent to; "" when the
	// 联系电话 is a fixed line.
	SMSTo string
}

// UnitDesk shows a 单位 where its registration stands; a checked one sees
// its workforce too.
func (s *Service) UnitDesk(ctx context.Context, who Actor) (UnitDesk, error) {
	r, err := s.unitRecord(ctx, who)
	if err != nil {
		return UnitDesk{}, err
	}
	out := UnitDesk{Registration: r}
	if m, err := idcheck.Mobile(r.Phone); err == nil {
		out.SMSTo = m
	}
	if r.Check.Checked() {
		wf, err := s.Workforce(ctx, who)
		if err != nil {
			return out, err
		}
		out.Workforce = &wf
	}
	return out, nil
}

// UnitCorrection is a refused 单位's corrected registration: its profile
// (the credit code, its login, stays) and a new 营业执照.
type UnitCorrection struct {
	Name, Address, Contact, Phone string
	Licence                       *Upload
}

// ResubmitUnit sends a refused registration, corrected, back for 审核.
func (s *Service) ResubmitUnit(ctx context.Context, who Actor, f UnitCorrection) error {
	r, err := s.unitRecord(ctx, who)
	if err != nil {
		return err
	}
	if err := enterprise.CanResubmit(r.Check); err != nil {
		return &Error{Code: Conflict, Message: err.Error()}
	}
	un, ps := enterprise.CheckUnit(enterprise.Unit{CreditCode: r.CreditCode, Name: f.Name, Address: f.Address, Contact: f.Contact, Phone: f.Phone})
	var refused []*Error
	for _, p := range ps {
		refused = append(refused, &Error{Code: Invalid, Field: p.Field, Label: p.Label, Message: p.Message})
	}
	refused = append(refused, s.checkUnitNames(un)...)
	if len(refused) == 0 {
		more, err := s.checkRegisteredName(ctx, un)
		if err != nil {
			return err
		}
		refused = append(refused, more...)
	}
	checked, content, err := s.receiveLicence(f.Licence)
	if e, ok := err.(*Error); ok {
		refused = append(refused, e)
	} else if err != nil {
		return err
	}
	if len(refused) > 0 {
		return Errors(refused)
	}
	lic, err := s.keepLicence(ctx, un.CreditCode, checked, content)
	if err != nil {
		return err
	}
	err = s.store.ResubmitUnit(ctx, store.UnitCorrection{UserID: who.UserID, Unit: un, Licence: lic,
		Check: func(r store.UnitRecord) error { return enterprise.CanResubmit(r.Check) },
		Audit: audit.Entry{ActorID: who.UserID, ActorRole: string(who.Role), Action: "resubmit_unit", IP: who.IP}})
	if err != nil {
		s.files.Delete(ctx, lic.Key)
		if errors.Is(err, enterprise.ErrNotRefused) {
			return &Error{Code: Conflict, Message: err.Error()}
		}
	}
	return err
}

// PendingUnits are the registrations awaiting an administrator's 审核, the
// oldest first.
func (s *Service) PendingUnits(ctx context.Context, who Actor) ([]store.UnitRecord, error) {
	if err := onlyAdmin(who, "审核单位注册"); err != nil {
		return nil, err
	}
	return s.store.PendingUnits(ctx)
}

// UnitVerdict is an administrator's decision on a 单位 registration.
type UnitVerdict struct {
	Action string // "approve" or "refuse"
	Reason string // why not: the 单位 is told
	// Release frees the code with the refusal, for a registrant who is
	// plainly not the company (the 营业执照 is another's, or none):
	// waiting for the correction period would keep the real company from
	// its workbench while the evidence is already at hand.
	Release bool
}

// DecideUnit approves (审核通过) or refuses (审核不通过, with its reason) a
// registration awaiting 审核, audited, and tells the 单位 by SMS when its
// 联系电话 is a mobile, all in one transaction. Only a pending
// registration is decided (enterprise.CanDecide).
func (s *Service) DecideUnit(ctx context.Context, who Actor, unitUserID int64, v UnitVerdict) (store.UnitRecord, error) {
	if err := onlyAdmin(who, "审核单位注册"); err != nil {
		return store.UnitRecord{}, err
	}
	d := store.UnitDecision{UserID: unitUserID, Check: func(r store.UnitRecord) error { return enterprise.CanDecide(r.Check) }}
	topic := notify.TopicUnitApproved
	switch v.Action {
	case "approve":
		d.Approve, d.Audit = true, who.entry("approve_unit")
		if v.Release {
			return store.UnitRecord{}, &Error{Code: Invalid, Field: "release", Label: "释放统一社会信用代码", Message: "审核通过时不能释放统一社会信用代码"}
		}
	case "refuse":
		reason, msg := enterprise.CheckReason(v.Reason)
		if msg != "" {
			return store.UnitRecord{}, &Error{Code: Invalid, Field: "reason", Label: "不通过理由", Message: msg}
		}
		if bad := unprintable(printed{"", "reason", "不通过理由", reason}); len(bad) > 0 {
			return store.UnitRecord{}, Errors(bad)
		}
		d.Reason, d.Release, d.Audit, topic = reason, v.Release, who.entry("refuse_unit"), notify.TopicUnitRefused
	default:
		return store.UnitRecord{}, &Error{Code: Invalid, Field: "action", Label: "审核结果", Message: "请选择审核通过或审核不通过"}
	}
	render := notify.Renderer(ctx, s.store, topic)
	d.Message = func(r store.UnitRecord) (string, string, string) {
		mobile, err := idcheck.Mobile(r.Phone)
		if err != nil {
			return "", "", "" // a fixed line is not sent an SMS
		}
		return mobile, topic, render(map[string]string{"单位名称": r.Name, "理由": r.Reason})
	}
	r, err := s.store.DecideUnit(ctx, d)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return r, &Error{Code: NotFound, Message: "该单位注册不存在（可能已被释放），请刷新页面查看"}
	case errors.Is(err, enterprise.ErrAlreadyApproved), errors.Is(err, enterprise.ErrAwaitsCorrection):
		return r, &Error{Code: Conflict, Message: err.Error()}
	case err != nil:
		return r, err
	}
	s.log.Info("unit decided", "user_id", unitUserID, "action", v.Action, "release", d.Release, "by", who.UserID)
	return r, nil
}

// UnitLicence is the 营业执照 file of a registration: the administrator's
// to check (the view audited), the 单位's own.
func (s *Service) UnitLicence(ctx context.Context, who Actor, unitUserID int64) (store.UnitLicence, error) {
	notFound := &Error{Code: NotFound, Message: "营业执照不存在"}
	switch who.Role {
	case auth.RoleAdmin:
	case auth.RoleUnit:
		if who.UserID != unitUserID {
			return store.UnitLicence{}, notFound
		}
	default:
		return store.UnitLicence{}, Errorf(Forbidden, "只有系统管理员可以查看单位的营业执照")
	}
	r, err := s.store.UnitRecordOf(ctx, unitUserID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && r.Licence.Key == "") {
		return store.UnitLicence{}, notFound
	}
	if err != nil {
		return store.UnitLicence{}, err
	}
	if who.Role == auth.RoleAdmin {
		if err := s.RecordView(ctx, who, "view_unit_licence", fmt.Sprintf("user:%d", unitUserID)); err != nil {
			return store.UnitLicence{}, err
		}
	}
	return r.Licence, nil
}
