package document

import (
	"bytes"
	"compress/flate"
	"io"
	"math/rand/v2"
	"testing"
)

// Every table written by appendPeriodicBlock inflates to itself with
// compress/flate, whatever its runs: none, shorter than a match, exactly
// the longest match and one past it, and tables of 2- and 4-byte entries.
func TestPeriodicBlockInflates(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	entries := func(width, n int, change float64) []byte {
		b := make([]byte, 0, width*n)
		v := uint32(0)
		for range n {
			if rng.Float64() < change {
				v += uint32(rng.IntN(4000))
			}
			for k := width - 1; k >= 0; k-- {
				b = append(b, byte(v>>(8*k)))
			}
		}
		return b
	}
	cases := map[string][]byte{
		"empty":       nil,
		"one byte":    {7},
		"two entries": {0, 1, 0, 1},
		"random":      entries(1, 5000, 1),
		"zeros 258":   make([]byte, 4+258),
		"zeros 259":   make([]byte, 4+259),
		"zeros 260":   make([]byte, 4+260),
		"zeros 261":   make([]byte, 4+261),
		"short loca":  entries(2, 30000, 0.01),
		"long loca":   entries(4, 30000, 0.01),
		"every entry": entries(4, 3000, 1),
	}
	for name, b := range cases {
		z := appendPeriodicBlock([]byte("prefix"), b, 4)
		if !bytes.HasPrefix(z, []byte("prefix")) {
			t.Fatalf("%s: what was there before is changed", name)
		}
		got, err := io.ReadAll(flate.NewReader(bytes.NewReader(z[len("prefix"):])))
		if err != nil || !bytes.Equal(got, b) {
			t.Errorf("%s: inflated %d bytes (%v), want the %d written", name, len(got), err, len(b))
		}
		if name == "long loca" && len(z) > len(b)/20 {
			t.Errorf("long loca: %d bytes deflated to %d: the runs are not matched", len(b), len(z))
		}
	}
}
