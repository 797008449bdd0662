package web

import (
	"net/http"
	"strconv"
	"strings"

	"opcert/internal/auth"
	"opcert/internal/casework"
	"opcert/internal/weldexam"
)

// The exam staff's 焊工报名 pages at /exam: the institution's welder
// registrations, one registration locked, seated in the welding sessions
// and scored per skill item.
func (s *Server) weldExamRoutes(mux *http.ServeMux) {
	examiner := func(h http.HandlerFunc) http.HandlerFunc { return s.requireRole(auth.RoleExaminer, h) }
	mux.HandleFunc("GET /exam/welders", examiner(s.examWelders))
	mux.HandleFunc("GET /exam/welders/{id}", examiner(s.examWelder))
	mux.HandleFunc("GET /exam/welders/{id}/form.pdf", examiner(s.examWelderPDF))
	mux.HandleFunc("GET /exam/welders/{id}/ticket.pdf", examiner(s.examWelderTicket))
	mux.HandleFunc("POST /exam/welders/{id}/lock", examiner(s.examWelderLock))
	mux.HandleFunc("POST /exam/welders/{id}/seat", examiner(s.examWelderSeat))
	mux.HandleFunc("POST /exam/welders/{id}/scores", examiner(s.examWelderScores))
}

type examWeldersPage struct {
	chrome
	Lines []casework.WeldLine
}

func (s *Server) examWelders(w http.ResponseWriter, r *http.Request) {
	lines, err := s.cases.WeldRegistrations(r.Context(), s.actor(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, "exam_welders", &examWeldersPage{Lines: lines})
}

type examWelderPage struct {
	chrome
	C       casework.WeldCase
	Number  string
	Form    *form
	Errors  []fieldError
	Results []weldexam.ItemResult
	Notice  string
}

func (p *examWelderPage) ErrorFor(field string) string { return fieldErrors(p.Errors).ErrorFor(field) }

// SessionLabel is a session as the seat list names it.
func (p *examWelderPage) SessionLabel(id int64) string {
	for _, x := range p.C.Sessions {
		if x.ID == id {
			return x.Date.Chinese() + " " + x.Start + "–" + x.End + " " + x.Venue
		}
	}
	return "场次 " + strconv.FormatInt(id, 10)
}

func (s *Server) examWelderPage(w http.ResponseWriter, r *http.Request, status int, f *form, errs []fieldError, notice string) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	c, err := s.cases.WeldCase(r.Context(), s.actor(r), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if f == nil {
		f = &form{Values: map[string]string{}}
	}
	f.Errors = errs
	s.renderStatus(w, r, status, "exam_welder", &examWelderPage{C: c, Number: casework.WeldNumber(c.ID), Form: f, Errors: errs, Notice: notice})
}

func (s *Server) examWelder(w http.ResponseWriter, r *http.Request) {
	notice := map[string]string{"locked": "已锁定报名：报名人不能再修改。", "seated": "已安排考试场次。", "scored": "成绩已录入，合格的项目已进入考试成绩信息列表。"}[r.URL.Query().Get("done")]
	s.examWelderPage(w, r, http.StatusOK, nil, nil, notice)
}

func (s *Server) examWelderPDF(w http.ResponseWriter, r *http.Request) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	pdf, err := s.cases.StaffWeldFormPDF(r.Context(), s.actor(r), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	sendPDF(w, "考试机构报名表.pdf", pdf)
}

func (s *Server) examWelderTicket(w http.ResponseWriter, r *http.Request) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	pdf, err := s.cases.StaffWeldTicketPDF(r.Context(), s.actor(r), id, func(path string) string { return s.absoluteURL(r, path) })
	if err != nil {
		s.fail(w, r, err)
		return
	}
	sendPDF(w, "准考证.pdf", pdf)
}

func (s *Server) examWelderDone(w http.ResponseWriter, r *http.Request, done string) {
	http.Redirect(w, r, "/exam/welders/"+r.PathValue("id")+"?done="+done, http.StatusSeeOther)
}

func (s *Server) examWelderLock(w http.ResponseWriter, r *http.Request) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err := s.cases.LockWeld(r.Context(), s.actor(r), id); err != nil {
		s.fail(w, r, err)
		return
	}
	s.examWelderDone(w, r, "locked")
}

func (s *Server) examWelderSeat(w http.ResponseWriter, r *http.Request) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	session, _ := strconv.ParseInt(r.PostFormValue("session"), 10, 64)
	if _, err := s.cases.SeatWeld(r.Context(), s.actor(r), id, session); err != nil {
		if status := statusOf(err); status == http.StatusUnprocessableEntity || status == http.StatusConflict {
			s.examWelderPage(w, r, status, nil, fieldErrorsOf(err, nil), "")
			return
		}
		s.fail(w, r, err)
		return
	}
	s.examWelderDone(w, r, "seated")
}

func (s *Server) examWelderScores(w http.ResponseWriter, r *http.Request) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	f := &form{Values: map[string]string{"theory": strings.TrimSpace(r.PostFormValue("theory"))}}
	in := casework.WeldScores{Theory: f.Get("theory")}
	for i := 0; i < weldexam.MaxItems; i++ {
		k := weldexam.PracticalField(i)
		f.Values[k] = strings.TrimSpace(r.PostFormValue(k))
		in.Practical = append(in.Practical, f.Values[k])
	}
	if _, err := s.cases.ScoreWeld(r.Context(), s.actor(r), id, in); err != nil {
		if status := statusOf(err); status == http.StatusUnprocessableEntity || status == http.StatusConflict {
			errs := fieldErrorsOf(err, nil)
			if len(errs) == 0 {
				errs = []fieldError{{Message: casework.ErrorMessage(err)}}
			}
			s.examWelderPage(w, r, status, f, errs, "")
			return
		}
		s.fail(w, r, err)
		return
	}
	s.examWelderDone(w, r, "scored")
}
