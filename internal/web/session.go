package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"opcert/internal/application"
	"opcert/internal/auth"
)

const sessionCookie = "opcert_session"

// viewer is the logged-in person behind a request.
type viewer struct {
	User      auth.User
	Session   auth.Session
	tokenHash string
}

type viewerKey struct{}

func viewerFrom(ctx context.Context) *viewer {
	v, _ := ctx.Value(viewerKey{}).(*viewer)
	return v
}

// chrome is what every page's layout needs besides the page's own data.
type chrome struct {
	Viewer      *viewer
	Demo        bool
	Path        string // current path and query, for "log in and come back"
	SessionEnds int64  // Unix milliseconds, for the timeout warning script
	WarnBefore  int64  // milliseconds
	// AwaitedYears, shown to officers and admins, are the years whose
	// holiday notice the calendar still lacks (workday.AwaitedYears).
	AwaitedYears []int
	// Policy is the policy in force today, for the pages that state its
	// periods and marks (暂存 days, 受理 and decision periods, pass marks).
	Policy application.Policy
}

// AwaitedNote names the awaited years for the banner: "2027年".
func (c chrome) AwaitedNote() string {
	var parts []string
	for _, y := range c.AwaitedYears {
		parts = append(parts, strconv.Itoa(y)+"年")
	}
	return strings.Join(parts, "、")
}

func (c *chrome) setChrome(x chrome) { *c = x }

func (s *Server) chromeFor(r *http.Request) chrome {
	c := chrome{Viewer: viewerFrom(r.Context()), Demo: s.demo, Path: r.URL.RequestURI(), WarnBefore: auth.WarnBefore.Milliseconds(),
		Policy: s.cases.PolicyNow(r.Context())}
	if c.Viewer != nil {
		c.SessionEnds = c.Viewer.Session.EndsAt().UnixMilli()
		if role := c.Viewer.User.Role; role == auth.RoleOfficer || role == auth.RoleAdmin {
			years, err := s.cases.AwaitedYears(r.Context())
			if err != nil {
				s.log.Error("calendar banner", "err", err)
			}
			c.AwaitedYears = years
		}
	}
	return c
}

// withViewer loads the session named by the cookie. Background polls
// (X-Opcert-Poll) do not count as activity, so an abandoned page does not
// keep its session alive.
func (s *Server) withViewer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie(sessionCookie)
		if err != nil || c.Value == "" || strings.HasPrefix(r.URL.Path, "/static/") {
			next.ServeHTTP(w, r)
			return
		}
		hash := auth.HashToken(c.Value)
		sess, u, ok, err := s.cases.Session(r.Context(), hash, r.Header.Get("X-Opcert-Poll") == "")
		switch {
		case err != nil:
			s.serverError(w, r, err)
			return
		case !ok:
			s.clearSessionCookie(w, r)
		default:
			r = r.WithContext(context.WithValue(r.Context(), viewerKey{}, &viewer{User: u, Session: sess, tokenHash: hash}))
		}
		next.ServeHTTP(w, r)
	})
}

// startSession logs the browser in as u, replacing any earlier session
// cookie (a fresh token at login prevents session fixation).
func (s *Server) startSession(w http.ResponseWriter, r *http.Request, u auth.User) error {
	old := ""
	if v := viewerFrom(r.Context()); v != nil {
		old = v.tokenHash
	}
	raw, err := s.cases.StartSession(r.Context(), u, old)
	if err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: raw, Path: "/", HttpOnly: true, Secure: s.secureFor(r),
		SameSite: http.SameSiteLaxMode, Expires: time.Now().Add(auth.AbsoluteTimeout),
	})
	return nil
}

func (s *Server) clearSessionCookie(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: s.secureFor(r), SameSite: http.SameSiteLaxMode})
}

// requireRole wraps a handler for pages only some accounts may see. A
// visitor who is not logged in is sent to the login page and brought back
// to the same place afterwards (seed 000 1.2: 点击"立即办理"后…跳转出注册/登录页面).
func (s *Server) requireRole(role auth.Role, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		v := viewerFrom(r.Context())
		if v == nil {
			next := r.URL.RequestURI()
			if r.Method != http.MethodGet {
				next = r.Referer()
				if u, err := url.Parse(next); err == nil {
					next = u.RequestURI()
				}
			}
			http.Redirect(w, r, "/login?next="+url.QueryEscape(next), http.StatusSeeOther)
			return
		}
		if v.User.Role != role {
			s.renderStatus(w, r, http.StatusForbidden, "error", &errorPage{Title: "无权访问", Message: "当前登录的账号不能使用此功能。请退出后使用相应的账号登录。"})
			return
		}
		h(w, r)
	}
}

// safeNext keeps "come back to where you were" on this site only.
//
// Only a path of this service is accepted: it is parsed, and anything that
// a browser could read as another host is refused — a scheme or host, "//"
// or a backslash anywhere in the path (browsers turn "\" into "/"), and any
// control character (browsers drop tabs and newlines, so "/\t/evil.example"
// becomes "//evil.example").
func safeNext(next string) string {
	if next == "" || next[0] != '/' || strings.ContainsAny(next, "\\") {
		return "/"
	}
	for _, c := range next {
		if c < 0x20 || c == 0x7f {
			return "/"
		}
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || strings.HasPrefix(u.Path, "//") || strings.HasPrefix(next, "//") {
		return "/"
	}
	return u.RequestURI()
}

// clientIP is the address the limits and the audit log know a visitor by.
func (s *Server) clientIP(r *http.Request) string { return s.proxies.client(r) }

// secureFor: cookies go over HTTPS only when the service is reached by
// HTTPS, either as configured (OPCERT_BASE_URL https://…) or on this
// request. Plain http is for localhost demos.
func (s *Server) secureFor(r *http.Request) bool { return s.secure || r.TLS != nil }
