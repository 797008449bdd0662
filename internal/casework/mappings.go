package casework

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"opcert/internal/catalog"
	"opcert/internal/store"
)

// catalogCache is the embedded catalogue with the admins' mapping decisions
// in place, kept until the database's mapping revision moves: a decision
// made on any instance is used by every other from its next look.
type catalogCache struct {
	mu     sync.Mutex
	rev    int64
	loaded bool
	cat    *catalog.Catalog
}

// decisionsOf reads the stored decisions against the embedded catalogue.
func decisionsOf(base *catalog.Catalog, stored []store.StoredDecision) ([]catalog.MappingDecision, error) {
	var out []catalog.MappingDecision
	for _, d := range stored {
		targets, bad := base.ParseQualifications(d.Targets)
		extras, bad2 := base.ParseQualifications(d.OptionalExtra)
		if bad = append(bad, bad2...); len(bad) > 0 {
			return nil, fmt.Errorf("mapping decision %s: %s", d.Old, bad[0])
		}
		out = append(out, catalog.MappingDecision{Old: d.Old, Kind: d.Kind, Targets: targets, OptionalExtra: extras,
			Source: d.Source, DecidedBy: d.DecidedBy, DecidedAt: d.DecidedAt})
	}
	return out, nil
}

// CatalogNow is the catalogue as it stands on every instance: the embedded
// one with the admins' mapping decisions in place.
func (s *Service) CatalogNow(ctx context.Context) (*catalog.Catalog, error) {
	rev, err := s.store.MappingRevision(ctx)
	if err != nil {
		return nil, err
	}
	c := &s.catalogs
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.loaded && c.rev == rev {
		return c.cat, nil
	}
	stored, err := s.store.MappingDecisions(ctx)
	if err != nil {
		return nil, err
	}
	ds, err := decisionsOf(s.catalog, stored)
	if err != nil {
		return nil, err
	}
	cat, err := s.catalog.WithDecisions(ds)
	if err != nil {
		return nil, err
	}
	c.cat, c.rev, c.loaded = cat, rev, true
	return cat, nil
}

// Catalog is CatalogNow for a request's rules; when the decisions cannot
// be read it uses the catalogue last built (or the embedded one) and logs
// the failure, as currentPolicy does.
func (s *Service) Catalog(ctx context.Context) *catalog.Catalog {
	cat, err := s.CatalogNow(ctx)
	if err != nil {
		s.log.Error("mapping decisions", "err", err)
		s.catalogs.mu.Lock()
		defer s.catalogs.mu.Unlock()
		if s.catalogs.cat != nil {
			return s.catalogs.cat
		}
		return s.catalog
	}
	return cat
}

// UncertainMappings are the 换发 rules an admin may confirm or change: the
// ones the research left uncertain, and the ones decided since.
func (s *Service) UncertainMappings(ctx context.Context, who Actor) ([]catalog.Mapping, *catalog.Catalog, error) {
	if err := onlyAdmin(who, "确认换发对应关系"); err != nil {
		return nil, nil, err
	}
	cat, err := s.CatalogNow(ctx)
	if err != nil {
		return nil, nil, err
	}
	return cat.Decidable(), cat, nil
}

// MappingForm is an admin's decision as typed: the 2019 lines separated by
// “、”.
type MappingForm struct {
	Old, Kind, Targets, Extras, Source string
}

// DecideMapping confirms or changes an uncertain 换发 rule with its source,
// audited; every instance renews by it from the next request on, and the
// public 换发对应表 shows it as confirmed with the source.
func (s *Service) DecideMapping(ctx context.Context, who Actor, f MappingForm) error {
	if err := onlyAdmin(who, "确认换发对应关系"); err != nil {
		return err
	}
	labels := map[string]string{"kind": "换发方式", "targets": "现行项目", "extras": "可同时换发的项目", "source": "确认依据"}
	var refused []*Error
	fail := func(field, msg string) {
		refused = append(refused, &Error{Code: Invalid, Field: field, Label: labels[field], Message: msg})
	}
	d := catalog.MappingDecision{Old: catalog.OldCode(strings.TrimSpace(f.Old)), Kind: catalog.MappingKind(strings.TrimSpace(f.Kind)), Source: strings.TrimSpace(f.Source)}
	var bad []string
	d.Targets, bad = s.catalog.ParseQualifications(f.Targets)
	for _, b := range bad {
		fail("targets", b)
	}
	d.OptionalExtra, bad = s.catalog.ParseQualifications(f.Extras)
	for _, b := range bad {
		fail("extras", b)
	}
	refused = append(refused, unprintable(printed{"", "source", "确认依据", d.Source})...)
	if len(refused) == 0 {
		for _, p := range s.catalog.CheckDecision(d) {
			if p.Field == "" {
				return &Error{Code: NotFound, Message: p.Message}
			}
			fail(p.Field, p.Message)
		}
	}
	if len(refused) > 0 {
		return Errors(refused)
	}
	if err := s.store.PutMappingDecision(ctx, who.UserID, d, who.entry("decide_mapping")); err != nil {
		return err
	}
	s.log.Info("mapping decided", "old", d.Old, "kind", d.Kind, "by", who.UserID)
	return nil
}
