package e2e

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"opcert/internal/store"
)

// captchaAnswer reads the answer of the captcha the page shows from the
// server's database, as a person reads the picture.
func captchaAnswer(t *testing.T, srv *Server, b *Browser) string {
	t.Helper()
	id := Evaluate[string](b, `document.querySelector('input[name="captcha_id"]').value`)
	db, err := store.Open(context.Background(), "", filepath.Join(srv.DataDir, "opcert.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	answer, err := db.CaptchaAnswer(context.Background(), id)
	if err != nil {
		t.Fatalf("captcha %s: %v", id, err)
	}
	return answer
}

// welderApplicant is the part of the 考试申请表 about the welder and the
// employer (seed 000 四.2), everything but the skill items and 联系电话.
func fillWelder(t *testing.T, b *Browser, name, nature string) {
	t.Helper()
	b.Fill("姓名", name)
	b.Choose(nature)
	b.Fill("通信地址", "上海市普陀区真北路1号")
	b.Select("学历", "初中")
	b.Fill("邮政编码", "200333")
	b.Choose("金属焊")
	b.Fill("焊工工龄(年)", "7")
	b.Fill("用人单位(或者培训机构)名称", "上海焊接工程有限公司")
	b.Fill("组织机构代码", "91310000MA00003490")
	b.Choose("安装")
	b.Choose("维修")
	b.Select("地区代码", "普陀区（310107）")
	b.Fill("单位地址", "上海市普陀区中山北路2号")
	b.Fill("单位联系人", "李四")
	b.Fill("联系电话", "021-62000000")
	b.Choose("是")
	b.Fill("时间", "2018.03—2026.06")
	b.Fill("单位名称", "上海焊接工程有限公司")
	b.Fill("从事焊接工作", "压力管道焊接")
	b.Fill("安全教育和培训情况", "经单位安全教育和焊接培训，能独立承担焊接工作")
	for _, m := range []string{"居民身份证(复印件, 2份)", "2寸正面近期免冠照片(4张)", "毕业证书(复印件)或者学历证明(1份)", "医疗卫生机构出具的含有视力、色盲等内容的身体健康证明"} {
		b.Choose(m)
	}
}

// A single welder registration (seed 000 四): from the home page's 焊工考试
// 报名 to the entry page, 新考证 with the 身份证号, the 考试申请表 with two skill
// items (+ adds the row), the photo and the captcha; a missing 联系电话 is
// told with the seed's message at the field and in the summary, nothing
// typed lost; 保存并上报 asks 是否已经检查确认填写信息正确无误？ and ends on
// 焊考考证报名成功!, with the 考试机构报名表 to print.
func TestWelderRegistrationSingle(t *testing.T) {
	r := newApplyRun(t)
	srv, b, photo := r.srv, r.b, r.photo
	id := residentID(t, "310107", "19850315", "001")

	wantStatus(t, "home", b.Open(srv.URL+"/"), 200)
	wantStatus(t, "焊工考试报名", b.ClickLink("焊工考试报名"), 200)
	mustSee(t, b, "单个报名", "批量报名", "报名类型", "新考证", "复审", "是否焊接", "身份证号")
	b.Choose("新考证")
	b.Fill("身份证号", id)
	wantStatus(t, "报名", b.ClickButton("报名"), 200)
	wantText(t, "form title", b.Text("h1"), "特种设备焊接操作人员考试申请表")

	fillWelder(t, b, "王焊工", "首次考试")
	b.Choose("男")
	b.Fill("第1行", "SAW-1G(K)-07/08/19")
	b.upload("photo", photo)
	wantStatus(t, "+", b.ClickButton("+"), 200)
	b.Fill("第2行", "SMAW-FeⅡ-6G(K)-9/57-Fef3J")
	if !strings.Contains(Evaluate[string](b, `document.querySelector("#photo-preview") ? "shown" : ""`), "shown") {
		t.Fatal("the photo uploaded with + is not shown")
	}
	b.Fill("验证码", captchaAnswer(t, srv, b))
	wantStatus(t, "保存并上报 without 联系电话", b.ClickButton("保存并上报"), 422)
	wantText(t, "联系电话(手机) error", b.FieldError("联系电话(手机)"), "请填写联系电话!")
	wantTexts(t, "error summary", b.Texts(".error-summary li"), []string{"联系电话(手机)：请填写联系电话!"})
	for label, want := range map[string]string{"姓名": "王焊工", "第1行": "SAW-1G(K)-07/08/19", "第2行": "SMAW-FeⅡ-6G(K)-9/57-Fef3J",
		"单位联系人": "李四", "从事焊接工作": "压力管道焊接", "焊工工龄(年)": "7"} {
		wantText(t, label+" kept", b.FieldValue(label), want)
	}
	if !b.Checked("维修") || !b.Checked("首次考试") || !b.Checked("医疗卫生机构出具的含有视力、色盲等内容的身体健康证明") {
		t.Fatal("a choice was lost on the error")
	}
	b.Screenshot("weld-missing-mobile")

	b.Fill("联系电话(手机)", "13800000123")
	wantStatus(t, "保存并上报", b.ClickButton("保存并上报"), 200)
	mustSee(t, b, "是否已经检查确认填写信息正确无误？", "SAW-1G(K)-07/08/19；SMAW-FeⅡ-6G(K)-9/57-Fef3J", "13800000123")
	wantStatus(t, "确定", b.ClickButton("确定"), 200)
	mustSee(t, b, "系统提示", "焊考考证报名成功!")
	b.Screenshot("weld-registered")
	if got := fetchPDF(t, b, "/weld/mine/form.pdf"); got != "200 application/pdf %PDF-" {
		t.Fatalf("考试机构报名表: %s", got)
	}
	wantNoConsoleErrors(t, b)
}

// A 复审 registration (seed 000 四.3) starts from what the registry holds
// of the welder's certificate: 陈静's 金属焊接操作 line.
func TestWelderRenewalPrefilled(t *testing.T) {
	r := newApplyRun(t)
	b := r.b
	h := r.holder("13800000005")
	wantStatus(t, "entry", b.Open(r.srv.URL+"/weld"), 200)
	b.Choose("复审")
	b.Fill("身份证号", h.Holder.IDNumber)
	wantStatus(t, "报名", b.ClickButton("报名"), 200)
	wantText(t, "form title", b.Text("h1"), "特种设备焊接操作人员复审申请表")
	var until string
	for _, c := range h.Certificates {
		for _, it := range c.Items {
			if it.WeldCode != "" {
				until = it.ValidUntil.String()
			}
		}
	}
	for label, want := range map[string]string{"姓名": "陈静", "原发证机关": "金山区市场监督管理局", "证书编号": h.Certificates[0].Number,
		"当前证书有效期": until, "第1行": "SMAW-FeⅡ-6G(K)-9/57-Fef3J"} {
		wantText(t, label+" prefilled", b.FieldValue(label), want)
	}
	if !b.Checked("女") || !b.Checked("金属焊") {
		t.Fatal("sex or 作业项目 not prefilled")
	}
	mustSee(t, b, "已根据证书登记信息带入原证书信息", "是否委托考试机构办理复审手续")
	b.Screenshot("weld-renewal-prefilled")
}

// A welder who passed chooses the result in the portal: 陈静 registers a
// 增项 skill item (no theory, seed 001 第二部分 5), the city's exam staff
// lock and score it, and her 一网通办 增项 offers the passed result in the
// 考试成绩信息 pick-list of 金属焊接操作; choosing it carries the project code
// into the application.
func TestWelderResultChosenInPortal(t *testing.T) {
	r := newApplyRun(t)
	b := r.b
	h := r.holder("13800000005")
	const code = "GTAW-FeⅣ-6G-3/57-FefS-02/10/12"
	wantStatus(t, "entry", b.Open(r.srv.URL+"/weld"), 200)
	b.Choose("新考证")
	b.Fill("身份证号", h.Holder.IDNumber)
	wantStatus(t, "报名", b.ClickButton("报名"), 200)
	fillWelder(t, b, "陈静", "增项")
	b.Choose("女")
	b.Fill("联系电话(手机)", "13800000005")
	b.Fill("第1行", code)
	r.setFile("photo", r.photo)
	wantStatus(t, "上传照片", b.ClickButton("上传照片"), 200)
	b.Fill("验证码", captchaAnswer(t, r.srv, b))
	wantStatus(t, "保存并上报", b.ClickButton("保存并上报"), 200)
	wantStatus(t, "确定", b.ClickButton("确定"), 200)
	mustSee(t, b, "焊考考证报名成功!")

	staff := NewBrowser(t)
	staff.Desktop()
	staff.Open(r.srv.URL + "/login")
	logIn(t, staff, "exam")
	wantStatus(t, "焊工报名", staff.ClickLink("焊工报名"), 200)
	wantStatus(t, "办理", staff.clickAndWait(`//table//tr[td[2]="陈静"]//a[normalize-space(.)="办理"]`, "办理 陈静"), 200)
	wantStatus(t, "锁定报名", staff.ClickButton("锁定报名"), 200)
	mustSee(t, staff, "已锁定报名", "增项只考操作技能")
	staff.Fill(code+" 操作技能考试成绩", "88")
	wantStatus(t, "录入成绩", staff.ClickButton("录入成绩"), 200)
	mustSee(t, staff, "成绩已录入", "已录入成绩", "合格")
	staff.Screenshot("weld-scored")

	r.enter("金山区市场监督管理局", "增项", "13800000005")
	b.Choose("金属焊接操作")
	value := Evaluate[string](b, `(() => { const o = [...document.querySelectorAll('select[name="exam-金属焊接操作"] option')].find(o => o.textContent.includes(`+jsString(code)+`)); return o ? o.value : ""; })()`)
	if value == "" {
		t.Fatalf("the passed result is not offered; the page reads:\n%s", b.PageText())
	}
	b.setValue(`select[name="exam-金属焊接操作"]`, value)
	b.Screenshot("weld-result-chosen")
	r.status("确定", b.ClickButton("确定"), 200)
	r.noErrors()
	r.commitment("增项")
	mustSee(t, b, code)
}

// Without JavaScript the + and − of 技能考试项目明细 and 工作经历 are form
// posts that keep everything typed.
func TestWelderRowsWithoutJavaScript(t *testing.T) {
	r := newApplyRun(t)
	b := r.b
	b.DisableJavaScript()
	wantStatus(t, "entry", b.Open(r.srv.URL+"/weld"), 200)
	b.Fill("身份证号", residentID(t, "310107", "19850315", "001"))
	wantStatus(t, "报名", b.ClickButton("报名"), 200)
	b.Fill("姓名", "王焊工")
	b.Fill("第1行", "SAW-1G(K)-07/08/19")
	wantStatus(t, "+ 项目", b.clickID("add-item"), 200)
	b.Fill("第2行", "SMAW-FeⅡ-6G(K)-9/57-Fef3J")
	wantStatus(t, "+ 工作经历", b.clickID("add-work"), 200)
	if n := Evaluate[int](b, `document.querySelectorAll('input[name="work_period"]').length`); n != 2 {
		t.Fatalf("%d work rows", n)
	}
	wantStatus(t, "− 第1行", b.clickID("remove-item-0"), 200)
	wantText(t, "the row left", b.FieldValue("第1行"), "SMAW-FeⅡ-6G(K)-9/57-Fef3J")
	wantText(t, "姓名 kept", b.FieldValue("姓名"), "王焊工")
}
