package web_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"opcert/internal/demo"
	"opcert/internal/weldexam"
)

const welderID = "110105198001010016"

// welderValues is the seed's 考试申请表 (seed 000 四.2) as a browser posts it.
func welderValues() url.Values {
	v := url.Values{"kind": {"new"}, "mode": {"new"}, "version": {"0"}, "name": {"王焊工"}, "sex": {"男"}, "nature": {"首次考试"},
		"address": {"上海市普陀区真北路1号"}, "education": {"初中"}, "postcode": {"200333"}, "id_number": {welderID}, "mobile": {"13800000123"},
		"work_type": {"金属焊"}, "welding_years": {"7"}, "item": {"SAW-1G(K)-07/08/19", "SMAW-FeII-6G(K)-9/57-Fef3J"},
		"employer": {"上海焊接工程有限公司"}, "credit_code": {"91310000MA00003490"}, "unit_types": {"安装", "维修"}, "district": {"310107"},
		"employer_address": {"上海市普陀区中山北路2号"}, "contact": {"李四"}, "contact_phone": {"021-62000000"}, "entrust": {"是"},
		"work_period": {"2018.03—2026.06"}, "work_employer": {"上海焊接工程有限公司"}, "work_work": {"压力管道焊接"},
		"training": {"经单位安全教育和焊接培训，能独立承担焊接工作"}, "materials": weldexam.Materials}
	return v
}

var (
	weldHiddenRE = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`)
	photoKeyRE   = regexp.MustCompile(`name="photo_key" value="([^"]+)"`)
	captchaRE    = regexp.MustCompile(`name="captcha_id" value="([^"]+)"`)
	itemValueRE  = regexp.MustCompile(`name="item" value="([^"]*)"`)
)

func hidden(body string) url.Values {
	v := url.Values{}
	for _, m := range weldHiddenRE.FindAllStringSubmatch(body, -1) {
		v.Add(m[1], html.UnescapeString(m[2]))
	}
	return v
}

// The 焊工考试报名 of seed 000 四 without an account and without JavaScript:
// the home page's link, 报名 with the 身份证号, + adding a skill row with
// everything typed kept, a missing 联系电话 refused with the seed's message
// at the field and in the summary, the confirmation 是否已经检查确认填写信息
// 正确无误？ and 焊考考证报名成功!; then 修改 after an SMS code.
func TestWelderRegistrationPages(t *testing.T) {
	srv, db := newDemoServer(t, true)
	b := newBrowser(t, srv)
	_, home := b.get("/")
	mustContain(t, home, `href="/weld"`, "焊工考试报名")
	_, entry := b.get("/weld")
	mustContain(t, entry, "单个报名", "批量报名", "新考证", "复审", "是否焊接", "身份证号", ">报名<", ">修改<")

	resp, page := b.post("/weld", url.Values{"kind": {"new"}, "id_number": {"110105198001010017"}, "action": {"register"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "校验码") {
		t.Fatalf("a wrong ID: %d", resp.StatusCode)
	}
	_, page = b.post("/weld", url.Values{"kind": {"new"}, "id_number": {welderID}, "action": {"register"}})
	mustContain(t, page, "特种设备焊接操作人员考试申请表", "申请考试性质", "首次考试", "抽考", "通信地址", "技能考试项目明细", "单位类型", "维保", "充装",
		"是否委托考试机构办理取证手续", "工作经历", "安全教育和培训情况", "相关材料", "验证码", "刷新验证码", "保存并上报", welderID)

	// + with the photo: a second row, the photo kept, nothing lost.
	v := welderValues()
	v.Set("captcha_id", captchaRE.FindStringSubmatch(page)[1])
	v["item"] = []string{"SAW-1G(K)-07/08/19"}
	v.Set("action", "add_item")
	resp, page = b.postMultipart("/weld/form", v, "photo", "photo.png", photoPNG(t))
	if resp.StatusCode != http.StatusOK || len(itemValueRE.FindAllString(page, -1)) != 2 || !strings.Contains(page, `value="王焊工"`) {
		t.Fatalf("+: %d %d rows", resp.StatusCode, len(itemValueRE.FindAllString(page, -1)))
	}
	key := photoKeyRE.FindStringSubmatch(page)[1]
	if r, _ := b.get("/weld/photo?k=" + url.QueryEscape(key)); r.StatusCode != http.StatusOK {
		t.Fatalf("photo preview: %d", r.StatusCode)
	}
	// − removes the row it is on.
	v = welderValues()
	v.Set("photo_key", key)
	v.Set("captcha_id", captchaRE.FindStringSubmatch(page)[1])
	v.Set("action", "remove_item:0")
	_, page = b.postMultipart("/weld/form", v, "", "", nil)
	if rows := itemValueRE.FindAllStringSubmatch(page, -1); len(rows) != 1 || rows[0][1] != "SMAW-FeII-6G(K)-9/57-Fef3J" {
		t.Fatalf("−: %v", rows)
	}

	// A wrong code names its row and slot; a missing 联系电话 gets the seed's message.
	v = welderValues()
	v.Set("photo_key", key)
	cid := captchaRE.FindStringSubmatch(page)[1]
	v.Set("captcha_id", cid)
	v.Set("mobile", "")
	v["item"] = []string{"SAW-1G(K)-07/08/19", "SMAW-FeⅡ-7G-12-Fef3J"}
	v.Set("action", "submit")
	resp, page = b.postMultipart("/weld/form", v, "", "", nil)
	if resp.StatusCode != http.StatusUnprocessableEntity || strings.Count(page, "请填写联系电话!") != 2 || !strings.Contains(page, "第2行：试件位置代号“7G”不正确") ||
		!strings.Contains(page, `value="SMAW-FeⅡ-7G-12-Fef3J"`) || !strings.Contains(page, `value="上海焊接工程有限公司"`) || !strings.Contains(page, `href="#mobile"`) {
		t.Fatalf("missing mobile: %d\n%s", resp.StatusCode, page)
	}

	// 保存并上报 → the confirmation → 焊考考证报名成功!
	v = welderValues()
	v.Set("photo_key", key)
	v.Set("captcha_id", captchaRE.FindStringSubmatch(page)[1])
	v.Set("captcha", "")
	v.Set("action", "submit")
	if _, page = b.postMultipart("/weld/form", v, "", "", nil); !strings.Contains(page, "请输入验证码!") {
		t.Fatal("submitted without the captcha")
	}
	cid = captchaRE.FindStringSubmatch(page)[1]
	answer, err := db.CaptchaAnswer(context.Background(), cid)
	if err != nil {
		t.Fatal(err)
	}
	v.Set("captcha_id", cid)
	v.Set("captcha", answer)
	_, page = b.postMultipart("/weld/form", v, "", "", nil)
	mustContain(t, page, "是否已经检查确认填写信息正确无误？", "SMAW-FeⅡ-6G(K)-9/57-Fef3J", "普陀区")
	confirm := hidden(page)
	confirm.Set("action", "confirm")
	resp, page = b.postMultipart("/weld/form", confirm, "", "", nil)
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, "焊考考证报名成功!") {
		t.Fatalf("confirm: %d\n%s", resp.StatusCode, page)
	}
	if r, pdf := b.get("/weld/mine/form.pdf"); r.StatusCode != http.StatusOK || !strings.HasPrefix(pdf, "%PDF") {
		t.Fatalf("form.pdf: %d", r.StatusCode)
	}
	// The same confirmation again (the captcha is used) registers nothing.
	if resp, page = b.postMultipart("/weld/form", confirm, "", "", nil); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "图形验证码不正确或已过期") {
		t.Fatalf("replayed confirmation: %d", resp.StatusCode)
	}

	// 修改 from another browser: an SMS code to the phone given.
	other := newBrowser(t, srv)
	if r, _ := other.get("/weld/mine"); r.StatusCode != http.StatusGone {
		t.Fatalf("another browser sees it: %d", r.StatusCode)
	}
	_, page = other.post("/weld", url.Values{"kind": {"new"}, "id_number": {welderID}, "action": {"modify"}})
	mustContain(t, page, "138****0123")
	resp, _ = other.post("/weld/code", url.Values{"kind": {"new"}, "id_number": {welderID}, "code": {latestCode(t, db, "13800000123")}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/weld/mine" {
		t.Fatalf("code: %d", resp.StatusCode)
	}
	_, page = other.get("/weld/mine")
	mustContain(t, page, "王焊工", "SAW-1G(K)-07/08/19", "考试机构锁定前可修改")
	_, page = other.get("/weld/mine/edit")
	v = hidden(page)
	for k, vs := range welderValues() {
		if k != "kind" && k != "mode" && k != "version" {
			v[k] = vs
		}
	}
	v.Set("photo_key", key)
	v.Set("welding_years", "9")
	v.Set("action", "submit")
	_, page = other.postMultipart("/weld/form", v, "", "", nil)
	confirm = hidden(page)
	confirm.Set("action", "confirm")
	if _, page = other.postMultipart("/weld/form", confirm, "", "", nil); !strings.Contains(page, "报名信息修改成功!") {
		t.Fatalf("修改:\n%s", page)
	}
	_, page = other.get("/weld/mine")
	mustContain(t, page, `<dd id="mine-years">9</dd>`)

	// Exam staff of the welding institution lock it, seat it and score each
	// skill item; the passed item reaches the welder's exam results.
	staff := newBrowser(t, srv)
	if r, _ := staff.post("/login/password", url.Values{"login": {"exam"}, "password": {demo.Password}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("exam login: %d", r.StatusCode)
	}
	_, page = staff.get("/exam")
	mustContain(t, page, `href="/exam/welders"`, `value="金属焊接操作"`)
	_, page = staff.get("/exam/welders")
	mustContain(t, page, "王焊工", "SAW-1G(K)-07/08/19", "待锁定")
	link := regexp.MustCompile(`href="(/exam/welders/\d+)"`).FindStringSubmatch(page)[1]
	if r, _ := staff.post(link+"/scores", url.Values{"theory": {"80"}, "practical-0": {"80"}, "practical-1": {"80"}}); r.StatusCode != http.StatusConflict {
		t.Fatalf("scored before the lock: %d", r.StatusCode)
	}
	if r, _ := staff.post(link+"/lock", nil); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("lock: %d", r.StatusCode)
	}
	if r, _ := other.get("/weld/mine/edit"); r.StatusCode != http.StatusConflict {
		t.Fatalf("修改 after the lock: %d", r.StatusCode)
	}
	_, page = other.get("/weld/mine")
	mustContain(t, page, "考试机构已锁定")
	for _, sub := range []string{"theory", "practical"} {
		if r, _ := staff.post("/exam/sessions", url.Values{"items": {"金属焊接操作"}, "subject": {sub}, "date": {"2026-12-10"}, "start": {"09:00"}, "end": {"11:00"},
			"venue": {"上海市普陀区真北路1号 焊接实训室"}, "capacity": {"10"}}); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("welding session: %d", r.StatusCode)
		}
	}
	_, page = staff.get(link)
	for _, m := range regexp.MustCompile(`<option value="(\d+)">`).FindAllStringSubmatch(page, -1) {
		if r, _ := staff.post(link+"/seat", url.Values{"session": {m[1]}}); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("seat: %d", r.StatusCode)
		}
	}
	_, page = staff.get(link)
	mustContain(t, page, "已安排考试", "座位号 <strong>1</strong>", `id="welder-ticket"`)
	// The registrant is told by SMS and prints the 准考证; its QR code is
	// the signed ticket, checked against the seats.
	msgs, _ := db.RecentOutbox(context.Background(), "13800000123", 5)
	if len(msgs) == 0 || msgs[0].Topic != "weld_scheduled" || !strings.Contains(msgs[0].Body, "打印准考证") || !strings.Contains(msgs[0].Body, "焊接实训室") {
		t.Fatalf("seating SMS %+v", msgs)
	}
	_, page = other.get("/weld/mine")
	mustContain(t, page, `id="weld-ticket"`)
	if r, pdf := other.get("/weld/mine/ticket.pdf"); r.StatusCode != http.StatusOK || !strings.HasPrefix(pdf, "%PDF") {
		t.Fatalf("the registrant's 准考证: %d", r.StatusCode)
	}
	if r, pdf := staff.get(link + "/ticket.pdf"); r.StatusCode != http.StatusOK || !strings.HasPrefix(pdf, "%PDF") {
		t.Fatalf("the staff's 准考证: %d", r.StatusCode)
	}
	if r, _ := newBrowser(t, srv).get("/weld/mine/ticket.pdf"); r.StatusCode == http.StatusOK {
		t.Fatal("a visitor printed the 准考证")
	}
	resp, page = staff.post(link+"/scores", url.Values{"theory": {"80"}, "practical-0": {"85"}, "practical-1": {"abc"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "成绩应为0至100之间的整数") || !strings.Contains(page, `value="85"`) {
		t.Fatalf("a wrong mark: %d", resp.StatusCode)
	}
	if r, _ := staff.post(link+"/scores", url.Values{"theory": {"80"}, "practical-0": {"85"}, "practical-1": {"60"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("scores: %d", r.StatusCode)
	}
	_, page = staff.get(link)
	mustContain(t, page, "已录入成绩", "合格", "不合格")
	h, err := db.HoldingByIDNumber(context.Background(), welderID)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := db.PassedExamResults(context.Background(), h.Holder.ID); len(got) != 1 || got[0].WeldCode != "SAW-1G(K)-07/08/19" {
		t.Fatalf("passed results %+v", got)
	}
	_, page = other.get("/weld/mine")
	mustContain(t, page, "考试安排", "焊接实训室", "考试成绩", "一网通办")
	// The public sees none of it.
	if r, _ := newBrowser(t, srv).get(link); r.StatusCode == http.StatusOK {
		t.Fatal("a visitor opens a registration")
	}
}

// A photo that is not one, or too large, is refused at the photo with what
// was typed kept; a body over the limit is refused unread.
func TestWelderPhotoRefused(t *testing.T) {
	srv, _ := newDemoServer(t, false)
	b := newBrowser(t, srv)
	v := welderValues()
	v.Set("action", "upload_photo")
	resp, page := b.postMultipart("/weld/form", v, "photo", "photo.jpg", []byte("not a picture at all"))
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, `id="photo-error"`) || !strings.Contains(page, `value="王焊工"`) ||
		strings.Contains(page, `name="photo_key" value="weld`) {
		t.Fatalf("a disguised photo: %d", resp.StatusCode)
	}
	resp, page = b.postMultipart("/weld/form", v, "photo", "photo.png", make([]byte, 12<<20))
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(page, "超过10MB") {
		t.Fatalf("an oversized photo: %d", resp.StatusCode)
	}
	// A photo key that is not one of the registration photos reads nothing.
	if r, _ := b.get("/weld/photo?k=applications/1/photo.png"); r.StatusCode != http.StatusNotFound {
		t.Fatalf("another file by key: %d", r.StatusCode)
	}
}

// 刷新验证码 draws a new captcha and 同步单位信息 fills the employer from the
// enterprise registry, both without JavaScript and keeping what was typed.
func TestWelderFormButtons(t *testing.T) {
	srv, _ := newDemoServer(t, false)
	b := newBrowser(t, srv)
	_, page := b.post("/weld", url.Values{"kind": {"new"}, "id_number": {welderID}, "action": {"register"}})
	first := captchaRE.FindStringSubmatch(page)[1]
	v := welderValues()
	v.Set("captcha_id", first)
	v.Set("action", "refresh_captcha")
	_, page = b.postMultipart("/weld/form", v, "", "", nil)
	if next := captchaRE.FindStringSubmatch(page)[1]; next == first || !strings.Contains(page, `value="王焊工"`) {
		t.Fatalf("刷新验证码: %s → %s", first, next)
	}
	if r, _ := b.get("/captcha/" + captchaRE.FindStringSubmatch(page)[1] + "/audio"); r.StatusCode != http.StatusOK || r.Header.Get("Content-Type") != "audio/wav" {
		t.Fatalf("audio captcha: %d", r.StatusCode)
	}
	v = welderValues()
	v.Set("employer", "上海金山石化焊接工程有限公司")
	v.Set("credit_code", "")
	v.Set("employer_address", "")
	v.Set("action", "sync_employer")
	_, page = b.postMultipart("/weld/form", v, "", "", nil)
	mustContain(t, page, "已同步单位信息", `value="上海市金山区卫零路55号"`, `<option value="310116" selected>`, `value="王焊工"`)
	v.Set("employer", "不存在的单位")
	resp, page := b.postMultipart("/weld/form", v, "", "", nil)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "企业登记信息中未找到该单位") {
		t.Fatalf("an unknown employer: %d", resp.StatusCode)
	}
}
