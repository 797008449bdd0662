package importer

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"html"
	"io"
	"path"
	"regexp"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"
)

func scanXLSX(r io.Reader, maxUnzipped int64) ([]rawRow, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	return scanFirstSheet(data, maxUnzipped)
}

// scanFirstSheet reads the cells of a workbook's first sheet as strings,
// the way readXLSX does (raw values), but scanning the sheet's XML by hand
// instead of decoding it element by element: a 批量报名表 of 10,000 rows
// of 22 columns is read several times faster, which the bound of 3 s per
// 10,000 rows needs on a busy server. It understands what spreadsheet
// programs write into a sheet (shared, inline and formula strings,
// numbers, booleans, any namespace prefix); the whole unzipped package
// is bounded by maxUnzipped (a zip bomb stops there).
func scanFirstSheet(data []byte, maxUnzipped int64) ([]rawRow, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, fmt.Errorf("无法读取 Excel 文件：%v", err)
	}
	files := map[string]*zip.File{}
	for _, f := range zr.File {
		files[strings.TrimPrefix(f.Name, "/")] = f
	}
	budget := maxUnzipped
	read := func(name string) ([]byte, error) {
		f, ok := files[name]
		if !ok {
			return nil, nil
		}
		rc, err := f.Open()
		if err != nil {
			return nil, fmt.Errorf("无法读取 Excel 文件：%v", err)
		}
		defer rc.Close()
		b, err := io.ReadAll(io.LimitReader(rc, budget+1))
		if err != nil {
			return nil, fmt.Errorf("无法读取 Excel 文件：%v", err)
		}
		if budget -= int64(len(b)); budget < 0 {
			return nil, errors.New("无法读取 Excel 文件：" + excelize.ErrWorkbookFileFormat.Error() + "（解压后过大）")
		}
		return b, nil
	}
	bookPath := "xl/workbook.xml"
	if rels, err := read("_rels/.rels"); err != nil {
		return nil, err
	} else if t := relTarget(rels, "", "/officeDocument"); t != "" {
		bookPath = t
	}
	book, err := read(bookPath)
	if err != nil {
		return nil, err
	}
	var wb struct {
		Sheets []struct {
			ID string `xml:"id,attr"`
		} `xml:"sheets>sheet"`
	}
	if book == nil || xml.Unmarshal(book, &wb) != nil {
		return nil, errors.New("无法读取 Excel 文件：缺少工作簿")
	}
	if len(wb.Sheets) == 0 {
		return nil, errors.New("Excel 文件中没有工作表")
	}
	dir := path.Dir(bookPath)
	bookRels, err := read(path.Join(dir, "_rels", path.Base(bookPath)+".rels"))
	if err != nil {
		return nil, err
	}
	resolve := func(target string) string {
		if strings.HasPrefix(target, "/") {
			return strings.TrimPrefix(target, "/")
		}
		return path.Join(dir, target)
	}
	sheetPath := relTarget(bookRels, wb.Sheets[0].ID, "")
	if sheetPath == "" {
		return nil, errors.New("无法读取 Excel 文件：找不到第一个工作表")
	}
	var shared []string
	if t := relTarget(bookRels, "", "/sharedStrings"); t != "" {
		sst, err := read(resolve(t))
		if err != nil {
			return nil, err
		}
		shared = scanSharedStrings(sst)
	}
	sheet, err := read(resolve(sheetPath))
	if err != nil {
		return nil, err
	}
	if sheet == nil {
		return nil, errors.New("无法读取 Excel 文件：找不到第一个工作表")
	}
	return scanSheet(sheet, shared)
}

// relTarget is the target of the relationship with this id, or the first
// whose type ends with typeSuffix.
func relTarget(rels []byte, id, typeSuffix string) string {
	var r struct {
		Rel []struct {
			ID     string `xml:"Id,attr"`
			Type   string `xml:"Type,attr"`
			Target string `xml:"Target,attr"`
		} `xml:"Relationship"`
	}
	if xml.Unmarshal(rels, &r) != nil {
		return ""
	}
	for _, x := range r.Rel {
		if (id != "" && x.ID == id) || (id == "" && strings.HasSuffix(x.Type, typeSuffix)) {
			return x.Target
		}
	}
	return ""
}

// xmlTag is one tag met by the scanner.
type xmlTag struct {
	name            []byte // local name, without a namespace prefix
	closing, single bool   // </name>, <name/>
	attrs           []byte
	end             int // just after '>'
}

// nextTag finds the tag at or after from; ok is false at the end.
func nextTag(d []byte, from int) (xmlTag, bool) {
	for {
		i := bytes.IndexByte(d[from:], '<')
		if i < 0 {
			return xmlTag{}, false
		}
		i += from
		if bytes.HasPrefix(d[i:], []byte("<!--")) {
			j := bytes.Index(d[i:], []byte("-->"))
			if j < 0 {
				return xmlTag{}, false
			}
			from = i + j + 3
			continue
		}
		j := bytes.IndexByte(d[i:], '>')
		if j < 0 {
			return xmlTag{}, false
		}
		j += i
		body := d[i+1 : j]
		t := xmlTag{end: j + 1}
		if len(body) > 0 && (body[0] == '?' || body[0] == '!') {
			from = j + 1
			continue
		}
		if len(body) > 0 && body[0] == '/' {
			t.closing, body = true, body[1:]
		}
		if len(body) > 0 && body[len(body)-1] == '/' {
			t.single, body = true, body[:len(body)-1]
		}
		name := body
		if k := bytes.IndexAny(body, " \t\r\n"); k >= 0 {
			name, t.attrs = body[:k], body[k:]
		}
		if k := bytes.IndexByte(name, ':'); k >= 0 {
			name = name[k+1:]
		}
		t.name = name
		return t, true
	}
}

// attr is the value of an attribute (no namespace prefix) of a tag.
func attr(attrs []byte, name string) string {
	for len(attrs) > 0 {
		eq := bytes.IndexByte(attrs, '=')
		if eq < 0 {
			return ""
		}
		key := bytes.TrimSpace(attrs[:eq])
		rest := bytes.TrimLeft(attrs[eq+1:], " \t\r\n")
		if len(rest) == 0 || (rest[0] != '"' && rest[0] != '\'') {
			return ""
		}
		end := bytes.IndexByte(rest[1:], rest[0])
		if end < 0 {
			return ""
		}
		if string(key) == name {
			return xmlText(rest[1 : 1+end])
		}
		attrs = rest[end+2:]
	}
	return ""
}

// textAt is the text from i to the next tag.
func textAt(d []byte, i int) string {
	j := bytes.IndexByte(d[i:], '<')
	if j < 0 {
		return ""
	}
	return xmlText(d[i : i+j])
}

// bstrRE is Excel's escape of a character XML cannot carry (_x000D_).
var bstrRE = regexp.MustCompile(`_x[0-9A-Fa-f]{4}_`)

// xmlText decodes character data: entities, line ends as XML reads them,
// and Excel's _xHHHH_ escapes.
func xmlText(b []byte) string {
	s := string(b)
	if strings.IndexByte(s, '&') >= 0 {
		s = html.UnescapeString(s)
	}
	if strings.IndexByte(s, '\r') >= 0 {
		s = strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
	}
	if strings.Contains(s, "_x") {
		s = bstrRE.ReplaceAllStringFunc(s, func(m string) string {
			n, _ := strconv.ParseUint(m[2:6], 16, 32)
			return string(rune(n))
		})
	}
	return s
}

// scanSharedStrings reads the shared string table: each <si> its text
// runs joined, phonetic runs (<rPh>) left out.
func scanSharedStrings(d []byte) []string {
	var out []string
	var cur strings.Builder
	in, phonetic := false, 0
	for pos := 0; ; {
		t, ok := nextTag(d, pos)
		if !ok {
			return out
		}
		pos = t.end
		switch string(t.name) {
		case "si":
			switch {
			case t.single:
				out = append(out, "")
			case t.closing:
				out, in = append(out, cur.String()), false
			default:
				cur.Reset()
				in = true
			}
		case "rPh":
			if !t.single {
				phonetic += map[bool]int{true: -1, false: 1}[t.closing]
			}
		case "t":
			if in && phonetic == 0 && !t.closing && !t.single {
				cur.WriteString(textAt(d, pos))
			}
		}
	}
}

// scanSheet reads the rows of a sheet's XML.
func scanSheet(d []byte, shared []string) ([]rawRow, error) {
	var rows []rawRow
	var cells []string
	line, col := 0, 0
	var typ, value string
	var inline strings.Builder
	inCell, inIS, phonetic := false, false, 0
	put := func() error {
		v := value
		switch typ {
		case "s":
			n, err := strconv.Atoi(strings.TrimSpace(value))
			if err != nil || n < 0 || n >= len(shared) {
				return fmt.Errorf("无法读取 Excel 文件：第 %d 行的单元格引用了不存在的文本", line)
			}
			v = shared[n]
		case "inlineStr":
			v = inline.String()
		}
		for len(cells) <= col {
			cells = append(cells, "")
		}
		cells[col] = v
		return nil
	}
	for pos := 0; ; {
		t, ok := nextTag(d, pos)
		if !ok {
			return rows, nil
		}
		pos = t.end
		switch string(t.name) {
		case "row":
			if t.closing {
				rows = append(rows, rawRow{line, cells})
				continue
			}
			next := line + 1
			if r, err := strconv.Atoi(attr(t.attrs, "r")); err == nil && r > line {
				next = r
			}
			line, col, cells = next, -1, nil
			if t.single {
				rows = append(rows, rawRow{line, nil})
			}
		case "c":
			if t.closing {
				if inCell {
					if err := put(); err != nil {
						return nil, err
					}
				}
				inCell = false
				continue
			}
			col++
			if ref := attr(t.attrs, "r"); ref != "" {
				if c, _, err := excelize.CellNameToCoordinates(ref); err == nil {
					col = c - 1
				}
			}
			typ, value, inCell = attr(t.attrs, "t"), "", !t.single
			inline.Reset()
		case "v":
			if inCell && !t.closing && !t.single {
				value = textAt(d, pos)
			}
		case "is":
			inIS = !t.closing && !t.single
		case "rPh":
			if !t.single {
				phonetic += map[bool]int{true: -1, false: 1}[t.closing]
			}
		case "t":
			if inCell && inIS && phonetic == 0 && !t.closing && !t.single {
				inline.WriteString(textAt(d, pos))
			}
		}
	}
}
