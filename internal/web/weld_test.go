package web_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

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
	hiddenRE    = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`)
	photoKeyRE  = regexp.MustCompile(`name="photo_key" value="([^"]+)"`)
	captchaRE   = regexp.MustCompile(`name="captcha_id" value="([^"]+)"`)
	itemValueRE = regexp.MustCompile(`name="item" value="([^"]*)"`)
)

func hidden(body string) url.Values {
	v := url.Values{}
	for _, m := range hiddenRE.FindAllStringSubmatch(body, -1) {
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
}
