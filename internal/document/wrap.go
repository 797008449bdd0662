package document

import (
	"strings"
	"unicode"
)

// Wrap breaks text into lines no wider than width (mm) at size.
//
// Chinese has no spaces, so a line may break between any two characters;
// runs of ASCII letters, digits and symbols (ID numbers, item codes such as
// Q2, dates, URLs) stay whole unless wider than a line. 避头尾, the basic
// line-breaking rule of Chinese typesetting (as in GB/T 15834 practice and
// W3C clreq §3.1.7): a closing mark (，。、；：？！）」》 …) never starts a line
// — the character before it moves down with it — and an opening mark
// (（「《“) or a checkbox never ends one. A space is a break opportunity and
// disappears at a line end. "\n" forces a break.
func (d *Doc) Wrap(text string, width, size float64) []string {
	var out []string
	for _, para := range strings.Split(strings.ReplaceAll(text, "\r", ""), "\n") {
		for _, l := range fitTokens(d.tokens(para, size, width), width) {
			out = append(out, joinTokens(l))
		}
	}
	return out
}

type token struct {
	s     string
	w     float64
	space bool
}

const (
	noLineStart = "，。、；：？！）」』》〉】〕〗”’…‥·％,.;:?!)]}%"
	noLineEnd   = "（「『《〈【〔〖“‘([{\uE000\uE001"
)

func (t token) first() rune {
	for _, r := range t.s {
		return r
	}
	return 0
}

func (t token) last() rune {
	var l rune
	for _, r := range t.s {
		l = r
	}
	return l
}

func (d *Doc) tokens(p string, size, width float64) []token {
	var toks []token
	var run strings.Builder
	flush := func() {
		if run.Len() == 0 {
			return
		}
		s := run.String()
		run.Reset()
		if w := d.TextWidth(s, size); w <= width {
			toks = append(toks, token{s: s, w: w})
			return
		}
		// A Latin run wider than the line (a long URL) breaks anywhere.
		for _, r := range s {
			toks = append(toks, token{s: string(r), w: d.runeWidth(r, size)})
		}
	}
	for _, r := range p {
		switch {
		case r == ' ' || r == '\t':
			flush()
			toks = append(toks, token{s: " ", w: d.runeWidth(' ', size), space: true})
		case invisible(r):
		case r > ' ' && r < 0x7f:
			run.WriteRune(r)
		default:
			flush()
			toks = append(toks, token{s: string(r), w: d.runeWidth(r, size)})
		}
	}
	flush()
	return toks
}

func fitTokens(toks []token, width float64) [][]token {
	const eps = 0.01
	var lines [][]token
	var cur []token
	var cw float64
	for _, t := range toks {
		if t.space && len(cur) == 0 && len(lines) > 0 {
			continue
		}
		if len(cur) == 0 || cw+t.w <= width+eps {
			cur = append(cur, t)
			cw += t.w
			continue
		}
		if t.space {
			lines = append(lines, cur)
			cur, cw = nil, 0
			continue
		}
		var carry []token
		if strings.ContainsRune(noLineStart, t.first()) {
			// Move characters down until the new line starts with one that
			// may; if the whole line would go, let the mark hang instead.
			k := len(cur)
			for k > 0 && (cur[k-1].space || strings.ContainsRune(noLineStart, cur[k-1].first())) {
				k--
			}
			if k > 1 {
				carry = append(carry, cur[k-1:]...)
				cur = cur[:k-1]
			} else {
				cur = append(cur, t)
				lines = append(lines, cur)
				cur, cw = nil, 0
				continue
			}
		}
		for len(cur) > 1 && strings.ContainsRune(noLineEnd, cur[len(cur)-1].last()) {
			carry = append([]token{cur[len(cur)-1]}, carry...)
			cur = cur[:len(cur)-1]
		}
		lines = append(lines, cur)
		cur = append(carry, t)
		cw = 0
		for _, c := range cur {
			cw += c.w
		}
	}
	return append(lines, cur)
}

func joinTokens(ts []token) string {
	for len(ts) > 0 && ts[len(ts)-1].space {
		ts = ts[:len(ts)-1]
	}
	var b strings.Builder
	for _, t := range ts {
		b.WriteString(t.s)
	}
	return b.String()
}

// invisible characters (controls, zero-width spaces, BOM, bidi marks) carry
// no ink, so pasted input containing them prints the same without them
// instead of failing as a missing glyph. So do variation selectors: one
// asks for a variant of the character before it (an emoji or text style,
// an ideographic variation sequence of the Ideographic Variation Database,
// as some name registers use), which gopdf cannot choose (it reads no
// format 14 cmap); the face's own glyph of the character is printed
// instead, and a face that maps the selector itself (HanaMinA does) must
// not print it as a character of its own.
func invisible(r rune) bool {
	if (r > ' ' && r < 0x7F) || (r >= 0x4E00 && r <= 0x9FFF) {
		// Most characters of a document: ASCII and the CJK Unified
		// Ideographs, none of them a control, format or selector.
		return false
	}
	return unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || unicode.Is(unicode.Variation_Selector, r)
}
