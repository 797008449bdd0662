package casework

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"opcert/internal/application"
	"opcert/internal/civil"
	"opcert/internal/document"
	"opcert/internal/idcheck"
	"opcert/internal/registry"
	"opcert/internal/store"
	"opcert/internal/upload"
	"opcert/internal/verify"
)

// Kinds of notice, as their download paths name them.
const (
	NoticeCorrection  = "correction.pdf"
	NoticeAcceptance  = "acceptance.pdf"
	NoticeNotAccepted = "not-accepted.pdf"
	NoticeDecision    = "decision.pdf"
	NoticeCertificate = "certificate.pdf"
)

// noticeContent is a notice's content as issued, stored as JSON: one of the
// document kinds, the blob key of the photo the certificate carries, and
// the path its QR code opens (made absolute when the PDF is first made).
type noticeContent struct {
	Letter      *document.LetterData           `json:"letter,omitempty"`
	Correction  *document.CorrectionNoticeData `json:"correction,omitempty"`
	Approval    *document.ApprovalDecisionData `json:"approval,omitempty"`
	Certificate *document.CertificateData      `json:"certificate,omitempty"`
	Admission   *document.AdmissionTicketData  `json:"admission,omitempty"`
	PhotoKey    string                         `json:"photo_key,omitempty"`
	QRPath      string                         `json:"qr_path"`
}

// noticesFor are the documents an action issues (行政许可法 第三十二条, 第三十八条:
// 补正, 受理 and 不予受理, the decisions and the certificate are told in
// writing), with their content as of the action: the deadline it set, the
// registry after its grant.
func (s *Service) noticesFor(ctx context.Context, c Loaded, ch application.Change) ([]store.Notice, error) {
	f := c.Form
	if ch.Form != nil {
		f = *ch.Form
	}
	authority := s.authorityName(c.AuthorityCode)
	issued := s.today().Chinese()
	qr := "/p/" + c.PublicToken
	var items []string
	for _, q := range f.Targets(s.catalog) {
		items = append(items, q.String()+" "+q.Name(s.catalog))
	}
	applied := fmt.Sprintf("你于%s提出的特种设备安全管理和作业人员资格认定（%s）申请（申请号 %s，申请项目：%s）",
		civil.Of(c.SubmittedAt).Chinese(), f.Matter.Label(), c.Number, strings.Join(items, "、"))
	appeal := "如不服本决定，可以自收到本决定书之日起六十日内依法申请行政复议，或者在六个月内依法提起行政诉讼。"
	letter := func(kind, title, prefix string, body ...string) store.Notice {
		return notice(kind, title, prefix+c.Number, noticeContent{QRPath: qr,
			Letter: &document.LetterData{Title: title, Number: prefix + c.Number, To: f.Applicant.Name, Body: body, Authority: authority, IssuedOn: issued}})
	}
	switch ch.Action {
	case application.ActionRequestCorrection:
		corr := f.Correction
		if corr == nil {
			return nil, nil // answered since: its notice is not known any more
		}
		var codes []string
		for _, q := range f.Targets(s.catalog) {
			codes = append(codes, q.String())
		}
		d := &document.CorrectionNoticeData{Number: corr.Notice, IDNumber: idcheck.MaskNumber(f.Applicant.IDNumber), Name: f.Applicant.Name,
			Items: strings.Join(codes, "、"), Matter: f.Matter.Label(), Deadline: ch.CorrectionDue.Chinese(), Authority: authority, IssuedOn: issued}
		for _, it := range corr.Items {
			d.Asks = append(d.Asks, document.CorrectionAsk{What: it.Label, Reason: it.Reason})
		}
		return []store.Notice{notice(NoticeCorrection, "补正告知书", corr.Notice, noticeContent{QRPath: qr, Correction: d})}, nil
	case application.ActionAccept:
		return []store.Notice{letter(NoticeAcceptance, "受理通知书", "SL",
			applied+"，申请材料齐全、符合法定形式，根据《中华人民共和国行政许可法》第三十二条的规定，决定予以受理。",
			"本机关将在 "+ch.Due.Chinese()+" 前（受理之日起"+strconv.Itoa(ch.Due.Workdays)+"个工作日内）作出是否准予许可的决定。")}, nil
	case application.ActionAcceptForExam:
		return []store.Notice{letter(NoticeAcceptance, "受理通知书", "SL",
			applied+"，申请材料齐全、符合法定形式，根据《中华人民共和国行政许可法》第三十二条的规定，决定予以受理。",
			application.ExamNotice(f.Targets(s.catalog), f.ExamInstitution))}, nil
	case application.ActionNotAccept:
		return []store.Notice{letter(NoticeNotAccepted, "不予受理决定书", "BSL", applied+"，经审查，决定不予受理。理由："+ch.Note+"。", appeal)}, nil
	case application.ActionDeny:
		return []store.Notice{letter(NoticeDecision, "不予许可决定书", "JD", applied+"，经审查，决定不予许可。理由："+ch.Note+"。", "审批意见："+ch.Opinion, appeal)}, nil
	case application.ActionApprove:
		decision := letter(NoticeDecision, "准予许可决定书", "JD",
			applied+"，经审查，符合《特种设备作业人员考核规则》（TSG Z6001—2019）规定的条件，决定准予许可。",
			"审批意见："+ch.Opinion,
			"请按本决定书第一页的说明办理制证，领取《特种设备安全管理和作业人员证》。")
		var content noticeContent
		json.Unmarshal(decision.Data, &content)
		content.Approval, content.Letter = &document.ApprovalDecisionData{Letter: *content.Letter, Items: strings.Join(items, "、")}, nil
		decision = notice(NoticeDecision, decision.Title, decision.Number, content)
		cert, signed, err := s.certificateAfter(ctx, c, f, ch, authority, issued)
		if err != nil {
			return nil, err
		}
		// The certificate's QR code carries its signed content (核验), not
		// the application's progress page: whoever scans it learns whether
		// the certificate is genuine and, online, each item's status today.
		token, err := s.signCertificate(ctx, signed)
		if err != nil {
			return nil, err
		}
		cert.QRPath = "/v/" + token
		return []store.Notice{decision, notice(NoticeCertificate, "特种设备安全管理和作业人员证", cert.Certificate.Number, cert)}, nil
	}
	return nil, nil
}

// certificateAfter is the holder's certificate as the grant leaves it: every
// valid line not superseded, and the granted ones.
func (s *Service) certificateAfter(ctx context.Context, c Loaded, f application.Form, ch application.Change, authority, issued string) (noticeContent, verify.Payload, error) {
	holder, err := s.store.HolderByID(ctx, c.HolderID)
	if err != nil {
		return noticeContent{}, verify.Payload{}, err
	}
	d := &document.CertificateData{Name: holder.Name, Sex: holder.Sex, IDNumber: holder.IDNumber, Number: holder.IDNumber,
		Employer: f.Employer.Name, Authority: authority, IssuedOn: issued}
	signed := verify.Payload{Number: holder.IDNumber, Name: idcheck.MaskName(holder.Name), Issuer: authority, Issued: s.today().String()}
	superseded := map[int64]bool{}
	var granted []registry.Item
	if ch.Grant != nil {
		for _, id := range ch.Grant.Supersede {
			superseded[id] = true
		}
		granted = ch.Grant.Items
	}
	line := func(it registry.Item) {
		l := application.LineOnCertificate(it, s.catalog)
		d.Items = append(d.Items, document.CertificateItem{Code: l.Code, Name: l.Name, Original: l.Original, Approved: it.ApprovedOn.Chinese(), Until: it.ValidUntil.Chinese()})
		signed.Items = append(signed.Items, verify.Item{Code: l.Code, Name: l.Name, Until: it.ValidUntil.String()})
	}
	h, err := s.store.HoldingByIDNumber(ctx, holder.IDNumber)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return noticeContent{}, verify.Payload{}, err
	}
	for _, cert := range h.Certificates {
		if cert.Number == holder.IDNumber {
			d.ArchiveNo = cert.ArchiveNo
		}
		for _, it := range cert.Items {
			if it.Status == registry.ItemValid && !superseded[it.ID] {
				line(it)
			}
		}
	}
	for _, it := range granted {
		line(it)
	}
	return noticeContent{Certificate: d, PhotoKey: f.PhotoKey}, signed, nil
}

func notice(kind, title, number string, content noticeContent) store.Notice {
	data, _ := json.Marshal(content)
	return store.Notice{Kind: kind, Title: title, Number: number, Data: data}
}

// IssuedNotice is a document as delivered: its title for the file name and
// its PDF.
type IssuedNotice struct {
	Title string
	PDF   []byte
}

// NoticePDF delivers the latest document of a kind issued for an
// application to whom may see it: the PDF kept on its first delivery, or,
// the first time, the PDF made from the content as issued, which is then
// kept (a notice, once issued, is a record: the same bytes every time).
// absolute makes the QR code's path a full address.
func (s *Service) NoticePDF(ctx context.Context, who Actor, id int64, kind string, absolute func(path string) string) (IssuedNotice, error) {
	c, err := s.Load(ctx, who, id)
	if err != nil {
		return IssuedNotice{}, err
	}
	n, err := s.store.NoticeOf(ctx, c.ID, kind)
	if errors.Is(err, store.ErrNotFound) {
		n, err = s.issueLegacy(ctx, c, kind)
	}
	if err != nil {
		return IssuedNotice{}, err
	}
	if n.PDFKey != "" {
		return s.keptPDF(ctx, n)
	}
	pdf, err := s.renderNotice(ctx, n, absolute)
	if err != nil {
		return IssuedNotice{}, err
	}
	sum := sha256.Sum256(pdf)
	sha := hex.EncodeToString(sum[:])
	key := fileKey(c.ID, fmt.Sprintf("notices/%d-%s", n.ID, sha[:16]), "pdf")
	if err := s.files.Put(ctx, key, bytes.NewReader(pdf), int64(len(pdf)), "application/pdf"); err != nil {
		return IssuedNotice{}, err
	}
	kept, err := s.store.SetNoticePDF(ctx, n.ID, key, sha)
	if err != nil {
		return IssuedNotice{}, err
	}
	if !kept {
		// Another delivery kept its PDF first; that one is the record.
		s.files.Delete(ctx, key)
		if n, err = s.store.NoticeOf(ctx, c.ID, kind); err != nil {
			return IssuedNotice{}, err
		}
		return s.keptPDF(ctx, n)
	}
	return IssuedNotice{Title: n.Title, PDF: pdf}, nil
}

// issueLegacy records, on its first download, a document issued before
// documents were kept as records: its content is taken from the application
// as it stands, the best that can be known of it now.
func (s *Service) issueLegacy(ctx context.Context, c Loaded, kind string) (store.Notice, error) {
	events, err := s.store.Events(ctx, c.ID)
	if err != nil {
		return store.Notice{}, err
	}
	for i := len(events) - 1; i >= 0; i-- {
		e := events[i]
		ch := application.Change{Action: application.Action(e.Action), Note: e.Note, Due: c.Due, CorrectionDue: c.CorrectionDue}
		list, err := s.noticesFor(ctx, c, ch)
		if err != nil {
			return store.Notice{}, err
		}
		for _, n := range list {
			if n.Kind == kind {
				n.ApplicationID = c.ID
				return s.store.AddNotice(ctx, n)
			}
		}
	}
	return store.Notice{}, Errorf(NotFound, "该文书尚未出具")
}

func (s *Service) keptPDF(ctx context.Context, n store.Notice) (IssuedNotice, error) {
	rc, _, err := s.files.Open(ctx, n.PDFKey)
	if err != nil {
		return IssuedNotice{}, err
	}
	defer rc.Close()
	pdf, err := io.ReadAll(rc)
	if err != nil {
		return IssuedNotice{}, err
	}
	sum := sha256.Sum256(pdf)
	if hex.EncodeToString(sum[:]) != n.PDFSHA256 {
		return IssuedNotice{}, fmt.Errorf("notice %d: the kept PDF does not match its recorded hash", n.ID)
	}
	return IssuedNotice{Title: n.Title, PDF: pdf}, nil
}

// renderNotice makes the PDF from a notice's content as issued.
func (s *Service) renderNotice(ctx context.Context, n store.Notice, absolute func(string) string) ([]byte, error) {
	var c noticeContent
	if err := json.Unmarshal(n.Data, &c); err != nil {
		return nil, fmt.Errorf("notice %d: %w", n.ID, err)
	}
	qr := absolute(c.QRPath)
	switch {
	case c.Correction != nil:
		c.Correction.QRURL = qr
		return document.CorrectionNotice(*c.Correction)
	case c.Approval != nil:
		c.Approval.Letter.QRURL = qr
		return document.ApprovalDecision(*c.Approval)
	case c.Letter != nil:
		c.Letter.QRURL = qr
		return document.Letter(*c.Letter)
	case c.Certificate != nil:
		c.Certificate.QRURL = qr
		c.Certificate.Photo = s.photo(ctx, c.PhotoKey)
		return document.Certificate(*c.Certificate)
	case c.Admission != nil:
		c.Admission.QRURL = qr
		c.Admission.Photo = s.photo(ctx, c.PhotoKey)
		return document.AdmissionTicket(*c.Admission)
	}
	return nil, fmt.Errorf("notice %d: no content", n.ID)
}

// photo is the application's photo for a document that prints it; none
// (the framed box to glue one on) when it cannot be read.
func (s *Service) photo(ctx context.Context, key string) []byte {
	if key == "" {
		return nil
	}
	rc, _, err := s.files.Open(ctx, key)
	if err != nil {
		return nil
	}
	defer rc.Close()
	b, _ := io.ReadAll(io.LimitReader(rc, upload.MaxSize))
	return b
}
