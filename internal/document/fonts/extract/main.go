// Command extract copies one face out of a TrueType Collection (.ttc) into a
// standalone .ttf, which PDF libraries accept where they refuse collections.
// It made fonts/wqy-microhei.ttf:
//
//	go run ./internal/document/fonts/extract /usr/share/fonts/truetype/wqy/wqy-microhei.ttc 0 internal/document/fonts/wqy-microhei.ttf
//
// A TTC starts with "ttcf", a version, a face count and one offset per face
// to that face's table directory; the tables themselves may be shared. The
// output is that directory followed by each table, 4-byte aligned, with the
// offsets rewritten. head.checkSumAdjustment is left as it was: readers do
// not check it.
package main

import (
	"encoding/binary"
	"fmt"
	"os"
	"strconv"
)

func main() {
	if len(os.Args) != 4 {
		fmt.Fprintln(os.Stderr, "usage: extract FONT.ttc FACE OUT.ttf")
		os.Exit(2)
	}
	face, _ := strconv.Atoi(os.Args[2])
	if err := extract(os.Args[1], face, os.Args[3]); err != nil {
		fmt.Fprintln(os.Stderr, "extract:", err)
		os.Exit(1)
	}
}

func extract(in string, face int, out string) error {
	b, err := os.ReadFile(in)
	if err != nil {
		return err
	}
	be := binary.BigEndian
	if len(b) < 12 || string(b[:4]) != "ttcf" {
		return fmt.Errorf("%s is not a TrueType Collection", in)
	}
	n := int(be.Uint32(b[8:]))
	if face < 0 || face >= n {
		return fmt.Errorf("face %d of %d", face, n)
	}
	if len(b) < 12+4*n {
		return fmt.Errorf("%s: truncated header", in)
	}
	dir := int(be.Uint32(b[12+4*face:]))
	if dir+12 > len(b) {
		return fmt.Errorf("%s: face %d directory out of range", in, face)
	}
	numTables := int(be.Uint16(b[dir+4:]))
	head := 12 + 16*numTables
	if dir+head > len(b) {
		return fmt.Errorf("%s: face %d table records out of range", in, face)
	}
	buf := make([]byte, head)
	copy(buf, b[dir:dir+12])
	for i := range numTables {
		rec := b[dir+12+16*i : dir+12+16*i+16]
		off, length := int(be.Uint32(rec[8:])), int(be.Uint32(rec[12:]))
		if off+length > len(b) {
			return fmt.Errorf("%s: table %q out of range", in, rec[:4])
		}
		for len(buf)%4 != 0 {
			buf = append(buf, 0)
		}
		newOff := len(buf)
		buf = append(buf, b[off:off+length]...)
		copy(buf[12+16*i:], rec)
		be.PutUint32(buf[12+16*i+8:], uint32(newOff))
	}
	return os.WriteFile(out, buf, 0o644)
}
