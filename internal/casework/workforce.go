package casework

import (
	"context"
	"slices"

	"opcert/internal/application"
	"opcert/internal/civil"
	"opcert/internal/enterprise"
	"opcert/internal/idcheck"
	"opcert/internal/registry"
)

// Workforce is the 单位工作台's list: the unit, and each certificate item of
// the workers who named it as employer and agreed that it may see them.
type Workforce struct {
	Unit enterprise.Unit
	Day  civil.Date // the day the standings are for
	Rows []WorkforceRow
	// Waiting are workers who agreed but hold no item yet (a first
	// application under way).
	Waiting []WorkforceWorker
	// Welders are the welders the 单位 registered in 批量报名, with where
	// each registration stands.
	Welders []UnitWelder
}

// WorkforceWorker is a worker as a 单位 sees them: name and masked 证件号码.
type WorkforceWorker struct {
	Name, IDNumber string
}

// WorkforceRow is one item of one worker.
type WorkforceRow struct {
	WorkforceWorker
	Code, Item string // the item's code (or the welder's project code) and name
	ValidUntil civil.Date
	Standing   registry.Standing // 有效, 有效（即将到期）, 已过期, 已注销 … (registry.Item.StandingOn)
	// Due: 复审 can be applied for now (application.RenewalWindow, with the
	// policy's reopening of expired items); Renewal says when it opens or
	// why it cannot, as the 复审项目选择 page says it.
	Due     bool
	Renewal string
}

// Workforce lists the 单位's workers' items, those due for 复审 first (the
// earliest 有效期至 first), then the others by 有效期至. Items renewed into a
// new one (已换发) are left out: the new item is listed instead.
func (s *Service) Workforce(ctx context.Context, who Actor) (Workforce, error) {
	un, err := s.UnitOf(ctx, who)
	if err != nil {
		return Workforce{}, err
	}
	holdings, err := s.store.UnitWorkers(ctx, un.CreditCode)
	if err != nil {
		return Workforce{}, err
	}
	today := s.today()
	policy := s.currentPolicy(ctx)
	out := Workforce{Unit: un, Day: today}
	if out.Welders, err = s.UnitWelders(ctx, who); err != nil {
		return Workforce{}, err
	}
	for _, h := range holdings {
		worker := WorkforceWorker{Name: h.Holder.Name, IDNumber: idcheck.MaskNumber(h.Holder.IDNumber)}
		n := len(out.Rows)
		for _, it := range h.Items() {
			if it.Status == registry.ItemSuperseded {
				continue
			}
			code, name, _, _ := s.catalog.Describe(it.Ref)
			if it.WeldCode != "" {
				code = it.WeldCode
			}
			w := application.RenewalWindow(it, today, policy)
			row := WorkforceRow{WorkforceWorker: worker, Code: code, Item: name, ValidUntil: it.ValidUntil, Standing: it.StandingOn(today), Due: w.Open}
			switch {
			case w.Open && w.Reason == "":
				row.Renewal = "可申请复审"
			default:
				row.Renewal = w.Reason
			}
			out.Rows = append(out.Rows, row)
		}
		if len(out.Rows) == n {
			out.Waiting = append(out.Waiting, worker)
		}
	}
	slices.SortStableFunc(out.Rows, func(a, b WorkforceRow) int {
		switch {
		case a.Due != b.Due:
			if a.Due {
				return -1
			}
			return 1
		case a.ValidUntil != b.ValidUntil:
			if a.ValidUntil.Before(b.ValidUntil) {
				return -1
			}
			return 1
		}
		return 0
	})
	return out, nil
}
