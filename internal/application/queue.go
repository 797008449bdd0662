package application

import (
	"strings"
	"unicode"
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
	case isDocumentNumber(t):
		return SearchIDNumber, strings.ToUpper(t)
	}
	return SearchName, t
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
