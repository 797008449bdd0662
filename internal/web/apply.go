package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"opcert/internal/application"
	"opcert/internal/auth"
	"opcert/internal/authority"
	"opcert/internal/catalog"
	"opcert/internal/registry"
	"opcert/internal/store"
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
	mux.HandleFunc("POST /applications/{id}/edit/{step}", app(s.wizardPost))
	mux.HandleFunc("POST /applications/{id}/submit", app(s.applicationSubmit))
	mux.HandleFunc("GET /catalog/mapping", s.mappingPage)
}

// applicant is the logged-in applicant and the registry person behind the
// account: the only person they may apply for (seed 001: 单位或其他人无法代办).
type applicant struct {
	User   auth.User
	Holder registry.Holder
}

func (s *Server) applicantOf(r *http.Request) (applicant, error) {
	v := viewerFrom(r.Context())
	h, err := s.store.HolderByID(r.Context(), v.User.HolderID)
	return applicant{User: v.User, Holder: h}, err
}

// entry is the chosen 受理机关 and 事项 of the home page's 立即办理.
type entry struct {
	Authority authority.Authority
	Matter    application.Matter
}

func (s *Server) entryOf(r *http.Request, values func(string) string) (entry, bool, error) {
	m, ok := application.ParseMatter(values("matter"))
	if !ok {
		return entry{}, false, nil
	}
	auths, err := s.store.Authorities(r.Context())
	if err != nil {
		return entry{}, false, err
	}
	for _, a := range auths {
		if a.Code == values("authority") {
			return entry{Authority: a, Matter: m}, true, nil
		}
	}
	return entry{}, false, nil
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
}

func (p *startPage) ErrorFor(field string) string { return fieldErrors(p.Errors).ErrorFor(field) }

// applyStart is where 立即办理 lands: the materials the matter needs are
// shown before anything is typed, and the items are chosen (seed 000, 复审项目
// 选择; seed 001 第二部分 5–6).
func (s *Server) applyStart(w http.ResponseWriter, r *http.Request) {
	e, ok, err := s.entryOf(r, r.URL.Query().Get)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
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

func (s *Server) startData(r *http.Request, e entry, posted map[string][]string) (*startPage, error) {
	a, err := s.applicantOf(r)
	if err != nil {
		return nil, err
	}
	p := &startPage{Entry: e, ReopenSince: s.policy.ReopenExpiredSince.Chinese()}
	results, err := s.examResults(r, a.Holder.ID)
	if err != nil {
		return nil, err
	}
	holding, found, err := s.holdingOf(r, a.Holder)
	if err != nil {
		return nil, err
	}
	checked := func(key, value string) bool {
		for _, v := range posted[key] {
			if v == value {
				return true
			}
		}
		return false
	}
	exams := func(key string, item catalog.Qualification, weld string) []examChoice {
		var out []examChoice
		for _, res := range results {
			if res.Item.Code != item.Code || (weld != "" && res.WeldCode != weld) {
				continue
			}
			id := strconv.FormatInt(res.ID, 10)
			out = append(out, examChoice{ID: res.ID, Label: res.Label(), Selected: checked(key, id)})
		}
		return out
	}
	switch e.Matter {
	case application.MatterRenew:
		list := application.RenewalOptions(holding, s.catalog, s.today(), s.policy)
		for i, o := range list.Options {
			row := renewRow{Index: i, Option: o, Checked: checked("item", strconv.Itoa(i)),
				Period: fmt.Sprintf("自 %s 至 %s", o.Item.ApprovedOn.Chinese(), o.Item.ValidUntil.Chinese()), Note: o.MappingNote()}
			if o.Mapping.Kind == catalog.KindChoice {
				for _, q := range o.Targets() {
					row.Targets = append(row.Targets, qualChoice{Value: q.String(), Label: q.String() + " " + q.Name(s.catalog), Selected: checked(fmt.Sprintf("target-%d", i), q.String())})
				}
			}
			for _, q := range o.Mapping.OptionalExtra {
				row.Extras = append(row.Extras, qualChoice{Value: q.String(), Label: "同时换发 " + q.String() + " " + q.Name(s.catalog), Selected: checked(fmt.Sprintf("extra-%d", i), q.String())})
			}
			if o.Welding {
				if q, ok := o.Item.Ref.New(); ok {
					row.Exams = exams(fmt.Sprintf("exam-%d", i), q, o.Item.WeldCode)
				}
			}
			p.Renew = append(p.Renew, row)
		}
		p.NotOffer = list.NotOffered
		if list.NothingToRenew() {
			p.Nothing = true
			p.Checklist = application.NothingFoundChecklist(&holding, found, list, s.today())
		}
	case application.MatterNew, application.MatterAdd:
		byCat := map[string]*itemGroup{}
		for _, q := range s.catalog.Qualifications() {
			it, _ := s.catalog.Item(q.Code)
			g := byCat[it.Category]
			if g == nil {
				g = &itemGroup{Category: it.Category}
				byCat[it.Category] = g
				p.Items = append(p.Items, itemGroup{Category: it.Category})
			}
			c := itemChoice{Value: q.String(), Label: q.Name(s.catalog) + "（" + q.String() + "）", Welding: it.Welding, Checked: checked("item", q.String())}
			if it.Welding {
				c.Label = q.Name(s.catalog)
				c.Exams = exams("exam-"+q.String(), q, "")
			}
			g.Items = append(g.Items, c)
		}
		for i := range p.Items {
			p.Items[i] = *byCat[p.Items[i].Category]
		}
	case application.MatterReissue:
		for i, c := range holding.Certificates {
			for j, it := range c.Items {
				key := fmt.Sprintf("%d-%d", i, j)
				code, name, _, _ := s.catalog.Describe(it.Ref)
				if it.Status != registry.ItemValid || it.ExpiredOn(s.today()) {
					continue
				}
				if old, ok := it.Ref.Old(); ok {
					if m, _ := s.catalog.Mapping(old); !m.Renewable() {
						continue // seed 000 复审注意 4: 已取消的项目不再进行复审或者补发
					}
				}
				o := application.Option{CertificateNumber: c.Number, Item: it, Code: code, Name: name, IssuedBy: it.IssuedBy, Selectable: true}
				p.Reissue = append(p.Reissue, renewRow{Index: i*1000 + j, Option: o, Checked: checked("item", key),
					Period: fmt.Sprintf("自 %s 至 %s", it.ApprovedOn.Chinese(), it.ValidUntil.Chinese())})
			}
		}
	}
	p.Materials = application.RequiredMaterials(e.Matter, nil, application.MaterialOptions{ShanghaiHousehold: isShanghaiID(a.Holder)})
	return p, nil
}

// holdingOf is the registry record found by the logged-in 证件号码 (seed 000:
// 系统会根据登录账号的身份证查询该申请人所持有的作业人员证书项目信息).
func (s *Server) holdingOf(r *http.Request, h registry.Holder) (registry.Holding, bool, error) {
	got, err := s.store.HoldingByIDNumber(r.Context(), h.IDNumber)
	if errors.Is(err, store.ErrNotFound) {
		return registry.Holding{Holder: h}, false, nil
	}
	return got, err == nil && len(got.Certificates) > 0, err
}

func (s *Server) examResults(r *http.Request, holderID int64) ([]application.ExamResult, error) {
	rows, err := s.store.PassedExamResults(r.Context(), holderID)
	if err != nil {
		return nil, err
	}
	var out []application.ExamResult
	for _, x := range rows {
		q, err := s.catalog.ParseQualification(x.Qualification)
		if err != nil {
			return nil, err
		}
		out = append(out, application.ExamResult{ID: x.ID, Item: q, WeldCode: x.WeldCode, Passed: x.Passed, ExamDate: x.ExamDate,
			Theory: int(x.Theory.Int64), Practical: int(x.Practical.Int64), Institution: x.Institution})
	}
	return out, nil
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
	e, ok, err := s.entryOf(r, r.PostForm.Get)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if !ok {
		http.Redirect(w, r, "/#start", http.StatusSeeOther)
		return
	}
	a, err := s.applicantOf(r)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	p, err := s.startData(r, e, r.PostForm)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	results, err := s.examResults(r, a.Holder.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	holding, _, err := s.holdingOf(r, a.Holder)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	var items []application.FormItem
	var problems []application.Problem
	switch e.Matter {
	case application.MatterRenew:
		list := application.RenewalOptions(holding, s.catalog, s.today(), s.policy)
		var sel []application.Selection
		for _, v := range r.PostForm["item"] {
			i, err := strconv.Atoi(v)
			if err != nil || i < 0 || i >= len(list.Options) {
				continue
			}
			o := list.Options[i]
			x := application.Selection{OptionIndex: i, CertificateNumber: o.CertificateNumber, Ref: o.Item.Ref, WeldCode: o.Item.WeldCode}
			var chosen []string
			if t := r.PostForm.Get(fmt.Sprintf("target-%d", i)); t != "" {
				chosen = append(chosen, t)
			} else if q, ok := o.Mapping.Fixed(); ok && len(r.PostForm[fmt.Sprintf("extra-%d", i)]) > 0 {
				chosen = append(chosen, q.String())
			}
			chosen = append(chosen, r.PostForm[fmt.Sprintf("extra-%d", i)]...)
			for _, c := range chosen {
				if q, err := s.catalog.ParseQualification(c); err == nil {
					x.Chosen = append(x.Chosen, q)
				}
			}
			x.ExamResultID, _ = strconv.ParseInt(r.PostForm.Get(fmt.Sprintf("exam-%d", i)), 10, 64)
			sel = append(sel, x)
		}
		problems = application.CheckRenewalSelection(sel, list, results, s.catalog)
		if len(problems) == 0 {
			for _, x := range sel {
				o := list.Options[x.OptionIndex]
				targets := x.Chosen
				if len(targets) == 0 {
					q, _ := o.Mapping.Fixed()
					targets = []catalog.Qualification{q}
				}
				fi := application.FormItem{RegistryItemID: o.Item.ID, From: o.Item.Ref.String(), Target: targets[0].String(), WeldCode: o.Item.WeldCode,
					ExamResultID: x.ExamResultID, ValidUntil: o.Item.ValidUntil.String(), IssuedBy: o.IssuedBy}
				for _, q := range targets[1:] {
					fi.Extras = append(fi.Extras, q.String())
				}
				items = append(items, fi)
			}
		}
	case application.MatterNew, application.MatterAdd:
		var req []application.ItemRequest
		for _, v := range r.PostForm["item"] {
			q, err := s.catalog.ParseQualification(v)
			if err != nil {
				problems = append(problems, application.Problem{Field: "items", Message: err.Error()})
				continue
			}
			id, _ := strconv.ParseInt(r.PostForm.Get("exam-"+v), 10, 64)
			req = append(req, application.ItemRequest{Item: q, ExamResultID: id})
		}
		problems = append(problems, application.CheckItemSelection(e.Matter, req, &holding, results, s.today(), s.catalog)...)
		if len(problems) == 0 {
			for _, x := range req {
				fi := application.FormItem{Target: x.Item.String(), ExamResultID: x.ExamResultID}
				for _, res := range results {
					if res.ID == x.ExamResultID {
						fi.WeldCode = res.WeldCode
					}
				}
				items = append(items, fi)
			}
		}
	case application.MatterReissue:
		for _, row := range p.Reissue {
			key := fmt.Sprintf("%d-%d", row.Index/1000, row.Index%1000)
			for _, v := range r.PostForm["item"] {
				if v == key {
					q, ok := row.Option.Item.Ref.New()
					if !ok {
						// An old line is reissued as its 2019 item: the certificate
						// printed today carries only current items.
						m, _ := s.catalog.Mapping(mustOld(row.Option.Item.Ref))
						q, ok = m.Fixed()
						if !ok && len(m.Targets) > 0 {
							q = m.Targets[0]
						}
					}
					items = append(items, application.FormItem{RegistryItemID: row.Option.Item.ID, From: row.Option.Item.Ref.String(), Target: q.String(),
						WeldCode: row.Option.Item.WeldCode, ValidUntil: row.Option.Item.ValidUntil.String(), IssuedBy: row.Option.IssuedBy})
				}
			}
		}
		if len(items) == 0 {
			problems = append(problems, application.Problem{Field: "items", Message: "请选择需要补发的作业项目"})
		}
	}
	if len(problems) > 0 {
		for _, pr := range problems {
			p.Errors = append(p.Errors, fieldError{Field: "items", Label: "作业项目", Message: pr.Message})
		}
		s.renderStatus(w, r, http.StatusUnprocessableEntity, "apply_start", p)
		return
	}
	app, err := s.createDraft(r, a, e, items, nil)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/applications/%d/edit/commitment", app.ID), http.StatusSeeOther)
}

func mustOld(r catalog.ItemRef) catalog.OldCode {
	c, _ := r.Old()
	return c
}

// createDraft stores a new draft prefilled from the account and registry
// (seed 000 3.2: 系统会自动带出部分原证书的信息).
func (s *Server) createDraft(r *http.Request, a applicant, e entry, items []application.FormItem, manual *application.Manual) (store.Application, error) {
	f := application.Form{Matter: e.Matter, Items: items, Manual: manual,
		Applicant: application.Person{Name: a.Holder.Name, IDType: string(a.Holder.IDType), IDNumber: a.Holder.IDNumber, Sex: a.Holder.Sex,
			BirthDate: a.Holder.BirthDate.String(), Mobile: a.User.Mobile},
		Routing: application.Choice{Code: e.Authority.Code}}
	data, err := json.Marshal(f)
	if err != nil {
		return store.Application{}, err
	}
	today := s.today()
	return s.store.CreateDraft(r.Context(), store.Application{ApplicantID: a.User.ID, HolderID: a.Holder.ID, Matter: string(e.Matter),
		AuthorityCode: e.Authority.Code, Status: string(application.StatusDraft), Step: "commitment", Data: data,
		DraftExpiresOn: application.DraftExpiry(today, s.policy)})
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
	s.render(w, r, "mapping", &mappingPage{Mappings: s.catalog.Mappings(), Catalog: s.catalog})
}
