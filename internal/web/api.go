package web

import (
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strings"
	"time"

	"opcert/internal/application"
	"opcert/internal/casework"
	"opcert/internal/registry"
	"opcert/internal/verify"
)

// The open API (/api/v1/): JSON in and out, each refusal a stable code
// with a Chinese message. Personal data travels in request bodies, never
// in addresses, and answers carry it masked as the public query page does.
// openapi.json describes exactly what is served; a test checks real
// answers of every operation against it.
func (s *Server) apiRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /api/v1/openapi.json", s.apiDocument)
	mux.HandleFunc("POST /api/v1/certificates/query", s.apiCertificateQuery)
	mux.HandleFunc("POST /api/v1/certificates/verify", s.apiCertificateVerify)
	mux.HandleFunc("POST /api/v1/applications/status", s.apiApplicationStatus)
	mux.HandleFunc("/api/v1/", s.apiNotFound)
}

//go:embed openapi.json
var openAPIDocument []byte

func (s *Server) apiDocument(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=300")
	w.Write(openAPIDocument)
}

// apiError is the body of every refusal.
type apiError struct {
	Code    string          `json:"code"`
	Message string          `json:"message"`
	Fields  []apiFieldError `json:"fields,omitempty"`
	// Challenge is a captcha to answer in the next call (captcha_id), its
	// picture at ChallengeImage.
	Challenge      string `json:"challenge,omitempty"`
	ChallengeImage string `json:"challenge_image,omitempty"`
}

type apiFieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// apiCodes maps the service's refusals to the API's codes and statuses:
// the one place where they are decided. The codes are part of the API's
// contract (openapi.json lists them) and do not change within v1.
var apiCodes = map[casework.Code]struct {
	code   string
	status int
}{
	casework.Invalid:      {"invalid_input", http.StatusBadRequest},
	casework.Conflict:     {"conflict", http.StatusConflict},
	casework.Forbidden:    {"forbidden", http.StatusForbidden},
	casework.NotFound:     {"not_found", http.StatusNotFound},
	casework.TooMany:      {"rate_limited", http.StatusTooManyRequests},
	casework.Unavailable:  {"unavailable", http.StatusServiceUnavailable},
	casework.Gone:         {"gone", http.StatusGone},
	casework.Unauthorized: {"invalid_api_key", http.StatusUnauthorized},
}

// Codes of the API's own refusals, beside those of apiCodes.
const (
	apiInvalidJSON      = "invalid_json"      // 400: the body is not the JSON object the operation takes
	apiCaptchaRequired  = "captcha_required"  // 403: after misses, an anonymous caller answers a captcha
	apiInternal         = "internal_error"    // 500
	apiTokenMalformed   = "token_malformed"   // 422: not a token of this service
	apiKeyUnknown       = "key_unknown"       // 422: signed with a key not published
	apiSignatureInvalid = "signature_invalid" // 422: the content was changed
)

// apiFail answers err as the API's error body.
func (s *Server) apiFail(w http.ResponseWriter, r *http.Request, err error) {
	c, ok := apiCodes[casework.ErrorCode(err)]
	if !ok {
		s.log.Error("api request failed", "path", r.URL.Path, "err", err)
		s.apiJSON(w, http.StatusInternalServerError, apiError{Code: apiInternal, Message: "系统暂时无法处理该请求，请稍后再试"})
		return
	}
	body := apiError{Code: c.code, Message: casework.ErrorMessage(err)}
	for _, f := range casework.FieldErrors(err) {
		if f.Field != "" {
			body.Fields = append(body.Fields, apiFieldError{Field: apiFieldName(f.Field), Message: f.Message})
		}
	}
	if ch := casework.ChallengeOf(err); ch != "" {
		body.Code, body.Challenge, body.ChallengeImage = apiCaptchaRequired, ch, "/captcha/"+ch
		c.status = http.StatusForbidden
	}
	if wait := casework.RetryAfterOf(err); wait > 0 {
		w.Header().Set("Retry-After", fmt.Sprint(int(math.Ceil(wait.Seconds()))))
	}
	s.apiJSON(w, c.status, body)
}

// apiFieldName is a field as the API names it: the service names the
// page's inputs.
func apiFieldName(field string) string {
	switch field {
	case "id":
		return "id_number"
	case "certificate":
		return "certificate_number"
	case "captcha":
		return "captcha_answer"
	}
	return field
}

func (s *Server) apiJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	if w.Header().Get("Cache-Control") == "" {
		w.Header().Set("Cache-Control", "no-store")
	}
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		s.log.Error("api answer", "err", err)
	}
}

// apiPostOnly are the operations that take a POST: the personal data they
// are asked about goes in the body, never in an address that logs keep.
var apiPostOnly = map[string]bool{"/api/v1/certificates/query": true, "/api/v1/certificates/verify": true, "/api/v1/applications/status": true}

func (s *Server) apiNotFound(w http.ResponseWriter, r *http.Request) {
	if apiPostOnly[r.URL.Path] {
		w.Header().Set("Allow", "POST")
		s.apiJSON(w, http.StatusMethodNotAllowed, apiError{Code: "method_not_allowed", Message: "该接口只接受POST请求，查询内容放在JSON请求体中"})
		return
	}
	s.apiJSON(w, http.StatusNotFound, apiError{Code: "not_found", Message: "接口不存在，请查看 /api/v1/openapi.json"})
}

// apiAdmit applies the caller's limit (its key's, or the public one) and
// reads the body into v; false when it has answered already.
func (s *Server) apiAdmit(w http.ResponseWriter, r *http.Request, v any) (casework.APICaller, bool) {
	secret, ok := apiSecret(r)
	if !ok {
		s.apiJSON(w, http.StatusUnauthorized, apiError{Code: "invalid_api_key", Message: "Authorization 请求头应为 Bearer 加API密钥"})
		return casework.APICaller{}, false
	}
	caller, err := s.cases.AdmitAPICall(r.Context(), secret, s.clientIP(r))
	if err != nil {
		s.apiFail(w, r, err)
		return caller, false
	}
	// The body is in memory already (limitBodies).
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil || dec.More() {
		msg := "请求内容应为JSON对象"
		if field, ok := strings.CutPrefix(fmt.Sprint(err), "json: unknown field "); ok {
			msg = "请求中有不认识的字段：" + field
		}
		s.apiJSON(w, http.StatusBadRequest, apiError{Code: apiInvalidJSON, Message: msg})
		return caller, false
	}
	return caller, true
}

// apiSecret is the key in "Authorization: Bearer …", "" for an anonymous
// call; false for an Authorization header of another form.
func apiSecret(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return "", true
	}
	scheme, secret, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(secret) == "" {
		return "", false
	}
	return strings.TrimSpace(secret), true
}

type apiCertificateQuestion struct {
	Name              string `json:"name"`
	IDNumber          string `json:"id_number"`
	CertificateNumber string `json:"certificate_number"`
	CaptchaID         string `json:"captcha_id"`
	CaptchaAnswer     string `json:"captcha_answer"`
}

type apiHolder struct {
	Name     string `json:"name"`      // masked as the page shows it
	IDNumber string `json:"id_number"` // masked
}

type apiItem struct {
	CertificateNumber string `json:"certificate_number"` // masked: normally the 证件号码
	Code              string `json:"code"`
	Name              string `json:"name"`
	Category          string `json:"category"`
	IssuedBy          string `json:"issued_by"`
	ApprovedOn        string `json:"approved_on"`
	ValidUntil        string `json:"valid_until"`
	Status            string `json:"status"`
	StatusLabel       string `json:"status_label"`
}

type apiCertificates struct {
	Holder apiHolder `json:"holder"`
	Items  []apiItem `json:"items"`
	// NumberDiffers: a certificate's number is not the holder's 证件号码
	// (an old record, a changed ID), as the page points out.
	NumberDiffers bool `json:"number_differs"`
}

// standingCodes are the API's words for an item's standing, one for each
// label registry.Item.StandingOn gives.
var standingCodes = map[string]string{
	"有效":       "valid",
	"有效（即将到期）": "expiring",
	"已过期":      "expired",
	"已换发":      "superseded",
	"已注销":      "cancelled",
	"已撤销":      "revoked",
}

func standingCode(st registry.Standing) string {
	if c, ok := standingCodes[st.Label]; ok {
		return c
	}
	return "unknown"
}

func (s *Server) apiCertificateQuery(w http.ResponseWriter, r *http.Request) {
	var q apiCertificateQuestion
	caller, ok := s.apiAdmit(w, r, &q)
	if !ok {
		return
	}
	a, err := s.cases.CertificateQuery(r.Context(), casework.CertificateQuestion{Name: q.Name, IDNumber: q.IDNumber, CertificateNumber: q.CertificateNumber,
		Client: caller.Client, CaptchaID: q.CaptchaID, CaptchaAnswer: q.CaptchaAnswer, API: &caller})
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	if !a.Found {
		body := apiError{Code: "not_found", Message: "未查询到与该姓名和证件号码（证书编号）相符的证书信息"}
		if a.Challenge != "" {
			body.Challenge, body.ChallengeImage = a.Challenge, "/captcha/"+a.Challenge
		}
		s.apiJSON(w, http.StatusNotFound, body)
		return
	}
	out := apiCertificates{Holder: apiHolder{Name: maskName(a.Holding.Holder.Name), IDNumber: maskID(a.Holding.Holder.IDNumber)},
		Items: []apiItem{}, NumberDiffers: a.Holding.NumberDiffers()}
	today := s.today()
	for _, c := range a.Holding.Certificates {
		for _, it := range c.Items {
			code, name, category, _ := s.catalog.Describe(it.Ref)
			if it.WeldCode != "" {
				code = it.WeldCode
			}
			st := it.StandingOn(today)
			out.Items = append(out.Items, apiItem{CertificateNumber: maskID(c.Number), Code: code, Name: name, Category: category, IssuedBy: it.IssuedBy,
				ApprovedOn: it.ApprovedOn.String(), ValidUntil: it.ValidUntil.String(), Status: standingCode(st), StatusLabel: st.Label})
		}
	}
	s.apiJSON(w, http.StatusOK, out)
}

type apiVerifyQuestion struct {
	Token string `json:"token"`
}

type apiCheck struct {
	KeyID             string         `json:"key_id"`
	CertificateNumber string         `json:"certificate_number"` // masked
	HolderName        string         `json:"holder_name"`        // masked, as signed
	Issuer            string         `json:"issuer"`
	IssuedOn          string         `json:"issued_on"`
	Items             []apiCheckLine `json:"items"`
}

type apiCheckLine struct {
	Code        string `json:"code"`
	Name        string `json:"name"`
	ValidUntil  string `json:"valid_until"`
	Status      string `json:"status"`
	StatusLabel string `json:"status_label"`
}

// apiCertificateVerify checks a certificate's QR token with the published
// keys, then says how each printed line stands today: a line revoked or
// renewed since printing is shown so, whatever the paper says.
func (s *Server) apiCertificateVerify(w http.ResponseWriter, r *http.Request) {
	var q apiVerifyQuestion
	caller, ok := s.apiAdmit(w, r, &q)
	if !ok {
		return
	}
	token := strings.TrimSpace(q.Token)
	if token == "" {
		s.apiFail(w, r, &casework.Error{Code: casework.Invalid, Field: "token", Message: "请提供证书二维码的内容"})
		return
	}
	// A QR code read as the whole address it opens.
	if i := strings.LastIndex(token, "/v/"); i >= 0 {
		token = token[i+len("/v/"):]
	}
	check, err := s.cases.CheckCertificateForAPI(r.Context(), caller, token)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	if check.Refused != nil {
		code := apiTokenMalformed
		switch {
		case errors.Is(check.Refused, verify.ErrUnknownKey):
			code = apiKeyUnknown
		case errors.Is(check.Refused, verify.ErrSignature):
			code = apiSignatureInvalid
		}
		s.apiJSON(w, http.StatusUnprocessableEntity, apiError{Code: code, Message: check.Refused.Error()})
		return
	}
	p := check.Payload
	out := apiCheck{KeyID: p.KeyID, CertificateNumber: maskID(p.Number), HolderName: p.Name, Issuer: p.Issuer, IssuedOn: p.Issued, Items: []apiCheckLine{}}
	for _, l := range check.Lines {
		line := apiCheckLine{Code: l.Code, Name: l.Name, ValidUntil: l.Until, Status: "unknown", StatusLabel: l.Standing.Label}
		if l.Known {
			line.Status = standingCode(l.Standing)
		}
		out.Items = append(out.Items, line)
	}
	s.apiJSON(w, http.StatusOK, out)
}

type apiStatusQuestion struct {
	Number string `json:"number"`
	Token  string `json:"token"`
}

type apiApplication struct {
	Number        string     `json:"number"`
	Matter        string     `json:"matter"`
	MatterLabel   string     `json:"matter_label"`
	Status        string     `json:"status"`
	StatusLabel   string     `json:"status_label"`
	ApplicantName string     `json:"applicant_name"` // masked
	Authority     string     `json:"authority"`
	Deadline      string     `json:"deadline,omitempty"`
	Events        []apiEvent `json:"events"`
}

type apiEvent struct {
	At          string `json:"at"` // RFC 3339, China time
	Status      string `json:"status"`
	StatusLabel string `json:"status_label"`
}

// apiApplicationStatus is the progress page's content, by 申请号 and the
// token of the notices' QR codes.
func (s *Server) apiApplicationStatus(w http.ResponseWriter, r *http.Request) {
	var q apiStatusQuestion
	caller, ok := s.apiAdmit(w, r, &q)
	if !ok {
		return
	}
	c, events, err := s.cases.ApplicationStatus(r.Context(), caller, q.Number, q.Token)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	a := c.Application
	out := apiApplication{Number: a.Number, Matter: string(a.Matter), MatterLabel: application.Matter(a.Matter).Label(),
		Status: string(a.Status), StatusLabel: application.Status(a.Status).Label(), ApplicantName: maskName(c.Form.Applicant.Name),
		Deadline: deadlineSentence(a), Events: []apiEvent{}}
	if au, ok := s.catalog.District(a.AuthorityCode); ok {
		out.Authority = au.Name + "市场监督管理局"
	}
	for _, e := range events {
		if e.Action == "create" {
			continue
		}
		ev := apiEvent{At: e.At.In(chinaTime()).Format(time.RFC3339), Status: e.To, StatusLabel: application.Status(e.To).Label()}
		if e.Action == "recompute_deadline" {
			ev.StatusLabel = "期限确定（导入节假日安排）"
		}
		out.Events = append(out.Events, ev)
	}
	s.apiJSON(w, http.StatusOK, out)
}
