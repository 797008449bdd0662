// Package authority describes the 受理机关: the district 市场监督管理局 that
// accept, review and decide applications (seed 000 §1.2: each district has
// its own entry; DESIGN.md: R3 氧舱维护保养 always goes to 杨浦区).
package authority

import "opcert/internal/catalog"

// Authority is one accepting and deciding bureau.
type Authority struct {
	Code     string // administrative division code of its district, e.g. 310104
	Name     string // 徐汇区市场监督管理局
	District string // 徐汇区
	Contact         // set by an admin; empty until then
}

// R3Code is the district that handles every R3 氧舱维护保养 application
// (seed 000, 3.2 注 2: 统一由杨浦区市场监督管理局进行受理).
const R3Code = "310110"

// Shanghai lists the 16 district bureaus, in the order of their codes.
func Shanghai(c *catalog.Catalog) []Authority {
	var out []Authority
	for _, d := range c.Districts() {
		out = append(out, Authority{Code: d.Code, Name: d.Name + "市场监督管理局", District: d.Name})
	}
	return out
}
