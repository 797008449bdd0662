package auth

import (
	"crypto/rand"
	"errors"
	"math/big"
	"unicode/utf8"
)

// StaffRoles are the accounts an admin creates. Applicants register
// themselves under their real name (seed 000 三 1: 必须使用申请人本人账号), so
// no one creates an applicant account for them.
var StaffRoles = []Role{RoleOfficer, RoleExaminer, RoleAdmin}

// IsStaff tells whether r is a role an admin creates.
func (r Role) IsStaff() bool { return r == RoleOfficer || r == RoleExaminer || r == RoleAdmin }

// CheckLogin checks a staff login name: 3 to 32 letters, digits, '.', '_'
// or '-', beginning with a letter. A login never looks like a mobile number,
// which is how applicants log in (LoginPassword tries the login name, then
// the mobile).
func CheckLogin(login string) error {
	if login == "" {
		return errors.New("请填写登录名")
	}
	if n := utf8.RuneCountInString(login); n < 3 || n > 32 {
		return errors.New("登录名应为3至32个字符")
	}
	first := login[0]
	if !(first >= 'a' && first <= 'z' || first >= 'A' && first <= 'Z') {
		return errors.New("登录名须以英文字母开头，如 officer-310104")
	}
	for _, r := range login {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '_', r == '-':
		default:
			return errors.New("登录名只能包含英文字母、数字和 . _ -")
		}
	}
	return nil
}

// oneTimeAlphabet leaves out the characters read alike (0/O, 1/l/I), since
// an admin reads the password out or writes it down for its holder.
const (
	oneTimeLetters = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ"
	oneTimeDigits  = "23456789"
	oneTimeLength  = 12
)

// NewOneTimePassword makes the password an admin hands to a new account or
// one whose password was reset: 12 characters of letters and digits (both
// present, so CheckPasswordStrength accepts it), about 70 bits.
func NewOneTimePassword() string {
	all := oneTimeLetters + oneTimeDigits
	pick := func(set string) byte {
		n, err := rand.Int(rand.Reader, big.NewInt(int64(len(set))))
		if err != nil {
			panic(err) // crypto/rand never fails on Linux
		}
		return set[n.Int64()]
	}
	for {
		b := make([]byte, oneTimeLength)
		for i := range b {
			b[i] = pick(all)
		}
		if CheckPasswordStrength(string(b)) == nil {
			return string(b)
		}
	}
}

// Refusals of a change to an account's status.
var (
	ErrDisableSelf     = errors.New("不能停用自己的账号")
	ErrLastAdmin       = errors.New("这是最后一个启用中的系统管理员账号，停用后将无人能管理系统。请先创建或启用另一个系统管理员账号")
	ErrAlreadyDisabled = errors.New("该账号已停用")
	ErrAlreadyEnabled  = errors.New("该账号已是启用状态")
	ErrActorDisabled   = errors.New("您的管理员账号已被停用，不能再管理账号")
)

// CheckStatusChange decides whether the admin actorID may disable (or
// enable) target, given the ids of the active admins as they stand. An
// admin never locks themself out, nor the system out of its last admin; an
// admin disabled meanwhile acts no more; a change to the state the account
// is already in is out of turn (another admin did it meanwhile, or the page
// was stale).
func CheckStatusChange(actorID int64, target User, disable bool, activeAdmins []int64) error {
	otherActiveAdmins := 0
	actorActive := false
	for _, id := range activeAdmins {
		if id != target.ID {
			otherActiveAdmins++
		}
		actorActive = actorActive || id == actorID
	}
	switch {
	case disable && target.Disabled:
		return ErrAlreadyDisabled
	case !disable && !target.Disabled:
		return ErrAlreadyEnabled
	case disable && target.ID == actorID:
		return ErrDisableSelf
	case disable && target.Role == RoleAdmin && otherActiveAdmins == 0:
		return ErrLastAdmin
	case !actorActive:
		return ErrActorDisabled
	}
	return nil
}
