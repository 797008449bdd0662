package catalog

import (
	"errors"
	"fmt"
	"strings"
)

// Edition is the catalogue a code belongs to. The value is the catalogue's
// year, so a stored integer still reads correctly.
type Edition int

const (
	// Edition2011 is 《特种设备作业人员作业种类与项目》(2011), used through
	// TSG Z6001-2013 and still printed on certificates awaiting 复审 (SOURCES §2).
	Edition2011 Edition = 2011
	// Edition2019 is the current catalogue under TSG Z6001-2019 (SOURCES §1).
	Edition2019 Edition = 2019
)

// Editions lists both editions, current first.
func Editions() []Edition { return []Edition{Edition2019, Edition2011} }

// Valid reports whether e is one of the two editions.
func (e Edition) Valid() bool { return e == Edition2011 || e == Edition2019 }

func (e Edition) String() string {
	switch e {
	case Edition2011:
		return "2011"
	case Edition2019:
		return "2019"
	}
	return fmt.Sprintf("Edition(%d)", int(e))
}

// Label is the heading the seed's 复审 page uses for the two columns:
// (原)项目 and the item after 换发.
func (e Edition) Label() string {
	switch e {
	case Edition2011:
		return "原项目(2011版目录)"
	case Edition2019:
		return "现行项目(TSG Z6001-2019)"
	}
	return e.String()
}

// ParseEdition reads "2011" or "2019".
func ParseEdition(s string) (Edition, error) {
	switch strings.TrimSpace(s) {
	case "2011":
		return Edition2011, nil
	case "2019":
		return Edition2019, nil
	}
	return 0, fmt.Errorf("目录版本应为 2011（原项目）或 2019（现行项目）：%q", s)
}

// NewCode is an item code of the 2019 catalogue: "A", "G1", "Q2", and for the
// welding items, which have no letter code of their own, the item name
// ("金属焊接操作"). It is a different type from [OldCode] on purpose: the two
// catalogues reuse the same letters for different work.
type NewCode string

// OldCode is an item code of the 2011 catalogue: "A1", "G4", "Q8", "Q10",
// "金属焊接操作". See [NewCode] for why it is a separate type.
type OldCode string

// Limit is the scope written after Q2 起重机司机 on a certificate, e.g.
// "限桥式起重机" (SOURCES §1a). Only Q2 carries one.
type Limit string

// CraneDriver is Q2 起重机司机, the one 2019 item issued with a scope limit
// (SOURCES §1a; platform IDs 0793–0799 are per limit, S5).
const CraneDriver NewCode = "Q2"

// Welding item names double as codes in both editions: TSG Z6001 lists them
// without a letter code, and the welder's own qualification is the TSG Z6002
// project code (SOURCES §4), kept by the weldcode package.
const (
	MetalWelding    NewCode = "金属焊接操作"
	NonMetalWelding NewCode = "非金属焊接操作"
)

// Qualification is what a line of a 2019 certificate grants: an item and, for
// Q2, its scope limit. It deliberately has no text or SQL encoding of its own:
// persist an [ItemRef], which records the edition.
type Qualification struct {
	Code  NewCode
	Limit Limit
}

// String is the code as printed on a certificate: "Q2(限流动式起重机)", "G3".
func (q Qualification) String() string {
	if q.Limit == "" {
		return string(q.Code)
	}
	return string(q.Code) + "(" + string(q.Limit) + ")"
}

// Name is the item name as printed, with the limit: "起重机司机(限流动式起重机)".
// It is empty when the code is not in the catalogue. A nil c means [Default].
func (q Qualification) Name(c *Catalog) string {
	if c == nil {
		c = Default()
	}
	it, ok := c.Item(q.Code)
	if !ok {
		return ""
	}
	if q.Limit == "" {
		return it.Name
	}
	return it.Name + "(" + string(q.Limit) + ")"
}

// ParseQualification reads the form [Qualification.String] writes and checks
// it against the embedded catalogue. See [Catalog.ParseQualification].
func ParseQualification(s string) (Qualification, error) {
	return Default().ParseQualification(s)
}

// ParseQualification reads "G3" or "Q2(限流动式起重机)". It tolerates
// surrounding spaces, full-width brackets and lower-case letters, as typed by
// officers entering a certificate by hand (seed 000, 手工录入), and rejects
// what the 2019 catalogue does not contain. An old code gets an error that
// says what it renews into, since that is the usual mistake.
func (c *Catalog) ParseQualification(s string) (Qualification, error) {
	code, limit, err := splitQualification(s)
	if err != nil {
		return Qualification{}, err
	}
	q := Qualification{Code: NewCode(code), Limit: Limit(limit)}
	if err := c.CheckQualification(q); err != nil {
		return Qualification{}, err
	}
	return q, nil
}

// CheckQualification reports, in Chinese, why q cannot appear on a 2019
// certificate, or nil. Q2 must carry one of the listed limits and no other
// item may carry one: every Q2 the platforms issue is limited (SOURCES §1a;
// an unrestricted Q2 is unverified).
func (c *Catalog) CheckQualification(q Qualification) error {
	if q.Code == "" {
		return errors.New("作业项目代号为空")
	}
	it, ok := c.Item(q.Code)
	if !ok {
		if m, ok := c.Mapping(OldCode(q.Code)); ok {
			return fmt.Errorf("“%s”不是现行（TSG Z6001-2019）作业项目代号，而是原项目代号：%s", q.Code, m.Reason())
		}
		return fmt.Errorf("未知的作业项目代号“%s”：TSG Z6001-2019 项目目录中没有该项目", q.Code)
	}
	if q.Code != CraneDriver {
		if q.Limit != "" {
			return fmt.Errorf("作业项目%s%s不带范围限制，不能写作“%s”", it.Code, it.Name, q)
		}
		return nil
	}
	if q.Limit == "" {
		return fmt.Errorf("%s%s须注明范围，如 %s(限桥式起重机)；可选范围：%s", it.Code, it.Name, it.Code, c.limitList())
	}
	if _, ok := c.LimitInfo(q.Limit); !ok {
		return fmt.Errorf("未知的%s范围“%s”；可选范围：%s", it.Name, q.Limit, c.limitList())
	}
	return nil
}

func (c *Catalog) limitList() string {
	names := make([]string, len(c.limits))
	for i, l := range c.limits {
		names[i] = string(l.Limit)
	}
	return strings.Join(names, "、")
}

// fullWidthParens writes full-width brackets, as typed in Chinese text, as
// the ASCII ones of the codes. Built once: a replacer is costly to build,
// and every registry line read parses its item.
var fullWidthParens = strings.NewReplacer("（", "(", "）", ")")

// splitQualification separates "Q2(限桥式起重机)" into code and limit without
// consulting the catalogue, so loading can use it before the catalogue exists.
func splitQualification(s string) (code, limit string, err error) {
	t := strings.TrimSpace(s)
	t = fullWidthParens.Replace(t)
	if t == "" {
		return "", "", errors.New("作业项目代号为空")
	}
	open := strings.IndexByte(t, '(')
	if open < 0 {
		if strings.ContainsRune(t, ')') {
			return "", "", fmt.Errorf("作业项目格式应为“代号”或“Q2(限…)”：%q", s)
		}
		return normCode(t), "", nil
	}
	if !strings.HasSuffix(t, ")") || strings.Count(t, "(") != 1 || strings.Count(t, ")") != 1 {
		return "", "", fmt.Errorf("作业项目格式应为“代号”或“Q2(限…)”：%q", s)
	}
	code = normCode(strings.TrimSpace(t[:open]))
	limit = strings.TrimSpace(t[open+1 : len(t)-1])
	if code == "" || limit == "" {
		return "", "", fmt.Errorf("作业项目格式应为“代号”或“Q2(限…)”：%q", s)
	}
	return code, limit, nil
}

// normCode upper-cases ASCII letters only; welding codes are Chinese names.
func normCode(s string) string { return strings.ToUpper(s) }

// ParseNewCode checks a bare 2019 item code against the embedded catalogue.
func ParseNewCode(s string) (NewCode, error) { return Default().ParseNewCode(s) }

// ParseNewCode checks a bare 2019 item code. Q2 is accepted here because the
// code alone names the item; a certificate line needs [Catalog.ParseQualification].
func (c *Catalog) ParseNewCode(s string) (NewCode, error) {
	code := NewCode(normCode(strings.TrimSpace(s)))
	if code == "" {
		return "", errors.New("作业项目代号为空")
	}
	if _, ok := c.Item(code); !ok {
		return "", fmt.Errorf("未知的作业项目代号“%s”：TSG Z6001-2019 项目目录中没有该项目", code)
	}
	return code, nil
}

// ParseOldCode checks a 2011 item code against the embedded catalogue.
func ParseOldCode(s string) (OldCode, error) { return Default().ParseOldCode(s) }

// ParseOldCode checks a 2011 item code, as printed on old certificates and
// typed in 手工录入 (seed 000: R3, T1).
func (c *Catalog) ParseOldCode(s string) (OldCode, error) {
	code := OldCode(normCode(strings.TrimSpace(s)))
	if code == "" {
		return "", errors.New("原作业项目代号为空")
	}
	if _, ok := c.OldItem(code); !ok {
		return "", fmt.Errorf("未知的原作业项目代号“%s”：2011版项目目录中没有该项目", code)
	}
	return code, nil
}
