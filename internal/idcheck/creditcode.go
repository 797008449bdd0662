package idcheck

import (
	"strings"
	"unicode"
)

// GB 32100-2015: 31 symbols, value = index; I, O, S, V and Z are never used,
// as they are easily confused with other symbols.
const usccCharset = "0123456789ABCDEFGHJKLMNPQRTUWXY"

// GB 32100-2015: weight i is 3^(i-1) mod 31.
var usccWeights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// GB/T 11714 organisation code: weights for the 8-character body.
var orgWeights = [8]int{3, 7, 9, 10, 5, 8, 4, 2}

// CreditCodeCheckChar computes the GB 32100-2015 check character for the first
// 17 characters of a unified social credit code (upper or lower case).
func CreditCodeCheckChar(first17 string) (byte, error) {
	first17 = strings.ToUpper(first17)
	if len(first17) != 17 {
		return 0, fail(CodeUSCCLength, "统一社会信用代码前17位应为17个字符")
	}
	sum := 0
	for i, w := range usccWeights {
		v := strings.IndexByte(usccCharset, first17[i])
		if v < 0 {
			return 0, fail(CodeUSCCChars, "统一社会信用代码前17位含有无效字符")
		}
		sum += v * w
	}
	// v = 31 − (Σ mod 31), and v = 31 stands for 0: a plain
	// usccCharset[31-Σ%31] runs off the end when Σ is a multiple of 31.
	return usccCharset[(31-sum%31)%31], nil
}

// CreditCode validates a 统一社会信用代码 (GB 32100-2015) and returns it
// upper-cased.
//
// Positions 9–17 (主体标识码) are not checked against GB/T 11714: some real codes
// carry identifiers that do not follow it. See OrganisationCodeValid.
func CreditCode(s string) (string, error) {
	s = clean(s)
	if s == "" {
		return "", fail(CodeUSCCLength, "请填写统一社会信用代码")
	}
	for _, r := range s {
		u := unicode.ToUpper(r)
		switch {
		case r < 0x80 && strings.IndexByte(usccCharset, byte(u)) >= 0:
		case r < 0x80 && 'A' <= u && u <= 'Z':
			return "", fail(CodeUSCCChars, "统一社会信用代码中不会有字母%s（代码不使用 I、O、S、V、Z），请核对", quote(u))
		default:
			return "", fail(CodeUSCCChars, "统一社会信用代码中不能有%s，只能填写数字和字母", quote(r))
		}
	}
	s = strings.ToUpper(s)
	if len(s) != 18 {
		return "", fail(CodeUSCCLength, "统一社会信用代码应为18位，您输入了%d位", len(s))
	}
	if check, _ := CreditCodeCheckChar(s[:17]); s[17] != check {
		return "", fail(CodeUSCCChecksum, "统一社会信用代码最后一位校验码“%c”不正确，请逐位核对后重新输入", s[17])
	}
	return s, nil
}

// OrganisationCodeValid reports whether code9 (positions 9–17 of a credit code,
// or an old 组织机构代码 without its hyphen) passes the GB/T 11714 check:
// c = 11 − (Σ mod 11), where 10 is written X and 11 is written 0.
func OrganisationCodeValid(code9 string) bool {
	code9 = strings.ToUpper(code9)
	if len(code9) != 9 {
		return false
	}
	sum := 0
	for i, w := range orgWeights {
		c := code9[i]
		switch {
		case '0' <= c && c <= '9':
			sum += int(c-'0') * w
		case 'A' <= c && c <= 'Z':
			sum += int(c-'A'+10) * w
		default:
			return false
		}
	}
	return code9[8] == "?123456789X0"[11-sum%11]
}
