package loadtest

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
)

// Flow is the applicant's path through the service as a browser takes it
// (the same requests as the web tests and the browser tests): log in,
// choose the item to renew, 自我承诺, 基本信息 with the photo upload and 同步单位
// 信息, 申请材料 with the ID scan, 核对信息, 提交.
type Flow struct {
	C         *Client
	Password  string
	Authority string // the 受理机关 chosen on the home page
	Employer  string // a registered enterprise's name, for 同步单位信息
	District  string // the applicant's 户籍 district
	Photo     File   // the 2-inch photo (field name is set by the flow)
	IDScan    File   // the 身份证信息 material
}

// Draft is an application on its 核对信息 page, ready to submit.
type Draft struct {
	Session string
	Path    string // /applications/123
	Version string
}

var (
	versionRE = regexp.MustCompile(`name="version" value="(\d+)"`)
	// The first selectable row of 复审项目选择: greyed rows carry no checkbox.
	renewItemRE = regexp.MustCompile(`<input type="checkbox" name="item" value="(\d+)"`)
	appPathRE   = regexp.MustCompile(`^/applications/\d+`)
)

// Login logs in with the password and returns the session.
func (f *Flow) Login(ctx context.Context, login string) (string, error) {
	r, err := f.C.PostForm(ctx, "/login/password", "", url.Values{"login": {login}, "password": {f.Password}})
	if err != nil {
		return "", err
	}
	if r.Status != http.StatusSeeOther || r.Session == "" {
		return "", fmt.Errorf("login %s: %w", login, r.Expect(http.StatusSeeOther, ""))
	}
	return r.Session, nil
}

// Prepare walks a logged-in applicant from 立即办理 to the 核对信息 page.
func (f *Flow) Prepare(ctx context.Context, session string) (Draft, error) {
	q := url.Values{"authority": {f.Authority}, "matter": {"renew"}}
	r, err := f.C.Get(ctx, "/apply?"+q.Encode(), session)
	if err != nil {
		return Draft{}, err
	}
	if err := r.Expect(http.StatusOK, "复审项目选择"); err != nil {
		return Draft{}, fmt.Errorf("apply page: %w", err)
	}
	m := renewItemRE.FindSubmatch(r.Body)
	if m == nil {
		return Draft{}, fmt.Errorf("apply page: no item to renew")
	}
	q.Set("item", string(m[1]))
	if r, err = f.C.PostForm(ctx, "/apply", session, q); err != nil {
		return Draft{}, err
	}
	app := appPathRE.FindString(r.Location)
	if r.Status != http.StatusSeeOther || app == "" {
		return Draft{}, fmt.Errorf("apply: %w", r.Expect(http.StatusSeeOther, ""))
	}
	d := Draft{Session: session, Path: app}
	steps := []struct {
		step, action string
		form         url.Values
		file         *File
		status       int
		want         string
	}{
		{"commitment", "next", url.Values{"incident": {"no"}, "work_interrupted": {"no"}}, nil, http.StatusSeeOther, ""},
		{"basic", "upload_photo", nil, &File{Field: "photo", Name: f.Photo.Name, ContentType: f.Photo.ContentType, Data: f.Photo.Data}, http.StatusOK, "照片已上传"},
		{"basic", "sync_employer", url.Values{"employer_name": {f.Employer}}, nil, http.StatusOK, "已同步单位信息"},
		{"basic", "next", url.Values{"employer_name": {f.Employer}, "address_detail": {"8楼"}, "education": {"高中"},
			"title": {"未评定"}, "household_district": {f.District}}, nil, http.StatusSeeOther, ""},
		{"materials?material=id_card", "upload", nil, &File{Field: "file-id_card", Name: f.IDScan.Name, ContentType: f.IDScan.ContentType, Data: f.IDScan.Data}, http.StatusOK, "文件已上传"},
		{"materials", "next", nil, nil, http.StatusSeeOther, ""},
	}
	version := ""
	for _, s := range steps {
		if version == "" {
			page := strings.SplitN(s.step, "?", 2)[0]
			if version, err = f.version(ctx, d, "/edit/"+page); err != nil {
				return d, err
			}
		}
		form := url.Values{"action": {s.action}, "version": {version}}
		for k, v := range s.form {
			form[k] = v
		}
		var r Response
		if s.file != nil {
			r, err = f.C.PostMultipart(ctx, app+"/edit/"+s.step, session, form, *s.file)
		} else {
			r, err = f.C.PostForm(ctx, app+"/edit/"+s.step, session, form)
		}
		if err != nil {
			return d, err
		}
		if err := r.Expect(s.status, s.want); err != nil {
			return d, fmt.Errorf("%s %s: %w", s.step, s.action, err)
		}
		version = ""
		if m := versionRE.FindSubmatch(r.Body); r.Status == http.StatusOK && m != nil {
			version = string(m[1])
		}
	}
	if d.Version, err = f.version(ctx, d, "/edit/review"); err != nil {
		return d, err
	}
	return d, nil
}

// version reads the version of the application a page shows.
func (f *Flow) version(ctx context.Context, d Draft, page string) (string, error) {
	r, err := f.C.Get(ctx, d.Path+page, d.Session)
	if err != nil {
		return "", err
	}
	if err := r.Expect(http.StatusOK, ""); err != nil {
		return "", fmt.Errorf("%s: %w", page, err)
	}
	m := versionRE.FindSubmatch(r.Body)
	if m == nil {
		return "", fmt.Errorf("%s: no version on the page", page)
	}
	return string(m[1]), nil
}

// Submit is 提交 on the 核对信息 page; the service answers with the
// confirmation page's address.
func (f *Flow) Submit(ctx context.Context, d Draft) error {
	r, err := f.C.PostForm(ctx, d.Path+"/submit", d.Session, url.Values{"version": {d.Version}})
	if err != nil {
		return err
	}
	if r.Status != http.StatusSeeOther || !strings.HasSuffix(r.Location, "/submitted") {
		return fmt.Errorf("submit %s: %w", d.Path, r.Expect(http.StatusSeeOther, ""))
	}
	return nil
}

// Whole is the whole path of one applicant: log in (unless session is
// given), prepare, submit.
func (f *Flow) Whole(ctx context.Context, login, session string) error {
	if session == "" {
		var err error
		if session, err = f.Login(ctx, login); err != nil {
			return err
		}
	}
	d, err := f.Prepare(ctx, session)
	if err != nil {
		return err
	}
	return f.Submit(ctx, d)
}

// Pool hands out fixtures (accounts, drafts) to workers, each once.
type Pool[T any] struct {
	items []T
	next  chan int
}

// NewPool returns a pool of items.
func NewPool[T any](items []T) *Pool[T] {
	p := &Pool[T]{items: items, next: make(chan int, len(items))}
	for i := range items {
		p.next <- i
	}
	close(p.next)
	return p
}

// Take returns the next item, or ErrExhausted.
func (p *Pool[T]) Take() (T, error) {
	i, ok := <-p.next
	if !ok {
		var zero T
		return zero, ErrExhausted
	}
	return p.items[i], nil
}

// Left is the number of items not yet taken.
func (p *Pool[T]) Left() int { return len(p.next) }

// Itoa formats an id for a path.
func Itoa(n int64) string { return strconv.FormatInt(n, 10) }
