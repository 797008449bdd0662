package store_test

import (
	"path/filepath"
	"strings"
	"testing"

	"opcert/internal/audit"
	"opcert/internal/registry"
	"opcert/internal/sealed"
	"opcert/internal/store"
	"opcert/internal/store/storetest"
)

// columnValues reads one text column of every row of table, in id order.
func columnValues(t *testing.T, db *store.DB, table, col string) []string {
	t.Helper()
	rows, err := store.QueryForTest(db, `SELECT `+col+` FROM `+table+` ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
		out = append(out, v)
	}
	return out
}

func sealedUnder(t *testing.T, db *store.DB, key string) {
	t.Helper()
	columnsSealedUnder(t, db, key, [2]string{"holders", "id_number"}, [2]string{"holders", "mobile"}, [2]string{"certificates", "number"})
}

// columnsSealedUnder checks that every value of the columns (table, column)
// is sealed with key or empty.
func columnsSealedUnder(t *testing.T, db *store.DB, key string, columns ...[2]string) {
	t.Helper()
	for _, tc := range columns {
		for _, v := range columnValues(t, db, tc[0], tc[1]) {
			if id, ok := sealed.KeyID(v); v != "" && (!ok || id != key) {
				t.Errorf("%s.%s holds %q, want a value sealed with %s", tc[0], tc[1], v, key)
			}
		}
	}
}

func personalHolding() registry.Holding {
	h := holding("张三", "11010519491231002X", item(oldQ8, "2027-01-31"))
	h.Holder.Mobile = "13812345678"
	return h
}

// What the registry keeps of a person is sealed, and every way of finding
// them still does: by 证件号码 (any case of its X), by certificate number,
// at registration (HolderClaim).
func TestPersonalDataSealedAndFound(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		if _, err := db.ImportHoldings(ctx, []registry.Holding{personalHolding()}); err != nil {
			t.Fatal(err)
		}
		sealedUnder(t, db, "k1")
		if found := storetest.InClear(t, db, []string{"11010519491231002", "13812345678"}, nil); len(found) > 0 {
			t.Errorf("in clear: %v", found)
		}
		for _, id := range []string{"11010519491231002X", "11010519491231002x"} {
			got, err := db.HoldingByIDNumber(ctx, id)
			if err != nil || got.Holder.IDNumber != "11010519491231002X" || len(got.Certificates) != 1 || got.Certificates[0].Number != "11010519491231002X" {
				t.Errorf("HoldingByIDNumber(%s) = %+v, %v", id, got, err)
			}
		}
		if got, err := db.HoldingByCertificateNumber(ctx, "11010519491231002X"); err != nil || got.Holder.Name != "张三" {
			t.Errorf("HoldingByCertificateNumber = %+v, %v", got, err)
		}
		c, err := db.HolderClaim(ctx, registry.IDResident, "11010519491231002X")
		if err != nil || !c.Known || c.Mobile != "13812345678" || !c.Holds {
			t.Errorf("HolderClaim = %+v, %v", c, err)
		}
		// Importing the person again updates them rather than adding another.
		if _, err := db.ImportHoldings(ctx, []registry.Holding{personalHolding()}); err != nil {
			t.Fatal(err)
		}
		if n, _ := db.CountHolders(ctx); n != 1 {
			t.Errorf("%d holders after importing one person twice", n)
		}
		// A value altered in the database is refused, not shown.
		storetest.Exec(t, db, `UPDATE holders SET id_number = 'v1:k1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'`)
		if _, err := db.HoldingByIDNumber(ctx, "11010519491231002X"); err == nil {
			t.Error("an altered 证件号码 was read")
		}
	})
}

// Rows written in clear (before sealing existed) are sealed when the
// service starts, and found afterwards; the sweep is recorded, and a later
// start does not read the registry again.
func TestPlainRowsSealedAtStart(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		storetest.Exec(t, db, `INSERT INTO holders (id_type, id_number, name, mobile, created_at) VALUES ('居民身份证', '31010419800101001X', '李四', '13900000001', CURRENT_TIMESTAMP)`)
		storetest.Exec(t, db, `INSERT INTO certificates (holder_id, number, archive_no, created_at) SELECT id, '31010419800101001X', '', CURRENT_TIMESTAMP FROM holders`)
		// As a database from before sealing: no sweep on record.
		storetest.Exec(t, db, `DELETE FROM personal_data_sweeps`)
		if _, err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		sealedUnder(t, db, "k1")
		// Recorded: a row put in clear behind the service's back now stays
		// as it is at the next start (the service itself never writes one).
		storetest.Exec(t, db, `UPDATE holders SET mobile = '13900000002'`)
		if _, err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		if m := columnValues(t, db, "holders", "mobile"); len(m) != 1 || m[0] != "13900000002" {
			t.Errorf("a start after a recorded sweep swept again: %q", m)
		}
		storetest.Exec(t, db, `UPDATE holders SET mobile = '13900000001'`)
		storetest.Exec(t, db, `DELETE FROM personal_data_sweeps`)
		if _, err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		sealedUnder(t, db, "k1")
		got, err := db.HoldingByIDNumber(ctx, "31010419800101001X")
		if err != nil || got.Holder.Name != "李四" || len(got.Certificates) != 1 {
			t.Errorf("HoldingByIDNumber = %+v, %v", got, err)
		}
		if c, _ := db.HolderClaim(ctx, registry.IDResident, "31010419800101001X"); c.Mobile != "13900000001" {
			t.Errorf("mobile on record = %q", c.Mobile)
		}
	})
}

// A new data key (here SM4-GCM, as a move to 商用密码 is made) seals new
// values at once; values of the old key are read until re-sealed, then
// everything is under the new key and still found.
func TestRotateDataKey(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		if _, err := db.ImportHoldings(ctx, []registry.Holding{personalHolding()}); err != nil {
			t.Fatal(err)
		}
		db.SetDataCipher(sealed.SM4GCM)
		id, err := db.RotateDataKey(ctx, audit.Entry{ActorRole: "operator"})
		if err != nil || id != "k2" {
			t.Fatalf("RotateDataKey = %q, %v", id, err)
		}
		other := holding("王五", "31010419800101002X", item(oldQ8, "2027-01-31"))
		if _, err := db.ImportHoldings(ctx, []registry.Holding{other}); err != nil {
			t.Fatal(err)
		}
		ids := columnValues(t, db, "holders", "id_number")
		if k, _ := sealed.KeyID(ids[0]); k != "k1" {
			t.Errorf("the old row is under %s before re-sealing", k)
		}
		if k, _ := sealed.KeyID(ids[1]); k != "k2" {
			t.Errorf("the new row is under %s", k)
		}
		if got, err := db.HoldingByIDNumber(ctx, "11010519491231002X"); err != nil || got.Holder.Name != "张三" {
			t.Errorf("before re-sealing: %+v, %v", got, err)
		}
		n, err := db.ResealPersonalData(ctx, nil)
		if err != nil || n != 3 { // the old row's 证件号码 and mobile, its certificate's number
			t.Errorf("ResealPersonalData = %d, %v; want 3", n, err)
		}
		sealedUnder(t, db, "k2")
		if n, err := db.ResealPersonalData(ctx, nil); err != nil || n != 0 {
			t.Errorf("second ResealPersonalData = %d, %v; want 0", n, err)
		}
		for _, h := range []registry.Holding{personalHolding(), other} {
			got, err := db.HoldingByIDNumber(ctx, h.Holder.IDNumber)
			if err != nil || got.Holder.Name != h.Holder.Name || got.Certificates[0].Number != h.Holder.IDNumber {
				t.Errorf("after re-sealing: %+v, %v", got, err)
			}
		}
		if c, _ := db.HolderClaim(ctx, registry.IDResident, "11010519491231002X"); c.Mobile != "13812345678" {
			t.Errorf("mobile after re-sealing = %q", c.Mobile)
		}
	})
}

// Data sealed under keys derived from OPCERT_SECRET_KEY cannot be opened
// without it: the service refuses to start with another or none, saying
// why, instead of failing at the first read.
func TestWrongSecretKeyRefusedAtStart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "opcert.db")
	open := func(secret string) (*store.DB, error) {
		db, err := store.Open(ctx, "", path)
		if err != nil {
			t.Fatal(err)
		}
		if secret != "" {
			db.SetSecretKey([]byte(secret))
		}
		_, err = db.Migrate(ctx)
		return db, err
	}
	db, err := open(strings.Repeat("a", 32))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.ImportHoldings(ctx, []registry.Holding{personalHolding()}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	for _, secret := range []string{strings.Repeat("b", 32), ""} {
		db, err := open(secret)
		db.Close()
		if err == nil || !strings.Contains(err.Error(), "OPCERT_SECRET_KEY") {
			t.Errorf("secret %q: start = %v, want a refusal naming OPCERT_SECRET_KEY", secret, err)
		}
	}
	db, err = open(strings.Repeat("a", 32))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if got, err := db.HoldingByIDNumber(ctx, "11010519491231002X"); err != nil || got.Holder.Name != "张三" {
		t.Errorf("with the right secret: %+v, %v", got, err)
	}
}
