package store_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"opcert/internal/audit"
	"opcert/internal/catalog"
	"strings"
	"testing"
	"time"

	"opcert/internal/auth"
	"opcert/internal/civil"
	"opcert/internal/registry"
	"opcert/internal/store"
	"opcert/internal/store/storetest"
)

type clock struct{ t time.Time }

func (c *clock) now() time.Time          { return c.t }
func (c *clock) advance(d time.Duration) { c.t = c.t.Add(d) }
func newClock(db *store.DB) *clock {
	c := &clock{t: time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)}
	db.SetClock(c.now)
	return c
}
func person(name, id string) registry.Holder {
	return registry.Holder{Name: name, IDType: registry.IDResident, IDNumber: id, Sex: "女", BirthDate: civil.MustParse("1949-12-31")}
}

func TestRegisterApplicantOneAccountPerPersonAndMobile(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		u, err := db.RegisterApplicant(ctx, person("张三", "11010519491231002X"), "13900000001", "hash")
		if err != nil {
			t.Fatal(err)
		}
		if u.HolderID == 0 || u.Login != "13900000001" || u.Role != auth.RoleApplicant {
			t.Fatalf("user = %+v", u)
		}
		if _, err := db.RegisterApplicant(ctx, person("张三", "11010519491231002X"), "13900000002", "hash"); !errors.Is(err, store.ErrPersonTaken) {
			t.Fatalf("same person again: %v", err)
		}
		if _, err := db.RegisterApplicant(ctx, person("李四", "110105194912310038"), "13900000001", "hash"); !errors.Is(err, store.ErrMobileTaken) {
			t.Fatalf("same mobile again: %v", err)
		}
		// The registry knows 110105194912310038 as nobody yet; a holder
		// already in the registry must register under the registry's name.
		if _, err := db.PutHolding(ctx, holding("王五", "110105198001010016")); err != nil {
			t.Fatal(err)
		}
		if _, err := db.RegisterApplicant(ctx, person("王六", "110105198001010016"), "13900000003", "hash"); !errors.Is(err, store.ErrNameMismatch) {
			t.Fatalf("wrong name: %v", err)
		}
		u3, err := db.RegisterApplicant(ctx, person("王五", "110105198001010016"), "13900000003", "hash")
		if err != nil {
			t.Fatal(err)
		}
		h, _ := db.HoldingByIDNumber(ctx, "110105198001010016")
		if u3.HolderID != h.Holder.ID {
			t.Fatalf("account bound to holder %d, registry holder is %d", u3.HolderID, h.Holder.ID)
		}
	})
}

func TestSessionsExpireWhenIdle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		c := newClock(db)
		u, _ := db.RegisterApplicant(ctx, person("张三", "11010519491231002X"), "13900000001", "hash")
		_, hash := auth.NewToken()
		if _, err := db.CreateSession(ctx, u.ID, hash); err != nil {
			t.Fatal(err)
		}
		c.advance(20 * time.Minute)
		if _, got, err := db.SessionUser(ctx, hash, true); err != nil || got.ID != u.ID {
			t.Fatalf("live session: %v", err)
		}
		c.advance(25 * time.Minute) // 25 minutes after the last use: still alive
		if _, _, err := db.SessionUser(ctx, hash, false); err != nil {
			t.Fatalf("session used 25 minutes ago: %v", err)
		}
		c.advance(6 * time.Minute) // untouched poll does not extend: now idle 31 minutes
		if _, _, err := db.SessionUser(ctx, hash, true); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("idle session: err = %v", err)
		}
	})
}

func TestSMSCodesAreSingleUseAndLimited(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		c := newClock(db)
		if err := db.IssueSMSCode(ctx, "13900000001", auth.SMSLogin, "123456"); err != nil {
			t.Fatal(err)
		}
		msgs, _ := db.RecentOutbox(ctx, "13900000001", 5)
		if len(msgs) != 1 || !strings.Contains(msgs[0].Body, "123456") || msgs[0].Status != "pending" {
			t.Fatalf("outbox = %+v", msgs)
		}
		if err := db.UseSMSCode(ctx, "13900000001", auth.SMSRegister, "123456"); !errors.Is(err, store.ErrCodeExpired) {
			t.Fatalf("login code used to register: %v", err)
		}
		if err := db.UseSMSCode(ctx, "13900000001", auth.SMSLogin, "654321"); !errors.Is(err, store.ErrCodeWrong) {
			t.Fatalf("wrong code: %v", err)
		}
		if err := db.UseSMSCode(ctx, "13900000001", auth.SMSLogin, "123456"); err != nil {
			t.Fatalf("right code: %v", err)
		}
		if err := db.UseSMSCode(ctx, "13900000001", auth.SMSLogin, "123456"); !errors.Is(err, store.ErrCodeExpired) {
			t.Fatalf("code used twice: %v", err)
		}
		// Five wrong tries burn a code even if the sixth is right.
		db.IssueSMSCode(ctx, "13900000001", auth.SMSLogin, "111111")
		for range auth.SMSCodeMaxAttempts {
			db.UseSMSCode(ctx, "13900000001", auth.SMSLogin, "000000")
		}
		if err := db.UseSMSCode(ctx, "13900000001", auth.SMSLogin, "111111"); !errors.Is(err, store.ErrCodeExpired) {
			t.Fatalf("code after 5 wrong tries: %v", err)
		}
		db.IssueSMSCode(ctx, "13900000001", auth.SMSLogin, "222222")
		c.advance(auth.SMSCodeTTL + time.Second)
		if err := db.UseSMSCode(ctx, "13900000001", auth.SMSLogin, "222222"); !errors.Is(err, store.ErrCodeExpired) {
			t.Fatalf("expired code: %v", err)
		}
	})
}

func TestRateLimitWindow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		c := newClock(db)
		lim := auth.RateLimit{Max: 3, Window: time.Minute}
		for i := range 3 {
			if ok, err := db.Allow(ctx, "b", lim); err != nil || !ok {
				t.Fatalf("event %d refused: %v", i, err)
			}
		}
		if ok, _ := db.Allow(ctx, "b", lim); ok {
			t.Fatal("4th event allowed")
		}
		if over, _ := db.Exceeded(ctx, "b", lim); !over {
			t.Fatal("Exceeded = false")
		}
		c.advance(61 * time.Second)
		if ok, _ := db.Allow(ctx, "b", lim); !ok {
			t.Fatal("event after the window refused")
		}
	})
}

func TestQRLoginConfirmsOnceForTheRightBrowser(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		c := newClock(db)
		u, _ := db.RegisterApplicant(ctx, person("张三", "11010519491231002X"), "13900000001", "hash")
		_, tok := auth.NewToken()
		_, poll := auth.NewToken()
		if err := db.CreateQRLogin(ctx, tok, poll); err != nil {
			t.Fatal(err)
		}
		if st, _, _ := db.PollQRLogin(ctx, tok, poll); st != store.QRWaiting {
			t.Fatalf("state = %v, want waiting", st)
		}
		if err := db.ConfirmQRLogin(ctx, tok, u.ID); err != nil {
			t.Fatal(err)
		}
		if err := db.ConfirmQRLogin(ctx, tok, u.ID); !errors.Is(err, store.ErrCodeExpired) {
			t.Fatalf("second confirm: %v", err)
		}
		_, other := auth.NewToken()
		if st, _, _ := db.PollQRLogin(ctx, tok, other); st != store.QRExpired {
			t.Fatalf("another browser's poll: %v", st)
		}
		st, uid, _ := db.PollQRLogin(ctx, tok, poll)
		if st != store.QRConfirmed || uid != u.ID {
			t.Fatalf("state %v user %d", st, uid)
		}
		if st, _, _ := db.PollQRLogin(ctx, tok, poll); st != store.QRExpired {
			t.Fatalf("code redeemed twice: %v", st)
		}
		_, tok2 := auth.NewToken()
		db.CreateQRLogin(ctx, tok2, poll)
		c.advance(auth.QRLoginTTL + time.Second)
		if err := db.ConfirmQRLogin(ctx, tok2, u.ID); !errors.Is(err, store.ErrCodeExpired) {
			t.Fatalf("expired code confirmed: %v", err)
		}
	})
}

func TestDeleteExpiredLoginsKeepsWhatIsInUse(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		c := newClock(db)
		count := func(table string) int {
			t.Helper()
			var n int
			if err := store.RawSQL(db).QueryRow(`SELECT COUNT(*) FROM ` + table).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		longest := auth.LongestRateWindow()
		// Made first, so by the end each is older than its keeping time.
		db.CreateQRLogin(ctx, "qr-old", "p1")
		db.IssueSMSCode(ctx, "13900000001", auth.SMSLogin, "111111")
		db.Allow(ctx, "sms:13900000001", auth.SMSPerMobile)
		c.advance(25 * time.Hour)
		// Still in use, or just expired: kept.
		db.CreateQRLogin(ctx, "qr-live", "p2")
		db.IssueSMSCode(ctx, "13900000002", auth.SMSLogin, "222222")
		db.Allow(ctx, "sms:13900000002", auth.SMSPerMobile)
		c.advance(longest - time.Minute)
		db.CreateQRLogin(ctx, "qr-new", "p3")
		db.Allow(ctx, "sms-ip:203.0.113.7", auth.SMSPerIP)

		p, err := db.DeleteExpiredLogins(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if p != (store.LoginsPruned{QRLogins: 1, SMSCodes: 1, RateEvents: 1}) {
			t.Errorf("pruned %+v, want one of each", p)
		}
		if n := count("qr_logins"); n != 2 {
			t.Errorf("%d QR logins left, want the expired-but-recent one and the live one", n)
		}
		if n := count("sms_codes"); n != 1 {
			t.Errorf("%d SMS codes left, want 1", n)
		}
		if n := count("rate_events"); n != 2 {
			t.Errorf("%d rate events left, want 2", n)
		}
		// The event just inside the longest window still counts.
		if over, err := db.Exceeded(ctx, "sms:13900000002", auth.RateLimit{Max: 1, Window: longest}); err != nil || !over {
			t.Errorf("event within the longest window forgotten: %v %v", over, err)
		}
		if st, _, _ := db.PollQRLogin(ctx, "qr-new", "p3"); st != store.QRWaiting {
			t.Errorf("live QR login: %v", st)
		}
	})
}

// A limit that looks back further than events are kept would count too
// few; the store refuses it rather than let more through.
func TestRateLimitLongerThanPruningRefused(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		lim := auth.RateLimit{Max: 3, Window: auth.LongestRateWindow() + time.Second}
		if _, err := db.Allow(ctx, "b", lim); err == nil {
			t.Error("Allow accepted a window longer than the pruning keeps")
		}
		if _, err := db.Exceeded(ctx, "b", lim); err == nil {
			t.Error("Exceeded accepted a window longer than the pruning keeps")
		}
	})
}

// A code has 10⁶ values, so its stored form must not be a plain hash that
// trying them all undoes: it is an HMAC under a server key, the same for
// every instance on the database (generated once, kept in server_keys) or
// derived from OPCERT_SECRET_KEY.
func TestSMSCodeHashIsKeyed(t *testing.T) {
	for _, d := range storetest.Engines() {
		t.Run(string(d), func(t *testing.T) {
			a, b := storetest.Pair(t, d)
			mobile, code := "13900000001", "123456"
			if err := a.IssueSMSCode(ctx, mobile, auth.SMSLogin, code); err != nil {
				t.Fatal(err)
			}
			var stored string
			if err := store.RawSQL(a).QueryRow(`SELECT code_hash FROM sms_codes`).Scan(&stored); err != nil {
				t.Fatal(err)
			}
			sum := sha256.Sum256([]byte(mobile + ":" + code))
			if stored == hex.EncodeToString(sum[:]) || strings.Contains(stored, code) {
				t.Fatalf("code stored as an unkeyed hash: %s", stored)
			}
			var secret string
			if err := store.RawSQL(a).QueryRow(`SELECT secret FROM server_keys WHERE name = 'sms_code'`).Scan(&secret); err != nil || len(secret) != 64 {
				t.Fatalf("generated key %q, %v", secret, err)
			}
			// Another instance checks it with the same key.
			if err := b.UseSMSCode(ctx, mobile, auth.SMSLogin, code); err != nil {
				t.Fatalf("code issued on one instance refused on another: %v", err)
			}

			// With OPCERT_SECRET_KEY the key is derived from it, not read
			// from the table: an instance without it cannot check the code,
			// one with it can.
			secretKey := []byte("an operator's secret of 32 chars!")
			a.SetSecretKey(secretKey)
			if err := a.IssueSMSCode(ctx, "13900000002", auth.SMSRegister, code); err != nil {
				t.Fatal(err)
			}
			if err := b.UseSMSCode(ctx, "13900000002", auth.SMSRegister, code); !errors.Is(err, store.ErrCodeWrong) {
				t.Fatalf("checked without the configured secret: %v", err)
			}
			b.SetSecretKey(secretKey)
			if err := b.UseSMSCode(ctx, "13900000002", auth.SMSRegister, code); err != nil {
				t.Fatalf("checked with the configured secret: %v", err)
			}
		})
	}
}

// Two installations have different keys: the same code for the same
// number is stored differently.
func TestSMSCodeKeysDifferPerDatabase(t *testing.T) {
	hashes := map[string]bool{}
	for range 2 {
		db := storetest.Open(t, store.SQLite)
		if err := db.IssueSMSCode(ctx, "13900000001", auth.SMSLogin, "123456"); err != nil {
			t.Fatal(err)
		}
		var h string
		store.RawSQL(db).QueryRow(`SELECT code_hash FROM sms_codes`).Scan(&h)
		hashes[h] = true
	}
	if len(hashes) != 2 {
		t.Fatal("two databases stored the same code the same way: the key is not per installation")
	}
}

func TestCaptchasAreAnsweredOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 12, 1, 2, 0, 0, 0, time.UTC)
		db.SetClock(func() time.Time { return now })
		for id, exp := range map[string]time.Duration{"a": time.Minute, "b": time.Minute, "old": -time.Second} {
			if err := db.NewCaptcha(ctx, id, "123456", now.Add(exp)); err != nil {
				t.Fatal(err)
			}
		}
		if got, err := db.CaptchaAnswer(ctx, "a"); got != "123456" || err != nil {
			t.Fatalf("answer: %q %v", got, err)
		}
		for _, c := range []struct {
			id, answer string
			ok         bool
		}{{"a", "123456", true}, {"a", "123456", false}, {"b", "654321", false}, {"b", "123456", false}, {"old", "123456", false}, {"none", "", false}} {
			if ok, err := db.SolveCaptcha(ctx, c.id, c.answer); ok != c.ok || err != nil {
				t.Errorf("%s %s: %v %v, want %v", c.id, c.answer, ok, err, c.ok)
			}
		}
		if _, err := db.CaptchaAnswer(ctx, "old"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("expired captcha: %v", err)
		}
	})
}

func TestLoginFailuresCountedPerAccountClientAndPair(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 12, 1, 2, 0, 0, 0, time.UTC)
		db.SetClock(func() time.Time { return now })
		for _, f := range [][2]string{{"user:1", "a"}, {"user:1", "a"}, {"user:1", "b"}, {"user:2", "a"}} {
			if err := db.RecordLoginFailure(ctx, f[0], f[1]); err != nil {
				t.Fatal(err)
			}
			now = now.Add(time.Second)
		}
		got, err := db.LoginFailures(ctx, "user:1", "a")
		if err != nil {
			t.Fatal(err)
		}
		if got.Account != 3 || got.Client != 3 || got.Pair != 2 || !got.LastTry.Equal(now.Add(-3*time.Second)) {
			t.Fatalf("failures %+v", got)
		}
		if err := db.ClearLoginFailures(ctx, "user:1", "b"); err != nil {
			t.Fatal(err)
		}
		if got, _ = db.LoginFailures(ctx, "user:1", "a"); got.Account != 0 || got.Pair != 2 || got.Client != 3 {
			t.Fatalf("after the owner's login: %+v", got)
		}
		now = now.Add(auth.LoginFailureWindow)
		if got, _ = db.LoginFailures(ctx, "user:1", "a"); got.Account+got.Client+got.Pair != 0 {
			t.Fatalf("past the window: %+v", got)
		}
	})
}

// A proven holder takes their number back: the account bound to it is
// disabled and unbound, its sessions end, its mobile is told and the change
// is audited, all in the registration's transaction.
func TestReclaimApplicant(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		newClock(db)
		h := person("张三", "11010519491231002X")
		h.Mobile = "13900000009"
		if _, err := db.PutHolding(ctx, registry.Holding{Holder: h, Certificates: []registry.Certificate{{Number: h.IDNumber, Items: []registry.Item{{
			Ref: catalog.OldRef("Q8"), IssuedBy: "徐汇区市场监督管理局", ApprovedOn: civil.MustParse("2022-12-01"), ValidUntil: civil.MustParse("2026-11-30"), Status: registry.ItemValid}}}}}); err != nil {
			t.Fatal(err)
		}
		claim, err := db.HolderClaim(ctx, h.IDType, h.IDNumber)
		if err != nil || claim != (store.HolderClaim{Known: true, Name: "张三", Mobile: "13900000009", Holds: true}) {
			t.Fatalf("claim %+v %v", claim, err)
		}
		old, err := db.RegisterApplicant(ctx, h, "13900000001", "hash")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.CreateSession(ctx, old.ID, "session-hash"); err != nil {
			t.Fatal(err)
		}
		if claim, _ = db.HolderClaim(ctx, h.IDType, h.IDNumber); !claim.Account {
			t.Fatalf("claim after registration %+v", claim)
		}
		if _, err := db.ReclaimApplicant(ctx, person("张三", "11010519491231002X"), "13900000001", "hash", store.Reclaim{}); !errors.Is(err, store.ErrMobileTaken) {
			t.Fatalf("reclaim with the stopped account's mobile: %v", err)
		}
		u, err := db.ReclaimApplicant(ctx, person("张三", "11010519491231002X"), "13900000009", "hash2",
			store.Reclaim{Notice: "已停用", Audit: audit.Entry{ActorRole: "applicant", Action: "account_reclaimed"}})
		if err != nil || u.HolderID == 0 {
			t.Fatalf("reclaim: %+v %v", u, err)
		}
		stopped, err := db.UserByLogin(ctx, "13900000001")
		if err != nil || !stopped.Disabled || stopped.HolderID != 0 {
			t.Fatalf("old account %+v %v", stopped, err)
		}
		if _, _, err := db.SessionUser(ctx, "session-hash", false); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("old session: %v", err)
		}
		msgs, _ := db.RecentOutbox(ctx, "13900000001", 1)
		if len(msgs) != 1 || msgs[0].Topic != "account_reclaimed" {
			t.Fatalf("old mobile told: %+v", msgs)
		}
		entries, _ := db.AuditEntries(ctx, fmt.Sprintf("user:%d", old.ID), 5)
		if len(entries) != 1 || entries[0].Action != "account_reclaimed" {
			t.Fatalf("audit %+v", entries)
		}
	})
}
