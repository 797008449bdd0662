package casework

import (
	"context"
	"errors"

	"opcert/internal/auth"
	"opcert/internal/enterprise"
	"opcert/internal/store"
)

// UnitRegistration is the 单位注册 form.
type UnitRegistration struct {
	enterprise.Unit
	Password, Password2 string
}

// RegisterUnit creates a 单位 account (an employer or a training body):
// the profile checked (enterprise.CheckUnit: the GB 32100 check character
// among others), a strong password, and one account per 统一社会信用代码,
// which becomes the login name. When the enterprise registry knows the
// code, the name must be the registered one (as 同步单位信息 brings it), so
// that the workers who name the unit find it under the same name. Every
// mistake of the form comes at once.
func (s *Service) RegisterUnit(ctx context.Context, f UnitRegistration) (auth.User, error) {
	un, ps := enterprise.CheckUnit(f.Unit)
	var refused []*Error
	for _, p := range ps {
		refused = append(refused, &Error{Code: Invalid, Field: p.Field, Label: p.Label, Message: p.Message})
	}
	refused = append(refused, unprintable(printed{"", "unit_name", "单位名称", un.Name}, printed{"", "address", "单位地址", un.Address},
		printed{"", "contact", "联系人", un.Contact})...)
	if err := auth.CheckPasswordStrength(f.Password); err != nil {
		refused = append(refused, &Error{Code: Invalid, Field: "password", Label: "密码", Message: err.Error()})
	} else if f.Password != f.Password2 {
		refused = append(refused, &Error{Code: Invalid, Field: "password2", Label: "确认密码", Message: "两次输入的密码不一致"})
	}
	if len(refused) == 0 {
		e, err := s.store.Enterprises().ByCreditCode(ctx, un.CreditCode)
		switch {
		case err == nil && e.Name != un.Name:
			refused = append(refused, &Error{Code: Invalid, Field: "unit_name", Label: "单位名称",
				Message: "单位名称与企业登记信息不一致：该统一社会信用代码登记的名称为“" + e.Name + "”，请按营业执照填写"})
		case err != nil && !errors.Is(err, store.ErrNotFound):
			return auth.User{}, err
		}
	}
	if len(refused) > 0 {
		return auth.User{}, Errors(refused)
	}
	hash, err := auth.HashPasswordContext(ctx, f.Password)
	if errors.Is(err, auth.ErrBusy) {
		return auth.User{}, busy("password")
	}
	if err != nil {
		return auth.User{}, err
	}
	u, err := s.store.RegisterUnit(ctx, un, hash)
	if errors.Is(err, store.ErrUnitTaken) {
		return u, &Error{Code: Conflict, Field: "credit_code", Label: "统一社会信用代码", Message: err.Error()}
	}
	if err == nil {
		s.log.Info("unit registered", "user_id", u.ID)
	}
	return u, err
}

// UnitOf is the profile of the 单位 account who.
func (s *Service) UnitOf(ctx context.Context, who Actor) (enterprise.Unit, error) {
	if who.Role != auth.RoleUnit {
		return enterprise.Unit{}, Errorf(Forbidden, "只有单位账号可以使用此功能")
	}
	un, err := s.store.UnitOf(ctx, who.UserID)
	if errors.Is(err, store.ErrNotFound) {
		return un, Errorf(Forbidden, "只有单位账号可以使用此功能")
	}
	return un, err
}
