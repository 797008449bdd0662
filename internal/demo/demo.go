// Package demo fills an empty database with people, certificates, employers
// and accounts that show every case the applicant and officer pages meet.
// All dates are relative to the day the demo is loaded, so "due for 复审 in
// two months" stays true whenever the demo is started.
package demo

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"strings"

	"opcert/internal/auth"
	"opcert/internal/authority"
	"opcert/internal/blob"
	"opcert/internal/catalog"
	"opcert/internal/civil"
	"opcert/internal/enterprise"
	"opcert/internal/idcheck"
	"opcert/internal/realname"
	"opcert/internal/registry"
	"opcert/internal/store"
)

// Password is the password of every demo account.
const Password = "Demo@2026"

// Account is a demo login printed at start-up and listed in the README.
type Account struct {
	Login, Name, Role, Shows string
}

// Data is the whole demo set, built for one day.
type Data struct {
	Authorities []authority.Authority
	Enterprises []enterprise.Enterprise
	Holdings    []registry.Holding
	Applicants  []Applicant
}

// Applicant binds a demo mobile-number login to a holder.
type Applicant struct {
	Mobile   string
	IDNumber string
	Name     string
	Shows    string
}

// Build makes the demo data for the given day.
func Build(cat *catalog.Catalog, today civil.Date) Data {
	d := Data{Authorities: authority.Shanghai(cat)}
	d.Enterprises = enterprises()
	b := builder{today: today}

	// The five demo applicants, one case each (README lists them).
	add := func(mobile, shows string, h registry.Holding) {
		h.Holder.Mobile = mobile // on record in the registry, as the holder import gives it
		d.Holdings = append(d.Holdings, h)
		d.Applicants = append(d.Applicants, Applicant{Mobile: mobile, IDNumber: h.Holder.IDNumber, Name: h.Holder.Name, Shows: shows})
	}
	xuhui, pudong, yangpu, minhang, jinshan := "徐汇区市场监督管理局", "浦东新区市场监督管理局", "杨浦区市场监督管理局", "闵行区市场监督管理局", "金山区市场监督管理局"
	add("13800000001", "原Q8流动式起重机司机2个月后到期，可复审并换发为Q2(限流动式起重机)；原N2叉车司机3年后到期（不可选）",
		b.holder("张伟", "310104", civil.New(1982, 3, 14), 1,
			b.old("Q8", xuhui, 2), b.old("N2", xuhui, 36)))
	add("13800000002", "R3氧舱维护保养1个月后到期（只能单独申请，由杨浦区受理）；R1快开门式压力容器操作3年后到期",
		b.holder("李娜", "310110", civil.New(1986, 7, 2), 2,
			b.cur("R3", xuhui, 1), b.cur("R1", xuhui, 36)))
	add("13800000003", "原G4一级锅炉水质处理1个月后到期（换发G3）；原G2二级锅炉司炉2个月后到期（须选择G1或G2）；原G6锅炉能效作业已取消",
		b.holder("王强", "310115", civil.New(1975, 11, 30), 3,
			b.old("G4", pudong, 1), b.old("G2", pudong, 2), b.old("G6", pudong, 2)))
	add("13800000004", "原Q4桥门式起重机司机6周后到期（须选择限桥式或限门式）；原T3电梯司机已取消；A特种设备安全管理5个月前已过期",
		b.holder("刘洋", "310112", civil.New(1979, 5, 21), 4,
			b.oldDays("Q4", minhang, 42), b.old("T3", minhang, 10), b.cur("A", minhang, -5)))
	add("13800000005", "金属焊接操作 SMAW-FeⅡ-6G(K)-9/57-Fef3J 2个月后到期（复审前须考试合格）；N1叉车司机2年后到期",
		b.holder("陈静", "310116", civil.New(1990, 9, 8), 6,
			b.weld("SMAW-FeⅡ-6G(K)-9/57-Fef3J", jinshan, 2), b.cur("N1", jinshan, 24)))

	// Further holders: every other case the pages meet.
	more := []registry.Holding{
		b.holder("赵敏", "320503", civil.New(1984, 1, 12), 8, b.cur("Q2(限桥式起重机)", "苏州市市场监督管理局", 2)),
		b.holder("孙磊", "310107", civil.New(1971, 4, 3), 9, b.old("Q5", "普陀区市场监督管理局", 1), b.old("Q1", "普陀区市场监督管理局", 1)),
		b.holder("周芳", "310105", civil.New(1992, 12, 25), 10, b.cur("T", "长宁区市场监督管理局", 30)),
		b.holder("吴刚", "310106", civil.New(1968, 8, 17), 11, b.old("D1", "静安区市场监督管理局", -3), b.old("P2", "静安区市场监督管理局", 2)),
		b.holder("郑丽", "310109", civil.New(1988, 2, 29), 12, b.cur("P", "虹口区市场监督管理局", 3)),
		b.holder("冯军", "310113", civil.New(1977, 6, 6), 13, b.old("Q6", "宝山区市场监督管理局", 2), b.cur("Q1", "宝山区市场监督管理局", 40)),
		b.holder("褚红", "310114", civil.New(1983, 10, 10), 14, b.old("Q7", "嘉定区市场监督管理局", -1)),
		b.holder("卫东", "310117", civil.New(1974, 3, 1), 15, b.old("Q9", "松江区市场监督管理局", 2)),
		b.holder("蒋欣", "310118", civil.New(1995, 7, 19), 16, b.cur("N2", "青浦区市场监督管理局", 44)),
		b.holder("沈涛", "310120", civil.New(1966, 1, 5), 17, scoped(b.old("S2", "奉贤区市场监督管理局", 2), "限电气维修"), b.old("S3", "奉贤区市场监督管理局", 2)),
		b.holder("韩梅", "310151", civil.New(1980, 11, 11), 18, b.old("Y4", "崇明区市场监督管理局", 1)),
		b.holder("杨帆", "310101", civil.New(1987, 5, 5), 19, b.old("G3", "黄浦区市场监督管理局", 2), b.old("G1", "黄浦区市场监督管理局", 2)),
		b.holder("朱琳", "310104", civil.New(1991, 4, 18), 20, b.cur("G2", xuhui, 3), b.cur("G3", xuhui, -14)),
		b.holder("秦川", "310115", civil.New(1973, 9, 9), 21, b.old("Q10", pudong, 5), b.old("N3", pudong, 5), b.old("T1", pudong, 2)),
		b.holder("尤佳", "310110", civil.New(1985, 12, 1), 22, b.cur("R3", yangpu, 2)),
		b.holder("许诺", "310112", civil.New(1996, 6, 30), 23, b.cur("R2", minhang, 25), b.old("R1", minhang, 2)),
		b.holder("何平", "310116", civil.New(1969, 2, 2), 24, b.weld("GTAW-FeⅣ-6G-3/57-FefS-02/10/12", jinshan, 1)),
		b.holder("吕洁", "310113", civil.New(1981, 8, 8), 25, b.weld("SAW-1G(K)-07/08/19", "宝山区市场监督管理局", 30)),
		b.holder("施展", "310114", civil.New(1978, 10, 20), 26, b.cur("F", "嘉定区市场监督管理局", 2), b.old("F2", "嘉定区市场监督管理局", 2)),
		b.holder("张岚", "310117", civil.New(1989, 3, 27), 27, b.cur("S1", "松江区市场监督管理局", 18), b.cur("S2", "松江区市场监督管理局", 18)),
		b.holder("孔亮", "310118", civil.New(1976, 7, 7), 28, b.cur("Y1", "青浦区市场监督管理局", 2), b.cur("Y2", "青浦区市场监督管理局", 2)),
		b.holder("曹操", "310120", civil.New(1972, 12, 12), 29, b.old("A1", "奉贤区市场监督管理局", 2), b.old("A3", "奉贤区市场监督管理局", 2)),
		b.holder("严宽", "310151", civil.New(1993, 1, 23), 30, b.old("N4", "崇明区市场监督管理局", 2), b.old("P5", "崇明区市场监督管理局", -20)),
		b.holder("华彩", "310101", civil.New(1994, 4, 4), 31, b.cur("Q2(限塔式起重机)", "黄浦区市场监督管理局", 2), b.cur("Q2(限门座式起重机)", "黄浦区市场监督管理局", 46)),
		b.holder("金鑫", "330106", civil.New(1986, 9, 19), 32, b.cur("A", "杭州市市场监督管理局", 2), b.old("Q3", "杭州市市场监督管理局", 2)),
	}
	// A certificate issued under a mistyped number: the seed's 复审 checklist
	// (a–b) case, where the certificate number differs from the 证件号码.
	odd := b.holder("钱进", "310107", civil.New(1970, 10, 1), 33, b.old("Q8", "普陀区市场监督管理局", 2))
	odd.Certificates[0].Number = odd.Holder.IDNumber[:16] + swapDigit(odd.Holder.IDNumber[16:17]) + odd.Holder.IDNumber[17:]
	more = append(more, odd)
	// Registering as a holder needs proof (casework.Register): 周芳 has a
	// mobile on record, where the code must go; 孙磊 has none, and his own
	// mobile passes the demo 实名核验 (RealName).
	more[2].Holder.Mobile = ZhouFangMobile
	d.Holdings = append(d.Holdings, more...)
	return d
}

// The demo's mobiles for registering as a holder without an account.
const (
	ZhouFangMobile = "13900000008" // 周芳's, on record in the registry
	SunLeiMobile   = "13900000007" // 孙磊's, registered in his name at the carrier
)

// RealName is the demo 实名核验: the carriers know 孙磊's mobile, and the
// five demo applicants' own.
func (d Data) RealName() realname.Embedded {
	records := map[string]realname.Record{}
	for _, h := range d.Holdings {
		if h.Holder.Name == "孙磊" {
			records[h.Holder.IDNumber] = realname.Record{Name: h.Holder.Name, Mobile: SunLeiMobile}
		}
	}
	for _, a := range d.Applicants {
		records[a.IDNumber] = realname.Record{Name: a.Name, Mobile: a.Mobile}
	}
	return realname.Embedded{Records: records}
}

func swapDigit(s string) string {
	if s == "9" {
		return "0"
	}
	return string(s[0] + 1)
}

type builder struct{ today civil.Date }

// holder builds a person with a valid resident ID and one certificate whose
// number is that ID (2019-format certificates, SOURCES.md §3).
func (b builder) holder(name, region string, birth civil.Date, seq int, items ...registry.Item) registry.Holding {
	sex := seq%2 == 1 // odd sequence digit = 男 (GB 11643)
	first17 := fmt.Sprintf("%s%04d%02d%02d%03d", region, birth.Year, birth.Month, birth.Day, seq)
	check, err := idcheck.ResidentIDCheckChar(first17)
	if err != nil {
		panic(err)
	}
	id := first17 + string(check)
	h := registry.Holding{Holder: registry.Holder{
		Name: name, IDType: registry.IDResident, IDNumber: id, BirthDate: birth, Sex: map[bool]string{true: "男", false: "女"}[sex],
	}}
	h.Certificates = []registry.Certificate{{Number: id, ArchiveNo: fmt.Sprintf("TS3%012d", 1000+seq), Items: items}}
	return h
}

// item makes a line valid for four years up to a day (SOURCES.md §3: 4 years).
func (b builder) item(ref catalog.ItemRef, weld, issuer string, until civil.Date) registry.Item {
	return registry.Item{Ref: ref, WeldCode: weld, IssuedBy: issuer, ApprovedOn: until.AddYears(-4).AddDays(1), ValidUntil: until, Status: registry.ItemValid}
}

// lastOldApproval is the last day an item could be approved under the 2011
// catalogue: the 2019 catalogue applies from 2019-06-01 (SOURCES.md §1, date
// marked unverified there), and every approval since carries a 2019 code.
var lastOldApproval = civil.New(2019, 5, 31)

func (b builder) old(code, issuer string, monthsLeft int) registry.Item {
	return b.oldItem(code, issuer, b.today.AddMonths(monthsLeft))
}

// scoped gives a line the scope printed on it.
func scoped(it registry.Item, scope string) registry.Item { it.Scope = scope; return it }

func (b builder) oldDays(code, issuer string, daysLeft int) registry.Item {
	return b.oldItem(code, issuer, b.today.AddDays(daysLeft))
}

// oldItem is a line of the 2011 catalogue. Its 有效期至 stays relative to the
// demo's day, so the 换发 cases can be shown, but it was approved no later
// than the 2011 catalogue was in force; the demo thus stretches the validity
// of such lines rather than dating an old code after its replacement.
func (b builder) oldItem(code, issuer string, until civil.Date) registry.Item {
	it := b.item(catalog.OldRef(catalog.OldCode(code)), "", issuer, until)
	if it.ApprovedOn.After(lastOldApproval) {
		it.ApprovedOn = lastOldApproval.AddDays(-int(until.DaysUntil(b.today.AddYears(4)) % 300))
	}
	return it
}

func (b builder) cur(q, issuer string, monthsLeft int) registry.Item {
	qual, err := catalog.ParseQualification(q)
	if err != nil {
		panic(err)
	}
	return b.item(catalog.NewRef(qual), "", issuer, b.today.AddMonths(monthsLeft))
}

func (b builder) weld(code, issuer string, monthsLeft int) registry.Item {
	return b.item(catalog.NewRef(catalog.Qualification{Code: "金属焊接操作"}), code, issuer, b.today.AddMonths(monthsLeft))
}

// CityInstitution is the city's exam institution for general and welding
// items; the demo's exam staff account works for it.
const CityInstitution = "上海市特种设备作业人员考试中心"

// examInstitutions are the demo's 考试机构: the city's for general and
// welding items, 中国人民解放军海军特色医学中心 for R3 (seed 000 2.1 注2), and one
// each for 安全阀校验 and 客运索道, which applicants choose when applying and
// contact themselves (注3). The last two names are made up for the demo.
func examInstitutions() []store.ExamInstitution {
	return []store.ExamInstitution{
		{Name: CityInstitution, Items: []string{"A", "G1", "G2", "G3", "R1", "R2", "P", "T", "Q1", "Q2", "Y1", "Y2", "N1", "N2", "金属焊接操作", "非金属焊接操作"},
			Contact: "www.tzsbks.sh.cn"},
		{Name: "中国人民解放军海军特色医学中心", Items: []string{"R3"}},
		{Name: "安全阀校验作业人员考试点（演示）", Items: []string{"F"}, Contact: "021-00000001"},
		{Name: "客运索道作业人员考试点（演示）", Items: []string{"S1", "S2"}, Contact: "021-00000002"},
	}
}

func enterprises() []enterprise.Enterprise {
	list := []struct{ district, name, address string }{
		{"310104", "上海徐汇起重设备安装有限公司", "上海市徐汇区漕溪北路88号"},
		{"310115", "上海浦东锅炉运行服务有限公司", "中国（上海）自由贸易试验区张江路200号"},
		{"310110", "上海杨浦高压氧医疗设备有限公司", "上海市杨浦区军工路516号"},
		{"310112", "上海闵行物流叉车有限公司", "上海市闵行区莘庄镇都市路1999号"},
		{"310116", "上海金山石化焊接工程有限公司", "上海市金山区卫零路55号"},
		{"310107", "上海普陀电梯维修有限公司", "上海市普陀区中山北路3000号"},
		{"310113", "上海宝山钢结构制造有限公司", "上海市宝山区友谊路1508号"},
	}
	var out []enterprise.Enterprise
	for i, e := range list {
		// 9 = 工商, 1 = 企业 (GB 32100 登记管理部门和机构类别代码).
		first17 := fmt.Sprintf("91%s%09d", e.district, 607000000+i*111111)
		check, err := idcheck.CreditCodeCheckChar(first17)
		if err != nil {
			panic(err)
		}
		out = append(out, enterprise.Enterprise{CreditCode: first17 + string(check), Name: e.name, Address: e.address, DistrictCode: e.district})
	}
	return out
}

// Load writes the demo data and its accounts into an empty database. It
// returns the accounts to print; a database that has holders is left alone.
func Load(ctx context.Context, db *store.DB, cat *catalog.Catalog, today civil.Date) ([]Account, bool, error) {
	n, err := db.CountHolders(ctx)
	if err != nil {
		return nil, false, err
	}
	d := Build(cat, today)
	accounts := d.Accounts()
	if n > 0 {
		return accounts, false, nil
	}
	if err := db.PutAuthorities(ctx, d.Authorities); err != nil {
		return nil, false, err
	}
	if err := db.PutEnterprises(ctx, d.Enterprises); err != nil {
		return nil, false, err
	}
	if _, err := db.ImportHoldings(ctx, d.Holdings); err != nil {
		return nil, false, err
	}
	if err := loadExamResults(ctx, db, d, today); err != nil {
		return nil, false, err
	}
	for _, e := range examInstitutions() {
		if err := db.PutExamInstitution(ctx, e); err != nil {
			return nil, false, err
		}
	}
	institutions, err := db.ExamInstitutions(ctx)
	if err != nil {
		return nil, false, err
	}
	hash, err := auth.HashPassword(Password)
	if err != nil {
		return nil, false, err
	}
	if _, err := db.RegisterUnit(ctx, d.Unit(), hash); err != nil {
		return nil, false, fmt.Errorf("demo: 单位 account: %w", err)
	}
	if _, err := db.SubmitUnit(ctx, store.UnitSubmission{Unit: d.PendingUnit(), PasswordHash: hash, Licence: PendingLicence}); err != nil {
		return nil, false, fmt.Errorf("demo: 单位 account 待审核: %w", err)
	}
	for _, w := range d.unitWorkers() {
		h, err := db.HoldingByIDNumber(ctx, w.idNumber)
		if err != nil {
			return nil, false, fmt.Errorf("demo: worker of %s: %w", w.creditCode, err)
		}
		if err := db.ShareWithUnit(ctx, h.Holder.ID, w.creditCode); err != nil {
			return nil, false, err
		}
	}
	for _, u := range d.users(hash) {
		if u.Role == auth.RoleApplicant {
			h, err := db.HoldingByIDNumber(ctx, u.Login)
			if err != nil {
				return nil, false, fmt.Errorf("demo: holder of %s: %w", u.Name, err)
			}
			u.Login, u.HolderID = u.Mobile, h.Holder.ID
		}
		if u.Role == auth.RoleExaminer {
			for _, e := range institutions {
				if e.Name == CityInstitution {
					u.InstitutionID = e.ID
				}
			}
		}
		if _, err := db.CreateUser(ctx, u); err != nil {
			return nil, false, fmt.Errorf("demo: account %s: %w", u.Login, err)
		}
	}
	return accounts, true, nil
}

// users are the demo accounts; applicants carry their ID number in Login
// until Load binds them to their holder. One hash serves all: the demo shares
// one published password.
func (d Data) users(hash string) []auth.User {
	var out []auth.User
	for _, a := range d.Applicants {
		out = append(out, auth.User{Login: a.IDNumber, Name: a.Name, Role: auth.RoleApplicant, PasswordHash: hash, Mobile: a.Mobile})
	}
	for _, a := range d.Authorities {
		out = append(out, auth.User{Login: "officer-" + a.Code, Name: a.District + "受理员", Role: auth.RoleOfficer, PasswordHash: hash, AuthorityCode: a.Code})
	}
	out = append(out,
		auth.User{Login: "exam", Name: "考试机构工作人员", Role: auth.RoleExaminer, PasswordHash: hash},
		auth.User{Login: "admin", Name: "系统管理员", Role: auth.RoleAdmin, PasswordHash: hash})
	return out
}

// UnitEnterprise is the demo's 单位 account: the 金山 welding contractor
// that employs the demo welders 陈静 and 何平.
const UnitEnterprise = "上海金山石化焊接工程有限公司"

// Unit is the profile of the demo's 单位 account, as the enterprise
// directory has the company; its login is the credit code.
func (d Data) Unit() enterprise.Unit {
	for _, e := range d.Enterprises {
		if e.Name == UnitEnterprise {
			return enterprise.Unit{CreditCode: e.CreditCode, Name: e.Name, Address: e.Address, Contact: "周安全", Phone: "021-57940000"}
		}
	}
	panic("demo: no enterprise " + UnitEnterprise)
}

// PendingEnterprise is the demo's 单位 awaiting 审核, so that the
// administrator's 单位注册审核 page has a registration to check. Its phone
// is a mobile, so the decision is sent by SMS.
const PendingEnterprise = "上海宝山钢结构制造有限公司"

// PendingUnit is the profile of the demo's 单位 awaiting 审核.
func (d Data) PendingUnit() enterprise.Unit {
	for _, e := range d.Enterprises {
		if e.Name == PendingEnterprise {
			return enterprise.Unit{CreditCode: e.CreditCode, Name: e.Name, Address: e.Address, Contact: "龚喆", Phone: "13900000099"}
		}
	}
	panic("demo: no enterprise " + PendingEnterprise)
}

// PendingLicence is the 营业执照 of the demo's 单位 awaiting 审核; PutFiles
// writes its file.
var PendingLicence = store.UnitLicence{Key: "units/demo/licence-baoshan.png", Filename: "营业执照.png", ContentType: "image/png"}

// PutFiles writes the demo's files into the file store: the 营业执照 scan
// of the 单位 awaiting 审核 (a drawn stand-in: a bordered sheet with a red
// seal).
func PutFiles(ctx context.Context, files blob.Store) error {
	img := image.NewRGBA(image.Rect(0, 0, 600, 420))
	draw.Draw(img, img.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
	border := color.RGBA{170, 120, 40, 255}
	seal := color.RGBA{200, 30, 30, 255}
	for x := 0; x < 600; x++ {
		for y := 0; y < 420; y++ {
			dx, dy := x-480, y-320
			switch r := dx*dx + dy*dy; {
			case x < 12 || y < 12 || x >= 588 || y >= 408:
				img.Set(x, y, border)
			case r <= 60*60 && r >= 54*54:
				img.Set(x, y, seal)
			case y >= 60 && y < 64 && x >= 150 && x < 450, y%40 == 0 && y > 100 && y < 300 && x >= 60 && x < 400:
				img.Set(x, y, color.Gray{90})
			}
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		return err
	}
	return files.Put(ctx, PendingLicence.Key, bytes.NewReader(b.Bytes()), int64(b.Len()), PendingLicence.ContentType)
}

type unitWorker struct{ idNumber, creditCode string }

// unitWorkers are the demo holders who named their employer and agreed that
// it may follow their items, as their submitted applications would have
// recorded it: the two welders of the demo 单位 (陈静's weld item due in two
// months, 何平's in one), and 张伟 of the 徐汇 crane company, which has no
// 单位 account and whom the demo 单位 must not see.
func (d Data) unitWorkers() []unitWorker {
	codes := map[string]string{}
	for _, e := range d.Enterprises {
		codes[e.Name] = e.CreditCode
	}
	var out []unitWorker
	for _, h := range d.Holdings {
		switch h.Holder.Name {
		case "陈静", "何平":
			out = append(out, unitWorker{h.Holder.IDNumber, codes[UnitEnterprise]})
		case "张伟":
			out = append(out, unitWorker{h.Holder.IDNumber, codes["上海徐汇起重设备安装有限公司"]})
		}
	}
	return out
}

// Accounts lists the demo logins for the start-up banner and the README.
func (d Data) Accounts() []Account {
	var out []Account
	for _, a := range d.Applicants {
		out = append(out, Account{Login: a.Mobile, Name: a.Name, Role: auth.RoleApplicant.Label(), Shows: a.Shows})
	}
	var officers []string
	for _, a := range d.Authorities {
		officers = append(officers, "officer-"+a.Code)
	}
	out = append(out,
		Account{Login: strings.Join([]string{officers[0], "…", officers[len(officers)-1]}, " "), Name: "各区受理员", Role: auth.RoleOfficer.Label(), Shows: "每个区一名，登录名为 officer-区划代码（如 officer-310104 徐汇区）"},
		Account{Login: "exam", Name: "考试机构工作人员", Role: auth.RoleExaminer.Label(), Shows: CityInstitution + "：考试场次、排考、准考证、成绩录入"},
		Account{Login: d.Unit().CreditCode, Name: UnitEnterprise, Role: auth.RoleUnit.Label(), Shows: "单位工作台：本单位作业人员的持证项目、有效期和待复审项目，可导出 Excel"},
		Account{Login: d.PendingUnit().CreditCode, Name: PendingEnterprise, Role: auth.RoleUnit.Label(), Shows: "单位注册待审核：只能看到审核状态；管理员在“单位注册审核”核对营业执照后审核通过或不通过"},
		Account{Login: "admin", Name: "系统管理员", Role: auth.RoleAdmin.Label(), Shows: "可查看全部受理机关"})
	return out
}

// Banner is the text printed at start-up.
func Banner(accounts []Account) string {
	var b strings.Builder
	fmt.Fprintf(&b, "演示账号（密码均为 %s）:\n", Password)
	for _, a := range accounts {
		fmt.Fprintf(&b, "  %-24s %-8s %s", a.Login, a.Name, a.Role)
		if a.Shows != "" {
			fmt.Fprintf(&b, " — %s", a.Shows)
		}
		b.WriteString("\n")
	}
	return b.String()
}

// loadExamResults gives the demo welders passed exam results, which a welding
// 复审 must cite (seed 000 复审注意 3: 焊接作业复审时，需要先考试). The exam
// system records such results in a later stage; until then the demo does.
func loadExamResults(ctx context.Context, db *store.DB, d Data, today civil.Date) error {
	for _, h := range d.Holdings {
		for _, it := range h.Items() {
			if it.WeldCode == "" || today.DaysUntil(it.ValidUntil) > 92 {
				continue
			}
			got, err := db.HoldingByIDNumber(ctx, h.Holder.IDNumber)
			if err != nil {
				return err
			}
			q, _ := it.Ref.New()
			r := store.ExamResult{HolderID: got.Holder.ID, Qualification: q.String(), WeldCode: it.WeldCode, ExamDate: today.AddDays(-20),
				Practical: sql.NullInt64{Int64: 85, Valid: true}, Passed: true, Institution: "上海市特种设备作业人员考试中心"}
			if _, err := db.AddExamResult(ctx, r); err != nil {
				return err
			}
		}
	}
	return nil
}
