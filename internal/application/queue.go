package application

import (
	"strings"
	"unicode"

	"opcert/internal/idcheck"
)

// SearchKind is what a back-office search term is taken to be.
type SearchKind int

const (
	SearchNone     SearchKind = iota
	SearchNumber              // a 申请号: twelve digits (YYMMDD and a sequence)
	SearchIDNumber            // a 证件号码: a resident ID, or letters and digits
	SearchName                // an applicant's name
)

// ClassifySearch reads the one search box of the queue: a 申请号, a 证件号码
// or a name, told apart by their shape, as a clerk answering the phone types
// whichever the caller gives. A 证件号码 is returned in upper case (a final x
// of a resident ID is X).
func ClassifySearch(term string) (SearchKind, string) {
	t := strings.TrimSpace(term)
	switch {
	case t == "":
		return SearchNone, ""
	case len(t) == 12 && allDigits(t):
		return SearchNumber, t
	case len(t) == 15 && allDigits(t):
		return SearchIDNumber, upgradeResidentID(t)
	case isDocumentNumber(t):
		return SearchIDNumber, strings.ToUpper(t)
	}
	return SearchName, t
}

// upgradeResidentID writes a 15-digit resident ID (issued before GB
// 11643-1999, every holder born in the 1900s) as the 18-digit number the
// registry keeps: the century inserted before the birth year and the check
// character computed. A caller reading an old card is still found.
func upgradeResidentID(old string) string {
	first17 := old[:6] + "19" + old[6:]
	c, err := idcheck.ResidentIDCheckChar(first17)
	if err != nil {
		return old
	}
	return first17 + string(c)
}

func allDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// isDocumentNumber: ASCII letters and digits with at least five digits —
// resident IDs, passports and 港澳台 permits; a name has none.
func isDocumentNumber(s string) bool {
	digits := 0
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r < unicode.MaxASCII && unicode.IsLetter(r):
		default:
			return false
		}
	}
	return digits >= 5
}
