package web

import (
	"bytes"
	"fmt"
	"net/http"

	"github.com/xuri/excelize/v2"
)

// queueExport downloads the filtered queue as a spreadsheet (XLSX), the
// columns as the page shows them.
func (s *Server) queueExport(w http.ResponseWriter, r *http.Request) {
	_, query := queueFilters(r)
	rows, err := s.cases.QueueExport(r.Context(), s.actor(r), query)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	f := excelize.NewFile()
	defer f.Close()
	const sheet = "Sheet1"
	f.SetSheetName(sheet, "办件")
	header := []any{"申请号", "申请人", "申请类型", "作业项目", "状态", "提交日期", "法定期限", "剩余"}
	f.SetSheetRow("办件", "A1", &header)
	for i, row := range rows {
		qr := newQueueRow(row)
		submitted, due := "", ""
		if !qr.App.SubmittedAt.IsZero() {
			submitted = qr.App.SubmittedAt.In(chinaTime()).Format("2006-01-02")
		}
		if !qr.App.Due.IsZero() {
			due = qr.App.Due.Date.String()
			if note := qr.App.Due.Note(); note != "" {
				due += "（" + note + "）"
			}
		}
		line := []any{qr.App.Number, qr.Name, qr.Matter.Label(), qr.Items, qr.Status.Label(), submitted, due, qr.DaysLeft}
		f.SetSheetRow("办件", fmt.Sprintf("A%d", i+2), &line)
	}
	f.SetColWidth("办件", "A", "A", 16)
	f.SetColWidth("办件", "D", "D", 28)
	f.SetColWidth("办件", "G", "G", 30)
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		s.serverError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", mimeAttachment("办件清单.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
	w.Header().Set("Cache-Control", "private, no-store")
	w.Write(buf.Bytes())
}
