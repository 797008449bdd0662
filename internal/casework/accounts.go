package casework

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"opcert/internal/audit"
	"opcert/internal/auth"
	"opcert/internal/idcheck"
	"opcert/internal/registry"
	"opcert/internal/store"
)

// wrongLogin is one message whether the account exists or not: the page
// must not tell a stranger which mobile numbers are registered.
const wrongLogin = "手机号（登录名）或密码不正确"

func busy(field string) *Error {
	return &Error{Code: Unavailable, Field: field, Label: "密码", Message: auth.ErrBusy.Error()}
}

// PasswordLogin is a try to log in with a password.
type PasswordLogin struct {
	Login, Password string
	Client          string // the client's address (behind trusted proxies, the real one)
	// CaptchaID and CaptchaAnswer answer the captcha asked after failures.
	CaptchaID, CaptchaAnswer string
}

// LoginPassword checks a password login. Failures slow the guesser without
// locking the owner out (auth.LoginFailures): after a few, every try must
// answer a captcha before the password is checked, and the failing client
// waits longer before each further try on the account.
func (s *Service) LoginPassword(ctx context.Context, a PasswordLogin) (auth.User, error) {
	var refused []*Error
	if a.Login == "" {
		refused = append(refused, &Error{Code: Invalid, Field: "login", Label: "手机号或登录名", Message: "请输入手机号或登录名"})
	}
	if a.Password == "" {
		refused = append(refused, &Error{Code: Invalid, Field: "password", Label: "密码", Message: "请输入密码"})
	}
	if len(refused) > 0 {
		return auth.User{}, Errors(refused)
	}
	u, err := s.store.UserByLogin(ctx, a.Login)
	if up := strings.ToUpper(a.Login); errors.Is(err, store.ErrNotFound) && up != a.Login {
		// A 单位 logs in with its 统一社会信用代码, stored upper case.
		u, err = s.store.UserByLogin(ctx, up)
	}
	if errors.Is(err, store.ErrNotFound) {
		// An applicant logs in with their mobile, written as the SMS forms
		// take it (spaces, dashes, +86); anything else is no mobile.
		if m, merr := idcheck.Mobile(a.Login); merr == nil {
			u, err = s.store.UserByMobile(ctx, m)
		}
	}
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return auth.User{}, err
	}
	known := err == nil && !u.Disabled
	// Counted per account, not per spelling: the login name and the mobile
	// of one account share their failures.
	account := "name:" + a.Login
	if err == nil {
		account = fmt.Sprintf("user:%d", u.ID)
	}
	failures, err := s.store.LoginFailures(ctx, account, a.Client)
	if err != nil {
		return auth.User{}, err
	}
	if wait := failures.RetryWait(s.store.Now()); wait > 0 {
		secs := int(wait.Round(time.Second).Seconds())
		refusal := &Error{Code: TooMany, Field: "login", Label: "手机号或登录名",
			Message: fmt.Sprintf("密码错误次数较多，请 %d 秒后再试，或使用短信验证码登录", max(secs, 1))}
		if failures.CaptchaNeeded() {
			if refusal.Challenge, err = s.NewCaptcha(ctx); err != nil {
				return auth.User{}, err
			}
		}
		return auth.User{}, refusal
	}
	if failures.CaptchaNeeded() {
		if err := s.checkCaptcha(ctx, a.CaptchaID, a.CaptchaAnswer); err != nil {
			return auth.User{}, err
		}
	}
	// An unknown or disabled account is checked against a stand-in hash, so
	// the answer takes as long as for a real one: the time must not tell
	// which accounts exist.
	hash := decoyHash()
	if known {
		hash = u.PasswordHash
	}
	matched, err := auth.CheckPasswordContext(ctx, hash, a.Password)
	if errors.Is(err, auth.ErrBusy) {
		return auth.User{}, busy("password")
	}
	if err != nil {
		return auth.User{}, err
	}
	if !matched || !known {
		if err := s.store.RecordLoginFailure(ctx, account, a.Client); err != nil {
			return auth.User{}, err
		}
		refusal := &Error{Code: Invalid, Field: "password", Label: "密码", Message: wrongLogin}
		failures.Account++
		failures.Client++
		if failures.CaptchaNeeded() {
			if refusal.Challenge, err = s.NewCaptcha(ctx); err != nil {
				return auth.User{}, err
			}
		}
		return auth.User{}, refusal
	}
	if err := s.store.ClearLoginFailures(ctx, account, a.Client); err != nil {
		return auth.User{}, err
	}
	return u, nil
}

// checkCaptcha asks for a captcha: the one missing or answered wrong is
// used up, and a fresh one comes with the refusal.
func (s *Service) checkCaptcha(ctx context.Context, id, answer string) error {
	msg := "请输入图中的6位数字"
	if id != "" && answer != "" {
		ok, err := s.store.SolveCaptcha(ctx, id, strings.TrimSpace(answer))
		if err != nil || ok {
			return err
		}
		msg = "图形验证码不正确或已过期，请看新的图片重新输入"
	}
	next, err := s.NewCaptcha(ctx)
	if err != nil {
		return err
	}
	return &Error{Code: Invalid, Field: "captcha", Label: "图形验证码", Message: msg, Challenge: next}
}

// NewCaptcha draws a captcha and keeps it for auth.CaptchaTTL.
func (s *Service) NewCaptcha(ctx context.Context) (string, error) {
	id, _ := auth.NewToken()
	return id, s.store.NewCaptcha(ctx, id, auth.NewCaptchaAnswer(), s.store.Now().Add(auth.CaptchaTTL))
}

// CaptchaDigits are the digits a captcha's picture (or its spoken version)
// shows; NotFound once it has been answered or has expired.
func (s *Service) CaptchaDigits(ctx context.Context, id string) ([]byte, error) {
	answer, err := s.store.CaptchaAnswer(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, &Error{Code: NotFound, Message: "验证码图片已过期，请刷新页面"}
	}
	if err != nil {
		return nil, err
	}
	digits := make([]byte, len(answer))
	for i := range answer {
		digits[i] = answer[i] - '0'
	}
	return digits, nil
}

// decoyHash is an argon2id hash of a random password, made once with the
// service's parameters.
var decoyHash = sync.OnceValue(func() string {
	raw, _ := auth.NewToken()
	h, err := auth.HashPassword(raw)
	if err != nil {
		panic(err)
	}
	return h
})

// SendLoginCode sends an SMS login code. A code goes only to registered
// numbers, but the answer is the same either way — the resend wait and the
// limits count every request for the number — so the page cannot be used
// to probe who is registered.
func (s *Service) SendLoginCode(ctx context.Context, mobile, ip string) (string, error) {
	m, err := s.codeRequest(ctx, mobile, ip, "login")
	if err != nil {
		return m, err
	}
	if u, err := s.store.UserByMobile(ctx, m); err == nil && !u.Disabled {
		return m, s.store.IssueSMSCode(ctx, m, auth.SMSLogin, auth.NewSMSCode())
	} else if err != nil && !errors.Is(err, store.ErrNotFound) {
		return m, err
	}
	return m, nil
}

// SendRegisterCode sends the code that confirms a new account's mobile.
func (s *Service) SendRegisterCode(ctx context.Context, mobile, ip string) (string, error) {
	m, err := s.codeRequest(ctx, mobile, ip, "register")
	if err != nil {
		return m, err
	}
	return m, s.store.IssueSMSCode(ctx, m, auth.SMSRegister, auth.NewSMSCode())
}

// codeRequest checks the number a code is asked for and counts the request
// against the limits (codeLimits); it returns the number as written.
func (s *Service) codeRequest(ctx context.Context, mobile, ip, purpose string) (string, error) {
	m, err := idcheck.Mobile(mobile)
	if err != nil {
		return "", &Error{Code: Invalid, Field: "mobile", Label: "手机号", Message: err.Error()}
	}
	return m, s.codeLimits(ctx, m, ip, purpose)
}

// codeLimits counts a request for a code: one per number and purpose within
// auth.SMSResendAfter, and the hourly limits per number and per client.
func (s *Service) codeLimits(ctx context.Context, mobile, ip, purpose string) error {
	allowed, err := s.store.Allow(ctx, "sms-wait:"+purpose+":"+mobile, auth.SMSResend)
	if err != nil {
		return err
	}
	if !allowed {
		return &Error{Code: TooMany, Field: "mobile", Label: "手机号", Message: fmt.Sprintf("验证码已发送，请 %d 秒后再重新获取", int(auth.SMSResendAfter.Seconds()))}
	}
	for _, b := range []struct {
		bucket string
		limit  auth.RateLimit
	}{{"sms:" + mobile, auth.SMSPerMobile}, {"sms-ip:" + ip, auth.SMSPerIP}} {
		allowed, err := s.store.Allow(ctx, b.bucket, b.limit)
		if err != nil {
			return err
		}
		if !allowed {
			return &Error{Code: TooMany, Field: "mobile", Label: "手机号", Message: "获取验证码过于频繁，请1小时后再试"}
		}
	}
	return nil
}

// LoginSMS checks an SMS code login.
func (s *Service) LoginSMS(ctx context.Context, mobile, code string) (auth.User, error) {
	m, err := idcheck.Mobile(mobile)
	if err != nil {
		return auth.User{}, &Error{Code: Invalid, Field: "mobile", Label: "手机号", Message: err.Error()}
	}
	if code == "" {
		return auth.User{}, &Error{Code: Invalid, Field: "code", Label: "验证码", Message: "请输入短信验证码"}
	}
	// Password failures never hold SMS login back: the code reaching the
	// owner's phone is the way in while a stranger guesses passwords. A
	// code itself takes auth.SMSCodeMaxAttempts guesses.
	err = s.store.UseSMSCode(ctx, m, auth.SMSLogin, code)
	if errors.Is(err, store.ErrCodeWrong) || errors.Is(err, store.ErrCodeExpired) {
		return auth.User{}, &Error{Code: Invalid, Field: "code", Label: "验证码", Message: err.Error()}
	}
	if err != nil {
		return auth.User{}, err
	}
	u, err := s.store.UserByMobile(ctx, m)
	if err == nil && u.Disabled {
		return auth.User{}, &Error{Code: Forbidden, Field: "mobile", Label: "手机号", Message: "该账号已停用。如有疑问，请联系受理机关。"}
	}
	return u, err
}

// Registration is the real-name registration form (seed 000 2.1).
type Registration struct {
	Name, IDType, IDNumber, Mobile, Code, Password, Password2 string
	Client                                                    string // the registering client's address, for the audit log
}

// Register creates a real-name account: 姓名, 证件类型, 证件号码 checked (GB
// 11643 for a resident ID), a mobile number confirmed by an SMS code, and a
// strong password. Every mistake of the form comes at once.
func (s *Service) Register(ctx context.Context, f Registration) (auth.User, error) {
	var refused []*Error
	fail := func(field, label, msg string) {
		refused = append(refused, &Error{Code: Invalid, Field: field, Label: label, Message: msg})
	}
	mobile, err := idcheck.Mobile(f.Mobile)
	if err != nil {
		fail("mobile", "手机号", err.Error())
	}
	h := registry.Holder{Name: strings.TrimSpace(f.Name), IDType: registry.IDType(f.IDType), IDNumber: strings.ToUpper(strings.TrimSpace(f.IDNumber))}
	switch n := len([]rune(h.Name)); {
	case n == 0:
		fail("name", "姓名", "请输入姓名（与证件一致）")
	case n > 30:
		fail("name", "姓名", "姓名不能超过30个字")
	}
	if !h.IDType.Valid() {
		fail("id_type", "证件类型", "请选择证件类型")
	}
	switch {
	case h.IDNumber == "":
		fail("id_number", "证件号码", "请输入证件号码")
	case h.IDType == registry.IDResident:
		id, err := idcheck.ParseResidentID(h.IDNumber, s.today())
		if err != nil {
			fail("id_number", "证件号码", err.Error())
		} else {
			h.IDNumber, h.BirthDate, h.Sex = id.Number, id.BirthDate, id.Sex.String()
		}
	case len(h.IDNumber) > 30:
		fail("id_number", "证件号码", "证件号码不能超过30个字符")
	}
	refused = append(refused, unprintable(printed{"", "name", "姓名", h.Name}, printed{"", "id_number", "证件号码", h.IDNumber})...)
	if f.Code == "" {
		fail("code", "短信验证码", "请输入短信验证码（点击“获取验证码”）")
	}
	if err := auth.CheckPasswordStrength(f.Password); err != nil {
		fail("password", "密码", err.Error())
	} else if f.Password != f.Password2 {
		fail("password2", "确认密码", "两次输入的密码不一致")
	}
	if len(refused) > 0 {
		return auth.User{}, Errors(refused)
	}
	claim, err := s.store.HolderClaim(ctx, h.IDType, h.IDNumber)
	if err != nil {
		return auth.User{}, err
	}
	if claim.Known && claim.Name != h.Name {
		return auth.User{}, &Error{Code: Conflict, Field: "name", Label: "姓名", Message: store.ErrNameMismatch.Error()}
	}
	// Whoever knows a holder's name and number must not become them: a
	// registration naming a person the registry holds (or one already
	// registered) proves it is that person before anything is created.
	proven := false
	if claim.Holds || claim.Account {
		if proven, err = s.provesHolder(ctx, h, mobile, claim); err != nil {
			return auth.User{}, err
		}
	}
	if err := s.store.UseSMSCode(ctx, mobile, auth.SMSRegister, f.Code); err != nil {
		if errors.Is(err, store.ErrCodeWrong) || errors.Is(err, store.ErrCodeExpired) {
			return auth.User{}, &Error{Code: Invalid, Field: "code", Label: "短信验证码", Message: err.Error()}
		}
		return auth.User{}, err
	}
	hash, err := auth.HashPasswordContext(ctx, f.Password)
	if errors.Is(err, auth.ErrBusy) {
		return auth.User{}, busy("password")
	}
	if err != nil {
		return auth.User{}, err
	}
	var u auth.User
	if proven && claim.Account {
		u, err = s.store.ReclaimApplicant(ctx, h, mobile, hash, store.Reclaim{
			Notice: fmt.Sprintf("【特种设备作业人员资格认定】证件号码 %s 的持证人本人已通过身份核验重新注册账号，您原先以该证件注册的账号已停用。如有疑问，请联系受理机关。", idcheck.MaskNumber(h.IDNumber)),
			Audit:  audit.Entry{ActorRole: string(auth.RoleApplicant), Action: "account_reclaimed", IP: f.Client},
		})
	} else {
		u, err = s.store.RegisterApplicant(ctx, h, mobile, hash)
	}
	switch {
	case errors.Is(err, store.ErrMobileTaken):
		return u, &Error{Code: Conflict, Field: "mobile", Label: "手机号", Message: err.Error()}
	case errors.Is(err, store.ErrPersonTaken):
		return u, &Error{Code: Conflict, Field: "id_number", Label: "证件号码", Message: err.Error()}
	case errors.Is(err, store.ErrNameMismatch):
		return u, &Error{Code: Conflict, Field: "name", Label: "姓名", Message: err.Error()}
	}
	return u, err
}

// provesHolder decides whether a registration is the holder it names: its
// mobile (whose code it must still answer) is the one the registry has on
// record for them, or a 实名核验 confirms the mobile is registered in their
// name. Without proof the refusal says what proof would do.
func (s *Service) provesHolder(ctx context.Context, h registry.Holder, mobile string, claim store.HolderClaim) (bool, error) {
	if claim.Mobile != "" && claim.Mobile == mobile {
		return true, nil
	}
	ok, msg, err := s.realName.MobileBelongsTo(ctx, h.Name, h.IDNumber, mobile)
	if err != nil {
		return false, fmt.Errorf("实名核验: %w", err)
	}
	if ok {
		return true, nil
	}
	var why string
	switch {
	case claim.Mobile != "":
		why = fmt.Sprintf("该证件号码已登记为持证人。为确认是您本人，请使用持证记录中登记的手机号 %s 注册；该号码已不再使用的，请使用以您本人身份证办理的手机号（将进行实名核验），或携带身份证到受理机关窗口办理。", idcheck.MaskMobile(claim.Mobile))
	default:
		why = "该证件号码已登记为持证人。为确认是您本人，请使用以您本人身份证办理的手机号注册（将进行实名核验）。" + msg
	}
	if claim.Account {
		why += "确认为本人后，以该证件注册的原账号将停用。"
	}
	return false, &Error{Code: Forbidden, Field: "mobile", Label: "手机号", Message: why}
}

// StartSession opens a session for u, ending the one the browser had (a
// fresh token at login prevents session fixation); it returns the token for
// the cookie.
func (s *Service) StartSession(ctx context.Context, u auth.User, oldHash string) (string, error) {
	if oldHash != "" {
		s.store.DeleteSession(ctx, oldHash)
	}
	raw, hash := auth.NewToken()
	if _, err := s.store.CreateSession(ctx, u.ID, hash); err != nil {
		return "", err
	}
	s.log.Info("login", "user_id", u.ID, "role", u.Role)
	return raw, nil
}

// EndSession is 退出.
func (s *Service) EndSession(ctx context.Context, hash string) error {
	return s.store.DeleteSession(ctx, hash)
}

// ExtendSession is the timeout warning's 继续办理; ok is false for a session
// already ended.
func (s *Service) ExtendSession(ctx context.Context, hash string) (auth.Session, bool) {
	sess, err := s.store.ExtendSession(ctx, hash)
	return sess, err == nil
}

// QRLogin states, as the desktop polls them.
type QRState = store.QRState

const (
	QRWaiting   = store.QRWaiting
	QRConfirmed = store.QRConfirmed
)

// StartQRLogin makes a login QR code (seed 001 第二部分 4: 手机扫码后确认登入):
// the token the code carries, and the poll secret only the showing browser
// holds.
func (s *Service) StartQRLogin(ctx context.Context) (token, poll string, err error) {
	raw, hash := auth.NewToken()
	poll, pollHash := auth.NewToken()
	return raw, poll, s.store.CreateQRLogin(ctx, hash, pollHash)
}

// PollQRLogin is the desktop asking whether the phone confirmed; once it
// has, the account to log in.
func (s *Service) PollQRLogin(ctx context.Context, token, poll string) (QRState, auth.User, error) {
	pollHash := ""
	if poll != "" {
		pollHash = auth.HashToken(poll)
	}
	state, userID, err := s.store.PollQRLogin(ctx, auth.HashToken(token), pollHash)
	if err != nil || state != store.QRConfirmed {
		return state, auth.User{}, err
	}
	u, err := s.store.UserByID(ctx, userID)
	return state, u, err
}

// QRLoginValid reports whether a QR code can still be confirmed.
func (s *Service) QRLoginValid(ctx context.Context, token string) (bool, error) {
	return s.store.QRLoginValid(ctx, auth.HashToken(token))
}

// ConfirmQRLogin is the phone, logged in as who, confirming the desktop's
// login.
func (s *Service) ConfirmQRLogin(ctx context.Context, who Actor, token string) error {
	err := s.store.ConfirmQRLogin(ctx, auth.HashToken(token), who.UserID)
	if errors.Is(err, store.ErrCodeExpired) {
		return &Error{Code: Gone, Message: "二维码已过期或已使用，请在电脑上重新获取二维码。"}
	}
	return err
}
