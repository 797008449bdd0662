//go:build !(linux || darwin || dragonfly || freebsd || netbsd || openbsd)

package document

import "os"

// mapFile reads the font file where mapping it is not available.
func mapFile(path string) ([]byte, error) { return os.ReadFile(path) }

func unmapFile([]byte) {}
