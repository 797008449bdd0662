package importer

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// Layout is the header of one kind of file: every column in the template's
// order, and those a file may leave out.
type Layout struct {
	Columns  []string
	Optional []string
	// MaxUnzipped, when set, bounds what an xlsx may expand to: a small
	// upload must not unpack into gigabytes (a zip bomb).
	MaxUnzipped int64
	// Scan reads an xlsx with scanFirstSheet, for files of many rows.
	Scan bool
}

// Row is one data row of a file whose header matched its Layout. Blank rows
// are left out, so Line may skip numbers.
type Row struct {
	Line  int // row number as a spreadsheet shows it (the header is row 1)
	cells []string
	index map[string]int
}

// Get returns the trimmed cell of the named column, "" when the file has no
// such column or the row stops short of it.
func (r Row) Get(column string) string {
	if j, ok := r.index[column]; ok && j < len(r.cells) {
		return strings.TrimSpace(r.cells[j])
	}
	return ""
}

// Error reports a problem with one cell of this row.
func (r Row) Error(column, message string) RowError {
	return RowError{Row: r.Line, Column: column, Message: message}
}

// RowError says what is wrong with one row, in words the person who made
// the file understands: 行号, 列名 (empty for the whole row) and 原因.
type RowError struct {
	Row     int // row number as a spreadsheet shows it (the header is row 1)
	Column  string
	Message string
}

func (e RowError) String() string {
	if e.Column == "" {
		return fmt.Sprintf("第 %d 行：%s", e.Row, e.Message)
	}
	return fmt.Sprintf("第 %d 行【%s】：%s", e.Row, e.Column, e.Message)
}

// ReadSheet reads a .csv (UTF-8, with or without the BOM Excel writes) or
// .xlsx file (its first sheet), chosen by the file name, and checks its
// first non-blank row against the layout. It returns the non-blank rows
// after the header, or, when the header is wrong, no rows and one RowError
// for each missing, unknown or repeated column. err is set only when the
// file cannot be read at all.
func ReadSheet(name string, r io.Reader, layout Layout) ([]Row, []RowError, error) {
	var raw []rawRow
	var err error
	switch strings.ToLower(filepath.Ext(name)) {
	case ".csv":
		raw, err = readCSV(r)
	case ".xlsx":
		if layout.Scan {
			raw, err = scanXLSX(r, layout.MaxUnzipped)
		} else {
			raw, err = readXLSX(r, layout.MaxUnzipped)
		}
	default:
		return nil, nil, fmt.Errorf("不支持的文件类型 %q：请使用 .csv 或 .xlsx 文件", filepath.Ext(name))
	}
	if err != nil {
		return nil, nil, err
	}
	raw = dropBlank(raw)
	if len(raw) == 0 {
		return nil, []RowError{{Row: 1, Message: "文件为空，第一行应为表头：" + layout.header()}}, nil
	}
	index, problems := layout.check(raw[0])
	if len(problems) > 0 {
		return nil, problems, nil
	}
	rows := make([]Row, 0, len(raw)-1)
	for _, rr := range raw[1:] {
		rows = append(rows, Row{Line: rr.line, cells: rr.cells, index: index})
	}
	return rows, nil, nil
}

func (l Layout) header() string { return strings.Join(l.Columns, "，") }

// check maps each column of the header row to its position.
func (l Layout) check(h rawRow) (map[string]int, []RowError) {
	index := map[string]int{}
	var unknown, repeated []RowError
	for j, cell := range h.cells {
		c := strings.TrimSpace(cell)
		switch {
		case c == "":
			// Excel keeps formatted but empty header cells; they name nothing.
		case !slices.Contains(l.Columns, c):
			unknown = append(unknown, RowError{h.line, c, fmt.Sprintf("第 %s 列的表头“%s”不是本表的列；表头应为：%s", columnLetters(j), c, l.header())})
		default:
			if first, dup := index[c]; dup {
				repeated = append(repeated, RowError{h.line, c, fmt.Sprintf("第 %s 列与第 %s 列的表头相同，每列只能出现一次", columnLetters(j), columnLetters(first))})
				continue
			}
			index[c] = j
		}
	}
	var missing []RowError
	for _, c := range l.Columns {
		if _, ok := index[c]; !ok && !slices.Contains(l.Optional, c) {
			missing = append(missing, RowError{h.line, c, "缺少此列；表头应为：" + l.header()})
		}
	}
	return index, append(append(missing, unknown...), repeated...)
}

// columnLetters names a zero-based column as a spreadsheet does: A … Z, AA …
func columnLetters(j int) string {
	name, _ := excelize.ColumnNumberToName(j + 1)
	return name
}

type rawRow struct {
	line  int
	cells []string
}

func dropBlank(rows []rawRow) []rawRow {
	out := rows[:0]
	for _, r := range rows {
		for _, c := range r.cells {
			if strings.TrimSpace(c) != "" {
				out = append(out, r)
				break
			}
		}
	}
	return out
}

func readCSV(r io.Reader) ([]rawRow, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf")) // Excel writes a BOM in UTF-8 CSV
	if !utf8.Valid(b) {
		return nil, errors.New("CSV 文件不是 UTF-8 编码：请在 Excel 中“另存为”选择“CSV UTF-8（逗号分隔）”，或保存为 .xlsx 文件")
	}
	cr := csv.NewReader(bytes.NewReader(b))
	cr.FieldsPerRecord = -1
	var rows []rawRow
	// encoding/csv skips empty lines and lets a quoted cell span lines,
	// while a spreadsheet shows an empty line as a row and a multi-line cell
	// in one row; line counts rows the spreadsheet's way.
	line, end := 0, 0
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return rows, nil
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, fmt.Errorf("CSV 文件第 %d 行格式错误（%v），请检查引号和逗号", pe.Line, pe.Err)
			}
			return nil, err
		}
		start, _ := cr.FieldPos(0)
		line += start - end
		last, _ := cr.FieldPos(len(rec) - 1)
		end = last + strings.Count(rec[len(rec)-1], "\n")
		rows = append(rows, rawRow{line, rec})
	}
}

func readXLSX(r io.Reader, maxUnzipped int64) ([]rawRow, error) {
	var opts []excelize.Options
	if maxUnzipped > 0 {
		opts = append(opts, excelize.Options{UnzipSizeLimit: maxUnzipped, UnzipXMLSizeLimit: min(maxUnzipped, 16<<20)})
	}
	f, err := excelize.OpenReader(r, opts...)
	if err != nil {
		return nil, fmt.Errorf("无法读取 Excel 文件：%v", err)
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, errors.New("Excel 文件中没有工作表")
	}
	// Raw values: a date cell arrives as its serial number, whatever display
	// format the person's Excel used, and is converted in parseDate.
	cells, err := f.GetRows(sheets[0], excelize.Options{RawCellValue: true})
	if err != nil {
		return nil, fmt.Errorf("无法读取 Excel 文件：%v", err)
	}
	rows := make([]rawRow, len(cells))
	for i, c := range cells {
		rows[i] = rawRow{i + 1, c}
	}
	return rows, nil
}
