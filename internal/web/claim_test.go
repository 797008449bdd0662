package web_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"opcert/internal/auth"
	"opcert/internal/casework"
	"opcert/internal/catalog"
	"opcert/internal/civil"
	"opcert/internal/demo"
	"opcert/internal/registry"
	"opcert/internal/store"
	"opcert/internal/store/storetest"
	"opcert/internal/web"
)

// newClaimServer is the demo service with the demo's 实名核验.
func newClaimServer(t *testing.T) (*httptest.Server, *store.DB, demo.Data) {
	t.Helper()
	db := storetest.Open(t, store.SQLite)
	cat := catalog.Default()
	if _, _, err := demo.Load(context.Background(), db, cat, today); err != nil {
		t.Fatal(err)
	}
	d := demo.Build(cat, today)
	days := func() civil.Date { return today }
	files := testFiles(t)
	cases := casework.New(casework.Options{Store: db, Catalog: cat, Today: days, Log: scannedLogger(t), Files: files, RealName: d.RealName()})
	s, err := web.New(web.Options{Store: db, Catalog: cat, Logger: scannedLogger(t), Today: days, Demo: true, Files: files, Cases: cases})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return srv, db, d
}

// register fills in the registration form as a person would: the code
// asked for, then read from the SMS that reached mobile.
func register(t *testing.T, b *browser, db *store.DB, name, id, mobile string) (*http.Response, string) {
	t.Helper()
	f := url.Values{"name": {name}, "id_type": {"居民身份证"}, "id_number": {id}, "mobile": {mobile}, "password": {"Newpass2026"}, "password2": {"Newpass2026"}}
	f.Set("action", "send_code")
	b.post("/register", f)
	f.Set("action", "register")
	f.Set("code", latestCode(t, db, mobile))
	return b.post("/register", f)
}

func holderOf(t *testing.T, d demo.Data, name string) registry.Holder {
	t.Helper()
	for _, h := range d.Holdings {
		if h.Holder.Name == name {
			return h.Holder
		}
	}
	t.Fatalf("no demo holder %s", name)
	return registry.Holder{}
}

// Knowing a holder's name and ID number is not being them: a registration
// naming a person the registry holds must receive its code at the mobile on
// record, or pass a 实名核验 of its own mobile.
func TestRegistrationMustProveTheHolder(t *testing.T) {
	srv, db, d := newClaimServer(t)
	zhou, sun := holderOf(t, d, "周芳"), holderOf(t, d, "孙磊")
	for _, c := range []struct {
		who, name, id, mobile string
		want                  []string
	}{
		{"stranger with 周芳's number", zhou.Name, zhou.IDNumber, "13911112222",
			[]string{"手机号：该证件号码已登记为持证人", "持证记录中登记的手机号 139****0008"}},
		{"stranger with 孙磊's number", sun.Name, sun.IDNumber, "13911112223",
			[]string{"手机号：该证件号码已登记为持证人", "实名核验未通过"}},
	} {
		resp, body := register(t, newBrowser(t, srv), db, c.name, c.id, c.mobile)
		if resp.StatusCode != http.StatusForbidden {
			t.Fatalf("%s: %d", c.who, resp.StatusCode)
		}
		mustContain(t, body, append([]string{"请修改以下内容", `value="` + c.id + `"`}, c.want...)...)
		if _, err := db.UserByMobile(context.Background(), c.mobile); err == nil {
			t.Fatalf("%s: an account was made", c.who)
		}
	}
	// The holders themselves: 周芳 at the mobile on record, 孙磊 with the
	// mobile the carrier has in his name.
	for _, c := range []struct{ name, id, mobile string }{{zhou.Name, zhou.IDNumber, demo.ZhouFangMobile}, {sun.Name, sun.IDNumber, demo.SunLeiMobile}} {
		b := newBrowser(t, srv)
		if resp, body := register(t, b, db, c.name, c.id, c.mobile); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("%s: %d\n%s", c.name, resp.StatusCode, body)
		}
		_, body := b.get("/")
		mustContain(t, body, "您好，"+c.name)
	}
	// Someone the registry does not hold (a 新办 applicant) needs no proof.
	if resp, _ := register(t, newBrowser(t, srv), db, "周新", "110105198001010016", "13912345678"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("a new person: %d", resp.StatusCode)
	}
}

// An account made by someone else for a holder (before the proof was
// asked, or at a counter by mistake) is taken back by the holder's proven
// registration: the old account stops at once and is told.
func TestHolderReclaimsTheirNumber(t *testing.T) {
	srv, db, d := newClaimServer(t)
	ctx := context.Background()
	zhou := holderOf(t, d, "周芳")
	squatter := "13966667777"
	if _, err := db.RegisterApplicant(ctx, registry.Holder{Name: zhou.Name, IDType: zhou.IDType, IDNumber: zhou.IDNumber}, squatter, mustHash(t)); err != nil {
		t.Fatal(err)
	}
	impostor := newBrowser(t, srv)
	if resp, _ := impostor.post("/login/password", url.Values{"login": {squatter}, "password": {"Newpass2026"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("squatter login: %d", resp.StatusCode)
	}
	// Without proof nobody takes the number from the account, not even
	// another stranger.
	resp, body := register(t, newBrowser(t, srv), db, zhou.Name, zhou.IDNumber, "13911112222")
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("unproven reclaim: %d", resp.StatusCode)
	}
	mustContain(t, body, "确认为本人后，以该证件注册的原账号将停用")

	owner := newBrowser(t, srv)
	if resp, body := register(t, owner, db, zhou.Name, zhou.IDNumber, demo.ZhouFangMobile); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("the holder's registration: %d\n%s", resp.StatusCode, body)
	}
	_, body = owner.get("/")
	mustContain(t, body, "您好，周芳")
	// The old account's session has ended and it cannot log in again.
	if _, body := impostor.get("/applications"); strings.Contains(body, "您好") {
		t.Fatal("the stopped account is still logged in")
	}
	if resp, _ := newBrowser(t, srv).post("/login/password", url.Values{"login": {squatter}, "password": {"Newpass2026"}}); resp.StatusCode == http.StatusSeeOther {
		t.Fatal("the stopped account logs in with its password")
	}
	sms := newBrowser(t, srv)
	sms.post("/login/sms", url.Values{"mobile": {squatter}, "action": {"send_code"}})
	msgs, _ := db.RecentOutbox(ctx, squatter, 5)
	var told bool
	for _, m := range msgs {
		told = told || (m.Topic == "account_reclaimed" && strings.Contains(m.Body, "原先以该证件注册的账号已停用") && !strings.Contains(m.Body, zhou.IDNumber))
	}
	if !told {
		t.Fatalf("the old account was not told: %+v", msgs)
	}
	// No login code goes to a stopped account; one sent before it stopped
	// does not let it in.
	if code := latestCodeOrEmpty(db, squatter); code != "" {
		t.Fatalf("a login code went to the stopped account: %s", code)
	}
	if err := db.IssueSMSCode(ctx, squatter, auth.SMSLogin, "123456"); err != nil {
		t.Fatal(err)
	}
	resp, body = sms.post("/login/sms", url.Values{"mobile": {squatter}, "code": {"123456"}, "action": {"login"}})
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("the stopped account by SMS: %d", resp.StatusCode)
	}
	mustContain(t, body, "该账号已停用")
	entries, err := db.AuditEntriesFrom(ctx, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	var audited bool
	for _, e := range entries {
		audited = audited || e.Action == "account_reclaimed"
	}
	if !audited {
		t.Fatal("no audit entry for the reclaim")
	}
}

func mustHash(t *testing.T) string {
	t.Helper()
	h, err := auth.HashPassword("Newpass2026")
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// latestCodeOrEmpty is the newest code sent to mobile, "" if none was.
func latestCodeOrEmpty(db *store.DB, mobile string) string {
	msgs, err := db.RecentOutbox(context.Background(), mobile, 1)
	if err != nil || len(msgs) == 0 {
		return ""
	}
	if m := codeRE.FindStringSubmatch(msgs[0].Body); m != nil {
		return m[1]
	}
	return ""
}
