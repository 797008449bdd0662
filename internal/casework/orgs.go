package casework

import (
	"context"
	"errors"
	"slices"
	"strings"
	"unicode/utf8"

	"opcert/internal/authority"
	"opcert/internal/catalog"
	"opcert/internal/store"
)

// Organisations are the 受理机关 and the 考试机构 as the admin reviews them.
type Organisations struct {
	Authorities  []authority.Authority
	Institutions []store.ExamInstitution
	Items        []catalog.Item // the 2019 items an institution may examine
}

// Organisations lists the authorities and institutions for an admin.
func (s *Service) Organisations(ctx context.Context, who Actor) (Organisations, error) {
	if err := onlyAdmin(who, "管理受理机关和考试机构"); err != nil {
		return Organisations{}, err
	}
	var out Organisations
	var err error
	if out.Authorities, err = s.store.Authorities(ctx); err != nil {
		return out, err
	}
	if out.Institutions, err = s.store.ExamInstitutions(ctx); err != nil {
		return out, err
	}
	out.Items = s.catalog.Items()
	return out, nil
}

// SetAuthorityContact stores how the public reaches a 受理机关's window,
// audited; every instance shows it at its next page.
func (s *Service) SetAuthorityContact(ctx context.Context, who Actor, code string, c authority.Contact) error {
	if err := onlyAdmin(who, "修改受理机关信息"); err != nil {
		return err
	}
	c = authority.Contact{Address: strings.TrimSpace(c.Address), Phone: strings.TrimSpace(c.Phone), Hours: strings.TrimSpace(c.Hours)}
	labels := map[string]string{"address": "窗口地址", "phone": "咨询电话", "hours": "办公时间"}
	var refused []*Error
	for _, p := range c.Check() {
		refused = append(refused, &Error{Code: Invalid, Field: p.Field, Label: labels[p.Field], Message: p.Message})
	}
	refused = append(refused, unprintable(printed{"", "address", "窗口地址", c.Address}, printed{"", "hours", "办公时间", c.Hours})...)
	if len(refused) > 0 {
		return Errors(refused)
	}
	err := s.store.PutAuthorityContact(ctx, code, c, who.entry("edit_authority"))
	if errors.Is(err, store.ErrNotFound) {
		return &Error{Code: NotFound, Message: "受理机关不存在"}
	}
	return err
}

// InstitutionForm is an admin's 考试机构: its name, the 2019 item codes it
// examines, and how applicants contact it (seed 000 2.1 注3: 安全阀校验 and
// 客运索道 applicants choose the institution and contact it).
type InstitutionForm struct {
	ID      int64 // 0 for a new one
	Name    string
	Items   []string
	Contact string
}

// SaveInstitution adds or changes a 考试机构, audited. Its exam staff and
// sessions stay with it; the items decide which waiting candidates its desk
// arranges from now on.
func (s *Service) SaveInstitution(ctx context.Context, who Actor, f InstitutionForm) (store.ExamInstitution, error) {
	if err := onlyAdmin(who, "修改考试机构信息"); err != nil {
		return store.ExamInstitution{}, err
	}
	inst := store.ExamInstitution{ID: f.ID, Name: strings.TrimSpace(f.Name), Contact: strings.TrimSpace(f.Contact)}
	var refused []*Error
	fail := func(field, label, msg string) {
		refused = append(refused, &Error{Code: Invalid, Field: field, Label: label, Message: msg})
	}
	switch n := utf8.RuneCountInString(inst.Name); {
	case n == 0:
		fail("name", "机构名称", "请填写考试机构名称")
	case n > 60:
		fail("name", "机构名称", "机构名称不能超过60个字")
	}
	for _, code := range f.Items {
		code = strings.TrimSpace(code)
		if code == "" || slices.Contains(inst.Items, code) {
			continue
		}
		if _, ok := s.catalog.Item(catalog.NewCode(code)); !ok {
			fail("items", "考试项目", "“"+code+"”不是现行（2019年目录）作业项目代号")
			continue
		}
		inst.Items = append(inst.Items, code)
	}
	if len(inst.Items) == 0 && len(refused) == 0 {
		fail("items", "考试项目", "请至少选择一个考试项目")
	}
	switch {
	case utf8.RuneCountInString(inst.Contact) > 100:
		fail("contact", "联系方式", "联系方式不能超过100个字")
	case strings.ContainsAny(inst.Contact, "\r\n"):
		fail("contact", "联系方式", "联系方式请写在一行内")
	}
	refused = append(refused, unprintable(printed{"", "name", "机构名称", inst.Name}, printed{"", "contact", "联系方式", inst.Contact})...)
	if len(refused) > 0 {
		return inst, Errors(refused)
	}
	action := "edit_exam_institution"
	if inst.ID == 0 {
		action = "create_exam_institution"
	}
	saved, err := s.store.SaveExamInstitution(ctx, inst, who.entry(action))
	switch {
	case errors.Is(err, store.ErrDuplicate):
		return inst, &Error{Code: Conflict, Field: "name", Label: "机构名称", Message: "已有名为“" + inst.Name + "”的考试机构"}
	case errors.Is(err, store.ErrNotFound):
		return inst, &Error{Code: NotFound, Message: "考试机构不存在"}
	}
	return saved, err
}
