package store_test

import (
	"errors"
	"strings"
	"testing"

	"opcert/internal/audit"
	"opcert/internal/enterprise"
	"opcert/internal/sealed"
	"opcert/internal/store"
	"opcert/internal/store/storetest"
)

// A welder's registration, a 单位's upload and profile, as the 焊工报名 pages
// and the 单位 pages write them.
const (
	welderID     = "11010519491231002X"
	welderMobile = "13812340001"
	batchID      = "310107197001010115"
	batchMobile  = "13900000001"
	unitPhone    = "13912340000"
)

var (
	welderForm = `{"kind":"renew","name":"张焊工","id_number":"` + welderID + `","mobile":"` + welderMobile + `","address":"上海市普陀区真北路1号"}`
	batchRows  = `[{"Line":2,"Cells":{"姓名":"焊工1","身份证":"` + batchID + `","联系电话(手机)":"` + batchMobile + `"}}]`
)

// weldPersonal is what the weld tests store, with the ids made.
type weldPersonal struct {
	institution, unit, batch int64
	registration             store.WeldRegistration
}

func storeWeldPersonal(t *testing.T, db *store.DB) weldPersonal {
	t.Helper()
	var p weldPersonal
	p.institution = institution(t, db, "上海市特种设备作业人员考试中心").ID
	u, err := db.RegisterUnit(ctx, enterprise.Unit{CreditCode: "91310116607444444X", Name: "上海金山石化焊接工程有限公司", Address: "上海市金山区卫零路55号",
		Contact: "王师傅", Phone: unitPhone}, "hash")
	if err != nil {
		t.Fatal(err)
	}
	p.unit = u.ID
	p.registration, err = db.AddWeldRegistration(ctx, store.WeldRegistration{Kind: "renew", IDNumber: welderID, Name: "张焊工", Mobile: welderMobile,
		InstitutionID: p.institution, Data: []byte(welderForm)}, audit.Entry{ActorRole: "registrant", Action: "weld_register"})
	if err != nil {
		t.Fatal(err)
	}
	b, err := db.AddWeldBatch(ctx, store.WeldBatch{CreditCode: "91310116607444444X", UploadedBy: u.ID, Filename: "报名.xlsx", Rows: []byte(batchRows), RowCount: 1},
		audit.Entry{ActorID: u.ID, ActorRole: "unit", Action: "weld_batch_upload"})
	if err != nil {
		t.Fatal(err)
	}
	p.batch = b.ID
	return p
}

// weldSealedUnder checks that every personal column of the weld tables
// holds values sealed with key, and that each registration has the HMAC
// it is found by.
func weldSealedUnder(t *testing.T, db *store.DB, key string) {
	t.Helper()
	for _, tc := range [][2]string{{"weld_registrations", "id_number"}, {"weld_registrations", "mobile"}, {"weld_registrations", "data"},
		{"weld_batches", "rows_json"}, {"units", "phone"}} {
		order := "id"
		if tc[0] == "units" {
			order = "user_id"
		}
		rows, err := store.QueryForTest(db, `SELECT `+tc[1]+` FROM `+tc[0]+` ORDER BY `+order)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for rows.Next() {
			var v string
			if err := rows.Scan(&v); err != nil {
				t.Fatal(err)
			}
			if id, ok := sealed.KeyID(v); !ok || id != key {
				t.Errorf("%s.%s holds %q, want a value sealed with %s", tc[0], tc[1], v, key)
			}
			n++
		}
		rows.Close()
		if n == 0 {
			t.Errorf("%s.%s: no rows", tc[0], tc[1])
		}
	}
	for _, h := range columnValues(t, db, "weld_registrations", "COALESCE(id_number_hmac, '')") {
		if len(h) != 64 {
			t.Errorf("weld_registrations.id_number_hmac = %q, want an HMAC", h)
		}
	}
}

// weldFound checks every way the weld pages find what was stored: the
// registration by 证件号码 in either case of its X (复审 prefill's "already
// registered", 修改 after an SMS code), by id, in the institution's list
// and the batch check; the upload's rows and the 单位's phone as written.
func weldFound(t *testing.T, db *store.DB, p weldPersonal, mobile string) {
	t.Helper()
	for _, id := range []string{welderID, strings.ToLower(welderID), " " + welderID} {
		r, err := db.LatestWeldRegistration(ctx, id, "renew")
		if err != nil || r.ID != p.registration.ID || r.IDNumber != welderID || r.Mobile != mobile || r.Name != "张焊工" {
			t.Errorf("LatestWeldRegistration(%q) = %+v, %v", id, r, err)
		}
	}
	if _, err := db.LatestWeldRegistration(ctx, welderID, "new"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a 新考证 registration found: %v", err)
	}
	r, err := db.WeldRegistration(ctx, p.registration.ID)
	if err != nil || r.IDNumber != welderID || r.Mobile != mobile || !strings.Contains(string(r.Data), `"address":"上海市普陀区真北路1号"`) {
		t.Errorf("WeldRegistration = %+v (%s), %v", r, r.Data, err)
	}
	if list, err := db.WeldRegistrations(ctx, p.institution); err != nil || len(list) != 1 || list[0].IDNumber != welderID {
		t.Errorf("WeldRegistrations = %+v, %v", list, err)
	}
	people, err := db.WeldPeopleOf(ctx, "renew", []string{strings.ToLower(welderID), batchID})
	if err != nil || !people.Registered[strings.ToLower(welderID)] || people.Registered[batchID] {
		t.Errorf("WeldPeopleOf = %+v, %v", people, err)
	}
	b, err := db.WeldBatchOf(ctx, p.batch, "91310116607444444X")
	if err != nil || string(b.Rows) != batchRows {
		t.Errorf("WeldBatchOf rows = %s, %v; want %s", b.Rows, err, batchRows)
	}
	if un, err := db.UnitOf(ctx, p.unit); err != nil || un.Phone != unitPhone || un.Contact != "王师傅" {
		t.Errorf("UnitOf = %+v, %v", un, err)
	}
}

// A welder's registration and a 单位's upload keep no 证件号码 or mobile in
// clear; the registration is found by its 证件号码's HMAC, so that a second
// one of the person is refused in any case of the X, and a 修改 seals the
// new mobile too.
func TestWeldPersonalDataSealedAndFound(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		p := storeWeldPersonal(t, db)
		weldSealedUnder(t, db, "k1")
		if found := storetest.InClear(t, db, []string{welderID, welderMobile, batchID, batchMobile, unitPhone, "真北路"}, nil); len(found) > 0 {
			t.Errorf("in clear: %v", found)
		}
		weldFound(t, db, p, welderMobile)
		_, err := db.AddWeldRegistration(ctx, store.WeldRegistration{Kind: "renew", IDNumber: strings.ToLower(welderID), Name: "张焊工", Mobile: welderMobile,
			InstitutionID: p.institution, Data: []byte(welderForm)}, audit.Entry{ActorRole: "registrant", Action: "weld_register"})
		if !errors.Is(err, store.ErrWeldRegistered) {
			t.Errorf("a second registration of the person: %v", err)
		}
		changed := strings.Replace(welderForm, welderMobile, "13812340002", 1)
		r, err := db.UpdateWeldRegistration(ctx, store.WeldRegistration{ID: p.registration.ID, Version: p.registration.Version, Name: "张焊工",
			Mobile: "13812340002", Data: []byte(changed)}, audit.Entry{ActorRole: "registrant", Action: "weld_modify"})
		if err != nil || r.Mobile != "13812340002" || string(r.Data) != changed || r.IDNumber != welderID {
			t.Fatalf("UpdateWeldRegistration = %+v, %v", r, err)
		}
		weldSealedUnder(t, db, "k1")
		if found := storetest.InClear(t, db, []string{"13812340002"}, nil); len(found) > 0 {
			t.Errorf("in clear after 修改: %v", found)
		}
		weldFound(t, db, p, "13812340002")
		// A value altered in the database is refused, not shown.
		storetest.Exec(t, db, `UPDATE weld_registrations SET mobile = 'v1:k1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'`)
		if _, err := db.LatestWeldRegistration(ctx, welderID, "renew"); err == nil {
			t.Error("an altered mobile was read")
		}
	})
}

// Registrations, uploads and 单位 profiles written in clear by an earlier
// version are sealed when the service starts, the registrations given
// the HMAC they are found by.
func TestPlainWeldRowsSealedAtStart(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		p := storeWeldPersonal(t, db)
		storetest.Exec(t, db, `UPDATE weld_registrations SET id_number = $1, id_number_hmac = NULL, mobile = $2, data = $3`, welderID, welderMobile, welderForm)
		storetest.Exec(t, db, `UPDATE weld_batches SET rows_json = $1`, batchRows)
		storetest.Exec(t, db, `UPDATE units SET phone = $1`, unitPhone)
		// As a database from before sealing: no sweep on record.
		storetest.Exec(t, db, `DELETE FROM personal_data_sweeps`)
		for range 2 { // the second start finds nothing to do
			if _, err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
		}
		weldSealedUnder(t, db, "k1")
		if found := storetest.InClear(t, db, []string{welderID, welderMobile, batchID, batchMobile, unitPhone}, nil); len(found) > 0 {
			t.Errorf("in clear after the start: %v", found)
		}
		weldFound(t, db, p, welderMobile)
	})
}

// A new data key re-seals the weld tables' personal data with the rest;
// everything is found as before.
func TestRotateDataKeyReseals(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		p := storeWeldPersonal(t, db)
		db.SetDataCipher(sealed.SM4GCM)
		if id, err := db.RotateDataKey(ctx, audit.Entry{ActorRole: "operator"}); err != nil || id != "k2" {
			t.Fatalf("RotateDataKey = %q, %v", id, err)
		}
		weldFound(t, db, p, welderMobile)
		n, err := db.ResealPersonalData(ctx, nil)
		if err != nil || n != 6 { // the registration's 证件号码, mobile and form, the upload's rows, the 单位's phone and its account's login
			t.Errorf("ResealPersonalData = %d, %v; want 6", n, err)
		}
		weldSealedUnder(t, db, "k2")
		weldFound(t, db, p, welderMobile)
	})
}
