package application

import "strings"

// Form is everything an applicant enters, kept as one document from the
// first 暂存 to the decision: the wizard's three steps (seed 000 3.1–3.3:
// 自我承诺 → 基本信息 → 申请材料) fill it in turn.
type Form struct {
	Matter   Matter `json:"matter"`
	Incident string `json:"incident"` // 持证期间是否发生过违章作业行为和责任事故: "no" 未发生过, "yes" 发生过, "" unanswered
	// WorkInterrupted answers InterruptionQuestion for 复审: "no" 未超过1年,
	// "yes" 超过1年, "" unanswered.
	WorkInterrupted string     `json:"work_interrupted,omitempty"`
	Items           []FormItem `json:"items"`
	Manual          *Manual    `json:"manual,omitempty"` // 手工录入 certificate from outside Shanghai
	Applicant       Person     `json:"applicant"`
	Employer        Employer   `json:"employer"`
	Routing         Choice     `json:"routing"`
	PhotoKey        string     `json:"photo_key,omitempty"` // blob key of the 2-inch photo
	// ElectronicID: the 身份证信息 material is the 电子身份证 fetched from the
	// e-licence service instead of a scan (seed 000 3.3, 上海户籍 only).
	ElectronicID bool        `json:"electronic_id,omitempty"`
	Correction   *Correction `json:"correction,omitempty"`
	// Custom are the materials the applicant added with "+" (seed 000 3.3 第6点).
	Custom []string `json:"custom_materials,omitempty"`
	// ExamInstitution is the exam institution chosen for 安全阀校验 and 客运索道
	// items, which the applicant then contacts (seed 000 2.1 注3).
	ExamInstitution string `json:"exam_institution,omitempty"`
	// AskedBefore are the targets of earlier 补正 rounds. 补正 is told once
	// and completely (一次性告知); asking later about anything else needs a
	// written justification.
	AskedBefore []string `json:"asked_before,omitempty"`
}

// NewCorrectionTargets lists the targets of c that no earlier round asked
// about: asking them now needs a written justification.
func (f *Form) NewCorrectionTargets(c *Correction) []CorrectionItem {
	if len(f.AskedBefore) == 0 {
		return nil
	}
	before := map[string]bool{}
	for _, t := range f.AskedBefore {
		before[t] = true
	}
	var out []CorrectionItem
	for _, it := range c.Items {
		if !before[it.Target] {
			out = append(out, it)
		}
	}
	return out
}

// FormItem is one item applied for. For 复审 it names the registry line
// renewed (From) and the item it becomes (Target, chosen by the applicant
// where the 换发对应表 offers a choice); for 新办 and 增项 only Target.
type FormItem struct {
	RegistryItemID int64    `json:"registry_item_id,omitempty"`
	From           string   `json:"from,omitempty"`   // catalog.ItemRef of the renewed line, e.g. 2011:Q8
	Target         string   `json:"target"`           // catalog.Qualification, e.g. Q2(限流动式起重机)
	Extras         []string `json:"extras,omitempty"` // optional extra items (S2 限电气维修, Y4)
	WeldCode       string   `json:"weld_code,omitempty"`
	ExamResultID   int64    `json:"exam_result_id,omitempty"`
	ValidUntil     string   `json:"valid_until,omitempty"` // of the renewed line, for the form and the review page
	IssuedBy       string   `json:"issued_by,omitempty"`
}

// Key names the item among the applicant's items under way: its 2019 item,
// or for a 补证 of an old line, that line's old item ("2011:Q8").
func (fi FormItem) Key() string {
	if fi.Target != "" {
		return fi.Target
	}
	return fi.From
}

// Manual is an out-of-town certificate typed in by the applicant (seed 000
// 复审项目选择 2, 手工录入).
type Manual struct {
	Name       string       `json:"name"`
	CertNumber string       `json:"cert_number"` // 证件编号
	IDType     string       `json:"id_type"`
	IDNumber   string       `json:"id_number"`
	IssuedBy   string       `json:"issued_by"`
	IssuedOn   string       `json:"issued_on"`
	Items      []ManualItem `json:"items"`
}

// ManualItem is one line of a typed-in certificate.
type ManualItem struct {
	Ref        string `json:"ref"` // catalog.ItemRef, old or new edition
	WeldCode   string `json:"weld_code,omitempty"`
	Name       string `json:"name"`
	Category   string `json:"category"`
	ValidFrom  string `json:"valid_from"`
	ValidUntil string `json:"valid_until"`
	// Renew is the seed's 选择复审: the certificate is entered whole, and
	// only the lines ticked are renewed (seed 000 3.2, 基本信息 table).
	Renew bool `json:"renew"`
	// ExamResultID cites the passed exam a welding line needs before 复审
	// (seed 000 关于复审 第3点).
	ExamResultID int64 `json:"exam_result_id,omitempty"`
}

// Person is the applicant's personal section of 基本信息 (seed 000 3.2).
type Person struct {
	Name              string `json:"name"`
	IDType            string `json:"id_type"`
	IDNumber          string `json:"id_number"`
	Sex               string `json:"sex"`
	BirthDate         string `json:"birth_date"`
	Education         string `json:"education"`
	Title             string `json:"title"`
	School            string `json:"school"`
	Major             string `json:"major"`
	HouseholdDistrict string `json:"household_district"` // 6-digit code; "" outside Shanghai
	HouseholdAddress  string `json:"household_address"`
	Postcode          string `json:"postcode"`
	Mobile            string `json:"mobile"`
	WorkHistory       string `json:"work_history"`
}

// Employer is 您所在的单位信息 (seed 000 3.2); 同步单位信息 fills the credit code
// and the registered address from the enterprise registry.
type Employer struct {
	Name          string `json:"name"`
	CreditCode    string `json:"credit_code"`
	District      string `json:"district"` // district code of the registered address
	Address       string `json:"address"`  // registered address (注册地址)
	AddressDetail string `json:"address_detail"`
	Synced        bool   `json:"synced"`
	// OutsideShanghai: an employer the Shanghai enterprise registry does not
	// hold, typed in by the applicant (name, credit code, Address) instead
	// of synchronised.
	OutsideShanghai bool `json:"outside_shanghai,omitempty"`
	// ShareWithUnit: the applicant agrees that this 单位, once it has a 单位
	// account under the same 统一社会信用代码, sees their certificate items
	// and 有效期至 (a 使用单位 must make sure its operators hold valid
	// certificates). Asked, never assumed: without it the 单位 sees nothing.
	ShareWithUnit bool `json:"share_with_unit,omitempty"`
}

// SharedUnit is the credit code of the 单位 the applicant named as employer
// and agreed may follow their items, "" when they did not agree.
func (e Employer) SharedUnit() string {
	if !e.ShareWithUnit {
		return ""
	}
	return e.CreditCode
}

// Choice is how the 受理机构 was settled.
type Choice struct {
	SpecialCase string `json:"special_case,omitempty"`
	Chosen      string `json:"chosen,omitempty"`
	Code        string `json:"code"`
}

// Correction is an officer's 补正 request as the applicant meets it: the
// fields and materials to correct, each with its reason, and the deadline.
type Correction struct {
	Items    []CorrectionItem `json:"items"`
	Deadline string           `json:"deadline"`
	// DeadlineNote is the 暂定 sentence the notice carried when the
	// deadline reached a year without its notice (workday.Deadline.Note).
	DeadlineNote string `json:"deadline_note,omitempty"`
	Notice       string `json:"notice"` // number of the 补正告知书
}

// CorrectionItem names one field (field:<name>) or material (material:<key>).
type CorrectionItem struct {
	Target string `json:"target"`
	Label  string `json:"label"`
	Reason string `json:"reason"`
}

// Asks reports whether the correction asks about the target.
func (c *Correction) Asks(target string) (string, bool) {
	if c == nil {
		return "", false
	}
	for _, it := range c.Items {
		if it.Target == target || strings.HasPrefix(target, it.Target+":") {
			return it.Reason, true
		}
	}
	return "", false
}

// Targets lists what is to be corrected.
func (c *Correction) Targets() []string {
	if c == nil {
		return nil
	}
	var out []string
	for _, it := range c.Items {
		out = append(out, it.Target)
	}
	return out
}

// RenewedLines are the registry lines a 复审 form asks to renew; other
// matters renew none. While such an application is under way its holder
// is not reminded to apply for those lines (SendReminders): they have.
func (f Form) RenewedLines() []int64 {
	if f.Matter != MatterRenew {
		return nil
	}
	var out []int64
	for _, it := range f.Items {
		if it.RegistryItemID != 0 {
			out = append(out, it.RegistryItemID)
		}
	}
	return out
}
