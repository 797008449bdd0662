package web

import (
	"bytes"
	"net/http"
	"strings"

	"opcert/internal/application"
	"opcert/internal/authority"
	"opcert/internal/casework"
	"opcert/internal/registry"
)

// service is one entry on the home page.
type service struct {
	Title, Summary, Href string
}

type homePage struct {
	chrome
	Services    []service
	Authorities []authority.Authority
	Matters     []application.Matter
	Form        *form // the 受理机关 + 事项 chooser, kept on a refused submit
}

func (s *Server) home(w http.ResponseWriter, r *http.Request) {
	// A visitor's home page without a query is the same for everyone and
	// does not change while the service runs (services, matters and the
	// 受理机关 come from the catalogue): rendered once, it is the page most
	// visits start with.
	visitor := viewerFrom(r.Context()) == nil && r.URL.RawQuery == ""
	if page := s.visitorHome.Load(); visitor && page != nil {
		writePage(w, http.StatusOK, *page)
		return
	}
	p, err := s.homeData(r)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if !visitor {
		s.render(w, r, "home", p)
		return
	}
	var buf bytes.Buffer
	if err := s.renderTo(&buf, r, "home", p); err != nil {
		s.serverError(w, r, err)
		return
	}
	page := buf.Bytes()
	s.visitorHome.Store(&page)
	writePage(w, http.StatusOK, page)
}

func (s *Server) homeData(r *http.Request) (*homePage, error) {
	auths, err := s.store.Authorities(r.Context())
	if err != nil {
		return nil, err
	}
	var svc []service
	for _, m := range application.Matters {
		svc = append(svc, service{Title: m.Label(), Summary: m.Summary(), Href: "/guide/" + string(m)})
	}
	svc = append(svc,
		service{Title: "焊工考试报名", Summary: "特种设备焊接作业人员考试报名（单个报名、批量报名）", Href: "/weld"},
		service{Title: "证书查询", Summary: "按姓名和证件号码查询特种设备安全管理和作业人员证", Href: "/certificates/query"},
		service{Title: "办件查询", Summary: "查看已提交申请的办理进度、补正要求和决定书", Href: "/guide/track"},
	)
	f := &form{Values: map[string]string{"authority": r.URL.Query().Get("authority"), "matter": r.URL.Query().Get("matter")}}
	if f.Values["matter"] == "" {
		f.Values["matter"] = string(application.MatterNew)
	}
	return &homePage{Services: svc, Authorities: auths, Matters: application.Matters, Form: f}, nil
}

type guidePage struct {
	chrome
	Matter      application.Matter
	Topic       string // new, add, renew, reissue, welder, track
	Title       string
	Authority   *authority.Authority
	Authorities []authority.Authority
	Cancelled   string
}

func (s *Server) guide(w http.ResponseWriter, r *http.Request) {
	topic := r.PathValue("matter")
	p := &guidePage{Topic: topic}
	if m, ok := application.ParseMatter(topic); ok {
		p.Matter, p.Title = m, "特种设备安全管理和作业人员资格认定（"+m.Label()+"）办事指南"
	} else {
		switch topic {
		case "welder":
			p.Title = "特种设备焊接作业人员考试报名指南"
		case "track":
			p.Title = "办件查询"
		default:
			s.notFound(w, r)
			return
		}
	}
	auths, err := s.store.Authorities(r.Context())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	p.Authorities = auths
	if code := r.URL.Query().Get("authority"); code != "" {
		for _, a := range auths {
			if a.Code == code {
				p.Authority = &a
			}
		}
		if p.Authority == nil {
			s.notFound(w, r)
			return
		}
	}
	var cancelled []string
	for _, c := range s.catalog.CancelledOldCodes() {
		cancelled = append(cancelled, string(c))
	}
	p.Cancelled = strings.Join(cancelled, "、")
	s.render(w, r, "guide", p)
}

// guideChoose is where the home page's 受理机关 + 事项 form lands (seed 000
// §1.2: pick the district, then the matter, then 立即办理).
func (s *Server) guideChoose(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	m, ok := application.ParseMatter(q.Get("matter"))
	if !ok {
		p, err := s.homeData(r)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		p.Form.Fail("matter", "申请事项", "请选择申请事项")
		s.renderStatus(w, r, http.StatusUnprocessableEntity, "home", p)
		return
	}
	target := "/guide/" + string(m)
	if a := q.Get("authority"); a != "" {
		target += "?authority=" + a
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// fieldError is one message shown at a field and in the summary at the top.
type fieldError struct {
	Field, Label, Message string
}

type queryPage struct {
	chrome
	Form     *form // name, id and the captcha once one is asked
	Searched bool
	Holding  *registry.Holding
	Rows     []itemRow

	// What the template shows of the above, set by prepare.
	ByCertificate         bool
	Name, ID, Certificate queryInput
	Result                *queryResult // a holder found
}

// queryInput is one input of the query form as typed, with its error.
type queryInput struct{ Value, Error string }

// queryResult is the holder found, masked (张*（3101**********0012）), and
// their items.
type queryResult struct {
	Holder        string
	Rows          []itemRow
	NumberDiffers bool
}

func (p *queryPage) prepare() {
	f := p.Form
	p.ByCertificate = f.Get("by") == "certificate"
	p.Name = queryInput{f.Get("name"), f.ErrorFor("name")}
	p.ID = queryInput{f.Get("id"), f.ErrorFor("id")}
	p.Certificate = queryInput{f.Get("certificate"), f.ErrorFor("certificate")}
	if h := p.Holding; p.Searched && h != nil {
		p.Result = &queryResult{Holder: maskName(h.Holder.Name) + "（" + maskID(h.Holder.IDNumber) + "）", Rows: p.Rows, NumberDiffers: h.NumberDiffers()}
	}
}

type itemRow struct {
	Certificate, Code, Name, Category, IssuedBy, ApprovedOn, ValidUntil, Status, StatusClass string
}

// certificateQuery shows the public 证书查询 form. The query itself is a
// POST: a 证件号码 in a URL would stay in the browser's history, in
// bookmarks and in every proxy's log.
func (s *Server) certificateQuery(w http.ResponseWriter, r *http.Request) {
	if r.URL.RawQuery != "" {
		// An old bookmark or link with the query in it: answered with the
		// empty form at a clean address, so the number goes no further.
		http.Redirect(w, r, "/certificates/query", http.StatusSeeOther)
		return
	}
	s.render(w, r, "query", &queryPage{Form: &form{Values: map[string]string{"by": "id"}}})
}

// askCertificates answers the query: the name and the 证件号码, or the name
// and the certificate's number (证书编号 or 档案编号), must both match, so the
// page cannot be used to list strangers' qualifications.
func (s *Server) askCertificates(w http.ResponseWriter, r *http.Request) {
	f := newForm(r, "by", "name", "id", "certificate", "captcha_id", "captcha")
	if f.Get("by") != "certificate" {
		f.Values["by"] = "id"
	}
	p := &queryPage{Form: f}
	q := casework.CertificateQuestion{Name: f.Get("name"), Client: s.clientIP(r), CaptchaID: f.Get("captcha_id"), CaptchaAnswer: f.Get("captcha")}
	if f.Get("by") == "certificate" {
		q.CertificateNumber, q.ByCertificate = f.Get("certificate"), true
	} else {
		q.IDNumber = f.Get("id")
	}
	a, err := s.cases.CertificateQuery(r.Context(), q)
	if q.ByCertificate {
		f.Values["certificate"] = a.Certificate
	} else {
		f.Values["id"] = a.Number
	}
	if err != nil {
		s.failForm(w, r, f, err, "query", p)
		return
	}
	f.Values["captcha_id"], f.Values["captcha"] = a.Challenge, ""
	p.Searched = true
	if a.Found {
		p.Holding = &a.Holding
		p.Rows = s.itemRows(a.Holding)
	}
	s.render(w, r, "query", p)
}

// standingClass is the tag colour of an item's standing.
func standingClass(st registry.Standing) string {
	switch {
	case !st.InForce:
		return "off"
	case st.Expiring:
		return "warn"
	}
	return "ok"
}

func (s *Server) itemRows(h registry.Holding) []itemRow {
	today := s.today()
	var rows []itemRow
	for _, c := range h.Certificates {
		for _, it := range c.Items {
			code, name, category, _ := s.catalog.Describe(it.Ref)
			if it.WeldCode != "" {
				code = it.WeldCode
			}
			row := itemRow{Certificate: c.Number, Code: code, Name: name, Category: category, IssuedBy: it.IssuedBy,
				ApprovedOn: it.ApprovedOn.Chinese(), ValidUntil: it.ValidUntil.Chinese()}
			st := it.StandingOn(today)
			row.Status, row.StatusClass = st.Label, standingClass(st)
			rows = append(rows, row)
		}
	}
	return rows
}
