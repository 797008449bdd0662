package web_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"opcert/internal/auth"
	"opcert/internal/catalog"
	"opcert/internal/demo"
	"opcert/internal/store"
)

// Every demo holder logs in and opens every applicant page the interface
// leads them to: the home page, each guide with each 受理机关 the forms offer,
// 立即办理 (/apply) for each 事项 and district, 手工录入, 办件查询 and what it
// links to. On the /apply pages each offered line is chosen once (see
// choose), as the seed's 复审项目选择 does, with its 同时换发 extras ticked, and
// every step of the draft that makes is opened. No page may answer 5xx.
func TestEveryApplicantPageOfEveryDemoHolder(t *testing.T) {
	srv, db := newDemoServer(t, false)
	d := demo.Build(catalog.Default(), today)
	mobiles := accountForEveryHolder(t, db, d)
	pages, drafts, extras := 0, 0, 0
	for _, h := range d.Holdings {
		t.Run(h.Holder.Name, func(t *testing.T) {
			b := newBrowser(t, srv)
			login(t, b, mobiles[h.Holder.IDNumber])
			c := &crawl{t: t, b: b, seen: map[string]bool{}, chosen: map[string]bool{}}
			c.enqueue("/", "登录后")
			c.run()
			pages, drafts, extras = pages+len(c.seen), drafts+c.drafts, extras+c.extras
			if !c.seen["/apply/manual?authority=310104&matter=renew"] {
				t.Errorf("the sweep never reached 手工录入 (saw %d pages)", len(c.seen))
			}
		})
	}
	// 韩梅's old Y4 and 沈涛's old S2 offer 同时换发 items.
	if drafts == 0 || extras < 2 {
		t.Errorf("the sweep made %d drafts and ticked 同时换发 %d times", drafts, extras)
	}
	t.Logf("%d holders, %d pages, %d drafts", len(d.Holdings), pages, drafts)
}

// accountForEveryHolder returns the login of each demo holder: the demo's
// applicant accounts, and for the holders the demo gives none, an account
// as 实名注册 would make, so that each case of the demo can be opened.
func accountForEveryHolder(t *testing.T, db *store.DB, d demo.Data) map[string]string {
	t.Helper()
	ctx := context.Background()
	out := map[string]string{}
	for _, a := range d.Applicants {
		out[a.IDNumber] = a.Mobile
	}
	hash, err := auth.HashPassword(demo.Password)
	if err != nil {
		t.Fatal(err)
	}
	for i, h := range d.Holdings {
		if _, ok := out[h.Holder.IDNumber]; ok {
			continue
		}
		got, err := db.HoldingByIDNumber(ctx, h.Holder.IDNumber)
		if err != nil {
			t.Fatal(err)
		}
		mobile := fmt.Sprintf("139%08d", i)
		if _, err := db.CreateUser(ctx, auth.User{Login: mobile, Name: h.Holder.Name, Role: auth.RoleApplicant,
			PasswordHash: hash, HolderID: got.Holder.ID, Mobile: mobile}); err != nil {
			t.Fatal(err)
		}
		out[h.Holder.IDNumber] = mobile
	}
	return out
}

// inScope tells the applicant pages from the login, officer, admin and
// static ones.
func inScope(path string) bool {
	if path == "/" {
		return true
	}
	for _, p := range []string{"/guide", "/apply", "/applications", "/certificates/query", "/catalog/mapping", "/p/"} {
		if strings.HasPrefix(path, p) {
			return true
		}
	}
	return false
}

type crawl struct {
	t     *testing.T
	b     *browser
	seen  map[string]bool
	queue []link
	// chosen: the matters whose lines were chosen already; the lines do not
	// depend on the 受理机关 the page was opened for.
	chosen map[string]bool
	// drafts and extras count what the choices made, so that a sweep which
	// silently stopped choosing fails.
	drafts, extras int
}

type link struct{ target, from string }

func (c *crawl) enqueue(target, from string) {
	u, err := url.Parse(target)
	if err != nil || (u.Host != "" && "http://"+u.Host != c.b.srv.URL) || !inScope(u.Path) {
		return
	}
	u.Scheme, u.Host, u.Fragment = "", "", ""
	if key := u.String(); !c.seen[key] {
		c.seen[key] = true
		c.queue = append(c.queue, link{key, from})
	}
}

func (c *crawl) run() {
	for len(c.queue) > 0 {
		l := c.queue[0]
		c.queue = c.queue[1:]
		resp, body := c.b.get(l.target)
		c.check("GET", l, resp)
		base, _ := url.Parse(l.target)
		switch {
		case resp.StatusCode >= 300 && resp.StatusCode < 400:
			c.enqueue(base.ResolveReference(mustURL(resp.Header.Get("Location"))).String(), l.target)
		case resp.StatusCode == http.StatusOK && strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html"):
			for _, target := range pageLinks(base, body) {
				c.enqueue(target, l.target)
			}
			if m := base.Query().Get("matter"); base.Path == "/apply" && !c.chosen[m] {
				c.chosen[m] = true
				c.choose(base, body)
			}
		}
	}
}

func (c *crawl) check(method string, l link, resp *http.Response) {
	if resp.StatusCode >= 500 {
		c.t.Errorf("%s %s (from %s): %d", method, l.target, l.from, resp.StatusCode)
	}
}

// choose submits the selection once for each line offered, and queues
// every step of the draft it makes. 新办 and 增项 offer the same catalogue to
// everyone; only its items that cite one of the holder's exam results
// (焊接作业) are chosen.
func (c *crawl) choose(page *url.URL, body string) {
	q := page.Query()
	matter := q.Get("matter")
	for _, form := range forms(body) {
		if form.method != "post" || form.action != "/apply" {
			continue
		}
		for _, item := range form.checkboxes["item"] {
			if (matter == "new" || matter == "add") && len(form.selects["exam-"+item]) == 0 {
				continue
			}
			v := url.Values{"authority": {q.Get("authority")}, "matter": {matter}, "item": {item}}
			for _, prefix := range []string{"target-", "exam-"} {
				if opts := form.selects[prefix+item]; len(opts) > 0 {
					v.Set(prefix+item, opts[0])
				}
			}
			if extras := form.checkboxes["extra-"+item]; len(extras) > 0 {
				v["extra-"+item] = extras
				c.extras++
			}
			l := link{page.String() + " item=" + item, page.String()}
			resp, _ := c.b.post("/apply", v)
			c.check("POST", l, resp)
			if resp.StatusCode == http.StatusSeeOther {
				c.drafts++
				app := strings.TrimSuffix(resp.Header.Get("Location"), "/edit/commitment")
				for _, s := range []string{"commitment", "basic", "materials", "review"} {
					c.enqueue(app+"/edit/"+s, l.target)
				}
				c.enqueue(app, l.target)
			}
		}
	}
}

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		return &url.URL{}
	}
	return u
}

var (
	tagRE  = regexp.MustCompile(`(?i)<(/?)(a|form|input|select|option)\b([^>]*)>`)
	attrRE = regexp.MustCompile(`([a-zA-Z-]+)(?:="([^"]*)")?`)
)

// form is what a page's <form> lets a person send: fixed fields (hidden and
// pre-filled inputs), the options of each select and radio group (empty
// 请选择 options left out), and the values of each checkbox name.
type form struct {
	method, action string
	fixed          url.Values
	selects        map[string][]string // selects and radio groups
	checkboxes     map[string][]string
}

func attrs(s string) map[string]string {
	m := map[string]string{}
	for _, a := range attrRE.FindAllStringSubmatch(s, -1) {
		m[strings.ToLower(a[1])] = html.UnescapeString(a[2])
	}
	return m
}

func forms(body string) []form {
	var out []form
	var cur *form
	selectName := ""
	for _, m := range tagRE.FindAllStringSubmatch(body, -1) {
		closing, tag, a := m[1] == "/", strings.ToLower(m[2]), attrs(m[3])
		switch {
		case tag == "form" && closing:
			if cur != nil {
				out = append(out, *cur)
			}
			cur = nil
		case tag == "form":
			method := strings.ToLower(a["method"])
			if method == "" {
				method = "get"
			}
			cur = &form{method: method, action: a["action"], fixed: url.Values{}, selects: map[string][]string{}, checkboxes: map[string][]string{}}
		case cur == nil:
		case tag == "select" && !closing:
			selectName = a["name"]
			cur.selects[selectName] = nil
		case tag == "option" && selectName != "":
			if a["value"] != "" {
				cur.selects[selectName] = append(cur.selects[selectName], a["value"])
			}
		case tag == "input" && a["name"] != "":
			switch strings.ToLower(a["type"]) {
			case "radio":
				cur.selects[a["name"]] = append(cur.selects[a["name"]], a["value"])
			case "checkbox":
				cur.checkboxes[a["name"]] = append(cur.checkboxes[a["name"]], a["value"])
			case "file", "submit", "button":
			default:
				cur.fixed.Set(a["name"], a["value"])
			}
		}
	}
	return out
}

// pageLinks lists the targets of a page's links and of every choice its
// GET forms offer.
func pageLinks(base *url.URL, body string) []string {
	var out []string
	for _, m := range tagRE.FindAllStringSubmatch(body, -1) {
		if strings.ToLower(m[2]) == "a" && m[1] == "" {
			if href := attrs(m[3])["href"]; href != "" && !strings.HasPrefix(href, "#") && !strings.HasPrefix(href, "data:") {
				out = append(out, base.ResolveReference(mustURL(href)).String())
			}
		}
	}
	for _, f := range forms(body) {
		if f.method != "get" {
			continue
		}
		action := base.ResolveReference(mustURL(f.action))
		combos := []url.Values{f.fixed}
		for name, opts := range f.selects {
			var next []url.Values
			for _, v := range combos {
				for _, o := range opts {
					w := url.Values{}
					for k, x := range v {
						w[k] = x
					}
					w.Set(name, o)
					next = append(next, w)
				}
			}
			if len(opts) > 0 {
				combos = next
			}
		}
		for _, v := range combos {
			u := *action
			u.RawQuery = v.Encode()
			out = append(out, u.String())
		}
	}
	return out
}

// An old Y4 is renewed as Y2 and may also get Y1 (换发对应表: 同时换发); the
// extra ticked on the 复审 page must reach the draft.
func TestRenewalWithOptionalExtraItem(t *testing.T) {
	srv, db := newDemoServer(t, false)
	d := demo.Build(catalog.Default(), today)
	mobiles := accountForEveryHolder(t, db, d)
	var mobile string
	for _, h := range d.Holdings {
		if h.Holder.Name == "韩梅" {
			mobile = mobiles[h.Holder.IDNumber]
		}
	}
	b := newBrowser(t, srv)
	login(t, b, mobile)
	resp, body := b.get("/apply?authority=310151&matter=renew")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("复审 page: %d", resp.StatusCode)
	}
	mustContain(t, body, `name="extra-0" value="Y1"`, "同时换发 Y1")
	resp, body = b.post("/apply", url.Values{"authority": {"310151"}, "matter": {"renew"}, "item": {"0"}, "extra-0": {"Y1"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("choose Y4 with Y1: %d %s", resp.StatusCode, errorsOf(body))
	}
	app := strings.TrimSuffix(resp.Header.Get("Location"), "/edit/commitment")
	_, body = b.get(app + "/edit/review")
	mustContain(t, body, "Y2 ", "、Y1")
}
