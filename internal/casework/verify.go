package casework

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"sync"

	"opcert/internal/audit"
	"opcert/internal/auth"

	"opcert/internal/application"
	"opcert/internal/registry"
	"opcert/internal/store"
	"opcert/internal/verify"
)

// signCertificate signs a certificate's QR content with the current key.
func (s *Service) signCertificate(ctx context.Context, p verify.Payload) (string, error) {
	k, err := s.store.SigningKey(ctx, s.signing)
	if err != nil {
		return "", err
	}
	return verify.Sign(k, p)
}

// CertificateCheck is the answer to a scanned certificate QR code.
type CertificateCheck struct {
	// Refused says why the code cannot be trusted (altered, not ours);
	// nil when the signature holds.
	Refused error
	Payload verify.Payload
	// Lines are the certificate's lines as printed, each with its standing
	// today from the registry: a line revoked or renewed since printing is
	// shown as such, whatever the paper says.
	Lines []CheckedLine
	// Sittings are a 准考证's seats as printed, each compared with the
	// candidate's seats now.
	Sittings []CheckedSitting
}

// Admission reports a 准考证's code.
func (c CertificateCheck) Admission() bool { return c.Payload.Kind == verify.KindAdmission }

// CheckedSitting is one printed seat and whether it is still the
// candidate's.
type CheckedSitting struct {
	verify.Sitting
	Current bool
	Label   string // 有效, 已调整…
}

// CheckedLine is one printed line and where it stands today.
type CheckedLine struct {
	verify.Item
	Standing registry.Standing
	Known    bool // the registry still has the line
}

// CheckCertificate verifies a certificate's QR token against every key the
// service has published, then looks up each printed line's standing today.
func (s *Service) CheckCertificate(ctx context.Context, token string) (CertificateCheck, error) {
	p, err := s.openToken(ctx, token)
	if err != nil {
		return CertificateCheck{Refused: err}, nil
	}
	out := CertificateCheck{Payload: p}
	if p.Kind == verify.KindAdmission {
		return s.checkAdmission(ctx, out)
	}
	h, err := s.store.HoldingByIDNumber(ctx, p.Number)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return out, err
	}
	today := s.today()
	for _, printed := range p.Items {
		line := CheckedLine{Item: printed, Standing: registry.Standing{Label: "无此项目记录"}}
		for _, c := range h.Certificates {
			if c.Number != p.Number {
				continue
			}
			for _, it := range c.Items {
				l := application.LineOnCertificate(it, s.catalog)
				if l.Code == printed.Code && l.Name == printed.Name && it.ValidUntil.String() == printed.Until {
					line.Standing, line.Known = it.StandingOn(today), true
				}
			}
		}
		out.Lines = append(out.Lines, line)
	}
	return out, nil
}

// checkAdmission compares a 准考证's printed seats with the candidate's
// seats now: a seat moved since printing is 已调整 (the SMS of the move
// asks for the new ticket), and once the exam stage is over (scores
// recorded, application decided or withdrawn) the ticket admits no one.
func (s *Service) checkAdmission(ctx context.Context, out CertificateCheck) (CertificateCheck, error) {
	number, ok := strings.CutPrefix(out.Payload.Number, admissionPrefix)
	if weld, isWeld := strings.CutPrefix(number, "HK"); ok && isWeld {
		return s.checkWeldAdmission(ctx, out, weld)
	}
	var apps []store.Application
	if ok {
		var err error
		if apps, _, err = s.store.Queue(ctx, store.QueueFilter{Number: number, Size: 1}); err != nil {
			return out, err
		}
	}
	var now []ApplicantPlace
	over := len(apps) == 0 || apps[0].Status != application.StatusExamining
	if !over {
		var err error
		if now, err = s.placesNow(ctx, apps[0].ID); err != nil {
			return out, err
		}
	}
	for _, printed := range out.Payload.Sittings {
		line := CheckedSitting{Sitting: printed, Label: "已调整（请以考生最新打印的准考证为准）"}
		switch {
		case over:
			line.Label = "已失效（本次考试已结束或申请已办结）"
		default:
			for _, p := range now {
				if p.Seat > 0 && p.Subject == printed.Subject && p.When == printed.When && p.Venue == printed.Venue && strconv.Itoa(p.Seat) == printed.Seat {
					line.Current, line.Label = true, "有效"
				}
			}
		}
		out.Sittings = append(out.Sittings, line)
	}
	return out, nil
}

// checkWeldAdmission compares a welder's 准考证 with the registration's
// seats now; once its scores are recorded the ticket admits no one.
func (s *Service) checkWeldAdmission(ctx context.Context, out CertificateCheck, number string) (CertificateCheck, error) {
	id, err := strconv.ParseInt(number, 10, 64)
	var now []WeldPlace
	over := err != nil
	if !over {
		r, err := s.store.WeldRegistration(ctx, id)
		switch {
		case errors.Is(err, store.ErrNotFound):
			over = true
		case err != nil:
			return out, err
		case r.Scored():
			over = true
		default:
			seats, err := s.store.WeldSeatsOf(ctx, id)
			if err != nil {
				return out, err
			}
			now = weldPlaces(ctx, s, seats)
		}
	}
	for _, printed := range out.Payload.Sittings {
		line := CheckedSitting{Sitting: printed, Label: "已调整（请以考生最新打印的准考证为准）"}
		if over {
			line.Label = "已失效（本次考试已结束或申请已办结）"
		}
		for _, p := range now {
			if p.Subject == printed.Subject && p.When == printed.When && p.Venue == printed.Venue && strconv.Itoa(p.Seat) == printed.Seat {
				line.Current, line.Label = true, "有效"
			}
		}
		out.Sittings = append(out.Sittings, line)
	}
	return out, nil
}

// PublishedKeys is the key set of /.well-known/opcert-keys.json.
// The first key is made here if none signed yet, so a verifier can fetch
// the set before the first certificate is issued.
func (s *Service) PublishedKeys(ctx context.Context) (verify.KeySet, error) {
	if _, err := s.store.SigningKey(ctx, s.signing); err != nil {
		return verify.KeySet{}, err
	}
	keys, err := s.store.PublicSigningKeys(ctx)
	if err != nil {
		return verify.KeySet{}, err
	}
	set := verify.KeySet{Issuer: "上海市特种设备安全管理和作业人员资格认定", Keys: []verify.PublishedKey{}}
	for _, k := range keys {
		retired := ""
		if !k.RetiredAt.IsZero() {
			retired = k.RetiredAt.Format("2006-01-02")
		}
		published, err := verify.Publish(k.Public, k.CreatedAt.Format("2006-01-02"), retired)
		if err != nil {
			return verify.KeySet{}, err
		}
		set.Keys = append(set.Keys, published)
	}
	return set, nil
}

// publicKeyCache keeps the published keys between checks. A key, once
// published, keeps its public half for good (retiring it only stops it
// signing), so the cache is never stale for a key it has; a token of a key
// it lacks (one published since, on any instance) reloads it.
type publicKeyCache struct {
	mu   sync.Mutex
	keys map[string]verify.PublicKey
}

// openToken opens token with the published keys (verify.Open).
func (s *Service) openToken(ctx context.Context, token string) (verify.Payload, error) {
	c := &s.keys
	c.mu.Lock()
	keys := c.keys
	c.mu.Unlock()
	if keys != nil {
		p, err := verify.Open(token, keys)
		if !errors.Is(err, verify.ErrUnknownKey) {
			return p, err
		}
	}
	keys, err := s.publicKeys(ctx)
	if err != nil {
		return verify.Payload{}, err
	}
	c.mu.Lock()
	c.keys = keys
	c.mu.Unlock()
	return verify.Open(token, keys)
}

func (s *Service) publicKeys(ctx context.Context) (map[string]verify.PublicKey, error) {
	keys, err := s.store.PublicSigningKeys(ctx)
	if err != nil {
		return nil, err
	}
	out := map[string]verify.PublicKey{}
	for _, k := range keys {
		out[k.ID] = k.Public
	}
	return out, nil
}

// ItemEnding is an admin's decision to end a certificate item.
type ItemEnding struct {
	ItemID              int64
	Kind, Reason, Basis string
	Confirmed           bool // the admin ticked that the decision was taken and checked
}

// HoldingForAdmin is a person's registry record by 证件号码 (or certificate
// number), for an admin deciding on it.
func (s *Service) HoldingForAdmin(ctx context.Context, who Actor, number string) (registry.Holding, error) {
	if who.Role != auth.RoleAdmin {
		return registry.Holding{}, Errorf(Forbidden, "只有管理员可以查看")
	}
	number = strings.ToUpper(strings.TrimSpace(number))
	if number == "" {
		return registry.Holding{}, &Error{Code: Invalid, Field: "id", Label: "证件号码", Message: "请输入证件号码或证书编号"}
	}
	h, err := s.store.HoldingByIDNumber(ctx, number)
	if errors.Is(err, store.ErrNotFound) {
		return h, &Error{Code: NotFound, Field: "id", Label: "证件号码", Message: "未找到该证件号码或证书编号的持证记录"}
	}
	return h, err
}

// EndItem revokes (撤销) or cancels (注销) an item: an admin's decision with
// its reason and legal basis, audited; from that moment the public query
// and every certificate check show the item as ended.
func (s *Service) EndItem(ctx context.Context, who Actor, d ItemEnding) error {
	if who.Role != auth.RoleAdmin {
		return Errorf(Forbidden, "只有管理员可以撤销或注销证书项目")
	}
	e := registry.Ending{Kind: registry.EndingKind(d.Kind), Reason: strings.TrimSpace(d.Reason), Basis: strings.TrimSpace(d.Basis), On: s.today()}
	problems := registry.CheckEnding(e)
	if !d.Confirmed {
		problems["confirm"] = "请确认已依法作出该决定并核对无误"
	}
	if len(problems) > 0 {
		labels := map[string]string{"kind": "决定", "reason": "理由", "basis": "法律依据", "confirm": "确认"}
		var refused []*Error
		for _, f := range []string{"kind", "reason", "basis", "confirm"} {
			if msg, ok := problems[f]; ok {
				refused = append(refused, &Error{Code: Invalid, Field: f, Label: labels[f], Message: msg})
			}
		}
		return Errors(refused)
	}
	entry := audit.Entry{ActorID: who.UserID, ActorRole: string(who.Role), IP: who.IP, Action: "end_item_" + d.Kind}
	after, _ := json.Marshal(map[string]string{"status": string(registry.ItemRevoked), "kind": d.Kind, "reason": e.Reason, "basis": e.Basis})
	entry.After = string(after)
	err := s.store.EndItem(ctx, d.ItemID, e, who.UserID, entry)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return Errorf(NotFound, "证书项目不存在")
	case errors.Is(err, store.ErrItemNotInForce):
		return Errorf(Conflict, "%s", store.ErrItemNotInForce.Error())
	}
	if err == nil {
		s.log.Info("certificate item ended", "item", d.ItemID, "kind", d.Kind, "by", who.UserID)
	}
	return err
}

// CheckPathOf is the path a certificate's or 准考证's QR code opens (/v/…), "" for
// other documents and for certificates issued before they were signed.
func CheckPathOf(n store.Notice) string {
	var c noticeContent
	if (n.Kind != NoticeCertificate && n.Kind != NoticeAdmission) || json.Unmarshal(n.Data, &c) != nil || !strings.HasPrefix(c.QRPath, "/v/") {
		return ""
	}
	return c.QRPath
}
