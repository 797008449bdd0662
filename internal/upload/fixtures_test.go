package upload

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"unicode/utf16"
)

// Fixtures are built in code, so each shows exactly the property a test
// is about.

var minimalPDF = []byte("%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")

type zipEntry struct{ name, body string }

func zipOf(entries ...zipEntry) []byte {
	var b bytes.Buffer
	z := zip.NewWriter(&b)
	for _, e := range entries {
		w, _ := z.CreateHeader(&zip.FileHeader{Name: e.name, Method: zip.Store})
		w.Write([]byte(e.body))
	}
	z.Close()
	return b.Bytes()
}

const (
	docxMain = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
	docmMain = "application/vnd.ms-word.document.macroEnabled.main+xml"
	xlsxMain = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
)

func contentTypesXML(part, ct string) zipEntry {
	return zipEntry{"[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
		`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
		`<Default Extension="xml" ContentType="application/xml"/><Override PartName="/` + part + `" ContentType="` + ct + `"/></Types>`}
}

func relsXML(target string) zipEntry {
	return zipEntry{"_rels/.rels", `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
		`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="` + target + `"/></Relationships>`}
}

const wordXML = `<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>学历证明</w:t></w:r></w:p></w:body></w:document>`

// minimalDocx is the smallest package Word opens: content types, the
// package relationship and the main document.
func minimalDocx() []byte {
	return zipOf(contentTypesXML("word/document.xml", docxMain), relsXML("word/document.xml"), zipEntry{"word/document.xml", wordXML})
}

// lateDocx is a docx whose word/ part starts after the first 3 KB, as when
// a generator writes thumbnails and properties first: mimetype sees only
// a zip.
func lateDocx() []byte {
	pad := zipEntry{"docProps/thumbnail.jpeg", string(bytes.Repeat([]byte{0x55}, 5000))}
	return zipOf(contentTypesXML("word/document.xml", docxMain), relsXML("word/document.xml"), pad, zipEntry{"word/document.xml", wordXML})
}

func docmFile() []byte {
	return zipOf(contentTypesXML("word/document.xml", docmMain), relsXML("word/document.xml"), zipEntry{"word/document.xml", wordXML}, zipEntry{"word/vbaProject.bin", "macro"})
}

func xlsxFile() []byte {
	return zipOf(contentTypesXML("xl/workbook.xml", xlsxMain), relsXML("xl/workbook.xml"), zipEntry{"xl/workbook.xml", "<workbook/>"})
}

// cfbFile builds an OLE2 compound file (512-byte sectors) whose root holds
// the named streams and, when storage is set, a storage holding inner.
// pad free sectors come before the directory, which pushes it past the
// 3 KB mimetype reads, where Word usually puts it.
func cfbFile(root []string, storage string, inner []string, pad int) []byte {
	type ent struct {
		name        string
		typ         byte
		right, kids uint32
	}
	const none = 0xFFFFFFFF
	ents := []ent{{name: "Root Entry", typ: 5, right: none, kids: none}}
	chain := func(names []string, typ byte) uint32 {
		first := uint32(none)
		for i := len(names) - 1; i >= 0; i-- {
			ents = append(ents, ent{name: names[i], typ: typ, right: first, kids: none})
			first = uint32(len(ents) - 1)
		}
		return first
	}
	top := chain(root, 2)
	if storage != "" {
		kids := chain(inner, 2)
		ents = append(ents, ent{name: storage, typ: 1, right: top, kids: kids})
		top = uint32(len(ents) - 1)
	}
	ents[0].kids = top

	le := binary.LittleEndian
	dirSects := (len(ents) + 3) / 4
	firstDir := uint32(1 + pad)
	nSect := 1 + pad + dirSects
	out := make([]byte, 512*(1+nSect))
	h := out[:512]
	copy(h, []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1})
	le.PutUint16(h[24:], 0x3E)
	le.PutUint16(h[26:], 3)
	le.PutUint16(h[28:], 0xFFFE)
	le.PutUint16(h[30:], 9)
	le.PutUint16(h[32:], 6)
	le.PutUint32(h[44:], 1) // one FAT sector
	le.PutUint32(h[48:], firstDir)
	le.PutUint32(h[56:], 4096)
	le.PutUint32(h[60:], 0xFFFFFFFE)
	le.PutUint32(h[68:], 0xFFFFFFFE)
	for i := range 109 {
		le.PutUint32(h[76+4*i:], none)
	}
	le.PutUint32(h[76:], 0) // the FAT is sector 0
	fat := out[512:1024]
	for i := range 128 {
		le.PutUint32(fat[4*i:], none)
	}
	le.PutUint32(fat[0:], 0xFFFFFFFD)
	for i := range dirSects {
		next := uint32(0xFFFFFFFE)
		if i+1 < dirSects {
			next = firstDir + uint32(i) + 1
		}
		le.PutUint32(fat[4*(int(firstDir)+i):], next)
	}
	dir := out[512*(1+int(firstDir)):]
	for i := range dirSects * 4 {
		e := dir[128*i : 128*(i+1)]
		le.PutUint32(e[68:], none)
		le.PutUint32(e[72:], none)
		le.PutUint32(e[76:], none)
		if i >= len(ents) {
			continue
		}
		u := utf16.Encode([]rune(ents[i].name))
		for j, c := range u {
			le.PutUint16(e[2*j:], c)
		}
		le.PutUint16(e[64:], uint16(2*len(u)+2))
		e[66] = ents[i].typ
		le.PutUint32(e[72:], ents[i].right)
		le.PutUint32(e[76:], ents[i].kids)
		le.PutUint32(e[116:], 0xFFFFFFFE)
	}
	for i := 1; i <= pad; i++ { // filler, like the text Word writes first
		copy(out[512*(1+i):], bytes.Repeat([]byte("正文"), 85))
	}
	return out
}

// portrait draws an ID photo: background bg, a face-coloured oval for the
// head (its top at headTop of the height) and dark shoulders.
func portrait(w, h int, bg color.Color, headTop float64) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	cx, cy := float64(w)/2, float64(h)*(headTop+0.25)
	rx, ry := float64(w)*0.22, float64(h)*0.25
	for y := range h {
		for x := range w {
			var c color.Color = bg
			dx, dy := (float64(x)-cx)/rx, (float64(y)-cy)/ry
			switch {
			case dx*dx+dy*dy < 1:
				c = color.NRGBA{224, 172, 150, 255}
			case float64(y) > float64(h)*0.8 && float64(x) > float64(w)*0.1 && float64(x) < float64(w)*0.9:
				c = color.NRGBA{30, 40, 70, 255}
			}
			img.Set(x, y, c)
		}
	}
	return img
}

var white = color.NRGBA{255, 255, 255, 255}

func photo(w, h int, bg color.Color) []byte { return pngOf(portrait(w, h, bg, 0.12)) }

func pngOf(img image.Image) []byte {
	var b bytes.Buffer
	png.Encode(&b, img)
	return b.Bytes()
}

func jpegOf(img image.Image) []byte {
	var b bytes.Buffer
	jpeg.Encode(&b, img, &jpeg.Options{Quality: 90})
	return b.Bytes()
}

// withEXIF inserts an APP1 segment holding only the orientation tag, in
// big- or little-endian TIFF as cameras variously write it.
func withEXIF(j []byte, orientation uint16, bo binary.ByteOrder) []byte {
	tiff := make([]byte, 26)
	copy(tiff, "MM")
	if bo == binary.LittleEndian {
		copy(tiff, "II")
	}
	bo.PutUint16(tiff[2:], 42)
	bo.PutUint32(tiff[4:], 8)
	bo.PutUint16(tiff[8:], 1)
	bo.PutUint16(tiff[10:], 0x0112)
	bo.PutUint16(tiff[12:], 3)
	bo.PutUint32(tiff[14:], 1)
	bo.PutUint16(tiff[18:], orientation)
	seg := append([]byte("Exif\x00\x00"), tiff...)
	app1 := []byte{0xFF, 0xE1, 0, 0}
	binary.BigEndian.PutUint16(app1[2:], uint16(len(seg)+2))
	out := append([]byte{}, j[:2]...)
	out = append(out, app1...)
	out = append(out, seg...)
	return append(out, j[2:]...)
}

// pngHeader is a PNG that declares w×h pixels and holds none: enough for
// DecodeConfig, which is all a pixel-count check may read.
func pngHeader(w, h uint32) []byte {
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr, w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 2 // 8-bit RGB
	chunk := append([]byte("IHDR"), ihdr...)
	out := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\x0d")
	out = append(out, chunk...)
	return binary.BigEndian.AppendUint32(out, crc32.ChecksumIEEE(chunk))
}

// rotate turns img a quarter clockwise (cw) or anticlockwise.
func rotate(img image.Image, cw bool) *image.NRGBA {
	b := img.Bounds()
	out := image.NewNRGBA(image.Rect(0, 0, b.Dy(), b.Dx()))
	for y := range b.Dy() {
		for x := range b.Dx() {
			if cw {
				out.Set(b.Dy()-1-y, x, img.At(x, y))
			} else {
				out.Set(y, b.Dx()-1-x, img.At(x, y))
			}
		}
	}
	return out
}

var heic = []byte("\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic\x00\x00\x00\x00meta")
