package web

import (
	"encoding/json"
	"net/http"

	"opcert/internal/casework"
)

// The certificate's QR code opens /v/{token}: whether the certificate is
// genuine, and each printed line's standing today. The keys that sign the
// codes are published for checking offline.
func (s *Server) verifyRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /v/{token}", s.certificateCheck)
	mux.HandleFunc("GET /.well-known/opcert-keys.json", s.signingKeys)
}

type checkPage struct {
	chrome
	casework.CertificateCheck
}

// LineClass is the tag colour of a checked line.
func (p *checkPage) LineClass(l casework.CheckedLine) string {
	if !l.Known {
		return "off"
	}
	return standingClass(l.Standing)
}

func (s *Server) certificateCheck(w http.ResponseWriter, r *http.Request) {
	check, err := s.cases.CheckCertificate(r.Context(), r.PathValue("token"))
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	w.Header().Set("X-Robots-Tag", "noindex")
	status := http.StatusOK
	if check.Refused != nil {
		status = http.StatusUnprocessableEntity
	}
	s.renderStatus(w, r, status, "certificate_check", &checkPage{CertificateCheck: check})
}

func (s *Server) signingKeys(w http.ResponseWriter, r *http.Request) {
	set, err := s.cases.PublishedKeys(r.Context())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=300")
	w.Header().Set("Access-Control-Allow-Origin", "*")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(set)
}
