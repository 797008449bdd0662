package web

import (
	"fmt"
	"net/http"
	"strconv"

	"opcert/internal/casework"
	"opcert/internal/weldexam"
)

// 批量报名 of the 单位工作台: the template, an upload checked row by row with
// a report (on the page and as a workbook), and the confirmation that
// registers the valid rows.
func (s *Server) weldBatchRoutes(mux *http.ServeMux, unit func(http.HandlerFunc) http.HandlerFunc) {
	mux.HandleFunc("GET /unit/weld-batch", unit(s.weldBatchPage))
	mux.HandleFunc("GET /unit/weld-batch/template.xlsx", unit(s.weldBatchTemplate))
	mux.Handle("POST /unit/weld-batch", takesFile(unit(s.weldBatchUpload)))
	mux.HandleFunc("GET /unit/weld-batch/{id}", unit(s.weldBatchReportPage))
	mux.HandleFunc("GET /unit/weld-batch/{id}/report.xlsx", unit(s.weldBatchReport))
	mux.HandleFunc("POST /unit/weld-batch/{id}/confirm", unit(s.weldBatchConfirm))
}

// weldBatchShown bounds the rows the page lists; the downloaded report has
// every one.
const weldBatchShown = 500

type weldBatchPage struct {
	chrome
	Batch     *casework.WeldBatch
	Errors    []fieldError
	PhotoRule string
	Shown     int
	// KeptDays is how long an upload not confirmed is kept.
	KeptDays int
}

func (p *weldBatchPage) ErrorFor(field string) string { return fieldErrors(p.Errors).ErrorFor(field) }

// Problems and Good are the rows the page lists.
func (p *weldBatchPage) Problems() []weldexam.BatchProblem {
	return p.Batch.Problems[:min(len(p.Batch.Problems), p.Shown)]
}
func (p *weldBatchPage) Good() []weldexam.BatchEntry {
	return p.Batch.Good[:min(len(p.Batch.Good), p.Shown)]
}

func newWeldBatchPage(b *casework.WeldBatch) *weldBatchPage {
	return &weldBatchPage{Batch: b, PhotoRule: weldexam.BatchPhotoRule, Shown: weldBatchShown, KeptDays: weldexam.UnconfirmedBatchDays}
}

// weldBatchPage is the upload form, to a 单位 whose registration is
// checked: one 待审核 is told why it cannot upload yet, rather than shown
// a form that refuses it.
func (s *Server) weldBatchPage(w http.ResponseWriter, r *http.Request) {
	if _, err := s.cases.UnitOf(r.Context(), s.actor(r)); err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, "unit_weld_batch", newWeldBatchPage(nil))
}

func (s *Server) weldBatchTemplate(w http.ResponseWriter, r *http.Request) {
	data, err := s.cases.WeldBatchTemplate(r.Context(), s.actor(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", xlsxType)
	w.Header().Set("Content-Disposition", mimeAttachment("焊工批量报名模板.xlsx", xlsxType))
	w.Header().Set("Cache-Control", "private, no-store")
	w.Write(data)
}

// batchUpload is the 批量报名表 upload.
var batchUpload = sheetUpload{
	tooLarge: &casework.Error{Code: casework.Invalid, Field: "file", Label: "批量报名表", Message: "「批量报名表」文件大小超过2MB：请分成几个表格上传"},
	missing:  &casework.Error{Code: casework.Invalid, Field: "file", Label: "批量报名表", Message: "请选择要上传的批量报名表（xlsx 文件）"},
}

// weldBatchUpload checks the uploaded workbook; the report is shown at the
// upload's own address, so that a reload does not upload it again.
func (s *Server) weldBatchUpload(w http.ResponseWriter, r *http.Request) {
	name, data, err := batchUpload.read(r)
	var b casework.WeldBatch
	if err == nil {
		b, err = s.cases.ReadWeldBatch(r.Context(), s.actor(r), name, data)
	}
	if err != nil {
		s.showBatch(w, r, nil, err)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/unit/weld-batch/%d", b.ID), http.StatusSeeOther)
}

// showBatch renders the page with the batch's report, or the refusal at
// the upload field.
func (s *Server) showBatch(w http.ResponseWriter, r *http.Request, b *casework.WeldBatch, err error) {
	p := newWeldBatchPage(b)
	status := http.StatusOK
	if err != nil {
		var shown bool
		if status, p.Errors, shown = batchUpload.refusal(err); !shown {
			s.fail(w, r, err)
			return
		}
	}
	s.renderStatus(w, r, status, "unit_weld_batch", p)
}

func batchID(r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	return id, err == nil
}

// ownBatch is the upload the path names, of the 单位 asking; anything else
// has been answered.
func (s *Server) ownBatch(w http.ResponseWriter, r *http.Request) (casework.WeldBatch, bool) {
	id, ok := batchID(r)
	if !ok {
		s.notFound(w, r)
		return casework.WeldBatch{}, false
	}
	b, err := s.cases.WeldBatchOf(r.Context(), s.actor(r), id)
	if err != nil {
		s.fail(w, r, err)
		return casework.WeldBatch{}, false
	}
	return b, true
}

func (s *Server) weldBatchReportPage(w http.ResponseWriter, r *http.Request) {
	b, ok := s.ownBatch(w, r)
	if !ok {
		return
	}
	s.showBatch(w, r, &b, nil)
}

// weldBatchReport downloads the report as the batch stands now: 行号, 列
// and 原因 of each problem.
func (s *Server) weldBatchReport(w http.ResponseWriter, r *http.Request) {
	b, ok := s.ownBatch(w, r)
	if !ok {
		return
	}
	cells := [][]any{{"行号", "列", "原因"}}
	for _, p := range b.Problems {
		cells = append(cells, []any{p.Line, p.Column, p.Message})
	}
	switch {
	case b.Confirmed:
		cells = append(cells, []any{"", "", fmt.Sprintf("已确认报名 %d 名考生", b.Registered)})
	case len(b.Problems) == 0:
		cells = append(cells, []any{"", "", "全部行均可报名"})
	}
	s.sendXLSX(w, r, fmt.Sprintf("焊工批量报名检查报告-%d.xlsx", b.ID), "检查报告", cells, map[string]float64{"B": 28, "C": 90})
}

// weldBatchConfirm registers the valid rows the 单位 confirmed, all at
// once, after checking them again.
func (s *Server) weldBatchConfirm(w http.ResponseWriter, r *http.Request) {
	id, ok := batchID(r)
	expect, err := strconv.Atoi(r.PostFormValue("expect"))
	if !ok || err != nil {
		s.notFound(w, r)
		return
	}
	b, err := s.cases.ConfirmWeldBatch(r.Context(), s.actor(r), id, expect)
	if err != nil {
		if casework.ErrorCode(err) == casework.NotFound {
			s.fail(w, r, err)
			return
		}
		s.showBatch(w, r, &b, err)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/unit?batch_registered=%d#weld-registrations", b.Registered), http.StatusSeeOther)
}
