package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
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
	if _, err := db.RotateSigningKey(context.Background(), verify.SM2, audit.Entry{ActorRole: "admin"}); err != nil {
		t.Fatal(err)
	}
	if resp, body = visitor.get(path); resp.StatusCode != http.StatusOK || !strings.Contains(body, "二维码签名有效") {
		t.Fatalf("after rotation: %d", resp.StatusCode)
	}
	_, keys = visitor.get("/.well-known/opcert-keys.json")
	if n := strings.Count(keys, `"kid"`); n != 2 || !strings.Contains(keys, `"retired"`) || !strings.Contains(keys, `"alg": "SM2"`) {
		t.Fatalf("key set after rotation: %s", keys)
	}
	// The certificates signed after it carry SM2 signatures, checked on the
	// same page.
	sm2Key, err := db.SigningKey(context.Background(), verify.Ed25519)
	if err != nil || sm2Key.Algorithm != verify.SM2 {
		t.Fatalf("signing with %+v (%v)", sm2Key, err)
	}
	printed, _ := verify.Open(token, pub)
	resigned, err := verify.Sign(sm2Key, printed)
	if err != nil {
		t.Fatal(err)
	}
	if resp, body = visitor.get("/v/" + resigned); resp.StatusCode != http.StatusOK || !strings.Contains(body, "二维码签名有效") || !strings.Contains(body, "叉车司机") {
		t.Fatalf("SM2-signed: %d", resp.StatusCode)
	}

}

// An admin revokes a line with its reason and basis; at once the printed
// certificate's check and the public query show it 已撤销. Without a reason,
// basis or confirmation nothing changes; an officer may not; a line ended
// once cannot be ended again.
func TestAdminRevokesALine(t *testing.T) {
	srv, db := newDemoServer(t, true)
	path := approvedCertificate(t, db, newBrowser(t, srv), newBrowser(t, srv))
	zhang := demoApplicant(t, 0)
	h, err := db.HoldingByIDNumber(context.Background(), zhang.IDNumber)
	if err != nil {
		t.Fatal(err)
	}
	var forklift int64
	for _, it := range h.Items() {
		if it.Ref.String() == "2011:N2" {
			forklift = it.ID
		}
	}
	end := "/admin/certificates/items/" + strconv.FormatInt(forklift, 10) + "/end"

	officer := newBrowser(t, srv)
	login(t, officer, "officer-310104")
	if resp, _ := officer.post(end, url.Values{"kind": {"revoke"}, "reason": {"x"}, "basis": {"y"}, "confirm": {"yes"}}); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("officer: %d", resp.StatusCode)
	}
	admin := newBrowser(t, srv)
	login(t, admin, "admin")
	_, page := admin.get("/admin/certificates?id=" + zhang.IDNumber)
	mustContain(t, page, "叉车司机", "撤销或注销", `action="`+end+`"`)
	resp, page := admin.post(end, url.Values{"id": {zhang.IDNumber}, "kind": {"revoke"}, "reason": {"以欺骗手段取得考试合格证明"}})
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("without basis and confirmation: %d", resp.StatusCode)
	}
	mustContain(t, page, "法律依据：请填写法律依据", "确认：请确认已依法作出该决定", "以欺骗手段取得考试合格证明")
	if _, body := newBrowser(t, srv).get(path); strings.Contains(body, "已撤销") {
		t.Fatal("refused decision took effect")
	}
	resp, _ = admin.post(end, url.Values{"id": {zhang.IDNumber}, "kind": {"revoke"}, "reason": {"以欺骗手段取得考试合格证明"},
		"basis": {"《中华人民共和国行政许可法》第六十九条第二款"}, "confirm": {"yes"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("revoke: %d", resp.StatusCode)
	}
	_, page = admin.get(resp.Header.Get("Location"))
	mustContain(t, page, "已撤销该项目", "已撤销", "以欺骗手段取得考试合格证明")
	if resp, _ := admin.post(end, url.Values{"id": {zhang.IDNumber}, "kind": {"cancel"}, "reason": {"再次"}, "basis": {"x"}, "confirm": {"yes"}}); resp.StatusCode != http.StatusConflict {
		t.Fatalf("ending twice: %d", resp.StatusCode)
	}

	_, body := newBrowser(t, srv).get(path)
	mustContain(t, body, "二维码签名有效", "叉车司机", "已撤销")
	_, body = query(t, srv, "张伟", zhang.IDNumber)
	mustContain(t, body, "已撤销")
	entries, _ := db.AuditEntries(context.Background(), "certificate_item:"+strconv.FormatInt(forklift, 10), 5)
	if len(entries) != 1 || entries[0].Action != "end_item_revoke" || !strings.Contains(entries[0].After, "第六十九条") {
		t.Fatalf("audit %+v", entries)
	}
}
