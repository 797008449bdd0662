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

// Helpers for the browser flows (apply_test.go, officer_test.go, …): log in,
// step through the wizard, upload, submit and find the application.

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
	if strings.Contains(b.PageText(), "连续中断超过1年") {
		b.Choose("未超过1年")
	}
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
