package demo

import (
	"regexp"
	"slices"
	"strconv"
	"strings"

	"opcert/internal/idcheck"
)

// PersonalData is what of the demo must never be written to a log (PIPL;
// GB/T 22239-2019 8.1.4.8 个人信息保护): every holder's 证件号码 and
// certificate number in both cases of a check character X, and every demo
// mobile.
func (d Data) PersonalData() []string {
	var out []string
	add := func(s string) {
		if s == "" {
			return
		}
		for _, v := range []string{s, strings.ToLower(s), strings.ToUpper(s)} {
			if !slices.Contains(out, v) {
				out = append(out, v)
			}
		}
	}
	for _, h := range d.Holdings {
		add(h.Holder.IDNumber)
		add(h.Holder.Mobile)
		for _, c := range h.Certificates {
			add(c.Number)
		}
	}
	for _, a := range d.Applicants {
		add(a.IDNumber)
		add(a.Mobile)
	}
	add(ZhouFangMobile)
	add(SunLeiMobile)
	return out
}

// residentIDShape is 18 characters that could be a resident ID number, not
// part of a longer run of digits or letters.
var residentIDShape = regexp.MustCompile(`(?:^|[^0-9A-Za-z])([1-9][0-9]{16}[0-9Xx])(?:[^0-9A-Za-z]|$)`)

// LeaksIn returns the lines of a log that hold personal data: any of the
// demo's (PersonalData), any of extra (the numbers a test typed), or any
// resident ID number whose check character is right, with what was found.
func (d Data) LeaksIn(log string, extra ...string) []string {
	personal := d.PersonalData()
	for _, e := range extra {
		personal = append(personal, e, strings.ToLower(e), strings.ToUpper(e))
	}
	var out []string
	for i, line := range strings.Split(log, "\n") {
		found := ""
		for _, p := range personal {
			if strings.Contains(line, p) {
				found = p
				break
			}
		}
		if found == "" {
			for _, m := range residentIDShape.FindAllStringSubmatch(line, -1) {
				id := strings.ToUpper(m[1])
				if c, err := idcheck.ResidentIDCheckChar(id[:17]); err == nil && c == id[17] {
					found = m[1]
					break
				}
			}
		}
		if found != "" {
			out = append(out, "line "+strconv.Itoa(i+1)+" holds "+found+": "+line)
		}
	}
	return out
}
