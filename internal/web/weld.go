package web

import (
	"net/http"
	"strconv"
	"strings"

	"opcert/internal/casework"
	"opcert/internal/catalog"
	"opcert/internal/weldexam"
)

// The 焊工考试报名 pages of the exam system (seed 000 四: www.tzsbks.sh.cn),
// used without an account: the entry page (单个报名, 报名类型, 身份证号, 报名 and
// 修改), the 考试申请表 or 复审申请表 with rows added and removed by + / −,
// the confirmation before 保存并上报, and the registrant's own registration
// once an SMS code to the phone given proved it theirs.
func (s *Server) weldRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /weld", s.weldEntry)
	mux.HandleFunc("POST /weld", s.weldEntryPost)
	mux.HandleFunc("POST /weld/code", s.weldCode)
	mux.Handle("POST /weld/form", takesFile(s.weldFormPost))
	mux.HandleFunc("GET /weld/photo", s.weldPhoto)
	mux.HandleFunc("GET /weld/mine", s.weldMine)
	mux.HandleFunc("GET /weld/mine/edit", s.weldMineEdit)
	mux.HandleFunc("GET /weld/mine/form.pdf", s.weldMinePDF)
	mux.HandleFunc("GET /weld/mine/ticket.pdf", s.weldMineTicket)
	s.weldExamRoutes(mux)
}

// weldCookie carries the token that opens a registration to its
// registrant (casework.OpenWeld), for casework.WeldAccessTTL.
const weldCookie = "weld_access"

type weldEntryPage struct {
	chrome
	Form    *form
	Success string // 焊考考证报名成功! after 保存并上报
	Opened  bool   // the registrant's registration is open to this browser
}

func (s *Server) weldEntry(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, "weld_entry", &weldEntryPage{Form: &form{Values: map[string]string{"kind": "new"}}})
}

// weldEntryPost is 报名 (the empty form, a 复审 prefilled from the registry)
// or 修改 (an SMS code to the phone of the registration).
func (s *Server) weldEntryPost(w http.ResponseWriter, r *http.Request) {
	f := newForm(r, "kind", "id_number", "action")
	page := &weldEntryPage{Form: f}
	if f.Get("action") == "modify" {
		masked, err := s.cases.SendWeldCode(r.Context(), f.Get("kind"), f.Get("id_number"), s.clientIP(r))
		if err != nil {
			s.failForm(w, r, f, err, "weld_entry", page)
			return
		}
		s.render(w, r, "weld_code", &weldCodePage{Form: &form{Values: map[string]string{"kind": f.Get("kind"), "id_number": f.Get("id_number")}}, Masked: masked})
		return
	}
	reg, prefilled, err := s.cases.WeldStart(r.Context(), f.Get("kind"), f.Get("id_number"))
	if err != nil {
		s.failForm(w, r, f, err, "weld_entry", page)
		return
	}
	p, err := s.newWeldFormPage(r, reg, "new")
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if prefilled {
		p.Notice = "已根据证书登记信息带入原证书信息，请核对并补全。"
	}
	s.render(w, r, "weld_form", p)
}

type weldCodePage struct {
	chrome
	Form   *form
	Masked string
}

// weldCode checks the SMS code of 修改, or sends another.
func (s *Server) weldCode(w http.ResponseWriter, r *http.Request) {
	f := newForm(r, "kind", "id_number", "code", "action")
	page := &weldCodePage{Form: f}
	if f.Get("action") == "resend" {
		masked, err := s.cases.SendWeldCode(r.Context(), f.Get("kind"), f.Get("id_number"), s.clientIP(r))
		page.Masked = masked
		if err != nil {
			s.failForm(w, r, f, err, "weld_code", page)
			return
		}
		f.Notice = "验证码已重新发送。"
		s.render(w, r, "weld_code", page)
		return
	}
	token, err := s.cases.OpenWeld(r.Context(), f.Get("kind"), f.Get("id_number"), f.Get("code"), s.clientIP(r))
	if err != nil {
		f.Values["code"] = ""
		s.failForm(w, r, f, err, "weld_code", page)
		return
	}
	s.setWeldCookie(w, r, token)
	http.Redirect(w, r, "/weld/mine", http.StatusSeeOther)
}

func (s *Server) setWeldCookie(w http.ResponseWriter, r *http.Request, token string) {
	http.SetCookie(w, &http.Cookie{Name: weldCookie, Value: token, Path: "/weld", HttpOnly: true, Secure: s.secureFor(r),
		SameSite: http.SameSiteLaxMode, MaxAge: int(casework.WeldAccessTTL.Seconds())})
}

func weldToken(r *http.Request) string {
	if c, err := r.Cookie(weldCookie); err == nil {
		return c.Value
	}
	return ""
}

// weldFormPage is the 考试申请表 / 复审申请表 as typed so far.
type weldFormPage struct {
	chrome
	F         weldexam.Registration
	Mode      string // new: 报名; modify: 修改 of a stored registration
	Version   int
	Errors    []fieldError
	CaptchaID string
	Captcha   string // the answer typed, kept across + / − and uploads
	Notice    string
	Districts []catalog.District
	Hidden    [][2]string // the confirmation step carries the form in these

	Sexes, Natures, WorkTypes, UnitTypes, Educations, Materials, YesNo []string
}

func (p *weldFormPage) ErrorFor(field string) string { return fieldErrors(p.Errors).ErrorFor(field) }

// Has reports v among list (a checkbox ticked).
func (p *weldFormPage) Has(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// ItemRows are the 技能考试项目明细 rows shown: at least one.
func (p *weldFormPage) ItemRows() []string {
	if len(p.F.Items) == 0 {
		return []string{""}
	}
	return p.F.Items
}

// WorkRows are the 工作经历 rows shown: at least one.
func (p *weldFormPage) WorkRows() []weldexam.WorkRow {
	if len(p.F.Work) == 0 {
		return []weldexam.WorkRow{{}}
	}
	return p.F.Work
}

// DistrictName is the district of the 地区代码 chosen.
func (p *weldFormPage) DistrictName() string {
	for _, d := range p.Districts {
		if d.Code == p.F.District {
			return d.Name
		}
	}
	return p.F.District
}

func (p *weldFormPage) Renewal() bool { return p.F.Kind == weldexam.Renew }

func (s *Server) newWeldFormPage(r *http.Request, f weldexam.Registration, mode string) (*weldFormPage, error) {
	p := &weldFormPage{F: f, Mode: mode, Districts: s.catalog.Districts(), Sexes: weldexam.Sexes, Natures: weldexam.Natures, WorkTypes: weldexam.WorkTypes,
		UnitTypes: weldexam.UnitTypes, Educations: weldexam.Educations, Materials: weldexam.Materials, YesNo: weldexam.YesNo}
	if mode == "new" {
		id, err := s.cases.NewCaptcha(r.Context())
		if err != nil {
			return nil, err
		}
		p.CaptchaID = id
	}
	return p, nil
}

// weldPosted reads the form as posted; rows keep their order.
func weldPosted(r *http.Request) weldexam.Registration {
	v := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	f := weldexam.Registration{Kind: weldexam.Kind(v("kind")), Name: v("name"), Sex: v("sex"), Nature: v("nature"), Address: v("address"),
		Education: v("education"), Postcode: v("postcode"), IDNumber: v("id_number"), Mobile: v("mobile"), PhotoKey: v("photo_key"),
		WorkType: v("work_type"), WeldingYears: v("welding_years"), Items: r.PostForm["item"], Employer: v("employer"), CreditCode: v("credit_code"),
		UnitTypes: r.PostForm["unit_types"], District: v("district"), EmployerAddress: v("employer_address"), Contact: v("contact"),
		ContactPhone: v("contact_phone"), Entrust: v("entrust"), Training: v("training"), Materials: r.PostForm["materials"],
		Issuer: v("issuer"), IssuerAddress: v("issuer_address"), CertificateNumber: v("certificate_number"), FirstIssued: v("first_issued"),
		Accepted: v("accepted"), Trained: v("trained"), ValidUntil: v("valid_until")}
	periods, employers, works := r.PostForm["work_period"], r.PostForm["work_employer"], r.PostForm["work_work"]
	for i := range periods {
		row := weldexam.WorkRow{Period: periods[i]}
		if i < len(employers) {
			row.Employer = employers[i]
		}
		if i < len(works) {
			row.Work = works[i]
		}
		f.Work = append(f.Work, row)
	}
	return f
}

// weldHidden is the form as hidden fields, for the confirmation step.
func weldHidden(f weldexam.Registration) [][2]string {
	out := [][2]string{{"kind", string(f.Kind)}, {"name", f.Name}, {"sex", f.Sex}, {"nature", f.Nature}, {"address", f.Address},
		{"education", f.Education}, {"postcode", f.Postcode}, {"id_number", f.IDNumber}, {"mobile", f.Mobile}, {"photo_key", f.PhotoKey},
		{"work_type", f.WorkType}, {"welding_years", f.WeldingYears}, {"employer", f.Employer}, {"credit_code", f.CreditCode},
		{"district", f.District}, {"employer_address", f.EmployerAddress}, {"contact", f.Contact}, {"contact_phone", f.ContactPhone},
		{"entrust", f.Entrust}, {"training", f.Training}, {"issuer", f.Issuer}, {"issuer_address", f.IssuerAddress},
		{"certificate_number", f.CertificateNumber}, {"first_issued", f.FirstIssued}, {"accepted", f.Accepted}, {"trained", f.Trained},
		{"valid_until", f.ValidUntil}}
	for _, x := range f.Items {
		out = append(out, [2]string{"item", x})
	}
	for _, x := range f.UnitTypes {
		out = append(out, [2]string{"unit_types", x})
	}
	for _, x := range f.Materials {
		out = append(out, [2]string{"materials", x})
	}
	for _, x := range f.Work {
		out = append(out, [2]string{"work_period", x.Period}, [2]string{"work_employer", x.Employer}, [2]string{"work_work", x.Work})
	}
	return out
}

// weldFormPost does the form's buttons: + / − of a row, 上传照片, 同步单位信息,
// 刷新验证码, 保存并上报 (to the confirmation), 返回修改 and 确认. Whatever
// the button, what was typed comes back.
func (s *Server) weldFormPost(w http.ResponseWriter, r *http.Request) {
	files, err := s.parseStepForm(r)
	defer files.Close()
	if err != nil {
		s.renderStatus(w, r, http.StatusBadRequest, "error", &errorPage{Title: "无法读取提交的报名表", Message: err.Error()})
		return
	}
	f := weldPosted(r)
	mode := r.PostFormValue("mode")
	if mode != "modify" {
		mode = "new"
	}
	version, _ := strconv.Atoi(r.PostFormValue("version"))
	p := &weldFormPage{F: f, Mode: mode, Version: version, Districts: s.catalog.Districts(), Sexes: weldexam.Sexes, Natures: weldexam.Natures,
		WorkTypes: weldexam.WorkTypes, UnitTypes: weldexam.UnitTypes, Educations: weldexam.Educations, Materials: weldexam.Materials, YesNo: weldexam.YesNo,
		CaptchaID: r.PostFormValue("captcha_id"), Captcha: strings.TrimSpace(r.PostFormValue("captcha"))}
	if mode == "modify" {
		// The 报名类型 and 身份证 are the registration's own.
		own, err := s.cases.OwnWeld(r.Context(), weldToken(r))
		if err != nil {
			s.fail(w, r, err)
			return
		}
		p.F.Kind, p.F.IDNumber = own.Form.Kind, own.Form.IDNumber
	}
	if file := files.file("photo"); file != nil {
		key, err := s.cases.SaveWeldPhoto(r.Context(), *file)
		if err != nil && statusOf(err) != http.StatusUnprocessableEntity {
			s.serverError(w, r, err)
			return
		}
		if err != nil {
			p.Errors = append(p.Errors, fieldErrorsOf(err, nil)...)
		} else {
			p.F.PhotoKey = key
		}
	}
	action, arg, _ := strings.Cut(r.PostFormValue("action"), ":")
	row, _ := strconv.Atoi(arg)
	status := http.StatusOK
	switch action {
	case "add_item":
		if len(p.F.Items) < weldexam.MaxItems {
			p.F.Items = append(p.ItemRows(), "")
		}
	case "remove_item":
		if row >= 0 && row < len(p.F.Items) {
			p.F.Items = append(p.F.Items[:row:row], p.F.Items[row+1:]...)
		}
	case "add_work":
		if len(p.F.Work) < weldexam.MaxWork {
			p.F.Work = append(p.WorkRows(), weldexam.WorkRow{})
		}
	case "remove_work":
		if row >= 0 && row < len(p.F.Work) {
			p.F.Work = append(p.F.Work[:row:row], p.F.Work[row+1:]...)
		}
	case "refresh_captcha":
		p.CaptchaID, p.Captcha = "", ""
	case "sync_employer":
		if err := s.cases.SyncWeldEmployer(r.Context(), &p.F); err != nil {
			p.Errors, status = append(p.Errors, fieldErrorsOf(err, nil)...), http.StatusUnprocessableEntity
		} else {
			p.Notice = "已同步单位信息：单位名称、统一社会信用代码、单位地址和地区代码按企业登记信息带入。"
		}
	case "submit":
		clean, err := s.cases.CheckWelder(r.Context(), p.F)
		if err != nil && statusOf(err) != http.StatusUnprocessableEntity {
			s.serverError(w, r, err)
			return
		}
		p.Errors = append(p.Errors, fieldErrorsOf(err, weldexam.Labels)...)
		if mode == "new" && p.Captcha == "" {
			p.Errors = append(p.Errors, fieldError{Field: "captcha", Label: "验证码", Message: "请输入验证码!"})
		}
		if len(p.Errors) == 0 {
			p.F = clean
			p.Hidden = weldHidden(clean)
			s.render(w, r, "weld_confirm", p)
			return
		}
		status = http.StatusUnprocessableEntity
	case "confirm":
		if s.weldConfirm(w, r, p) {
			return
		}
		status = http.StatusUnprocessableEntity
	}
	if len(p.Errors) > 0 && status == http.StatusOK {
		status = http.StatusUnprocessableEntity
	}
	if mode == "new" && p.CaptchaID == "" {
		id, err := s.cases.NewCaptcha(r.Context())
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		p.CaptchaID = id
	}
	s.renderStatus(w, r, status, "weld_form", p)
}

// weldConfirm stores the confirmed form: the registration (through the
// captcha), or the registrant's 修改. It reports whether it answered;
// otherwise p carries the refusals for the form.
func (s *Server) weldConfirm(w http.ResponseWriter, r *http.Request, p *weldFormPage) bool {
	var err error
	var token string
	if p.Mode == "modify" {
		_, err = s.cases.ModifyWelder(r.Context(), weldToken(r), p.Version, p.F, s.clientIP(r))
	} else {
		_, token, err = s.cases.RegisterWelder(r.Context(), casework.WeldSubmission{Form: p.F, CaptchaID: p.CaptchaID, CaptchaAnswer: p.Captcha, Client: s.clientIP(r)})
	}
	if err != nil {
		if statusOf(err) == http.StatusInternalServerError {
			s.serverError(w, r, err)
			return true
		}
		if fe := fieldErrorsOf(err, weldexam.Labels); len(fe) > 0 {
			p.Errors = append(p.Errors, fe...)
		} else {
			p.Errors = append(p.Errors, fieldError{Message: casework.ErrorMessage(err)})
		}
		// The captcha was answered (or refused): the next try needs a new one.
		p.CaptchaID, p.Captcha = casework.ChallengeOf(err), ""
		return false
	}
	page := &weldEntryPage{Form: &form{Values: map[string]string{"kind": string(p.F.Kind), "id_number": p.F.IDNumber}}, Opened: true}
	if p.Mode == "modify" {
		page.Success = "报名信息修改成功!"
	} else {
		page.Success = "焊考考证报名成功!"
		s.setWeldCookie(w, r, token)
	}
	s.render(w, r, "weld_entry", page)
	return true
}

// weldPhoto shows a photo uploaded on the form, by the key the form holds.
func (s *Server) weldPhoto(w http.ResponseWriter, r *http.Request) {
	b, err := s.cases.WeldPhoto(r.Context(), r.URL.Query().Get("k"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", http.DetectContentType(b))
	w.Header().Set("Cache-Control", "private, no-store")
	w.Write(b)
}

type weldMinePage struct {
	chrome
	W        casework.Welder
	Progress casework.WeldProgress
	weldFormPage
}

// weldMine shows the registrant's registration, with 修改 until exam staff
// lock it.
func (s *Server) weldMine(w http.ResponseWriter, r *http.Request) {
	own, err := s.cases.OwnWeld(r.Context(), weldToken(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	progress, err := s.cases.WeldProgressOf(r.Context(), own)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	p := &weldMinePage{W: own, Progress: progress}
	p.weldFormPage = weldFormPage{F: own.Form, Districts: s.catalog.Districts()}
	s.render(w, r, "weld_mine", p)
}

func (s *Server) weldMineEdit(w http.ResponseWriter, r *http.Request) {
	own, err := s.cases.OwnWeld(r.Context(), weldToken(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if own.Locked() {
		s.fail(w, r, casework.Errorf(casework.Conflict, "考试机构已锁定该报名，不能再修改；如需更正请联系考试机构"))
		return
	}
	p, err := s.newWeldFormPage(r, own.Form, "modify")
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	p.Version = own.Version
	s.render(w, r, "weld_form", p)
}

func (s *Server) weldMinePDF(w http.ResponseWriter, r *http.Request) {
	own, err := s.cases.OwnWeld(r.Context(), weldToken(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	pdf, err := s.cases.WeldFormPDF(r.Context(), own)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	sendPDF(w, "考试机构报名表.pdf", pdf)
}

// weldMineTicket is the registrant's 准考证, once seated.
func (s *Server) weldMineTicket(w http.ResponseWriter, r *http.Request) {
	own, err := s.cases.OwnWeld(r.Context(), weldToken(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	pdf, err := s.cases.WeldTicketPDF(r.Context(), own, func(path string) string { return s.absoluteURL(r, path) })
	if err != nil {
		s.fail(w, r, err)
		return
	}
	sendPDF(w, "准考证.pdf", pdf)
}

// sendPDF answers with a PDF to open in the browser.
func sendPDF(w http.ResponseWriter, name string, pdf []byte) {
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", mimeAttachment(name, "application/pdf"))
	w.Header().Set("Cache-Control", "private, no-store")
	w.Write(pdf)
}

// weldInput is one text field of the form with its error.
type weldInput struct {
	Name, Label, Value, Error, Hint string
}

// Text is the text field name of the form, labelled as the seed labels it.
func (p *weldFormPage) Text(name, label, value, hint string) weldInput {
	return weldInput{Name: name, Label: label, Value: value, Error: p.ErrorFor(name), Hint: hint}
}
