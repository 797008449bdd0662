package casework_test

import (
	"strconv"
	"strings"
	"sync"
	"testing"

	"opcert/internal/auth"
	"opcert/internal/casework"
	"opcert/internal/store"
	"opcert/internal/store/storetest"
)

// refusedAt checks that err is a refusal of code whose message (at field,
// when one is given) contains want.
func refusedAt(t *testing.T, err error, code casework.Code, field, want string) {
	t.Helper()
	if casework.ErrorCode(err) != code {
		t.Fatalf("err = %v (%s), want %s", err, casework.ErrorCode(err), code)
	}
	for _, e := range casework.FieldErrors(err) {
		if e.Field == field && strings.Contains(e.Message, want) {
			return
		}
	}
	t.Fatalf("no refusal at %q saying %q in %v", field, want, err)
}

// Accounts an admin creates, disables, enables and resets, each audited,
// with every refusal the admin can meet, on both engines.
func TestStaffAccounts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db, "2026-11-23")
		s := w.s
		must(0, db.PutExamInstitution(ctx, store.ExamInstitution{Name: "上海市特种设备考试中心", Items: []string{"N1"}}))
		insts := must(db.ExamInstitutions(ctx))

		issued := must(s.CreateAccount(ctx, w.adm, casework.NewAccount{Login: "xh-wang", Name: "王芳", Role: "officer", AuthorityCode: "310104"}))
		if u := issued.User; u.AuthorityCode != "310104" || !u.MustChangePassword || u.Role != auth.RoleOfficer || !auth.CheckPassword(u.PasswordHash, issued.Password) {
			t.Fatalf("created %+v", u)
		}
		examiner := must(s.CreateAccount(ctx, w.adm, casework.NewAccount{Login: "exam-li", Name: "李强", Role: "examiner", Institution: strconv.FormatInt(insts[0].ID, 10)}))
		if examiner.User.InstitutionID != insts[0].ID {
			t.Fatalf("examiner %+v", examiner.User)
		}

		_, err := s.CreateAccount(ctx, w.adm, casework.NewAccount{Login: "xh-wang", Name: "王二", Role: "officer", AuthorityCode: "310104"})
		refusedAt(t, err, casework.Conflict, "login", "登录名“xh-wang”已被使用")
		_, err = s.CreateAccount(ctx, w.adm, casework.NewAccount{Login: "nowhere", Name: "赵六", Role: "officer", AuthorityCode: "319999"})
		refusedAt(t, err, casework.Invalid, "authority", "受理机关“319999”不存在")
		_, err = s.CreateAccount(ctx, w.adm, casework.NewAccount{Login: "e2", Name: "赵六", Role: "examiner", Institution: "99999"})
		refusedAt(t, err, casework.Invalid, "institution", "所选考试机构不存在")
		_, err = s.CreateAccount(ctx, w.adm, casework.NewAccount{Login: "13800000009", Name: "", Role: "applicant"})
		refusedAt(t, err, casework.Invalid, "login", "英文字母开头")
		refusedAt(t, err, casework.Invalid, "name", "请填写姓名")
		refusedAt(t, err, casework.Invalid, "role", "申请人须本人实名注册")
		_, err = s.CreateAccount(ctx, w.adm, casework.NewAccount{Login: "rare", Name: "王❤", Role: "admin"})
		refusedAt(t, err, casework.Invalid, "name", "无法在申请表、通知书和证书上打印")
		for _, who := range []casework.Actor{w.officer, w.applicant} {
			_, err = s.CreateAccount(ctx, who, casework.NewAccount{Login: "sneaky", Name: "某", Role: "admin"})
			refusedAt(t, err, casework.Forbidden, "", "只有系统管理员")
			_, err = s.SetAccountDisabled(ctx, who, issued.User.ID, true)
			refusedAt(t, err, casework.Forbidden, "", "只有系统管理员")
			_, err = s.ResetAccountPassword(ctx, who, issued.User.ID)
			refusedAt(t, err, casework.Forbidden, "", "只有系统管理员")
			_, err = s.Accounts(ctx, who, casework.AccountFilter{})
			refusedAt(t, err, casework.Forbidden, "", "只有系统管理员")
		}

		list := must(s.Accounts(ctx, w.adm, casework.AccountFilter{Role: "officer", AuthorityCode: "310104"}))
		var logins []string
		for _, a := range list.Accounts {
			logins = append(logins, a.Login+"/"+a.Unit)
		}
		if strings.Join(logins, ",") != "o-xh/徐汇区市场监督管理局,xh-wang/徐汇区市场监督管理局" {
			t.Fatalf("officers of 徐汇区: %v", logins)
		}
		if all := must(s.Accounts(ctx, w.adm, casework.AccountFilter{})); len(all.Accounts) != 5 {
			t.Fatalf("staff listed: %d, want 5 (no applicant)", len(all.Accounts))
		}

		// Disabling ends the account's sessions at once.
		_, hash := auth.NewToken()
		must(db.CreateSession(ctx, issued.User.ID, hash))
		must(s.SetAccountDisabled(ctx, w.adm, issued.User.ID, true))
		if _, _, ok, _ := s.Session(ctx, hash, false); ok {
			t.Fatal("a disabled account's session lives on")
		}
		_, err = s.SetAccountDisabled(ctx, w.adm, issued.User.ID, true)
		refusedAt(t, err, casework.Conflict, "", "该账号已停用")
		must(s.SetAccountDisabled(ctx, w.adm, issued.User.ID, false))
		_, err = s.SetAccountDisabled(ctx, w.adm, issued.User.ID, false)
		refusedAt(t, err, casework.Conflict, "", "该账号已是启用状态")
		_, err = s.SetAccountDisabled(ctx, w.adm, w.adm.UserID, true)
		refusedAt(t, err, casework.Forbidden, "", "不能停用自己的账号")
		_, err = s.SetAccountDisabled(ctx, w.adm, 987654, true)
		refusedAt(t, err, casework.NotFound, "", "账号不存在")

		// Two admins disabling each other: the second, whose own account
		// the first disabled meanwhile, would leave none.
		second := must(s.CreateAccount(ctx, w.adm, casework.NewAccount{Login: "adm2", Name: "管理员二", Role: "admin"}))
		adm2 := casework.Actor{UserID: second.User.ID, Role: auth.RoleAdmin}
		must(s.SetAccountDisabled(ctx, w.adm, second.User.ID, true))
		_, err = s.SetAccountDisabled(ctx, adm2, w.adm.UserID, true)
		refusedAt(t, err, casework.Forbidden, "", "最后一个启用中的系统管理员")
		_, err = s.SetAccountDisabled(ctx, adm2, w.officer.UserID, true)
		refusedAt(t, err, casework.Forbidden, "", "您的管理员账号已被停用")

		// A reset gives a new one-time password and ends the sessions.
		_, hash = auth.NewToken()
		must(db.CreateSession(ctx, issued.User.ID, hash))
		reset := must(s.ResetAccountPassword(ctx, w.adm, issued.User.ID))
		u := must(db.UserByID(ctx, issued.User.ID))
		if reset.Password == issued.Password || !auth.CheckPassword(u.PasswordHash, reset.Password) || !u.MustChangePassword {
			t.Fatal("reset did not set a new one-time password")
		}
		if _, _, ok, _ := s.Session(ctx, hash, false); ok {
			t.Fatal("a reset account's session lives on")
		}
		_, err = s.ResetAccountPassword(ctx, w.adm, w.applicant.UserID)
		refusedAt(t, err, casework.Forbidden, "", "申请人账号不能由管理员重置密码")

		// The holder chooses their own password; the browser doing it stays
		// logged in, every other session ends.
		me := casework.Actor{UserID: u.ID, Role: u.Role, AuthorityCode: u.AuthorityCode}
		_, mine := auth.NewToken()
		_, other := auth.NewToken()
		must(db.CreateSession(ctx, u.ID, mine))
		must(db.CreateSession(ctx, u.ID, other))
		err = s.ChangeOwnPassword(ctx, me, casework.PasswordChange{Current: "wrong", New: "short", New2: "short"})
		refusedAt(t, err, casework.Invalid, "new", "密码至少8位")
		err = s.ChangeOwnPassword(ctx, me, casework.PasswordChange{Current: reset.Password, New: "Garden2026x", New2: "Garden2026y"})
		refusedAt(t, err, casework.Invalid, "new2", "两次输入的新密码不一致")
		err = s.ChangeOwnPassword(ctx, me, casework.PasswordChange{Current: reset.Password, New: reset.Password, New2: reset.Password})
		refusedAt(t, err, casework.Invalid, "new", "不能与当前密码相同")
		err = s.ChangeOwnPassword(ctx, me, casework.PasswordChange{Current: "Wrong2026x", New: "Garden2026x", New2: "Garden2026x"})
		refusedAt(t, err, casework.Invalid, "current", "当前密码不正确")
		if err := s.ChangeOwnPassword(ctx, me, casework.PasswordChange{Current: reset.Password, New: "Garden2026x", New2: "Garden2026x", Session: mine}); err != nil {
			t.Fatal(err)
		}
		u = must(db.UserByID(ctx, u.ID))
		if u.MustChangePassword || !auth.CheckPassword(u.PasswordHash, "Garden2026x") {
			t.Fatal("own password not set")
		}
		if _, _, ok, _ := s.Session(ctx, mine, false); !ok {
			t.Fatal("the changing browser was logged out")
		}
		if _, _, ok, _ := s.Session(ctx, other, false); ok {
			t.Fatal("another session survived the change")
		}

		// Every change is in the audit log with who made it; no hash.
		entries := must(db.AuditEntries(ctx, "user:"+strconv.FormatInt(u.ID, 10), 20))
		var actions []string
		for _, e := range entries {
			actions = append(actions, e.Action+"@"+strconv.FormatInt(e.ActorID, 10))
			if strings.Contains(e.Before+e.After, "argon2") {
				t.Fatalf("a password hash in the audit log: %+v", e)
			}
		}
		admID, own := strconv.FormatInt(w.adm.UserID, 10), strconv.FormatInt(u.ID, 10)
		want := []string{"create_account@" + admID, "disable_account@" + admID, "enable_account@" + admID, "reset_password@" + admID, "change_password@" + own}
		got := strings.Join(actions, ",")
		for _, a := range want {
			if !strings.Contains(got, a) {
				t.Errorf("audit lacks %s: %s", a, got)
			}
		}
	})
}

// Two admins disabling each other at the same moment: one wins, the other
// is refused, and an active admin remains, on both engines.
func TestAdminsDisablingEachOtherAtOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db, "2026-11-23")
		second := must(w.s.CreateAccount(ctx, w.adm, casework.NewAccount{Login: "adm2", Name: "管理员二", Role: "admin"}))
		adm2 := casework.Actor{UserID: second.User.ID, Role: auth.RoleAdmin}
		errs := make(chan error, 2)
		var start sync.WaitGroup
		start.Add(1)
		for _, pair := range [][2]casework.Actor{{w.adm, adm2}, {adm2, w.adm}} {
			go func() {
				start.Wait()
				_, err := w.s.SetAccountDisabled(ctx, pair[0], pair[1].UserID, true)
				errs <- err
			}()
		}
		start.Done()
		var refused, done int
		for range 2 {
			if err := <-errs; err == nil {
				done++
			} else if casework.ErrorCode(err) == casework.Forbidden {
				refused++
			} else {
				t.Fatal(err)
			}
		}
		if done != 1 || refused != 1 {
			t.Fatalf("%d done, %d refused", done, refused)
		}
		active := 0
		for _, u := range must(db.Users(ctx, store.UserFilter{Role: auth.RoleAdmin})) {
			if !u.Disabled {
				active++
			}
		}
		if active != 1 {
			t.Fatalf("%d active admins", active)
		}
	})
}
