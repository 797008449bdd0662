// Package enterprise holds employers (单位) as the enterprise registry knows
// them: the 统一社会信用代码, the registered name and the registered address.
// The seed (000, 3.2 注) says 同步单位信息 fills in the registered address, and
// the 受理机构 is matched from that address's district.
package enterprise

import "context"

// Enterprise is one registered employer or training body.
type Enterprise struct {
	CreditCode   string // 统一社会信用代码, GB 32100
	Name         string
	Address      string // 注册地址
	DistrictCode string // district of the registered address, e.g. 310115
}

// Directory finds enterprises. The embedded implementation reads opcert's own
// table (importable); a real one would ask the market-regulation registry.
type Directory interface {
	ByCreditCode(ctx context.Context, code string) (Enterprise, error)
	ByName(ctx context.Context, name string) (Enterprise, error)
}
