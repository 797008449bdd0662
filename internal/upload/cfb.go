package upload

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"unicode/utf16"
)

// The OLE2 compound file format ([MS-CFB]) of Word 97–2003 (.doc), Excel
// (.xls) and PowerPoint (.ppt): a small file system of sectors, a FAT
// chaining them, and a directory of named streams. Only the names of the
// root's streams are needed to tell a .doc from an .xls. Every count and
// sector number in the file is checked against the file's size, so a
// crafted file cannot make the walk loop or allocate more than the file.

var errCFB = errors.New("upload: not a readable OLE2 compound file")

var cfbMagic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}

const (
	cfbMaxRegular = 0xFFFFFFFA // larger sector numbers are markers
	cfbEndOfChain = 0xFFFFFFFE
	cfbDirEntry   = 128
	cfbHeaderFAT  = 109 // FAT sector numbers held in the header itself
)

// oleRootNames returns the names of the streams and storages directly
// under the root storage. Streams of embedded objects (an Excel sheet in a
// Word document has its own Workbook stream) sit deeper and are left out.
func oleRootNames(r io.ReaderAt, size int64) ([]string, error) {
	var h [512]byte
	if _, err := r.ReadAt(h[:], 0); err != nil || !bytes.Equal(h[:8], cfbMagic) {
		return nil, errCFB
	}
	le := binary.LittleEndian
	shift := le.Uint16(h[30:])
	if le.Uint16(h[28:]) != 0xFFFE || (shift != 9 && shift != 12) {
		return nil, errCFB
	}
	ss := int64(1) << shift
	// Sector n starts at (n+1)*ss: the header fills sector "-1". Writers
	// may cut the last sector short, so it counts if it has begun.
	nSect := (size+ss-1)/ss - 1
	sector := func(n uint32) ([]byte, error) {
		if int64(n) >= nSect {
			return nil, errCFB
		}
		b := make([]byte, ss)
		k, err := r.ReadAt(b, (int64(n)+1)*ss)
		if err != nil && !(err == io.EOF && k > 0) {
			return nil, errCFB
		}
		return b, nil
	}

	numFAT := int64(le.Uint32(h[44:]))
	if numFAT == 0 || numFAT > nSect {
		return nil, errCFB
	}
	fatSects := make([]uint32, 0, numFAT)
	for i := 0; i < cfbHeaderFAT && int64(len(fatSects)) < numFAT; i++ {
		fatSects = append(fatSects, le.Uint32(h[76+4*i:]))
	}
	// Files over ~7 MB (512-byte sectors) list further FAT sectors in a
	// chain of DIFAT sectors, each ending with the next one's number.
	for d, hops := le.Uint32(h[68:]), int64(0); int64(len(fatSects)) < numFAT && d <= cfbMaxRegular; hops++ {
		if hops > nSect {
			return nil, errCFB
		}
		b, err := sector(d)
		if err != nil {
			return nil, err
		}
		for i := int64(0); i < ss/4-1 && int64(len(fatSects)) < numFAT; i++ {
			fatSects = append(fatSects, le.Uint32(b[4*i:]))
		}
		d = le.Uint32(b[ss-4:])
	}
	if int64(len(fatSects)) < numFAT {
		return nil, errCFB
	}
	fat := make([]uint32, 0, numFAT*ss/4)
	for _, s := range fatSects {
		b, err := sector(s)
		if err != nil {
			return nil, err
		}
		for i := int64(0); i < ss; i += 4 {
			fat = append(fat, le.Uint32(b[i:]))
		}
	}

	var dir []byte
	for s, hops := le.Uint32(h[48:]), int64(0); s != cfbEndOfChain; hops++ {
		if hops > nSect || int64(s) >= int64(len(fat)) {
			return nil, errCFB
		}
		b, err := sector(s)
		if err != nil {
			return nil, err
		}
		dir = append(dir, b...)
		s = fat[s]
	}
	entries := uint32(len(dir) / cfbDirEntry)
	entry := func(i uint32) []byte { return dir[i*cfbDirEntry : (i+1)*cfbDirEntry] }
	if entries == 0 || entry(0)[66] != 5 { // entry 0 is the root storage
		return nil, errCFB
	}

	// A storage's children form a binary tree through the left and right
	// sibling numbers; the root's child number is its top.
	var names []string
	stack := []uint32{le.Uint32(entry(0)[76:])}
	for visited := uint32(0); len(stack) > 0; {
		id := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if id >= entries { // includes NOSTREAM, 0xFFFFFFFF
			continue
		}
		if visited++; visited > entries {
			return nil, errCFB // a cycle
		}
		e := entry(id)
		if n := int(le.Uint16(e[64:])); n >= 2 && n <= 64 && n%2 == 0 && (e[66] == 1 || e[66] == 2) {
			u := make([]uint16, n/2-1) // the length counts the final NUL
			for i := range u {
				u[i] = le.Uint16(e[2*i:])
			}
			names = append(names, string(utf16.Decode(u)))
		}
		stack = append(stack, le.Uint32(e[68:]), le.Uint32(e[72:]))
	}
	return names, nil
}
