package importer

import (
	"fmt"
	"io"

	"opcert/internal/catalog"
	"opcert/internal/enterprise"
	"opcert/internal/idcheck"
)

// Columns of an enterprise file: the embedded enterprise registry that
// 同步单位信息 reads (seed 000 3.2) is loaded from such files.
const (
	ColCreditCode = "统一社会信用代码"
	ColOrgName    = "单位名称"
	ColAddress    = "注册地址"
	ColDistrict   = "所在区" // district name (徐汇区) or code (310104)
)

// EnterpriseHeader is the header row of an enterprise file.
var EnterpriseHeader = []string{ColCreditCode, ColOrgName, ColAddress, ColDistrict}

// EnterpriseResult is what an enterprise file held.
type EnterpriseResult struct {
	Enterprises []enterprise.Enterprise
	Errors      []RowError
	Rows        int
}

var enterpriseLayout = Layout{Columns: EnterpriseHeader}

// ReadEnterprises reads a .csv or .xlsx file of enterprises (see ReadSheet);
// every row is checked and reported, as for holders.
func ReadEnterprises(name string, r io.Reader, cat *catalog.Catalog) (EnterpriseResult, error) {
	rows, problems, err := ReadSheet(name, r, enterpriseLayout)
	if err != nil || len(problems) > 0 {
		return EnterpriseResult{Errors: problems}, err
	}
	res := EnterpriseResult{Rows: len(rows)}
	seen := map[string]int{}
	for _, row := range rows {
		get := row.Get
		e := enterprise.Enterprise{Name: get(ColOrgName), Address: get(ColAddress)}
		bad := false
		fail := func(col, msg string) { res.Errors = append(res.Errors, row.Error(col, msg)); bad = true }
		code, err := idcheck.CreditCode(get(ColCreditCode))
		if err != nil {
			fail(ColCreditCode, err.Error())
		} else if prev, dup := seen[code]; dup {
			fail(ColCreditCode, fmt.Sprintf("与第 %d 行重复", prev))
		} else {
			seen[code] = row.Line
			e.CreditCode = code
		}
		if e.Name == "" {
			fail(ColOrgName, "单位名称不能为空")
		}
		if e.Address == "" {
			fail(ColAddress, "注册地址不能为空")
		}
		d := get(ColDistrict)
		for _, dist := range cat.Districts() {
			if d == dist.Code || d == dist.Name {
				e.DistrictCode = dist.Code
			}
		}
		if e.DistrictCode == "" {
			fail(ColDistrict, fmt.Sprintf("“%s”不是上海市的区（可填写区名如 徐汇区，或区划代码如 310104）", d))
		}
		if !bad {
			res.Enterprises = append(res.Enterprises, e)
		}
	}
	return res, nil
}
