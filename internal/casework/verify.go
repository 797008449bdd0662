package casework

import (
	"context"
	"crypto/ed25519"
	"errors"

	"opcert/internal/application"
	"opcert/internal/registry"
	"opcert/internal/store"
	"opcert/internal/verify"
)

// signCertificate signs a certificate's QR content with the current key.
func (s *Service) signCertificate(ctx context.Context, p verify.Payload) (string, error) {
	k, err := s.store.SigningKey(ctx)
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
	keys, err := s.publicKeys(ctx)
	if err != nil {
		return CertificateCheck{}, err
	}
	p, err := verify.Open(token, keys)
	if err != nil {
		return CertificateCheck{Refused: err}, nil
	}
	out := CertificateCheck{Payload: p}
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

// PublishedKeys is the key set of /.well-known/opcert-keys.json.
// The first key is made here if none signed yet, so a verifier can fetch
// the set before the first certificate is issued.
func (s *Service) PublishedKeys(ctx context.Context) (verify.KeySet, error) {
	if _, err := s.store.SigningKey(ctx); err != nil {
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
		set.Keys = append(set.Keys, verify.Publish(k.Public, k.CreatedAt.Format("2006-01-02"), retired))
	}
	return set, nil
}

func (s *Service) publicKeys(ctx context.Context) (map[string]ed25519.PublicKey, error) {
	keys, err := s.store.PublicSigningKeys(ctx)
	if err != nil {
		return nil, err
	}
	out := map[string]ed25519.PublicKey{}
	for _, k := range keys {
		out[k.ID] = k.Public
	}
	return out, nil
}
