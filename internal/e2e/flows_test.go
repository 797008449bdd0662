package e2e

import (
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"opcert/internal/testfixture"
)

// Issue 3's browser flows: as demo applicants, through every step with real
// uploads to 已提交, then 办件查询 and the 受理机构.

const demoPassword = "Demo@2026"

type files struct{ photo, pdf string }

// fixtures writes a 2-inch white-background photo and a small PDF.
func fixtures(t *testing.T) files {
	t.Helper()
	dir := t.TempDir()
	f := files{photo: filepath.Join(dir, "照片.png"), pdf: filepath.Join(dir, "材料.pdf")}
	os.WriteFile(f.photo, testfixture.Photo(), 0o600)
	os.WriteFile(f.pdf, testfixture.PDF, 0o600)
	return f
}

func (b *Browser) clickID(id string) int64 {
	b.t.Helper()
	return b.clickAndWait(`//*[@id="`+id+`"]`, "#"+id)
}

func (b *Browser) upload(inputID, path string) {
	b.t.Helper()
	b.Do(chromedp.SetUploadFiles(chromedp.ID(inputID), []string{path}))
}

func (b *Browser) tick(css string) {
	b.t.Helper()
	b.Do(chromedp.Click(chromedp.CSS(css), chromedp.NodeVisible))
}

func (b *Browser) setValue(css, value string) {
	b.t.Helper()
	b.Do(chromedp.SetValue(chromedp.CSS(css), value))
}

func mustSee(t *testing.T, b *Browser, want ...string) {
	t.Helper()
	page := b.PageText()
	for _, w := range want {
		if !strings.Contains(page, w) {
			t.Fatalf("page %s lacks %q; it reads:\n%s", b.Location(), w, page)
		}
	}
}

// openApply logs in through the login page on the way to the 立即办理 page
// of a matter at a 受理机关.
func openApply(t *testing.T, b *Browser, srv *Server, authority, matter, login string) {
	t.Helper()
	b.Open(srv.URL + "/login?next=" + url.QueryEscape("/apply?authority="+authority+"&matter="+matter))
	logIn(t, b, login)
}

// logIn logs in through the login page, landing where next says.
func logIn(t *testing.T, b *Browser, login string) {
	t.Helper()
	b.Fill("手机号或登录名", login)
	b.Fill("密码", demoPassword)
	wantStatus(t, "登录", b.clickID("login-password"), 200)
}

// commitmentAndBasic does the 自我承诺 and 基本信息 steps.
func commitmentAndBasic(t *testing.T, b *Browser, f files, employer string) {
	t.Helper()
	mustSee(t, b, "自我承诺", "持证期间是否发生过违章作业行为和责任事故")
	b.Choose("未发生过")
	wantStatus(t, "下一步", b.clickID("next"), 200)
	mustSee(t, b, "基本信息", "您要申请的资格认定")
	b.upload("photo-file", f.photo)
	b.clickID("upload-photo")
	mustSee(t, b, "照片已上传")
	b.Fill("单位名称", employer)
	b.clickID("sync-employer")
	mustSee(t, b, "已同步单位信息")
	b.Fill("单位地址详细地址", "8楼")
	b.Select("学历", "高中")
	b.Select("技术职称", "未评定")
	wantStatus(t, "下一步", b.clickID("next"), 200)
	mustSee(t, b, "申请材料", "上传文件大小请不要超过10MB")
}

// uploadMaterial uploads a file for one material on the 申请材料 step.
func uploadMaterial(t *testing.T, b *Browser, key, path string) {
	t.Helper()
	b.upload("file-"+key, path)
	b.clickID("upload-" + key)
	mustSee(t, b, "文件已上传")
}

var numberRE = regexp.MustCompile(`\d{12}`)

// submitAndFind submits from 核对信息 and checks 办件查询 and the 受理机构.
func submitAndFind(t *testing.T, b *Browser, srv *Server, matter, authority string) string {
	t.Helper()
	wantStatus(t, "下一步", b.clickID("next"), 200)
	mustSee(t, b, "核对信息", authority)
	wantStatus(t, "提交", b.clickID("submit"), 200)
	mustSee(t, b, "申请已提交", authority)
	number := b.Text("#submitted-number")
	if !numberRE.MatchString(number) {
		t.Fatalf("申请号 %q", number)
	}
	wantStatus(t, "办件查询", b.Open(srv.URL+"/applications"), 200)
	rows := b.TableRows("#applications")
	found := false
	for _, r := range rows {
		if len(r) >= 7 && r[1] == number && r[3] == "（"+matter+"）" && strings.HasPrefix(r[6], "已提交") {
			found = true
		}
	}
	if !found {
		t.Fatalf("办件查询 lacks %s %s 已提交: %q", number, matter, rows)
	}
	wantStatus(t, "查看", b.ClickLink("查看"), 200)
	wantText(t, "受理机构", b.Text("#review-authority"), authority)
	return number
}

func TestRenewQ8InBrowser(t *testing.T) {
	srv := StartServer(t)
	f := fixtures(t)
	b := NewBrowser(t)
	b.Desktop()
	// From the guide: 立即办理 asks to log in and comes back to the same place.
	wantStatus(t, "guide", b.Open(srv.URL+"/guide/renew?authority=310104"), 200)
	b.clickID("start-now")
	mustSee(t, b, "登录")
	logIn(t, b, "13800000001")
	mustSee(t, b, "复审项目选择", "流动式起重机司机", "徐汇区市场监督管理局")
	b.Screenshot("renew-select")
	b.tick(`input[name="item"][value="0"]`)
	wantStatus(t, "确定", b.clickID("confirm"), 200)
	commitmentAndBasic(t, b, f, "上海徐汇起重设备安装有限公司")
	b.Screenshot("renew-materials")
	uploadMaterial(t, b, "id_card", f.pdf)
	b.Phone()
	b.Screenshot("renew-materials-phone")
	b.Desktop()
	submitAndFind(t, b, srv, "复审", "徐汇区市场监督管理局")
	mustSee(t, b, "流动式起重机司机[Q8] → Q2(限流动式起重机)")
}

func TestRenewR3GoesToYangpu(t *testing.T) {
	srv := StartServer(t)
	f := fixtures(t)
	b := NewBrowser(t)
	b.Desktop()
	openApply(t, b, srv, "310104", "renew", "13800000002")
	mustSee(t, b, "氧舱维护保养", "R3项目（氧舱维护保养）由杨浦区市场监管局统一复审")
	b.tick(`input[name="item"][value="0"]`)
	b.clickID("confirm")
	commitmentAndBasic(t, b, f, "上海杨浦高压氧医疗设备有限公司")
	uploadMaterial(t, b, "id_card", f.pdf)
	submitAndFind(t, b, srv, "复审", "杨浦区市场监督管理局")
}

func TestManualEntryRenewal(t *testing.T) {
	srv := StartServer(t)
	f := fixtures(t)
	b := NewBrowser(t)
	b.Desktop()
	openApply(t, b, srv, "310112", "renew", "13800000004")
	wantStatus(t, "手工录入", b.clickID("manual-link"), 200)
	mustSee(t, b, "手工录入", "原证书照片页、取证页、复审页")
	b.Fill("发证机关", "苏州市市场监督管理局")
	b.setValue(`input[name="code-1"]`, "T1")
	b.setValue(`input[name="name-1"]`, "电梯机械安装维修")
	b.setValue(`input[name="from-1"]`, "2023-01-16")
	b.setValue(`input[name="until-1"]`, "2027-01-15")
	wantStatus(t, "确定", b.clickID("manual-confirm"), 200)
	commitmentAndBasic(t, b, f, "上海闵行物流叉车有限公司")
	mustSee(t, b, "原证书照片页", "原证书取证页", "原证书复审页")
	for _, key := range []string{"orig_cert_photo", "orig_cert_first", "orig_cert_renewal"} {
		uploadMaterial(t, b, key, f.pdf)
	}
	// A Shanghai 户籍 fetches the 电子身份证 instead of a scan.
	b.clickID("electronic-id")
	mustSee(t, b, "已获取电子身份证")
	submitAndFind(t, b, srv, "复审", "闵行区市场监督管理局")
	mustSee(t, b, "电梯机械安装维修[T1] → T 电梯修理")
}

func TestNewApplicationInBrowser(t *testing.T) {
	srv := StartServer(t)
	f := fixtures(t)
	b := NewBrowser(t)
	b.Desktop()
	openApply(t, b, srv, "310115", "new", "13800000003")
	mustSee(t, b, "选择申请的作业项目", "叉车司机（N1）")
	b.tick(`input[name="item"][value="N1"]`)
	b.clickID("confirm")
	commitmentAndBasic(t, b, f, "上海浦东锅炉运行服务有限公司")
	mustSee(t, b, "学历证明", "体检报告")
	for _, key := range []string{"id_card", "education", "health"} {
		uploadMaterial(t, b, key, f.pdf)
	}
	submitAndFind(t, b, srv, "新办", "浦东新区市场监督管理局")
}

func TestReissueInBrowser(t *testing.T) {
	srv := StartServer(t)
	f := fixtures(t)
	b := NewBrowser(t)
	b.Desktop()
	openApply(t, b, srv, "310104", "reissue", "13800000002")
	mustSee(t, b, "选择需要补发的作业项目", "快开门式压力容器操作")
	b.tick(`input[name="item"][value="0-1"]`) // R1 (R3 would go to 杨浦区)
	b.clickID("confirm")
	commitmentAndBasic(t, b, f, "上海徐汇起重设备安装有限公司")
	uploadMaterial(t, b, "id_card", f.pdf)
	submitAndFind(t, b, srv, "补证", "徐汇区市场监督管理局")
}

// Without JavaScript the wizard still works: it is plain forms.
func TestWizardWithoutJavaScript(t *testing.T) {
	srv := StartServer(t)
	f := fixtures(t)
	b := NewBrowser(t)
	b.Desktop()
	b.DisableJavaScript()
	openApply(t, b, srv, "310104", "renew", "13800000001")
	b.tick(`input[name="item"][value="0"]`)
	b.clickID("confirm")
	commitmentAndBasic(t, b, f, "上海徐汇起重设备安装有限公司")
}
