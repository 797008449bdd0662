// Package importer reads spreadsheets that people prepare by hand or export
// from older systems: certificate holders (one row per certificate item),
// enterprises, and any other kind of file through ReadSheet, which checks
// the header and numbers the rows as the spreadsheet shows them. Every row
// is checked before anything is written, and every problem is a RowError.
// The caller then loads the holders in one transaction: a file with a bad
// row loads nothing, or, when asked, only the holders whose rows are all
// good, never part of a holder.
package importer

import (
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"opcert/internal/catalog"
	"opcert/internal/civil"
	"opcert/internal/idcheck"
	"opcert/internal/registry"
	"opcert/internal/weldcode"
)

// Columns of the file, by header text. Optional columns may be left out.
const (
	ColName       = "姓名"
	ColIDType     = "证件类型"
	ColIDNumber   = "证件号码"
	ColCertNumber = "证书编号"   // optional: defaults to 证件号码 (2019-format certificates)
	ColArchiveNo  = "档案编号"   // optional
	ColEdition    = "项目目录"   // 2019 (现行) or 2011 (原): old and new codes collide, so it is required
	ColCode       = "项目代号"   // Q2(限流动式起重机), Q8, 金属焊接操作 …
	ColWeldCode   = "焊接项目代号" // optional: TSG Z6002 project code for welding items
	ColScope      = "作业范围限定" // optional: the scope printed on the line, e.g. 限电气维修 (old S2)
	ColMobile     = "手机号"    // optional: the holder's mobile on record, where an online registration's code goes
	ColIssuedBy   = "发证机关"
	ColApprovedOn = "批准日期"
	ColValidUntil = "有效期至"
	ColStatus     = "状态" // optional: 有效 (default), 已换发, 已注销
)

// Header is the header row of a template file, in the recommended order.
var Header = []string{ColName, ColIDType, ColIDNumber, ColCertNumber, ColArchiveNo, ColEdition, ColCode, ColWeldCode, ColIssuedBy, ColApprovedOn, ColValidUntil, ColStatus, ColScope, ColMobile}

var holderLayout = Layout{Columns: Header, Optional: []string{ColCertNumber, ColArchiveNo, ColWeldCode, ColScope, ColStatus, ColMobile}}

// Result is what a file held.
type Result struct {
	Holdings []registry.Holding // holders whose rows are all good
	Errors   []RowError
	Rows     int // data rows read
	Skipped  int // holders left out because one of their rows is bad
}

// ReadFile reads a .csv or .xlsx file of holders (see ReadSheet).
func ReadFile(name string, r io.Reader, cat *catalog.Catalog, today civil.Date) (Result, error) {
	rows, problems, err := ReadSheet(name, r, holderLayout)
	if err != nil || len(problems) > 0 {
		return Result{Errors: problems}, err
	}
	return parse(rows, cat, today), nil
}

type holderKey struct{ idType, idNumber string }

type group struct {
	holding registry.Holding
	rows    []int
	bad     bool
	certs   map[string]int
}

// parse checks every row and groups the rows by holder.
func parse(rows []Row, cat *catalog.Catalog, today civil.Date) Result {
	res := Result{Rows: len(rows)}
	groups := map[holderKey]*group{}
	var order []holderKey
	for _, row := range rows {
		h, certNumber, archive, item, errs := parseRow(row, cat, today)
		key := holderKey{string(h.IDType), h.IDNumber}
		g := groups[key]
		if g == nil {
			g = &group{holding: registry.Holding{Holder: h}, certs: map[string]int{}}
			groups[key] = g
			order = append(order, key)
		}
		g.rows = append(g.rows, row.Line)
		if len(errs) == 0 && g.holding.Holder.Name != h.Name {
			errs = append(errs, row.Error(ColName, fmt.Sprintf("同一证件号码在第 %d 行的姓名为“%s”，与本行“%s”不一致", g.rows[0], g.holding.Holder.Name, h.Name)))
		}
		if len(errs) == 0 && h.Mobile != "" {
			switch had := g.holding.Holder.Mobile; {
			case had == "":
				g.holding.Holder.Mobile = h.Mobile
			case had != h.Mobile:
				errs = append(errs, row.Error(ColMobile, fmt.Sprintf("同一证件号码在前面的行中手机号为“%s”，与本行“%s”不一致", had, h.Mobile)))
			}
		}
		if len(errs) > 0 {
			res.Errors = append(res.Errors, errs...)
			g.bad = true
			continue
		}
		ci, ok := g.certs[certNumber]
		if !ok {
			ci = len(g.holding.Certificates)
			g.certs[certNumber] = ci
			g.holding.Certificates = append(g.holding.Certificates, registry.Certificate{Number: certNumber, ArchiveNo: archive})
		}
		c := &g.holding.Certificates[ci]
		for _, prev := range c.Items {
			if prev.Ref == item.Ref && prev.WeldCode == item.WeldCode {
				res.Errors = append(res.Errors, row.Error(ColCode, fmt.Sprintf("证书 %s 的项目 %s 重复出现", certNumber, item.Ref)))
				g.bad = true
			}
		}
		c.Items = append(c.Items, item)
	}
	for _, k := range order {
		g := groups[k]
		if g.bad {
			res.Skipped++
			continue
		}
		res.Holdings = append(res.Holdings, g.holding)
	}
	return res
}

func parseRow(row Row, cat *catalog.Catalog, today civil.Date) (registry.Holder, string, string, registry.Item, []RowError) {
	var errs []RowError
	fail := func(col, msg string) { errs = append(errs, row.Error(col, msg)) }
	get := row.Get
	h := registry.Holder{Name: get(ColName), IDType: registry.IDType(get(ColIDType)), IDNumber: strings.ToUpper(get(ColIDNumber))}
	if h.Name == "" {
		fail(ColName, "姓名不能为空")
	}
	if h.IDType == "" {
		h.IDType = registry.IDResident
	}
	if !h.IDType.Valid() {
		fail(ColIDType, fmt.Sprintf("证件类型“%s”无效，应为：%s", h.IDType, idTypeList()))
	}
	switch {
	case h.IDNumber == "":
		fail(ColIDNumber, "证件号码不能为空")
	case h.IDType == registry.IDResident:
		id, err := idcheck.ParseResidentID(h.IDNumber, today)
		if err != nil {
			fail(ColIDNumber, err.Error())
		} else {
			h.IDNumber, h.BirthDate, h.Sex = id.Number, id.BirthDate, id.Sex.String()
		}
	}
	if m := get(ColMobile); m != "" {
		mobile, err := idcheck.Mobile(m)
		if err != nil {
			fail(ColMobile, err.Error())
		}
		h.Mobile = mobile
	}
	certNumber := strings.ToUpper(get(ColCertNumber))
	if certNumber == "" {
		certNumber = h.IDNumber
	}
	item := registry.Item{WeldCode: get(ColWeldCode), Scope: get(ColScope), IssuedBy: get(ColIssuedBy), Status: registry.ItemValid}
	code := get(ColCode)
	switch ed := get(ColEdition); ed {
	case "2019", "现行", "新":
		q, err := catalog.ParseQualification(code)
		if err != nil {
			fail(ColCode, err.Error())
		} else {
			item.Ref = catalog.NewRef(q)
		}
	case "2011", "原", "旧":
		if _, ok := cat.OldItem(catalog.OldCode(code)); !ok {
			fail(ColCode, fmt.Sprintf("“%s”不是2011版目录中的项目代号", code))
		} else {
			item.Ref = catalog.OldRef(catalog.OldCode(code))
		}
	case "":
		fail(ColEdition, "请填写项目目录：2019（现行项目）或 2011（原项目）；新旧目录的代号有重复（如Q2），必须注明")
	default:
		fail(ColEdition, fmt.Sprintf("项目目录“%s”无效，应为 2019 或 2011", ed))
	}
	if item.WeldCode != "" {
		wc, err := weldcode.Parse(item.WeldCode)
		if err != nil {
			fail(ColWeldCode, err.Error())
		} else {
			item.WeldCode = wc.String()
		}
		if q, ok := item.Ref.New(); ok && q.Code != catalog.MetalWelding && q.Code != catalog.NonMetalWelding {
			fail(ColWeldCode, "只有焊接作业项目填写焊接项目代号")
		}
	}
	if item.IssuedBy == "" {
		fail(ColIssuedBy, "发证机关不能为空")
	}
	var err error
	if item.ApprovedOn, err = parseDate(get(ColApprovedOn)); err != nil {
		fail(ColApprovedOn, err.Error())
	}
	if item.ValidUntil, err = parseDate(get(ColValidUntil)); err != nil {
		fail(ColValidUntil, err.Error())
	}
	if !item.ApprovedOn.IsZero() && !item.ValidUntil.IsZero() && !item.ValidUntil.After(item.ApprovedOn) {
		fail(ColValidUntil, fmt.Sprintf("有效期至（%s）应晚于批准日期（%s）", item.ValidUntil, item.ApprovedOn))
	}
	if !item.ApprovedOn.IsZero() && item.ApprovedOn.After(today) {
		fail(ColApprovedOn, fmt.Sprintf("批准日期 %s 晚于今天", item.ApprovedOn))
	}
	switch st := get(ColStatus); st {
	case "", "有效":
	case "已换发":
		item.Status = registry.ItemSuperseded
	case "已注销", "注销", "撤销":
		item.Status = registry.ItemRevoked
	default:
		fail(ColStatus, fmt.Sprintf("状态“%s”无效，应为 有效、已换发 或 已注销", st))
	}
	return h, certNumber, strings.ToUpper(get(ColArchiveNo)), item, errs
}

func idTypeList() string {
	var s []string
	for _, t := range registry.IDTypes {
		s = append(s, string(t))
	}
	return strings.Join(s, "、")
}

var (
	dateSep   = regexp.MustCompile(`^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$`)
	dateSolid = regexp.MustCompile(`^(\d{4})(\d{2})(\d{2})$`)
	serial    = regexp.MustCompile(`^\d{5}(\.\d+)?$`)
)

// parseDate accepts the ways dates arrive from spreadsheets: 2024-07-01,
// 2024/7/1, 2024.7.1, 2024年7月1日, 20240701, and Excel serial numbers.
func parseDate(s string) (civil.Date, error) {
	if s == "" {
		return civil.Date{}, errors.New("日期不能为空")
	}
	var y, m, d int
	if g := dateSep.FindStringSubmatch(s); g != nil {
		y, _ = strconv.Atoi(g[1])
		m, _ = strconv.Atoi(g[2])
		d, _ = strconv.Atoi(g[3])
	} else if g := dateSolid.FindStringSubmatch(s); g != nil {
		y, _ = strconv.Atoi(g[1])
		m, _ = strconv.Atoi(g[2])
		d, _ = strconv.Atoi(g[3])
	} else if serial.MatchString(s) {
		f, _ := strconv.ParseFloat(s, 64)
		t, err := excelize.ExcelDateToTime(f, false)
		if err != nil {
			return civil.Date{}, fmt.Errorf("无法识别的日期“%s”", s)
		}
		y, mm, dd := t.Date()
		return civil.Date{Year: y, Month: mm, Day: dd}, nil
	} else {
		return civil.Date{}, fmt.Errorf("无法识别的日期“%s”，请写成 2024-07-01 的形式", s)
	}
	date := civil.New(y, time.Month(m), d)
	if date.Year != y || int(date.Month) != m || date.Day != d || y < 1950 || y > 2100 {
		return civil.Date{}, fmt.Errorf("日期“%s”不存在", s)
	}
	return date, nil
}
