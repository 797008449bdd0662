package web

import (
	"fmt"
	"net/http"
	"regexp"
	"strconv"
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
	// Exams are the passed exam results a welding line can cite.
	Exams []application.ExamResult
	// ItemErrors are the problems of the item table, shown above it.
	ItemErrors []string
}

type manualRow struct {
	N                                                            int
	Edition, Code, WeldCode, Name, Category, From, Until, Target string
	Renew                                                        bool // 选择复审
	Exam                                                         string
}

func (p *manualPage) ErrorFor(field string) string { return fieldErrors(p.Errors).ErrorFor(field) }

// manualPage is 手工录入 (seed 000 复审项目选择 2): a certificate issued, or
// last renewed, outside Shanghai is typed in, to be proved by photos of its
// pages in the materials step.
func (s *Server) manualPage(w http.ResponseWriter, r *http.Request) {
	e, ok := s.entryOf(r.URL.Query().Get)
	if !ok || e.Matter != application.MatterRenew {
		http.Redirect(w, r, "/#start", http.StatusSeeOther)
		return
	}
	offer, a, err := s.cases.Offer(r.Context(), s.actor(r), application.MatterRenew)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	p := s.newManualPage(e, offer.Results)
	p.Manual = application.Manual{Name: a.Holder.Name, IDType: string(a.Holder.IDType), IDNumber: a.Holder.IDNumber, CertNumber: a.Holder.IDNumber}
	s.render(w, r, "manual", p)
}

func (s *Server) newManualPage(e entry, exams []application.ExamResult) *manualPage {
	p := &manualPage{Entry: e, IDTypes: registry.IDTypes, Quals: s.catalog.Qualifications(), Catalog: s.catalog, Exams: exams}
	for i := range manualRows {
		p.Rows = append(p.Rows, manualRow{N: i + 1, Edition: "2011", Renew: true})
	}
	return p
}

// manualCreate reads the typed-in certificate and its lines and asks the
// service for a 复审 draft.
func (s *Server) manualCreate(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.badRequest(w, r)
		return
	}
	e, ok := s.entryOf(r.PostForm.Get)
	if !ok || e.Matter != application.MatterRenew {
		http.Redirect(w, r, "/#start", http.StatusSeeOther)
		return
	}
	offer, _, err := s.cases.Offer(r.Context(), s.actor(r), application.MatterRenew)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	p := s.newManualPage(e, offer.Results)
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
		row.WeldCode, row.Exam = get(fmt.Sprintf("weld-%d", n)), get(fmt.Sprintf("exam-%d", n))
		row.Renew = r.PostForm.Get(fmt.Sprintf("renew-%d", n)) != ""
		if row.Code == "" && row.Until == "" && row.From == "" {
			continue
		}
		ed := row.Edition
		if ed != "2019" {
			ed = "2011"
		}
		targets[len(m.Items)] = row.Target
		exam, _ := strconv.ParseInt(row.Exam, 10, 64)
		m.Items = append(m.Items, application.ManualItem{Ref: ed + ":" + row.Code, WeldCode: row.WeldCode, Name: row.Name, Category: row.Category,
			ValidFrom: row.From, ValidUntil: row.Until, Renew: row.Renew, ExamResultID: exam})
	}
	p.Manual = m
	app, err := s.cases.StartManual(r.Context(), s.actor(r), e.Authority.Code, m, targets)
	if statusOf(err) == http.StatusUnprocessableEntity {
		for _, fe := range fieldErrorsOf(err, nil) {
			if strings.HasPrefix(fe.Field, "manual.items") {
				p.ItemErrors = append(p.ItemErrors, fe.Message)
			}
			fe.Field = manualAnchor(fe.Field)
			p.Errors = append(p.Errors, fe)
		}
		s.renderStatus(w, r, http.StatusUnprocessableEntity, "manual", p)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/applications/%d/edit/commitment", app.ID), http.StatusSeeOther)
}

// manualItemField is a problem's field of the item table: manual.items[0].code.
var manualItemField = regexp.MustCompile(`^manual\.items\[(\d+)\](?:\.(\w+))?$`)

// manualAnchor is the id of the element a 手工录入 problem's field is shown
// at, for the error summary's link.
func manualAnchor(field string) string {
	if m := manualItemField.FindStringSubmatch(field); m != nil {
		n, _ := strconv.Atoi(m[1])
		col := map[string]string{"code": "code", "valid_from": "from", "valid_until": "until", "weld_code": "weld", "target": "target",
			"exam": "exam", "name": "name", "category": "category"}[m[2]]
		if col == "" {
			col = "code"
		}
		return fmt.Sprintf("%s-%d", col, n+1)
	}
	if field == "manual.items" {
		return "manual-items"
	}
	return strings.TrimPrefix(field, "manual.")
}
