package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"opcert/internal/casework"
	"opcert/internal/exam"
)

// The score sheet of a 考试场次: a template to download, an upload checked
// row by row with a report, and the confirmation that records the good
// rows.
func (s *Server) scoreSheetRoutes(mux *http.ServeMux, examiner func(http.HandlerFunc) http.HandlerFunc) {
	mux.HandleFunc("GET /exam/scores", examiner(func(w http.ResponseWriter, r *http.Request) {
		// The 工作台's choice of a session, without scripts.
		id, err := strconv.ParseInt(r.URL.Query().Get("session"), 10, 64)
		if err != nil {
			s.notFound(w, r)
			return
		}
		http.Redirect(w, r, fmt.Sprintf("/exam/sessions/%d/scores", id), http.StatusSeeOther)
	}))
	mux.HandleFunc("GET /exam/sessions/{id}/scores", examiner(s.scoreSheetPage))
	mux.HandleFunc("GET /exam/sessions/{id}/scores/template.xlsx", examiner(s.scoreSheetTemplate))
	mux.Handle("POST /exam/sessions/{id}/scores", takesFile(examiner(s.scoreSheetUpload)))
	mux.HandleFunc("POST /exam/sessions/{id}/scores/confirm", examiner(s.scoreSheetConfirm))
	mux.HandleFunc("POST /exam/sessions/{id}/scores/report.xlsx", examiner(s.scoreSheetReport))
}

type scoreSheetPage struct {
	chrome
	SessionID int64
	Sheet     *casework.ScoreSheet
	Checked   bool // a sheet was uploaded: the report is shown
	Errors    []fieldError
	Recorded  string // how many were recorded, after a confirmation
}

// ErrorFor is the refusal of the file itself, for the upload field.
func (p *scoreSheetPage) ErrorFor(field string) string { return fieldErrors(p.Errors).ErrorFor(field) }

func sessionID(r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	return id, err == nil
}

func (s *Server) scoreSheetPage(w http.ResponseWriter, r *http.Request) {
	id, ok := sessionID(r)
	if !ok {
		s.notFound(w, r)
		return
	}
	x, _, err := s.cases.ScoreSheetTemplate(r.Context(), s.actor(r), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, "exam_scores", &scoreSheetPage{SessionID: id, Sheet: &casework.ScoreSheet{Session: x, Items: x.ItemList(s.catalog)}, Recorded: r.URL.Query().Get("recorded")})
}

// scoreSheetTemplate downloads the session's sheet with its candidates
// filled in and the scores blank.
func (s *Server) scoreSheetTemplate(w http.ResponseWriter, r *http.Request) {
	id, ok := sessionID(r)
	if !ok {
		s.notFound(w, r)
		return
	}
	x, rows, err := s.cases.ScoreSheetTemplate(r.Context(), s.actor(r), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	cells := [][]any{{exam.ColumnNumber, exam.ColumnTicket, exam.ColumnName, exam.ColumnTheory, exam.ColumnPractical}}
	for _, row := range rows {
		cells = append(cells, []any{row.Number, row.Ticket, row.Name, "", ""})
	}
	s.sendXLSX(w, r, fmt.Sprintf("成绩导入模板-%s-%s.xlsx", x.Date, x.Subject.Label()), "成绩", cells, map[string]float64{"A": 16, "B": 18, "C": 12})
}

// scoreSheetUpload checks an uploaded sheet and shows the report; nothing
// is recorded yet.
func (s *Server) scoreSheetUpload(w http.ResponseWriter, r *http.Request) {
	id, ok := sessionID(r)
	if !ok {
		s.notFound(w, r)
		return
	}
	name, data, err := scoreSheetUpload.read(r)
	var sheet casework.ScoreSheet
	if err == nil {
		sheet, err = s.cases.ReadScoreSheet(r.Context(), s.actor(r), id, name, data)
	}
	s.showSheet(w, r, id, sheet, err)
}

// scoreSheetUpload is the 成绩表 upload; a request far larger than a score
// sheet is cut off unread (413).
var scoreSheetUpload = sheetUpload{
	tooLarge: &casework.Error{Code: casework.Invalid, Field: "file", Label: "成绩表", Message: "「成绩表」文件大小超过2MB：请只保留本场次考生的行后重新上传"},
	missing:  &casework.Error{Code: casework.Invalid, Field: "file", Label: "成绩表", Message: "请选择要上传的成绩表（xlsx 文件）"},
}

// showSheet renders the report, or the refusal of the file at its field.
func (s *Server) showSheet(w http.ResponseWriter, r *http.Request, id int64, sheet casework.ScoreSheet, err error) {
	p := &scoreSheetPage{SessionID: id, Sheet: &sheet, Checked: true}
	status := http.StatusOK
	if err != nil {
		var shown bool
		if status, p.Errors, shown = scoreSheetUpload.refusal(err); !shown {
			s.fail(w, r, err)
			return
		}
		if sheet.Session.ID == 0 {
			x, _, terr := s.cases.ScoreSheetTemplate(r.Context(), s.actor(r), id)
			if terr != nil {
				s.fail(w, r, terr)
				return
			}
			p.Sheet, p.Checked = &casework.ScoreSheet{Session: x, Items: x.ItemList(s.catalog)}, false
		}
	}
	s.renderStatus(w, r, status, "exam_scores", p)
}

// postedRows are the sheet's rows as the report page carried them.
func postedRows(r *http.Request) ([]exam.ScoreRow, bool) {
	f := r.PostForm
	n := len(f["line"])
	for _, k := range []string{"number", "ticket", "name", "theory", "practical"} {
		if len(f[k]) != n {
			return nil, false
		}
	}
	rows := make([]exam.ScoreRow, n)
	for i := range rows {
		line, err := strconv.Atoi(f["line"][i])
		if err != nil {
			return nil, false
		}
		rows[i] = exam.ScoreRow{Line: line, Number: f["number"][i], Ticket: f["ticket"][i], Name: f["name"][i], Theory: f["theory"][i], Practical: f["practical"][i]}
	}
	return rows, true
}

// scoreSheetConfirm records the good rows the staff confirmed, all in one
// transaction, after checking them again.
func (s *Server) scoreSheetConfirm(w http.ResponseWriter, r *http.Request) {
	id, ok := sessionID(r)
	r.ParseForm()
	rows, rowsOK := postedRows(r)
	expect, err := strconv.Atoi(r.PostFormValue("expect"))
	if !ok || !rowsOK || err != nil {
		s.notFound(w, r)
		return
	}
	sheet, err := s.cases.RecordScoreSheet(r.Context(), s.actor(r), id, rows, expect)
	if err != nil {
		s.showSheet(w, r, id, sheet, err)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/exam/sessions/%d/scores?%s", id, url.Values{"recorded": {strconv.Itoa(len(sheet.Good))}}.Encode()), http.StatusSeeOther)
}

// scoreSheetReport downloads the report of the rows the page carries,
// checked again: 行号, 列 and 原因 of each problem.
func (s *Server) scoreSheetReport(w http.ResponseWriter, r *http.Request) {
	id, ok := sessionID(r)
	r.ParseForm()
	rows, rowsOK := postedRows(r)
	if !ok || !rowsOK {
		s.notFound(w, r)
		return
	}
	sheet, err := s.cases.CheckScoreSheet(r.Context(), s.actor(r), id, rows)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	cells := [][]any{{"行号", "列", "原因"}}
	for _, p := range sheet.Problems {
		cells = append(cells, []any{p.Line, p.Column, p.Message})
	}
	if len(sheet.Problems) == 0 {
		cells = append(cells, []any{"", "", "全部行均可录入"})
	}
	s.sendXLSX(w, r, fmt.Sprintf("成绩导入检查报告-%s-%s.xlsx", sheet.Session.Date, sheet.Session.Subject.Label()), "检查报告", cells, map[string]float64{"C": 70})
}
