package store_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"opcert/internal/audit"
	"opcert/internal/auth"
	"opcert/internal/enterprise"
	"opcert/internal/sealed"
	"opcert/internal/store"
	"opcert/internal/store/storetest"
)

// accountColumnsSealedUnder checks that every login, mobile and outbox
// recipient is sealed with key, and every bucket kept by its blind name.
func accountColumnsSealedUnder(t *testing.T, db *store.DB, key string) {
	t.Helper()
	columnsSealedUnder(t, db, key, [2]string{"users", "login"}, [2]string{"users", "mobile"}, [2]string{"outbox", "recipient"})
	rows, err := store.QueryForTest(db, `SELECT bucket FROM rate_events`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var b string
		rows.Scan(&b)
		if _, h, _ := strings.Cut(b, ":"); !strings.HasPrefix(b, "#") || len(h) != 64 {
			t.Errorf("rate_events.bucket holds %q, want #<kind>:<HMAC>", b)
		}
	}
}

// Logins and mobiles are kept sealed and every way in still finds the
// account: an applicant by their mobile (as login, or by its digits), staff
// by their user name exactly as typed, a 单位 by its credit code; the
// session, the admin's list and the account read by id show them opened.
func TestAccountsSealedAndFound(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		applicant, err := db.RegisterApplicant(ctx, person("张三", "11010519491231002X"), "13900000001", "hash")
		if err != nil {
			t.Fatal(err)
		}
		admin, err := db.CreateUser(ctx, auth.User{Login: "Admin.Li", Name: "李管理", Role: auth.RoleAdmin, PasswordHash: "hash"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.CreateUser(ctx, auth.User{Login: "admin.wang", Name: "王管理", Role: auth.RoleAdmin, PasswordHash: "hash"}); err != nil {
			t.Fatal(err)
		}
		unit, err := db.RegisterUnit(ctx, enterprise.Unit{CreditCode: "91310116607444444X", Name: "上海金山石化焊接工程有限公司", Address: "上海市金山区卫零路55号", Contact: "王师傅", Phone: "021-57940000"}, "hash")
		if err != nil {
			t.Fatal(err)
		}
		accountColumnsSealedUnder(t, db, "k1")
		if found := storetest.InClear(t, db, []string{"13900000001", "Admin.Li", "91310116607444444X"}, map[string]bool{"units": true}); len(found) > 0 {
			t.Errorf("in clear: %v", found)
		}

		for _, c := range []struct {
			login string
			want  int64
		}{{"13900000001", applicant.ID}, {"Admin.Li", admin.ID}, {"91310116607444444X", unit.ID}} {
			got, err := db.UserByLogin(ctx, c.login)
			if err != nil || got.ID != c.want || got.Login != c.login {
				t.Errorf("UserByLogin(%s) = %+v, %v", c.login, got, err)
			}
		}
		// A user name is matched as typed, as before sealing.
		for _, login := range []string{"admin.li", " Admin.Li", "13900000001 "} {
			if _, err := db.UserByLogin(ctx, login); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("UserByLogin(%q) = %v, want not found", login, err)
			}
		}
		for _, m := range []string{"13900000001", "139 0000 0001", "139-0000-0001"} {
			if got, err := db.UserByMobile(ctx, m); err != nil || got.ID != applicant.ID || got.Mobile != "13900000001" {
				t.Errorf("UserByMobile(%q) = %+v, %v", m, got, err)
			}
		}
		// Staff have no mobile: nothing typed without digits finds them.
		for _, m := range []string{"", "Admin.Li", "13900000002"} {
			if _, err := db.UserByMobile(ctx, m); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("UserByMobile(%q) = %v, want not found", m, err)
			}
		}
		if _, err := db.CreateSession(ctx, applicant.ID, "token-hash"); err != nil {
			t.Fatal(err)
		}
		if _, u, err := db.SessionUser(ctx, "token-hash", false); err != nil || u.Login != "13900000001" || u.Mobile != "13900000001" || u.Name != "张三" {
			t.Errorf("SessionUser = %+v, %v", u, err)
		}
		if u, err := db.UserByID(ctx, unit.ID); err != nil || u.Login != "91310116607444444X" || u.Role != auth.RoleUnit {
			t.Errorf("UserByID = %+v, %v", u, err)
		}
		// The admin's list shows the logins, ordered by them within a role.
		list, err := db.Users(ctx, store.UserFilter{})
		var logins []string
		for _, u := range list {
			logins = append(logins, u.Login)
		}
		if err != nil || strings.Join(logins, " ") != "Admin.Li admin.wang 91310116607444444X" {
			t.Errorf("Users = %v, %v", logins, err)
		}
		applicants, err := db.Users(ctx, store.UserFilter{Role: auth.RoleApplicant})
		if err != nil || len(applicants) != 1 || applicants[0].Login != "13900000001" || applicants[0].Mobile != "13900000001" {
			t.Errorf("applicants = %+v, %v", applicants, err)
		}
	})
}

// A mobile belongs to one account: no second applicant registers with it,
// nor with a number that is another account's login; a login is taken
// once, whatever the role.
func TestMobileTakenAcrossAccounts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		if _, err := db.RegisterApplicant(ctx, person("张三", "11010519491231002X"), "13900000001", "hash"); err != nil {
			t.Fatal(err)
		}
		// The command line may make an admin whose login is a number.
		if _, err := db.CreateUser(ctx, auth.User{Login: "13900000002", Name: "号码管理员", Role: auth.RoleAdmin, PasswordHash: "hash"}); err != nil {
			t.Fatal(err)
		}
		for _, m := range []string{"13900000001", "13900000002"} {
			if _, err := db.RegisterApplicant(ctx, person("李四", "110105194912310038"), m, "hash"); !errors.Is(err, store.ErrMobileTaken) {
				t.Errorf("RegisterApplicant with %s = %v, want ErrMobileTaken", m, err)
			}
		}
		if _, err := db.CreateUser(ctx, auth.User{Login: "13900000001", Name: "重名", Role: auth.RoleAdmin, PasswordHash: "hash"}); !errors.Is(err, store.ErrDuplicate) {
			t.Errorf("CreateUser with an applicant's login = %v, want ErrDuplicate", err)
		}
		// The unique indexes hold even when the check before them is
		// passed by (two registrations at once): an applicant row with a
		// taken mobile under another login is refused by the database.
		u, err := db.RegisterApplicant(ctx, person("李四", "110105194912310038"), "13900000003", "hash")
		if err != nil {
			t.Fatal(err)
		}
		if err := store.ExecForTest(db, `UPDATE users SET mobile_hmac = (SELECT o.mobile_hmac FROM users o WHERE o.role = 'applicant' AND o.id <> $1 ORDER BY o.id LIMIT 1)
			WHERE id = $1`, u.ID); err == nil {
			t.Error("two applicants with one mobile HMAC were stored")
		}
		if got, err := db.UserByMobile(ctx, "13900000003"); err != nil || got.ID != u.ID {
			t.Errorf("UserByMobile = %+v, %v", got, err)
		}
	})
}

// Rows written in clear by an older version (accounts, queued messages,
// rate-limit buckets) are sealed at the next start and still found: the
// account logs in, its messages are listed, its failures still count.
func TestPlainAccountRowsSealedAtStart(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		storetest.Exec(t, db, `INSERT INTO holders (id_type, id_number, name, created_at) VALUES ('居民身份证', '31010419800101001X', '李四', CURRENT_TIMESTAMP)`)
		storetest.Exec(t, db, `INSERT INTO users (login, name, role, password_hash, holder_id, mobile, created_at)
			SELECT '13900000005', '李四', 'applicant', 'hash', id, '13900000005', CURRENT_TIMESTAMP FROM holders`)
		storetest.Exec(t, db, `INSERT INTO users (login, name, role, password_hash, mobile, created_at) VALUES ('clerk-1', '王五', 'admin', 'hash', '', CURRENT_TIMESTAMP)`)
		storetest.Exec(t, db, `INSERT INTO outbox (channel, recipient, body, topic, created_at, next_attempt_at) VALUES ('sms', '13900000005', '已受理', 'accepted', $1, $1)`, db.Now())
		for range 2 {
			storetest.Exec(t, db, `INSERT INTO rate_events (bucket, at) VALUES ('login:name:13900000005', $1), ('login-pair:name:13900000005|203.0.113.9', $1)`, db.Now())
		}
		storetest.Exec(t, db, `INSERT INTO rate_events (bucket, at) VALUES ('sms:13900000005', $1)`, db.Now())
		// As a database from before sealing: no sweep on record.
		storetest.Exec(t, db, `DELETE FROM personal_data_sweeps`)
		for range 2 { // the second start finds nothing to do
			if _, err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
		}
		sealedUnder(t, db, "k1")
		accountColumnsSealedUnder(t, db, "k1")
		if found := storetest.InClear(t, db, []string{"13900000005", "clerk-1"}, nil); len(found) > 0 {
			t.Errorf("in clear after the start: %v", found)
		}
		u, err := db.UserByLogin(ctx, "13900000005")
		if err != nil || u.Mobile != "13900000005" || u.Name != "李四" {
			t.Errorf("UserByLogin = %+v, %v", u, err)
		}
		if got, err := db.UserByMobile(ctx, "13900000005"); err != nil || got.ID != u.ID {
			t.Errorf("UserByMobile = %+v, %v", got, err)
		}
		if got, err := db.UserByLogin(ctx, "clerk-1"); err != nil || got.Name != "王五" || got.Mobile != "" {
			t.Errorf("UserByLogin(clerk-1) = %+v, %v", got, err)
		}
		if msgs, err := db.RecentOutbox(ctx, "13900000005", 5); err != nil || len(msgs) != 1 || msgs[0].Recipient != "13900000005" {
			t.Errorf("RecentOutbox = %+v, %v", msgs, err)
		}
		if claims, err := db.ClaimOutbox(ctx, 5); err != nil || len(claims) != 1 || claims[0].Recipient != "13900000005" {
			t.Errorf("ClaimOutbox = %+v, %v", claims, err)
		}
		if f, err := db.LoginFailures(ctx, "name:13900000005", "203.0.113.9"); err != nil || f.Account != 2 || f.Pair != 2 {
			t.Errorf("LoginFailures = %+v, %v", f, err)
		}
		if full, err := db.Exceeded(ctx, "sms:13900000005", auth.RateLimit{Max: 1, Window: auth.SMSPerMobile.Window}); err != nil || !full {
			t.Errorf("Exceeded = %v, %v; the event written in clear no longer counts", full, err)
		}
	})
}

// Rotation re-seals accounts and queued messages under the new key, and
// they are still found; audit lines keep the values sealed as written (the
// chain covers their text), still verify and still open.
func TestRotationResealsAccountsAndOutbox(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		newClock(db)
		holder := person("张三", "11010519491231002X")
		old, err := db.RegisterApplicant(ctx, holder, "13900000001", "hash")
		if err != nil {
			t.Fatal(err)
		}
		if err := db.IssueSMSCode(ctx, "13900000001", auth.SMSLogin, "123456"); err != nil {
			t.Fatal(err)
		}
		if _, err := db.SetUserPassword(ctx, old.ID, "hash2", false, "", nil, audit.Entry{ActorID: old.ID, ActorRole: "applicant", Action: "change_password"}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ReclaimApplicant(ctx, holder, "13900000009", "hash3",
			store.Reclaim{Notice: "已停用", Audit: audit.Entry{ActorRole: "applicant", Action: "account_reclaimed"}}); err != nil {
			t.Fatal(err)
		}
		entries, err := db.AuditEntries(ctx, fmt.Sprintf("user:%d", old.ID), 5)
		if err != nil || len(entries) != 2 {
			t.Fatalf("audit = %+v, %v", entries, err)
		}
		if _, err := db.RotateDataKey(ctx, audit.Entry{ActorRole: "operator"}); err != nil {
			t.Fatal(err)
		}
		if n, err := db.ResealPersonalData(ctx, nil); err != nil || n == 0 {
			t.Fatalf("ResealPersonalData = %d, %v", n, err)
		}
		accountColumnsSealedUnder(t, db, "k2")
		for _, login := range []string{"13900000001", "13900000009"} {
			if u, err := db.UserByLogin(ctx, login); err != nil || u.Mobile != login {
				t.Errorf("UserByLogin(%s) after re-sealing = %+v, %v", login, u, err)
			}
		}
		if msgs, err := db.RecentOutbox(ctx, "13900000001", 5); err != nil || len(msgs) != 2 || msgs[0].Topic != "account_reclaimed" || msgs[0].Recipient != "13900000001" {
			t.Errorf("RecentOutbox after re-sealing = %+v, %v", msgs, err)
		}
		after, err := db.AuditEntries(ctx, fmt.Sprintf("user:%d", old.ID), 5)
		if err != nil || len(after) != 2 {
			t.Fatalf("audit after re-sealing = %+v, %v", after, err)
		}
		// Newest first: the reclaim names the stopped account's mobile,
		// the password change its login; both as sealed with k1 that day.
		for i, c := range []struct{ text, field, want string }{{after[0].Before, "mobile", "13900000001"}, {after[1].After, "login", "13900000001"}} {
			if after[i] != entries[i] {
				t.Errorf("audit line %d changed by re-sealing:\n%+v\n%+v", i, entries[i], after[i])
			}
			var fields map[string]any
			if err := json.Unmarshal([]byte(c.text), &fields); err != nil {
				t.Fatalf("%q: %v", c.text, err)
			}
			v, _ := fields[c.field].(string)
			if id, _ := sealed.KeyID(v); id != "k1" {
				t.Errorf("%s in %q: want a value sealed with k1", c.field, c.text)
			}
			if plain, err := store.OpenForTest(db, v); err != nil || plain != c.want {
				t.Errorf("%s opens to %q, %v", c.field, plain, err)
			}
		}
		if n, _, err := db.VerifyAudit(ctx, ""); err != nil || n != 3 {
			t.Errorf("VerifyAudit = %d, %v", n, err)
		}
	})
}
