// Package auth holds accounts and roles. Applicants apply only through their
// own account (seed 001 第二部分: 单位或其他人无法代办); officers belong to one
// 受理机关; exam staff to the 考试机构; admins see everything.
package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
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
	}
	return string(r)
}

// ParseRole reads a role name as typed on the command line.
func ParseRole(s string) (Role, error) {
	switch r := Role(strings.ToLower(strings.TrimSpace(s))); r {
	case RoleApplicant, RoleOfficer, RoleExaminer, RoleAdmin:
		return r, nil
	}
	return "", fmt.Errorf("角色应为 officer、examiner、admin 或 applicant 之一，而不是 %q", s)
}

// User is an account.
type User struct {
	ID            int64
	Login         string
	Name          string
	Role          Role
	PasswordHash  string
	AuthorityCode string // officers: the 受理机关 they work for
	HolderID      int64  // applicants: the registry person they are
	Mobile        string
	Disabled      bool
	CreatedAt     time.Time
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

// HashPassword returns a self-describing argon2id hash.
func HashPassword(p string) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(p), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	enc := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=19$m=%d,t=%d,p=%d$%s$%s",
		argonMemory, argonTime, argonThreads, enc.EncodeToString(salt), enc.EncodeToString(key)), nil
}

// CheckPassword reports whether p matches the hash.
func CheckPassword(hash, p string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var m uint32
	var t uint32
	var th uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &th); err != nil {
		return false
	}
	enc := base64.RawStdEncoding
	salt, err1 := enc.DecodeString(parts[4])
	want, err2 := enc.DecodeString(parts[5])
	if err1 != nil || err2 != nil {
		return false
	}
	got := argon2.IDKey([]byte(p), salt, t, m, th, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}
