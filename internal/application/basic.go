package application

import (
	"strings"

	"opcert/internal/catalog"
	"opcert/internal/idcheck"
)

// Values are a step's posted fields: the value and whether it was sent at
// all (a disabled field is not, and keeps what was saved).
type Values func(name string) (string, bool)

// Editable reports whether the applicant may change a target of the form:
// always on a draft; during 补正 only what the officer asked about
// (一次性告知: the notice lists everything to correct).
func (f *Form) Editable(target string, correcting bool) bool {
	if !correcting {
		return true
	}
	_, asked := f.Correction.Asks(target)
	return asked
}

// ReadCommitment takes the 自我承诺 step's answers.
func (f *Form) ReadCommitment(v Values, correcting bool) {
	if !f.Editable("field:incident", correcting) {
		return
	}
	f.Incident, _ = v("incident")
	f.WorkInterrupted, _ = v("work_interrupted")
}

// ReadBasic takes the 基本信息 step's fields into the form; while correcting,
// only those the officer asked about. A changed employer must be
// synchronised again, since its registered address comes from the
// enterprise registry (seed 000 3.2 注).
func (f *Form) ReadBasic(v Values, correcting bool) {
	set := func(target string, dst *string, name string) {
		if !f.Editable(target, correcting) {
			return
		}
		if s, present := v(name); present {
			*dst = strings.TrimSpace(s)
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
	oldName, oldCode, oldManual := e.Name, e.CreditCode, e.OutsideShanghai
	set("field:employer", &e.Name, "employer_name")
	set("field:employer", &e.CreditCode, "credit_code")
	e.CreditCode = strings.ToUpper(e.CreditCode)
	set("field:employer", &e.AddressDetail, "address_detail")
	if f.Editable("field:employer", correcting) {
		if _, present := v("employer_name"); present {
			outside, _ := v("employer_outside")
			e.OutsideShanghai = outside != ""
			share, _ := v("share_with_unit")
			e.ShareWithUnit = share != ""
		}
	}
	if e.OutsideShanghai {
		set("field:employer", &e.Address, "employer_address")
		e.Synced, e.District = false, ""
	} else if e.Name != oldName || e.CreditCode != oldCode || oldManual {
		e.Synced, e.Address, e.District = false, "", ""
	}
	set("field:routing", &f.Routing.SpecialCase, "special_case")
	set("field:routing", &f.Routing.Chosen, "chosen_authority")
	if f.Matter == MatterNew || f.Matter == MatterAdd {
		set("field:exam_institution", &f.ExamInstitution, "exam_institution")
	}
}

// checkEmployer is the employer part of 基本信息: one in Shanghai comes from
// the enterprise registry (同步单位信息, seed 000 3.2); one outside Shanghai,
// which that registry does not hold, is typed in whole — name, a valid
// 统一社会信用代码 (GB 32100) and the registered address.
func checkEmployer(e Employer) []Problem {
	var out []Problem
	fail := func(field, label, msg string) { out = append(out, Problem{Field: field, Label: label, Message: msg}) }
	switch {
	case e.Name == "" && e.OutsideShanghai:
		fail("employer_name", "单位名称", "请填写单位名称（须与营业执照一致）")
	case e.Name == "":
		fail("employer_name", "单位名称", "请填写单位名称（须与营业执照一致），并点击“同步单位信息”")
	case !e.Synced && !e.OutsideShanghai:
		fail("employer_name", "单位名称", "请点击“同步单位信息”，由系统带入统一社会信用代码和单位注册地址")
	}
	switch {
	case e.CreditCode == "" && e.OutsideShanghai:
		fail("credit_code", "统一社会信用代码", "请填写单位的统一社会信用代码")
	case e.CreditCode != "":
		if _, err := idcheck.CreditCode(e.CreditCode); err != nil {
			fail("credit_code", "统一社会信用代码", err.Error())
		}
	}
	if e.OutsideShanghai && strings.TrimSpace(e.Address) == "" {
		fail("employer_address", "单位注册地址", "请填写单位注册地址（须与营业执照一致）")
	}
	if e.AddressDetail == "" && !e.OutsideShanghai {
		fail("address_detail", "单位地址详细地址", "请填写单位地址详细地址（门牌号）")
	}
	return out
}

// Issuers are the 发证机关 of the certificate lines the form is about: the
// registry lines renewed or reissued, or the 手工录入 certificate's.
func (f *Form) Issuers() []string {
	var out []string
	if f.Manual != nil && f.Manual.IssuedBy != "" {
		out = append(out, f.Manual.IssuedBy)
	}
	for _, it := range f.Items {
		if it.IssuedBy != "" {
			out = append(out, it.IssuedBy)
		}
	}
	return out
}

// checkSpecialCase holds each of the seed's two special cases (seed 000 3.2)
// to the certificate it speaks of: 原证书由上海发证 needs a certificate issued
// in Shanghai, 原证书非上海发证 one issued elsewhere. Without an original
// certificate (新办) neither applies.
func checkSpecialCase(f *Form, cat *catalog.Catalog) *Problem {
	sc, _ := ParseSpecialCase(f.Routing.SpecialCase)
	if sc == SpecialNone {
		return nil
	}
	issuers := f.Issuers()
	if len(issuers) == 0 {
		return &Problem{Field: "special_case", Label: "受理机构", Message: "特殊情形针对已持有的原证书；您的申请没有原证书，请选择“不属于特殊情形”"}
	}
	for _, by := range issuers {
		here := IssuedInShanghai(cat, by)
		switch {
		case sc == IssuedHereLivesElsewhere && !here:
			return &Problem{Field: "special_case", Label: "受理机构", Message: "原证书发证机关为" + by + "，不是上海发证，不属于“" + LabelIssuedHereLivesElsewhere + "”的情形"}
		case sc == IssuedElsewhereWorksHere && here:
			return &Problem{Field: "special_case", Label: "受理机构", Message: "原证书发证机关为" + by + "，属于上海发证，不属于“" + LabelIssuedElsewhereWorksHere + "”的情形"}
		}
	}
	return nil
}
