package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"opcert/internal/auth"
	"opcert/internal/casework"
)

func (s *Server) accountRoutes(mux *http.ServeMux) {
	admin := func(h http.HandlerFunc) http.HandlerFunc { return s.requireRole(auth.RoleAdmin, h) }
	mux.HandleFunc("GET /admin/accounts", admin(s.accountsPage))
	mux.HandleFunc("POST /admin/accounts", admin(s.createAccount))
	mux.HandleFunc("GET /admin/accounts/{id}", admin(s.accountHistory))
	mux.HandleFunc("POST /admin/accounts/{id}/disable", admin(s.accountStatus(true)))
	mux.HandleFunc("POST /admin/accounts/{id}/enable", admin(s.accountStatus(false)))
	mux.HandleFunc("POST /admin/accounts/{id}/reset-password", admin(s.resetAccountPassword))
	mux.HandleFunc("GET /account/password", s.passwordPage)
	mux.HandleFunc("POST /account/password", s.changePassword)
}

// accountLabels name the create form's fields in the error summary.
var accountLabels = map[string]string{"login": "登录名", "name": "姓名", "role": "角色", "authority": "所属受理机关", "institution": "所属考试机构"}

type accountsPageData struct {
	chrome
	casework.AccountList
	Filter casework.AccountFilter
	Form   *form
	Errors []fieldError
	Notice string
	// Refusal is an action on one account refused (out of turn, oneself,
	// the last admin), shown above the list.
	Refusal string
	Roles   []auth.Role
}

func (s *Server) accountsData(r *http.Request, f *form) (*accountsPageData, error) {
	q := r.URL.Query()
	filter := casework.AccountFilter{Role: q.Get("role"), AuthorityCode: q.Get("authority"), Institution: q.Get("institution")}
	list, err := s.cases.Accounts(r.Context(), s.actor(r), filter)
	if casework.ErrorCode(err) == casework.Invalid {
		// A filter edited by hand lists everyone rather than failing.
		filter = casework.AccountFilter{}
		list, err = s.cases.Accounts(r.Context(), s.actor(r), filter)
	}
	if err != nil {
		return nil, err
	}
	if f == nil {
		f = &form{Values: map[string]string{}}
	}
	return &accountsPageData{AccountList: list, Filter: filter, Form: f, Roles: auth.StaffRoles}, nil
}

// accountsPage lists the staff accounts and takes a new one.
func (s *Server) accountsPage(w http.ResponseWriter, r *http.Request) {
	p, err := s.accountsData(r, nil)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	// The notice is chosen here, never taken from the address.
	switch r.URL.Query().Get("done") {
	case "disabled":
		p.Notice = "账号已停用，其登录已立即失效。"
	case "enabled":
		p.Notice = "账号已启用。"
	}
	s.render(w, r, "admin_accounts", p)
}

type issuedPasswordData struct {
	chrome
	casework.IssuedPassword
	Created bool // a new account; otherwise a reset
	Unit    string
}

func (s *Server) createAccount(w http.ResponseWriter, r *http.Request) {
	f := newForm(r, "login", "name", "role", "authority", "institution")
	issued, err := s.cases.CreateAccount(r.Context(), s.actor(r), casework.NewAccount{Login: f.Get("login"), Name: f.Get("name"), Role: f.Get("role"),
		AuthorityCode: f.Get("authority"), Institution: f.Get("institution")})
	if err != nil {
		if statusOf(err) == http.StatusInternalServerError {
			s.serverError(w, r, err)
			return
		}
		p, perr := s.accountsData(r, f)
		if perr != nil {
			s.serverError(w, r, perr)
			return
		}
		p.Errors = fieldErrorsOf(err, accountLabels)
		p.Form.Errors = p.Errors
		s.renderStatus(w, r, statusOf(err), "admin_accounts", p)
		return
	}
	// Shown once, in this answer only (never in an address, never stored
	// in the clear): the admin hands it to its holder.
	s.render(w, r, "admin_account_password", &issuedPasswordData{IssuedPassword: issued, Created: true})
}

func accountID(r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	return id, err == nil && id > 0
}

// back is the list the admin acted from (its filter kept), with done.
func accountsBack(r *http.Request, done string) string {
	v := url.Values{}
	for _, k := range []string{"role", "authority", "institution"} {
		if x := strings.TrimSpace(r.PostFormValue(k)); x != "" {
			v.Set(k, x)
		}
	}
	if done != "" {
		v.Set("done", done)
	}
	return "/admin/accounts?" + v.Encode()
}

func (s *Server) accountStatus(disable bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, ok := accountID(r)
		if !ok {
			s.notFound(w, r)
			return
		}
		if _, err := s.cases.SetAccountDisabled(r.Context(), s.actor(r), id, disable); err != nil {
			s.refuseOnList(w, r, err)
			return
		}
		done := "enabled"
		if disable {
			done = "disabled"
		}
		http.Redirect(w, r, accountsBack(r, done), http.StatusSeeOther)
	}
}

// refuseOnList shows the list again with the refusal above it.
func (s *Server) refuseOnList(w http.ResponseWriter, r *http.Request, err error) {
	if statusOf(err) == http.StatusInternalServerError {
		s.serverError(w, r, err)
		return
	}
	p, perr := s.accountsData(r, nil)
	if perr != nil {
		s.serverError(w, r, perr)
		return
	}
	p.Refusal = casework.ErrorMessage(err)
	s.renderStatus(w, r, statusOf(err), "admin_accounts", p)
}

func (s *Server) resetAccountPassword(w http.ResponseWriter, r *http.Request) {
	id, ok := accountID(r)
	if !ok {
		s.notFound(w, r)
		return
	}
	issued, err := s.cases.ResetAccountPassword(r.Context(), s.actor(r), id)
	if err != nil {
		s.refuseOnList(w, r, err)
		return
	}
	s.render(w, r, "admin_account_password", &issuedPasswordData{IssuedPassword: issued})
}

type passwordPageData struct {
	chrome
	Form   *form
	Forced bool // the password is one an admin gave
	Next   string
	Done   bool
	Home   string // the workbench of the account's role
}

// passwordPage is 修改密码; after an admin's reset it is the only page the
// account reaches until the password is changed (requirePasswordChange).
func (s *Server) passwordPage(w http.ResponseWriter, r *http.Request) {
	v := viewerFrom(r.Context())
	if v == nil {
		http.Redirect(w, r, "/login?next=/account/password", http.StatusSeeOther)
		return
	}
	s.render(w, r, "account_password", &passwordPageData{Form: &form{Values: map[string]string{}}, Forced: v.User.MustChangePassword,
		Next: safeNext(r.URL.Query().Get("next")), Done: r.URL.Query().Get("done") == "1", Home: s.landing(v.User, "/")})
}

func (s *Server) changePassword(w http.ResponseWriter, r *http.Request) {
	v := viewerFrom(r.Context())
	if v == nil {
		http.Redirect(w, r, "/login?next=/account/password", http.StatusSeeOther)
		return
	}
	f := &form{Values: map[string]string{}}
	p := &passwordPageData{Form: f, Forced: v.User.MustChangePassword, Next: safeNext(r.PostFormValue("next"))}
	err := s.cases.ChangeOwnPassword(r.Context(), s.actor(r), casework.PasswordChange{Current: r.PostFormValue("current"),
		New: r.PostFormValue("new"), New2: r.PostFormValue("new2"), Session: v.tokenHash})
	if err != nil {
		s.failForm(w, r, f, err, "account_password", p)
		return
	}
	if p.Next != "/" {
		http.Redirect(w, r, p.Next, http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, "/account/password?done=1", http.StatusSeeOther)
}

// requirePasswordChange keeps an account whose password an admin set on
// 修改密码 until its holder chooses their own: the one-time password was
// seen by the admin, so nothing is done under it. Logging out, the
// session's keep-alive and static files stay open.
func (s *Server) requirePasswordChange(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v := viewerFrom(r.Context())
		if v == nil || !v.User.MustChangePassword {
			next.ServeHTTP(w, r)
			return
		}
		switch p := r.URL.Path; {
		case p == "/account/password", p == "/logout", p == "/session/extend", p == "/healthz", strings.HasPrefix(p, "/static/"):
			next.ServeHTTP(w, r)
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			s.renderStatus(w, r, http.StatusForbidden, "error", &errorPage{Title: "请先修改密码",
				Message: "您的密码是管理员设置的临时密码。为保护账号安全，请先在“修改密码”页面设置您自己的密码，再办理其他事项。"})
			return
		}
		http.Redirect(w, r, "/account/password?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
	})
}

type accountHistoryData struct {
	chrome
	casework.AccountHistory
}

// accountHistory shows who created, disabled, enabled or reset an account,
// and when.
func (s *Server) accountHistory(w http.ResponseWriter, r *http.Request) {
	id, ok := accountID(r)
	if !ok {
		s.notFound(w, r)
		return
	}
	h, err := s.cases.AccountHistory(r.Context(), s.actor(r), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, "admin_account", &accountHistoryData{AccountHistory: h})
}
