package casework_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"testing"

	"opcert/internal/application"
	"opcert/internal/auth"
	"opcert/internal/casework"
	"opcert/internal/catalog"
	"opcert/internal/enterprise"
	"opcert/internal/idcheck"
	"opcert/internal/registry"
	"opcert/internal/store"
	"opcert/internal/store/storetest"
	"opcert/internal/testfixture"
	"opcert/internal/upload"
)

// creditCheck is the GB 32100 check character of the first 17 characters.
func creditCheck(first17 string) string {
	return string(must(idcheck.CreditCodeCheckChar(first17)))
}

// unitAccount registers a 单位 through the service, its 营业执照 a PDF, and
// has the administrator approve it (审核通过).
func unitAccount(t *testing.T, w *world, code, name string) casework.Actor {
	t.Helper()
	who := pendingUnit(t, w, code, name, "021-64870000")
	if _, err := w.s.DecideUnit(ctx, w.adm, who.UserID, casework.UnitVerdict{Action: "approve"}); err != nil {
		t.Fatal(err)
	}
	return who
}

// pendingUnit registers a 单位 through the service and leaves it 待审核.
func pendingUnit(t *testing.T, w *world, code, name, phone string) casework.Actor {
	t.Helper()
	u, err := w.s.RegisterUnit(ctx, unitForm(code, name, phone))
	if err != nil {
		t.Fatal(err)
	}
	return casework.Actor{UserID: u.ID, Role: auth.RoleUnit}
}

// unitForm is a complete 单位注册 form with a PDF 营业执照.
func unitForm(code, name, phone string) casework.UnitRegistration {
	return casework.UnitRegistration{Unit: enterprise.Unit{CreditCode: code, Name: name, Address: "上海市徐汇区漕溪北路88号",
		Contact: "周安全", Phone: phone}, Password: "Unit2026x", Password2: "Unit2026x", Licence: licenceFile("营业执照.pdf", testfixture.PDF)}
}

func licenceFile(name string, data []byte) *casework.Upload { return sentFile(name, data) }

// sentFile is a file as the web layer hands it over, read as it arrived.
// Test files are under a megabyte, so the content stays in memory and
// needs no Close.
func sentFile(name string, data []byte) *casework.Upload {
	c, err := upload.Spool(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		panic(err)
	}
	return &casework.Upload{Name: name, Content: c}
}

// sharedApplication is newApplication naming the employer of the form and
// saying whether the applicant agrees that it follows their items.
func (w *world) sharedApplication(t *testing.T, share bool) store.Application {
	t.Helper()
	a := w.newApplication(t)
	var f application.Form
	must(0, json.Unmarshal(a.Data, &f))
	f.Employer.ShareWithUnit = share
	data, _ := json.Marshal(f)
	return must(w.db.SaveDraft(ctx, store.Application{ID: a.ID, ApplicantID: a.ApplicantID, Step: a.Step, Data: data, Version: a.Version, DraftExpiresOn: a.DraftExpiresOn}, []string{"draft"}))
}

// A 单位 sees the workers who named it as employer at 提交 and agreed, each
// item with its standing, those due for 复审 first; a later submission
// without the agreement takes the worker away, and another 单位 never sees
// them.
func TestWorkforceOfAUnit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db, "2026-11-23")
		// The form's employer, 上海徐汇起重设备安装有限公司.
		xuhui := unitAccount(t, w, "91310104MA1FL0XQ4F", "上海徐汇起重设备安装有限公司")
		other := unitAccount(t, w, "91310115607111111"+creditCheck("91310115607111111"), "上海浦东锅炉运行服务有限公司")
		if wf := must(w.s.Workforce(ctx, xuhui)); len(wf.Rows)+len(wf.Waiting) != 0 {
			t.Fatalf("before any submission: %+v", wf)
		}
		// Not agreeing shares nothing.
		a := w.act(t, w.applicant, w.sharedApplication(t, false), application.ActionSubmit, application.Input{})
		if wf := must(w.s.Workforce(ctx, xuhui)); len(wf.Rows)+len(wf.Waiting) != 0 {
			t.Fatalf("without the agreement: %+v", wf)
		}
		w.act(t, w.applicant, a, application.ActionWithdraw, application.Input{})
		w.act(t, w.applicant, w.sharedApplication(t, true), application.ActionSubmit, application.Input{})
		wf := must(w.s.Workforce(ctx, xuhui))
		if len(wf.Waiting) != 1 || wf.Waiting[0].Name != w.name || wf.Waiting[0].IDNumber == must(db.HolderByID(ctx, w.holderID)).IDNumber {
			t.Fatalf("a worker without items yet: %+v", wf)
		}
		// The worker's certificate: N1 far off, Q2 due in 2 months, A
		// expired last month (renewable no more: the policy reopens none).
		h := must(db.HolderByID(ctx, w.holderID))
		item := func(ref catalog.ItemRef, until string) registry.Item {
			return registry.Item{Ref: ref, IssuedBy: "徐汇区市场监督管理局", ApprovedOn: day(until).AddYears(-4).AddDays(1), ValidUntil: day(until), Status: registry.ItemValid}
		}
		q := func(s string) catalog.ItemRef { return catalog.NewRef(must(catalog.ParseQualification(s))) }
		must(db.PutHolding(ctx, registry.Holding{Holder: h, Certificates: []registry.Certificate{{Number: h.IDNumber, Items: []registry.Item{
			item(q("N1"), "2029-06-30"), item(q("Q2(限流动式起重机)"), "2027-01-20"), item(q("A"), "2026-10-31"), item(q("G1"), "2027-01-10")}}}}))
		wf = must(w.s.Workforce(ctx, xuhui))
		var got []string
		for _, r := range wf.Rows {
			got = append(got, fmt.Sprintf("%s %s %v %s", r.Code, r.ValidUntil, r.Due, r.Standing.Label))
		}
		want := []string{
			"G1 2027-01-10 true 有效（即将到期）",
			"Q2(限流动式起重机) 2027-01-20 true 有效（即将到期）",
			"A 2026-10-31 false 已过期",
			"N1 2029-06-30 false 有效",
		}
		if fmt.Sprint(got) != fmt.Sprint(want) || len(wf.Waiting) != 0 {
			t.Fatalf("rows:\n%v\nwant\n%v", got, want)
		}
		if wf.Rows[0].Renewal != "可申请复审" || wf.Rows[3].Renewal == "" || wf.Rows[0].Name != w.name {
			t.Fatalf("renewal notes: %+v", wf.Rows)
		}
		// Another 单位 sees none of them; other roles are refused.
		if wf := must(w.s.Workforce(ctx, other)); len(wf.Rows)+len(wf.Waiting) != 0 {
			t.Fatalf("another unit sees: %+v", wf)
		}
		for _, who := range []casework.Actor{w.applicant, w.officer, w.adm} {
			if _, err := w.s.Workforce(ctx, who); casework.ErrorCode(err) != casework.Forbidden {
				t.Fatalf("%s: %v", who.Role, err)
			}
		}
	})
}

// RegisterUnit tells every mistake at its field and refuses a second
// account for a credit code.
func TestRegisterUnitRefusals(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db, "2026-11-23")
		_, err := w.s.RegisterUnit(ctx, casework.UnitRegistration{Unit: enterprise.Unit{CreditCode: "91310104MA1FL0XQ4E", Phone: "12"}, Password: "short"})
		fields := map[string]bool{}
		for _, e := range casework.FieldErrors(err) {
			fields[e.Field] = true
		}
		for _, f := range []string{"unit_name", "credit_code", "address", "contact", "phone", "password", "licence"} {
			if !fields[f] {
				t.Errorf("no refusal at %s: %v", f, casework.FieldErrors(err))
			}
		}
		unitAccount(t, w, "91310104MA1FL0XQ4F", "上海徐汇起重设备安装有限公司")
		_, err = w.s.RegisterUnit(ctx, casework.UnitRegistration{Unit: enterprise.Unit{CreditCode: "91310104ma1fl0xq4f", Name: "另一家", Address: "x", Contact: "x", Phone: "021-64870000"},
			Password: "Unit2026x", Password2: "Unit2026x", Licence: licenceFile("a.pdf", testfixture.PDF)})
		if casework.ErrorCode(err) != casework.Conflict || casework.FieldErrors(err)[0].Field != "credit_code" {
			t.Fatalf("second account: %v", err)
		}
	})
}
