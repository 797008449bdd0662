package web

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"opcert/internal/application"
	"opcert/internal/auth"
	"opcert/internal/authority"
	"opcert/internal/catalog"
	"opcert/internal/registry"
)

func (s *Server) applyRoutes(mux *http.ServeMux) {
	app := func(h http.HandlerFunc) http.HandlerFunc { return s.requireRole(auth.RoleApplicant, h) }
	mux.HandleFunc("GET /apply", app(s.applyStart))
	mux.HandleFunc("POST /apply", app(s.applyCreate))
	mux.HandleFunc("GET /apply/manual", app(s.manualPage))
	mux.HandleFunc("POST /apply/manual", app(s.manualCreate))
	mux.HandleFunc("GET /applications", app(s.applicationList))
	mux.HandleFunc("GET /applications/{id}", app(s.applicationView))
	mux.HandleFunc("POST /applications/{id}/withdraw", app(s.applicationWithdraw))
	mux.HandleFunc("GET /applications/{id}/submitted", app(s.applicationSubmitted))
	mux.HandleFunc("GET /applications/{id}/edit/{step}", app(s.wizardPage))
	mux.Handle("POST /applications/{id}/edit/{step}", takesFile(app(s.wizardPost)))
	mux.HandleFunc("POST /applications/{id}/submit", app(s.applicationSubmit))
	mux.HandleFunc("GET /catalog/mapping", s.mappingPage)
}

// entry is the chosen 受理机关 and 事项 of the home page's 立即办理.
type entry struct {
	Authority authority.Authority
	Matter    application.Matter
}

func (s *Server) entryOf(values func(string) string) (entry, bool) {
	m, ok := application.ParseMatter(values("matter"))
	if !ok {
		return entry{}, false
	}
	for _, a := range authority.Shanghai(s.catalog) {
		if a.Code == values("authority") {
			return entry{Authority: a, Matter: m}, true
		}
	}
	return entry{}, false
}

// renewRow is one line of the 复审项目选择 table.
type renewRow struct {
	Index   int
	Option  application.Option
	Period  string
	Targets []qualChoice
	Extras  []qualChoice
	Note    string
	Checked bool
	Exams   []examChoice
}

type qualChoice struct {
	Value, Label string
	Selected     bool
}

type examChoice struct {
	ID       int64
	Label    string
	Selected bool
}

type startPage struct {
	chrome
	Entry     entry
	Renew     []renewRow
	NotOffer  []application.NotOffered
	Checklist []application.ChecklistLine
	Nothing   bool
	Items     []itemGroup // 新办/增项: the 2019 catalogue to choose from
	Reissue   []renewRow  // 补证: the holder's lines
	Materials []application.MaterialSpec
	Errors    []fieldError
	Manual    bool
	// ReopenSince is the policy date from which expired items may still be
	// renewed (seed 000 复审项目选择 1, 疫情期间), when the policy sets one.
	ReopenSince string
	// LeadMonths opens the 复审 window before 有效期至 (Policy.RenewalLeadMonths).
	LeadMonths int
}

type itemGroup struct {
	Category string
	Items    []itemChoice
}

type itemChoice struct {
	Value, Label string
	Welding      bool
	Checked      bool
	Exams        []examChoice
	// UnderWay is the application already under way for the item, whose
	// row is then greyed with Reason and a link.
	UnderWay int64
	Reason   string
}

func (p *startPage) ErrorFor(field string) string { return fieldErrors(p.Errors).ErrorFor(field) }

// applyStart is where 立即办理 lands: the materials the matter needs are
// shown before anything is typed, and the items are chosen (seed 000, 复审项目
// 选择; seed 001 第二部分 5–6).
func (s *Server) applyStart(w http.ResponseWriter, r *http.Request) {
	e, ok := s.entryOf(r.URL.Query().Get)
	if !ok {
		http.Redirect(w, r, "/#start", http.StatusSeeOther)
		return
	}
	p, err := s.startData(r, e, nil)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, "apply_start", p)
}

// startData is the page of what the matter offers, with what was posted
// ticked again.
func (s *Server) startData(r *http.Request, e entry, posted map[string][]string) (*startPage, error) {
	offer, a, err := s.cases.Offer(r.Context(), s.actor(r), e.Matter)
	if err != nil {
		return nil, err
	}
	policy := s.cases.PolicyNow(r.Context())
	p := &startPage{Entry: e, ReopenSince: policy.ReopenExpiredSince.Chinese(), LeadMonths: policy.RenewalLeadMonths}
	pick := picked{posted: posted, results: offer.Results, matter: e.Matter}
	switch e.Matter {
	case application.MatterRenew:
		p.Renew = s.renewRows(offer, pick)
		p.NotOffer = offer.Renewal.NotOffered
		if offer.Renewal.NothingToRenew() {
			p.Nothing = true
			p.Checklist = application.NothingFoundChecklist(&offer.Holding, offer.Found, offer.Renewal, s.today())
		}
	case application.MatterNew, application.MatterAdd:
		p.Items = s.itemGroups(offer, pick)
	case application.MatterReissue:
		for _, o := range offer.Reissue {
			p.Reissue = append(p.Reissue, renewRow{Option: o, Checked: pick.checked("item", o.Key),
				Period: fmt.Sprintf("自 %s 至 %s", o.Item.ApprovedOn.Chinese(), o.Item.ValidUntil.Chinese())})
		}
	}
	p.Materials = application.RequiredMaterials(e.Matter, nil, application.MaterialOptions{ShanghaiHousehold: isShanghaiID(a.Holder)})
	return p, nil
}

// picked is what the applicant posted, to tick it again on the page, and
// the exam results offered for each welding row.
type picked struct {
	posted  map[string][]string
	results []application.ExamResult
	matter  application.Matter
}

func (p picked) checked(key, value string) bool { return slices.Contains(p.posted[key], value) }

// exams are the results a row can cite: the item's (and project code's,
// once known), of the kind the matter takes (application.ResultFitsMatter).
func (p picked) exams(key string, item catalog.Qualification, weld string) []examChoice {
	var out []examChoice
	for _, res := range p.results {
		if res.Item.Code != item.Code || (weld != "" && res.WeldCode != weld) || !application.ResultFitsMatter(res, p.matter) {
			continue
		}
		id := strconv.FormatInt(res.ID, 10)
		out = append(out, examChoice{ID: res.ID, Label: res.Label(), Selected: p.checked(key, id)})
	}
	return out
}

// renewRows are the 复审项目选择 table's rows.
func (s *Server) renewRows(offer application.Offer, pick picked) []renewRow {
	var rows []renewRow
	for i, o := range offer.Renewal.Options {
		row := renewRow{Index: i, Option: o, Checked: pick.checked("item", strconv.Itoa(i)),
			Period: fmt.Sprintf("自 %s 至 %s", o.Item.ApprovedOn.Chinese(), o.Item.ValidUntil.Chinese()), Note: o.MappingNote()}
		if o.Mapping.Kind == catalog.KindChoice {
			for _, q := range o.Targets() {
				row.Targets = append(row.Targets, qualChoice{Value: q.String(), Label: q.String() + " " + q.Name(s.catalog), Selected: pick.checked(fmt.Sprintf("target-%d", i), q.String())})
			}
		}
		for _, q := range o.Mapping.OptionalExtra {
			row.Extras = append(row.Extras, qualChoice{Value: q.String(), Label: "同时换发 " + q.String() + " " + q.Name(s.catalog), Selected: pick.checked(fmt.Sprintf("extra-%d", i), q.String())})
		}
		if o.Welding {
			if q, ok := o.Item.Ref.New(); ok {
				row.Exams = pick.exams(fmt.Sprintf("exam-%d", i), q, o.Item.WeldCode)
			}
		}
		rows = append(rows, row)
	}
	return rows
}

// itemGroups are the 2019 catalogue by category, for 新办 and 增项.
func (s *Server) itemGroups(offer application.Offer, pick picked) []itemGroup {
	var groups []itemGroup
	index := map[string]int{}
	for _, q := range s.catalog.Qualifications() {
		it, _ := s.catalog.Item(q.Code)
		k, ok := index[it.Category]
		if !ok {
			k = len(groups)
			index[it.Category] = k
			groups = append(groups, itemGroup{Category: it.Category})
		}
		c := itemChoice{Value: q.String(), Label: q.Name(s.catalog) + "（" + q.String() + "）", Welding: it.Welding, Checked: pick.checked("item", q.String())}
		if it.Welding {
			c.Label = q.Name(s.catalog)
			c.Exams = pick.exams("exam-"+q.String(), q, "")
		} else if u, ok := offer.ItemUnderWay(q); ok {
			c.UnderWay, c.Reason = u.ApplicationID, application.UnderWayReason(u)
		}
		groups[k].Items = append(groups[k].Items, c)
	}
	return groups
}

// isShanghaiID: a resident ID issued in Shanghai (region 31…) marks a
// Shanghai 户籍 for the 电子身份证 (seed 000 3.3: 仅支持上海户籍的申请人).
func isShanghaiID(h registry.Holder) bool {
	return h.IDType == registry.IDResident && strings.HasPrefix(h.IDNumber, "31")
}

// applyCreate turns the chosen items into a draft.
func (s *Server) applyCreate(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.badRequest(w, r)
		return
	}
	e, ok := s.entryOf(r.PostForm.Get)
	if !ok {
		http.Redirect(w, r, "/#start", http.StatusSeeOther)
		return
	}
	pk := application.Picks{Items: r.PostForm["item"],
		Target: func(row string) string { return r.PostForm.Get("target-" + row) },
		Extras: func(row string) []string { return r.PostForm["extra-"+row] },
		Exam:   func(row string) string { return r.PostForm.Get("exam-" + row) }}
	app, err := s.cases.Start(r.Context(), s.actor(r), e.Authority.Code, e.Matter, pk)
	if statusOf(err) == http.StatusUnprocessableEntity {
		p, perr := s.startData(r, e, r.PostForm)
		if perr != nil {
			s.serverError(w, r, perr)
			return
		}
		p.Errors = fieldErrorsOf(err, nil)
		s.renderStatus(w, r, http.StatusUnprocessableEntity, "apply_start", p)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/applications/%d/edit/commitment", app.ID), http.StatusSeeOther)
}

func (s *Server) badRequest(w http.ResponseWriter, r *http.Request) {
	s.renderStatus(w, r, http.StatusBadRequest, "error", &errorPage{Title: "请求有误", Message: "提交的内容无法识别，请返回上一页重新填写。"})
}

type mappingPage struct {
	chrome
	Mappings []catalog.Mapping
	Catalog  *catalog.Catalog
}

// mappingPage is 《特种设备作业人员证书换发对应表》 as the 基本信息 step links it.
func (s *Server) mappingPage(w http.ResponseWriter, r *http.Request) {
	cat := s.cases.Catalog(r.Context())
	s.render(w, r, "mapping", &mappingPage{Mappings: cat.Mappings(), Catalog: cat})
}
