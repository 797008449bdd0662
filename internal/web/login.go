package web

import (
	"encoding/base64"
	"encoding/json"
	"html/template"
	"net/http"
	"net/url"
	"strings"

	qrcode "github.com/skip2/go-qrcode"

	"opcert/internal/auth"
	"opcert/internal/casework"
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

// failForm puts the service's refusal at its fields and shows the page
// again with its status; a busy answer asks to try again in a moment.
func (s *Server) failForm(w http.ResponseWriter, r *http.Request, f *form, err error, page string, data any) {
	status := statusOf(err)
	if status == http.StatusInternalServerError {
		s.serverError(w, r, err)
		return
	}
	f.Errors = append(f.Errors, fieldErrorsOf(err, nil)...)
	for k := range f.Values {
		if strings.HasPrefix(k, "password") {
			f.Values[k] = ""
		}
	}
	// A captcha is answered once: the next try shows the new one, or none.
	f.Values["captcha_id"], f.Values["captcha"] = casework.ChallengeOf(err), ""
	if status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", "5")
	}
	s.renderStatus(w, r, status, page, data)
}

func (s *Server) loginPassword(w http.ResponseWriter, r *http.Request) {
	f := newForm(r, "login", "password", "captcha_id", "captcha")
	f.Values["password"] = r.PostFormValue("password")
	page := &loginPageData{Next: safeNext(r.PostFormValue("next")), Password: f, SMS: &form{Values: map[string]string{}}, Tab: "password"}
	u, err := s.cases.LoginPassword(r.Context(), casework.PasswordLogin{Login: f.Get("login"), Password: f.Get("password"),
		Client: s.clientIP(r), CaptchaID: f.Get("captcha_id"), CaptchaAnswer: f.Get("captcha")})
	if err != nil {
		s.failForm(w, r, f, err, "login", page)
		return
	}
	if err := s.startSession(w, r, u); err != nil {
		s.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, s.landing(u, page.Next), http.StatusSeeOther)
}

// landing is where a fresh login goes: back where the person was, or the
// home of their role.
func (s *Server) landing(u auth.User, next string) string {
	if next != "/" {
		return next
	}
	switch u.Role {
	case auth.RoleOfficer, auth.RoleAdmin:
		return "/officer"
	case auth.RoleExaminer:
		return "/exam"
	case auth.RoleUnit:
		return "/unit"
	}
	return "/applications"
}

func maskMobile(m string) string { return idcheck.MaskMobile(m) }

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
	if r.PostFormValue("action") == "send_code" {
		mobile, err := s.cases.SendLoginCode(r.Context(), f.Get("mobile"), s.clientIP(r))
		if mobile != "" {
			f.Values["mobile"] = mobile
		}
		if err != nil {
			s.failForm(w, r, f, err, "login", page)
			return
		}
		f.Notice = s.codeSentNotice(mobile)
		s.render(w, r, "login", page)
		return
	}
	u, err := s.cases.LoginSMS(r.Context(), f.Get("mobile"), f.Get("code"))
	if err != nil {
		s.failForm(w, r, f, err, "login", page)
		return
	}
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
	raw, poll, err := s.cases.StartQRLogin(r.Context())
	if err != nil {
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
	var poll string
	if c, err := r.Cookie(qrPollCookie); err == nil {
		poll = c.Value
	}
	state, u, err := s.cases.PollQRLogin(r.Context(), token, poll)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if state == casework.QRConfirmed {
		if err := s.startSession(w, r, u); err != nil {
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
	case casework.QRConfirmed:
		http.Redirect(w, r, next, http.StatusSeeOther)
	case casework.QRWaiting:
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
	valid, err := s.cases.QRLoginValid(r.Context(), token)
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
	err := s.cases.ConfirmQRLogin(r.Context(), s.actor(r), token)
	if statusOf(err) == http.StatusGone {
		s.renderStatus(w, r, http.StatusGone, "qr_confirm", &qrConfirmData{Token: token, Message: casework.ErrorMessage(err)})
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

// register creates a real-name account (seed 000 2.1) through the service.
// 获取验证码 is a second submit button of the same form, so nothing typed is
// lost without scripts.
func (s *Server) register(w http.ResponseWriter, r *http.Request) {
	f := newForm(r, "name", "id_type", "id_number", "mobile", "code")
	f.Values["password"], f.Values["password2"] = r.PostFormValue("password"), r.PostFormValue("password2")
	page := &registerPageData{Next: safeNext(r.PostFormValue("next")), Form: f, IDTypes: registry.IDTypes}
	if r.PostFormValue("action") == "send_code" {
		mobile, err := s.cases.SendRegisterCode(r.Context(), f.Get("mobile"), s.clientIP(r))
		if mobile != "" {
			f.Values["mobile"] = mobile
		}
		if err != nil {
			s.failForm(w, r, f, err, "register", page)
			return
		}
		f.Notice = s.codeSentNotice(mobile)
		s.render(w, r, "register", page)
		return
	}
	u, err := s.cases.Register(r.Context(), casework.Registration{Name: f.Get("name"), IDType: f.Get("id_type"), IDNumber: f.Get("id_number"),
		Mobile: f.Get("mobile"), Code: f.Get("code"), Password: f.Get("password"), Password2: f.Get("password2"), Client: s.clientIP(r)})
	if err != nil {
		s.failForm(w, r, f, err, "register", page)
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
		if err := s.cases.EndSession(r.Context(), v.tokenHash); err != nil {
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
	sess, ok := s.cases.ExtendSession(r.Context(), v.tokenHash)
	if !ok {
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
