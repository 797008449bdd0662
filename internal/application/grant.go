package application

import (
	"fmt"

	"opcert/internal/catalog"
	"opcert/internal/civil"
	"opcert/internal/registry"
)

// ValidityYears is how long an item is granted for (SOURCES.md §3: 有效期为
// 4年; validity is per item).
const ValidityYears = 4

// Grant is what 准予许可 writes into the registry.
type Grant struct {
	Items     []registry.Item
	Supersede []int64 // registry lines replaced (renewed or reissued)
}

// GrantFor computes the registry lines of an approved application:
//   - 新办/增项: each item valid four years from the decision;
//   - 复审: each renewed line becomes its 2019 item (换发对应表) valid the next
//     four years after its old 有效期至; a line renewed after it expired (a
//     policy reopening) runs four years from the decision instead;
//   - 补证: a new copy of the same lines with the same dates.
//
// held maps registry item IDs to the lines of the holder's certificates.
func GrantFor(f Form, held map[int64]registry.Item, decided civil.Date, issuedBy string, cat *catalog.Catalog) (Grant, error) {
	if cat == nil {
		cat = catalog.Default()
	}
	var g Grant
	fresh := func(q catalog.Qualification, weld string) registry.Item {
		return registry.Item{Ref: catalog.NewRef(q), WeldCode: weld, IssuedBy: issuedBy, ApprovedOn: decided,
			ValidUntil: decided.AddYears(ValidityYears).AddDays(-1), Status: registry.ItemValid}
	}
	for i, it := range f.Items {
		targets := append([]string{it.Target}, it.Extras...)
		if f.Matter == MatterReissue {
			targets = nil // a copy of the held line, whatever its edition
		}
		var quals []catalog.Qualification
		for _, t := range targets {
			q, err := cat.ParseQualification(t)
			if err != nil {
				return g, fmt.Errorf("第%d个项目：%w", i+1, err)
			}
			quals = append(quals, q)
		}
		old, fromRegistry := held[it.RegistryItemID]
		if it.RegistryItemID != 0 && !fromRegistry {
			return g, fmt.Errorf("第%d个项目：原证书项目（编号 %d）已不在有效状态，不能%s", i+1, it.RegistryItemID, f.Matter.Label())
		}
		switch f.Matter {
		case MatterNew, MatterAdd:
			for _, q := range quals {
				g.Items = append(g.Items, fresh(q, it.WeldCode))
			}
		case MatterRenew:
			until := civil.Date{}
			if fromRegistry {
				until = old.ValidUntil
				g.Supersede = append(g.Supersede, old.ID)
			} else if d, err := civil.Parse(it.ValidUntil); err == nil {
				until = d // 手工录入: the out-of-town line's 有效期至
			}
			for _, q := range quals {
				line := fresh(q, it.WeldCode)
				if !until.IsZero() && !until.Before(decided) {
					line.ApprovedOn, line.ValidUntil = decided, until.AddYears(ValidityYears)
				}
				g.Items = append(g.Items, line)
			}
		case MatterReissue:
			if !fromRegistry {
				return g, fmt.Errorf("第%d个项目：补证须是登记在册的项目", i+1)
			}
			g.Supersede = append(g.Supersede, old.ID)
			copyLine := old
			copyLine.ID, copyLine.Status, copyLine.IssuedBy = 0, registry.ItemValid, issuedBy
			g.Items = append(g.Items, copyLine)
		}
	}
	return g, nil
}

// CertificateLine is how a registry line is printed on the 2019-format
// certificate: its 2019 item, and for a line still held under the 2011
// catalogue the old item as 原项目. An old item whose 2019 item is a choice
// (G2/G3, Q4), or has none, has no 2019 item until its 复审: it is printed
// as 原项目 only, never as a 2019 code it is not (old N2 is 叉车司机, 2019 N2
// is 观光车和观光列车司机).
type CertificateLine struct {
	Code, Name string // the 2019 item ("" when it has none yet)
	Original   string // "原项目：N2 叉车司机" for an old line
}

// LineOnCertificate prints it (see CertificateLine).
func LineOnCertificate(it registry.Item, cat *catalog.Catalog) CertificateLine {
	if cat == nil {
		cat = catalog.Default()
	}
	code, name, _, _ := cat.Describe(it.Ref)
	if it.WeldCode != "" {
		code = it.WeldCode
	}
	old, isOld := it.Ref.Old()
	if !isOld {
		return CertificateLine{Code: code, Name: name}
	}
	l := CertificateLine{Original: "原项目：" + code + " " + name}
	if m, ok := cat.Mapping(old); ok {
		if q, fixed := m.Fixed(); fixed {
			l.Code, l.Name = q.String(), q.Name(cat)
		}
	}
	return l
}
