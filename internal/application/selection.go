package application

import (
	"errors"
	"fmt"
	"slices"

	"opcert/internal/catalog"
	"opcert/internal/civil"
	"opcert/internal/registry"
)

// ExamResult is a recorded exam outcome the applicant can cite. Welding
// 新办/增项/复审 need a passed one first (seed 000, 关于复审 第3点: "焊接作业复审
// 时，需要先考试，考试成绩合格方能进行复审填报"; seed 001 第二部分 6: choosing
// 特种设备焊接作业 shows the exam results).
type ExamResult struct {
	ID       int64
	Item     catalog.Qualification
	WeldCode string // TSG Z6002 project code examined, e.g. SMAW-FeⅡ-6G(K)-9/57-Fef3J
	Passed   bool
	ExamDate civil.Date
	// Theory and Practical are the scores out of 100; a subject not taken
	// (A has no practical exam) is 0.
	Theory, Practical int
	Institution       string
}

// Label is the result as a pick-list line: "金属焊接操作 SMAW-… 2026年03月02日 合格".
func (r ExamResult) Label() string {
	s := string(r.Item.Code)
	if r.WeldCode != "" {
		s += " " + r.WeldCode
	}
	s += " " + r.ExamDate.Chinese()
	if r.Passed {
		return s + " 合格"
	}
	return s + " 不合格"
}

// Selection is one row the applicant ticked on the 复审 page. The row is
// named, in order of preference, by its registry id (ItemID), by its
// identity (CertificateNumber, Ref, WeldCode; an empty CertificateNumber
// matches any certificate), or by OptionIndex into RenewalList.Options. The
// first two survive the list being rebuilt between requests.
type Selection struct {
	OptionIndex       int
	ItemID            int64
	CertificateNumber string
	Ref               catalog.ItemRef
	WeldCode          string
	// Chosen are the 2019 items asked for: required for a choice rule
	// (G2/G3 → G1 或 G2; Q4 → 限桥式 或 限门式), the fixed target plus any
	// wanted extras for direct_optional_extra (old S2, Y4). Empty means the
	// fixed target of a direct rule.
	Chosen []catalog.Qualification
	// ExamResultID cites the passed exam of a welding item.
	ExamResultID int64
}

// find returns the index of the option s names, or -1.
func (s Selection) find(l RenewalList) int {
	if s.ItemID != 0 {
		return slices.IndexFunc(l.Options, func(o Option) bool { return o.Item.ID == s.ItemID })
	}
	if s.Ref.IsZero() {
		if s.OptionIndex >= 0 && s.OptionIndex < len(l.Options) {
			return s.OptionIndex
		}
		return -1
	}
	return slices.IndexFunc(l.Options, func(o Option) bool {
		return o.Item.Ref == s.Ref && o.Item.WeldCode == s.WeldCode &&
			(s.CertificateNumber == "" || o.CertificateNumber == s.CertificateNumber)
	})
}

// outcome is the set of 2019 items the selection renews into.
func (s Selection) outcome(o Option) []catalog.Qualification {
	if len(s.Chosen) == 0 {
		if q, ok := o.Mapping.Fixed(); ok {
			return []catalog.Qualification{q}
		}
	}
	return slices.Clone(s.Chosen)
}

// R3Alone is the seed's wording of the R3 rule for 复审 (seed 000, 复审项目选择
// 第3点 and 3.2 注2).
const R3Alone = "R3项目(氧舱维护保养)由杨浦区市场监管局统一复审，不能与其他作业项目同时申请"

// R3AloneNew is the same rule for 新办/增项 (seed 000, 3.2 注2: "R3（氧舱维护
// 保养）项目的申请统一由杨浦区市场监督管理局进行受理，且 R3 不能与其他项目同时申请").
const R3AloneNew = "R3项目(氧舱维护保养)由杨浦区市场监督管理局统一受理，不能与其他作业项目同时申请"

// CheckRenewalSelection applies the 复审项目选择 rules to what was ticked:
// at least one row; only blue rows (inside the window, seed 000 复审项目选择
// 第1点); each row once; the 换发 rule satisfied (catalog Mapping.CheckSelection:
// a choice needs exactly one target, 3.2 注1); R3 alone (复审项目选择 第3点);
// a passed exam result for each welding row (关于复审 第3点), each result used
// once. results are the applicant's available results.
func CheckRenewalSelection(sel []Selection, list RenewalList, results []ExamResult, cat *catalog.Catalog) []Problem {
	if cat == nil {
		cat = catalog.Default()
	}
	if len(sel) == 0 {
		return []Problem{{Field: "items", Message: "请至少选择一个需要复审的作业项目"}}
	}
	var out []Problem
	seen := map[int]int{}
	usedExam := map[int64]int{}
	r3, rows := false, 0
	for i, s := range sel {
		field := fmt.Sprintf("items[%d]", i)
		k := s.find(list)
		if k < 0 {
			out = append(out, Problem{Field: field, Message: notListed(s, list)})
			continue
		}
		o := list.Options[k]
		if j, dup := seen[k]; dup {
			out = append(out, Problem{Field: field, Message: fmt.Sprintf("%s与第%d项重复选择", o.Display, j+1)})
			continue
		}
		seen[k] = i
		rows++
		if o.IsR3() {
			r3 = true
		}
		if !o.Selectable {
			out = append(out, Problem{Field: field, Message: fmt.Sprintf("%s不可选择：%s", o.Display, o.Reason)})
			continue
		}
		if err := o.Mapping.CheckSelection(s.outcome(o)); err != nil {
			msg := err.Error()
			if !o.Old {
				msg = fmt.Sprintf("%s复审后仍为原项目，不能改选其他项目", o.Display)
			} else if o.Mapping.Kind == catalog.KindChoice && len(s.Chosen) == 0 {
				msg = fmt.Sprintf("请为%s选择复审后的项目：%s", o.Display, choiceList(o.Mapping, cat))
			}
			out = append(out, Problem{Field: field + ".chosen", Message: msg})
		}
		if o.Welding {
			if p := checkExam(field, o.Display, o.Targets(), o.Item.WeldCode, s.ExamResultID, results, usedExam, i); p != nil {
				out = append(out, *p)
			}
		}
	}
	if r3 && rows > 1 {
		out = append(out, Problem{Field: "items", Message: R3Alone})
	}
	return out
}

func notListed(s Selection, l RenewalList) string {
	for _, n := range l.NotOffered {
		if s.ItemID != 0 && n.Item.ID == s.ItemID ||
			!s.Ref.IsZero() && n.Item.Ref == s.Ref && (s.CertificateNumber == "" || n.CertificateNumber == s.CertificateNumber) {
			return n.Reason
		}
	}
	return "所选项目不在可复审的项目列表中，请重新选择"
}

func choiceList(m catalog.Mapping, cat *catalog.Catalog) string {
	var s string
	for i, q := range m.Targets {
		if i > 0 {
			s += "或"
		}
		s += q.String() + q.Name(cat)
	}
	return s
}

// checkExam finds the cited result and checks it belongs to this item. The
// welder's project code must be the one on the certificate when both are
// known: at the first renewal TSG Z6002-2010 第24条 re-examines the items
// first obtained, and the exam body records a later 抽考 against the
// certificate's code too (SOURCES.md §4.6).
func checkExam(field, what string, items []catalog.Qualification, weldCode string, id int64, results []ExamResult, used map[int64]int, row int) *Problem {
	field += ".exam"
	if id == 0 {
		return &Problem{Field: field, Message: fmt.Sprintf("%s为焊接作业项目，须先考试合格，请选择考试合格的成绩", what)}
	}
	k := slices.IndexFunc(results, func(r ExamResult) bool { return r.ID == id })
	if k < 0 {
		return &Problem{Field: field, Message: fmt.Sprintf("%s所选的考试成绩不存在或已被其他申请使用，请重新选择", what)}
	}
	r := results[k]
	switch {
	case !r.Passed:
		return &Problem{Field: field, Message: fmt.Sprintf("%s所选的考试成绩（%s）不合格，焊接作业须考试合格后方能申请", what, r.Label())}
	case !slices.Contains(items, r.Item):
		return &Problem{Field: field, Message: fmt.Sprintf("所选的考试成绩是%s的成绩，不能用于%s", r.Item.Code, what)}
	case weldCode != "" && r.WeldCode != "" && weldCode != r.WeldCode:
		return &Problem{Field: field, Message: fmt.Sprintf("所选的考试成绩项目代号%s与%s的项目代号%s不一致", r.WeldCode, what, weldCode)}
	}
	if j, dup := used[id]; dup {
		return &Problem{Field: field, Message: fmt.Sprintf("同一考试成绩不能同时用于第%d项和第%d项", j+1, row+1)}
	}
	used[id] = row
	return nil
}

// RenewalTargets are the 2019 items the valid rows of sel renew into, each
// once, in selection order: what routing, materials and the exam flow look
// at. Rows CheckRenewalSelection refuses are left out.
func RenewalTargets(sel []Selection, list RenewalList) []catalog.Qualification {
	var out []catalog.Qualification
	for _, s := range sel {
		k := s.find(list)
		if k < 0 || !list.Options[k].Selectable {
			continue
		}
		o := list.Options[k]
		qs := s.outcome(o)
		if o.Mapping.CheckSelection(qs) != nil {
			continue
		}
		for _, q := range qs {
			if !slices.Contains(out, q) {
				out = append(out, q)
			}
		}
	}
	return out
}

// ItemRequest is one 2019 item asked for in a 新办 or 增项.
type ItemRequest struct {
	Item         catalog.Qualification
	ExamResultID int64 // welding: the passed exam (seed 001 第二部分 6)
}

// CheckItemSelection applies the item rules of 新办 and 增项: at least one
// item, each a real 2019 certificate line (Q2 with its limit), each once;
// R3 alone (seed 000, 3.2 注2); welding items cite a passed exam result
// (DESIGN.md; seed 001 第二部分 6), each result once; and no general item the
// applicant already holds in force, which is a 复审 matter instead. A welder
// may hold 金属焊接操作 and apply again for another project code, so welding
// items are exempt from that last rule.
func CheckItemSelection(m Matter, req []ItemRequest, held *registry.Holding, results []ExamResult, today civil.Date, cat *catalog.Catalog) []Problem {
	if cat == nil {
		cat = catalog.Default()
	}
	if m != MatterNew && m != MatterAdd {
		return []Problem{{Field: "items", Message: fmt.Sprintf("%s不按作业项目选择办理", m.Label())}}
	}
	if len(req) == 0 {
		return []Problem{{Field: "items", Message: "请至少选择一个申请的作业项目"}}
	}
	var out []Problem
	seen := map[catalog.Qualification]int{}
	used := map[int64]int{}
	r3 := false
	for i, r := range req {
		field := fmt.Sprintf("items[%d]", i)
		if err := cat.CheckQualification(r.Item); err != nil {
			out = append(out, Problem{Field: field, Message: err.Error()})
			continue
		}
		what := r.Item.String() + r.Item.Name(cat)
		it, _ := cat.Item(r.Item.Code)
		if it.Welding {
			what = it.Name
		}
		if j, dup := seen[r.Item]; dup && !it.Welding {
			out = append(out, Problem{Field: field, Message: fmt.Sprintf("%s与第%d项重复选择", what, j+1)})
			continue
		}
		seen[r.Item] = i
		if isR3(r.Item) {
			r3 = true
		}
		if it.Welding {
			if p := checkExam(field, what, []catalog.Qualification{r.Item}, "", r.ExamResultID, results, used, i); p != nil {
				out = append(out, *p)
			} else if p := checkWeldingMatter(field, m, r.ExamResultID, results, held, today); p != nil {
				out = append(out, *p)
			}
			continue
		}
		if held != nil {
			if until, ok := holdsInForce(*held, r.Item, today); ok {
				out = append(out, Problem{Field: field, Message: fmt.Sprintf("您已持有有效的%s（有效期至%s），不能重复申请；临近有效期届满时请申请复审", what, until.Chinese())})
			}
		}
	}
	if r3 && len(req) > 1 {
		out = append(out, Problem{Field: "items", Message: R3AloneNew})
	}
	if m == MatterAdd && general(req, cat) && (held == nil || !holdsAnyInForce(*held, today, false)) {
		out = append(out, Problem{Field: "items", Message: "增项为已持证人员增加作业项目，您目前没有有效的特种设备作业人员证书，请申请新办"})
	}
	return out
}

// general reports a requested item that is not a welding item.
func general(req []ItemRequest, cat *catalog.Catalog) bool {
	for _, r := range req {
		if it, _ := cat.Item(r.Item.Code); !it.Welding {
			return true
		}
	}
	return false
}

// ResultFitsMatter reports whether a welding exam result can be cited by
// the matter (seed 001 第二部分 5: 参加理论考试的为"新办"，不参加理论考试的为
// "增项"): 新办 cites a result with a theory exam, 增项 one without; 复审 any.
func ResultFitsMatter(r ExamResult, m Matter) bool {
	switch m {
	case MatterNew:
		return r.Theory > 0
	case MatterAdd:
		return r.Theory == 0
	}
	return true
}

// checkWeldingMatter ties a welder's exam result to the matter (ResultFitsMatter)
// and a welding 增项 to a welding item already held: the theory was examined
// with the first certificate.
func checkWeldingMatter(field string, m Matter, id int64, results []ExamResult, held *registry.Holding, today civil.Date) *Problem {
	k := slices.IndexFunc(results, func(r ExamResult) bool { return r.ID == id })
	if k < 0 {
		return nil
	}
	r := results[k]
	switch {
	case m == MatterNew && !ResultFitsMatter(r, m):
		return &Problem{Field: field + ".exam", Message: "所选的考试成绩未参加理论考试，应申请“增项”（参加理论考试的为“新办”，不参加理论考试的为“增项”）"}
	case m == MatterAdd && !ResultFitsMatter(r, m):
		return &Problem{Field: field + ".exam", Message: "所选的考试成绩参加了理论考试，应申请“新办”（参加理论考试的为“新办”，不参加理论考试的为“增项”）"}
	case m == MatterAdd && (held == nil || !holdsAnyInForce(*held, today, true)):
		return &Problem{Field: field + ".exam", Message: "焊接作业增项须已持有有效的焊接作业项目，您目前没有，请申请新办"}
	}
	return nil
}

// holdsAnyInForce reports a valid line in force on today: any, or a welding
// one.
func holdsAnyInForce(h registry.Holding, today civil.Date, weldingOnly bool) bool {
	for _, it := range h.Items() {
		if it.Status != registry.ItemValid || it.ExpiredOn(today) {
			continue
		}
		if q, ok := it.Ref.New(); !weldingOnly || (ok && (q.Code == catalog.MetalWelding || q.Code == catalog.NonMetalWelding)) {
			return true
		}
	}
	return false
}

// holdsInForce reports whether the holding has q as a 2019 item in force
// on today.
func holdsInForce(h registry.Holding, q catalog.Qualification, today civil.Date) (civil.Date, bool) {
	for _, it := range h.Items() {
		if n, ok := it.Ref.New(); ok && n == q && it.Status == registry.ItemValid && !it.ExpiredOn(today) {
			return it.ValidUntil, true
		}
	}
	return civil.Date{}, false
}

// RenewalSelection reads a stored 复审 line of the form (Form.Items) into a
// Selection: the registry line by id, or by its ref when typed in by hand;
// Target and Extras become the chosen 2019 items.
func (fi FormItem) RenewalSelection(cat *catalog.Catalog) (Selection, error) {
	if cat == nil {
		cat = catalog.Default()
	}
	s := Selection{OptionIndex: -1, ItemID: fi.RegistryItemID, WeldCode: fi.WeldCode, ExamResultID: fi.ExamResultID}
	if fi.From != "" {
		ref, err := cat.ParseItemRef(fi.From)
		if err != nil {
			return s, err
		}
		s.Ref = ref
	}
	if s.ItemID == 0 && s.Ref.IsZero() {
		return s, errors.New("复审项目未指明原证书项目")
	}
	for _, t := range append([]string{fi.Target}, fi.Extras...) {
		if t == "" {
			continue
		}
		q, err := cat.ParseQualification(t)
		if err != nil {
			return s, err
		}
		s.Chosen = append(s.Chosen, q)
	}
	return s, nil
}

// ItemRequest reads a stored 新办/增项 line of the form.
func (fi FormItem) ItemRequest(cat *catalog.Catalog) (ItemRequest, error) {
	if cat == nil {
		cat = catalog.Default()
	}
	q, err := cat.ParseQualification(fi.Target)
	if err != nil {
		return ItemRequest{}, err
	}
	return ItemRequest{Item: q, ExamResultID: fi.ExamResultID}, nil
}
