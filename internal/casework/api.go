package casework

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"log/slog"
	"opcert/internal/application"
	"strings"
	"time"

	"opcert/internal/audit"
	"opcert/internal/auth"
	"opcert/internal/idcheck"
	"opcert/internal/store"
)

// The open API answers anonymous callers within the public per-client
// limit of the 证书查询 (auth.QueriesPerClient, shared with the page), and
// holders of a key issued by an admin within the key's own limit, counted
// in the database so every instance counts the same key.

// APICaller is who calls the open API: a key's holder, or anonymous
// (KeyID 0) from Client.
type APICaller struct {
	KeyID   int64
	KeyName string
	Client  string
}

// APIKeyPrefix starts every secret, so a key pasted in the wrong place is
// recognisable (and found by secret scanners).
const APIKeyPrefix = "opk_"

// MaxAPIKeyPerMinute bounds the limit an admin may give a key: the service
// is sized for public verification, not bulk export.
const MaxAPIKeyPerMinute = 6000

// hashAPISecret is what the database keeps of a secret. A plain SHA-256
// suffices: the secret is 256 random bits, not a password to guess.
func hashAPISecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// Refusals of a key, the same for an unknown and a revoked one's caller
// apart from the message.
var (
	errUnknownKey = &Error{Code: Unauthorized, Message: "API密钥无效"}
	errRevokedKey = &Error{Code: Unauthorized, Message: "API密钥已被撤销"}
)

// AdmitAPICall decides whether a call of the open API is served: with a
// secret, the key must exist and not be revoked, and its calls this minute
// must be within its limit; without one, the client's calls within the
// public limit. A refusal over a limit says when to retry.
func (s *Service) AdmitAPICall(ctx context.Context, secret, client string) (APICaller, error) {
	caller := APICaller{Client: client}
	if secret == "" {
		if !s.queries.Allow(client, s.store.Now()) {
			return caller, &Error{Code: TooMany, Message: "查询过于频繁，请1分钟后再试；需要更多查询的单位可向管理员申请API密钥", RetryAfter: auth.QueriesPerClient.Window}
		}
		return caller, nil
	}
	if !strings.HasPrefix(secret, APIKeyPrefix) {
		return caller, errUnknownKey
	}
	k, err := s.store.APIKeyBySecretHash(ctx, hashAPISecret(secret))
	switch {
	case errors.Is(err, store.ErrNotFound):
		return caller, errUnknownKey
	case err != nil:
		return caller, err
	case k.Revoked():
		return caller, errRevokedKey
	}
	caller.KeyID, caller.KeyName = k.ID, k.Name
	calls, next, err := s.store.CountAPIKeyCall(ctx, k.ID, k.PerMinute)
	if err != nil {
		return caller, err
	}
	if calls > k.PerMinute {
		wait := next.Sub(s.store.Now())
		if wait < time.Second {
			wait = time.Second
		}
		return caller, &Error{Code: TooMany, Message: "该API密钥本分钟的调用次数已达上限，请稍后再试", RetryAfter: wait}
	}
	return caller, nil
}

// APIKeyIssue is an admin's request for a new key.
type APIKeyIssue struct {
	Name      string
	PerMinute string // as typed
}

// IssuedAPIKey is a new key with its secret, which is shown this once.
type IssuedAPIKey struct {
	store.APIKey
	Secret string
}

// IssueAPIKey makes a key for a named holder with its per-minute limit;
// the audit says who issued which key to whom, never the secret.
func (s *Service) IssueAPIKey(ctx context.Context, who Actor, req APIKeyIssue) (IssuedAPIKey, error) {
	if who.Role != auth.RoleAdmin {
		return IssuedAPIKey{}, Errorf(Forbidden, "只有管理员可以管理API密钥")
	}
	name := strings.TrimSpace(req.Name)
	var refused []*Error
	switch n := len([]rune(name)); {
	case n == 0:
		refused = append(refused, &Error{Code: Invalid, Field: "name", Label: "使用单位", Message: "请填写使用单位或用途"})
	case n > 100:
		refused = append(refused, &Error{Code: Invalid, Field: "name", Label: "使用单位", Message: "使用单位不能超过100个字"})
	}
	perMinute, ok := parseCount(req.PerMinute)
	if !ok || perMinute < 1 || perMinute > MaxAPIKeyPerMinute {
		refused = append(refused, &Error{Code: Invalid, Field: "per_minute", Label: "每分钟调用上限", Message: "请填写1至6000之间的整数"})
	}
	if len(refused) > 0 {
		return IssuedAPIKey{}, Errors(refused)
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return IssuedAPIKey{}, err
	}
	secret := APIKeyPrefix + base64.RawURLEncoding.EncodeToString(raw)
	after, _ := json.Marshal(map[string]any{"name": name, "per_minute": perMinute})
	entry := audit.Entry{ActorID: who.UserID, ActorRole: string(who.Role), IP: who.IP, Action: "issue_api_key", After: string(after)}
	k, err := s.store.IssueAPIKey(ctx, store.APIKey{Name: name, Prefix: secret[:len(APIKeyPrefix)+6], PerMinute: perMinute}, hashAPISecret(secret), who.UserID, entry)
	if err != nil {
		return IssuedAPIKey{}, err
	}
	s.log.Info("api key issued", "key", k.ID, "by", who.UserID)
	return IssuedAPIKey{APIKey: k, Secret: secret}, nil
}

// parseCount reads a positive decimal count as typed (full-width digits
// too, as a Chinese input method may give them).
func parseCount(s string) (int, bool) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 24 {
		return 0, false
	}
	n := 0
	digits := 0
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			n = n*10 + int(r-'0')
		case r >= '０' && r <= '９':
			n = n*10 + int(r-'０')
		default:
			return 0, false
		}
		if digits++; digits > 7 {
			return 0, false
		}
	}
	return n, true
}

// RevokeAPIKey ends a key at once on every instance: the next call with it
// is refused. Audited.
func (s *Service) RevokeAPIKey(ctx context.Context, who Actor, id int64) error {
	if who.Role != auth.RoleAdmin {
		return Errorf(Forbidden, "只有管理员可以管理API密钥")
	}
	entry := audit.Entry{ActorID: who.UserID, ActorRole: string(who.Role), IP: who.IP, Action: "revoke_api_key", Before: `{"revoked":false}`, After: `{"revoked":true}`}
	err := s.store.RevokeAPIKey(ctx, id, who.UserID, entry)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return Errorf(NotFound, "API密钥不存在")
	case errors.Is(err, store.ErrKeyRevoked):
		return Errorf(Conflict, "该API密钥已撤销")
	}
	if err == nil {
		s.log.Info("api key revoked", "key", id, "by", who.UserID)
	}
	return err
}

// APIKeys lists the keys with their usage, for the admin.
func (s *Service) APIKeys(ctx context.Context, who Actor) ([]store.APIKey, error) {
	if who.Role != auth.RoleAdmin {
		return nil, Errorf(Forbidden, "只有管理员可以管理API密钥")
	}
	return s.store.APIKeys(ctx)
}

// errNoSuchApplication is the one answer for a wrong 申请号, a wrong token
// and a token of another application: none tells which part was wrong.
var errNoSuchApplication = &Error{Code: NotFound, Message: "申请号或查询码不正确，未找到该申请"}

// ApplicationStatus is an application's progress by its 申请号 and the
// token of its notices' QR codes (the /p/ page's): both must belong to the
// same application, so a 申请号 alone, which is sequential and guessable,
// shows nothing. Logged with the 申请号, which is not personal.
func (s *Service) ApplicationStatus(ctx context.Context, caller APICaller, number, token string) (Loaded, []store.Event, error) {
	number, token = strings.TrimSpace(number), strings.TrimSpace(token)
	var refused []*Error
	if number == "" {
		refused = append(refused, &Error{Code: Invalid, Field: "number", Label: "申请号", Message: "请输入申请号"})
	}
	if token == "" {
		refused = append(refused, &Error{Code: Invalid, Field: "token", Label: "查询码", Message: "请输入查询码"})
	}
	if len(refused) > 0 {
		return Loaded{}, nil, Errors(refused)
	}
	c, events, err := s.Progress(ctx, token)
	found := err == nil && subtle.ConstantTimeCompare([]byte(c.Number), []byte(number)) == 1
	// A caller may type anything into 申请号, an ID number too: only the
	// shape of a 申请号 is logged as typed.
	logged := number
	if kind, _ := application.ClassifySearch(number); kind != application.SearchNumber {
		logged = idcheck.MaskNumber(number)
	}
	s.log.Info("application status query", "client", caller.Client, "key", caller.KeyID, "number", logged, "found", found)
	if ErrorCode(err) == NotFound || (err == nil && !found) {
		return Loaded{}, nil, errNoSuchApplication
	}
	if err != nil {
		return Loaded{}, nil, err
	}
	return c, events, nil
}

// CheckCertificateForAPI is CheckCertificate for an API caller, logged.
func (s *Service) CheckCertificateForAPI(ctx context.Context, caller APICaller, token string) (CertificateCheck, error) {
	check, err := s.CheckCertificate(ctx, token)
	if err == nil {
		s.log.LogAttrs(ctx, slog.LevelInfo, "certificate check", slog.String("client", caller.Client), slog.Int64("key", caller.KeyID), slog.String("via", "api"),
			slog.Bool("valid", check.Refused == nil), slog.String("certificate", maskedNumberOf(check)))
	}
	return check, err
}

func maskedNumberOf(c CertificateCheck) string {
	if c.Refused != nil {
		return ""
	}
	return idcheck.MaskNumber(c.Payload.Number)
}
