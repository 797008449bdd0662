package upload

import (
	"strings"
	"unicode"
)

// maxNameRunes bounds the part of a file name before the extension. 80
// Chinese characters are 240 bytes in UTF-8, so the name with its
// extension still fits the 255-byte file-name limit when an officer saves
// the download, and it fits on one line of the material list.
const maxNameRunes = 80

// SafeName keeps what a person recognises of a file's name, Chinese
// included, and makes it safe to store and show: folders the browser sent
// (old IE sends C:\Users\…\name.pdf) are dropped, so are control
// characters and invisible formatting characters (a right-to-left override
// makes "gpj.exe" display as "exe.jpg"), characters Windows forbids in
// names, and leading or trailing dots and spaces. The extension becomes
// the one of the checked content, so the name never contradicts the file.
func SafeName(filename string, kind Kind) string {
	base := filename[strings.LastIndexAny(filename, `/\`)+1:]
	if ext := extOf(base); ext != "" {
		base = base[:strings.LastIndexByte(base, '.')]
	}
	base = strings.ToValidUTF8(base, "")
	var b strings.Builder
	space := false
	for _, r := range base {
		switch {
		case unicode.IsControl(r), unicode.Is(unicode.Cf, r), strings.ContainsRune(`/\:*?"<>|`, r):
			continue
		case unicode.IsSpace(r):
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	name := []rune(strings.Trim(b.String(), ". "))
	if len(name) > maxNameRunes {
		name = []rune(strings.TrimRight(string(name[:maxNameRunes]), ". "))
	}
	stem := string(name)
	if stem == "" {
		stem = "文件"
	}
	// Windows refuses these names whatever the extension.
	switch strings.ToUpper(stem) {
	case "CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9",
		"LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9":
		stem = "_" + stem
	}
	return stem + "." + string(kind)
}
