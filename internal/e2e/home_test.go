package e2e

import (
	"strings"
	"testing"
)

// A person on a desktop reads the home page, picks 杨浦区 and 复审 and
// lands on the 复审 guide of that bureau.
func TestHomeDesktop(t *testing.T) {
	srv := StartServer(t)
	b := NewBrowser(t)
	b.Desktop()

	wantStatus(t, "home", b.Open(srv.URL+"/"), 200)
	wantText(t, "title", b.Title(), "首页 - opcert")
	wantText(t, "h1", b.Text("h1"), "特种设备安全管理和作业人员资格认定")
	wantTexts(t, "services", b.Texts(".services li a"),
		[]string{"新办", "增项", "复审", "补证", "焊工考试报名", "证书查询", "办件查询"})
	wantText(t, "districts heading", b.Text("#districts"), "受理机关（16个区市场监督管理局）")
	wantTexts(t, "district list", b.Texts(".districts li"), districtBureaus)
	for _, name := range []string{"徐汇区市场监督管理局", "杨浦区市场监督管理局", "浦东新区市场监督管理局", "崇明区市场监督管理局"} {
		if !strings.Contains(b.PageText(), name) {
			t.Errorf("home page does not show %s", name)
		}
	}
	wantTexts(t, "受理机关 options", b.Texts("#authority option"), districtBureaus)
	wantTexts(t, "申请事项 choices", b.Texts("fieldset.radios label"), []string{"新办", "增项", "复审", "补证"})
	if !b.Checked("新办") {
		t.Error("新办 is not chosen by default")
	}
	b.Screenshot("home")

	b.Select("受理机关", "杨浦区市场监督管理局")
	b.Choose("复审")
	wantText(t, "chosen 受理机关", b.SelectedOption("受理机关"), "杨浦区市场监督管理局")
	if !b.Checked("复审") || b.Checked("新办") {
		t.Errorf("after choosing 复审: 复审 checked %v, 新办 checked %v", b.Checked("复审"), b.Checked("新办"))
	}
	wantStatus(t, "查看办事指南", b.ClickButton("查看办事指南"), 200)
	if loc := b.Location(); !strings.HasSuffix(loc, "/guide/renew?authority=310110") {
		t.Errorf("address after submit = %s, want …/guide/renew?authority=310110", loc)
	}
	wantText(t, "guide h1", b.Text("h1"), "特种设备安全管理和作业人员资格认定（复审）办事指南")
	wantText(t, "guide title", b.Title(), "特种设备安全管理和作业人员资格认定（复审）办事指南 - opcert")
	wantText(t, "受理机关 notice", b.Text("main .notice"), "受理机关：杨浦区市场监督管理局")
	b.Screenshot("guide-renew")
	wantNoConsoleErrors(t, b)
}

// On a phone-sized screen no page scrolls sideways.
func TestPhoneLayout(t *testing.T) {
	srv := StartServer(t)
	b := NewBrowser(t)
	b.Phone()

	id := zhangWeiID(t)
	pages := []struct {
		name, path string
		status     int64
		see        string // a visible text that proves the page is the right one
	}{
		{"home", "/", 200, "选择受理机关和申请事项"},
		{"guide-renew", "/guide/renew?authority=310110", 200, "受理机关：杨浦区市场监督管理局"},
	}
	check := func(name, see string) {
		if !strings.Contains(b.PageText(), see) {
			t.Errorf("%s: page does not show %q", name, see)
		}
		if sw, iw := b.Overflow(); !fitsPhone(sw, iw) {
			t.Errorf("%s: the page is wider than a phone: scrollWidth %d, innerWidth %d, phone %d CSS px", name, sw, iw, PhoneWidth)
		}
		b.Screenshot("phone-" + name)
	}
	for _, p := range pages {
		wantStatus(t, p.name, b.Open(srv.URL+p.path), p.status)
		check(p.name, p.see)
	}
	// The 证书查询 is asked by its form (a POST: no number in the address).
	for _, q := range []struct {
		name, who, id string
		status        int64
		see           string
	}{
		{"query-result", "张伟", id, 200, "流动式起重机司机"},
		{"query-error", "", wrongCheckChar(id), 422, "请修改以下内容"},
	} {
		wantStatus(t, q.name, b.Open(srv.URL+"/certificates/query"), 200)
		b.Fill("姓名", q.who)
		b.Fill("证件号码", q.id)
		wantStatus(t, q.name, b.ClickButton("查询"), q.status)
		check(q.name, q.see)
	}
	wantNoConsoleErrors(t, b)

	// The check itself can fail: a too-wide element is caught.
	Evaluate[bool](b, `(() => { const d = document.createElement("div"); d.style.width = "600px"; d.textContent = "x"; document.querySelector("main").append(d); return true; })()`)
	if sw, iw := b.Overflow(); fitsPhone(sw, iw) {
		t.Errorf("a 600px wide element was not caught: scrollWidth %d, innerWidth %d", sw, iw)
	}
}

// fitsPhone: nothing sticks out of the phone's width. A mobile browser
// zooms out to show content that is too wide, which makes innerWidth grow
// with scrollWidth, so innerWidth must also still be the phone's width.
func fitsPhone(scrollWidth, innerWidth int) bool {
	return scrollWidth <= innerWidth && innerWidth == PhoneWidth
}
