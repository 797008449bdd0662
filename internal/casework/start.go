package casework

import (
	"context"
	"encoding/json"
	"errors"

	"opcert/internal/application"
	"opcert/internal/auth"
	"opcert/internal/registry"
	"opcert/internal/store"
)

// Applicant is the logged-in applicant and the registry person behind the
// account: the only person they may apply for (seed 001: 单位或其他人无法代办).
type Applicant struct {
	User   auth.User
	Holder registry.Holder
}

// Applicant loads who the applicant actor is.
func (s *Service) Applicant(ctx context.Context, who Actor) (Applicant, error) {
	if who.Role != auth.RoleApplicant {
		return Applicant{}, Errorf(Forbidden, "只有申请人本人可以申请")
	}
	u, err := s.store.UserByID(ctx, who.UserID)
	if err != nil {
		return Applicant{}, err
	}
	h, err := s.store.HolderByID(ctx, u.HolderID)
	return Applicant{User: u, Holder: h}, err
}

// Offer is what matter m lets the applicant choose from: the 复审 rows of
// their registry record found by the logged-in 证件号码 (seed 000: 系统会根据
// 登录账号的身份证查询该申请人所持有的作业人员证书项目信息), the lines to
// reissue, the exam results to cite.
func (s *Service) Offer(ctx context.Context, who Actor, m application.Matter) (application.Offer, Applicant, error) {
	a, err := s.Applicant(ctx, who)
	if err != nil {
		return application.Offer{}, a, err
	}
	results, err := s.examResults(ctx, a.Holder.ID)
	if err != nil {
		return application.Offer{}, a, err
	}
	holding, err := s.store.HoldingByIDNumber(ctx, a.Holder.IDNumber)
	found := err == nil && len(holding.Certificates) > 0
	if errors.Is(err, store.ErrNotFound) {
		holding, err = registry.Holding{Holder: a.Holder}, nil
	}
	if err != nil {
		return application.Offer{}, a, err
	}
	active, err := s.store.ActiveItems(ctx, a.Holder.ID)
	if err != nil {
		return application.Offer{}, a, err
	}
	var underWay []application.UnderWay
	for _, it := range active {
		underWay = append(underWay, application.UnderWay{Key: it.Qualification, WeldCode: it.WeldCode, ApplicationID: it.ApplicationID, Number: it.Number})
	}
	return application.NewOffer(m, holding, found, results, underWay, s.today(), s.currentPolicy(ctx), s.Catalog(ctx)), a, nil
}

func (s *Service) examResults(ctx context.Context, holderID int64) ([]application.ExamResult, error) {
	rows, err := s.store.PassedExamResults(ctx, holderID)
	if err != nil {
		return nil, err
	}
	var out []application.ExamResult
	for _, x := range rows {
		q, err := s.catalog.ParseQualification(x.Qualification)
		if err != nil {
			return nil, err
		}
		out = append(out, application.ExamResult{ID: x.ID, Item: q, WeldCode: x.WeldCode, Passed: x.Passed, ExamDate: x.ExamDate,
			Theory: int(x.Theory.Int64), Practical: int(x.Practical.Int64), Institution: x.Institution})
	}
	return out, nil
}

// Start turns the items chosen on the page after 立即办理 into a draft kept
// 15 days (seed 000 3.5), entered at the 受理机关 authorityCode.
func (s *Service) Start(ctx context.Context, who Actor, authorityCode string, m application.Matter, pk application.Picks) (store.Application, error) {
	if _, ok := s.catalog.District(authorityCode); !ok {
		return store.Application{}, Errorf(NotFound, "受理机关不存在")
	}
	offer, a, err := s.Offer(ctx, who, m)
	if err != nil {
		return store.Application{}, err
	}
	items, problems := offer.Choose(pk, s.today(), s.Catalog(ctx))
	if len(problems) > 0 {
		return store.Application{}, itemsRefused(problems)
	}
	return s.createDraft(ctx, a, m, authorityCode, items, nil)
}

// StartManual turns a 手工录入 certificate into a 复审 draft (seed 000 复审项目
// 选择 第2点); targets are the 2019 items chosen per line.
func (s *Service) StartManual(ctx context.Context, who Actor, authorityCode string, man application.Manual, targets map[int]string) (store.Application, error) {
	if _, ok := s.catalog.District(authorityCode); !ok {
		return store.Application{}, Errorf(NotFound, "受理机关不存在")
	}
	if refused := unprintable(manualText(man)...); len(refused) > 0 {
		return store.Application{}, Errors(refused)
	}
	a, err := s.Applicant(ctx, who)
	if err != nil {
		return store.Application{}, err
	}
	results, err := s.examResults(ctx, a.Holder.ID)
	if err != nil {
		return store.Application{}, err
	}
	items, problems := application.ManualItems(man, a.Holder.IDNumber, targets, results, s.today(), s.currentPolicy(ctx), s.Catalog(ctx))
	if len(problems) > 0 {
		return store.Application{}, refusal(problems)
	}
	return s.createDraft(ctx, a, application.MatterRenew, authorityCode, items, &man)
}

// itemsRefused puts the selection's problems at the items table, as the
// page shows them.
func itemsRefused(ps application.Problems) error {
	list := make([]*Error, len(ps))
	for i, p := range ps {
		list[i] = &Error{Code: Invalid, Field: "items", Label: "作业项目", Message: p.Message}
	}
	return Errors(list)
}

func (s *Service) createDraft(ctx context.Context, a Applicant, m application.Matter, authorityCode string, items []application.FormItem, man *application.Manual) (store.Application, error) {
	f := application.NewForm(m, a.Holder, a.User.Mobile, authorityCode, items, man)
	data, err := json.Marshal(f)
	if err != nil {
		return store.Application{}, err
	}
	return s.store.CreateDraft(ctx, store.Application{ApplicantID: a.User.ID, HolderID: a.Holder.ID, Matter: m,
		AuthorityCode: authorityCode, Status: application.StatusDraft, Step: "commitment", Data: data,
		DraftExpiresOn: application.DraftExpiry(s.today(), s.currentPolicy(ctx))})
}
