//go:build linux || darwin || dragonfly || freebsd || netbsd || openbsd

package document

import (
	"fmt"
	"os"
	"syscall"
)

// mapFile maps a font file read-only: the kernel brings in the pages that
// are read and can drop them again under memory pressure, so a 30 MB face
// of which a document uses a few glyphs costs little resident memory. The
// mapping outlives the file's name: a package upgrade that replaces the
// file (dpkg writes a new one and renames it over) leaves it intact.
func mapFile(path string) ([]byte, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	st, err := fh.Stat()
	if err != nil {
		return nil, err
	}
	if st.Size() < 12 || st.Size() > 1<<30 {
		return nil, fmt.Errorf("%s: %d bytes is not a font", path, st.Size())
	}
	return syscall.Mmap(int(fh.Fd()), 0, int(st.Size()), syscall.PROT_READ, syscall.MAP_SHARED)
}

func unmapFile(b []byte) { syscall.Munmap(b) }
