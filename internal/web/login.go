package web

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"time"

	qrcode "github.com/skip2/go-qrcode"

	"opcert/internal/auth"
	"opcert/internal/idcheck"
	"opcert/internal/registry"
	"opcert/internal/store"
)

func (s *Server) authRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /login", s.loginPage)
	mux.HandleFunc("POST /login/password", s.loginPassword)
	mux.HandleFunc("POST /login/sms", s.loginSMS)
	mux.HandleFunc("GET /login/qr", s.qrStart)
	mux.HandleFunc("GET /login/qr/check", s.qrCheck)
	mux.HandleFunc("GET /login/qr/confirm", s.qrConfirmPage)
	mux.HandleFunc("POST /login/qr/confirm", s.qrConfirm)
	mux.HandleFunc("GET /register", s.registerPage)
	mux.HandleFunc("POST /register", s.register)
	mux.HandleFunc("POST /logout", s.logout)
	mux.HandleFunc("POST /session/extend", s.extendSession)
	mux.HandleFunc("GET /dev/sms", s.devSMS)
}

// form is a submitted form being checked: its values stay on the page
// whatever goes wrong, and each error is shown at its field and in the
// summary at the top.
type form struct {
	Values map[string]string
	Errors []fieldError
	Notice string
}

func newForm(r *http.Request, fields ...string) *form {
	f := &form{Values: map[string]string{}}
	for _, k := range fields {
		f.Values[k] = strings.TrimSpace(r.PostFormValue(k))
	}
	return f
}

func (f *form) Get(k string) string { return f.Values[k] }

func (f *form) Fail(field, label, msg string) {
	f.Errors = append(f.Errors, fieldError{field, label, msg})
}

func (f *form) ErrorFor(field string) string { return fieldErrors(f.Errors).ErrorFor(field) }

func (f *form) OK() bool { return len(f.Errors) == 0 }

type loginPageData struct {
	chrome
	Next     string
	Password *form
	SMS      *form
	Tab      string // password, sms
}

func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) {
	if v := viewerFrom(r.Context()); v != nil {
		http.Redirect(w, r, safeNext(r.URL.Query().Get("next")), http.StatusSeeOther)
		return
	}
	s.render(w, r, "login", &loginPageData{Next: safeNext(r.URL.Query().Get("next")), Password: &form{Values: map[string]string{}}, SMS: &form{Values: map[string]string{}}, Tab: "password"})
}

const tooManyTries = "登录失败次数过多，为保护您的账号，请15分钟后再试，或使用短信验证码登录"

func (s *Server) loginPassword(w http.ResponseWriter, r *http.Request) {
	f := newForm(r, "login", "password")
	f.Values["password"] = r.PostFormValue("password")
	page := &loginPageData{Next: safeNext(r.PostFormValue("next")), Password: f, SMS: &form{Values: map[string]string{}}, Tab: "password"}
	if f.Get("login") == "" {
		f.Fail("login", "手机号或登录名", "请输入手机号或登录名")
	}
	if f.Get("password") == "" {
		f.Fail("password", "密码", "请输入密码")
	}
	if !f.OK() {
		s.renderStatus(w, r, http.StatusUnprocessableEntity, "login", page)
		return
	}
	ctx := r.Context()
	acct, ip := "login:"+f.Get("login"), "login-ip:"+clientIP(r)
	if over, err := s.exceededAny(r, acct, auth.LoginFailuresPerAccount, ip, auth.LoginFailuresPerIP); err != nil {
		s.serverError(w, r, err)
		return
	} else if over {
		f.Fail("login", "手机号或登录名", tooManyTries)
		s.renderStatus(w, r, http.StatusTooManyRequests, "login", page)
		return
	}
	u, err := s.store.UserByLogin(ctx, f.Get("login"))
	if errors.Is(err, store.ErrNotFound) {
		u, err = s.store.UserByMobile(ctx, f.Get("login"))
	}
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		s.serverError(w, r, err)
		return
	}
	matched := false
	if err == nil && !u.Disabled {
		matched, err = auth.CheckPasswordContext(ctx, u.PasswordHash, f.Get("password"))
		if errors.Is(err, auth.ErrBusy) {
			s.passwordBusy(w, r, f, "login", page)
			return
		}
		if err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	// The same message whether the account exists or not: the page must not
	// tell a stranger which mobile numbers are registered.
	if !matched {
		s.store.Allow(ctx, acct, auth.LoginFailuresPerAccount)
		s.store.Allow(ctx, ip, auth.LoginFailuresPerIP)
		f.Values["password"] = ""
		f.Fail("password", "密码", "手机号（登录名）或密码不正确")
		s.renderStatus(w, r, http.StatusUnprocessableEntity, "login", page)
		return
	}
	s.store.ClearRate(ctx, acct)
	if err := s.startSession(w, r, u); err != nil {
		s.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, s.landing(u, page.Next), http.StatusSeeOther)
}

// passwordBusy shows the form again, as it was sent but without the
// password, when every password-hashing slot stayed taken (auth.ErrBusy):
// 503 with Retry-After, so the person tries again in a moment.
func (s *Server) passwordBusy(w http.ResponseWriter, r *http.Request, f *form, page string, data any) {
	for k := range f.Values {
		if strings.HasPrefix(k, "password") {
			f.Values[k] = ""
		}
	}
	f.Fail("password", "密码", auth.ErrBusy.Error())
	w.Header().Set("Retry-After", "5")
	s.renderStatus(w, r, http.StatusServiceUnavailable, page, data)
}

// landing is where a fresh login goes: back where the person was, or the
// home of their role.
func (s *Server) landing(u auth.User, next string) string {
	if next != "/" {
		return next
	}
	if u.Role == auth.RoleOfficer || u.Role == auth.RoleAdmin {
		return "/officer"
	}
	return "/applications"
}

func (s *Server) exceededAny(r *http.Request, pairs ...any) (bool, error) {
	for i := 0; i < len(pairs); i += 2 {
		over, err := s.store.Exceeded(r.Context(), pairs[i].(string), pairs[i+1].(auth.RateLimit))
		if err != nil || over {
			return over, err
		}
	}
	return false, nil
}

// sendSMSCode checks the number and the limits and queues a code. It
// returns a message for the field when it refuses.
func (s *Server) sendSMSCode(r *http.Request, mobile string, purpose auth.SMSPurpose) (string, error) {
	ctx := r.Context()
	last, ok, err := s.store.LastSMSCodeAt(ctx, mobile)
	if err != nil {
		return "", err
	}
	if wait := auth.SMSResendAfter - time.Since(last); ok && wait > 0 {
		return fmt.Sprintf("验证码已发送，请 %d 秒后再重新获取", int(wait.Seconds())+1), nil
	}
	for _, b := range []struct {
		bucket string
		limit  auth.RateLimit
	}{{"sms:" + mobile, auth.SMSPerMobile}, {"sms-ip:" + clientIP(r), auth.SMSPerIP}} {
		allowed, err := s.store.Allow(ctx, b.bucket, b.limit)
		if err != nil {
			return "", err
		}
		if !allowed {
			return "获取验证码过于频繁，请1小时后再试", nil
		}
	}
	return "", s.store.IssueSMSCode(ctx, mobile, purpose, auth.NewSMSCode())
}

func maskMobile(m string) string {
	if len(m) != 11 {
		return m
	}
	return m[:3] + "****" + m[7:]
}

func (s *Server) codeSentNotice(mobile string) string {
	n := "验证码已发送至 " + maskMobile(mobile) + "，5分钟内有效。"
	if s.demo {
		n += "演示环境不发送真实短信，请在“短信发件箱”页面查看验证码。"
	}
	return n
}

func (s *Server) loginSMS(w http.ResponseWriter, r *http.Request) {
	f := newForm(r, "mobile", "code")
	page := &loginPageData{Next: safeNext(r.PostFormValue("next")), SMS: f, Password: &form{Values: map[string]string{}}, Tab: "sms"}
	mobile, err := idcheck.Mobile(f.Get("mobile"))
	if err != nil {
		f.Fail("mobile", "手机号", err.Error())
		s.renderStatus(w, r, http.StatusUnprocessableEntity, "login", page)
		return
	}
	f.Values["mobile"] = mobile
	ctx := r.Context()
	if r.PostFormValue("action") == "send_code" {
		// A code goes only to registered numbers, but the answer is the same
		// either way so the page cannot be used to probe who is registered.
		if _, err := s.store.UserByMobile(ctx, mobile); err == nil {
			msg, err := s.sendSMSCode(r, mobile, auth.SMSLogin)
			if err != nil {
				s.serverError(w, r, err)
				return
			}
			if msg != "" {
				f.Fail("mobile", "手机号", msg)
				s.renderStatus(w, r, http.StatusTooManyRequests, "login", page)
				return
			}
		} else if !errors.Is(err, store.ErrNotFound) {
			s.serverError(w, r, err)
			return
		}
		f.Notice = s.codeSentNotice(mobile)
		s.render(w, r, "login", page)
		return
	}
	if f.Get("code") == "" {
		f.Fail("code", "验证码", "请输入短信验证码")
		s.renderStatus(w, r, http.StatusUnprocessableEntity, "login", page)
		return
	}
	acct := "login:" + mobile
	if over, err := s.exceededAny(r, acct, auth.LoginFailuresPerAccount); err != nil {
		s.serverError(w, r, err)
		return
	} else if over {
		f.Fail("code", "验证码", tooManyTries)
		s.renderStatus(w, r, http.StatusTooManyRequests, "login", page)
		return
	}
	err = s.store.UseSMSCode(ctx, mobile, auth.SMSLogin, f.Get("code"))
	if errors.Is(err, store.ErrCodeWrong) || errors.Is(err, store.ErrCodeExpired) {
		s.store.Allow(ctx, acct, auth.LoginFailuresPerAccount)
		f.Fail("code", "验证码", err.Error())
		s.renderStatus(w, r, http.StatusUnprocessableEntity, "login", page)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	u, err := s.store.UserByMobile(ctx, mobile)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.store.ClearRate(ctx, acct)
	if err := s.startSession(w, r, u); err != nil {
		s.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, s.landing(u, page.Next), http.StatusSeeOther)
}

const qrPollCookie = "opcert_qr"

type qrPageData struct {
	chrome
	Next, Token, ConfirmURL, Message string
	Image                            template.URL // a data: URL the page generated itself
	Expired                          bool
}

// qrStart shows a login QR code (seed 001 第二部分 4: 跳转至扫码登入页面，使用手机
// "随申办市民云"APP扫码后手机上确认登入). Only this browser, which holds the poll
// secret in a cookie, can be logged in by the confirmation.
func (s *Server) qrStart(w http.ResponseWriter, r *http.Request) {
	raw, hash := auth.NewToken()
	poll, pollHash := auth.NewToken()
	if err := s.store.CreateQRLogin(r.Context(), hash, pollHash); err != nil {
		s.serverError(w, r, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: qrPollCookie, Value: poll, Path: "/login/qr", HttpOnly: true, Secure: s.secureFor(r),
		SameSite: http.SameSiteLaxMode, MaxAge: int(auth.QRLoginTTL.Seconds())})
	confirm := s.absoluteURL(r, "/login/qr/confirm?t="+url.QueryEscape(raw))
	png, err := qrcode.Encode(confirm, qrcode.Medium, 256)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, "qr", &qrPageData{Next: safeNext(r.URL.Query().Get("next")), Token: raw, ConfirmURL: confirm,
		Image: pngDataURL(png)})
}

// absoluteURL builds a link a phone can open: the configured public address,
// or the address this request came in on.
func (s *Server) absoluteURL(r *http.Request, path string) string {
	if s.baseURL != "" {
		return s.baseURL + path
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + path
}

// qrCheck is asked by the desktop: by the page's script (JSON) while it
// waits, or by the 刷新 button when scripts are off.
func (s *Server) qrCheck(w http.ResponseWriter, r *http.Request) {
	token, next := r.URL.Query().Get("t"), safeNext(r.URL.Query().Get("next"))
	wantJSON := r.URL.Query().Get("format") == "json"
	var pollHash string
	if c, err := r.Cookie(qrPollCookie); err == nil {
		pollHash = auth.HashToken(c.Value)
	}
	state, userID, err := s.store.PollQRLogin(r.Context(), auth.HashToken(token), pollHash)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if state == store.QRConfirmed {
		u, err := s.store.UserByID(r.Context(), userID)
		if err == nil {
			err = s.startSession(w, r, u)
		}
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		http.SetCookie(w, &http.Cookie{Name: qrPollCookie, Value: "", Path: "/login/qr", MaxAge: -1})
		next = s.landing(u, next)
	}
	if wantJSON {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		json.NewEncoder(w).Encode(map[string]string{"state": [...]string{"waiting", "confirmed", "expired"}[state], "next": next})
		return
	}
	switch state {
	case store.QRConfirmed:
		http.Redirect(w, r, next, http.StatusSeeOther)
	case store.QRWaiting:
		s.qrStartAgain(w, r, token, next, "尚未在手机上确认登录。请用手机扫描二维码并点击“确认登录”，然后再点击“我已确认，刷新”。")
	default:
		s.qrStartAgain(w, r, "", next, "二维码已过期或已使用，请重新获取二维码。")
	}
}

func (s *Server) qrStartAgain(w http.ResponseWriter, r *http.Request, token, next, msg string) {
	p := &qrPageData{Next: next, Token: token, Message: msg, Expired: token == ""}
	if token != "" {
		p.ConfirmURL = s.absoluteURL(r, "/login/qr/confirm?t="+url.QueryEscape(token))
		png, err := qrcode.Encode(p.ConfirmURL, qrcode.Medium, 256)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		p.Image = pngDataURL(png)
	}
	s.render(w, r, "qr", p)
}

type qrConfirmData struct {
	chrome
	Token   string
	Valid   bool
	Done    bool
	Message string
}

// qrConfirmPage is what the phone opens from the QR code. The person must be
// logged in on the phone; the page says plainly what confirming does.
func (s *Server) qrConfirmPage(w http.ResponseWriter, r *http.Request) {
	v := viewerFrom(r.Context())
	token := r.URL.Query().Get("t")
	if v == nil {
		http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
		return
	}
	valid, err := s.store.QRLoginValid(r.Context(), auth.HashToken(token))
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, "qr_confirm", &qrConfirmData{Token: token, Valid: valid})
}

func (s *Server) qrConfirm(w http.ResponseWriter, r *http.Request) {
	v := viewerFrom(r.Context())
	token := r.PostFormValue("t")
	if v == nil {
		http.Redirect(w, r, "/login?next="+url.QueryEscape("/login/qr/confirm?t="+token), http.StatusSeeOther)
		return
	}
	err := s.store.ConfirmQRLogin(r.Context(), auth.HashToken(token), v.User.ID)
	if errors.Is(err, store.ErrCodeExpired) {
		s.renderStatus(w, r, http.StatusGone, "qr_confirm", &qrConfirmData{Token: token, Message: "二维码已过期或已使用，请在电脑上重新获取二维码。"})
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, "qr_confirm", &qrConfirmData{Done: true})
}

type registerPageData struct {
	chrome
	Next    string
	Form    *form
	IDTypes []registry.IDType
}

func (s *Server) registerPage(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, "register", &registerPageData{Next: safeNext(r.URL.Query().Get("next")), IDTypes: registry.IDTypes,
		Form: &form{Values: map[string]string{"id_type": string(registry.IDResident)}}})
}

// register creates a real-name account (seed 000 2.1): 姓名, 证件类型, 证件号码
// checked, and a mobile number confirmed by an SMS code. 获取验证码 is a second
// submit button of the same form, so nothing typed is lost without scripts.
func (s *Server) register(w http.ResponseWriter, r *http.Request) {
	f := newForm(r, "name", "id_type", "id_number", "mobile", "code")
	f.Values["password"], f.Values["password2"] = r.PostFormValue("password"), r.PostFormValue("password2")
	page := &registerPageData{Next: safeNext(r.PostFormValue("next")), Form: f, IDTypes: registry.IDTypes}
	fail := func(status int) { s.renderStatus(w, r, status, "register", page) }
	mobile, merr := idcheck.Mobile(f.Get("mobile"))
	if merr != nil {
		f.Fail("mobile", "手机号", merr.Error())
	} else {
		f.Values["mobile"] = mobile
	}
	if r.PostFormValue("action") == "send_code" {
		if merr != nil {
			fail(http.StatusUnprocessableEntity)
			return
		}
		msg, err := s.sendSMSCode(r, mobile, auth.SMSRegister)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		if msg != "" {
			f.Fail("mobile", "手机号", msg)
			fail(http.StatusTooManyRequests)
			return
		}
		f.Notice = s.codeSentNotice(mobile)
		s.render(w, r, "register", page)
		return
	}
	h := registry.Holder{Name: f.Get("name"), IDType: registry.IDType(f.Get("id_type")), IDNumber: strings.ToUpper(f.Get("id_number"))}
	switch n := len([]rune(h.Name)); {
	case n == 0:
		f.Fail("name", "姓名", "请输入姓名（与证件一致）")
	case n > 30:
		f.Fail("name", "姓名", "姓名不能超过30个字")
	}
	if !h.IDType.Valid() {
		f.Fail("id_type", "证件类型", "请选择证件类型")
	}
	switch {
	case h.IDNumber == "":
		f.Fail("id_number", "证件号码", "请输入证件号码")
	case h.IDType == registry.IDResident:
		id, err := idcheck.ParseResidentID(h.IDNumber, s.today())
		if err != nil {
			f.Fail("id_number", "证件号码", err.Error())
		} else {
			h.IDNumber, h.BirthDate, h.Sex = id.Number, id.BirthDate, id.Sex.String()
			f.Values["id_number"] = id.Number
		}
	case len(h.IDNumber) > 30:
		f.Fail("id_number", "证件号码", "证件号码不能超过30个字符")
	}
	if f.Get("code") == "" {
		f.Fail("code", "短信验证码", "请输入短信验证码（点击“获取验证码”）")
	}
	if err := auth.CheckPasswordStrength(f.Get("password")); err != nil {
		f.Fail("password", "密码", err.Error())
	} else if f.Get("password") != f.Get("password2") {
		f.Fail("password2", "确认密码", "两次输入的密码不一致")
	}
	if !f.OK() {
		f.Values["password"], f.Values["password2"] = "", ""
		fail(http.StatusUnprocessableEntity)
		return
	}
	ctx := r.Context()
	if err := s.store.UseSMSCode(ctx, mobile, auth.SMSRegister, f.Get("code")); err != nil {
		if errors.Is(err, store.ErrCodeWrong) || errors.Is(err, store.ErrCodeExpired) {
			f.Fail("code", "短信验证码", err.Error())
			f.Values["password"], f.Values["password2"] = "", ""
			fail(http.StatusUnprocessableEntity)
			return
		}
		s.serverError(w, r, err)
		return
	}
	hash, err := auth.HashPasswordContext(ctx, f.Get("password"))
	if errors.Is(err, auth.ErrBusy) {
		s.passwordBusy(w, r, f, "register", page)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	u, err := s.store.RegisterApplicant(ctx, h, mobile, hash)
	switch {
	case errors.Is(err, store.ErrMobileTaken):
		f.Fail("mobile", "手机号", err.Error())
	case errors.Is(err, store.ErrPersonTaken):
		f.Fail("id_number", "证件号码", err.Error())
	case errors.Is(err, store.ErrNameMismatch):
		f.Fail("name", "姓名", err.Error())
	case err != nil:
		s.serverError(w, r, err)
		return
	}
	if !f.OK() {
		f.Values["password"], f.Values["password2"] = "", ""
		fail(http.StatusConflict)
		return
	}
	if err := s.startSession(w, r, u); err != nil {
		s.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, page.Next, http.StatusSeeOther)
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	if v := viewerFrom(r.Context()); v != nil {
		if err := s.store.DeleteSession(r.Context(), v.tokenHash); err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	s.clearSessionCookie(w, r)
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// extendSession is the timeout warning's 继续办理 button.
func (s *Server) extendSession(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	v := viewerFrom(r.Context())
	if v == nil {
		w.WriteHeader(http.StatusUnauthorized)
		json.NewEncoder(w).Encode(map[string]string{"error": "登录已失效，请重新登录"})
		return
	}
	sess, err := s.store.ExtendSession(r.Context(), v.tokenHash)
	if err != nil {
		w.WriteHeader(http.StatusUnauthorized)
		json.NewEncoder(w).Encode(map[string]string{"error": "登录已失效，请重新登录"})
		return
	}
	json.NewEncoder(w).Encode(map[string]int64{"ends": sess.EndsAt().UnixMilli()})
}

type devSMSData struct {
	chrome
	Mobile   string
	Messages []store.OutboxMessage
}

// devSMS shows the outbox in demo mode so a person can try SMS login and
// registration without a phone (演示模式下可查看最新验证码).
func (s *Server) devSMS(w http.ResponseWriter, r *http.Request) {
	if !s.demo {
		s.notFound(w, r)
		return
	}
	mobile := strings.TrimSpace(r.URL.Query().Get("mobile"))
	msgs, err := s.store.RecentOutbox(r.Context(), mobile, 50)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, "dev_sms", &devSMSData{Mobile: mobile, Messages: msgs})
}

// pngDataURL inlines a generated image: no second request, and no route
// that would turn arbitrary text into QR codes for anyone.
func pngDataURL(png []byte) template.URL {
	return template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(png))
}
