// Package document renders opcert's printable A4 PDFs in Chinese: the
// 申请表, the 补正告知书, the notices and decisions of the 受理机关, the
// certificate and the 准考证. Each carries a document number and a QR code that opens the
// public progress or verification page.
//
// The font (WenQuanYi Micro Hei, Apache-2.0; fonts/README.md) is embedded
// and parsed once, so the binary needs no system fonts, and each PDF embeds
// only the glyphs it uses. A character it lacks (CJK Extension A and B,
// where rare name characters are) is drawn from a fallback face, Debian's
// fonts-hanazono, read from the system the first time one is needed
// (DefaultFallbackFonts, SetFallbackFonts). A character no face has fails
// the document with MissingGlyphError instead of printing a gap;
// Undrawable finds such characters where text is typed.
//
// There are three levels:
//
//   - Documents: ApplicationForm, CorrectionNotice, Letter (受理通知书,
//     不予受理决定书, 准予/不予许可决定书), Certificate and AdmissionTicket
//     (准考证) take plain data and return PDF bytes.
//   - Render(Document) lays out the common shape of an issued document —
//     title, 编号 line, body blocks, issuing authority and date over a seal
//     area, QR code — from a list of Blocks: Para, List, Gap, Grid, Table,
//     Signature, BlockFunc. A new notice is a Document literal.
//   - Doc is the layout toolkit underneath (mm units, A4 portrait, a
//     cursor moving down, automatic page breaks, "第 i 页 共 n 页" footers,
//     Chinese line wrapping with 避头尾) for forms that need coordinates,
//     like the 申请表's photo box.
//
// Documents may be built concurrently (they share only the parsed faces);
// one Doc belongs to one goroutine.
package document
