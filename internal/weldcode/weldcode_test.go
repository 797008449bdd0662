package weldcode

import (
	"strings"
	"testing"
)

// The real codes of SOURCES.md §4.2–4.3 (S6, S25) read and print back.
func TestRealCodes(t *testing.T) {
	for in, want := range map[string]string{
		"SMAW-FeII-1G-12-Fef3J":           "SMAW-FeⅡ-1G-12-Fef3J",
		"SMAW-FeⅡ-6G(K)-9/57-Fef3J":       "SMAW-FeⅡ-6G(K)-9/57-Fef3J",
		"GTAW-FeIV-6G-3/57-FefS-02/11/12": "GTAW-FeⅣ-6G-3/57-FefS-02/11/12",
		"GTAW-FeⅡ-6G-3/57-FefS-02/10/12":  "GTAW-FeⅡ-6G-3/57-FefS-02/10/12",
		"SAW-1G(K)-07/08/19":              "SAW-1G(K)-07/08/19",
		"SMAW(N10)-FeⅡ/FeⅣ-1G-12-Fef4J":   "SMAW(N10)-FeⅡ/FeⅣ-1G-12-Fef4J",
		" SMAW－FeⅡ－6G（K）－9／57－Fef3J ":     "SMAW-FeⅡ-6G(K)-9/57-Fef3J",
	} {
		c, err := Parse(in)
		if err != nil {
			t.Errorf("%q: %v", in, err)
			continue
		}
		if c.String() != want {
			t.Errorf("%q = %q, want %q", in, c.String(), want)
		}
	}
	c, _ := Parse("SMAW-FeⅡ-6G(K)-9/57-Fef3J")
	if c.Kind != Manual || !c.Backing || c.Diameter != "57" || c.Thickness != "9" {
		t.Errorf("parsed %+v", c)
	}
	m, _ := Parse("SAW-1G(K)-07/08/19")
	if m.Kind != Machine || len(m.Factors) != 3 {
		t.Errorf("machine %+v", m)
	}
}

func TestRefusalsNameTheSlot(t *testing.T) {
	for in, want := range map[string]string{
		"":                             "请填写",
		"XYZ-FeⅡ-1G-12-Fef3J":          "焊接方法",
		"SMAW-FeⅨ-1G-12-Fef3J":         "金属材料类别",
		"SMAW-FeⅡ-7G-12-Fef3J":         "试件位置",
		"SMAW-FeⅡ-1G-abc-Fef3J":        "焊缝金属厚度",
		"SMAW-FeⅡ-1G-12-Fef9":          "填充金属类别",
		"GTAW-FeⅣ-6G-3/57-FefS-02/99":  "工艺因素代号“99”不存在",
		"GTAW-FeⅣ-6G-3/57-FefS-07":     "用于焊机操作工",
		"SAW-1G(K)-02":                 "用于手工焊焊工",
		"SMAW-FeⅡ-1G":                  "格式不正确",
		"SMAW-FeⅡ/FeⅣ/FeⅠ-1G-12-Fef3J": "最多写两个类别",
	} {
		_, err := Parse(in)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: err = %v, want %q", in, err, want)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"SMAW-FeⅡ-6G(K)-9/57-Fef3J", "SAW-1G(K)-07/08/19", "GTAW-FeIV-6G-3/57-FefS-02/11/12", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := Parse(s)
		if err != nil {
			return
		}
		again, err := Parse(c.String())
		if err != nil || again.String() != c.String() {
			t.Fatalf("%q → %q does not read back: %v", s, c.String(), err)
		}
	})
}
