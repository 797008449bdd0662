// Package upload checks the files applicants send: doc, docx, pdf, jpg or
// png only, at most 10 MB, the type taken from the content and never from
// the name (seed 000 3.3: 文件请上传doc、docx、pdf或图像格式; 上传文件大小请不要
// 超过10MB), and the 2-inch white-background photo of the 基本信息 step.
package upload

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"unicode"

	"github.com/gabriel-vasile/mimetype"
)

// MaxSize is the largest file accepted: exactly 10 MiB passes, one byte
// more is refused.
const MaxSize = 10 << 20

// Kind is an accepted file type.
type Kind string

const (
	PDF  Kind = "pdf"
	DOC  Kind = "doc"
	DOCX Kind = "docx"
	JPG  Kind = "jpg"
	PNG  Kind = "png"
)

// contentTypes are what each kind is served as.
var contentTypes = map[Kind]string{
	PDF:  "application/pdf",
	DOC:  "application/msword",
	DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	JPG:  "image/jpeg",
	PNG:  "image/png",
}

// extensions a person may give each kind.
var extensions = map[string]Kind{".pdf": PDF, ".doc": DOC, ".docx": DOCX, ".jpg": JPG, ".jpeg": JPG, ".png": PNG}

// File is an accepted upload.
type File struct {
	Kind        Kind
	ContentType string
	Size        int64
	Name        string // the original name made safe to show and store
	SHA256      string
}

// Error is a refusal the applicant can act on; Message names the material.
type Error struct{ Code, Message string }

func (e *Error) Error() string { return e.Message }

func refuse(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Check reads the file (at most MaxSize+1 bytes of it) and accepts it or
// says why not. material is the material's name, as the page shows it.
func Check(material, filename string, r io.Reader, declaredSize int64) (File, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxSize+1))
	if err != nil {
		return File{}, err
	}
	return CheckBytes(material, filename, data)
}

// CheckBytes is Check for a file already in memory.
func CheckBytes(material, filename string, data []byte) (File, error) {
	switch {
	case len(data) == 0:
		return File{}, refuse("empty", "「%s」文件是空的，请重新选择文件", material)
	case len(data) > MaxSize:
		return File{}, refuse("too_large", "「%s」文件超过10MB，请压缩或分成多个文件后上传", material)
	}
	kind, what := sniff(data)
	if kind == "" {
		return File{}, refuse("type", "「%s」文件类型不支持（文件内容是%s）：只能上传 doc、docx、pdf、jpg 或 png 文件", material, what)
	}
	ext := strings.ToLower(filepath.Ext(filename))
	named, known := extensions[ext]
	if !known {
		return File{}, refuse("type", "「%s」文件名后缀“%s”不支持：只能上传 doc、docx、pdf、jpg 或 png 文件", material, ext)
	}
	if named != kind {
		return File{}, refuse("disguised", "「%s」文件名为 %s，但内容是%s，与文件名不符，请上传真实的 %s 文件", material, ext, what, strings.TrimPrefix(ext, "."))
	}
	sum := sha256.Sum256(data)
	return File{Kind: kind, ContentType: contentTypes[kind], Size: int64(len(data)), Name: SafeName(filename, kind), SHA256: hex.EncodeToString(sum[:])}, nil
}

// sniff names the content: an accepted kind, or "" and a description of
// what it is instead.
func sniff(data []byte) (Kind, string) {
	m := mimetype.Detect(data)
	switch {
	case m.Is("application/pdf"):
		return PDF, "PDF 文档"
	case m.Is("image/jpeg"):
		return JPG, "JPG 图片"
	case m.Is("image/png"):
		return PNG, "PNG 图片"
	case m.Is("application/vnd.openxmlformats-officedocument.wordprocessingml.document"):
		return DOCX, "Word 文档（docx）"
	case m.Is("application/msword"):
		return DOC, "Word 文档（doc）"
	case m.Is("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), m.Is("application/vnd.ms-excel"):
		return "", "Excel 表格"
	case m.Is("application/zip"):
		return "", "压缩包"
	case m.Is("application/vnd.microsoft.portable-executable"), m.Is("application/x-msdownload"), bytes.HasPrefix(data, []byte("MZ")):
		return "", "可执行程序"
	case strings.HasPrefix(m.String(), "image/"):
		return "", "其他格式的图片（" + m.Extension() + "）"
	case strings.HasPrefix(m.String(), "text/"):
		return "", "文本"
	}
	return "", "无法识别的格式"
}

// SafeName keeps what a person recognises of the file's name (Chinese
// included) and drops folders, control characters and excess length.
func SafeName(filename string, kind Kind) string {
	base := filepath.Base(strings.ReplaceAll(filename, "\\", "/"))
	base = strings.TrimSuffix(base, filepath.Ext(base))
	var b strings.Builder
	for _, r := range base {
		if unicode.IsControl(r) || strings.ContainsRune(`/\:*?"<>|`, r) {
			continue
		}
		b.WriteRune(r)
	}
	name := []rune(strings.TrimSpace(b.String()))
	if len(name) > 60 {
		name = name[:60]
	}
	if len(name) == 0 {
		name = []rune("文件")
	}
	return string(name) + "." + string(kind)
}
