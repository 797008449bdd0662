package idcheck

import (
	"errors"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"opcert/internal/civil"
)

var testToday = civil.New(2025, time.June, 1)

// wantUserError fails unless err is an *Error with the given code prefix and
// a readable Chinese message.
func wantUserError(t *testing.T, err error, codePrefix string) *Error {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) || e == nil {
		t.Fatalf("error %v (%T) is not *Error", err, err)
	}
	if !strings.HasPrefix(e.Code, codePrefix) {
		t.Errorf("code %q, want prefix %q", e.Code, codePrefix)
	}
	if !utf8.ValidString(e.Message) || !strings.ContainsFunc(e.Message, func(r rune) bool { return unicode.Is(unicode.Han, r) }) {
		t.Errorf("message %q is not a Chinese sentence", e.Message)
	}
	if e.Error() != e.Message {
		t.Errorf("Error() = %q, want the message %q", e.Error(), e.Message)
	}
	return e
}

// Vectors: GB 11643-1999 gives 11010519491231002X as its example; the other
// valid numbers were built with ResidentIDCheckChar.
func TestParseResidentID(t *testing.T) {
	tests := []struct {
		name, in string
		want     ResidentID
		code     string // failure code; empty when valid
		msg      string // exact message, when it matters
	}{
		{name: "GB 11643 example", in: "11010519491231002X",
			want: ResidentID{Number: "11010519491231002X", Region: "110105", BirthDate: civil.New(1949, 12, 31), Sex: Female}},
		{name: "lower-case x", in: "11010519491231002x",
			want: ResidentID{Number: "11010519491231002X", Region: "110105", BirthDate: civil.New(1949, 12, 31), Sex: Female}},
		{name: "spaces and full-width digits", in: " １１０１０５１９４９１２３１００２ｘ　",
			want: ResidentID{Number: "11010519491231002X", Region: "110105", BirthDate: civil.New(1949, 12, 31), Sex: Female}},
		{name: "male, digit check char", in: "440300199001011238",
			want: ResidentID{Number: "440300199001011238", Region: "440300", BirthDate: civil.New(1990, 1, 1), Sex: Male}},
		{name: "15-digit legacy gets 19 and a check char", in: "110105491231002",
			want: ResidentID{Number: "11010519491231002X", Region: "110105", BirthDate: civil.New(1949, 12, 31), Sex: Female, Legacy15: true}},
		{name: "leap day 2000-02-29", in: "110105200002290013",
			want: ResidentID{Number: "110105200002290013", Region: "110105", BirthDate: civil.New(2000, 2, 29), Sex: Male}},
		{name: "earliest birth date", in: "11010519000101001X",
			want: ResidentID{Number: "11010519000101001X", Region: "110105", BirthDate: civil.New(1900, 1, 1), Sex: Male}},
		{name: "born today", in: mustID(t, "11010520250601002"),
			want: ResidentID{Number: mustID(t, "11010520250601002"), Region: "110105", BirthDate: testToday, Sex: Female}},

		{name: "empty", in: "  ", code: CodeIDLength, msg: "请填写身份证号码"},
		{name: "17 digits", in: "11010519491231002", code: CodeIDLength, msg: "身份证号码应为18位（老号码为15位），您输入了17位"},
		{name: "19 characters", in: "11010519491231002X1", code: CodeIDLength},
		{name: "letter", in: "11010519491231002A", code: CodeIDChars, msg: "身份证号码中不能有“A”，只能填写数字（最后一位可以是X）"},
		{name: "inner space", in: "110105 19491231002X", code: CodeIDChars, msg: "身份证号码中不能有空格，只能填写数字（最后一位可以是X）"},
		{name: "Chinese text", in: "身份证", code: CodeIDChars},
		{name: "X not last", in: "1101051949123100X2", code: CodeIDChars, msg: "身份证号码中只有最后一位可以是X"},
		{name: "15 digits with X", in: "11010549123100X", code: CodeIDChars},
		// GB 11643-1999: the birth date code is a real date (GB/T 7408).
		{name: "February 30", in: "110105199902300015", code: CodeIDBirthDate, msg: "身份证号码中的出生日期 1999年02月30日 不存在"},
		{name: "1900 was not a leap year", in: "110105190002290017", code: CodeIDBirthDate, msg: "身份证号码中的出生日期 1900年02月29日 不存在"},
		{name: "month 13", in: mustID(t, "11010519901301001"), code: CodeIDBirthDate, msg: "身份证号码中的出生日期 1990年13月01日 不存在"},
		{name: "day 00", in: mustID(t, "11010519900100001"), code: CodeIDBirthDate},
		{name: "15-digit impossible date", in: "110105490230002", code: CodeIDBirthDate, msg: "身份证号码中的出生日期 1949年02月30日 不存在"},
		{name: "born tomorrow", in: mustID(t, "11010520250602001"), code: CodeIDBirthDate, msg: "身份证号码中的出生日期 2025年06月02日 晚于今天，请核对"},
		{name: "before 1900", in: mustID(t, "11010518991231001"), code: CodeIDBirthDate, msg: "身份证号码中的出生日期 1899年12月31日 早于1900年，请核对"},
		{name: "wrong check char", in: "110105194912310021", code: CodeIDChecksum, msg: "身份证号码最后一位校验码“1”不正确，请逐位核对号码后重新输入"},
		{name: "transposed digits", in: "11010519491231020X", code: CodeIDChecksum},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseResidentID(tt.in, testToday)
			if tt.code == "" {
				if err != nil {
					t.Fatalf("ParseResidentID(%q): %v", tt.in, err)
				}
				if got != tt.want {
					t.Errorf("ParseResidentID(%q) = %+v, want %+v", tt.in, got, tt.want)
				}
				return
			}
			if err == nil {
				t.Fatalf("ParseResidentID(%q) = %+v, want error %s", tt.in, got, tt.code)
			}
			e := wantUserError(t, err, tt.code)
			if e.Code != tt.code {
				t.Errorf("code %q, want %q (%s)", e.Code, tt.code, e.Message)
			}
			if tt.msg != "" && e.Message != tt.msg {
				t.Errorf("message %q, want %q", e.Message, tt.msg)
			}
		})
	}
}

// mustID completes 17 digits with their GB 11643-1999 check character.
func mustID(t *testing.T, first17 string) string {
	t.Helper()
	c, err := ResidentIDCheckChar(first17)
	if err != nil {
		t.Fatal(err)
	}
	return first17 + string(c)
}

func TestResidentIDCheckChar(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want byte
	}{
		{"11010519491231002", 'X'}, // GB 11643-1999 example
		{"44030019900101123", '8'},
	} {
		if got, err := ResidentIDCheckChar(tt.in); err != nil || got != tt.want {
			t.Errorf("ResidentIDCheckChar(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"", "1101051949123100", "1101051949123100X", "110105194912310021"} {
		if _, err := ResidentIDCheckChar(bad); err == nil {
			t.Errorf("ResidentIDCheckChar(%q) accepted", bad)
		}
	}
}

func TestSexString(t *testing.T) {
	if Male.String() != "男" || Female.String() != "女" || SexUnknown.String() != "" {
		t.Errorf("Sex strings: %q %q %q", Male, Female, SexUnknown)
	}
}

// Vectors for GB 32100-2015. 91350100M000100Y30 is 91350100M000100Y43 with
// position 17 changed so that Σ cᵢ·wᵢ ≡ 0 (mod 31): v = 31 must become check
// character '0'.
func TestCreditCode(t *testing.T) {
	tests := []struct {
		name, in, want string
		code, msg      string
	}{
		{name: "GB 32100 example", in: "91350100M000100Y43", want: "91350100M000100Y43"},
		{name: "lower case and spaces", in: " 91350100m000100y43 ", want: "91350100M000100Y43"},
		{name: "sum divisible by 31; inner code fails GB/T 11714 but is not checked", in: "91350100M000100Y30", want: "91350100M000100Y30"},
		{name: "sum divisible by 31; inner code passes GB/T 11714", in: "91310000MA00003490", want: "91310000MA00003490"},

		{name: "empty", in: "", code: CodeUSCCLength, msg: "请填写统一社会信用代码"},
		{name: "17 characters", in: "91350100M000100Y4", code: CodeUSCCLength, msg: "统一社会信用代码应为18位，您输入了17位"},
		{name: "letter O", in: "91350100MO00100Y43", code: CodeUSCCChars, msg: "统一社会信用代码中不会有字母“O”（代码不使用 I、O、S、V、Z），请核对"},
		{name: "lower-case i", in: "91350100Mi00100Y43", code: CodeUSCCChars, msg: "统一社会信用代码中不会有字母“I”（代码不使用 I、O、S、V、Z），请核对"},
		{name: "hyphen", in: "91350100-M000100Y4", code: CodeUSCCChars, msg: "统一社会信用代码中不能有“-”，只能填写数字和字母"},
		{name: "wrong check char", in: "91350100M000100Y44", code: CodeUSCCChecksum, msg: "统一社会信用代码最后一位校验码“4”不正确，请逐位核对后重新输入"},
		// A naive charset[31-r] implementation would expect no valid char here.
		{name: "sum divisible by 31, wrong check", in: "91350100M000100Y3Y", code: CodeUSCCChecksum},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := CreditCode(tt.in)
			if tt.code == "" {
				if err != nil || got != tt.want {
					t.Fatalf("CreditCode(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
				}
				return
			}
			if err == nil {
				t.Fatalf("CreditCode(%q) = %q, want error %s", tt.in, got, tt.code)
			}
			e := wantUserError(t, err, tt.code)
			if e.Code != tt.code {
				t.Errorf("code %q, want %q (%s)", e.Code, tt.code, e.Message)
			}
			if tt.msg != "" && e.Message != tt.msg {
				t.Errorf("message %q, want %q", e.Message, tt.msg)
			}
		})
	}
}

// TestCreditCodeCheckCharZero generates, for every prefix of 16 characters
// taken from the example, the one position-17 character that makes
// Σ ≡ 0 (mod 31) (weight 28 is invertible mod 31), and checks that the
// GB 32100-2015 rule v = 31 → 0 gives '0'.
func TestCreditCodeCheckCharZero(t *testing.T) {
	base := "91350100M000100Y43"
	found := 0
	for i := 0; i < 16; i++ {
		for _, c := range usccCharset {
			prefix := base[:i] + string(c) + base[i+1:16]
			for _, last := range usccCharset {
				first17 := prefix + string(last)
				sum := 0
				for j, w := range usccWeights {
					sum += strings.IndexByte(usccCharset, first17[j]) * w
				}
				if sum%31 != 0 {
					continue
				}
				found++
				got, err := CreditCodeCheckChar(first17)
				if err != nil || got != '0' {
					t.Fatalf("CreditCodeCheckChar(%q) = %q, %v; want '0'", first17, got, err)
				}
				if _, err := CreditCode(first17 + "0"); err != nil {
					t.Fatalf("CreditCode(%q0): %v", first17, err)
				}
			}
		}
	}
	if found < 16*31 {
		t.Errorf("only %d codes with Σ ≡ 0 (mod 31) generated", found)
	}
}

// GB/T 11714 vectors. M000100Y4 is the 主体标识码 of the GB 32100 example;
// the others were computed by hand to reach each branch of c = 11 − (Σ mod 11).
func TestOrganisationCodeValid(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want bool
	}{
		{"M000100Y4", true},
		{"m000100y4", true},
		{"MA0000349", true},
		{"000000051", true}, // Σ = 5·2 = 10, c = 1
		{"000000107", true}, // Σ = 1·4 = 4, c = 7
		{"0000000A2", true}, // A = 10: Σ = 20 ≡ 9, c = 2
		{"000000000", true}, // c = 11 is written 0
		{"00100007X", true}, // Σ = 9 + 14 = 23 ≡ 1, c = 10 is written X
		{"001000070", false},
		{"M000100Y3", false}, // from the Σ ≡ 0 (mod 31) credit code: that code is valid, this is not
		{"M000100Y", false},
		{"M000100-4", false},
		{"M000100Y4 ", false},
	} {
		if got := OrganisationCodeValid(tt.in); got != tt.want {
			t.Errorf("OrganisationCodeValid(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestMobile(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"13800138000", "13800138000"},
		{"138 0013 8000", "13800138000"},
		{"138-0013-8000", "13800138000"},
		{"+86 138 0013 8000", "13800138000"},
		{"+86-13800138000", "13800138000"},
		{"8613800138000", "13800138000"},
		{"１９９１２３４５６７８", "19912345678"},
		{"18612345678", "18612345678"}, // a number that itself begins 186 keeps its 86
	} {
		if got, err := Mobile(tt.in); err != nil || got != tt.want {
			t.Errorf("Mobile(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	for _, tt := range []struct{ in, msg string }{
		{"", "请填写手机号码"},
		{"1380013800", "手机号码应为11位数字，您输入了10位"},
		{"138001380001", "手机号码应为11位数字，您输入了12位"},
		{"12800138000", "手机号码应以13至19开头，请核对"},
		{"23800138000", "手机号码应以13至19开头，请核对"},
		{"138OO138000", "手机号码中不能有“O”，只能填写数字"},
		{"(010)62345678", "手机号码中不能有“(”，只能填写数字"},
		{"86+13800138000", "手机号码中不能有“+”，只能填写数字"},
	} {
		_, err := Mobile(tt.in)
		if err == nil {
			t.Errorf("Mobile(%q) accepted", tt.in)
			continue
		}
		if e := wantUserError(t, err, CodeMobile); e.Message != tt.msg {
			t.Errorf("Mobile(%q): %q, want %q", tt.in, e.Message, tt.msg)
		}
	}
}

func TestPostcode(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"100000", "100000"},
		{" 200030 ", "200030"},
		{"999077", "999077"}, // no rule on the first digit
	} {
		if got, err := Postcode(tt.in); err != nil || got != tt.want {
			t.Errorf("Postcode(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	for _, tt := range []struct{ in, msg string }{
		{"", "请填写邮政编码"},
		{"10000", "邮政编码应为6位数字，您输入了5位"},
		{"1000000", "邮政编码应为6位数字，您输入了7位"},
		{"1000O0", "邮政编码中不能有“O”，只能填写数字"},
	} {
		_, err := Postcode(tt.in)
		if err == nil {
			t.Errorf("Postcode(%q) accepted", tt.in)
			continue
		}
		if e := wantUserError(t, err, CodePostcode); e.Message != tt.msg {
			t.Errorf("Postcode(%q): %q, want %q", tt.in, e.Message, tt.msg)
		}
	}
}

// FuzzParseResidentID checks, for any input, that a failure is a readable
// *Error and that a success is a fixed point whose GB 11643-1999 check
// character is the only one accepted. Inputs that are 17 digits plus anything
// are also completed with their own check character, so the valid path is
// exercised far more often than random strings would reach it.
func FuzzParseResidentID(f *testing.F) {
	for _, s := range []string{
		"11010519491231002X", "11010519491231002x", "110105491231002", "110105200002290013",
		"110105190002290017", "110105199902300015", "440300199001011238", " １１０１０５４９１２３１００２ ",
		"", "X", "1101051949123100X2", "11010518991231001X", "110105202506020011",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		checkResidentID(t, s)
		if len(s) == 18 {
			if c, err := ResidentIDCheckChar(s[:17]); err == nil {
				checkResidentID(t, s[:17]+string(c))
			}
		}
	})
}

func checkResidentID(t *testing.T, s string) {
	id, err := ParseResidentID(s, testToday)
	if err != nil {
		wantUserError(t, err, "id_")
		return
	}
	n := id.Number
	if len(n) != 18 || !allDigits(n[:17]) || !strings.ContainsRune(idCheckChars, rune(n[17])) {
		t.Fatalf("ParseResidentID(%q).Number = %q", s, n)
	}
	if c, _ := ResidentIDCheckChar(n[:17]); c != n[17] {
		t.Fatalf("ParseResidentID(%q) = %q with check char %q, want %q", s, n, n[17], c)
	}
	if id.Region != n[:6] || id.BirthDate.Before(earliestBirth) || id.BirthDate.After(testToday) {
		t.Fatalf("ParseResidentID(%q) = %+v", s, id)
	}
	if id.Legacy15 && n[6:8] != "19" {
		t.Fatalf("legacy %q converted to %q", s, n)
	}
	again, err := ParseResidentID(n, testToday)
	id.Legacy15 = false
	if err != nil || again != id {
		t.Fatalf("re-parsing %q: %+v, %v; want %+v", n, again, err, id)
	}
	for _, c := range idCheckChars {
		if byte(c) == n[17] {
			continue
		}
		_, err := ParseResidentID(n[:17]+string(c), testToday)
		if err == nil {
			t.Fatalf("%q accepted with check char %q instead of %q", n[:17]+string(c), c, n[17])
		}
		if e := wantUserError(t, err, CodeIDChecksum); e.Code != CodeIDChecksum {
			t.Fatalf("%q: code %q, want %q", n[:17]+string(c), e.Code, CodeIDChecksum)
		}
	}
}

// FuzzCreditCode: as FuzzParseResidentID, for GB 32100-2015.
func FuzzCreditCode(f *testing.F) {
	for _, s := range []string{
		"91350100M000100Y43", "91350100m000100y43", "91350100M000100Y30", "91310000MA00003490",
		"91350100MO00100Y43", "91350100M000100Y44", "", "YYYYYYYYYYYYYYYYYY", "00000000000000000 ",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		checkCreditCode(t, s)
		if len(s) == 18 {
			if c, err := CreditCodeCheckChar(s[:17]); err == nil {
				checkCreditCode(t, s[:17]+string(c))
			}
		}
	})
}

func checkCreditCode(t *testing.T, s string) {
	code, err := CreditCode(s)
	if err != nil {
		wantUserError(t, err, "uscc_")
		return
	}
	if len(code) != 18 || strings.Trim(code, usccCharset) != "" {
		t.Fatalf("CreditCode(%q) = %q", s, code)
	}
	if c, _ := CreditCodeCheckChar(code[:17]); c != code[17] {
		t.Fatalf("CreditCode(%q) = %q with check char %q, want %q", s, code, code[17], c)
	}
	for _, in := range []string{code, strings.ToLower(code), " " + code + "\t"} {
		if again, err := CreditCode(in); err != nil || again != code {
			t.Fatalf("CreditCode(%q) = %q, %v; want %q", in, again, err, code)
		}
	}
	for _, c := range usccCharset {
		if byte(c) == code[17] {
			continue
		}
		_, err := CreditCode(code[:17] + string(c))
		if err == nil {
			t.Fatalf("%q accepted with check char %q instead of %q", code[:17]+string(c), c, code[17])
		}
		if e := wantUserError(t, err, CodeUSCCChecksum); e.Code != CodeUSCCChecksum {
			t.Fatalf("%q: code %q, want %q", code[:17]+string(c), e.Code, CodeUSCCChecksum)
		}
	}
}

// FuzzMobile: a failure is a readable *Error; a success is 11 digits 1[3-9]…
// that every accepted spelling of the same number maps back to.
func FuzzMobile(f *testing.F) {
	for _, s := range []string{
		"13800138000", "+86 138 0013 8000", "8613800138000", "138-0013-8000", "１３８００１３８０００",
		"12800138000", "+86", "86", "", "+8618612345678", "1380013800０",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := Mobile(s)
		if err != nil {
			wantUserError(t, err, CodeMobile)
			return
		}
		if len(m) != 11 || !allDigits(m) || m[0] != '1' || m[1] < '3' {
			t.Fatalf("Mobile(%q) = %q", s, m)
		}
		for _, in := range []string{m, "+86" + m, "86" + m, "+86 " + m[:3] + " " + m[3:7] + " " + m[7:], m[:3] + "-" + m[3:7] + "-" + m[7:]} {
			if again, err := Mobile(in); err != nil || again != m {
				t.Fatalf("Mobile(%q) = %q, %v; want %q", in, again, err, m)
			}
		}
	})
}
