package web

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"opcert/internal/application"
	"opcert/internal/auth"
	"opcert/internal/civil"
	"opcert/internal/document"
	"opcert/internal/registry"
	"opcert/internal/store"
)

func (s *Server) noticeRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /applications/{id}/notices/{kind}", s.requireRole(auth.RoleApplicant, func(w http.ResponseWriter, r *http.Request) {
		if a, f, ok := s.ownApplication(w, r); ok {
			s.sendNotice(w, r, a, f)
		}
	}))
	mux.HandleFunc("GET /officer/applications/{id}/notices/{kind}", s.requireStaff(func(w http.ResponseWriter, r *http.Request) {
		if a, f, ok := s.officerLoad(w, r); ok {
			s.sendNotice(w, r, a, f)
		}
	}))
}

// notice is a document issued for an application so far.
type notice struct {
	Kind, Title string
	event       store.Event
}

// noticesOf lists the documents issued, from the application's history:
// each action that the law says is told in writing has its document.
func noticesOf(events []store.Event) []notice {
	var out []notice
	for _, e := range events {
		switch application.Action(e.Action) {
		case application.ActionRequestCorrection:
			out = append(out, notice{"correction.pdf", "补正告知书", e})
		case application.ActionAccept, application.ActionAcceptForExam:
			out = append(out, notice{"acceptance.pdf", "受理通知书", e})
		case application.ActionNotAccept:
			out = append(out, notice{"not-accepted.pdf", "不予受理决定书", e})
		case application.ActionApprove:
			out = append(out, notice{"decision.pdf", "准予许可决定书", e}, notice{"certificate.pdf", "特种设备安全管理和作业人员证", e})
		case application.ActionDeny:
			out = append(out, notice{"decision.pdf", "不予许可决定书", e})
		}
	}
	return out
}

func (s *Server) sendNotice(w http.ResponseWriter, r *http.Request, a store.Application, f *application.Form) {
	events, err := s.store.Events(r.Context(), a.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	var n *notice
	for _, x := range noticesOf(events) {
		if x.Kind == r.PathValue("kind") {
			n = &x // the latest of its kind
		}
	}
	if n == nil {
		s.notFound(w, r)
		return
	}
	issued := civil.Of(n.event.At).Chinese()
	qr := s.absoluteURL(r, "/p/"+a.PublicToken)
	authority := s.route(f).Name
	var items []string
	for _, q := range s.targets(f) {
		items = append(items, q.String()+" "+q.Name(s.catalog))
	}
	applied := fmt.Sprintf("你于%s提出的特种设备安全管理和作业人员资格认定（%s）申请（申请号 %s，申请项目：%s）",
		civil.Of(a.SubmittedAt).Chinese(), f.Matter.Label(), a.Number, strings.Join(items, "、"))
	var pdf []byte
	switch n.Kind {
	case "correction.pdf":
		c := f.Correction
		if c == nil {
			c = &application.Correction{Notice: "BZ" + a.Number}
		}
		var codes []string
		for _, q := range s.targets(f) {
			codes = append(codes, q.String())
		}
		d := document.CorrectionNoticeData{Number: c.Notice, IDNumber: maskID(f.Applicant.IDNumber), Name: f.Applicant.Name,
			Items: strings.Join(codes, "、"), Matter: f.Matter.Label(), Deadline: cdateOf(c.Deadline) + c.DeadlineNote, Authority: authority, IssuedOn: issued, QRURL: qr}
		for _, it := range c.Items {
			d.Asks = append(d.Asks, document.CorrectionAsk{What: it.Label, Reason: it.Reason})
		}
		pdf, err = document.CorrectionNotice(d)
	case "acceptance.pdf":
		body := []string{applied + "，申请材料齐全、符合法定形式，根据《中华人民共和国行政许可法》第三十二条的规定，决定予以受理。"}
		if n.event.Action == string(application.ActionAcceptForExam) {
			body = append(body, "请及时登录考试网站查询考试安排并打印准考证，按时参加理论知识考试和实际操作技能考试。")
		} else if !a.Due.IsZero() {
			body = append(body, "本机关将在 "+a.Due.Chinese()+" 前（受理之日起20个工作日内）作出是否准予许可的决定。")
		}
		pdf, err = document.Letter(document.LetterData{Title: "受理通知书", Number: "SL" + a.Number, To: f.Applicant.Name, Body: body, Authority: authority, IssuedOn: issued, QRURL: qr})
	case "not-accepted.pdf":
		pdf, err = document.Letter(document.LetterData{Title: "不予受理决定书", Number: "BSL" + a.Number, To: f.Applicant.Name,
			Body: []string{applied + "，经审查，决定不予受理。理由：" + n.event.Note + "。",
				"如不服本决定，可以自收到本决定书之日起六十日内依法申请行政复议，或者在六个月内依法提起行政诉讼。"},
			Authority: authority, IssuedOn: issued, QRURL: qr})
	case "decision.pdf":
		title, body := "准予许可决定书", []string{applied + "，经审查，符合《特种设备作业人员考核规则》（TSG Z6001—2019）规定的条件，决定准予许可。", "请按通知领取《特种设备安全管理和作业人员证》。"}
		if n.event.Action == string(application.ActionDeny) {
			title, body = "不予许可决定书", []string{applied + "，经审查，决定不予许可。理由：" + n.event.Note + "。",
				"如不服本决定，可以自收到本决定书之日起六十日内依法申请行政复议，或者在六个月内依法提起行政诉讼。"}
		}
		pdf, err = document.Letter(document.LetterData{Title: title, Number: "JD" + a.Number, To: f.Applicant.Name, Body: body, Authority: authority, IssuedOn: issued, QRURL: qr})
	case "certificate.pdf":
		pdf, err = s.certificatePDF(r, a, f, authority, issued, qr)
	}
	var missing *document.MissingGlyphError
	if errors.As(err, &missing) {
		s.renderStatus(w, r, http.StatusUnprocessableEntity, "error", &errorPage{Title: "无法生成文书", Message: err.Error()})
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", mimeAttachment(n.Title+".pdf", "application/pdf"))
	w.Header().Set("Cache-Control", "private, no-store")
	w.Write(pdf)
}

// certificatePDF prints the holder's certificate as the registry holds it
// now: every valid line, each with its own dates.
func (s *Server) certificatePDF(r *http.Request, a store.Application, f *application.Form, authority, issued, qr string) ([]byte, error) {
	holder, err := s.store.HolderByID(r.Context(), a.HolderID)
	if err != nil {
		return nil, err
	}
	h, err := s.store.HoldingByIDNumber(r.Context(), holder.IDNumber)
	if err != nil {
		return nil, err
	}
	c := document.CertificateData{Name: holder.Name, Sex: holder.Sex, IDNumber: holder.IDNumber, Number: holder.IDNumber,
		Employer: f.Employer.Name, Authority: authority, IssuedOn: issued, QRURL: qr}
	for _, cert := range h.Certificates {
		if cert.Number == holder.IDNumber {
			c.ArchiveNo = cert.ArchiveNo
		}
		for _, it := range cert.Items {
			if it.Status != registry.ItemValid {
				continue
			}
			l := application.LineOnCertificate(it, s.catalog)
			c.Items = append(c.Items, document.CertificateItem{Code: l.Code, Name: l.Name, Original: l.Original, Approved: it.ApprovedOn.Chinese(), Until: it.ValidUntil.Chinese()})
		}
	}
	if f.PhotoKey != "" {
		if rc, _, err := s.files.Open(r.Context(), f.PhotoKey); err == nil {
			c.Photo, _ = io.ReadAll(rc)
			rc.Close()
		}
	}
	return document.Certificate(c)
}
