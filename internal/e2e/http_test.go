package e2e

import (
	"encoding/json"
	"strings"
	"testing"
)

// The machine-facing endpoints of the real binary, without a browser.
func TestHealthzCatalogAndRedirect(t *testing.T) {
	srv := StartServer(t)

	if !strings.Contains(srv.Stdout(), "演示账号（密码均为 Demo@2026）") {
		t.Errorf("the demo banner is missing from stdout:\n%s", srv.Stdout())
	}

	resp, body := srv.Get(t, "/healthz")
	if resp.StatusCode != 200 || strings.TrimSpace(body) != `{"status":"ok"}` {
		t.Errorf("/healthz = %d %q", resp.StatusCode, body)
	}

	resp, body = srv.Get(t, "/api/v1/catalog")
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("/api/v1/catalog = %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	var cat struct {
		Districts []struct{ Code, Name string } `json:"districts"`
	}
	if err := json.Unmarshal([]byte(body), &cat); err != nil {
		t.Fatalf("/api/v1/catalog: %v", err)
	}
	if len(cat.Districts) != 16 {
		t.Errorf("catalog districts = %d, want 16", len(cat.Districts))
	}
	for i, d := range cat.Districts {
		if i < len(districtBureaus) && d.Name+"市场监督管理局" != districtBureaus[i] {
			t.Errorf("catalog district %d = %s %s, want %s", i, d.Code, d.Name, districtBureaus[i])
		}
	}

	resp, _ = srv.Get(t, "/guide?authority=310110&matter=renew")
	if resp.StatusCode != 303 || resp.Header.Get("Location") != "/guide/renew?authority=310110" {
		t.Errorf("/guide?… = %d Location %q, want 303 /guide/renew?authority=310110", resp.StatusCode, resp.Header.Get("Location"))
	}
}
