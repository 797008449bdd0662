package casework

import (
	"context"
	"sync"
	"time"

	"opcert/internal/application"
	"opcert/internal/civil"
	"opcert/internal/store"
)

// policyCache holds the stored policy values until the database's policy
// revision moves: a change made on any instance is seen by every other at
// its next look, without a restart. The look is one read of a counter,
// made at most once per Options.RevisionCheckEvery (every page shows a
// policy value); a change made on this instance is seen at once.
type policyCache struct {
	mu      sync.Mutex
	rev     int64
	loaded  bool
	checked time.Time // of the last revision read
	rows    []application.PolicyValue
	// gen counts the reads of rows; the policy of one day over them is
	// kept (every page's chrome states it) until rows or the day change.
	gen       uint64
	policyGen uint64
	policyDay civil.Date
	policy    application.Policy
}

// policyRows are the stored policy values as they stand now, with the
// number of the read that gave them.
func (s *Service) policyRows(ctx context.Context) ([]application.PolicyValue, uint64, error) {
	c := &s.policies
	c.mu.Lock()
	if c.loaded && s.revisionCheckEvery > 0 && time.Since(c.checked) < s.revisionCheckEvery {
		rows, gen := c.rows, c.gen
		c.mu.Unlock()
		return rows, gen, nil
	}
	c.mu.Unlock()
	checked := time.Now()
	rev, err := s.store.PolicyRevision(ctx)
	if err != nil {
		return nil, 0, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.loaded && c.rev == rev {
		c.checked = checked
		return c.rows, c.gen, nil
	}
	rows, err := s.store.PolicyRows(ctx)
	if err != nil {
		return nil, 0, err
	}
	c.rows, c.rev, c.loaded, c.checked = store.Values(rows), rev, true, checked
	c.gen++
	return c.rows, c.gen, nil
}

// forgetPolicy makes the next look read the revision: after a change here.
func (s *Service) forgetPolicy() {
	s.policies.mu.Lock()
	s.policies.loaded = false
	s.policies.mu.Unlock()
}

// Policy is the policy in force today (application.PolicyOn over the
// stored values).
func (s *Service) Policy(ctx context.Context) (application.Policy, error) {
	return s.PolicyOn(ctx, s.today())
}

// PolicyOn is the policy in force on day.
func (s *Service) PolicyOn(ctx context.Context, day civil.Date) (application.Policy, error) {
	rows, gen, err := s.policyRows(ctx)
	if err != nil {
		return s.defaults, err
	}
	c := &s.policies
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.policyGen != gen || c.policyDay != day {
		c.policy, c.policyGen, c.policyDay = application.PolicyOn(rows, day, s.defaults), gen, day
	}
	return c.policy, nil
}

// PolicyNow is the policy in force today, for pages that show a value of
// it (currentPolicy).
func (s *Service) PolicyNow(ctx context.Context) application.Policy { return s.currentPolicy(ctx) }

// currentPolicy is Policy for the rules of a request. When the values
// cannot be read it uses the ones last read (or the defaults) and logs the
// failure: a database that cannot answer this fails the request's other
// reads and writes anyway, which report it.
func (s *Service) currentPolicy(ctx context.Context) application.Policy {
	p, err := s.Policy(ctx)
	if err != nil {
		s.log.Error("policy values", "err", err)
		s.policies.mu.Lock()
		rows := s.policies.rows
		s.policies.mu.Unlock()
		return application.PolicyOn(rows, s.today(), s.defaults)
	}
	return p
}

// PolicyOverview is the admin's policy page: every value in force today,
// the ones set for later days, and every row ever set.
type PolicyOverview struct {
	Today    civil.Date
	InForce  []PolicyLine
	Upcoming []PolicyLine
	History  []PolicyLine
}

// PolicyLine is one stored value with its field's description.
type PolicyLine struct {
	store.PolicyRow
	Field application.PolicyField
}

// PolicyOverview lists the values for an admin.
func (s *Service) PolicyOverview(ctx context.Context, who Actor) (PolicyOverview, error) {
	if err := onlyAdmin(who, "查看和设定政策参数"); err != nil {
		return PolicyOverview{}, err
	}
	rows, err := s.store.PolicyRows(ctx)
	if err != nil {
		return PolicyOverview{}, err
	}
	today := s.today()
	out := PolicyOverview{Today: today}
	line := func(r store.PolicyRow) PolicyLine {
		f, _ := application.PolicyFieldOf(r.Key)
		return PolicyLine{PolicyRow: r, Field: f}
	}
	inForce := application.InForce(store.Values(rows), today)
	for _, f := range application.PolicyFields {
		for _, v := range inForce {
			if v.Key != f.Key {
				continue
			}
			for _, r := range rows {
				if r.Key == v.Key && r.EffectiveFrom == v.EffectiveFrom {
					out.InForce = append(out.InForce, line(r))
				}
			}
		}
		for _, r := range rows {
			if r.Key == f.Key {
				if r.EffectiveFrom.After(today) {
					out.Upcoming = append(out.Upcoming, line(r))
				}
				out.History = append(out.History, line(r))
			}
		}
	}
	return out, nil
}

// SetPolicyValue stores a value an admin set with the day it applies from
// (application.CheckPolicyChange), audited; every instance applies it from
// that day without a restart.
func (s *Service) SetPolicyValue(ctx context.Context, who Actor, c application.PolicyChange) (application.PolicyValue, error) {
	if err := onlyAdmin(who, "设定政策参数"); err != nil {
		return application.PolicyValue{}, err
	}
	today := s.today()
	v, err := s.store.PutPolicyValue(ctx, who.UserID, func(rows []application.PolicyValue) (application.PolicyValue, error) {
		v, ps := application.CheckPolicyChange(rows, c, today, s.defaults)
		return v, refusal(ps.Err())
	}, who.entry("set_policy_value"))
	s.forgetPolicy()
	if err != nil {
		return v, err
	}
	s.log.Info("policy value set", "key", v.Key, "value", v.Value, "from", v.EffectiveFrom, "by", who.UserID)
	return v, nil
}
