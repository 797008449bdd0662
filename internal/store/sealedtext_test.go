package store_test

import (
	"testing"

	"opcert/internal/audit"
	"opcert/internal/store"
	"opcert/internal/store/storetest"
)

// form is an application form as the portal writes it: 证件号码, mobile and
// address of a person whose name has a 生僻字.
const form = `{"name":"王𬀩","id_number":"11010519491231002X","mobile":"13900000001","address":"北京市东城区东四十条94号"}`

// formSealed checks that every application form and notice content and
// number is sealed under key.
func formSealed(t *testing.T, db *store.DB, key string) {
	t.Helper()
	columnsSealedUnder(t, db, key, [2]string{"applications", "data"}, [2]string{"notices", "data"}, [2]string{"notices", "number"})
}

// issueCertificate submits a draft whose form is form and issues a notice
// numbered with the holder's 证件号码, as a certificate is.
func issueCertificate(t *testing.T, db *store.DB) store.Application {
	t.Helper()
	u, h := applicant(t, db, "王𬀩", "11010519491231002X", "13900000001")
	a := draft(t, db, u, h)
	a.Data = []byte(form)
	a, err := db.SaveDraft(ctx, a, []string{"draft"})
	if err != nil {
		t.Fatal(err)
	}
	if a, err = submit(db, a); err != nil {
		t.Fatal(err)
	}
	a, err = db.Apply(ctx, store.Transition{ID: a.ID, ActorID: u, Version: a.Version, From: []string{"submitted"}, To: "submitted", Action: "note",
		Notices: []store.Notice{{Kind: "certificate.pdf", Title: "特种设备安全管理和作业人员证", Number: "11010519491231002X", Data: []byte(form)}}})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// readBack checks that the form and the notice read back as written.
func readBack(t *testing.T, db *store.DB, a store.Application) {
	t.Helper()
	got, err := db.ApplicationOf(ctx, a.ID, a.ApplicantID)
	if err != nil || string(got.Data) != form {
		t.Errorf("form read back = %s, %v", got.Data, err)
	}
	n, err := db.NoticeOf(ctx, a.ID, "certificate.pdf")
	if err != nil || n.Number != "11010519491231002X" || string(n.Data) != form {
		t.Errorf("notice read back = %+v, %v", n, err)
	}
	fm, err := db.FileMentions(ctx, []int64{a.ID})
	if err != nil || string(fm[a.ID].Form) != form || len(fm[a.ID].Notices) != 1 || string(fm[a.ID].Notices[0]) != form {
		t.Errorf("file mentions = %+v, %v", fm[a.ID], err)
	}
}

// The form and the notices made from it name the applicant (证件号码,
// mobile, address): they are kept sealed, read back as written, and leave
// nothing in clear.
func TestFormsAndNoticesSealed(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := issueCertificate(t, db)
		formSealed(t, db, "k1")
		readBack(t, db, a)
		if found := storetest.InClear(t, db, []string{"11010519491231002", "13900000001", "东四十条"}, nil); len(found) > 0 {
			t.Errorf("in clear: %v", found)
		}
	})
}

// Forms and notices written in clear (before they were sealed) are sealed
// at the next start and read back the same; a rotated key re-seals them.
func TestPlainFormsSealedAtStartAndResealed(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := issueCertificate(t, db)
		storetest.Exec(t, db, `UPDATE applications SET data = $1`, form)
		storetest.Exec(t, db, `UPDATE notices SET data = $1, number = $2`, form, "11010519491231002X")
		// As a database from before sealing: no sweep on record.
		storetest.Exec(t, db, `DELETE FROM personal_data_sweeps`)
		readBack(t, db, a)
		if _, err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		formSealed(t, db, "k1")
		readBack(t, db, a)

		if _, err := db.RotateDataKey(ctx, audit.Entry{ActorRole: "operator"}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ResealPersonalData(ctx, nil); err != nil {
			t.Fatal(err)
		}
		formSealed(t, db, "k2")
		readBack(t, db, a)
	})
}
