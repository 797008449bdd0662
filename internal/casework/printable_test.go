package casework_test

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"opcert/internal/application"
	"opcert/internal/casework"
	"opcert/internal/document"
	"opcert/internal/store"
	"opcert/internal/store/storetest"
)

// fallbackMissing reports that the fallback faces are not installed (the
// rest of the test is skipped), except under make test, which installs
// fonts-hanazono.
func fallbackMissing(t *testing.T) bool {
	t.Helper()
	err := document.CheckFallbackFonts()
	if err != nil && os.Getenv("OPCERT_TEST_REQUIRE_BROWSER") == "1" {
		t.Fatalf("fallback fonts missing (apt-get install fonts-hanazono): %v", err)
	}
	if err != nil {
		t.Logf("fallback fonts missing, not checked: %v", err)
	}
	return err != nil
}

// fieldRefusal is the refusal err makes at field, "" if none.
func fieldRefusal(err error, field string) string {
	for _, e := range casework.FieldErrors(err) {
		if e.Field == field {
			return e.Message
		}
	}
	return ""
}

// Text no font of the documents can draw is refused where it is typed,
// naming the field; the notices and the certificate would otherwise fail
// after the submission was accepted. 𰀀 (U+30000, Extension G) is newer
// than every face; ❤ (U+2764) is not a character of any.
func TestUnprintableTextRefused(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db, "2026-11-23")
		// Registration: the name, with what to do about a 生僻字.
		_, err := w.s.Register(ctx, casework.Registration{Name: "王\U00030000", IDType: "居民身份证", IDNumber: "110105198001010016",
			Mobile: "13912345678", Code: "123456", Password: "Newpass2026", Password2: "Newpass2026"})
		want := "‘\U00030000’(U+30000) 暂无法在证书和通知书上打印，请按身份证上的写法填写；确为生僻字的，请携带身份证到受理机关窗口办理"
		if got := fieldRefusal(err, "name"); got != want {
			t.Errorf("registration: %q, want %q (%v)", got, want, err)
		}

		// A wizard step keeps what was typed and says it at the field; a
		// symbol gets the plainer message.
		a := w.newApplication(t)
		res, err := w.s.SaveStep(ctx, w.applicant, a.ID, casework.StepInput{Step: "basic", Action: "next", Version: a.Version,
			Values: func(name string) (string, bool) {
				if name == "work_history" {
					return "2010年至今 上海❤公司\U00030000", true
				}
				return "", false
			}})
		if err != nil {
			t.Fatal(err)
		}
		var msg string
		for _, p := range res.Problems {
			if p.Field == "work_history" {
				msg = p.Message
			}
		}
		if !strings.Contains(msg, "‘❤’(U+2764) 无法在申请表、通知书和证书上打印，请删去或改用文字") || !strings.Contains(msg, "‘\U00030000’(U+30000) 暂无法") {
			t.Errorf("工作经历: %q (%v)", msg, res.Problems)
		}
		if res.Next != "basic" {
			t.Errorf("moved on to %s", res.Next)
		}
		// Saved all the same, then refused at 提交.
		_, err = w.s.Act(ctx, w.applicant, a.ID, res.App.Version, application.ActionSubmit, application.Input{})
		if got := fieldRefusal(err, "work_history"); !strings.Contains(got, "U+2764") {
			t.Errorf("submission with ❤ in 工作经历: %v", err)
		}

		// What an officer types goes into a notice.
		b := w.newApplication(t)
		b = w.act(t, w.applicant, b, application.ActionSubmit, application.Input{})
		_, err = w.s.Act(ctx, w.officer, b.ID, b.Version, application.ActionRequestCorrection, application.Input{
			Asks: []application.CorrectionItem{{Target: "material:id_card", Reason: "照片不清晰\U00030000"}}})
		if got := fieldRefusal(err, "reason-material:id_card"); !strings.Contains(got, "U+30000") {
			t.Errorf("补正理由: %v", err)
		}

		// 手工录入.
		_, err = w.s.StartManual(ctx, w.applicant, "310104", application.Manual{Name: w.name, CertNumber: "X1", IDType: "居民身份证",
			IDNumber: "110105198005010021", IssuedBy: "苏州市市场监督管理局❤"}, nil)
		if got := fieldRefusal(err, "manual.issued_by"); !strings.Contains(got, "U+2764") {
			t.Errorf("手工录入 发证机关: %v", err)
		}
	})
}

// Rare characters the fallback faces have pass: the world's applicant is
// 𠮷祥, and a 工作经历 with 䶮 is saved without a problem.
func TestRareCharactersAccepted(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db, "2026-11-23")
		a := w.newApplication(t)
		res, err := w.s.SaveStep(ctx, w.applicant, a.ID, casework.StepInput{Step: "basic", Action: "save", Version: a.Version,
			Values: func(name string) (string, bool) {
				if name == "work_history" {
					return "2010年至今 上海䶮\U00020000公司", true
				}
				return "", false
			}})
		if err != nil {
			t.Fatal(err)
		}
		if fallbackMissing(t) {
			return
		}
		for _, p := range res.Problems {
			if p.Field == "work_history" {
				t.Errorf("工作经历 with 䶮 and 𠀀 refused: %s", p.Message)
			}
		}
		var f application.Form
		json.Unmarshal(res.App.Data, &f)
		if f.Applicant.WorkHistory != "2010年至今 上海䶮\U00020000公司" {
			t.Errorf("saved %q", f.Applicant.WorkHistory)
		}
	})
}
