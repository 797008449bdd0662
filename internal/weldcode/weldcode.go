// Package weldcode reads and checks welder qualification project codes
// (焊工考试项目代号) of TSG Z6002-2010 《特种设备焊接操作人员考核细则》
// (SOURCES.md §4):
//
//	manual welder (手工焊焊工):  ①方法[(N厚度)]-②金属类别[X/X]-③位置[(K)]-④焊缝金属厚度[/⑤外径]-⑥填充金属类别[-⑦工艺因素[/…]]
//	machine operator (焊机操作工): ①方法[(N厚度)]-②位置[(K)]-③工艺因素[/…]
//
// A slot that does not apply to the test is left out (S20: 考试项目中不出现某
// 项时，则不填). Steel classes are written with Roman numerals (FeⅡ on real
// certificates, S6/S25); ASCII FeII is read as the same.
package weldcode

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// Kind tells the two grammars apart.
type Kind int

const (
	Manual  Kind = iota + 1 // 手工焊焊工
	Machine                 // 焊机操作工 (机动焊、自动焊)
)

// Code is a parsed project code.
type Code struct {
	Kind      Kind
	Method    string   // SMAW, GTAW …
	Overlay   string   // 耐蚀堆焊 base-metal thickness in (N…), e.g. "10"
	Materials []string // FeⅡ; two for dissimilar metals (FeⅡ/FeⅣ)
	Position  string   // 1G, 6G, 2FRG …
	Backing   bool     // (K): with backing
	Thickness string   // 焊缝金属厚度, mm
	Diameter  string   // 管材外径, mm; empty for plate
	Filler    string   // Fef3J …
	Factors   []string // 焊接工艺因素代号, e.g. 02, 10, 12
}

// Vocabulary from SOURCES.md §4.2–4.4 (catalog.json "welding").
var (
	Methods   = []string{"SMAW", "GTAW", "GMAW", "FCAW", "SAW", "OFW", "PAW", "ESW", "EGW", "FRW", "SW"}
	Materials = []string{"FeⅠ", "FeⅡ", "FeⅢ", "FeⅣ",
		"AlⅠ", "AlⅡ", "AlⅢ", "AlⅤ", "CuⅠ", "CuⅡ", "CuⅢ", "CuⅣ", "CuⅤ", "NiⅠ", "NiⅡ", "NiⅢ", "NiⅣ", "NiⅤ", "TiⅠ", "TiⅡ", "ZrⅠ", "ZrⅡ"}
	Positions = []string{"1G", "2G", "3G", "4G", "5G", "6G", "5GX", "6GX", "2FG", "2FRG", "4FG", "5FG", "6FG", "1S", "2S", "4S", "1F", "2F", "3F", "4F", "2FR", "5F"}
	Fillers   = []string{"Fef1", "Fef2", "Fef3", "Fef3J", "Fef4", "Fef4J", "FefS"}
	// Factors lists the 焊接工艺因素 codes; 01–03, 10–18 are for manual
	// welders, 04–09 and 19–22 for machine operators (S18).
	Factors = map[string]string{
		"01": "无填充金属丝", "02": "实芯焊丝", "03": "药芯焊丝", "04": "有自动稳压系统", "05": "无自动稳压系统",
		"06": "有自动跟踪系统", "07": "无自动跟踪系统", "08": "每面坡口内单道焊", "09": "每面坡口内多道焊",
		"10": "有背面保护气体", "11": "无背面保护气体", "12": "直流正接", "13": "直流反接", "14": "交流",
		"15": "喷射弧、熔滴弧、脉冲弧", "16": "短路弧", "17": "短路过渡（厚度条件一）", "18": "短路过渡（厚度条件二）",
		"19": "目视观察、控制", "20": "遥控", "21": "连续驱动摩擦", "22": "惯性驱动摩擦",
	}
)

var (
	romans    = strings.NewReplacer("IV", "Ⅳ", "III", "Ⅲ", "II", "Ⅱ", "V", "Ⅴ", "I", "Ⅰ")
	widths    = strings.NewReplacer("（", "(", "）", ")", "／", "/", "－", "-", "—", "-", " ", "")
	methodRE  = regexp.MustCompile(`^([A-Z]+)(?:\(N(\d+(?:\.\d+)?)\))?$`)
	numberRE  = regexp.MustCompile(`^\d+(?:\.\d+)?$`)
	factorsRE = regexp.MustCompile(`^\d{2}(?:/\d{2})*$`)
)

// Error is a refusal naming the slot, in Chinese.
type Error struct{ Message string }

func (e *Error) Error() string { return e.Message }

func fail(format string, args ...any) *Error { return &Error{fmt.Sprintf(format, args...)} }

// material normalises the class number to Roman numerals: FeII → FeⅡ.
// The element symbol is a capital and its small letters (Fe, Al, Cu …).
func material(s string) string {
	i := 1
	for i < len(s) && s[i] >= 'a' && s[i] <= 'z' {
		i++
	}
	if len(s) == 0 || i >= len(s) {
		return s
	}
	return s[:i] + romans.Replace(s[i:])
}

func position(s string) (string, bool, error) {
	backing := strings.HasSuffix(s, "(K)")
	p := strings.TrimSuffix(s, "(K)")
	if !slices.Contains(Positions, p) {
		return "", false, fail("试件位置代号“%s”不正确，应为 1G、2G、3G、4G、5G、6G、2FRG 等（带衬垫加 (K)）", s)
	}
	return p, backing, nil
}

func factors(s string, machine bool) ([]string, error) {
	if !factorsRE.MatchString(s) {
		return nil, fail("焊接工艺因素代号“%s”应为两位数字，多个用“/”分隔，如 02/10/12", s)
	}
	fs := strings.Split(s, "/")
	for _, f := range fs {
		if _, ok := Factors[f]; !ok {
			return nil, fail("焊接工艺因素代号“%s”不存在", f)
		}
		n := f
		manualOnly := n <= "03" || (n >= "10" && n <= "18")
		if machine && manualOnly {
			return nil, fail("焊接工艺因素代号“%s”（%s）用于手工焊焊工，不用于焊机操作工", f, Factors[f])
		}
		if !machine && !manualOnly {
			return nil, fail("焊接工艺因素代号“%s”（%s）用于焊机操作工，不用于手工焊焊工", f, Factors[f])
		}
	}
	return fs, nil
}

// Parse reads a project code in either grammar.
func Parse(s string) (Code, error) {
	s = widths.Replace(strings.TrimSpace(s))
	if s == "" {
		return Code{}, fail("请填写焊工考试项目代号")
	}
	parts := strings.Split(s, "-")
	var c Code
	m := methodRE.FindStringSubmatch(parts[0])
	if m == nil || !slices.Contains(Methods, m[1]) {
		return c, fail("焊接方法代号“%s”不正确，应为 SMAW、GTAW、GMAW、SAW 等", parts[0])
	}
	c.Method, c.Overlay = m[1], m[2]
	if len(parts) == 3 {
		if _, _, err := position(parts[1]); err == nil {
			c.Kind = Machine
			if c.Position, c.Backing, err = position(parts[1]); err != nil {
				return c, err
			}
			c.Factors, err = factors(parts[2], true)
			return c, err
		}
	}
	if len(parts) != 5 && len(parts) != 6 {
		return c, fail("焊工考试项目代号“%s”的格式不正确：手工焊为 方法-金属类别-位置-厚度[/外径]-填充金属[-工艺因素]，焊机操作工为 方法-位置-工艺因素", s)
	}
	c.Kind = Manual
	for _, mat := range strings.Split(parts[1], "/") {
		mat = material(mat)
		if !slices.Contains(Materials, mat) {
			return c, fail("金属材料类别代号“%s”不正确，应为 FeⅠ、FeⅡ、FeⅢ、FeⅣ 等", mat)
		}
		c.Materials = append(c.Materials, mat)
	}
	if len(c.Materials) > 2 {
		return c, fail("异种金属最多写两个类别，如 FeⅡ/FeⅣ")
	}
	var err error
	if c.Position, c.Backing, err = position(parts[2]); err != nil {
		return c, err
	}
	thick, dia, _ := strings.Cut(parts[3], "/")
	if !numberRE.MatchString(thick) || (dia != "" && !numberRE.MatchString(dia)) {
		return c, fail("焊缝金属厚度/管材外径“%s”应为数字（毫米），如 12 或 9/57", parts[3])
	}
	c.Thickness, c.Diameter = thick, dia
	if !slices.Contains(Fillers, parts[4]) {
		return c, fail("填充金属类别代号“%s”不正确，应为 Fef1、Fef2、Fef3、Fef3J、Fef4、Fef4J 或 FefS", parts[4])
	}
	c.Filler = parts[4]
	if len(parts) == 6 {
		if c.Factors, err = factors(parts[5], false); err != nil {
			return c, err
		}
	}
	return c, nil
}

// String writes the code the way certificates print it.
func (c Code) String() string {
	method := c.Method
	if c.Overlay != "" {
		method += "(N" + c.Overlay + ")"
	}
	pos := c.Position
	if c.Backing {
		pos += "(K)"
	}
	if c.Kind == Machine {
		return method + "-" + pos + "-" + strings.Join(c.Factors, "/")
	}
	size := c.Thickness
	if c.Diameter != "" {
		size += "/" + c.Diameter
	}
	s := method + "-" + strings.Join(c.Materials, "/") + "-" + pos + "-" + size + "-" + c.Filler
	if len(c.Factors) > 0 {
		s += "-" + strings.Join(c.Factors, "/")
	}
	return s
}
