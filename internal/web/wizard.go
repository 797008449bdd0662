package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"opcert/internal/application"
	"opcert/internal/casework"
	"opcert/internal/catalog"
	"opcert/internal/civil"
	"opcert/internal/store"
)

var steps = casework.Steps

func stepIndex(key string) int { return casework.StepIndex(key) }

// ownApplication loads an application of the logged-in applicant. Another
// person's application, or one that does not exist, is the same 404.
func (s *Server) ownApplication(w http.ResponseWriter, r *http.Request) (store.Application, *application.Form, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		s.notFound(w, r)
		return store.Application{}, nil, false
	}
	c, err := s.cases.Load(r.Context(), s.actor(r), id)
	if statusOf(err) == http.StatusNotFound {
		s.notFound(w, r)
		return store.Application{}, nil, false
	}
	if err != nil {
		s.serverError(w, r, err)
		return store.Application{}, nil, false
	}
	return c.Application, &c.Form, true
}

// wizardPage is one step of the form, shown with what was saved.
type wizardPage struct {
	chrome
	App        store.Application
	Form       *application.Form
	Step       string
	Steps      []stepLink
	Errors     []fieldError
	Notice     string
	Correcting bool
	Countdown  int // days the draft is still kept (暂存倒计时)
	Status     application.Status

	// basic
	Items        []itemLine
	Districts    []catalog.District
	Educations   []string
	Titles       []string
	SpecialCases []application.SpecialCase
	Routing      application.Routing
	Authorities  []authorityChoice

	// materials
	Materials []materialLine

	// review
	Commitment string
	Conflict   int64 // the other application already under way for an item
	ReadOnly   bool  // shown to an officer: no 修改 links
	// R3 fixes the 受理机构 (seed 000 3.2 注2); otherwise the applicant may
	// always declare one of the seed's two special cases.
	R3 bool
	// Institutions are the exam institutions to choose among, for 安全阀校验
	// and 客运索道 items (seed 000 2.1 注3); nil when no choice is needed.
	Institutions []application.ExamInstitution
}

type stepLink struct {
	Key, Label string
	Current    bool
	Done       bool
}

type itemLine struct {
	From, FromName, FromCategory, Period, Target, TargetName, Extras, WeldCode string
	// Unconfirmed is the note of a 换发 rule the catalogue marks as still to
	// be confirmed (R1 固定式→快开门式, Q9, S4, F2), shown to the officer.
	Unconfirmed string
}

type authorityChoice struct {
	Code, Name string
	Selected   bool
}

type materialLine struct {
	Spec      application.MaterialSpec
	Files     []store.Material
	Asked     string // the officer's 补正 reason, when asked
	Editable  bool
	Satisfied bool
}

func (p *wizardPage) ErrorFor(field string) string { return fieldErrors(p.Errors).ErrorFor(field) }

// Asked is the officer's 补正 reason for a field or material, "" when not asked.
func (p *wizardPage) Asked(target string) string {
	r, _ := p.Form.Correction.Asks(target)
	return r
}

// Locked: while correcting, only what the officer asked for can change
// (一次性告知: the notice lists everything to correct).
func (p *wizardPage) Locked(target string) bool {
	if !p.Correcting {
		return false
	}
	_, asked := p.Form.Correction.Asks(target)
	return !asked
}

func (s *Server) newWizardPage(r *http.Request, a store.Application, f *application.Form, step string) (*wizardPage, error) {
	st := application.Status(a.Status)
	p := &wizardPage{App: a, Form: f, Step: step, Status: st, Correcting: st == application.StatusCorrection,
		Districts: s.catalog.Districts(), Educations: application.Educations, Titles: application.Titles, SpecialCases: application.SpecialCases}
	reached := stepIndex(a.Step)
	for i, x := range steps {
		p.Steps = append(p.Steps, stepLink{Key: x.Key, Label: x.Label, Current: x.Key == step, Done: i < reached || p.Correcting})
	}
	if st == application.StatusDraft {
		p.Countdown = application.DraftCountdown(civil.Of(a.UpdatedAt), s.today(), s.cases.PolicyNow(r.Context()))
	}
	for _, it := range f.Items {
		line := itemLine{Target: it.Target, WeldCode: it.WeldCode, Extras: strings.Join(it.Extras, "、")}
		if q, err := s.catalog.ParseQualification(it.Target); err == nil {
			line.TargetName = q.Name(s.catalog)
		}
		if it.From != "" {
			if ref, err := s.catalog.ParseItemRef(it.From); err == nil {
				code, name, category, _ := s.catalog.Describe(ref)
				line.From, line.FromName, line.FromCategory = code, name, category
				if old, ok := ref.Old(); ok && f.Matter == application.MatterRenew {
					if m, ok := s.cases.Catalog(r.Context()).Mapping(old); ok && m.Uncertain() {
						line.Unconfirmed = m.Reason() + "：此对应关系尚未经权威来源确认，办理前请核实"
					}
				}
			}
			if until, err := civil.Parse(it.ValidUntil); err == nil {
				line.Period = "有效期至 " + until.Chinese()
			}
		}
		p.Items = append(p.Items, line)
	}
	p.Routing = f.Route(s.catalog)
	for _, q := range f.Targets(s.catalog) {
		p.R3 = p.R3 || q.Code == "R3"
	}
	if step == "basic" {
		all, err := s.cases.Institutions(r.Context())
		if err != nil {
			return nil, err
		}
		if list, needed := application.InstitutionsToChoose(f.Matter, f.Targets(s.catalog), all); needed {
			p.Institutions = list
		}
	}
	auths, err := s.store.Authorities(r.Context())
	if err != nil {
		return nil, err
	}
	for _, x := range auths {
		p.Authorities = append(p.Authorities, authorityChoice{Code: x.Code, Name: x.Name, Selected: x.Code == f.Routing.Chosen})
	}
	if step == "materials" || step == "review" {
		if p.Materials, err = s.materialLines(r, a, f, p.Correcting); err != nil {
			return nil, err
		}
	}
	p.Commitment = application.ParseCommitment(f.Incident).Label()
	return p, nil
}

func (s *Server) materialLines(r *http.Request, a store.Application, f *application.Form, correcting bool) ([]materialLine, error) {
	files, err := s.store.Materials(r.Context(), a.ID)
	if err != nil {
		return nil, err
	}
	var out []materialLine
	for _, spec := range f.Materials(s.catalog) {
		l := materialLine{Spec: spec, Editable: !correcting}
		for _, m := range files {
			if m.Material == spec.Key {
				l.Files = append(l.Files, m)
			}
		}
		if reason, ok := f.Correction.Asks("material:" + spec.Key); ok {
			l.Asked, l.Editable = reason, true
		}
		l.Satisfied = f.Satisfied(spec, len(l.Files))
		out = append(out, l)
	}
	return out, nil
}

func (s *Server) wizardPage(w http.ResponseWriter, r *http.Request) {
	a, f, ok := s.ownApplication(w, r)
	if !ok {
		return
	}
	step := r.PathValue("step")
	if stepIndex(step) < 0 {
		s.notFound(w, r)
		return
	}
	if !application.Status(a.Status).EditableByApplicant() {
		http.Redirect(w, r, fmt.Sprintf("/applications/%d", a.ID), http.StatusSeeOther)
		return
	}
	p, err := s.newWizardPage(r, a, f, step)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, "wizard", p)
}

// wizardPost saves the step through the service, whatever button was
// pressed, so nothing typed is lost; it shows the step again with what to
// fix or to tell, or goes on to the next.
func (s *Server) wizardPost(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		s.notFound(w, r)
		return
	}
	step := r.PathValue("step")
	files, err := s.parseStepForm(r)
	defer files.Close()
	if err != nil {
		s.stepRefused(w, r, step, err)
		return
	}
	in := casework.StepInput{Step: step, Action: r.PostFormValue("action"), Version: versionOf(r),
		Values:   func(name string) (string, bool) { _, ok := r.PostForm[name]; return r.PostFormValue(name), ok },
		Material: r.URL.Query().Get("material")}
	in.FileID, _ = strconv.ParseInt(r.URL.Query().Get("file"), 10, 64)
	field := "photo"
	if in.Material != "" {
		field = "file-" + in.Material
	}
	in.File = files.file(field)
	res, err := s.cases.SaveStep(r.Context(), s.actor(r), id, in)
	if err != nil {
		s.stepRefused(w, r, step, err)
		return
	}
	if len(res.Problems) == 0 && in.Action != "save" && res.Notice == "" {
		http.Redirect(w, r, fmt.Sprintf("/applications/%d/edit/%s", id, res.Next), http.StatusSeeOther)
		return
	}
	p, err := s.newWizardPage(r, res.App, &res.Form, step)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	p.Notice = res.Notice
	status := http.StatusOK
	for _, e := range res.Problems {
		p.Errors = append(p.Errors, fieldError{e.Field, e.Label, e.Message})
		status = http.StatusUnprocessableEntity
		if e.Code == casework.Conflict {
			status = http.StatusConflict
		}
	}
	s.renderStatus(w, r, status, "wizard", p)
}

// stepRefused shows the step again, as saved, with why the post was
// refused at its field: an upload over the size limit stays on its step.
func (s *Server) stepRefused(w http.ResponseWriter, r *http.Request, step string, err error) {
	code := statusOf(err)
	switch {
	case errors.Is(err, errTooLarge), errors.Is(err, errFieldsTooLong):
		code = http.StatusRequestEntityTooLarge
	case errors.Is(err, errMalformed):
		code = http.StatusBadRequest
	case code == http.StatusNotFound:
		s.notFound(w, r)
		return
	case code == http.StatusInternalServerError:
		s.serverError(w, r, err)
		return
	}
	a, f, ok := s.ownApplication(w, r)
	if !ok {
		return
	}
	if !application.Status(a.Status).EditableByApplicant() {
		s.renderStatus(w, r, code, "error", &errorPage{Title: "申请不能修改", Message: casework.ErrorMessage(err)})
		return
	}
	p, perr := s.newWizardPage(r, a, f, step)
	if perr != nil {
		s.serverError(w, r, perr)
		return
	}
	field := "photo"
	if m := r.URL.Query().Get("material"); m != "" {
		field = "material-" + m
	}
	msg := casework.ErrorMessage(err)
	if errors.Is(err, errTooLarge) || errors.Is(err, errFieldsTooLong) || errors.Is(err, errMalformed) {
		msg = err.Error()
	} else if len(casework.FieldErrors(err)) > 0 && casework.FieldErrors(err)[0].Field != "" {
		field = casework.FieldErrors(err)[0].Field
	}
	p.Errors = []fieldError{{field, "申请", msg}}
	s.renderStatus(w, r, code, "wizard", p)
}
