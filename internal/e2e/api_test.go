package e2e

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// On a phone, the public query finds 张伟 by name and 档案编号 (the second
// way of the one form), masked; an admin issues an API key, sees its
// secret once and its usage, and revokes it, after which the key is
// refused.
func TestQueryByArchiveNumberAndAPIKey(t *testing.T) {
	srv := StartServer(t)
	b := NewBrowser(t)
	b.Phone()
	wantStatus(t, "query", b.Open(srv.URL+"/certificates/query"), 200)
	b.Choose("姓名＋证书编号（档案编号）")
	b.Fill("姓名", "张伟")
	b.Fill("证书编号（档案编号）", "ts3000000001001")
	wantStatus(t, "查询", b.ClickButton("查询"), 200)
	mustSee(t, b, "查询结果：张*", "流动式起重机司机", "叉车司机")
	if strings.Contains(b.PageText(), zhangWeiID(t)) {
		t.Error("the result shows the full ID number")
	}
	if !b.Checked("姓名＋证书编号（档案编号）") {
		t.Error("the chosen way is not kept")
	}
	if sw, iw := b.Overflow(); !fitsPhone(sw, iw) {
		t.Errorf("query by 档案编号 is wider than a phone: %d > %d", sw, iw)
	}
	b.Screenshot("query-by-archive-number")

	admin := NewBrowser(t)
	admin.Desktop()
	admin.Open(srv.URL + "/login")
	logIn(t, admin, "admin")
	wantStatus(t, "系统管理", admin.ClickLink("系统管理"), 200)
	wantStatus(t, "接口密钥", admin.ClickLink("接口密钥"), 200)
	admin.Fill("使用单位", "上海市特种设备监督检验技术研究院")
	admin.Fill("每分钟调用上限", "120")
	wantStatus(t, "签发", admin.ClickButton("签发"), 200)
	mustSee(t, admin, "已签发密钥：上海市特种设备监督检验技术研究院", "离开本页后密钥不再显示")
	secret := admin.Text("#secret")
	admin.Screenshot("api-key-issued")
	call := func() int {
		t.Helper()
		req, _ := http.NewRequest("POST", srv.URL+"/api/v1/certificates/query", strings.NewReader(`{"name":"张伟","id_number":"`+zhangWeiID(t)+`"}`))
		req.Header.Set("Authorization", "Bearer "+secret)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var body map[string]any
		json.NewDecoder(resp.Body).Decode(&body)
		return resp.StatusCode
	}
	if got := call(); got != 200 {
		t.Fatalf("with the key: %d", got)
	}
	wantStatus(t, "list", admin.Open(srv.URL+"/admin/api-keys"), 200)
	if strings.Contains(admin.PageText(), secret) {
		t.Fatal("the secret is shown again")
	}
	wantText(t, "calls", admin.Text(`#keys td[data-label="累计调用"]`), "1")
	wantStatus(t, "撤销", admin.ClickButton("撤销"), 200)
	mustSee(t, admin, "已撤销该API密钥")
	if got := call(); got != http.StatusUnauthorized {
		t.Fatalf("revoked key: %d", got)
	}
	wantNoConsoleErrors(t, b)
	wantNoConsoleErrors(t, admin)
}
