package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"

	"opcert/internal/auth"
	"opcert/internal/casework"
	"opcert/internal/workday"
)

func (s *Server) calendarRoutes(mux *http.ServeMux) {
	admin := func(h http.HandlerFunc) http.HandlerFunc { return s.requireRole(auth.RoleAdmin, h) }
	mux.HandleFunc("GET /admin/calendar", admin(s.calendarPage))
	mux.Handle("POST /admin/calendar/preview", takesFile(admin(s.calendarPreview)))
	mux.HandleFunc("POST /admin/calendar/import", admin(s.calendarImport))
}

// maxYearFile bounds an uploaded year file: a year's arrangement is a few
// kilobytes of JSON.
const maxYearFile = 256 << 10

// maxYearRequest bounds the request that carries a year file.
const maxYearRequest = maxYearFile + 64<<10

// errYearTooLarge is a request far larger than a year file, cut off (413).
var errYearTooLarge = casework.FieldError("file", "文件太大：超过 256 KB。节假日安排文件应为几 KB 的 JSON 文件（格式同 internal/workday/data/2026.json）")

// calendarLabels name the import form's fields in the error summary.
var calendarLabels = map[string]string{
	"file": "节假日安排文件", "year": "年度", "source": "通知文号", "holidays": "放假日期", "workdays": "调休上班日期", "data": "导入内容",
}

type calendarPageData struct {
	chrome
	casework.CalendarOverview
	Form   *form
	Errors []fieldError
	Notice string
}

type calendarPreviewData struct {
	chrome
	Preview casework.HolidayImport
	Data    string // the year as JSON, posted back on 确认导入
	Errors  []fieldError
}

func (s *Server) calendarData(r *http.Request, f *form) (*calendarPageData, error) {
	ov, err := s.cases.CalendarOverview(r.Context())
	if err != nil {
		return nil, err
	}
	if f == nil {
		f = &form{Values: map[string]string{}}
	}
	if f.Values["year"] == "" && len(ov.Awaited) > 0 {
		f.Values["year"] = strconv.Itoa(ov.Awaited[len(ov.Awaited)-1])
	}
	return &calendarPageData{CalendarOverview: ov, Form: f}, nil
}

// calendarPage lists the years of the working-day calendar and takes a new
// one: the JSON file of internal/workday/data/, or the days typed in.
func (s *Server) calendarPage(w http.ResponseWriter, r *http.Request) {
	p, err := s.calendarData(r, nil)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	q := r.URL.Query()
	if y, err := strconv.Atoi(q.Get("imported")); err == nil {
		recounted, _ := strconv.Atoi(q.Get("recounted"))
		moved, _ := strconv.Atoi(q.Get("moved"))
		p.Notice = fmt.Sprintf("已导入 %d 年法定节假日安排，所有服务实例立即生效。重新计算暂定期限 %d 件，其中日期变化 %d 件，已短信通知相关申请人。", y, recounted, moved)
	}
	s.render(w, r, "admin_calendar", p)
}

// calendarPreview reads the year from the upload or the form and shows what
// importing it would change, without changing anything.
func (s *Server) calendarPreview(w http.ResponseWriter, r *http.Request) {
	y, f, err := s.readYear(r)
	if err == nil {
		var preview casework.HolidayImport
		if preview, err = s.cases.PreviewHolidayYear(r.Context(), y); err == nil {
			data, _ := json.Marshal(y)
			s.render(w, r, "admin_calendar_preview", &calendarPreviewData{Preview: preview, Data: string(data)})
			return
		}
	}
	if statusOf(err) == http.StatusInternalServerError {
		s.serverError(w, r, err)
		return
	}
	p, perr := s.calendarData(r, f)
	if perr != nil {
		s.serverError(w, r, perr)
		return
	}
	p.Errors = fieldErrorsOf(err, calendarLabels)
	p.Form.Errors = p.Errors
	status := statusOf(err)
	if errors.Is(err, errYearTooLarge) {
		status = http.StatusRequestEntityTooLarge
	}
	s.renderStatus(w, r, status, "admin_calendar", p)
}

// readYear is the year an admin sent: an uploaded file when one was chosen,
// otherwise the typed form. The form's values come back for the page.
func (s *Server) readYear(r *http.Request) (workday.YearData, *form, error) {
	if r.ContentLength > maxYearRequest {
		return workday.YearData{}, nil, errYearTooLarge // declared: refused unread
	}
	r.Body = http.MaxBytesReader(nil, r.Body, maxYearRequest)
	if err := r.ParseMultipartForm(maxYearRequest); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return workday.YearData{}, nil, errYearTooLarge
		}
		return workday.YearData{}, nil, casework.FieldError("file", "无法读取提交的内容，请重新选择文件")
	}
	if r.MultipartForm != nil {
		defer r.MultipartForm.RemoveAll()
	}
	if field := notUTF8(r); field != "" {
		return workday.YearData{}, nil, casework.FieldError(field, notUTF8Message)
	}
	f := newForm(r, "year", "source", "holidays", "workdays")
	if file, _ := formFile(r, "file"); file != nil {
		defer file.Close()
		raw, err := io.ReadAll(io.LimitReader(file, maxYearFile+1))
		if err != nil {
			return workday.YearData{}, f, err
		}
		if len(raw) > maxYearFile {
			return workday.YearData{}, f, casework.FieldError("file", "文件太大：节假日安排文件应为几 KB 的 JSON 文件")
		}
		y, err := casework.ParseHolidayYear(raw, "file")
		return y, f, err
	}
	year := 0
	if v := f.Get("year"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return workday.YearData{}, f, casework.FieldError("year", "年度应为四位数字，如 2027")
		}
		year = n
	}
	y, err := casework.HolidayYearForm{Year: year, Source: f.Get("source"), Holidays: r.PostFormValue("holidays"), Workdays: r.PostFormValue("workdays")}.Parse()
	return y, f, err
}

// calendarImport imports the year the preview showed.
func (s *Server) calendarImport(w http.ResponseWriter, r *http.Request) {
	y, err := casework.ParseHolidayYear([]byte(r.PostFormValue("data")), "data")
	if err == nil {
		var done casework.HolidayImport
		if done, err = s.cases.ImportHolidayYear(r.Context(), s.actor(r), y); err == nil {
			http.Redirect(w, r, fmt.Sprintf("/admin/calendar?imported=%d&recounted=%d&moved=%d", y.Year, len(done.Recounts), done.Moved()), http.StatusSeeOther)
			return
		}
	}
	if statusOf(err) == http.StatusInternalServerError {
		s.serverError(w, r, err)
		return
	}
	p, perr := s.calendarData(r, nil)
	if perr != nil {
		s.serverError(w, r, perr)
		return
	}
	p.Errors = fieldErrorsOf(err, calendarLabels)
	s.renderStatus(w, r, statusOf(err), "admin_calendar", p)
}
