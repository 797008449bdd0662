package importer

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"

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

// ReadEnterprises parses a CSV or XLSX file of enterprises; every row is
// checked and reported, as for holders.
func ReadEnterprises(name string, r io.Reader, cat *catalog.Catalog) (EnterpriseResult, error) {
	var rows [][]string
	var err error
	switch strings.ToLower(filepath.Ext(name)) {
	case ".csv":
		rows, err = readCSV(r)
	case ".xlsx":
		rows, err = readXLSX(r)
	default:
		return EnterpriseResult{}, fmt.Errorf("不支持的文件类型 %q：请使用 .csv 或 .xlsx 文件", filepath.Ext(name))
	}
	if err != nil {
		return EnterpriseResult{}, err
	}
	return parseEnterprises(rows, cat), nil
}

func parseEnterprises(rows [][]string, cat *catalog.Catalog) EnterpriseResult {
	var res EnterpriseResult
	if len(rows) == 0 {
		res.Errors = append(res.Errors, RowError{Row: 1, Message: "文件为空，第一行应为表头：" + strings.Join(EnterpriseHeader, "，")})
		return res
	}
	cols := map[string]int{}
	for i, h := range rows[0] {
		cols[strings.TrimSpace(h)] = i
	}
	for _, c := range EnterpriseHeader {
		if _, ok := cols[c]; !ok {
			res.Errors = append(res.Errors, RowError{Row: 1, Column: c, Message: "缺少此列；表头应为：" + strings.Join(EnterpriseHeader, "，")})
		}
	}
	if len(res.Errors) > 0 {
		return res
	}
	seen := map[string]int{}
	for i, row := range rows[1:] {
		n := i + 2
		if blank(row) {
			continue
		}
		res.Rows++
		get := func(c string) string {
			if j := cols[c]; j < len(row) {
				return strings.TrimSpace(row[j])
			}
			return ""
		}
		e := enterprise.Enterprise{Name: get(ColOrgName), Address: get(ColAddress)}
		bad := false
		fail := func(col, msg string) { res.Errors = append(res.Errors, RowError{n, col, msg}); bad = true }
		code, err := idcheck.CreditCode(get(ColCreditCode))
		if err != nil {
			fail(ColCreditCode, err.Error())
		} else if prev, dup := seen[code]; dup {
			fail(ColCreditCode, fmt.Sprintf("与第 %d 行重复", prev))
		} else {
			seen[code] = n
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
	return res
}
