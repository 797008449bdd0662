package casework

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"opcert/internal/audit"
	"opcert/internal/auth"
	"opcert/internal/authority"
	"opcert/internal/store"
)

// onlyAdmin refuses whoever is not an admin.
func onlyAdmin(who Actor, what string) error {
	if who.Role != auth.RoleAdmin {
		return Errorf(Forbidden, "只有系统管理员可以%s", what)
	}
	return nil
}

func (who Actor) entry(action string) audit.Entry {
	return audit.Entry{ActorID: who.UserID, ActorRole: string(who.Role), Action: action, IP: who.IP}
}

// AccountFilter selects the accounts the admin's list shows (form values:
// a role name, a 受理机关 code, an institution id).
type AccountFilter struct {
	Role, AuthorityCode, Institution string
}

// AccountRow is one account of the list, with its 受理机关 or 考试机构 named.
type AccountRow struct {
	auth.User
	Unit string // 徐汇区市场监督管理局, or the institution's name
}

// AccountList is the admin's accounts page: the accounts and the choices
// of its forms.
type AccountList struct {
	Accounts     []AccountRow
	Authorities  []authority.Authority
	Institutions []store.ExamInstitution
}

// Accounts lists the accounts an admin manages, filtered.
func (s *Service) Accounts(ctx context.Context, who Actor, f AccountFilter) (AccountList, error) {
	if err := onlyAdmin(who, "管理账号"); err != nil {
		return AccountList{}, err
	}
	var out AccountList
	var err error
	if out.Authorities, err = s.store.Authorities(ctx); err != nil {
		return out, err
	}
	if out.Institutions, err = s.store.ExamInstitutions(ctx); err != nil {
		return out, err
	}
	filter := store.UserFilter{AuthorityCode: strings.TrimSpace(f.AuthorityCode)}
	if f.Role != "" {
		r, err := auth.ParseRole(f.Role)
		if err != nil {
			return out, FieldError("role", "请选择列表中的角色")
		}
		filter.Role = r
	}
	if f.Institution != "" {
		if filter.InstitutionID, err = strconv.ParseInt(f.Institution, 10, 64); err != nil {
			return out, FieldError("institution", "请选择列表中的考试机构")
		}
	}
	users, err := s.store.Users(ctx, filter)
	if err != nil {
		return out, err
	}
	units := map[string]string{}
	for _, a := range out.Authorities {
		units["a"+a.Code] = a.Name
	}
	for _, e := range out.Institutions {
		units["i"+strconv.FormatInt(e.ID, 10)] = e.Name
	}
	for _, u := range users {
		row := AccountRow{User: u}
		switch {
		case u.AuthorityCode != "":
			row.Unit = units["a"+u.AuthorityCode]
		case u.InstitutionID != 0:
			row.Unit = units["i"+strconv.FormatInt(u.InstitutionID, 10)]
		}
		out.Accounts = append(out.Accounts, row)
	}
	return out, nil
}

// NewAccount is the admin's form for a staff account.
type NewAccount struct {
	Login, Name, Role string
	AuthorityCode     string // officers
	Institution       string // exam staff: the institution's id
}

// IssuedPassword is an account with the one-time password just given to
// it: shown to the admin once, stored only as its hash, and replaced by the
// holder at their next login.
type IssuedPassword struct {
	User     auth.User
	Password string
}

// CreateAccount creates an officer bound to a 受理机关, an exam staff
// member bound to a 考试机构, or an admin, with a one-time password. Every
// mistake of the form comes at once; the account and its audit line are
// written together.
func (s *Service) CreateAccount(ctx context.Context, who Actor, f NewAccount) (IssuedPassword, error) {
	if err := onlyAdmin(who, "创建账号"); err != nil {
		return IssuedPassword{}, err
	}
	u := auth.User{Login: strings.TrimSpace(f.Login), Name: strings.TrimSpace(f.Name), MustChangePassword: true}
	var refused []*Error
	fail := func(field, label, msg string) {
		refused = append(refused, &Error{Code: Invalid, Field: field, Label: label, Message: msg})
	}
	if err := auth.CheckLogin(u.Login); err != nil {
		fail("login", "登录名", err.Error())
	}
	switch n := utf8.RuneCountInString(u.Name); {
	case n == 0:
		fail("name", "姓名", "请填写姓名")
	case n > 30:
		fail("name", "姓名", "姓名不能超过30个字")
	}
	refused = append(refused, unprintable(printed{"", "name", "姓名", u.Name})...)
	role, err := auth.ParseRole(f.Role)
	switch {
	case f.Role == "":
		fail("role", "角色", "请选择角色")
	case err != nil || !role.IsStaff():
		fail("role", "角色", "只能创建受理机关工作人员、考试机构工作人员或系统管理员账号；申请人须本人实名注册")
	default:
		u.Role = role
	}
	switch u.Role {
	case auth.RoleOfficer:
		code := strings.TrimSpace(f.AuthorityCode)
		as, err := s.store.Authorities(ctx)
		if err != nil {
			return IssuedPassword{}, err
		}
		for _, a := range as {
			if a.Code == code {
				u.AuthorityCode = code
			}
		}
		if code == "" {
			fail("authority", "所属受理机关", "请选择受理机关工作人员所属的受理机关")
		} else if u.AuthorityCode == "" {
			fail("authority", "所属受理机关", "受理机关“"+code+"”不存在，请从列表中选择")
		}
	case auth.RoleExaminer:
		id, _ := strconv.ParseInt(strings.TrimSpace(f.Institution), 10, 64)
		if strings.TrimSpace(f.Institution) == "" {
			fail("institution", "所属考试机构", "请选择考试机构工作人员所属的考试机构")
		} else if _, err := s.store.ExamInstitutionByID(ctx, id); errors.Is(err, store.ErrNotFound) || id == 0 {
			fail("institution", "所属考试机构", "所选考试机构不存在，请从列表中选择")
		} else if err != nil {
			return IssuedPassword{}, err
		} else {
			u.InstitutionID = id
		}
	}
	if len(refused) > 0 {
		return IssuedPassword{}, Errors(refused)
	}
	password := auth.NewOneTimePassword()
	if u.PasswordHash, err = auth.HashPasswordContext(ctx, password); errors.Is(err, auth.ErrBusy) {
		return IssuedPassword{}, &Error{Code: Unavailable, Message: auth.ErrBusy.Error()}
	} else if err != nil {
		return IssuedPassword{}, err
	}
	u, err = s.store.CreateStaffUser(ctx, u, who.entry("create_account"))
	if errors.Is(err, store.ErrDuplicate) {
		return IssuedPassword{}, &Error{Code: Conflict, Field: "login", Label: "登录名", Message: "登录名“" + u.Login + "”已被使用，请换一个"}
	}
	if err != nil {
		return IssuedPassword{}, err
	}
	s.log.Info("account created", "user_id", u.ID, "role", u.Role, "by", who.UserID)
	return IssuedPassword{User: u, Password: password}, nil
}

// statusRefusal is the refusal of auth.CheckStatusChange as the page says it.
func statusRefusal(err error) error {
	switch {
	case errors.Is(err, auth.ErrDisableSelf), errors.Is(err, auth.ErrLastAdmin), errors.Is(err, auth.ErrActorDisabled):
		return &Error{Code: Forbidden, Message: err.Error()}
	case errors.Is(err, auth.ErrAlreadyDisabled), errors.Is(err, auth.ErrAlreadyEnabled):
		return &Error{Code: Conflict, Message: err.Error() + "（可能已由其他管理员处理），请刷新页面查看。"}
	case errors.Is(err, store.ErrNotFound):
		return &Error{Code: NotFound, Message: "账号不存在"}
	}
	return err
}

// SetAccountDisabled disables (or enables) an account: a disabled account
// cannot log in, and its sessions end at once. An admin never disables
// themself nor the last active admin (auth.CheckStatusChange).
func (s *Service) SetAccountDisabled(ctx context.Context, who Actor, id int64, disable bool) (auth.User, error) {
	if err := onlyAdmin(who, "停用或启用账号"); err != nil {
		return auth.User{}, err
	}
	action := "enable_account"
	if disable {
		action = "disable_account"
	}
	u, err := s.store.SetUserDisabled(ctx, id, disable, func(target auth.User, active []int64) error {
		return auth.CheckStatusChange(who.UserID, target, disable, active)
	}, who.entry(action))
	if err != nil {
		return u, statusRefusal(err)
	}
	s.log.Info(action, "user_id", id, "by", who.UserID)
	return u, nil
}

// ResetAccountPassword gives a staff account a new one-time password and
// ends its sessions. Applicants are not reset by an admin: they log in by
// an SMS code to their own mobile and change their password themselves, so
// no one else ever knows it.
func (s *Service) ResetAccountPassword(ctx context.Context, who Actor, id int64) (IssuedPassword, error) {
	if err := onlyAdmin(who, "重置密码"); err != nil {
		return IssuedPassword{}, err
	}
	password := auth.NewOneTimePassword()
	hash, err := auth.HashPasswordContext(ctx, password)
	if errors.Is(err, auth.ErrBusy) {
		return IssuedPassword{}, &Error{Code: Unavailable, Message: auth.ErrBusy.Error()}
	} else if err != nil {
		return IssuedPassword{}, err
	}
	errApplicant := &Error{Code: Forbidden, Message: "申请人账号不能由管理员重置密码：请申请人使用短信验证码登录后，在“修改密码”中自行设置"}
	u, err := s.store.SetUserPassword(ctx, id, hash, true, "", func(u auth.User) error {
		if !u.Role.IsStaff() {
			return errApplicant
		}
		return nil
	}, who.entry("reset_password"))
	if errors.Is(err, store.ErrNotFound) {
		return IssuedPassword{}, &Error{Code: NotFound, Message: "账号不存在"}
	}
	if err != nil {
		return IssuedPassword{}, err
	}
	s.log.Info("password reset", "user_id", id, "by", who.UserID)
	return IssuedPassword{User: u, Password: password}, nil
}

// PasswordChange is a person choosing their own password: the one they
// have (a one-time one, or their own), and the new one twice.
type PasswordChange struct {
	Current, New, New2 string
	// Session is the token hash of the browser making the change: it stays
	// logged in, every other session of the account ends.
	Session string
}

// ChangeOwnPassword replaces the logged-in person's password, ending the
// one-time state an admin's reset left.
func (s *Service) ChangeOwnPassword(ctx context.Context, who Actor, c PasswordChange) error {
	if who.UserID == 0 {
		return Errorf(Forbidden, "请先登录")
	}
	u, err := s.store.UserByID(ctx, who.UserID)
	if err != nil {
		return err
	}
	var refused []*Error
	fail := func(field, label, msg string) {
		refused = append(refused, &Error{Code: Invalid, Field: field, Label: label, Message: msg})
	}
	if c.Current == "" {
		fail("current", "当前密码", "请输入当前密码（管理员发给您的临时密码，或您原来的密码）")
	}
	if err := auth.CheckPasswordStrength(c.New); err != nil {
		fail("new", "新密码", err.Error())
	} else if c.New != c.New2 {
		fail("new2", "确认新密码", "两次输入的新密码不一致")
	} else if c.New == c.Current {
		fail("new", "新密码", "新密码不能与当前密码相同")
	}
	if len(refused) > 0 {
		return Errors(refused)
	}
	ok, err := auth.CheckPasswordContext(ctx, u.PasswordHash, c.Current)
	if errors.Is(err, auth.ErrBusy) {
		return busy("current")
	}
	if err != nil {
		return err
	}
	if !ok {
		return &Error{Code: Invalid, Field: "current", Label: "当前密码", Message: "当前密码不正确"}
	}
	hash, err := auth.HashPasswordContext(ctx, c.New)
	if errors.Is(err, auth.ErrBusy) {
		return busy("new")
	}
	if err != nil {
		return err
	}
	e := audit.Entry{ActorID: u.ID, ActorRole: string(u.Role), Action: "change_password", IP: who.IP}
	_, err = s.store.SetUserPassword(ctx, u.ID, hash, false, c.Session, nil, e)
	return err
}

// AccountChange is one audited change of an account, with who made it.
type AccountChange struct {
	At     time.Time
	Action string // create_account, disable_account, …
	Label  string // 创建账号, 停用, …
	Actor  string // the admin's name and login, or the holder's own
	IP     string
}

// AccountHistory is an account with its audited changes, newest first.
type AccountHistory struct {
	AccountRow
	Changes []AccountChange
}

var accountActions = map[string]string{
	"create_account": "创建账号", "disable_account": "停用", "enable_account": "启用",
	"reset_password": "重置密码", "change_password": "本人修改密码", "account_reclaimed": "因持证人本人重新注册而停用",
	"approve_unit": "单位注册审核通过", "refuse_unit": "单位注册审核不通过", "resubmit_unit": "单位更正后重新提交",
	"release_unit": "释放统一社会信用代码并停用", "release_unit_lapsed": "审核不通过30日未更正，因该代码重新注册而释放并停用",
	"view_unit_licence": "查看营业执照",
}

// AccountHistory shows an admin who did what to an account.
func (s *Service) AccountHistory(ctx context.Context, who Actor, id int64) (AccountHistory, error) {
	if err := onlyAdmin(who, "查看账号记录"); err != nil {
		return AccountHistory{}, err
	}
	u, err := s.store.UserByID(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return AccountHistory{}, &Error{Code: NotFound, Message: "账号不存在"}
	}
	if err != nil {
		return AccountHistory{}, err
	}
	out := AccountHistory{AccountRow: AccountRow{User: u}}
	if u.AuthorityCode != "" {
		out.Unit = s.authorityName(u.AuthorityCode)
	} else if u.InstitutionID != 0 {
		if inst, err := s.store.ExamInstitutionByID(ctx, u.InstitutionID); err == nil {
			out.Unit = inst.Name
		}
	}
	entries, err := s.store.AuditEntries(ctx, "user:"+strconv.FormatInt(id, 10), 200)
	if err != nil {
		return out, err
	}
	names := map[int64]string{}
	for _, e := range entries {
		c := AccountChange{At: e.At, Action: e.Action, Label: accountActions[e.Action], IP: e.IP}
		if c.Label == "" {
			c.Label = e.Action
		}
		if _, ok := names[e.ActorID]; !ok && e.ActorID != 0 {
			if a, err := s.store.UserByID(ctx, e.ActorID); err == nil {
				names[e.ActorID] = a.Name + "（" + a.Login + "）"
			}
		}
		c.Actor = names[e.ActorID]
		if c.Actor == "" {
			c.Actor = "系统"
		}
		out.Changes = append(out.Changes, c)
	}
	return out, nil
}
