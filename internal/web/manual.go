package web

import (
	"fmt"
	"net/http"
	"strings"

	"opcert/internal/application"
	"opcert/internal/catalog"
	"opcert/internal/registry"
)

// manualRows is how many item lines the 手工录入 form offers; the seed's
// example has two, and a certificate rarely carries more than five.
const manualRows = 5

type manualPage struct {
	chrome
	Entry   entry
	Manual  application.Manual
	Rows    []manualRow
	IDTypes []registry.IDType
	Quals   []catalog.Qualification
	Errors  []fieldError
	Catalog *catalog.Catalog
}

type manualRow struct {
	N                                                  int
	Edition, Code, Name, Category, From, Until, Target string
}

func (p *manualPage) ErrorFor(field string) string { return fieldErrors(p.Errors).ErrorFor(field) }

// manualPage is 手工录入 (seed 000 复审项目选择 2): a certificate issued, or
// last renewed, outside Shanghai is typed in, to be proved by photos of its
// pages in the materials step.
func (s *Server) manualPage(w http.ResponseWriter, r *http.Request) {
	e, ok, err := s.entryOf(r, r.URL.Query().Get)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if !ok || e.Matter != application.MatterRenew {
		http.Redirect(w, r, "/#start", http.StatusSeeOther)
		return
	}
	a, err := s.applicantOf(r)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	p := s.newManualPage(e)
	p.Manual = application.Manual{Name: a.Holder.Name, IDType: string(a.Holder.IDType), IDNumber: a.Holder.IDNumber, CertNumber: a.Holder.IDNumber}
	s.render(w, r, "manual", p)
}

func (s *Server) newManualPage(e entry) *manualPage {
	p := &manualPage{Entry: e, IDTypes: registry.IDTypes, Quals: s.catalog.Qualifications(), Catalog: s.catalog}
	for i := range manualRows {
		p.Rows = append(p.Rows, manualRow{N: i + 1, Edition: "2011"})
	}
	return p
}

func (s *Server) manualCreate(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.badRequest(w, r)
		return
	}
	e, ok, err := s.entryOf(r, r.PostForm.Get)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if !ok || e.Matter != application.MatterRenew {
		http.Redirect(w, r, "/#start", http.StatusSeeOther)
		return
	}
	a, err := s.applicantOf(r)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	p := s.newManualPage(e)
	get := func(k string) string { return strings.TrimSpace(r.PostForm.Get(k)) }
	m := application.Manual{Name: get("name"), CertNumber: strings.ToUpper(get("cert_number")), IDType: get("id_type"),
		IDNumber: strings.ToUpper(get("id_number")), IssuedBy: get("issued_by"), IssuedOn: get("issued_on")}
	targets := map[int]string{}
	for i := range p.Rows {
		row := &p.Rows[i]
		n := row.N
		row.Edition, row.Code = get(fmt.Sprintf("edition-%d", n)), strings.ToUpper(get(fmt.Sprintf("code-%d", n)))
		row.Name, row.Category = get(fmt.Sprintf("name-%d", n)), get(fmt.Sprintf("category-%d", n))
		row.From, row.Until, row.Target = get(fmt.Sprintf("from-%d", n)), get(fmt.Sprintf("until-%d", n)), get(fmt.Sprintf("target-%d", n))
		if row.Code == "" && row.Until == "" && row.From == "" {
			continue
		}
		ed := row.Edition
		if ed != "2019" {
			ed = "2011"
		}
		targets[len(m.Items)] = row.Target
		m.Items = append(m.Items, application.ManualItem{Ref: ed + ":" + row.Code, Name: row.Name, Category: row.Category, ValidFrom: row.From, ValidUntil: row.Until})
	}
	p.Manual = m
	fail := func(field, label, msg string) { p.Errors = append(p.Errors, fieldError{field, label, msg}) }
	// Only one's own certificate: the account's person (seed 000 三 1).
	if m.IDNumber != "" && m.IDNumber != a.Holder.IDNumber {
		fail("manual.id_number", "证件号码", "只能录入本人的证书：证件号码应与登录账号的证件号码一致")
	}
	cert, problems := m.Check(s.today(), s.catalog)
	for _, pr := range problems {
		fail(pr.Field, "手工录入", pr.Message)
	}
	var items []application.FormItem
	if len(p.Errors) == 0 {
		list := application.RenewalOptions(cert.Holding(), s.catalog, s.today(), s.policy)
		for i, o := range list.Options {
			label := fmt.Sprintf("第%d个项目", i+1)
			if !o.Selectable {
				fail(fmt.Sprintf("manual.items[%d]", i), label, o.Display+"："+o.Reason)
				continue
			}
			fi := application.FormItem{From: o.Item.Ref.String(), ValidUntil: o.Item.ValidUntil.String(), IssuedBy: o.IssuedBy, WeldCode: o.Item.WeldCode}
			want := targets[i]
			if q, fixed := o.Mapping.Fixed(); fixed && (want == "" || want == q.String()) {
				fi.Target = q.String()
			} else if want == "" {
				fail(fmt.Sprintf("manual.items[%d].target", i), label, o.Display+"：请选择复审后的项目（"+o.MappingNote()+"）")
				continue
			} else {
				q, err := s.catalog.ParseQualification(want)
				if err == nil {
					err = o.Mapping.CheckSelection([]catalog.Qualification{q})
				}
				if err != nil {
					fail(fmt.Sprintf("manual.items[%d].target", i), label, o.Display+"："+err.Error())
					continue
				}
				fi.Target = q.String()
			}
			items = append(items, fi)
		}
		for _, no := range list.NotOffered {
			fail("manual.items", "手工录入", no.Code+" "+no.Name+"："+no.Reason)
		}
		var r3, other bool
		for _, it := range items {
			if strings.HasPrefix(it.Target, "R3") {
				r3 = true
			} else {
				other = true
			}
		}
		if r3 && other {
			fail("manual.items", "手工录入", application.R3Alone)
		}
	}
	if len(p.Errors) > 0 {
		s.renderStatus(w, r, http.StatusUnprocessableEntity, "manual", p)
		return
	}
	app, err := s.createDraft(r, a, e, items, &m)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/applications/%d/edit/commitment", app.ID), http.StatusSeeOther)
}
