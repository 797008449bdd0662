package importer_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"opcert/internal/catalog"
	"opcert/internal/civil"
	"opcert/internal/importer"
	"opcert/internal/registry"
)

var today = civil.MustParse("2026-11-22")

const header = "姓名,证件类型,证件号码,证书编号,档案编号,项目目录,项目代号,焊接项目代号,发证机关,批准日期,有效期至,状态\n"

func parse(t *testing.T, csv string) importer.Result {
	t.Helper()
	res, err := importer.ReadFile("holders.csv", strings.NewReader(csv), catalog.Default(), today)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestGoodFileGroupsRowsByHolder(t *testing.T) {
	res := parse(t, "\xef\xbb\xbf"+header+
		"张三,居民身份证,11010519491231002x,,TS3000000001,2011,Q8,,徐汇区市场监督管理局,2022-12-01,2026-11-30,\n"+
		"张三,居民身份证,11010519491231002X,,,2019,Q2(限桥式起重机),,徐汇区市场监督管理局,2023/1/5,2027年1月4日,有效\n"+
		",,,,,,,,,,,\n"+
		"李四,,91350100M000100Y43,,,2019,A,,苏州市市场监督管理局,20210301,2025-02-28,已换发\n")
	if len(res.Errors) != 1 || res.Errors[0].Row != 5 || res.Errors[0].Column != "证件号码" {
		t.Fatalf("errors = %v, want one on row 5 证件号码 (李四's number is not an ID)", res.Errors)
	}
	if len(res.Holdings) != 1 || res.Skipped != 1 || res.Rows != 3 {
		t.Fatalf("holdings=%d skipped=%d rows=%d", len(res.Holdings), res.Skipped, res.Rows)
	}
	h := res.Holdings[0]
	if h.Holder.IDNumber != "11010519491231002X" || h.Holder.Sex != "女" || h.Holder.BirthDate != civil.MustParse("1949-12-31") {
		t.Errorf("holder = %+v", h.Holder)
	}
	if len(h.Certificates) != 1 || h.Certificates[0].Number != "11010519491231002X" || len(h.Certificates[0].Items) != 2 {
		t.Fatalf("certificates = %+v", h.Certificates)
	}
	items := h.Certificates[0].Items
	if items[0].Ref != catalog.OldRef("Q8") || items[1].Ref.String() != "2019:Q2(限桥式起重机)" {
		t.Errorf("refs = %s, %s", items[0].Ref, items[1].Ref)
	}
	if items[1].ApprovedOn != civil.MustParse("2023-01-05") || items[1].ValidUntil != civil.MustParse("2027-01-04") {
		t.Errorf("dates = %s %s", items[1].ApprovedOn, items[1].ValidUntil)
	}
}

// Each rule a row can break is reported with its row, column and a reason.
func TestRowErrors(t *testing.T) {
	good := "张三,居民身份证,11010519491231002X,,,2019,G3,,徐汇区市场监督管理局,2023-01-05,2027-01-04,"
	cases := []struct {
		name, row, column, want string
	}{
		{"checksum", strings.Replace(good, "002X", "0021", 1), "证件号码", "校验"},
		{"birth date", strings.Replace(good, "19491231", "19490230", 1), "证件号码", "不存在"},
		{"no edition", strings.Replace(good, ",2019,", ",,", 1), "项目目录", "必须注明"},
		{"old code as new", strings.Replace(good, ",G3,", ",Q8,", 1), "项目代号", "原项目"},
		{"unknown old code", strings.Replace(strings.Replace(good, ",2019,", ",2011,", 1), ",G3,", ",Z9,", 1), "项目代号", "2011版"},
		{"bad date", strings.Replace(good, "2023-01-05", "2023-13-05", 1), "批准日期", "不存在"},
		{"until before approved", strings.Replace(good, "2027-01-04", "2022-01-04", 1), "有效期至", "应晚于"},
		{"future approval", strings.Replace(strings.Replace(good, "2023-01-05", "2027-01-05", 1), "2027-01-04", "2031-01-04", 1), "批准日期", "晚于今天"},
		{"no issuer", strings.Replace(good, "徐汇区市场监督管理局", "", 1), "发证机关", "不能为空"},
		{"bad status", good + "作废", "状态", "无效"},
		{"bad id type", strings.Replace(good, "居民身份证", "驾驶证", 1), "证件类型", "无效"},
		{"weld code on a non-welding item", strings.Replace(good, ",G3,,", ",G3,SMAW-FeII-1G-12-Fef3J,", 1), "焊接项目代号", "只有焊接作业项目"},
		{"bad weld code", strings.Replace(good, ",G3,,", ",金属焊接操作,SMAW-FeII-9G-12-Fef3J,", 1), "焊接项目代号", "试件位置"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := parse(t, header+c.row+"\n")
			if len(res.Holdings) != 0 {
				t.Fatalf("bad row produced a holder")
			}
			found := false
			for _, e := range res.Errors {
				if e.Row == 2 && e.Column == c.column && strings.Contains(e.Message, c.want) {
					found = true
				}
			}
			if !found {
				t.Fatalf("errors = %v, want row 2 【%s】 containing %q", res.Errors, c.column, c.want)
			}
		})
	}
}

// One bad row of a holder keeps the whole holder out: never half a holder.
func TestBadRowSkipsWholeHolder(t *testing.T) {
	res := parse(t, header+
		"张三,居民身份证,11010519491231002X,,,2019,G3,,徐汇区市场监督管理局,2023-01-05,2027-01-04,\n"+
		"张三,居民身份证,11010519491231002X,,,2019,G1,,徐汇区市场监督管理局,2023-01-05,没有,\n")
	if len(res.Holdings) != 0 || res.Skipped != 1 {
		t.Fatalf("holdings=%d skipped=%d", len(res.Holdings), res.Skipped)
	}
}

func TestNameMismatchForSameIDIsAnError(t *testing.T) {
	res := parse(t, header+
		"张三,居民身份证,11010519491231002X,,,2019,G3,,徐汇区市场监督管理局,2023-01-05,2027-01-04,\n"+
		"张叁,居民身份证,11010519491231002X,,,2019,G1,,徐汇区市场监督管理局,2023-01-05,2027-01-04,\n")
	if len(res.Errors) != 1 || res.Errors[0].Row != 3 || res.Errors[0].Column != "姓名" {
		t.Fatalf("errors = %v", res.Errors)
	}
}

func TestMissingColumnsNamed(t *testing.T) {
	res := parse(t, "姓名,证件号码\n张三,11010519491231002X\n")
	var cols []string
	for _, e := range res.Errors {
		cols = append(cols, e.Column)
	}
	if got := strings.Join(cols, ","); got != "证件类型,项目目录,项目代号,发证机关,批准日期,有效期至" {
		t.Fatalf("missing columns = %s", got)
	}
}

func TestUnsupportedFileType(t *testing.T) {
	_, err := importer.ReadFile("holders.xls", strings.NewReader(""), catalog.Default(), today)
	if err == nil || !strings.Contains(err.Error(), ".xlsx") {
		t.Fatalf("err = %v", err)
	}
}

// XLSX: dates typed as real Excel dates arrive as serial numbers.
func TestXLSXWithExcelDates(t *testing.T) {
	f := excelize.NewFile()
	sh := f.GetSheetName(0)
	f.SetSheetRow(sh, "A1", &importer.Header)
	row := []any{"王五", "居民身份证", "11010519491231002X", "", "", 2011, "G4", "", "浦东新区市场监督管理局", nil, nil, "有效"}
	f.SetSheetRow(sh, "A2", &row)
	style, _ := f.NewStyle(&excelize.Style{NumFmt: 14})
	f.SetCellValue(sh, "J2", civil.MustParse("2022-12-01").Time())
	f.SetCellValue(sh, "K2", civil.MustParse("2026-11-30").Time())
	f.SetCellStyle(sh, "J2", "K2", style)
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	res, err := importer.ReadFile("holders.xlsx", &buf, catalog.Default(), today)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Errors) != 0 || len(res.Holdings) != 1 {
		t.Fatalf("errors = %v", res.Errors)
	}
	it := res.Holdings[0].Certificates[0].Items[0]
	if it.Ref != catalog.OldRef("G4") || it.ApprovedOn != civil.MustParse("2022-12-01") || it.ValidUntil != civil.MustParse("2026-11-30") || it.Status != registry.ItemValid {
		t.Fatalf("item = %+v", it)
	}
}

func TestEnterprises(t *testing.T) {
	csv := "统一社会信用代码,单位名称,注册地址,所在区\n" +
		"91350100M000100Y43,上海示例有限公司,上海市徐汇区漕溪北路88号,徐汇区\n" +
		"91350100M000100Y44,错误校验公司,上海市,310104\n" +
		"91350100M000100Y43,重复公司,上海市,310104\n" +
		"91350100M000100Y30,外地公司,苏州市,苏州市\n"
	res, err := importer.ReadEnterprises("e.csv", strings.NewReader(csv), catalog.Default())
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Enterprises) != 1 || res.Enterprises[0].DistrictCode != "310104" {
		t.Fatalf("enterprises = %+v", res.Enterprises)
	}
	want := []string{"第 3 行【统一社会信用代码】", "第 4 行【统一社会信用代码】：与第 2 行重复", "第 5 行【所在区】"}
	if len(res.Errors) != len(want) {
		t.Fatalf("errors = %v", res.Errors)
	}
	for i, w := range want {
		if !strings.HasPrefix(res.Errors[i].String(), w) {
			t.Errorf("error %d = %s, want prefix %s", i, res.Errors[i], w)
		}
	}
}

// The 手机号 column is the holder's mobile on record: checked, kept once per
// holder, and a second, different one for the same person is an error.
func TestMobileOnRecord(t *testing.T) {
	head := strings.TrimSuffix(header, "\n") + ",手机号\n"
	res := parse(t, head+
		"张三,居民身份证,11010519491231002X,,,2019,G3,,徐汇区市场监督管理局,2023-01-05,2027-01-04,,\n"+
		"张三,居民身份证,11010519491231002X,,,2019,N1,,徐汇区市场监督管理局,2023-01-05,2027-01-04,,+86 138 0013 8000\n")
	if len(res.Errors) != 0 || len(res.Holdings) != 1 || res.Holdings[0].Holder.Mobile != "13800138000" {
		t.Fatalf("errors %v, holder %+v", res.Errors, res.Holdings)
	}
	res = parse(t, head+
		"张三,居民身份证,11010519491231002X,,,2019,G3,,徐汇区市场监督管理局,2023-01-05,2027-01-04,,13800138000\n"+
		"张三,居民身份证,11010519491231002X,,,2019,N1,,徐汇区市场监督管理局,2023-01-05,2027-01-04,,13900139000\n"+
		"李四,居民身份证,110105194912310038,,,2019,N1,,徐汇区市场监督管理局,2023-01-05,2027-01-04,,1380013800\n")
	if len(res.Errors) != 2 || res.Errors[0].Row != 3 || res.Errors[0].Column != "手机号" || res.Errors[1].Row != 4 || res.Errors[1].Column != "手机号" {
		t.Fatalf("errors = %v", res.Errors)
	}
	if len(res.Holdings) != 0 {
		t.Fatalf("holdings with a bad row: %+v", res.Holdings)
	}
}
