package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"opcert/internal/audit"
	"opcert/internal/casework"
	"opcert/internal/store"
	"opcert/internal/verify"
)

// approvedCertificate takes 张伟's Q8 renewal to 准予许可 and returns the path
// the printed certificate's QR code opens.
func approvedCertificate(t *testing.T, db *store.DB, applicant, officer *browser) string {
	t.Helper()
	_, id := submitQ8(t, applicant)
	login(t, officer, "officer-310104")
	for _, a := range []string{"accept", "approve"} {
		if resp, body := officerAct(t, officer, id, url.Values{"action": {a}}); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("%s: %d %s", a, resp.StatusCode, errorsOf(body))
		}
	}
	n, err := db.NoticeOf(context.Background(), id, casework.NoticeCertificate)
	if err != nil {
		t.Fatal(err)
	}
	var content struct {
		QRPath string `json:"qr_path"`
	}
	if err := json.Unmarshal(n.Data, &content); err != nil || !strings.HasPrefix(content.QRPath, "/v/") {
		t.Fatalf("certificate QR path %q (%v)", content.QRPath, err)
	}
	return content.QRPath
}

// The certificate's QR code says whether the certificate is genuine and how
// each line stands today; an altered code is refused; the keys are
// published; a rotation leaves printed certificates verifiable.
func TestCertificateQRVerifies(t *testing.T) {
	srv, db := newDemoServer(t, true)
	path := approvedCertificate(t, db, newBrowser(t, srv), newBrowser(t, srv))
	visitor := newBrowser(t, srv)
	resp, body := visitor.get(path)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("check: %d", resp.StatusCode)
	}
	mustContain(t, body, "二维码签名有效", "徐汇区市场监督管理局", "张*", "Q2(限流动式起重机)", "起重机司机(限流动式起重机)", "叉车司机", "有效")
	if strings.Contains(body, "张伟") || strings.Contains(body, demoApplicant(t, 0).IDNumber) {
		t.Fatal("the check page shows the full name or ID number")
	}

	// Offline: the published key set verifies the same token.
	_, keys := visitor.get("/.well-known/opcert-keys.json")
	var set verify.KeySet
	if err := json.Unmarshal([]byte(keys), &set); err != nil || len(set.Keys) != 1 {
		t.Fatalf("key set %s (%v)", keys, err)
	}
	pub, err := set.PublicKeys()
	if err != nil {
		t.Fatal(err)
	}
	token := strings.TrimPrefix(path, "/v/")
	if p, err := verify.Open(token, pub); err != nil || p.Number != demoApplicant(t, 0).IDNumber {
		t.Fatalf("offline: %+v %v", p, err)
	}

	// One character changed: refused, and nothing of the certificate shown.
	b := []byte(token)
	b[len(b)/3] ^= 1
	resp, body = visitor.get("/v/" + string(b))
	if resp.StatusCode != http.StatusUnprocessableEntity || strings.Contains(body, "起重机司机") {
		t.Fatalf("altered token: %d", resp.StatusCode)
	}
	mustContain(t, body, "核验未通过")

	// After a rotation the printed certificate still verifies.
	if _, err := db.RotateSigningKey(context.Background(), audit.Entry{ActorRole: "admin"}); err != nil {
		t.Fatal(err)
	}
	if resp, body = visitor.get(path); resp.StatusCode != http.StatusOK || !strings.Contains(body, "二维码签名有效") {
		t.Fatalf("after rotation: %d", resp.StatusCode)
	}
	_, keys = visitor.get("/.well-known/opcert-keys.json")
	if n := strings.Count(keys, `"kid"`); n != 2 || !strings.Contains(keys, `"retired"`) {
		t.Fatalf("key set after rotation: %s", keys)
	}

}
