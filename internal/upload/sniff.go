package upload

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"image"
	"image/jpeg"
	"image/png"
	"io"
	"path"
	"strings"

	"github.com/gabriel-vasile/mimetype"
)

// sniffLen is how much of the start mimetype looks at (its default limit).
// Formats whose type hides further in (a docx's word/ entry, a doc's
// directory, which Word often writes past the first 3 KB) are opened
// whole: see inspectZip and inspectOLE.
const sniffLen = 3072

// sniffed is what the content is: an accepted kind, or "" and a
// description (and a way out) for the refusal.
type sniffed struct {
	kind    Kind
	what    string // Chinese, e.g. "Excel 表格（xlsx）"
	hint    string // what the applicant can do instead
	damaged bool   // starts like what, but cannot be read
}

const (
	hintSaveAs  = "请用 Word 或 WPS 打开后另存为 docx 或 pdf 格式再上传"
	hintToPDF   = "请另存为或打印为 pdf 格式后上传"
	hintToImage = "请转换为 jpg 或 png 格式后上传"
	hintUnzip   = "请解压后分别上传其中的文件"
)

func identify(head []byte, r io.ReaderAt, size int64) sniffed {
	m := mimetype.Detect(head)
	switch {
	case bytes.HasPrefix(head, []byte("MZ")):
		// DOS and Windows programs (.exe, .dll, .scr) whatever follows.
		return sniffed{what: "可执行程序"}
	case isa(m, "application/pdf"):
		return sniffed{kind: PDF, what: describe[PDF]}
	case isa(m, "image/jpeg"):
		return decodable(JPG, jpeg.DecodeConfig, r, size)
	case isa(m, "image/png"): // APNG too: its first frame is a plain PNG
		return decodable(PNG, png.DecodeConfig, r, size)
	case isa(m, "application/zip"):
		return inspectZip(m, r, size)
	case isa(m, "application/x-ole-storage"):
		return inspectOLE(m, r, size)
	}
	return other(m, head)
}

// isa reports whether m is mime or a kind of it (docx is a kind of zip).
func isa(m *mimetype.MIME, mime string) bool {
	for ; m != nil; m = m.Parent() {
		if m.Is(mime) {
			return true
		}
	}
	return false
}

// decodable accepts an image whose header can be read: a JPEG or PNG
// signature followed by garbage would show as a broken picture to the
// officer.
func decodable(k Kind, decodeConfig func(io.Reader) (image.Config, error), r io.ReaderAt, size int64) sniffed {
	cfg, err := decodeConfig(io.NewSectionReader(r, 0, size))
	if err != nil || cfg.Width <= 0 || cfg.Height <= 0 {
		return sniffed{what: describe[k], damaged: true}
	}
	return sniffed{kind: k, what: describe[k]}
}

// inspectZip tells a Word document from the other things that are zip
// files. mimetype looks for a word/ entry in the first 3 KB only, so a
// real docx can come out as a plain zip, and a zip with a word/ folder as
// a docx; here the whole archive's directory decides. A docx is an Office
// package ([Content_Types].xml) whose main document, named in
// _rels/.rels, is a Word document.
func inspectZip(m *mimetype.MIME, r io.ReaderAt, size int64) sniffed {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		// Most often an upload cut short: a zip's directory is at its end.
		if isa(m, contentTypes[DOCX]) {
			return sniffed{what: describe[DOCX], damaged: true}
		}
		return sniffed{what: "Word 文档（docx）或压缩包", damaged: true}
	}
	files := make(map[string]*zip.File, len(zr.File))
	for _, f := range zr.File {
		files[f.Name] = f
	}
	switch {
	case files["[Content_Types].xml"] != nil:
		return inspectOOXML(files)
	case files["mimetype"] != nil:
		// LibreOffice's own formats (odt, ods, odp) name themselves here.
		if t := readZip(files["mimetype"], 200); bytes.HasPrefix(t, []byte("application/vnd.oasis.opendocument")) {
			return sniffed{what: "OpenDocument 文档（odt 等）", hint: hintSaveAs}
		}
	case files["OFD.xml"] != nil:
		// GB/T 33190, the format of Chinese e-invoices and e-licences.
		return sniffed{what: "OFD 版式文档", hint: "请用 OFD 阅读器打印或转换为 pdf 格式后上传"}
	case files["META-INF/MANIFEST.MF"] != nil || files["AndroidManifest.xml"] != nil:
		return sniffed{what: "可执行程序（jar 或 apk）"}
	}
	return sniffed{what: "压缩包（zip）", hint: hintUnzip}
}

func inspectOOXML(files map[string]*zip.File) sniffed {
	var rels struct {
		Rel []struct {
			Type   string `xml:"Type,attr"`
			Target string `xml:"Target,attr"`
		} `xml:"Relationship"`
	}
	var types struct {
		Override []struct {
			PartName    string `xml:"PartName,attr"`
			ContentType string `xml:"ContentType,attr"`
		} `xml:"Override"`
	}
	xml.Unmarshal(readZip(files["_rels/.rels"], 1<<20), &rels)
	xml.Unmarshal(readZip(files["[Content_Types].xml"], 1<<20), &types)
	main := ""
	for _, r := range rels.Rel {
		// Transitional and Strict OOXML name the relationship differently;
		// both end in /officeDocument.
		if strings.HasSuffix(r.Type, "/officeDocument") {
			main = strings.TrimPrefix(path.Clean("/"+r.Target), "/")
		}
	}
	if main == "" {
		for _, p := range []string{"word/document.xml", "xl/workbook.xml", "ppt/presentation.xml"} {
			if files[p] != nil {
				main = p
			}
		}
	}
	if files[main] == nil {
		return sniffed{what: "Office 文档", damaged: true}
	}
	mainType := ""
	for _, o := range types.Override {
		if strings.TrimPrefix(o.PartName, "/") == main {
			mainType = o.ContentType
		}
	}
	switch top, _, _ := strings.Cut(main, "/"); top {
	case "word":
		switch {
		case strings.Contains(mainType, "macroEnabled") || files["word/vbaProject.bin"] != nil:
			// Word will not open a docm renamed .docx, and macros are code.
			return sniffed{what: "启用宏的 Word 文档（docm）", hint: "请在 Word 中另存为不含宏的 docx 或 pdf 格式后上传"}
		case strings.Contains(mainType, "template"):
			return sniffed{what: "Word 模板（dotx）", hint: "请打开模板后另存为 docx 或 pdf 格式再上传"}
		}
		return sniffed{kind: DOCX, what: describe[DOCX]}
	case "xl":
		return sniffed{what: "Excel 表格（xlsx）", hint: hintToPDF}
	case "ppt":
		return sniffed{what: "PowerPoint 演示文稿（pptx）", hint: hintToPDF}
	}
	return sniffed{what: "其他 Office 文档", hint: hintToPDF}
}

// readZip reads at most limit bytes of f: a small entry whose declared
// size is a lie (a zip bomb) costs no more than that.
func readZip(f *zip.File, limit int64) []byte {
	if f == nil {
		return nil
	}
	rc, err := f.Open()
	if err != nil {
		return nil
	}
	defer rc.Close()
	b, _ := io.ReadAll(io.LimitReader(rc, limit))
	return b
}

// inspectOLE tells a Word 97–2003 document from the other OLE2 files (xls,
// ppt, msi, msg, a password-protected docx) by the streams at the root of
// the file: a Word document has WordDocument there (MS-DOC 2.1.1).
// mimetype reads the same directory, but only within its first 3 KB, and
// Word usually writes it further in: real .doc and .xls files then come
// out as the generic application/x-ole-storage.
func inspectOLE(m *mimetype.MIME, r io.ReaderAt, size int64) sniffed {
	names, err := oleRootNames(r, size)
	if err != nil {
		if m.Is("application/msword") {
			// mimetype found the Word stream in what it read.
			return sniffed{kind: DOC, what: describe[DOC]}
		}
		return sniffed{what: "Office 文档", damaged: true}
	}
	has := func(n string) bool {
		for _, x := range names {
			if strings.EqualFold(x, n) {
				return true
			}
		}
		return false
	}
	switch {
	case has("WordDocument"):
		return sniffed{kind: DOC, what: describe[DOC]}
	case has("Workbook") || has("Book"):
		return sniffed{what: "Excel 表格（xls）", hint: hintToPDF}
	case has("PowerPoint Document"):
		return sniffed{what: "PowerPoint 演示文稿（ppt）", hint: hintToPDF}
	case has("EncryptedPackage"):
		// Office saves a password-protected docx/xlsx as an OLE2 wrapper.
		return sniffed{what: "设有密码的 Office 文档", hint: "受理人员无法打开加密文件，请取消文件密码后重新上传"}
	case isa(m, "application/x-ms-installer"):
		return sniffed{what: "安装程序（msi）"}
	case has("__properties_version1.0"):
		return sniffed{what: "Outlook 邮件（msg）", hint: hintToPDF}
	}
	return sniffed{what: "其他 Office 文件", hint: hintToPDF}
}

// other describes content that is none of the accepted kinds.
func other(m *mimetype.MIME, head []byte) sniffed {
	ext := strings.TrimPrefix(m.Extension(), ".")
	for _, exe := range []string{"application/vnd.microsoft.portable-executable", "application/x-elf", "application/x-mach-binary",
		"application/x-ms-shortcut", "text/x-shellscript", "application/x-java-applet", "application/wasm"} {
		if isa(m, exe) {
			return sniffed{what: "可执行程序或脚本"}
		}
	}
	switch {
	case isa(m, "image/heic") || isa(m, "image/heif") || isa(m, "image/avif"):
		return sniffed{what: "HEIC 图片（苹果手机的照片格式）", hint: "请转换为 jpg 后上传（苹果手机可在「设置 › 相机 › 格式」中选择「兼容性最佳」）"}
	case strings.HasPrefix(m.String(), "image/"):
		return sniffed{what: strings.ToUpper(ext) + " 图片", hint: hintToImage}
	case isa(m, "text/rtf"):
		return sniffed{what: "RTF 文档", hint: hintSaveAs}
	case isa(m, "text/html") || isa(m, "application/xhtml+xml"):
		return sniffed{what: "网页文件（html）", hint: hintSaveAs}
	case isa(m, "message/rfc822"):
		// Word's "single file web page" (.mht) starts like an e-mail.
		return sniffed{what: "网页存档或邮件文件（mht、eml）", hint: hintSaveAs}
	case isa(m, "text/xml") && bytes.Contains(head, []byte("Word.Document")):
		return sniffed{what: "Word 2003 XML 文档", hint: hintSaveAs}
	case isa(m, "text/plain"):
		return sniffed{what: "纯文本或其他文字格式的文件", hint: hintSaveAs}
	case strings.HasPrefix(m.String(), "video/") || strings.HasPrefix(m.String(), "audio/"):
		return sniffed{what: "音频或视频文件"}
	}
	for _, a := range []string{"application/vnd.rar", "application/x-7z-compressed", "application/gzip", "application/x-tar",
		"application/x-bzip2", "application/x-xz", "application/zstd", "application/vnd.ms-cab-compressed"} {
		if isa(m, a) {
			return sniffed{what: "压缩包（" + ext + "）", hint: hintUnzip}
		}
	}
	if ext != "" {
		return sniffed{what: "其他格式的文件（" + ext + "）"}
	}
	return sniffed{what: "无法识别的格式"}
}
