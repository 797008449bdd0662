// Package weldexam is the welder exam registration (焊工报名) of the exam
// system as seed 000 part 四 shows it for www.tzsbks.sh.cn: the
// 特种设备焊接操作人员考试申请表 (报名类型 新考证, covering 新办 and 增项) and
// the 复审申请表, field by field, and the check of one filled form.
//
// Check is a plain function over a plain struct so that the single form of
// the web and each row of a batch (批量报名) are checked alike.
package weldexam

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"opcert/internal/application"
	"opcert/internal/catalog"
	"opcert/internal/civil"
	"opcert/internal/idcheck"
	"opcert/internal/registry"
	"opcert/internal/weldcode"
)

// Kind is the 报名类型 of the entry page (seed 000 四.1).
type Kind string

const (
	// New is 新考证: 新办 and 增项 (seed 000 四.1: 新考证（含新办、增项）).
	New Kind = "new"
	// Renew is 复审.
	Renew Kind = "renew"
)

// ParseKind reads the 报名类型 as posted.
func ParseKind(s string) (Kind, bool) {
	switch Kind(s) {
	case New, Renew:
		return Kind(s), true
	}
	return "", false
}

// Label is the 报名类型 as the page shows it.
func (k Kind) Label() string {
	if k == Renew {
		return "复审"
	}
	return "新考证"
}

// FormTitle is the title of the form of the kind (seed 000 四.2, 四.3).
func (k Kind) FormTitle() string {
	if k == Renew {
		return "特种设备焊接操作人员复审申请表"
	}
	return "特种设备焊接操作人员考试申请表"
}

// The choices of the form, in the seed's order (seed 000 四.2).
var (
	Sexes      = []string{"男", "女"}
	Natures    = []string{"首次考试", "重新考试", "补考", "增项", "抽考"} // 申请考试性质
	WorkTypes  = []string{"金属焊", "非金属焊"}                    // 作业种类
	UnitTypes  = []string{"安装", "维保", "改造", "制造", "设计", "维修", "充装", "使用"}
	Educations = []string{"初中", "高中", "中专", "技校", "大专", "本科", "硕士", "博士"}
	YesNo      = []string{"是", "否"}
	// Materials is the 相关材料 checklist of the 考试申请表.
	Materials = []string{
		"居民身份证(复印件, 2份)",
		"2寸正面近期免冠照片(4张)",
		"毕业证书(复印件)或者学历证明(1份)",
		"医疗卫生机构出具的含有视力、色盲等内容的身体健康证明",
	}
)

// Row limits: a form has room for this many skill items and work periods.
const (
	MaxItems = 10
	MaxWork  = 10
)

// WorkRow is one line of 工作经历 with the three elements seed 001 第一部分
// asks for: 工作经历需包含时间、单位名称、从事焊接工作三要素.
type WorkRow struct {
	Period   string `json:"period"`   // 时间, e.g. 2018.03—2023.06
	Employer string `json:"employer"` // 单位名称
	Work     string `json:"work"`     // 从事焊接工作
}

func (w WorkRow) empty() bool { return w.Period == "" && w.Employer == "" && w.Work == "" }

// Registration is one filled 考试申请表 or 复审申请表.
type Registration struct {
	Kind Kind `json:"kind"`

	Name      string `json:"name"`
	Sex       string `json:"sex"`
	Nature    string `json:"nature,omitempty"` // 申请考试性质 (新考证 only)
	Address   string `json:"address"`          // 通信地址
	Education string `json:"education"`        // 学历
	Postcode  string `json:"postcode"`
	IDNumber  string `json:"id_number"` // 身份证, GB 11643
	Mobile    string `json:"mobile"`    // 联系电话(手机)
	PhotoKey  string `json:"photo_key"` // the checked 2-inch photo in the file store

	WorkType     string   `json:"work_type"`     // 作业种类: 金属焊 / 非金属焊
	WeldingYears string   `json:"welding_years"` // 焊工工龄(年)
	Items        []string `json:"items"`         // 技能考试项目明细, one code a row

	Employer        string   `json:"employer"`    // 用人单位(或者培训机构)名称
	CreditCode      string   `json:"credit_code"` // 组织机构代码: the 统一社会信用代码
	UnitTypes       []string `json:"unit_types"`
	District        string   `json:"district"` // 地区代码: a Shanghai district's 行政区划代码
	EmployerAddress string   `json:"employer_address"`
	Contact         string   `json:"contact"`       // 单位联系人
	ContactPhone    string   `json:"contact_phone"` // the unit's 联系电话
	// Entrust is 是否委托考试机构办理取证手续 (新考证) or 是否委托考试机构办理
	// 复审手续 (复审): 是 / 否.
	Entrust   string    `json:"entrust"`
	Work      []WorkRow `json:"work"`      // 工作经历
	Training  string    `json:"training"`  // 安全教育和培训情况
	Materials []string  `json:"materials"` // 相关材料 ticked

	// The certificate renewed (复审 only, seed 000 四.3).
	Issuer            string `json:"issuer,omitempty"`         // 原发证机关
	IssuerAddress     string `json:"issuer_address,omitempty"` // 发证机关地址
	CertificateNumber string `json:"certificate_number,omitempty"`
	FirstIssued       string `json:"first_issued,omitempty"` // 首次领证日期
	Accepted          string `json:"accepted,omitempty"`     // 受理日期
	Trained           string `json:"trained,omitempty"`      // 培训日期
	ValidUntil        string `json:"valid_until,omitempty"`  // 当前证书有效期
}

// Qualification is the 2019 item the registration examines: 金属焊接操作
// or 非金属焊接操作.
func (r Registration) Qualification() catalog.NewCode {
	if r.WorkType == "非金属焊" {
		return catalog.NonMetalWelding
	}
	return catalog.MetalWelding
}

// EntrustLabel is the question of Entrust as the kind's form asks it.
func (r Registration) EntrustLabel() string {
	if r.Kind == Renew {
		return "是否委托考试机构办理复审手续"
	}
	return "是否委托考试机构办理取证手续"
}

// Labels name every field as the form shows it, for the error summary.
var Labels = map[string]string{
	"name": "姓名", "sex": "性别", "nature": "申请考试性质", "address": "通信地址", "education": "学历", "postcode": "邮政编码",
	"id_number": "身份证", "mobile": "联系电话(手机)", "photo": "照片", "work_type": "作业种类", "welding_years": "焊工工龄(年)",
	"items": "技能考试项目明细", "employer": "用人单位(或者培训机构)名称", "credit_code": "组织机构代码", "unit_types": "单位类型",
	"district": "地区代码", "employer_address": "单位地址", "contact": "单位联系人", "contact_phone": "联系电话", "entrust": "是否委托考试机构办理手续",
	"work": "工作经历", "training": "安全教育和培训情况", "materials": "相关材料",
	"issuer": "原发证机关", "issuer_address": "发证机关地址", "certificate_number": "证书编号", "first_issued": "首次领证日期",
	"accepted": "受理日期", "trained": "培训日期", "valid_until": "当前证书有效期",
}

// ItemField is the field of the i-th skill item row (0-based).
func ItemField(i int) string { return fmt.Sprintf("item-%d", i) }

// WorkField is the field of one element of the i-th work row.
func WorkField(i int, part string) string { return fmt.Sprintf("work-%d-%s", i, part) }

// Check checks a filled form against the seed's rules and returns it
// cleaned (trimmed, the ID and credit code upper case, the mobile as 11
// digits, each code in its canonical spelling, empty rows dropped), or
// every problem at its field. A missing field gets the seed's message
// (seed 000 四.2: 请填写联系电话!).
func Check(in Registration, today civil.Date, cat *catalog.Catalog) (Registration, application.Problems) {
	if cat == nil {
		cat = catalog.Default()
	}
	r := trimmed(in)
	var ps application.Problems
	fail := func(field, msg string) {
		label := Labels[field]
		if label == "" {
			label = rowLabel(field)
		}
		ps = append(ps, application.Problem{Field: field, Label: label, Message: msg})
	}
	required := func(field, value string) bool {
		if value == "" {
			fail(field, "请填写"+Labels[field]+"!")
			return false
		}
		return true
	}
	choice := func(field, value string, options []string) {
		switch {
		case value == "":
			fail(field, "请选择"+Labels[field]+"!")
		case !slices.Contains(options, value):
			fail(field, Labels[field]+"只能选择"+strings.Join(options, "、")+"之一")
		}
	}
	if _, ok := ParseKind(string(r.Kind)); !ok {
		fail("kind", "请选择报名类型（新考证或复审）!")
	}

	if required("name", r.Name) {
		if n := utf8.RuneCountInString(r.Name); n > 30 {
			fail("name", "姓名不能超过30个字")
		}
	}
	choice("sex", r.Sex, Sexes)
	if r.Kind == New {
		choice("nature", r.Nature, Natures)
	} else {
		r.Nature = ""
	}
	if required("address", r.Address) {
		limit(fail, "address", r.Address, 100)
	}
	choice("education", r.Education, Educations)
	if r.Postcode == "" {
		fail("postcode", "请填写邮政编码!")
	} else if pc, err := idcheck.Postcode(r.Postcode); err != nil {
		fail("postcode", err.Error())
	} else {
		r.Postcode = pc
	}
	if r.IDNumber == "" {
		fail("id_number", "请填写身份证号!")
	} else if id, err := idcheck.ParseResidentID(r.IDNumber, today); err != nil {
		fail("id_number", err.Error())
	} else {
		r.IDNumber = id.Number
		if slices.Contains(Sexes, r.Sex) && r.Sex != id.Sex.String() {
			fail("sex", "性别与身份证号码不符（身份证号码为"+id.Sex.String()+"性），请核对")
		}
	}
	// 请填写联系电话! is the seed's own message for this field (seed 000 四.2).
	if r.Mobile == "" {
		fail("mobile", "请填写联系电话!")
	} else if m, err := idcheck.Mobile(r.Mobile); err != nil {
		fail("mobile", err.Error())
	} else {
		r.Mobile = m
	}
	if r.PhotoKey == "" {
		fail("photo", "请上传2寸正面近期免冠照片!")
	}

	choice("work_type", r.WorkType, WorkTypes)
	if required("welding_years", r.WeldingYears) {
		if n, err := strconv.Atoi(r.WeldingYears); err != nil || n < 0 || n > 60 {
			fail("welding_years", "焊工工龄应为0至60之间的整数（年）")
		} else {
			r.WeldingYears = strconv.Itoa(n)
		}
	}
	r.Items = checkItems(r.Items, r.WorkType, fail)

	if required("employer", r.Employer) {
		limit(fail, "employer", r.Employer, 100)
	}
	if r.CreditCode == "" {
		fail("credit_code", "请填写组织机构代码（统一社会信用代码）!")
	} else if code, err := idcheck.CreditCode(r.CreditCode); err != nil {
		fail("credit_code", err.Error())
	} else {
		r.CreditCode = code
	}
	switch {
	case len(r.UnitTypes) == 0:
		fail("unit_types", "请选择单位类型!")
	case slices.ContainsFunc(r.UnitTypes, func(t string) bool { return !slices.Contains(UnitTypes, t) }):
		fail("unit_types", "单位类型只能选择"+strings.Join(UnitTypes, "、"))
	default:
		// The seed's order, each once.
		r.UnitTypes = slices.DeleteFunc(slices.Clone(UnitTypes), func(t string) bool { return !slices.Contains(r.UnitTypes, t) })
	}
	if r.District == "" {
		fail("district", "请选择地区代码!")
	} else if _, ok := cat.District(r.District); !ok {
		fail("district", "地区代码不正确，请从列表中选择单位所在区")
	}
	if required("employer_address", r.EmployerAddress) {
		limit(fail, "employer_address", r.EmployerAddress, 100)
	}
	if required("contact", r.Contact) {
		limit(fail, "contact", r.Contact, 30)
	}
	if r.ContactPhone == "" {
		fail("contact_phone", "请填写单位联系电话!")
	} else if !phoneLike(r.ContactPhone) {
		fail("contact_phone", "单位联系电话只能填写数字和“-”，如 021-12345678 或手机号码")
	}
	if r.Entrust == "" {
		ps = append(ps, application.Problem{Field: "entrust", Label: r.EntrustLabel(), Message: "请选择" + r.EntrustLabel() + "!"})
	} else if !slices.Contains(YesNo, r.Entrust) {
		ps = append(ps, application.Problem{Field: "entrust", Label: r.EntrustLabel(), Message: "请选择“是”或“否”"})
	}
	r.Work = checkWork(r.Work, fail)
	if required("training", r.Training) {
		limit(fail, "training", r.Training, 500)
	}
	var missing []string
	for _, m := range Materials {
		if !slices.Contains(r.Materials, m) {
			missing = append(missing, m)
		}
	}
	if len(missing) > 0 {
		fail("materials", "请确认已准备相关材料（未勾选："+strings.Join(missing, "；")+"）!")
	}
	r.Materials = slices.DeleteFunc(slices.Clone(Materials), func(m string) bool { return slices.Contains(missing, m) })

	if r.Kind == Renew {
		if required("issuer", r.Issuer) {
			limit(fail, "issuer", r.Issuer, 60)
		}
		limit(fail, "issuer_address", r.IssuerAddress, 100)
		if required("certificate_number", r.CertificateNumber) {
			limit(fail, "certificate_number", r.CertificateNumber, 40)
		}
		first := date(fail, "first_issued", r.FirstIssued, true, today)
		date(fail, "accepted", r.Accepted, false, today)
		date(fail, "trained", r.Trained, false, today)
		until := date(fail, "valid_until", r.ValidUntil, true, civil.Date{})
		if !first.IsZero() && !until.IsZero() && !until.After(first) {
			fail("valid_until", "当前证书有效期应晚于首次领证日期")
		}
		r.FirstIssued, r.ValidUntil = dateString(first, r.FirstIssued), dateString(until, r.ValidUntil)
	} else {
		r.Issuer, r.IssuerAddress, r.CertificateNumber, r.FirstIssued, r.Accepted, r.Trained, r.ValidUntil = "", "", "", "", "", "", ""
	}
	return r, ps
}

// checkItems parses each row of 技能考试项目明细: a metal welder's code by
// the TSG Z6002 grammar (SOURCES.md §4.2–4.4), the wrong slot named; a
// non-metal code (SOURCES.md §4.5: its grammar is unknown) as text.
func checkItems(rows []string, workType string, fail func(field, msg string)) []string {
	var out []string
	seen := map[string]int{}
	for i, s := range rows {
		if s == "" {
			continue
		}
		field := ItemField(i)
		code := s
		if workType == "非金属焊" {
			if utf8.RuneCountInString(s) > 60 || strings.ContainsFunc(s, unicode.IsSpace) {
				fail(field, fmt.Sprintf("第%d行：项目代号不能超过60个字符，且不能有空格", i+1))
				continue
			}
		} else {
			c, err := weldcode.Parse(s)
			if err != nil {
				fail(field, fmt.Sprintf("第%d行：%s", i+1, err.Error()))
				continue
			}
			code = c.String()
		}
		if j, dup := seen[code]; dup {
			fail(field, fmt.Sprintf("第%d行与第%d行的项目相同，请删除重复的一行", i+1, j+1))
			continue
		}
		seen[code] = i
		out = append(out, code)
	}
	if !slices.ContainsFunc(rows, func(s string) bool { return s != "" }) {
		fail("items", "请填写技能考试项目明细!")
	}
	if len(rows) > MaxItems {
		fail("items", fmt.Sprintf("技能考试项目明细最多%d行", MaxItems))
	}
	return out
}

// checkWork checks 工作经历: at least one period, each with its three
// elements (seed 001 第一部分).
func checkWork(rows []WorkRow, fail func(field, msg string)) []WorkRow {
	var out []WorkRow
	for i, w := range rows {
		if w.empty() {
			continue
		}
		ok := true
		for _, p := range []struct{ part, value, name string }{{"period", w.Period, "时间"}, {"employer", w.Employer, "单位名称"}, {"work", w.Work, "从事焊接工作"}} {
			if p.value == "" {
				fail(WorkField(i, p.part), fmt.Sprintf("工作经历第%d行：请填写%s!（工作经历需包含时间、单位名称、从事焊接工作三要素）", i+1, p.name))
				ok = false
			} else if utf8.RuneCountInString(p.value) > 100 {
				fail(WorkField(i, p.part), fmt.Sprintf("工作经历第%d行：%s不能超过100个字", i+1, p.name))
				ok = false
			}
		}
		if ok {
			out = append(out, w)
		}
	}
	if !slices.ContainsFunc(rows, func(w WorkRow) bool { return !w.empty() }) {
		fail("work", "请填写工作经历!")
	}
	if len(rows) > MaxWork {
		fail("work", fmt.Sprintf("工作经历最多%d行", MaxWork))
	}
	return out
}

func rowLabel(field string) string {
	var i int
	var part string
	if _, err := fmt.Sscanf(field, "item-%d", &i); err == nil {
		return fmt.Sprintf("技能考试项目明细第%d行", i+1)
	}
	if n, _ := fmt.Sscanf(strings.ReplaceAll(field, "-", " "), "work %d %s", &i, &part); n == 2 {
		return fmt.Sprintf("工作经历第%d行", i+1)
	}
	return field
}

func limit(fail func(field, msg string), field, value string, n int) {
	if utf8.RuneCountInString(value) > n {
		fail(field, fmt.Sprintf("%s不能超过%d个字", Labels[field], n))
	}
}

// date reads a date of the 复审 form; past dates must not lie after today.
func date(fail func(field, msg string), field, value string, required bool, notAfter civil.Date) civil.Date {
	if value == "" {
		if required {
			fail(field, "请填写"+Labels[field]+"!")
		}
		return civil.Date{}
	}
	d, err := civil.Parse(strings.NewReplacer("/", "-", ".", "-").Replace(value))
	if err != nil {
		fail(field, Labels[field]+"应为日期，如 2022-05-16")
		return civil.Date{}
	}
	if !notAfter.IsZero() && d.After(notAfter) {
		fail(field, Labels[field]+"不能晚于今天")
	}
	return d
}

func dateString(d civil.Date, raw string) string {
	if d.IsZero() {
		return raw
	}
	return d.String()
}

func phoneLike(s string) bool {
	if len(s) < 7 || len(s) > 20 {
		return false
	}
	for _, r := range s {
		if !(r >= '0' && r <= '9') && r != '-' {
			return false
		}
	}
	return true
}

// trimmed is r with every text trimmed; the ID and credit code upper case.
func trimmed(r Registration) Registration {
	t := strings.TrimSpace
	r.Name, r.Sex, r.Nature, r.Address, r.Education, r.Postcode = t(r.Name), t(r.Sex), t(r.Nature), t(r.Address), t(r.Education), t(r.Postcode)
	r.IDNumber, r.Mobile, r.WorkType, r.WeldingYears = strings.ToUpper(t(r.IDNumber)), t(r.Mobile), t(r.WorkType), t(r.WeldingYears)
	r.Employer, r.CreditCode, r.District, r.EmployerAddress = t(r.Employer), strings.ToUpper(t(r.CreditCode)), t(r.District), t(r.EmployerAddress)
	r.Contact, r.ContactPhone, r.Entrust, r.Training = t(r.Contact), t(r.ContactPhone), t(r.Entrust), t(r.Training)
	r.Issuer, r.IssuerAddress, r.CertificateNumber = t(r.Issuer), t(r.IssuerAddress), strings.ToUpper(t(r.CertificateNumber))
	r.FirstIssued, r.Accepted, r.Trained, r.ValidUntil = t(r.FirstIssued), t(r.Accepted), t(r.Trained), t(r.ValidUntil)
	r.Items = slices.Clone(r.Items)
	for i := range r.Items {
		r.Items[i] = t(r.Items[i])
	}
	r.Work = slices.Clone(r.Work)
	for i, w := range r.Work {
		r.Work[i] = WorkRow{Period: t(w.Period), Employer: t(w.Employer), Work: t(w.Work)}
	}
	return r
}

// Prefill is the 复审 form as the registry knows the welder (seed 000
// 四.3: 复审报名比新考证报名多的具体的证书信息项): the holder's name, sex and
// ID, and of the certificate holding their welding lines in force, its
// 原发证机关, 证书编号, the first 批准日期 as 首次领证日期, the earliest
// 有效期至 (the one due for 复审) and the lines' codes. ok is false when
// the registry has no welding line of theirs.
func Prefill(h registry.Holding, today civil.Date) (Registration, bool) {
	r := Registration{Kind: Renew, Name: h.Holder.Name, Sex: h.Holder.Sex, IDNumber: h.Holder.IDNumber, Mobile: h.Holder.Mobile}
	for _, c := range h.Certificates {
		var first, until civil.Date
		for _, it := range c.Items {
			q, isNew := it.Ref.New()
			welding := it.WeldCode != "" || (isNew && (q.Code == catalog.MetalWelding || q.Code == catalog.NonMetalWelding))
			if !welding || it.Status != registry.ItemValid {
				continue
			}
			if isNew && q.Code == catalog.NonMetalWelding {
				r.WorkType = "非金属焊"
			} else if r.WorkType == "" {
				r.WorkType = "金属焊"
			}
			if it.WeldCode != "" && !slices.Contains(r.Items, it.WeldCode) {
				r.Items = append(r.Items, it.WeldCode)
			}
			if r.Issuer == "" {
				r.Issuer = it.IssuedBy
			}
			if first.IsZero() || it.ApprovedOn.Before(first) {
				first = it.ApprovedOn
			}
			if until.IsZero() || it.ValidUntil.Before(until) {
				until = it.ValidUntil
			}
		}
		if !until.IsZero() {
			r.CertificateNumber, r.FirstIssued, r.ValidUntil = c.Number, dateString(first, ""), until.String()
			return r, true
		}
	}
	return r, false
}

// NeedsTheory reports whether the welder sits the 基本知识考试 (theory)
// besides the skill test: a 新考证 does, except for 增项 (seed 001 第二部分
// 5: 参加理论考试的为“新办”，不参加理论考试的为“增项”); a 复审 re-examines
// the skill items (TSG Z6002-2010: 复审时…抽考, SOURCES.md §4.6).
func NeedsTheory(r Registration) bool { return r.Kind == New && r.Nature != "增项" }

// ItemResult is the outcome of one skill item: its practical mark, the
// theory mark when the welder sat theory (0 otherwise), passed when each
// subject sat reaches the pass mark.
type ItemResult struct {
	Code        string
	TheorySat   bool
	Theory      int
	Practical   int
	Passed      bool
	Description string // 合格 / 不合格 with the reason
}

// PracticalField is the field of the i-th item's practical mark.
func PracticalField(i int) string { return fmt.Sprintf("practical-%d", i) }

// Score reads the marks exam staff typed, 0–100 each: the theory mark
// once when the welder sat it, a practical mark for every skill item, and
// gives each item's result against passMark (DESIGN.md: 70 each, configurable).
func Score(r Registration, theory string, practical []string, passMark int) ([]ItemResult, application.Problems) {
	var ps application.Problems
	mark := func(field, label, s string) int {
		s = strings.TrimSpace(s)
		n, err := strconv.Atoi(s)
		switch {
		case s == "":
			ps = append(ps, application.Problem{Field: field, Label: label, Message: "请填写" + label + "成绩"})
		case err != nil || n < 0 || n > 100:
			ps = append(ps, application.Problem{Field: field, Label: label, Message: label + "成绩应为0至100之间的整数"})
		}
		return n
	}
	t := 0
	sat := NeedsTheory(r)
	if sat {
		t = mark("theory", "理论知识考试", theory)
	}
	var out []ItemResult
	for i, code := range r.Items {
		p := ""
		if i < len(practical) {
			p = practical[i]
		}
		x := ItemResult{Code: code, TheorySat: sat, Theory: t, Practical: mark(PracticalField(i), code+" 操作技能考试", p)}
		x.Passed = x.Practical >= passMark && (!sat || t >= passMark)
		switch {
		case x.Passed:
			x.Description = "合格"
		case sat && t < passMark:
			x.Description = "不合格（理论知识考试未达到合格分数）"
		default:
			x.Description = "不合格（操作技能考试未达到合格分数）"
		}
		out = append(out, x)
	}
	if len(ps) > 0 {
		return nil, ps
	}
	return out, nil
}
