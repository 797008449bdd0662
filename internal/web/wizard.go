package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"opcert/internal/application"
	"opcert/internal/catalog"
	"opcert/internal/civil"
	"opcert/internal/idcheck"
	"opcert/internal/store"
)

// The wizard's steps, in order (seed 000 3.1–3.3, and a 核对信息 page before
// 提交 as the GOV.UK pattern asks).
var steps = []struct{ Key, Label string }{
	{"commitment", "自我承诺"}, {"basic", "基本信息"}, {"materials", "申请材料"}, {"review", "核对信息"},
}

func stepIndex(key string) int {
	return slices.IndexFunc(steps, func(s struct{ Key, Label string }) bool { return s.Key == key })
}

// ownApplication loads an application of the logged-in applicant. Another
// person's application, or one that does not exist, is the same 404.
func (s *Server) ownApplication(w http.ResponseWriter, r *http.Request) (store.Application, *application.Form, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		s.notFound(w, r)
		return store.Application{}, nil, false
	}
	a, err := s.store.ApplicationOf(r.Context(), id, viewerFrom(r.Context()).User.ID)
	if errors.Is(err, store.ErrNotFound) {
		s.notFound(w, r)
		return a, nil, false
	}
	if err != nil {
		s.serverError(w, r, err)
		return a, nil, false
	}
	var f application.Form
	if err := json.Unmarshal(a.Data, &f); err != nil {
		s.serverError(w, r, fmt.Errorf("application %d: form: %w", a.ID, err))
		return a, nil, false
	}
	return a, &f, true
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
}

type stepLink struct {
	Key, Label string
	Current    bool
	Done       bool
}

type itemLine struct {
	From, FromName, Period, Target, TargetName, Extras, WeldCode string
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

// Educations offered (seed 001 第二部分 7: 学历请选择"初中"…).
var educations = []string{"初中", "高中", "中专", "大专", "本科", "硕士研究生", "博士研究生"}
var titles = []string{"未评定", "初级", "中级", "副高级", "正高级"}

func (s *Server) newWizardPage(r *http.Request, a store.Application, f *application.Form, step string) (*wizardPage, error) {
	st := application.Status(a.Status)
	p := &wizardPage{App: a, Form: f, Step: step, Status: st, Correcting: st == application.StatusCorrection,
		Districts: s.catalog.Districts(), Educations: educations, Titles: titles, SpecialCases: application.SpecialCases}
	reached := stepIndex(a.Step)
	for i, x := range steps {
		p.Steps = append(p.Steps, stepLink{Key: x.Key, Label: x.Label, Current: x.Key == step, Done: i < reached || p.Correcting})
	}
	if st == application.StatusDraft {
		p.Countdown = application.DraftCountdown(civil.Of(a.UpdatedAt), s.today(), s.policy)
	}
	for _, it := range f.Items {
		line := itemLine{Target: it.Target, WeldCode: it.WeldCode, Extras: strings.Join(it.Extras, "、")}
		if q, err := s.catalog.ParseQualification(it.Target); err == nil {
			line.TargetName = q.Name(s.catalog)
		}
		if it.From != "" {
			if ref, err := s.catalog.ParseItemRef(it.From); err == nil {
				code, name, _, _ := s.catalog.Describe(ref)
				line.From, line.FromName = code, name
				if old, ok := ref.Old(); ok && f.Matter == application.MatterRenew {
					if m, ok := s.catalog.Mapping(old); ok && m.Uncertain() {
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
	p.Routing = s.route(f)
	for _, q := range s.targets(f) {
		p.R3 = p.R3 || q.Code == "R3"
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

// targets are the 2019 items the application is for.
func (s *Server) targets(f *application.Form) []catalog.Qualification {
	var out []catalog.Qualification
	for _, it := range f.Items {
		for _, t := range append([]string{it.Target}, it.Extras...) {
			if q, err := s.catalog.ParseQualification(t); err == nil {
				out = append(out, q)
			}
		}
	}
	return out
}

// route matches the 受理机构 for the form as it stands (seed 000 3.2).
func (s *Server) route(f *application.Form) application.Routing {
	sc, _ := application.ParseSpecialCase(f.Routing.SpecialCase)
	return application.AcceptingAuthority(application.RoutingInput{Items: s.targets(f), EmployerDistrict: f.Employer.District,
		HouseholdDistrict: f.Applicant.HouseholdDistrict, SpecialCase: sc, Chosen: f.Routing.Chosen, Catalog: s.catalog})
}

func (s *Server) materialSpecs(f *application.Form) []application.MaterialSpec {
	specs := application.RequiredMaterials(f.Matter, s.targets(f), application.MaterialOptions{
		ManualEntry: f.Manual != nil, ShanghaiHousehold: f.Applicant.HouseholdDistrict != "" || strings.HasPrefix(f.Applicant.IDNumber, "31"),
		IncidentReported: application.ParseCommitment(f.Incident) == application.IncidentOccurred})
	for _, name := range f.Custom {
		if list, err := application.AddCustomMaterial(specs, name); err == nil {
			specs = list
		}
	}
	return specs
}

func (s *Server) materialLines(r *http.Request, a store.Application, f *application.Form, correcting bool) ([]materialLine, error) {
	files, err := s.store.Materials(r.Context(), a.ID)
	if err != nil {
		return nil, err
	}
	var out []materialLine
	for _, spec := range s.materialSpecs(f) {
		l := materialLine{Spec: spec, Editable: !correcting}
		for _, m := range files {
			if m.Material == spec.Key {
				l.Files = append(l.Files, m)
			}
		}
		if reason, ok := f.Correction.Asks("material:" + spec.Key); ok {
			l.Asked, l.Editable = reason, true
		}
		l.Satisfied = len(l.Files) > 0 || spec.Generated || (spec.Key == application.MaterialIDCard && f.ElectronicID)
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

// wizardPost saves what the step shows, whatever button was pressed, so
// nothing typed is lost; 下一步 then checks the step and moves on.
func (s *Server) wizardPost(w http.ResponseWriter, r *http.Request) {
	a, f, ok := s.ownApplication(w, r)
	if !ok {
		return
	}
	step := r.PathValue("step")
	if stepIndex(step) < 0 {
		s.notFound(w, r)
		return
	}
	st := application.Status(a.Status)
	if !st.EditableByApplicant() {
		s.renderStatus(w, r, http.StatusConflict, "error", &errorPage{Title: "申请不能修改",
			Message: "该申请已提交，只能查看，不能修改；受理机关要求补正时才能修改。"})
		return
	}
	if err := s.parseStepForm(r); err != nil {
		s.renderStatus(w, r, http.StatusRequestEntityTooLarge, "error", &errorPage{Title: "上传失败", Message: err.Error()})
		return
	}
	if v, _ := strconv.Atoi(r.PostFormValue("version")); v != a.Version {
		p, err := s.newWizardPage(r, a, f, step)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		p.Errors = append(p.Errors, fieldError{"version", "申请", store.ErrStale.Error()})
		s.renderStatus(w, r, http.StatusConflict, "wizard", p)
		return
	}
	correcting := st == application.StatusCorrection
	action := r.PostFormValue("action")
	var problems []fieldError
	notice := ""
	switch step {
	case "commitment":
		if !correcting || asked(f, "field:incident") {
			f.Incident = r.PostFormValue("incident")
			f.WorkInterrupted = r.PostFormValue("work_interrupted")
		}
		if action == "next" {
			for _, p := range application.CheckSelfDeclaration(f) {
				problems = append(problems, fieldError{p.Field, p.Label, p.Message})
			}
		}
	case "basic":
		s.readBasic(r, f, correcting)
		switch action {
		case "sync_employer":
			if msg := s.syncEmployer(r, f); msg != "" {
				problems = append(problems, fieldError{"employer_name", "单位名称", msg})
			} else {
				notice = "已同步单位信息：统一社会信用代码和单位注册地址已按企业登记信息填写。"
			}
		case "upload_photo":
			if msg, err := s.savePhoto(r, a, f); err != nil {
				s.serverError(w, r, err)
				return
			} else if msg != "" {
				problems = append(problems, fieldError{"photo", "照片", msg})
			} else {
				notice = "照片已上传。"
			}
		case "next":
			problems = s.checkBasic(f)
		}
	case "materials":
		switch action {
		case "upload":
			msg, err := s.saveMaterial(r, a, f)
			if err != nil {
				s.serverError(w, r, err)
				return
			}
			if msg != "" {
				problems = append(problems, fieldError{"material-" + r.PostFormValue("material"), "申请材料", msg})
			} else {
				notice = "文件已上传。"
			}
		case "delete":
			if msg, err := s.deleteMaterial(r, a, f); err != nil {
				s.serverError(w, r, err)
				return
			} else if msg != "" {
				problems = append(problems, fieldError{"materials", "申请材料", msg})
			} else {
				notice = "文件已删除。"
			}
		case "add_custom":
			name := strings.TrimSpace(r.PostFormValue("custom_name"))
			if _, err := application.AddCustomMaterial(s.materialSpecs(f), name); err != nil {
				problems = append(problems, fieldError{"custom_name", "材料名称", err.Error()})
			} else if correcting {
				problems = append(problems, fieldError{"custom_name", "材料名称", "补正时只能修改受理机关要求补正的材料"})
			} else {
				f.Custom = append(f.Custom, name)
				notice = "已添加材料“" + name + "”，请上传文件。"
			}
		case "electronic_id":
			if msg := s.fetchElectronicID(r, f); msg != "" {
				problems = append(problems, fieldError{"material-" + application.MaterialIDCard, "身份证信息", msg})
			} else {
				notice = "已获取电子身份证，无需再上传身份证扫描件。"
			}
		case "next":
			lines, err := s.materialLines(r, a, f, correcting)
			if err != nil {
				s.serverError(w, r, err)
				return
			}
			for _, l := range lines {
				if l.Spec.Required && !l.Satisfied {
					problems = append(problems, fieldError{"material-" + l.Spec.Key, l.Spec.Name, "请上传" + l.Spec.Name})
				}
			}
		}
	}
	next := step
	switch action {
	case "next":
		if len(problems) == 0 && stepIndex(step)+1 < len(steps) {
			next = steps[stepIndex(step)+1].Key
		}
	case "prev":
		if i := stepIndex(step); i > 0 {
			next = steps[i-1].Key
		}
	}
	a.Data, _ = jsonMarshal(f)
	if stepIndex(next) > stepIndex(a.Step) {
		a.Step = next
	}
	a.AuthorityCode = s.route(f).Code
	if st == application.StatusDraft {
		a.DraftExpiresOn = application.DraftExpiry(s.today(), s.policy)
	}
	saved, err := s.store.SaveDraft(r.Context(), a, []string{string(application.StatusDraft), string(application.StatusCorrection)})
	if errors.Is(err, store.ErrStale) {
		problems = append(problems, fieldError{"version", "申请", err.Error()})
	} else if err != nil {
		s.serverError(w, r, err)
		return
	}
	if len(problems) > 0 || action == "save" || notice != "" {
		p, err := s.newWizardPage(r, saved, f, step)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		p.Errors, p.Notice = problems, notice
		if action == "save" && len(problems) == 0 {
			p.Notice = fmt.Sprintf("已暂存。暂存的申请保留15天（至 %s），请及时提交。", application.DraftExpiry(s.today(), s.policy).Chinese())
			if correcting {
				p.Notice = "已保存。请在补正期限前提交。"
			}
		}
		status := http.StatusOK
		if len(problems) > 0 {
			status = http.StatusUnprocessableEntity
		}
		s.renderStatus(w, r, status, "wizard", p)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/applications/%d/edit/%s", a.ID, next), http.StatusSeeOther)
}

func asked(f *application.Form, target string) bool {
	_, ok := f.Correction.Asks(target)
	return ok
}

// readBasic copies the 基本信息 fields from the request into the form; while
// correcting, only the fields the officer asked about.
func (s *Server) readBasic(r *http.Request, f *application.Form, correcting bool) {
	set := func(target string, dst *string, name string) {
		if correcting && !asked(f, target) {
			return
		}
		if _, present := r.PostForm[name]; present {
			*dst = strings.TrimSpace(r.PostFormValue(name))
		}
	}
	p, e := &f.Applicant, &f.Employer
	set("field:education", &p.Education, "education")
	set("field:title", &p.Title, "title")
	set("field:school", &p.School, "school")
	set("field:major", &p.Major, "major")
	set("field:household", &p.HouseholdDistrict, "household_district")
	set("field:household", &p.HouseholdAddress, "household_address")
	set("field:postcode", &p.Postcode, "postcode")
	set("field:mobile", &p.Mobile, "mobile")
	set("field:work_history", &p.WorkHistory, "work_history")
	oldName, oldCode := e.Name, e.CreditCode
	set("field:employer", &e.Name, "employer_name")
	set("field:employer", &e.CreditCode, "credit_code")
	e.CreditCode = strings.ToUpper(e.CreditCode)
	set("field:employer", &e.AddressDetail, "address_detail")
	if e.Name != oldName || e.CreditCode != oldCode {
		// A changed employer must be synchronised again: the registered
		// address and district come only from the enterprise registry.
		e.Synced, e.Address, e.District = false, "", ""
	}
	set("field:routing", &f.Routing.SpecialCase, "special_case")
	set("field:routing", &f.Routing.Chosen, "chosen_authority")
}

// syncEmployer is 同步单位信息 (seed 000 3.2): the credit code and the
// registered address come from the enterprise registry, found by name or code.
func (s *Server) syncEmployer(r *http.Request, f *application.Form) string {
	e := &f.Employer
	dir := s.store.Enterprises()
	var found bool
	if e.CreditCode != "" {
		code, err := idcheck.CreditCode(e.CreditCode)
		if err != nil {
			return err.Error()
		}
		if x, err := dir.ByCreditCode(r.Context(), code); err == nil {
			e.Name, e.CreditCode, e.Address, e.District, found = x.Name, x.CreditCode, x.Address, x.DistrictCode, true
		}
	}
	if !found && e.Name != "" {
		if x, err := dir.ByName(r.Context(), e.Name); err == nil {
			e.Name, e.CreditCode, e.Address, e.District, found = x.Name, x.CreditCode, x.Address, x.DistrictCode, true
		}
	}
	if !found {
		if e.Name == "" && e.CreditCode == "" {
			return "请先填写单位名称或统一社会信用代码，再点击“同步单位信息”"
		}
		return "企业登记信息中未找到该单位，请核对单位名称（须与营业执照一致）或统一社会信用代码"
	}
	e.Synced = true
	return ""
}

// checkBasic applies the rules of the 基本信息 step.
func (s *Server) checkBasic(f *application.Form) []fieldError {
	var out []fieldError
	fail := func(field, label, msg string) { out = append(out, fieldError{field, label, msg}) }
	p := f.Applicant
	if birth, err := civil.Parse(p.BirthDate); err == nil {
		if pr := application.CheckAge(f.Matter, birth, s.today(), s.policy); pr != nil {
			fail("birth_date", "出生日期", pr.Message)
		}
	}
	if f.PhotoKey == "" {
		fail("photo", "照片", "请上传近期2寸免冠白底彩色照片")
	}
	if !slices.Contains(educations, p.Education) {
		fail("education", "学历", "请选择学历")
	}
	if p.Title != "" && !slices.Contains(titles, p.Title) {
		fail("title", "技术职称", "请选择技术职称")
	}
	if _, err := idcheck.Mobile(p.Mobile); err != nil {
		fail("mobile", "移动电话", err.Error())
	}
	if p.Postcode != "" {
		if _, err := idcheck.Postcode(p.Postcode); err != nil {
			fail("postcode", "邮政编码", err.Error())
		}
	}
	if p.HouseholdDistrict != "" {
		if _, ok := s.catalog.District(p.HouseholdDistrict); !ok {
			fail("household_district", "户籍地址/居住证地址", "请选择户籍或居住证地址所在区")
		}
	}
	e := f.Employer
	if e.Name == "" {
		fail("employer_name", "单位名称", "请填写单位名称（须与营业执照一致），并点击“同步单位信息”")
	} else if !e.Synced {
		fail("employer_name", "单位名称", "请点击“同步单位信息”，由系统带入统一社会信用代码和单位注册地址")
	}
	if e.CreditCode != "" {
		if _, err := idcheck.CreditCode(e.CreditCode); err != nil {
			fail("credit_code", "统一社会信用代码", err.Error())
		}
	}
	if e.AddressDetail == "" {
		fail("address_detail", "单位地址详细地址", "请填写单位地址详细地址（门牌号）")
	}
	if rt := s.route(f); rt.Code == "" {
		msg := "无法确定受理机构"
		if len(rt.Problems) > 0 {
			msg = rt.Problems[0].Message
		}
		fail("routing", "受理机构", msg)
	}
	return out
}

func jsonMarshal(f *application.Form) ([]byte, error) { return json.Marshal(f) }
