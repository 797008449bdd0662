// Package elicence fetches electronic licences (电子证照) of an applicant
// from the government e-licence service, so a 电子身份证 can stand in for an
// ID scan (seed 000 3.3: 选择获取电子身份证时，可以无需上传电子扫描件). The
// service covers Shanghai 户籍 only.
package elicence

import (
	"context"
	"strings"
)

// Provider answers whether the service holds the person's resident ID card.
// ok false with a message the applicant can act on; err for a failure of
// the service itself.
type Provider interface {
	ResidentCard(ctx context.Context, name, idNumber string) (ok bool, message string, err error)
}

// NotShanghai is the refusal for an applicant outside the service's reach.
const NotShanghai = "获取电子身份证的功能仅支持上海户籍的申请人，请上传身份证扫描件"

// Embedded is the built-in provider for demonstration and tests: it holds a
// card for every resident ID issued in Shanghai (region code 31…), which is
// whom the real service covers. A deployment replaces it with an adapter to
// the city's e-licence API.
type Embedded struct{}

func (Embedded) ResidentCard(_ context.Context, name, idNumber string) (bool, string, error) {
	if strings.TrimSpace(name) == "" || len(idNumber) != 18 || !strings.HasPrefix(idNumber, "31") {
		return false, NotShanghai, nil
	}
	return true, "", nil
}
