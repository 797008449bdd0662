package store_test

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"testing"
	"time"

	"opcert/internal/audit"
	"opcert/internal/auth"
	"opcert/internal/authority"
	"opcert/internal/catalog"
	"opcert/internal/civil"
	"opcert/internal/enterprise"
	"opcert/internal/registry"
	"opcert/internal/store"
	"opcert/internal/store/storetest"
)

var ctx = context.Background()

func item(ref catalog.ItemRef, until string) registry.Item {
	u := civil.MustParse(until)
	return registry.Item{Ref: ref, IssuedBy: "徐汇区市场监督管理局", ApprovedOn: u.AddYears(-4).AddDays(1), ValidUntil: u, Status: registry.ItemValid}
}

func holding(name, id string, items ...registry.Item) registry.Holding {
	return registry.Holding{
		Holder:       registry.Holder{Name: name, IDType: registry.IDResident, IDNumber: id, Sex: "男", BirthDate: civil.MustParse("1949-12-31")},
		Certificates: []registry.Certificate{{Number: id, Items: items}},
	}
}

var (
	oldQ2 = catalog.OldRef("Q2")
	newQ2 = catalog.NewRef(catalog.Qualification{Code: "Q2", Limit: "限流动式起重机"})
	oldQ8 = catalog.OldRef("Q8")
)

func TestMigrateIsIdempotent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		applied, err := db.Migrate(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(applied) != 0 {
			t.Fatalf("second migrate applied %v, want nothing", applied)
		}
	})
}

func TestHoldingRoundTripKeepsEditionsApart(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := holding("张三", "11010519491231002X", item(oldQ8, "2027-01-31"), item(oldQ2, "2026-12-31"), item(newQ2, "2029-02-28"))
		h.Certificates[0].Items[0].WeldCode = ""
		if _, err := db.PutHolding(ctx, h); err != nil {
			t.Fatal(err)
		}
		got, err := db.HoldingByIDNumber(ctx, "11010519491231002X")
		if err != nil {
			t.Fatal(err)
		}
		if got.Holder.Name != "张三" || got.Holder.BirthDate != civil.MustParse("1949-12-31") {
			t.Errorf("holder = %+v", got.Holder)
		}
		items := got.Items()
		if len(items) != 3 {
			t.Fatalf("items = %d, want 3", len(items))
		}
		want := []catalog.ItemRef{oldQ8, oldQ2, newQ2}
		for i, it := range items {
			if it.Ref != want[i] {
				t.Errorf("item %d ref = %s, want %s", i, it.Ref, want[i])
			}
		}
		if items[1].Ref == items[2].Ref {
			t.Error("old Q2 and new Q2 came back equal")
		}
		if items[2].ValidUntil != civil.MustParse("2029-02-28") || items[2].ApprovedOn != civil.MustParse("2025-03-01") {
			t.Errorf("dates = %s..%s", items[2].ApprovedOn, items[2].ValidUntil)
		}
	})
}

func TestHoldingNotFound(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		_, err := db.HoldingByIDNumber(ctx, "11010519491231002X")
		if !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("err = %v, want ErrNotFound", err)
		}
	})
}

// Seed 000, 复审 checklist b: a certificate whose number is not the holder's
// 证件号码 must still be found, and be recognisable as such.
func TestCertificateNumberDiffersFromIDNumber(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := holding("李四", "11010519491231002X", item(oldQ8, "2027-01-31"))
		h.Certificates[0].Number = "110105194912310021"
		if _, err := db.PutHolding(ctx, h); err != nil {
			t.Fatal(err)
		}
		got, err := db.HoldingByIDNumber(ctx, "11010519491231002X")
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Certificates) != 1 || !got.NumberDiffers() {
			t.Fatalf("got %+v, want one certificate flagged as differing", got.Certificates)
		}
	})
}

// The look-up by 证件号码 returns the holder with every certificate of
// theirs and any certificate numbered with the 证件号码 (a 2019-format
// certificate's number is the holder's 证件号码), each in the order it was
// registered with its items and their endings; a certificate alone is
// found without a holder, a holder without certificates alone.
func TestHoldingLookUpFindsEveryCertificateOfTheNumber(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := holding("周九", "11010519491231002X", item(oldQ8, "2027-01-31"), item(newQ2, "2029-02-28"))
		a.Certificates[0].Number = "TS-OLD-1"
		a.Certificates = append(a.Certificates, registry.Certificate{Number: "TS-OLD-2", ArchiveNo: "TS2001", Items: []registry.Item{item(oldQ2, "2026-12-31")}})
		a, err := db.PutHolding(ctx, a)
		if err != nil {
			t.Fatal(err)
		}
		// Another person's record carries 周九's 证件号码 as its number.
		b := holding("吴十", "110105194912310037", item(oldQ8, "2025-01-31"))
		b.Certificates[0].Number = "11010519491231002X"
		if _, err := db.PutHolding(ctx, b); err != nil {
			t.Fatal(err)
		}
		if _, err := db.PutHolding(ctx, registry.Holding{Holder: registry.Holder{Name: "郑一", IDType: registry.IDResident, IDNumber: "110105194912310045"}}); err != nil {
			t.Fatal(err)
		}
		ended := a.Certificates[1].Items[0].ID
		e := registry.Ending{Kind: registry.Revoke, Reason: "以欺骗手段取得", Basis: "《行政许可法》第六十九条第二款", On: civil.MustParse("2026-11-20")}
		if err := db.EndItem(ctx, ended, e, 0, audit.Entry{Action: "end_item_revoke"}); err != nil {
			t.Fatal(err)
		}

		got, err := db.HoldingByIDNumber(ctx, "11010519491231002X")
		if err != nil {
			t.Fatal(err)
		}
		if got.Holder.ID != a.Holder.ID || got.Holder.Name != "周九" || got.Holder.IDNumber != "11010519491231002X" || got.Holder.Sex != "男" ||
			got.Holder.IDType != registry.IDResident || got.Holder.BirthDate != civil.MustParse("1949-12-31") {
			t.Errorf("holder = %+v", got.Holder)
		}
		var numbers []string
		for _, c := range got.Certificates {
			numbers = append(numbers, c.Number)
		}
		if strings.Join(numbers, " ") != "TS-OLD-1 TS-OLD-2 11010519491231002X" {
			t.Fatalf("certificates %v, want 周九's two in order, then the one numbered with the 证件号码", numbers)
		}
		if c := got.Certificates[0]; len(c.Items) != 2 || c.Items[0].Ref != oldQ8 || c.Items[1].Ref != newQ2 || c.Items[0].ID > c.Items[1].ID {
			t.Errorf("first certificate's items: %+v", c.Items)
		}
		if c := got.Certificates[1]; c.ArchiveNo != "TS2001" || len(c.Items) != 1 || c.Items[0].Ending == nil || *c.Items[0].Ending != e ||
			c.Items[0].Status != registry.ItemRevoked {
			t.Errorf("second certificate: %+v", c)
		}

		// A number only a certificate carries: no holder.
		byNumber, err := db.HoldingByIDNumber(ctx, "TS-OLD-1")
		if err != nil || byNumber.Holder.ID != 0 || len(byNumber.Certificates) != 1 || len(byNumber.Certificates[0].Items) != 2 {
			t.Errorf("by a certificate's number: %+v, %v", byNumber, err)
		}
		bare, err := db.HoldingByIDNumber(ctx, "110105194912310045")
		if err != nil || bare.Holder.Name != "郑一" || len(bare.Certificates) != 0 {
			t.Errorf("holder without certificates: %+v, %v", bare, err)
		}
	})
}

func TestImportIsAllOrNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		if _, err := db.PutHolding(ctx, holding("王五", "11010519491231002X", item(oldQ8, "2027-01-31"))); err != nil {
			t.Fatal(err)
		}
		good := holding("赵六", "110105194912310037", item(newQ2, "2028-01-31"))
		// Claims 王五's certificate number: must fail the whole import.
		thief := holding("钱七", "110105194912310045", item(newQ2, "2028-01-31"))
		thief.Certificates[0].Number = "11010519491231002X"
		_, err := db.ImportHoldings(ctx, []registry.Holding{good, thief})
		if err == nil || !strings.Contains(err.Error(), "另一位持证人") {
			t.Fatalf("err = %v, want refusal naming the other holder", err)
		}
		if _, err := db.HoldingByIDNumber(ctx, "110105194912310037"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("good holder of a failed import was written (err = %v)", err)
		}
		n, _ := db.CountHolders(ctx)
		if n != 1 {
			t.Fatalf("holders = %d, want 1", n)
		}
	})
}

func TestReimportReplacesItems(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := holding("孙八", "11010519491231002X", item(oldQ8, "2027-01-31"), item(newQ2, "2028-01-31"))
		for range 2 {
			st, err := db.ImportHoldings(ctx, []registry.Holding{h})
			if err != nil {
				t.Fatal(err)
			}
			if st.Items != 2 {
				t.Fatalf("stats = %+v", st)
			}
		}
		got, _ := db.HoldingByIDNumber(ctx, "11010519491231002X")
		if len(got.Items()) != 2 {
			t.Fatalf("after re-import: %d items, want 2", len(got.Items()))
		}
	})
}

func TestImportRejectsInvalidHoldingBeforeWriting(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		bad := holding("", "11010519491231002X", item(oldQ8, "2027-01-31"))
		if _, err := db.ImportHoldings(ctx, []registry.Holding{bad}); err == nil || !strings.Contains(err.Error(), "姓名") {
			t.Fatalf("err = %v, want a message about 姓名", err)
		}
	})
}

func TestUsers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		if err := db.PutAuthorities(ctx, authority.Shanghai(catalog.Default())); err != nil {
			t.Fatal(err)
		}
		u := auth.User{Login: "officer-310104", Name: "徐汇受理员", Role: auth.RoleOfficer, PasswordHash: "x", AuthorityCode: "310104"}
		created, err := db.CreateUser(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.CreateUser(ctx, u); !errors.Is(err, store.ErrDuplicate) {
			t.Fatalf("duplicate login: err = %v", err)
		}
		got, err := db.UserByLogin(ctx, "officer-310104")
		if err != nil {
			t.Fatal(err)
		}
		if got.ID != created.ID || got.AuthorityCode != "310104" || got.Role != auth.RoleOfficer || got.Disabled {
			t.Fatalf("got %+v", got)
		}
		if _, err := db.UserByLogin(ctx, "nobody"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("err = %v", err)
		}
		bad := auth.User{Login: "o2", Name: "x", Role: auth.RoleOfficer, PasswordHash: "x", AuthorityCode: "999999"}
		if _, err := db.CreateUser(ctx, bad); err == nil {
			t.Fatal("officer of an unknown authority was created")
		}
	})
}

func TestAuthoritiesAndEnterprises(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		if err := db.PutAuthorities(ctx, authority.Shanghai(catalog.Default())); err != nil {
			t.Fatal(err)
		}
		as, err := db.Authorities(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(as) != 16 || as[0].Name != "黄浦区市场监督管理局" {
			t.Fatalf("authorities = %d, first %+v", len(as), as[0])
		}
		e := enterprise.Enterprise{CreditCode: "91350100M000100Y43", Name: "示例企业", Address: "上海市徐汇区漕溪北路88号", DistrictCode: "310104"}
		if err := db.PutEnterprises(ctx, []enterprise.Enterprise{e}); err != nil {
			t.Fatal(err)
		}
		dir := db.Enterprises()
		if got, err := dir.ByName(ctx, "示例企业"); err != nil || got != e {
			t.Fatalf("ByName = %+v, %v", got, err)
		}
		if got, err := dir.ByCreditCode(ctx, e.CreditCode); err != nil || got != e {
			t.Fatalf("ByCreditCode = %+v, %v", got, err)
		}
		if _, err := dir.ByName(ctx, "不存在的企业"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestHolidayYears(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		if err := db.PutHolidayYear(ctx, 2027, []byte(`{"year":2027}`), "cli"); err != nil {
			t.Fatal(err)
		}
		if err := db.PutHolidayYear(ctx, 2027, []byte(`{"year":2027,"source":"新"}`), "cli"); err != nil {
			t.Fatal(err)
		}
		ys, err := db.HolidayYears(ctx)
		if err != nil || len(ys) != 1 || !strings.Contains(string(ys[0]), "新") {
			t.Fatalf("years = %q, %v", ys, err)
		}
	})
}

// Every commit is synced (synchronous = FULL, 2): an acknowledged
// submission survives a power cut, not only a crash of the process.
func TestSQLiteCommitsAreDurable(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	for name, conn := range map[string]*sql.DB{"writer": store.RawWriter(db), "readers": store.RawSQL(db)} {
		var mode int
		if err := conn.QueryRow(`PRAGMA synchronous`).Scan(&mode); err != nil {
			t.Fatal(err)
		}
		if mode != 2 {
			t.Errorf("%s: synchronous = %d, want 2 (FULL)", name, mode)
		}
	}
}

// The public query's look-ups read the asker's misses of the last hour
// (auth.QueryMissWindow) from their address and about the name, found or
// not, by 证件号码 and by certificate number alike.
func TestPublicQueryLookUpsCountTheAskersMisses(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		if _, err := db.PutHolding(ctx, holding("王五", "11010519491231002X", item(oldQ8, "2027-01-31"))); err != nil {
			t.Fatal(err)
		}
		now := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
		db.SetClock(func() time.Time { return now })
		for _, m := range []struct{ client, name string }{{"198.18.0.1", "王五"}, {"198.18.0.1", "李四"}, {"198.18.0.2", "王五"}} {
			if err := db.RecordQueryMiss(ctx, m.client, m.name); err != nil {
				t.Fatal(err)
			}
		}
		now = now.Add(59 * time.Minute)
		if err := db.RecordQueryMiss(ctx, "198.18.0.1", "赵六"); err != nil {
			t.Fatal(err)
		}
		asker := store.Asker{Client: "198.18.0.1", Name: "王五"}
		h, m, err := db.HoldingForQuery(ctx, "11010519491231002X", asker)
		if err != nil || h.Holder.Name != "王五" || len(h.Items()) != 1 || m != (store.QueryMisses{ByClient: 3, ByName: 2}) {
			t.Errorf("by 证件号码: %+v, %+v, %v", h.Holder, m, err)
		}
		if _, m, err := db.HoldingForQuery(ctx, "110105194912310037", asker); !errors.Is(err, store.ErrNotFound) || m.ByClient != 3 {
			t.Errorf("by an unknown 证件号码: %+v, %v", m, err)
		}
		h, m, err = db.HoldingByCertificateForQuery(ctx, "11010519491231002X", asker)
		if err != nil || h.Holder.Name != "王五" || m != (store.QueryMisses{ByClient: 3, ByName: 2}) {
			t.Errorf("by certificate number: %+v, %+v, %v", h.Holder, m, err)
		}
		if _, m, err := db.HoldingByCertificateForQuery(ctx, "TS9999", asker); !errors.Is(err, store.ErrNotFound) || m.ByName != 2 {
			t.Errorf("by an unknown certificate number: %+v, %v", m, err)
		}
		// An hour after the first three, only the last miss counts.
		now = now.Add(2 * time.Minute)
		if _, m, err := db.HoldingForQuery(ctx, "11010519491231002X", asker); err != nil || m != (store.QueryMisses{ByClient: 1, ByName: 0}) {
			t.Errorf("an hour later: %+v, %v", m, err)
		}
	})
}
