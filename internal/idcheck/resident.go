package idcheck

import (
	"strings"
	"time"

	"opcert/internal/civil"
)

// Sex is read from the sequence code of a resident ID.
type Sex int

const (
	SexUnknown Sex = iota
	Male
	Female
)

func (s Sex) String() string {
	switch s {
	case Male:
		return "男"
	case Female:
		return "女"
	}
	return ""
}

// ResidentID is a parsed 公民身份号码 (GB 11643-1999).
type ResidentID struct {
	Number    string     // normalised 18-character form; a 15-digit input is converted
	Region    string     // address code, first 6 digits
	BirthDate civil.Date // digits 7–14
	Sex       Sex        // 17th digit: odd 男, even 女
	Legacy15  bool       // the input was a 15-digit number
}

// GB 11643-1999 (ISO 7064 MOD 11-2): weight i is 2^(17-i) mod 11 and the
// check character is idCheckChars[Σ aᵢ·wᵢ mod 11].
var idWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

const idCheckChars = "10X98765432"

// earliestBirth bounds the birth year: 18-digit numbers carry a four-digit
// year, and nobody alive to apply for a certificate was born before 1900.
var earliestBirth = civil.New(1900, time.January, 1)

// ResidentIDCheckChar computes the GB 11643-1999 check character ('0'–'9' or
// 'X') for the first 17 digits of a resident ID.
func ResidentIDCheckChar(first17 string) (byte, error) {
	if len(first17) != 17 {
		return 0, fail(CodeIDLength, "身份证号码前17位应为17位数字")
	}
	if !allDigits(first17) {
		return 0, fail(CodeIDChars, "身份证号码前17位只能是数字")
	}
	sum := 0
	for i, w := range idWeights {
		sum += int(first17[i]-'0') * w
	}
	return idCheckChars[sum%11], nil
}

// ParseResidentID validates a resident ID number as typed by an applicant and
// returns it in normalised 18-character form.
//
// The region code is not checked against the current list of districts:
// numbers keep the code of the district that issued them, and many of those
// districts have since been merged or renamed. The birth date must exist, must
// not be after today and must not be before 1900-01-01.
func ParseResidentID(s string, today civil.Date) (ResidentID, error) {
	s = clean(s)
	if s == "" {
		return ResidentID{}, fail(CodeIDLength, "请填写身份证号码")
	}
	for _, r := range s {
		if !isDigit(r) && r != 'X' && r != 'x' {
			return ResidentID{}, fail(CodeIDChars, "身份证号码中不能有%s，只能填写数字（最后一位可以是X）", quote(r))
		}
	}
	s = strings.ToUpper(s)

	legacy := len(s) == 15
	switch {
	case legacy:
		// 15-digit numbers (issued before 1999) have no check character
		// and a two-digit year in the 1900s.
		if !allDigits(s) {
			return ResidentID{}, fail(CodeIDChars, "15位的老身份证号码只能是数字")
		}
		s = s[:6] + "19" + s[6:]
	case len(s) == 18:
		if i := strings.IndexByte(s, 'X'); i >= 0 && i != 17 {
			return ResidentID{}, fail(CodeIDChars, "身份证号码中只有最后一位可以是X")
		}
	default:
		return ResidentID{}, fail(CodeIDLength, "身份证号码应为18位（老号码为15位），您输入了%d位", len(s))
	}

	birth, err := birthDate(s[6:14], today)
	if err != nil {
		return ResidentID{}, err
	}

	check, _ := ResidentIDCheckChar(s[:17])
	if legacy {
		s += string(check)
	} else if s[17] != check {
		return ResidentID{}, fail(CodeIDChecksum, "身份证号码最后一位校验码“%c”不正确，请逐位核对号码后重新输入", s[17])
	}

	sex := Female
	if (s[16]-'0')%2 == 1 {
		sex = Male
	}
	return ResidentID{Number: s, Region: s[:6], BirthDate: birth, Sex: sex, Legacy15: legacy}, nil
}

// birthDate reads the eight digits YYYYMMDD of an 18-character number.
func birthDate(ymd string, today civil.Date) (civil.Date, error) {
	y, m, d := atoi(ymd[:4]), time.Month(atoi(ymd[4:6])), atoi(ymd[6:])
	// civil.New normalises 02-30 to 03-02, so a date that changes does not exist.
	date := civil.New(y, m, d)
	switch {
	case date != civil.Date{Year: y, Month: m, Day: d}:
		return civil.Date{}, fail(CodeIDBirthDate, "身份证号码中的出生日期 %s年%s月%s日 不存在", ymd[:4], ymd[4:6], ymd[6:])
	case date.After(today):
		return civil.Date{}, fail(CodeIDBirthDate, "身份证号码中的出生日期 %s 晚于今天，请核对", date.Chinese())
	case date.Before(earliestBirth):
		return civil.Date{}, fail(CodeIDBirthDate, "身份证号码中的出生日期 %s 早于1900年，请核对", date.Chinese())
	}
	return date, nil
}

// atoi reads a string already known to be ASCII digits.
func atoi(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}
