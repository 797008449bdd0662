package web_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"opcert/internal/application"
	"opcert/internal/blob"
	"opcert/internal/casework"
	"opcert/internal/civil"
	"opcert/internal/jobs"
	"opcert/internal/store"
	"opcert/internal/workday"
)

// submitQ8 takes 张伟's Q8 renewal to 已提交 and returns its path and ID.
func submitQ8(t *testing.T, b *browser) (string, int64) {
	t.Helper()
	app := renewalAtMaterials(t, b)
	uploadMaterial(t, b, app, "id_card", "身份证.pdf", minimalPDF)
	_, review := b.get(app + "/edit/review")
	if resp, _ := b.post(app+"/submit", url.Values{"version": {version(t, review)}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("submit: %d", resp.StatusCode)
	}
	id, _ := strconv.ParseInt(strings.TrimPrefix(app, "/applications/"), 10, 64)
	return app, id
}

// askCorrection does what the officer's 补正 does to the application (the
// back office issues it; here the store is driven directly).
func askCorrection(t *testing.T, db *store.DB, id int64, deadline civil.Date, items ...application.CorrectionItem) {
	t.Helper()
	ctx := context.Background()
	a, err := appByID(db, id)
	if err != nil {
		t.Fatal(err)
	}
	var f application.Form
	json.Unmarshal(a.Data, &f)
	f.Correction = &application.Correction{Items: items, Deadline: deadline.String(), Notice: "BZ" + a.Number}
	data, _ := json.Marshal(f)
	if _, err := db.Apply(ctx, store.Transition{ID: id, Version: a.Version, From: []string{"submitted"}, To: "correction",
		Action: "request_correction", Data: data, CorrectionDue: workday.Deadline{From: deadline.AddDays(-21), Workdays: 15, Date: deadline}, SMS: "请补正", SMSTopic: "correction"}); err != nil {
		t.Fatal(err)
	}
}

func appByID(db *store.DB, id int64) (store.Application, error) {
	for uid := int64(1); uid < 100; uid++ {
		if a, err := db.ApplicationOf(context.Background(), id, uid); err == nil {
			return a, nil
		}
	}
	return store.Application{}, store.ErrNotFound
}

func TestCorrectionOpensOnlyWhatWasAsked(t *testing.T) {
	srv, db := newDemoServer(t, true)
	b := newBrowser(t, srv)
	app, id := submitQ8(t, b)

	// Submitted: view only.
	resp, _ := b.get(app + "/edit/basic")
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("editing a submitted application: %d", resp.StatusCode)
	}
	askCorrection(t, db, id, today.AddDays(10),
		application.CorrectionItem{Target: "material:id_card", Label: "身份证信息", Reason: "身份证照片不清晰，请重新上传"},
		application.CorrectionItem{Target: "field:education", Label: "学历", Reason: "学历与学历证明不一致"})

	_, body := b.get("/applications")
	mustContain(t, body, "材料补正", "补正")
	_, body = b.get(app + "/edit/basic")
	mustContain(t, body, "材料补正", "身份证照片不清晰，请重新上传", "学历与学历证明不一致", "2026年12月02日")
	if !strings.Contains(body, `id="school" name="school" value="" disabled`) {
		t.Error("a field not asked about is editable during 补正")
	}
	if strings.Contains(body, `<select id="education" name="education" disabled>`) {
		t.Error("the field asked about is locked")
	}
	resp, pdf := b.get(app + "/notices/correction.pdf")
	if resp.StatusCode != 200 || !strings.HasPrefix(pdf, "%PDF-") {
		t.Fatalf("补正告知书: %d", resp.StatusCode)
	}
	// The QR code of the notice opens the public progress page: state and a
	// masked name, nothing else personal, for anyone holding the link.
	a0, _ := appByID(db, id)
	_, public := newBrowser(t, srv).get("/p/" + a0.PublicToken)
	mustContain(t, public, "办理进度", a0.Number, "张*", "徐汇区市场监督管理局", application.StatusCorrection.Label())
	for _, secret := range []string{"张伟", "13800000001", "310104198203140012", "漕溪北路"} {
		if strings.Contains(public, secret) {
			t.Errorf("public page shows %q", secret)
		}
	}
	if resp, _ := newBrowser(t, srv).get("/p/0123456789abcdef0123456789abcdef"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown token: %d", resp.StatusCode)
	}
	// A field not asked about cannot be changed by posting it anyway.
	step(t, b, app, "basic", url.Values{"action": {"save"}, "education": {"本科"}, "school": {"偷改大学"}}, "", "", nil)
	a, _ := appByID(db, id)
	var f application.Form
	json.Unmarshal(a.Data, &f)
	if f.Applicant.Education != "本科" || f.Applicant.School != "" {
		t.Fatalf("after save: education %q school %q", f.Applicant.Education, f.Applicant.School)
	}
	// Materials: only the one asked for can be uploaded.
	body = uploadMaterial(t, b, app, "education", "学历.pdf", minimalPDF)
	mustContain(t, body, "补正时只能上传受理机关要求补正的材料")
	body = uploadMaterial(t, b, app, "id_card", "身份证新.pdf", minimalPDF)
	mustContain(t, body, "文件已上传", "身份证新.pdf")

	_, review := b.get(app + "/edit/review")
	resp, _ = b.post(app+"/submit", url.Values{"version": {version(t, review)}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("resubmit: %d", resp.StatusCode)
	}
	a, _ = appByID(db, id)
	if a.Status != "submitted" {
		t.Fatalf("status after resubmit = %s", a.Status)
	}
	ev, _ := db.Events(context.Background(), id)
	if last := ev[len(ev)-1]; last.Action != "resubmit" || last.From != "correction" {
		t.Fatalf("last event = %+v", last)
	}
}

func TestMissedCorrectionDeadlineWithdraws(t *testing.T) {
	srv, db := newDemoServer(t, true)
	b := newBrowser(t, srv)
	app, id := submitQ8(t, b)
	askCorrection(t, db, id, today.AddDays(3), application.CorrectionItem{Target: "material:id_card", Label: "身份证信息", Reason: "请上传身份证照片信息"})
	files, _ := blob.NewLocal(t.TempDir())
	day := today.AddDays(3)
	cases := casework.New(casework.Options{Store: db, Today: func() civil.Date { return day }, Log: slog.New(slog.DiscardHandler)})
	r := &jobs.Runner{DB: db, Cases: cases, Files: files, Log: slog.New(slog.DiscardHandler)}
	r.Once(context.Background())
	if a, _ := appByID(db, id); a.Status != "correction" {
		t.Fatalf("on the deadline day: %s", a.Status)
	}
	day = today.AddDays(4)
	r.Once(context.Background())
	a, _ := appByID(db, id)
	if a.Status != application.StatusAbandoned {
		t.Fatalf("after the deadline: %s", a.Status)
	}
	_, body := b.get(app)
	mustContain(t, body, application.StatusAbandoned.Label())
	// The abandonment's SMS, then the 复审 reminder of Q8 held back while
	// the application was under way.
	msgs, _ := db.RecentOutbox(context.Background(), "13800000001", 2)
	if len(msgs) != 2 || !strings.Contains(msgs[1].Body, "视为放弃") || msgs[0].Topic != "expiry_reminder" {
		t.Fatalf("SMS = %+v", msgs)
	}
	// The item is free again: a new renewal of Q8 can be started and submitted.
	resp, _ := b.post("/apply", url.Values{"authority": {"310104"}, "matter": {"renew"}, "item": {"0"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("new application after abandonment: %d", resp.StatusCode)
	}
}

func TestWithdrawBeforeAcceptance(t *testing.T) {
	srv, db := newDemoServer(t, true)
	b := newBrowser(t, srv)
	app, id := submitQ8(t, b)
	_, page := b.get(app)
	mustContain(t, page, "撤回申请")
	resp, _ := b.post(app+"/withdraw", url.Values{"version": {version(t, page)}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("withdraw: %d", resp.StatusCode)
	}
	if a, _ := appByID(db, id); a.Status != "withdrawn" {
		t.Fatalf("status %s", a.Status)
	}
	// Out of turn: withdrawing again is refused.
	_, after := b.get(app)
	if strings.Contains(after, "撤回申请") {
		t.Error("withdrawn application still offers 撤回")
	}
	resp, body := b.post(app+"/withdraw", url.Values{"version": {version(t, page)}})
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, "不能撤回") {
		t.Fatalf("second withdraw: %d", resp.StatusCode)
	}
}
