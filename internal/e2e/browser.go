package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// ChromiumPath is the browser the tests drive (Debian's chromium package).
const ChromiumPath = "/usr/bin/chromium"

// DefaultTimeout bounds one test's use of its browser.
const DefaultTimeout = 60 * time.Second

// ActionTimeout bounds one helper call, so that a missing element fails the
// test in seconds rather than at DefaultTimeout.
const ActionTimeout = 10 * time.Second

// Viewport sizes of the helpers Desktop and Phone.
const (
	DesktopWidth, DesktopHeight = 1280, 800
	PhoneWidth, PhoneHeight     = 390, 844 // iPhone 12–14 in CSS pixels
)

// Browser is one headless Chromium with one tab, for one test.
//
// Its helpers fail the test on error, so they must be called from the test's
// goroutine. Selectors given as strings are CSS selectors. For anything the
// helpers lack, run chromedp actions on Ctx:
//
//	v, err := chromedp.Run(b.Ctx, chromedp.Evaluate[int](`window.innerWidth`))
type Browser struct {
	// Ctx is the tab's context. It ends at the test's timeout.
	Ctx context.Context

	t       testing.TB
	base    context.Context // the tab without the timeout, for clean-up and messages
	shots   string
	mu      sync.Mutex
	console []chromedp.ConsoleMessage
	out     *syncBuffer // Chromium's own stdout and stderr
}

// BrowserOption changes a setting of NewBrowser.
type BrowserOption func(*browserConfig)

type browserConfig struct {
	timeout       time.Duration
	width, height int
}

// WithTimeout replaces DefaultTimeout.
func WithTimeout(d time.Duration) BrowserOption {
	return func(c *browserConfig) { c.timeout = d }
}

// WithWindowSize sets the window size at start (default DesktopWidth ×
// DesktopHeight). Desktop and Phone change the viewport later.
func WithWindowSize(width, height int) BrowserOption {
	return func(c *browserConfig) { c.width, c.height = width, height }
}

// NewBrowser starts headless Chromium with a fresh profile and opens a tab.
// Without ChromiumPath the test is skipped, or fails when
// OPCERT_TEST_REQUIRE_BROWSER=1. The browser is closed at cleanup.
func NewBrowser(t testing.TB, opts ...BrowserOption) *Browser {
	t.Helper()
	if _, err := os.Stat(ChromiumPath); err != nil {
		if os.Getenv("OPCERT_TEST_REQUIRE_BROWSER") == "1" {
			t.Fatalf("e2e: no browser at %s (OPCERT_TEST_REQUIRE_BROWSER=1): %v", ChromiumPath, err)
		}
		t.Skipf("e2e: no browser at %s; install chromium and fonts-wqy-microhei, or set OPCERT_TEST_REQUIRE_BROWSER=1 to make this a failure", ChromiumPath)
	}
	cfg := browserConfig{timeout: DefaultTimeout, width: DesktopWidth, height: DesktopHeight}
	for _, o := range opts {
		o(&cfg)
	}
	if dl, ok := deadline(t); ok {
		// Leave time for the clean-up and the report of go test -timeout.
		if left := time.Until(dl) - 10*time.Second; left < cfg.timeout {
			cfg.timeout = max(left, time.Second)
		}
	}

	b := &Browser{t: t, out: &syncBuffer{}}
	b.shots = os.Getenv("OPCERT_E2E_SCREENSHOTS")
	if b.shots == "" {
		b.shots = t.TempDir()
	} else if err := os.MkdirAll(b.shots, 0o755); err != nil {
		t.Fatalf("e2e: OPCERT_E2E_SCREENSHOTS: %v", err)
	}

	// The options DEPENDENCIES.md §3 found to work (we run as root in a
	// container: no sandbox, no GPU, small /dev/shm).
	allocOpts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(ChromiumPath),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(t.TempDir()), // fresh, empty profile per test
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.WindowSize(cfg.width, cfg.height),
		chromedp.CombinedOutput(b.out),
	}
	actx, acancel := chromedp.NewExecAllocator(context.Background(), allocOpts...)
	base, bcancel := chromedp.NewContext(actx)
	b.base = base
	ctx, cancel := context.WithTimeout(base, cfg.timeout)
	b.Ctx = ctx
	// Registered after the two TempDirs, so it runs before they are removed:
	// the browser has exited when its profile folder goes.
	t.Cleanup(func() {
		cancel()
		cctx, ccancel := context.WithTimeout(base, 10*time.Second)
		defer ccancel()
		if err := chromedp.Cancel(cctx); err != nil {
			t.Logf("e2e: closing the browser: %v", err)
		}
		bcancel()
		acancel() // waits for the browser process
		if t.Failed() {
			b.logConsole()
		}
	})

	// Start the browser with the context that has no timeout: the first
	// action binds the browser's life to its context (docs/API.md, 21).
	started := make(chan error, 1)
	go func() { started <- chromedp.Do(base) }()
	select {
	case err := <-started:
		if err != nil {
			t.Fatalf("e2e: start %s: %v\n%s", ChromiumPath, err, b.out.String())
		}
	case <-ctx.Done():
		bcancel()
		t.Fatalf("e2e: %s did not start within %s\n%s", ChromiumPath, cfg.timeout, b.out.String())
	}

	msgs := chromedp.Console(ctx)
	go func() {
		for m, err := range msgs {
			if err != nil {
				return
			}
			b.mu.Lock()
			b.console = append(b.console, m)
			b.mu.Unlock()
		}
	}()
	return b
}

// deadline is the go test -timeout deadline of a *testing.T.
func deadline(t testing.TB) (time.Time, bool) {
	if d, ok := t.(interface{ Deadline() (time.Time, bool) }); ok {
		return d.Deadline()
	}
	return time.Time{}, false
}

// Console returns the console messages, uncaught exceptions and browser log
// entries (failed loads, CSP violations) seen so far.
func (b *Browser) Console() []chromedp.ConsoleMessage {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]chromedp.ConsoleMessage(nil), b.console...)
}

// ConsoleErrors returns the text of the error and exception messages of
// Console, with where they came from.
func (b *Browser) ConsoleErrors() []string {
	var out []string
	for _, m := range b.Console() {
		if m.Type == chromedp.ConsoleError || m.Type == chromedp.ConsoleException {
			out = append(out, fmt.Sprintf("%s (%s:%d)", m.Text, m.URL, m.Line+1))
		}
	}
	return out
}

func (b *Browser) logConsole() {
	for _, m := range b.Console() {
		b.t.Logf("e2e: browser console %s: %s (%s:%d)", m.Type, m.Text, m.URL, m.Line+1)
	}
}

// fatal fails the test with the page's address, to say where it happened.
func (b *Browser) fatal(format string, args ...any) {
	b.t.Helper()
	msg := fmt.Sprintf(format, args...)
	lctx, cancel := context.WithTimeout(b.base, 2*time.Second)
	defer cancel()
	if loc, err := chromedp.Run(lctx, chromedp.Location()); err == nil {
		msg += "\n(page: " + loc + ")"
	}
	b.t.Fatal("e2e: " + msg)
}

// action returns a context for one helper call.
func (b *Browser) action() (context.Context, context.CancelFunc) {
	return context.WithTimeout(b.Ctx, ActionTimeout)
}

// Do runs chromedp actions and fails the test on error.
func (b *Browser) Do(steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := b.action()
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		b.fatal("%v", err)
	}
}

// Open loads url, waits for the page and returns the HTTP status of the
// document (after redirects).
func (b *Browser) Open(url string) int64 {
	b.t.Helper()
	ctx, cancel := b.action()
	defer cancel()
	resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(url))
	if err != nil {
		b.fatal("open %s: %v", url, err)
	}
	return resp.Status
}

// Location is the address of the page shown.
func (b *Browser) Location() string {
	b.t.Helper()
	ctx, cancel := b.action()
	defer cancel()
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		b.fatal("location: %v", err)
	}
	return loc
}

// Title is the document's <title>.
func (b *Browser) Title() string {
	b.t.Helper()
	ctx, cancel := b.action()
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Title())
	if err != nil {
		b.fatal("title: %v", err)
	}
	return s
}

// Text is the visible text (innerText) of the first element matching css,
// trimmed. It waits up to ActionTimeout for the element.
func (b *Browser) Text(css string) string {
	b.t.Helper()
	ctx, cancel := b.action()
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(css)))
	if err != nil {
		b.fatal("text of %s: %v", css, err)
	}
	return strings.TrimSpace(s)
}

// Texts is the trimmed visible text of every element matching css, in
// document order; none is an empty slice. It does not wait.
func (b *Browser) Texts(css string) []string {
	b.t.Helper()
	return b.eval(fmt.Sprintf(`Array.from(document.querySelectorAll(%q), e => e.innerText.trim())`, css))
}

// TableRows is the trimmed visible text of the cells of each body row of
// the first table matching css: rows[i][j] is row i, column j.
func (b *Browser) TableRows(css string) [][]string {
	b.t.Helper()
	rows := Evaluate[[][]string](b, fmt.Sprintf(`(() => {
		const t = document.querySelector(%q);
		if (!t) return [];
		return Array.from(t.tBodies).flatMap(tb => Array.from(tb.rows, r => Array.from(r.cells, c => c.innerText.trim())));
	})()`, css))
	if rows == nil {
		rows = [][]string{}
	}
	return rows
}

// PageText is the visible text of the whole page (body.innerText): what a
// person can read, without hidden elements and without the values of inputs.
func (b *Browser) PageText() string {
	b.t.Helper()
	ctx, cancel := b.action()
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.innerText`))
	if err != nil {
		b.fatal("page text: %v", err)
	}
	return s
}

func (b *Browser) eval(js string) []string {
	b.t.Helper()
	ctx, cancel := b.action()
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](js))
	if err != nil {
		b.fatal("evaluate %s: %v", js, err)
	}
	if v == nil {
		v = []string{}
	}
	return v
}

// Evaluate runs a JavaScript expression in the page (through DevTools, so
// it works with the page's scripts disabled) and decodes its result into T.
func Evaluate[T any](b *Browser, js string) T {
	b.t.Helper()
	ctx, cancel := b.action()
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js))
	if err != nil {
		b.fatal("evaluate %s: %v", js, err)
	}
	return v
}

// xpathString quotes s for an XPath 1.0 expression.
func xpathString(s string) string {
	if !strings.Contains(s, `"`) {
		return `"` + s + `"`
	}
	return "concat('" + strings.ReplaceAll(s, "'", `', "'", '`) + "')"
}

// fieldXPath finds the form control whose <label> reads label.
func fieldXPath(label string) string {
	return fmt.Sprintf(`//*[self::input or self::select or self::textarea][@id = //label[normalize-space(.) = %s]/@for]`, xpathString(label))
}

// Fill types text into the field labelled label, replacing its value: it
// empties the field, clicks into it and types on the keyboard.
func (b *Browser) Fill(label, text string) {
	b.t.Helper()
	sel := fieldXPath(label)
	ctx, cancel := b.action()
	defer cancel()
	// SetValue(sel, "") cannot empty a field: chromedp drops the empty
	// argument and the field then reads "undefined".
	clear := chromedp.Evaluate[bool](fmt.Sprintf(`(() => {
		const el = document.evaluate(%q, document, null, XPathResult.FIRST_ORDERED_NODE_TYPE, null).singleNodeValue;
		if (!el) return false;
		el.value = "";
		return true;
	})()`, sel))
	if err := chromedp.Do(ctx, chromedp.WaitVisible(sel)); err != nil {
		b.fatal("fill %q: %v", label, err)
	}
	if ok, err := chromedp.Run(ctx, clear); err != nil || !ok {
		b.fatal("fill %q: clear the field: %v", label, err)
	}
	if err := chromedp.Do(ctx,
		chromedp.Click(sel, chromedp.NodeVisible),
		chromedp.SendKeys(sel, text),
	); err != nil {
		b.fatal("fill %q: %v", label, err)
	}
}

// FieldValue is the current value of the field labelled label.
func (b *Browser) FieldValue(label string) string {
	b.t.Helper()
	ctx, cancel := b.action()
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Value(fieldXPath(label)))
	if err != nil {
		b.fatal("value of %q: %v", label, err)
	}
	return v
}

// FieldError is the visible text of the error message tied to the field
// labelled label by aria-describedby, or "" when the field has none. So it
// checks both what a sighted person and a screen-reader user are told.
// Hints, also tied by aria-describedby, are not errors: only elements with
// the class error-message count.
func (b *Browser) FieldError(label string) string {
	b.t.Helper()
	ctx, cancel := b.action()
	defer cancel()
	attr, err := chromedp.Run(ctx, chromedp.AttributeValue(fieldXPath(label), "aria-describedby"))
	if err != nil {
		b.fatal("aria-describedby of %q: %v", label, err)
	}
	if !attr.Exists || attr.Value == "" {
		return ""
	}
	var texts []string
	for _, id := range strings.Fields(attr.Value) {
		class, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.ID(id), "class"))
		if err != nil {
			b.fatal("element #%s of %q: %v", id, label, err)
		}
		if !strings.Contains(" "+class.Value+" ", " error-message ") {
			continue
		}
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID(id)))
		if err != nil {
			b.fatal("error message #%s of %q: %v", id, label, err)
		}
		texts = append(texts, strings.TrimSpace(s))
	}
	return strings.Join(texts, "\n")
}

// Select chooses the option whose visible text is option in the <select>
// labelled label.
func (b *Browser) Select(label, option string) {
	b.t.Helper()
	sel := fieldXPath(label)
	ctx, cancel := b.action()
	defer cancel()
	opt := sel + fmt.Sprintf(`/option[normalize-space(.) = %s]`, xpathString(option))
	value, err := chromedp.Run(ctx, chromedp.AttributeValue(opt, "value"))
	if err != nil {
		b.fatal("option %q of %q: %v", option, label, err)
	}
	if !value.Exists {
		b.fatal("option %q of %q has no value", option, label)
	}
	if err := chromedp.Do(ctx, chromedp.SetValue(sel, value.Value)); err != nil {
		b.fatal("select %q in %q: %v", option, label, err)
	}
}

// SelectedOption is the visible text of the chosen option of the <select>
// labelled label.
func (b *Browser) SelectedOption(label string) string {
	b.t.Helper()
	return strings.TrimSpace(Evaluate[string](b, fmt.Sprintf(`(() => {
		const el = document.evaluate(%q, document, null, XPathResult.FIRST_ORDERED_NODE_TYPE, null).singleNodeValue;
		return el && el.selectedOptions.length ? el.selectedOptions[0].innerText : "";
	})()`, fieldXPath(label))))
}

// Checked reports whether the radio button or checkbox whose label reads
// label is ticked.
func (b *Browser) Checked(label string) bool {
	b.t.Helper()
	return Evaluate[bool](b, fmt.Sprintf(`(() => {
		const l = document.evaluate(%q, document, null, XPathResult.FIRST_ORDERED_NODE_TYPE, null).singleNodeValue;
		return !!(l && l.control && l.control.checked);
	})()`, labelXPath(label)))
}

// labelXPath finds a <label> by its text.
func labelXPath(label string) string {
	return fmt.Sprintf(`//label[normalize-space(.) = %s]`, xpathString(label))
}

// Choose clicks the radio button or checkbox whose label reads label.
func (b *Browser) Choose(label string) {
	b.t.Helper()
	ctx, cancel := b.action()
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Click(labelXPath(label), chromedp.NodeVisible)); err != nil {
		b.fatal("choose %q: %v", label, err)
	}
}

// ClickButton clicks the button that reads text, waits for the page it
// loads and returns that page's HTTP status (after redirects).
func (b *Browser) ClickButton(text string) int64 {
	b.t.Helper()
	return b.clickAndWait(fmt.Sprintf(`//button[normalize-space(.) = %s]`, xpathString(text)), "button "+text)
}

// ClickLink clicks the link that reads text, waits for the page it loads
// and returns that page's HTTP status (after redirects).
func (b *Browser) ClickLink(text string) int64 {
	b.t.Helper()
	return b.clickAndWait(fmt.Sprintf(`//a[normalize-space(.) = %s]`, xpathString(text)), "link "+text)
}

func (b *Browser) clickAndWait(xpath, what string) int64 {
	b.t.Helper()
	ctx, cancel := b.action()
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(xpath, chromedp.NodeVisible))
	if err != nil {
		b.fatal("click %s: %v", what, err)
	}
	if resp == nil {
		b.fatal("click %s: no page was loaded", what)
	}
	return resp.Status
}

// Desktop sets a desktop viewport of DesktopWidth × DesktopHeight.
func (b *Browser) Desktop() {
	b.t.Helper()
	b.Do(chromedp.EmulateViewport(DesktopWidth, DesktopHeight))
}

// Phone emulates a phone: a PhoneWidth × PhoneHeight mobile viewport (the
// page's meta viewport applies), touch, and a device pixel ratio of 2.
func (b *Browser) Phone() {
	b.t.Helper()
	b.Do(chromedp.EmulateViewport(PhoneWidth, PhoneHeight, chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulateScale(2)))
}

// DisableJavaScript turns off the page's scripts for the rest of the test,
// as a person with JavaScript disabled or blocked would browse. DevTools
// (the helpers) still work.
func (b *Browser) DisableJavaScript() {
	b.t.Helper()
	ctx, cancel := b.action()
	defer cancel()
	if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		b.fatal("disable JavaScript: %v", err)
	}
}

// Overflow reports the document's scroll width and the viewport's width
// (innerWidth), in CSS pixels. scrollWidth > innerWidth means the page
// scrolls sideways. Under Phone a too-wide page is zoomed out, as on a real
// phone, so innerWidth grows too: there also check innerWidth == PhoneWidth.
func (b *Browser) Overflow() (scrollWidth, innerWidth int) {
	b.t.Helper()
	v := Evaluate[[2]int](b, `[document.documentElement.scrollWidth, window.innerWidth]`)
	return v[0], v[1]
}

// Screenshot saves a PNG of the whole page as TEST-name.png in the
// screenshots folder (OPCERT_E2E_SCREENSHOTS, or a temporary folder) and
// returns its path.
func (b *Browser) Screenshot(name string) string {
	b.t.Helper()
	ctx, cancel := b.action()
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)) // quality 100 = PNG
	if err != nil {
		b.fatal("screenshot %s: %v", name, err)
	}
	path := filepath.Join(b.shots, fileName(b.t.Name())+"-"+fileName(name)+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		b.t.Fatalf("e2e: screenshot: %v", err)
	}
	b.t.Logf("e2e: screenshot %s", path)
	return path
}

// fileName keeps letters, digits, '-' and '.'; the rest becomes '_'.
func fileName(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '.' {
			return r
		}
		return '_'
	}, s)
}
