package web

import (
	"net/http"
	"strconv"

	"opcert/internal/auth"
	"opcert/internal/casework"
	"opcert/internal/store"
)

// An admin issues keys of the open API to the units that verify
// certificates in bulk, each with its own per-minute limit, sees their
// usage and revokes them. The secret is shown once, on the page that
// issues it, and never again: only its hash is kept.
func (s *Server) adminAPIKeyRoutes(mux *http.ServeMux) {
	admin := func(h http.HandlerFunc) http.HandlerFunc { return s.requireRole(auth.RoleAdmin, h) }
	mux.HandleFunc("GET /admin/api-keys", admin(s.adminAPIKeys))
	mux.HandleFunc("POST /admin/api-keys", admin(s.issueAPIKey))
	mux.HandleFunc("POST /admin/api-keys/{key}/revoke", admin(s.revokeAPIKey))
}

type adminAPIKeysPage struct {
	chrome
	Keys   []store.APIKey
	Form   *form
	Issued *casework.IssuedAPIKey
	Notice string
}

func (s *Server) showAPIKeys(w http.ResponseWriter, r *http.Request, status int, p *adminAPIKeysPage) {
	keys, err := s.cases.APIKeys(r.Context(), s.actor(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.Keys = keys
	// The page may show a secret: no copy of it in any cache.
	w.Header().Set("Cache-Control", "no-store")
	s.renderStatus(w, r, status, "admin_api_keys", p)
}

func (s *Server) adminAPIKeys(w http.ResponseWriter, r *http.Request) {
	p := &adminAPIKeysPage{Form: &form{Values: map[string]string{"per_minute": "60"}}}
	// The notice is chosen here, never taken from the address.
	if r.URL.Query().Get("done") == "revoked" {
		p.Notice = "已撤销该API密钥，使用该密钥的调用立即被拒绝。"
	}
	s.showAPIKeys(w, r, http.StatusOK, p)
}

func (s *Server) issueAPIKey(w http.ResponseWriter, r *http.Request) {
	f := newForm(r, "name", "per_minute")
	p := &adminAPIKeysPage{Form: f}
	k, err := s.cases.IssueAPIKey(r.Context(), s.actor(r), casework.APIKeyIssue{Name: f.Get("name"), PerMinute: f.Get("per_minute")})
	if err != nil {
		if statusOf(err) == http.StatusInternalServerError {
			s.serverError(w, r, err)
			return
		}
		f.Errors = fieldErrorsOf(err, nil)
		s.showAPIKeys(w, r, statusOf(err), p)
		return
	}
	// Shown here, in the answer to the POST, rather than after a redirect:
	// the secret goes into no address and no later page.
	p.Issued, p.Form = &k, &form{Values: map[string]string{"per_minute": "60"}}
	s.showAPIKeys(w, r, http.StatusOK, p)
}

func (s *Server) revokeAPIKey(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("key"), 10, 64)
	if err != nil {
		s.notFound(w, r)
		return
	}
	if err := s.cases.RevokeAPIKey(r.Context(), s.actor(r), id); err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin/api-keys?done=revoked", http.StatusSeeOther)
}
