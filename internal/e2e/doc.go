// Package e2e drives the real opcert program with a real browser.
//
// The tests of this package build ./cmd/opcert once (see [Main]), start the
// binary as a user would ([StartServer]: `opcert serve --demo` on a free
// port with a fresh data folder) and use headless Chromium through chromedp
// ([NewBrowser]) to check what a person sees on the pages: visible text,
// form values, the layout on a phone, and that the forms work with
// JavaScript turned off.
//
// The helpers live in non-test files so that the flows of later features
// can be added here, or reused by other packages' tests, with the same
// TestMain:
//
//	func TestMain(m *testing.M) { e2e.Main(m) }
//
//	func TestSomething(t *testing.T) {
//		srv := e2e.StartServer(t)   // opcert serve --demo, stopped with SIGTERM
//		b := e2e.NewBrowser(t)      // headless Chromium, closed at cleanup
//		b.Open(srv.URL + "/certificates/query")
//		b.Fill("姓名", "张伟")        // fields are found by their <label>
//		b.ClickButton("查询")         // buttons and links by their text
//		if got := b.Text("#result h2"); got != "…" { // CSS selectors
//			t.Errorf("…")
//		}
//		b.Screenshot("result")
//	}
//
// Environment:
//
//   - OPCERT_TEST_REQUIRE_BROWSER=1: fail, not skip, when Chromium is missing
//     (set it in CI, where a skipped browser test would hide a broken set-up).
//   - OPCERT_E2E_SCREENSHOTS=DIR: keep the screenshots in DIR (a relative
//     path is relative to this package's folder, where go test runs);
//     otherwise they go to a per-test temporary folder and are removed.
//   - OPCERT_E2E_BINARY=PATH: test this opcert binary instead of building one
//     (for example a release build).
//
// The server gets none of the caller's OPCERT_* variables, so a developer's
// OPCERT_DATABASE_URL cannot point the tests at a real database.
package e2e
