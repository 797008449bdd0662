package application

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"opcert/internal/civil"
)

// PolicyKey names one value of Policy as it is stored and set by an
// administrator.
type PolicyKey string

const (
	KeyRenewalLeadMonths  PolicyKey = "renewal_lead_months"
	KeyReopenExpiredSince PolicyKey = "reopen_expired_since"
	KeyNewMinAge          PolicyKey = "new_min_age"
	KeyNewMaxAge          PolicyKey = "new_max_age"
	KeyRenewMaxAge        PolicyKey = "renew_max_age"
	KeyDraftKeepDays      PolicyKey = "draft_keep_days"
	KeyAcceptWorkdays     PolicyKey = "accept_workdays"
	KeyDecideWorkdays     PolicyKey = "decide_workdays"
	KeyCorrectionWorkdays PolicyKey = "correction_workdays"
	KeyExamPassMark       PolicyKey = "exam_pass_mark"
)

// PolicyField describes one policy value for the admin's page: its label,
// unit, where the compiled value comes from, and the bounds a value must
// keep (beyond them the rule would be meaningless or unlawful).
type PolicyField struct {
	Key      PolicyKey
	Label    string
	Unit     string // 个月, 周岁, 天, 个工作日, 分; "" for the date
	Basis    string // the rule the compiled value follows
	Date     bool   // the value is a date (empty: none)
	Min, Max int
}

// PolicyFields lists the values of Policy, in the order the page shows them.
var PolicyFields = []PolicyField{
	{Key: KeyRenewalLeadMonths, Label: "复审提前申请时间", Unit: "个月", Min: 1, Max: 12,
		Basis: "上海实践：可提前三个月进行复审申报（办事指南 关于复审 第2点）；TSG Z6001-2019 要求届满1个月以前提出"},
	{Key: KeyReopenExpiredSince, Label: "已过期项目仍可复审的有效期起始日", Date: true,
		Basis: "办事指南 复审项目选择 第1点（疫情期间）：有效期至2020年1月1日起的项目仍可复审；留空表示不开放"},
	{Key: KeyNewMinAge, Label: "新办、增项最低年龄", Unit: "周岁", Min: 16, Max: 30,
		Basis: "TSG Z6001-2019：年龄18周岁以上且不超过60周岁"},
	{Key: KeyNewMaxAge, Label: "新办、增项最高年龄", Unit: "周岁", Min: 40, Max: 70,
		Basis: "TSG Z6001-2019：年龄18周岁以上且不超过60周岁"},
	{Key: KeyRenewMaxAge, Label: "复审最高年龄", Unit: "周岁", Min: 40, Max: 75,
		Basis: "TSG Z6001-2019 复审条件（一）：年龄不超过65周岁"},
	{Key: KeyDraftKeepDays, Label: "暂存申请保留天数", Unit: "天", Min: 1, Max: 90,
		Basis: "办事指南 3.5 申请信息 第1点：为期15天的暂存"},
	{Key: KeyAcceptWorkdays, Label: "受理期限", Unit: "个工作日", Min: 1, Max: 5,
		Basis: "《行政许可法》第三十二条、第八十二条：五日内（工作日）作出受理决定或一次性告知补正"},
	{Key: KeyDecideWorkdays, Label: "审批期限", Unit: "个工作日", Min: 1, Max: 20,
		Basis: "《行政许可法》第四十二条：受理之日起二十日内作出决定"},
	{Key: KeyCorrectionWorkdays, Label: "补正期限", Unit: "个工作日", Min: 1, Max: 60,
		Basis: "《市场监督管理行政许可程序暂行规定》第十五条：合理的补正期限；本系统取15个工作日"},
	{Key: KeyExamPassMark, Label: "考试合格分数（百分制，每科）", Unit: "分", Min: 50, Max: 100,
		Basis: "TSG Z6001-2019：理论知识考试和实际操作技能考试均70分合格"},
}

// PolicyFieldOf is the field of key.
func PolicyFieldOf(key PolicyKey) (PolicyField, bool) {
	i := slices.IndexFunc(PolicyFields, func(f PolicyField) bool { return f.Key == key })
	if i < 0 {
		return PolicyField{}, false
	}
	return PolicyFields[i], true
}

// PolicyValue is one value of the policy and the day from which it
// applies. Value is the number in decimal, or the date (YYYY-MM-DD, ""
// for none).
type PolicyValue struct {
	Key           PolicyKey
	Value         string
	EffectiveFrom civil.Date
	Note          string // why it was set: the document deciding it
}

// PolicySince is the day the compiled values apply from: TSG Z6001-2019
// took effect on 2019-06-01 (国家市场监督管理总局 2019年第3号公告).
var PolicySince = civil.Date{Year: 2019, Month: 6, Day: 1}

// Values are p as the rows in force from day on, one per key.
func (p Policy) Values(from civil.Date) []PolicyValue {
	ints := p.intFields()
	var out []PolicyValue
	for _, f := range PolicyFields {
		v := PolicyValue{Key: f.Key, EffectiveFrom: from}
		switch {
		case f.Date && !p.ReopenExpiredSince.IsZero():
			v.Value = p.ReopenExpiredSince.String()
		case !f.Date:
			v.Value = strconv.Itoa(*ints[f.Key])
		}
		out = append(out, v)
	}
	return out
}

// set puts one value into p; a value that does not parse leaves p as it
// was (rows are checked by CheckPolicyValue before they are stored).
func (p *Policy) set(v PolicyValue) {
	if v.Key == KeyReopenExpiredSince {
		d, err := civil.Parse(v.Value)
		if v.Value == "" || err == nil {
			p.ReopenExpiredSince = d
		}
		return
	}
	n, err := strconv.Atoi(v.Value)
	if field, ok := p.intFields()[v.Key]; ok && err == nil {
		*field = n
	}
}

// intFields are p's whole-number values by key, as pointers into p, so that
// reading and setting a value by its key name the same field.
func (p *Policy) intFields() map[PolicyKey]*int {
	return map[PolicyKey]*int{
		KeyRenewalLeadMonths: &p.RenewalLeadMonths, KeyNewMinAge: &p.NewMinAge, KeyNewMaxAge: &p.NewMaxAge, KeyRenewMaxAge: &p.RenewMaxAge,
		KeyDraftKeepDays: &p.DraftKeepDays, KeyAcceptWorkdays: &p.AcceptWorkdays, KeyDecideWorkdays: &p.DecideWorkdays,
		KeyCorrectionWorkdays: &p.CorrectionWorkdays, KeyExamPassMark: &p.ExamPassMark,
	}
}

// PolicyOn is the policy in force on day: for each value, the row with the
// latest EffectiveFrom on or before day; a value with no such row keeps
// base's. The order of rows does not matter.
func PolicyOn(rows []PolicyValue, day civil.Date, base Policy) Policy {
	p := base
	for _, r := range InForce(rows, day) {
		p.set(r)
	}
	return p
}

// InForce is the row of each key in force on day, in PolicyFields order
// (a key without one is left out).
func InForce(rows []PolicyValue, day civil.Date) []PolicyValue {
	var out []PolicyValue
	for _, f := range PolicyFields {
		var best *PolicyValue
		for i, r := range rows {
			if r.Key == f.Key && !r.EffectiveFrom.After(day) && (best == nil || r.EffectiveFrom.After(best.EffectiveFrom)) {
				best = &rows[i]
			}
		}
		if best != nil {
			out = append(out, *best)
		}
	}
	return out
}

// PolicyChange is a value an administrator sets, as typed.
type PolicyChange struct {
	Key           string
	Value         string
	EffectiveFrom string
	Note          string
	// Retroactive allows a day before today: the change then applies to
	// decisions made from now on as if set then; deadlines and windows
	// already computed are not recomputed.
	Retroactive bool
}

// CheckPolicyChange reads a change against the rows stored (rows) on
// today: the value within its field's bounds, the effective day not in the
// past unless Retroactive, not replacing a value already in force, and the
// policy sensible on every day from then on (Policy.Validate: the minimum
// age below the maximum, …), keys without rows taking base's values.
// Problems name the form's fields: key, value,
// effective_from, note.
func CheckPolicyChange(rows []PolicyValue, c PolicyChange, today civil.Date, base Policy) (PolicyValue, Problems) {
	var ps Problems
	fail := func(field, msg string) { ps = append(ps, Problem{Field: field, Message: msg}) }
	f, ok := PolicyFieldOf(PolicyKey(c.Key))
	if !ok {
		fail("key", "请选择要设定的政策项目")
	}
	v := PolicyValue{Key: f.Key, Value: strings.TrimSpace(c.Value), Note: strings.TrimSpace(c.Note)}
	switch {
	case !ok:
	case f.Date && v.Value != "":
		d, err := civil.Parse(v.Value)
		if err != nil {
			fail("value", "日期格式应为 2020-01-01，留空表示不开放")
		} else {
			v.Value = d.String()
		}
	case !f.Date:
		n, err := strconv.Atoi(v.Value)
		switch {
		case v.Value == "":
			fail("value", fmt.Sprintf("请填写%s（%s）", f.Label, f.Unit))
		case err != nil:
			fail("value", fmt.Sprintf("%s应为整数（%s）", f.Label, f.Unit))
		case n < f.Min || n > f.Max:
			fail("value", fmt.Sprintf("%s应在 %d 至 %d %s之间", f.Label, f.Min, f.Max, f.Unit))
		default:
			v.Value = strconv.Itoa(n)
		}
	}
	from, err := civil.Parse(strings.TrimSpace(c.EffectiveFrom))
	switch {
	case strings.TrimSpace(c.EffectiveFrom) == "":
		fail("effective_from", "请填写生效日期，如 "+today.AddDays(1).String())
	case err != nil:
		fail("effective_from", "生效日期格式应为 "+today.AddDays(1).String())
	case from.Before(today) && !c.Retroactive:
		fail("effective_from", fmt.Sprintf("生效日期 %s 早于今天（%s）。新的设定通常自今天或以后生效；确需追溯的，请勾选“追溯生效”", from.Chinese(), today.Chinese()))
	case from.Before(PolicySince):
		fail("effective_from", "生效日期不能早于 "+PolicySince.Chinese()+"（TSG Z6001-2019 施行之日）")
	default:
		v.EffectiveFrom = from
	}
	if v.Note == "" {
		fail("note", "请填写设定依据，如文件名称和文号")
	} else if len([]rune(v.Note)) > 200 {
		fail("note", "设定依据不能超过200字")
	}
	if len(ps) > 0 {
		return v, ps
	}
	for _, r := range rows {
		if r.Key == v.Key && r.EffectiveFrom == v.EffectiveFrom && !r.EffectiveFrom.After(today) {
			return v, Problems{{Field: "effective_from", Message: fmt.Sprintf("%s自 %s 起的设定已经生效，不能修改；请以新的生效日期另行设定", f.Label, v.EffectiveFrom.Chinese())}}
		}
	}
	next := ReplacePolicyValue(rows, v)
	days := []civil.Date{v.EffectiveFrom}
	for _, r := range next {
		if r.EffectiveFrom.After(v.EffectiveFrom) {
			days = append(days, r.EffectiveFrom)
		}
	}
	for _, d := range days {
		for _, p := range PolicyOn(next, d, base).Validate() {
			return v, Problems{{Field: "value", Message: fmt.Sprintf("自 %s 起：%s", d.Chinese(), p.Message)}}
		}
	}
	return v, nil
}

// ReplacePolicyValue is rows with v added, replacing a row of the same key
// and day (a value set for a future day, corrected before it applies).
func ReplacePolicyValue(rows []PolicyValue, v PolicyValue) []PolicyValue {
	out := slices.DeleteFunc(slices.Clone(rows), func(r PolicyValue) bool { return r.Key == v.Key && r.EffectiveFrom == v.EffectiveFrom })
	return append(out, v)
}

// Display is the value as the page shows it: "3 个月", "2020年01月01日", "不开放".
func (v PolicyValue) Display() string {
	f, _ := PolicyFieldOf(v.Key)
	if f.Date {
		if d, err := civil.Parse(v.Value); err == nil {
			return d.Chinese()
		}
		return "不开放"
	}
	return v.Value + " " + f.Unit
}
