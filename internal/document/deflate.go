package document

// A deflate block (RFC 1951) for the tables of a font subset that are
// mostly a value repeated: loca, where every glyph the document does not
// use repeats the offset of the one before (about 100 KB for the embedded
// face, whatever the document holds), and the sparse hmtx of a fallback
// face, zeros but for the used glyphs. compress/flate found the runs too,
// but spent half a millisecond a document hashing and searching every
// position; a run of a table of fixed-width entries is a match at the
// distance of one entry, so that is the only match looked for.

// bitWriter appends bits least significant first, as deflate packs them.
type bitWriter struct {
	out   []byte
	acc   uint64
	nbits uint
}

func (w *bitWriter) bits(v uint64, n uint) {
	w.acc |= v << w.nbits
	w.nbits += n
	for w.nbits >= 8 {
		w.out = append(w.out, byte(w.acc))
		w.acc >>= 8
		w.nbits -= 8
	}
}

// code writes a Huffman code of n bits, which deflate packs most
// significant bit first.
func (w *bitWriter) code(c uint32, n uint) {
	var r uint32
	for i := uint(0); i < n; i++ {
		r = r<<1 | (c>>i)&1
	}
	w.bits(uint64(r), n)
}

// fixedLiteral writes literal/length symbol s with the fixed Huffman code
// (RFC 1951 3.2.6).
func (w *bitWriter) fixedLiteral(s int) {
	switch {
	case s < 144:
		w.code(uint32(0x30+s), 8)
	case s < 256:
		w.code(uint32(0x190+s-144), 9)
	case s < 280:
		w.code(uint32(s-256), 7)
	default:
		w.code(uint32(0xc0+s-280), 8)
	}
}

// lengthBase and lengthExtra are the match lengths of symbols 257…285
// (RFC 1951 3.2.5).
var (
	lengthBase  = [29]int{3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258}
	lengthExtra = [29]uint{0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0}
)

// match writes a match of length l (3…258) at distance d (1…4, distance
// codes 0…3, which have no extra bits).
func (w *bitWriter) match(l, d int) {
	i := len(lengthBase) - 1
	for lengthBase[i] > l {
		i--
	}
	w.fixedLiteral(257 + i)
	w.bits(uint64(l-lengthBase[i]), lengthExtra[i])
	w.code(uint32(d-1), 5)
}

// appendPeriodicBlock appends b to dst as one final deflate block with the
// fixed codes, its repeats of the entry before (period bytes back, at most
// 4) written as matches, everything else as literals. dst must end on a
// byte boundary of the stream (after a stored block or a sync flush), and
// nothing written before is referred to.
func appendPeriodicBlock(dst, b []byte, period int) []byte {
	w := bitWriter{out: dst}
	w.bits(1, 1) // BFINAL
	w.bits(1, 2) // BTYPE 01: fixed Huffman codes
	for i := 0; i < len(b); {
		n := 0
		if i >= period {
			for i+n < len(b) && n < 258 && b[i+n] == b[i+n-period] {
				n++
			}
		}
		if n >= 3 {
			w.match(n, period)
			i += n
			continue
		}
		w.fixedLiteral(int(b[i]))
		i++
	}
	w.fixedLiteral(256) // end of block
	if w.nbits > 0 {
		w.bits(0, 8-w.nbits)
	}
	return w.out
}
