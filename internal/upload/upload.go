// Package upload checks the files applicants send: doc, docx, pdf, jpg or
// png only, at most 10 MB each, the type taken from the content and never
// from the name (seed 000 3.3: 文件请上传doc、docx、pdf或图像格式; 上传文件
// 大小请不要超过10MB; a name can be anything, the content cannot), and the 2-inch white-background colour photo of the 基本信息 step
// (photo.go).
//
// Every refusal is an *Error whose Message is Chinese, names the material
// and says what is wrong and what is accepted, so a handler can show it
// beside the field as it is.
package upload

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// MaxSize is the largest file accepted (seed 000 3.3: 上传文件大小请不要超过
// 10MB). "MB" is read as MiB, as Windows and phones show sizes, so a file
// the applicant's computer shows as "10.0 MB" is not refused: exactly
// 10 MiB passes, one byte more is refused.
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

// ContentType is what a file of this kind is stored and served as.
func (k Kind) ContentType() string { return contentTypes[k] }

var contentTypes = map[Kind]string{
	PDF:  "application/pdf",
	DOC:  "application/msword",
	DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	JPG:  "image/jpeg",
	PNG:  "image/png",
}

// describe names each kind as a refusal message shows it.
var describe = map[Kind]string{
	PDF:  "PDF 文档",
	DOC:  "Word 文档（doc）",
	DOCX: "Word 文档（docx）",
	JPG:  "JPG 图片",
	PNG:  "PNG 图片",
}

// extensions a person may give each kind. .jpeg, .jpe and .jfif are the
// same JPEG format (Windows saves web images as .jfif), not other types.
var extensions = map[string]Kind{
	".pdf": PDF, ".doc": DOC, ".docx": DOCX,
	".jpg": JPG, ".jpeg": JPG, ".jpe": JPG, ".jfif": JPG, ".png": PNG,
}

const accepted = "只能上传 doc、docx、pdf、jpg 或 png 文件"

// File is an accepted upload.
type File struct {
	Kind        Kind
	ContentType string
	Size        int64
	Name        string // the original name made safe to show and store, ending in .Kind
	SHA256      string // hex
}

// Error is a refusal the applicant can act on.
//
// Codes: "empty", "too_large", "type" (not an accepted type, and not named
// as one), "disguised" (named as one type, but the content is another or
// none), "damaged" (the content starts like an accepted type but cannot be
// read), and for the photo "photo_type", "photo_damaged", "photo_pixels",
// "photo_ratio", "photo_small", "photo_gray", "photo_background".
type Error struct{ Code, Message string }

func (e *Error) Error() string { return e.Message }

func refuse(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Check reads the file from r and accepts it or says why not; the content
// is not kept (see Receive). material is the material's name as the page
// shows it (学历证明), filename the name the browser sent. declaredSize is
// the size the request announced, -1 if unknown: above MaxSize the file is
// refused without reading it, and the refusal states it.
func Check(material, filename string, r io.Reader, declaredSize int64) (File, error) {
	f, c, err := Receive(material, filename, r, declaredSize)
	if c != nil {
		c.Close()
	}
	return f, err
}

// CheckBytes is Check for a file already in memory.
func CheckBytes(material, filename string, data []byte) (File, error) {
	if len(data) > MaxSize {
		return File{}, tooLarge(material, int64(len(data)))
	}
	sum := sha256.Sum256(data)
	c := &Content{mem: data, size: int64(len(data))}
	return check(material, filename, c, hex.EncodeToString(sum[:]))
}

// Receive reads and checks the file from r, keeping what it read so the
// caller can store it without holding the upload twice. It reads at most
// MaxSize+1 bytes: a larger file costs no more than the limit. Up to
// memoryLimit bytes stay in memory, more go to a temporary file.
//
// On acceptance the caller must Close the Content once it has stored it. On
// refusal the Content is nil and nothing is left behind.
func Receive(material, filename string, r io.Reader, declaredSize int64) (File, *Content, error) {
	if declaredSize > MaxSize {
		return File{}, nil, tooLarge(material, declaredSize)
	}
	c, err := receive(r, declaredSize)
	if err != nil {
		return File{}, nil, err
	}
	f, err := Accept(material, filename, c)
	if err != nil {
		c.Close()
		return File{}, nil, err
	}
	return f, c, nil
}

// Spool reads a file sent as one part of a form, to the part's end, as it
// arrives: the bytes are read from the connection once, into memory (up to
// memoryLimit; sizeHint, the request's length, sizes the buffer) or a
// temporary file, with their SHA-256 taken on the way, and Accept checks
// them without reading them again. Past MaxSize the rest is counted, not
// kept, so that the refusal can say how large the file was. The caller
// closes the Content.
func Spool(r io.Reader, sizeHint int64) (*Content, error) {
	c, err := receive(r, sizeHint)
	if err != nil || c.size <= MaxSize {
		return c, err
	}
	rest, err := io.Copy(io.Discard, r)
	c.Close()
	c.mem, c.size, c.counted = nil, c.size+rest, true
	return c, err
}

// receive reads at most MaxSize+1 bytes of r, hashing them.
func receive(r io.Reader, sizeHint int64) (*Content, error) {
	h := sha256.New()
	c, err := spool(io.TeeReader(io.LimitReader(r, MaxSize+1), h), sizeHint)
	if err != nil {
		return nil, err
	}
	c.sum = hex.EncodeToString(h.Sum(nil))
	return c, nil
}

// Accept checks content that Receive or Spool read: its size, then its type
// against its name. It does not Close the content.
func Accept(material, filename string, c *Content) (File, error) {
	switch {
	case c.size > MaxSize && c.counted:
		return File{}, tooLarge(material, c.size)
	case c.size > MaxSize:
		// Only MaxSize+1 bytes were read; the real size is unknown.
		return File{}, tooLarge(material, -1)
	}
	return check(material, filename, c, c.sum)
}

// memoryLimit is how much of an upload is kept in memory: a photo or a
// scanned page fits, a 10 MB PDF goes to disk, so ten concurrent uploads
// hold about 10 MB of memory rather than 100.
const memoryLimit = 1 << 20

// Content is an upload's bytes, in memory or in a temporary file.
type Content struct {
	mem  []byte
	file *os.File
	size int64
	sum  string // SHA-256, hex
	// counted: the content was over MaxSize, not kept, and size is the
	// whole file's.
	counted bool
}

// Size is the number of bytes.
func (c *Content) Size() int64 { return c.size }

// Reader reads the content from the start; each call starts again.
func (c *Content) Reader() io.Reader { return io.NewSectionReader(c, 0, c.size) }

// ReadAt reads as os.File.ReadAt does.
func (c *Content) ReadAt(p []byte, off int64) (int, error) {
	if c.file != nil {
		return c.file.ReadAt(p, off)
	}
	if off < 0 {
		return 0, errors.New("upload: negative offset")
	}
	if off >= int64(len(c.mem)) {
		return 0, io.EOF
	}
	n := copy(p, c.mem[off:])
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// Close removes the temporary file, if there is one.
func (c *Content) Close() error {
	if c.file == nil {
		return nil
	}
	name := c.file.Name()
	err := c.file.Close()
	if rerr := os.Remove(name); err == nil {
		err = rerr
	}
	c.file = nil
	return err
}

// head is the start of the content, enough for type detection.
func (c *Content) head(n int) []byte {
	if c.file == nil {
		return c.mem[:min(n, len(c.mem))]
	}
	b := make([]byte, min(int64(n), c.size))
	k, _ := c.file.ReadAt(b, 0)
	return b[:k]
}

// spool reads r into memory, or past memoryLimit into a temporary file.
// The buffer is sized once from the size the request announced, so that a
// 1 MB upload is not copied through a dozen ever larger buffers.
func spool(r io.Reader, declaredSize int64) (*Content, error) {
	var buf bytes.Buffer
	if declaredSize > 0 {
		buf.Grow(int(min(declaredSize, memoryLimit) + bytes.MinRead))
	}
	n, err := buf.ReadFrom(io.LimitReader(r, memoryLimit+1))
	if err != nil {
		return nil, err
	}
	if n <= memoryLimit {
		return &Content{mem: buf.Bytes(), size: n}, nil
	}
	f, err := os.CreateTemp("", "opcert-upload-*")
	if err != nil {
		return nil, err
	}
	c := &Content{file: f}
	m, err := buf.WriteTo(f)
	if err == nil {
		var k int64
		k, err = io.Copy(f, r)
		m += k
	}
	c.size = m
	if err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

func tooLarge(material string, size int64) *Error {
	if size < 0 {
		return refuse("too_large", "「%s」文件大小超过10MB，请压缩或分成多个文件后上传", material)
	}
	mb := fmt.Sprintf("%.1fMB", float64(size)/(1<<20))
	if mb == "10.0MB" {
		// "10.0MB" alone would read as within the limit.
		mb = fmt.Sprintf("10.0MB，超出 %d 字节", size-MaxSize)
	}
	return refuse("too_large", "「%s」文件大小超过10MB（实际 %s），请压缩或分成多个文件后上传", material, mb)
}

func check(material, filename string, c *Content, sum string) (File, error) {
	if c.size == 0 {
		return File{}, refuse("empty", "「%s」文件是空的（0 字节），请重新选择文件", material)
	}
	s := identify(c.head(sniffLen), c, c.size)
	ext := extOf(filename)
	named, known := extensions[ext]
	switch {
	case s.damaged:
		return File{}, refuse("damaged", "「%s」文件已损坏或不完整：内容像是%s，但无法打开，请重新保存或导出后上传", material, spaced(s.what))
	case s.kind == "" && known:
		return File{}, refuse("disguised", "「%s」文件名为 %s，但内容不是可接受的文件（内容是%s）：%s%s", material, ext, spaced(s.what), accepted, hint(s))
	case s.kind == "":
		return File{}, refuse("type", "「%s」文件类型不支持：%s，您上传的文件内容是%s%s", material, accepted, spaced(s.what), hint(s))
	case ext != "" && named != s.kind:
		return File{}, refuse("disguised", "「%s」文件名为 %s，但内容是%s，文件名与内容不符：请确认选择了正确的文件；如确为%s，请把文件名后缀改为 .%s 后重新上传",
			material, ext, spaced(s.what), spaced(describe[s.kind]), s.kind)
	}
	// No extension at all (some phone apps send none): the content decides.
	return File{Kind: s.kind, ContentType: s.kind.ContentType(), Size: c.size, Name: SafeName(filename, s.kind), SHA256: sum}, nil
}

func hint(s sniffed) string {
	if s.hint == "" {
		return ""
	}
	return "；" + s.hint
}

// spaced puts a space between Chinese text and a description starting
// with Latin letters ("内容是 PNG 图片", but "内容是可执行程序").
func spaced(what string) string {
	if what != "" && what[0] < 0x80 {
		return " " + what
	}
	return what
}

// extOf is the lower-case extension of the name's last path element,
// whichever separator the sending system used.
func extOf(filename string) string {
	base := filename[strings.LastIndexAny(filename, `/\`)+1:]
	i := strings.LastIndexByte(base, '.')
	if i < 0 {
		return ""
	}
	ext := strings.ToLower(strings.TrimRight(base[i:], " "))
	for _, r := range ext[1:] {
		if !('a' <= r && r <= 'z' || '0' <= r && r <= '9') {
			return "" // "学历.证明" has no extension
		}
	}
	return ext
}
