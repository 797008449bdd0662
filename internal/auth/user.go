// Package auth holds accounts and roles. Applicants apply only through their
// own account (seed 001 第二部分: 单位或其他人无法代办); officers belong to one
// 受理机关; exam staff to the 考试机构; a 单位 (employer or training body)
// sees the workers who named it and agreed; admins see everything.
package auth

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync/atomic"
	"time"

	"golang.org/x/crypto/argon2"
)

// Role is what an account may do.
type Role string

const (
	RoleApplicant Role = "applicant" // 申请人
	RoleOfficer   Role = "officer"   // 受理机关工作人员
	RoleExaminer  Role = "examiner"  // 考试机构工作人员
	RoleAdmin     Role = "admin"     // 系统管理员
	RoleUnit      Role = "unit"      // 单位: an employer or training body
)

// Label is the Chinese name of the role.
func (r Role) Label() string {
	switch r {
	case RoleApplicant:
		return "申请人"
	case RoleOfficer:
		return "受理机关工作人员"
	case RoleExaminer:
		return "考试机构工作人员"
	case RoleAdmin:
		return "系统管理员"
	case RoleUnit:
		return "单位"
	}
	return string(r)
}

// ParseRole reads a role name as typed on the command line.
func ParseRole(s string) (Role, error) {
	switch r := Role(strings.ToLower(strings.TrimSpace(s))); r {
	case RoleApplicant, RoleOfficer, RoleExaminer, RoleAdmin, RoleUnit:
		return r, nil
	}
	return "", fmt.Errorf("角色应为 officer、examiner、admin、unit 或 applicant 之一，而不是 %q", s)
}

// User is an account.
type User struct {
	ID            int64
	Login         string
	Name          string
	Role          Role
	PasswordHash  string
	AuthorityCode string // officers: the 受理机关 they work for
	InstitutionID int64  // exam staff: the 考试机构 they work for
	HolderID      int64  // applicants: the registry person they are
	Mobile        string
	Disabled      bool
	// MustChangePassword: the password is one an admin set (at creation
	// or a reset) and was shown to them; the holder chooses their own at
	// the next login before anything else.
	MustChangePassword bool
	CreatedAt          time.Time
}

// Validate checks the invariants of an account before it is stored.
func (u User) Validate() error {
	switch {
	case strings.TrimSpace(u.Login) == "":
		return errors.New("登录名不能为空")
	case strings.TrimSpace(u.Name) == "":
		return errors.New("姓名不能为空")
	case u.PasswordHash == "":
		return errors.New("密码不能为空")
	}
	if _, err := ParseRole(string(u.Role)); err != nil {
		return err
	}
	if u.Role == RoleOfficer && u.AuthorityCode == "" {
		return errors.New("受理机关工作人员必须指定所属受理机关")
	}
	if u.Role != RoleOfficer && u.AuthorityCode != "" {
		return errors.New("只有受理机关工作人员可以指定所属受理机关")
	}
	if u.Role == RoleExaminer && u.InstitutionID == 0 {
		return errors.New("考试机构工作人员必须指定所属考试机构")
	}
	if u.Role != RoleExaminer && u.InstitutionID != 0 {
		return errors.New("只有考试机构工作人员可以指定所属考试机构")
	}
	return nil
}

// CheckPasswordStrength enforces the minimum a government service asks:
// at least 8 characters mixing letters and digits.
func CheckPasswordStrength(p string) error {
	var letter, digit bool
	for _, r := range p {
		switch {
		case r >= '0' && r <= '9':
			digit = true
		case r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z':
			letter = true
		}
	}
	if len([]rune(p)) < 8 || !letter || !digit {
		return errors.New("密码至少8位，且须同时包含字母和数字")
	}
	return nil
}

// argon2id parameters: OWASP's minimum (19 MiB, 2 passes), so a login costs
// tens of milliseconds on the 2-core machines this runs on.
const (
	argonTime    = 2
	argonMemory  = 19 * 1024
	argonThreads = 1
	argonKeyLen  = 32
)

// Each argon2id computation holds argonMemory (19 MiB) and one core for
// tens of milliseconds, so the hashes running at once are bounded by the
// cores: more at once would not finish sooner, only hold more memory (eight
// logins at once held 8 × 19 MiB). The others queue for a free slot, for
// at most PasswordWait when a person is waiting on a page.
var hashSlots = make(chan struct{}, max(runtime.GOMAXPROCS(0), 1))

// PasswordWait is how long a login or a registration waits for a free
// hashing slot before it is told that the system is busy (ErrBusy).
var PasswordWait = 3 * time.Second

// ErrBusy is returned when a password could not be checked or hashed in
// PasswordWait because as many hashes as there are cores were running.
var ErrBusy = errors.New("系统繁忙：同时登录的人数较多，请稍后再试")

// takeSlot waits for a hashing slot until wait has passed (0: no limit)
// or ctx ends; release returns it.
func takeSlot(ctx context.Context, wait time.Duration) (release func(), err error) {
	release = func() { <-hashSlots }
	select {
	case hashSlots <- struct{}{}:
		return release, nil
	default:
	}
	var timeout <-chan time.Time
	if wait > 0 {
		t := time.NewTimer(wait)
		defer t.Stop()
		timeout = t.C
	}
	select {
	case hashSlots <- struct{}{}:
		return release, nil
	case <-timeout:
		return nil, ErrBusy
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// HashPassword returns a self-describing argon2id hash, waiting as long as
// it takes for a hashing slot (command-line tools, demo data).
func HashPassword(p string) (string, error) {
	return hashPassword(context.Background(), p, 0)
}

// HashPasswordContext is HashPassword for a person waiting on a page: after
// PasswordWait without a free slot it returns ErrBusy.
func HashPasswordContext(ctx context.Context, p string) (string, error) {
	return hashPassword(ctx, p, PasswordWait)
}

func hashPassword(ctx context.Context, p string, wait time.Duration) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	release, err := takeSlot(ctx, wait)
	if err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(p), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	release()
	enc := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=19$m=%d,t=%d,p=%d$%s$%s",
		argonMemory, argonTime, argonThreads, enc.EncodeToString(salt), enc.EncodeToString(key)), nil
}

// CheckPassword reports whether p matches the hash, waiting as long as it
// takes for a hashing slot.
func CheckPassword(hash, p string) bool {
	ok, _ := checkPassword(context.Background(), hash, p, 0)
	return ok
}

// CheckPasswordContext is CheckPassword for a login: after PasswordWait
// without a free hashing slot it returns ErrBusy.
func CheckPasswordContext(ctx context.Context, hash, p string) (bool, error) {
	return checkPassword(ctx, hash, p, PasswordWait)
}

func checkPassword(ctx context.Context, hash, p string, wait time.Duration) (bool, error) {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, nil
	}
	var m uint32
	var t uint32
	var th uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &th); err != nil {
		return false, nil
	}
	enc := base64.RawStdEncoding
	salt, err1 := enc.DecodeString(parts[4])
	want, err2 := enc.DecodeString(parts[5])
	if err1 != nil || err2 != nil {
		return false, nil
	}
	release, err := takeSlot(ctx, wait)
	if err != nil {
		return false, err
	}
	got := argon2.IDKey([]byte(p), salt, t, m, th, uint32(len(want)))
	release()
	passwordChecks.Add(1)
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// passwordChecks counts the argon2id checks made, for operations (the load
// they put on the cores) and for tests that every login pays for one.
var passwordChecks atomic.Int64

// PasswordChecks is how many password checks have been computed.
func PasswordChecks() int64 { return passwordChecks.Load() }

// TakeAllHashSlotsForTest occupies every hashing slot, as that many
// concurrent logins would, until release is called. Not for the service.
func TakeAllHashSlotsForTest() (release func()) {
	var rs []func()
	for range cap(hashSlots) {
		r, _ := takeSlot(context.Background(), 0)
		rs = append(rs, r)
	}
	return func() {
		for _, r := range rs {
			r()
		}
	}
}
