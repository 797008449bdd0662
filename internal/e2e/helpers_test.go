package e2e

import (
	"slices"
	"strings"
	"testing"

	"opcert/internal/idcheck"
)

// districtBureaus are the 16 受理机关 in the order the pages list them
// (by 行政区划代码).
var districtBureaus = []string{
	"黄浦区市场监督管理局", "徐汇区市场监督管理局", "长宁区市场监督管理局", "静安区市场监督管理局",
	"普陀区市场监督管理局", "虹口区市场监督管理局", "杨浦区市场监督管理局", "闵行区市场监督管理局",
	"宝山区市场监督管理局", "嘉定区市场监督管理局", "浦东新区市场监督管理局", "金山区市场监督管理局",
	"松江区市场监督管理局", "青浦区市场监督管理局", "奉贤区市场监督管理局", "崇明区市场监督管理局",
}

// residentID builds a valid 18-character 公民身份号码 the way demo.go does.
func residentID(t *testing.T, region, birth, seq string) string {
	t.Helper()
	first17 := region + birth + seq
	c, err := idcheck.ResidentIDCheckChar(first17)
	if err != nil {
		t.Fatal(err)
	}
	return first17 + string(c)
}

// zhangWeiID is the 证件号码 of the demo holder 张伟 (demo.go: 310104,
// born 1982-03-14, sequence 001).
func zhangWeiID(t *testing.T) string {
	return residentID(t, "310104", "19820314", "001")
}

// wrongCheckChar returns id with a different, wrong check character.
func wrongCheckChar(id string) string {
	for _, c := range "0123456789X" {
		if byte(c) != id[17] {
			return id[:17] + string(c)
		}
	}
	panic("unreachable")
}

// maskedID is how the pages print a 证件号码: first 4 and last 4 kept.
func maskedID(id string) string {
	return id[:4] + strings.Repeat("*", len(id)-8) + id[len(id)-4:]
}

func wantText(t *testing.T, what, got, want string) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %q, want %q", what, got, want)
	}
}

func wantTexts(t *testing.T, what string, got, want []string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s =\n  %q\nwant\n  %q", what, got, want)
	}
}

func wantStatus(t *testing.T, what string, got, want int64) {
	t.Helper()
	if got != want {
		t.Fatalf("%s: HTTP status %d, want %d", what, got, want)
	}
}

// wantNoConsoleErrors fails on JavaScript errors, CSP violations and failed
// loads. Ignored: the missing /favicon.ico (a 404 on every first visit),
// and 422, the status of a form page that shows validation errors.
func wantNoConsoleErrors(t *testing.T, b *Browser) {
	t.Helper()
	for _, e := range b.ConsoleErrors() {
		if strings.Contains(e, "/favicon.ico") || strings.Contains(e, "status of 422 (Unprocessable Entity)") {
			continue
		}
		t.Errorf("browser console: %s", e)
	}
}
