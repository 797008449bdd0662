package web_test

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"opcert/internal/auth"
	"opcert/internal/catalog"
	"opcert/internal/civil"
	"opcert/internal/demo"
	"opcert/internal/registry"
	"opcert/internal/store"
	"opcert/internal/testfixture"
)

func photoPNG(t *testing.T) []byte { return testfixture.Photo() }

var minimalPDF = testfixture.PDF

// postMultipart sends a wizard form with one file.
func (b *browser) postMultipart(path string, fields url.Values, fileField, filename string, content []byte) (*http.Response, string) {
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	for k, vs := range fields {
		for _, v := range vs {
			w.WriteField(k, v)
		}
	}
	if fileField != "" {
		fw, _ := w.CreateFormFile(fileField, filename)
		fw.Write(content)
	}
	w.Close()
	req, _ := http.NewRequest("POST", b.srv.URL+path, &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	return b.do(req)
}

var versionRE = regexp.MustCompile(`name="version" value="(\d+)"`)

func version(t *testing.T, body string) string {
	t.Helper()
	m := versionRE.FindStringSubmatch(body)
	if m == nil {
		t.Fatal("no version on the page")
	}
	return m[1]
}

func login(t *testing.T, b *browser, mobile string) {
	t.Helper()
	resp, _ := b.post("/login/password", url.Values{"login": {mobile}, "password": {demo.Password}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login %s: %d", mobile, resp.StatusCode)
	}
}

// step posts a wizard step and follows to the next page.
func step(t *testing.T, b *browser, appPath, stepName string, fields url.Values, fileField, filename string, content []byte) (int, string) {
	t.Helper()
	_, page := b.get(appPath + "/edit/" + stepName)
	fields.Set("version", version(t, page))
	resp, body := b.postMultipart(appPath+"/edit/"+stepName, fields, fileField, filename, content)
	if resp.StatusCode == http.StatusSeeOther {
		_, body = b.get(resp.Header.Get("Location"))
	}
	return resp.StatusCode, body
}

func startRenewal(t *testing.T, b *browser, authority string, form url.Values) string {
	t.Helper()
	form.Set("authority", authority)
	form.Set("matter", "renew")
	resp, body := b.post("/apply", form)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("apply: %d\n%s", resp.StatusCode, body)
	}
	loc := resp.Header.Get("Location")
	return strings.TrimSuffix(loc, "/edit/commitment")
}

// renewalAtMaterials logs in the demo applicant 13800000001 and takes a
// 复审 of their first item at 徐汇 through the commitment and the basic
// information, to the materials step; it returns the application's path.
func renewalAtMaterials(t *testing.T, b *browser) string {
	t.Helper()
	login(t, b, "13800000001")
	app := startRenewal(t, b, "310104", url.Values{"item": {"0"}})
	step(t, b, app, "commitment", url.Values{"action": {"next"}, "incident": {"no"}, "work_interrupted": {"no"}}, "", "", nil)
	fillBasic(t, b, app)
	return app
}

func fillBasic(t *testing.T, b *browser, app string) {
	t.Helper()
	code, body := step(t, b, app, "basic", url.Values{"action": {"upload_photo"}}, "photo", "照片.png", photoPNG(t))
	if code != 200 || !strings.Contains(body, "照片已上传") {
		t.Fatalf("photo: %d %s", code, errorsOf(body))
	}
	code, body = step(t, b, app, "basic", url.Values{"action": {"sync_employer"}, "employer_name": {"上海徐汇起重设备安装有限公司"}}, "", "", nil)
	if !strings.Contains(body, "已同步单位信息") || !strings.Contains(body, "上海市徐汇区漕溪北路88号") {
		t.Fatalf("sync: %d %s", code, errorsOf(body))
	}
	code, body = step(t, b, app, "basic", url.Values{"action": {"next"}, "employer_name": {"上海徐汇起重设备安装有限公司"},
		"address_detail": {"8楼"}, "education": {"高中"}, "title": {"未评定"}, "mobile": {"13800000001"}, "household_district": {"310104"}}, "", "", nil)
	if !strings.Contains(body, "申请材料") || strings.Contains(body, "请修改以下内容") {
		t.Fatalf("basic next: %d %s", code, errorsOf(body))
	}
}

func errorsOf(body string) string {
	i := strings.Index(body, "error-summary")
	if i < 0 {
		return "(no error summary)"
	}
	j := i + 1500
	if j > len(body) {
		j = len(body)
	}
	return body[i:j]
}

func uploadMaterial(t *testing.T, b *browser, app, key, name string, content []byte) string {
	t.Helper()
	_, page := b.get(app + "/edit/materials")
	resp, body := b.postMultipart(app+"/edit/materials?material="+key, url.Values{"action": {"upload"}, "version": {version(t, page)}}, "file-"+key, name, content)
	if resp.StatusCode != 200 && resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("upload %s: %d", key, resp.StatusCode)
	}
	return body
}

func TestRenewalQ8ThroughAllSteps(t *testing.T) {
	srv, db := newDemoServer(t, true)
	b := newBrowser(t, srv)
	login(t, b, "13800000001")
	_, body := b.get("/apply?authority=310104&matter=renew")
	mustContain(t, body, "复审项目选择", "流动式起重机司机", "Q8", "原项目Q8流动式起重机司机换发为Q2", "叉车司机", "不可选择")
	app := startRenewal(t, b, "310104", url.Values{"item": {"0"}})

	code, body := step(t, b, app, "commitment", url.Values{"action": {"next"}}, "", "", nil)
	if code != http.StatusUnprocessableEntity || !strings.Contains(body, "持证期间是否发生过违章作业行为和责任事故") {
		t.Fatalf("unanswered commitment: %d", code)
	}
	step(t, b, app, "commitment", url.Values{"action": {"next"}, "incident": {"no"}, "work_interrupted": {"no"}}, "", "", nil)
	_, body = b.get(app + "/edit/basic")
	mustContain(t, body, "张伟", "流动式起重机司机[Q8]", "Q2(限流动式起重机)", "起重机司机(限流动式起重机)")
	fillBasic(t, b, app)

	// 提交 before the required materials are there names each one.
	_, body = b.get(app + "/edit/materials")
	mustContain(t, body, "《特种设备作业人员资格复审申请表》", "身份证信息", "获取电子身份证")
	code, body = step(t, b, app, "materials", url.Values{"action": {"next"}}, "", "", nil)
	if code != http.StatusUnprocessableEntity || !strings.Contains(body, "请上传身份证信息") {
		t.Fatalf("missing material: %d %s", code, errorsOf(body))
	}
	body = uploadMaterial(t, b, app, "id_card", "身份证.pdf", minimalPDF)
	mustContain(t, body, "文件已上传", "身份证.pdf")
	code, body = step(t, b, app, "materials", url.Values{"action": {"next"}}, "", "", nil)
	mustContain(t, body, "核对信息", "徐汇区市场监督管理局", "Q2(限流动式起重机)")

	_, review := b.get(app + "/edit/review")
	resp, _ := b.post(app+"/submit", url.Values{"version": {version(t, review)}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("submit: %d", resp.StatusCode)
	}
	_, body = b.get(resp.Header.Get("Location"))
	mustContain(t, body, "申请已提交", "徐汇区市场监督管理局")
	number := regexp.MustCompile(`id="submitted-number">(\d{12})<`).FindStringSubmatch(body)
	if number == nil {
		t.Fatal("no 申请号 on the confirmation")
	}
	// A double click: the second 提交 of the same page creates nothing new.
	resp, _ = b.post(app+"/submit", url.Values{"version": {version(t, review)}})
	if resp.StatusCode != http.StatusSeeOther || !strings.HasSuffix(resp.Header.Get("Location"), "/submitted") {
		t.Fatalf("second submit: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	_, body = b.get("/applications")
	mustContain(t, body, number[1], "（复审）", "已提交")
	if n := strings.Count(body, `<span class="status">已提交</span>`); n != 1 {
		t.Fatalf("办件查询 lists %d submitted applications", n)
	}
	msgs, _ := db.RecentOutbox(context.Background(), "13800000001", 5)
	if len(msgs) == 0 || !strings.Contains(msgs[0].Body, "已提交") {
		t.Fatalf("no SMS on 提交: %+v", msgs)
	}
	// A second application for the same item is refused at selection, with
	// a link, before anything is typed or uploaded again.
	resp, body = b.post("/apply", url.Values{"authority": {"310104"}, "matter": {"renew"}, "item": {"0"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, number[1]) || !strings.Contains(body, "查看正在办理的申请") {
		t.Fatalf("duplicate active application: %d %s", resp.StatusCode, errorsOf(body))
	}
}

func TestRenewalRefusals(t *testing.T) {
	srv, _ := newDemoServer(t, true)
	b := newBrowser(t, srv)
	login(t, b, "13800000004") // 刘洋: Q4 due (choice), T3 cancelled, A expired
	_, body := b.get("/apply?authority=310112&matter=renew")
	mustContain(t, body, "桥门式起重机司机", "已取消的项目不再进行复审或者补发", "T3")
	// Q4 needs a choice; the expired A item is not selectable.
	resp, body := b.post("/apply", url.Values{"authority": {"310112"}, "matter": {"renew"}, "item": {"0"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "请修改以下内容") {
		t.Fatalf("Q4 without choice: %d", resp.StatusCode)
	}
	resp, body = b.post("/apply", url.Values{"authority": {"310112"}, "matter": {"renew"}, "item": {"1"}})
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("expired item chosen: %d", resp.StatusCode)
	}
	resp, _ = b.post("/apply", url.Values{"authority": {"310112"}, "matter": {"renew"}})
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("nothing chosen: %d", resp.StatusCode)
	}
	resp, _ = b.post("/apply", url.Values{"authority": {"310112"}, "matter": {"renew"}, "item": {"0"}, "target-0": {"Q2(限门式起重机)"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("Q4 → 限门式: %d", resp.StatusCode)
	}
}

func TestR3CannotBeCombined(t *testing.T) {
	srv, _ := newDemoServer(t, true)
	b := newBrowser(t, srv)
	login(t, b, "13800000002") // 李娜: R3 due in 1 month, R1 in 3 years
	_, body := b.get("/apply?authority=310104&matter=renew")
	mustContain(t, body, "氧舱维护保养", "R3项目（氧舱维护保养）由杨浦区市场监管局统一复审")
	app := startRenewal(t, b, "310104", url.Values{"item": {"0"}})
	step(t, b, app, "commitment", url.Values{"action": {"next"}, "incident": {"no"}, "work_interrupted": {"no"}}, "", "", nil)
	_, body = b.get(app + "/edit/basic")
	mustContain(t, body, "杨浦区市场监督管理局", "R3项目统一由杨浦区市场监督管理局受理")
}

func TestAnotherApplicantsApplicationIsNotFound(t *testing.T) {
	srv, _ := newDemoServer(t, true)
	owner, other := newBrowser(t, srv), newBrowser(t, srv)
	login(t, owner, "13800000001")
	login(t, other, "13800000003")
	app := startRenewal(t, owner, "310104", url.Values{"item": {"0"}})
	for _, p := range []string{app, app + "/edit/commitment", app + "/edit/basic", app + "/photo", app + "/files/1"} {
		resp, body := other.get(p)
		if resp.StatusCode != http.StatusNotFound || strings.Contains(body, "张伟") || strings.Contains(body, "流动式") {
			t.Errorf("%s as another applicant: %d", p, resp.StatusCode)
		}
	}
	resp, _ := other.post(app+"/edit/commitment", url.Values{"action": {"save"}, "incident": {"yes"}, "version": {"1"}})
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("post to another's application: %d", resp.StatusCode)
	}
	if resp, _ := other.post(app+"/submit", url.Values{"version": {"1"}}); resp.StatusCode != http.StatusNotFound {
		t.Errorf("submit another's application: %d", resp.StatusCode)
	}
	// Not logged in: sent to log in and brought back.
	anon := newBrowser(t, srv)
	resp, _ = anon.get(app)
	if resp.StatusCode != http.StatusSeeOther || !strings.Contains(resp.Header.Get("Location"), "/login?next="+url.QueryEscape(app)) {
		t.Errorf("anonymous: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
}

func TestUploadRefusals(t *testing.T) {
	srv, _ := newDemoServer(t, true)
	b := newBrowser(t, srv)
	app := renewalAtMaterials(t, b)
	cases := []struct {
		name    string
		content []byte
		want    string
	}{
		{"身份证.pdf", []byte("MZ\x90\x00this is a program"), "身份证信息"},
		{"身份证.pdf", photoPNG(t), "PNG"},
		// Read as it arrives, a file past the limit is still counted to its
		// end, so the refusal says how large it is.
		{"身份证.pdf", bytes.Repeat([]byte{'a'}, 10<<20+1), "10.0MB，超出 1 字节"},
		{"身份证.pdf", bytes.Repeat([]byte{'a'}, 10<<20+512<<10), "实际 10.5MB"},
		{"身份证.pdf", nil, "身份证信息"},
	}
	for _, c := range cases {
		body := uploadMaterial(t, b, app, "id_card", c.name, c.content)
		if !strings.Contains(body, "请修改以下内容") || !strings.Contains(body, c.want) {
			t.Errorf("%d-byte upload: want refusal mentioning %q; got %s", len(c.content), c.want, errorsOf(body))
		}
	}
	_, body := b.get(app + "/edit/materials")
	if strings.Contains(body, "身份证.pdf</a>") {
		t.Error("a refused file was stored")
	}
	// Exactly 10 MB is accepted.
	ok := append(append([]byte{}, minimalPDF...), bytes.Repeat([]byte{' '}, 10<<20-len(minimalPDF))...)
	body = uploadMaterial(t, b, app, "id_card", "大文件.pdf", ok)
	mustContain(t, body, "文件已上传", "大文件.pdf")
}

func TestExpiredDraftDeletedWithFiles(t *testing.T) {
	srv, db := newDemoServer(t, true)
	b := newBrowser(t, srv)
	app := renewalAtMaterials(t, b)
	uploadMaterial(t, b, app, "id_card", "身份证.pdf", minimalPDF)
	gone, err := db.DeleteExpiredDrafts(context.Background(), today.AddDays(16), nil)
	if err != nil || len(gone) != 1 || len(gone[0].BlobKeys) != 1 {
		t.Fatalf("expired: %+v %v", gone, err)
	}
	if resp, _ := b.get(app); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("expired draft still shown: %d", resp.StatusCode)
	}
	_ = store.ErrNotFound
	_ = fmt.Sprint
}

func TestApplicationFormPDF(t *testing.T) {
	srv, _ := newDemoServer(t, true)
	b := newBrowser(t, srv)
	app := renewalAtMaterials(t, b)
	resp, body := b.get(app + "/form.pdf")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(body, "%PDF-") {
		t.Fatalf("form.pdf: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if !strings.Contains(resp.Header.Get("Content-Disposition"), "filename*=utf-8''%E7%94%B3%E8%AF%B7%E8%A1%A8.pdf") {
		t.Errorf("disposition %q", resp.Header.Get("Content-Disposition"))
	}
	other := newBrowser(t, srv)
	login(t, other, "13800000003")
	if resp, _ := other.get(app + "/form.pdf"); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("another applicant's form: %d", resp.StatusCode)
	}
}

// R3 cannot be renewed together with another item (seed 000 复审项目选择 3).
func TestR3MixedWithAnotherItemRefused(t *testing.T) {
	srv, db := newDemoServer(t, true)
	ctx := context.Background()
	until := today.AddMonths(1)
	mk := func(code string) registry.Item {
		q, _ := catalog.ParseQualification(code)
		return registry.Item{Ref: catalog.NewRef(q), IssuedBy: "杨浦区市场监督管理局", ApprovedOn: until.AddYears(-4).AddDays(1), ValidUntil: until, Status: registry.ItemValid}
	}
	h := registry.Holding{Holder: registry.Holder{Name: "马兰", IDType: registry.IDResident, IDNumber: "110105198001010024", Sex: "女", BirthDate: civil.MustParse("1980-01-01")}}
	h.Certificates = []registry.Certificate{{Number: h.Holder.IDNumber, Items: []registry.Item{mk("R3"), mk("R1")}}}
	if _, err := db.PutHolding(ctx, h); err != nil {
		t.Fatal(err)
	}
	hash, _ := auth.HashPassword(demo.Password)
	if _, err := db.RegisterApplicant(ctx, h.Holder, "13912340000", hash); err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, srv)
	login(t, b, "13912340000")
	resp, body := b.post("/apply", url.Values{"authority": {"310110"}, "matter": {"renew"}, "item": {"0", "1"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "R3项目(氧舱维护保养)由杨浦区市场监管局统一复审，不能与其他作业项目同时申请") {
		t.Fatalf("R3 + R1: %d %s", resp.StatusCode, errorsOf(body))
	}
	// What was ticked stays ticked.
	mustContain(t, body, `name="item" value="0" checked`, `name="item" value="1" checked`)
	if resp, _ := b.post("/apply", url.Values{"authority": {"310110"}, "matter": {"renew"}, "item": {"1"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("R1 alone: %d", resp.StatusCode)
	}
}

// Cancelled old items are not offered, with the line saying why (seed 000
// 复审注意 4), and cannot be smuggled in by index.
func TestCancelledItemsNotOffered(t *testing.T) {
	srv, _ := newDemoServer(t, true)
	b := newBrowser(t, srv)
	login(t, b, "13800000003") // 王强: G4, G2 and the cancelled G6
	_, body := b.get("/apply?authority=310115&matter=renew")
	mustContain(t, body, "锅炉能效作业", "不再复审或补发")
	if strings.Count(body, `name="item"`) != 2 {
		t.Fatalf("selectable rows = %d, want 2 (G4, G2)", strings.Count(body, `name="item"`))
	}
	resp, _ := b.post("/apply", url.Values{"authority": {"310115"}, "matter": {"renew"}, "item": {"2"}})
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("index past the list: %d", resp.StatusCode)
	}
}

// Welding 复审 needs a passed exam result chosen (seed 000 复审注意 3); the
// demo welder 陈静 has one.
func TestWeldingRenewalNeedsPassedExam(t *testing.T) {
	srv, _ := newDemoServer(t, true)
	b := newBrowser(t, srv)
	login(t, b, "13800000005")
	_, body := b.get("/apply?authority=310116&matter=renew")
	mustContain(t, body, "金属焊接操作", "SMAW-FeⅡ-6G(K)-9/57-Fef3J", "合格的考试成绩", "合格")
	resp, body := b.post("/apply", url.Values{"authority": {"310116"}, "matter": {"renew"}, "item": {"0"}})
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("welding without an exam result: %d", resp.StatusCode)
	}
	m := regexp.MustCompile(`<option value="(\d+)">金属焊接操作`).FindStringSubmatch(body)
	if m == nil {
		t.Fatal("no passed exam result offered")
	}
	resp, _ = b.post("/apply", url.Values{"authority": {"310116"}, "matter": {"renew"}, "item": {"0"}, "exam-0": {m[1]}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("welding with its exam result: %d", resp.StatusCode)
	}
}

// 发生过 on the self-commitment: renewal condition (二) of TSG Z6001-2019 is
// not met, so the renewal cannot go on; what was chosen is kept.
func TestIncidentBlocksRenewal(t *testing.T) {
	srv, _ := newDemoServer(t, true)
	b := newBrowser(t, srv)
	login(t, b, "13800000001")
	app := startRenewal(t, b, "310104", url.Values{"item": {"0"}})
	code, body := step(t, b, app, "commitment", url.Values{"action": {"next"}, "incident": {"yes"}}, "", "", nil)
	if code != http.StatusUnprocessableEntity || !strings.Contains(body, "请修改以下内容") {
		t.Fatalf("发生过: %d", code)
	}
	mustContain(t, body, `value="yes" checked`)
}
