package web

import (
	"bytes"
	"fmt"
	"sync"
	"time"

	"html/template"
	"io/fs"
	"net/http"
	"opcert/internal/application"
	"opcert/internal/civil"
	"opcert/internal/exam"
	"opcert/internal/idcheck"
	"strconv"
	"strings"
)

// parsePages builds one template set per page: the shared layout plus the
// page's own "title" and "content" blocks.
func parsePages() (map[string]*template.Template, error) {
	funcs := template.FuncMap{
		"maskName":  maskName,
		"maskID":    maskID,
		"field":     fieldOf,
		"wfield":    wizardField,
		"wselect":   wizardSelect,
		"add":       func(a, b int) int { return a + b },
		"minus":     func(a, b int) int { return a - b },
		"div":       func(a, b int) int { return a / b },
		"mod":       func(a, b int) int { return a % b },
		"kb":        humanSize,
		"hasPrefix": strings.HasPrefix,
		"cdate": func(s string) string {
			if d, err := civil.Parse(s); err == nil {
				return d.Chinese()
			}
			return s
		},
		"date":        func(t time.Time) string { return t.In(civil.ChinaTime).Format("2006-01-02") },
		"datetime":    datetime,
		"weekday":     func(d civil.Date) string { return weekdayNames[d.Weekday()] },
		"statusLabel": statusLabel,
		"actionLabel": func(a string) string {
			switch a {
			case "create":
				return "创建暂存"
			case "transfer":
				return "转办"
			case "recompute_deadline":
				return "重新计算期限"
			}
			if l := exam.EventLabel(a); l != "" {
				return l
			}
			return application.Action(a).Label()
		},
	}
	base, err := template.New("layout.html").Funcs(funcs).ParseFS(assets, "templates/layout.html")
	if err != nil {
		return nil, err
	}
	base, err = base.ParseFS(assets, "templates/partials/*.html")
	if err != nil {
		return nil, err
	}
	files, err := fs.Glob(assets, "templates/*.html")
	if err != nil {
		return nil, err
	}
	pages := map[string]*template.Template{}
	for _, f := range files {
		name := strings.TrimSuffix(strings.TrimPrefix(f, "templates/"), ".html")
		if name == "layout" {
			continue
		}
		t, err := template.Must(base.Clone()).ParseFS(assets, f)
		if err != nil {
			return nil, fmt.Errorf("template %s: %w", f, err)
		}
		pages[name] = t
	}
	return pages, nil
}

// datetime is a moment as pages show it, in China time: 2026-12-02 11:56.
func datetime(t time.Time) string { return t.In(civil.ChinaTime).Format("2006-01-02 15:04") }

// statusLabel is the label of a stored status, "" for none.
func statusLabel(s string) string {
	if s == "" {
		return ""
	}
	return application.Status(s).Label()
}

// render writes a page with status 200.
func (s *Server) render(w http.ResponseWriter, r *http.Request, page string, data any) {
	s.renderStatus(w, r, http.StatusOK, page, data)
}

// renderStatus renders into a buffer first so a template error becomes a
// clean 500 page rather than half a page.
func (s *Server) renderStatus(w http.ResponseWriter, r *http.Request, status int, page string, data any) {
	buf := pageBuffers.Get().(*bytes.Buffer)
	defer pageBuffers.Put(buf)
	buf.Reset()
	if err := s.renderTo(buf, r, page, data); err != nil {
		s.log.Error("render", "page", page, "err", err)
		http.Error(w, "系统错误，请稍后再试", http.StatusInternalServerError)
		return
	}
	writePage(w, status, buf.Bytes())
}

// pageBuffers hold rendered pages until they are written: a page is tens of
// kilobytes, and a fresh buffer grows to it by copying several times.
var pageBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func (s *Server) renderTo(buf *bytes.Buffer, r *http.Request, page string, data any) error {
	t, ok := s.pages[page]
	if !ok {
		return fmt.Errorf("no such page %q", page)
	}
	c := s.chromeFor(r)
	if p, ok := data.(interface{ setChrome(chrome) }); ok {
		p.setChrome(c)
	}
	if p, ok := data.(preparedPage); ok {
		p.prepare()
	}
	return t.ExecuteTemplate(buf, "layout.html", &layoutData{C: &c, Page: data})
}

// layoutData is what layout.html reads: the chrome as a field of its own,
// each of its values found in one step rather than by a search through the
// structs a page embeds (text/template looks a field up by name on every
// use), and the page for its blocks.
type layoutData struct {
	C    *chrome
	Page any
}

// A preparedPage computes what its template shows just before it is
// rendered, once the handler (or failForm) has put every value and error
// in place: the template reads plain fields, each a cheap look-up, rather
// than calling methods, each a search by name and a reflective call.
type preparedPage interface{ prepare() }

// writePage sends a rendered page. Its length is known: declared, the page
// goes out in one write instead of chunks copied through net/http's
// buffer (tens of KB each).
func writePage(w http.ResponseWriter, status int, page []byte) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Length", strconv.Itoa(len(page)))
	w.WriteHeader(status)
	w.Write(page)
}

var weekdayNames = [...]string{"星期日", "星期一", "星期二", "星期三", "星期四", "星期五", "星期六"}

// maskName keeps the family name: 张伟 → 张*, 欧阳娜娜 → 欧***.
func maskName(name string) string { return idcheck.MaskName(name) }

// maskID keeps the first 4 and last 4 characters of a document number.
func maskID(id string) string { return idcheck.MaskNumber(id) }

// inputField is what the "text" template needs for one input.
type inputField struct {
	Name, Label, Type, Autocomplete, Hint, Value, Error string
}

// fieldOf builds an input from a form: templates call
// (field .Form "mobile" "手机号" "tel" "tel" "hint").
func fieldOf(f *form, name, label, typ, autocomplete, hint string) inputField {
	in := inputField{Name: name, Label: label, Type: typ, Autocomplete: autocomplete, Hint: hint}
	if f != nil {
		in.Value, in.Error = f.Get(name), f.ErrorFor(name)
	}
	return in
}

// wizardInput is one text input of a wizard step.
type wizardInput struct {
	Name, Label, Value, Hint, Error string
	Locked, Required                bool
}

// requiredBasic are the 基本信息 fields that must be filled (application.
// CheckBasic), marked * on the page as the seed marks required materials.
var requiredBasic = map[string]bool{"employer_name": true, "credit_code": true, "address_detail": true, "education": true, "mobile": true,
	"employer_address": true, "exam_institution": true}

func wizardField(p *wizardPage, name, label, value, target, hint string) wizardInput {
	return wizardInput{Name: name, Label: label, Value: value, Hint: hint, Error: p.ErrorFor(name), Locked: p.Locked(target), Required: requiredBasic[name]}
}

type wizardChoice struct {
	Name, Label, Value, Error string
	Options                   []string
	Locked, Required          bool
}

func wizardSelect(p *wizardPage, name, label, value string, options []string, target string) wizardChoice {
	return wizardChoice{Name: name, Label: label, Value: value, Options: options, Error: p.ErrorFor(name), Locked: p.Locked(target), Required: requiredBasic[name]}
}

// humanSize shows a file size the way people read it: 356KB, 2.4MB.
func humanSize(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1fMB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%dKB", n>>10)
	}
	return fmt.Sprintf("%d字节", n)
}

// fieldErrors are a page's errors; ErrorFor gives the message of a field,
// or of any of its parts (items.0 belongs to items).
type fieldErrors []fieldError

func (l fieldErrors) ErrorFor(field string) string {
	for _, e := range l {
		if e.Field == field || strings.HasPrefix(e.Field, field+".") {
			return e.Message
		}
	}
	return ""
}
