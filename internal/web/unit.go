package web

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"

	"github.com/xuri/excelize/v2"

	"opcert/internal/auth"
	"opcert/internal/casework"
	"opcert/internal/enterprise"
)

// The 单位 pages: registration of an employer or training body, and its
// 工作台.
func (s *Server) unitRoutes(mux *http.ServeMux) {
	unit := func(h http.HandlerFunc) http.HandlerFunc { return s.requireRole(auth.RoleUnit, h) }
	mux.HandleFunc("GET /unit/register", s.unitRegisterPage)
	mux.HandleFunc("POST /unit/register", s.unitRegister)
	mux.HandleFunc("GET /unit", unit(s.unitDesk))
	mux.HandleFunc("GET /unit/workers.xlsx", unit(s.unitWorkersExport))
	s.weldBatchRoutes(mux, unit)
}

// unitFields are the 单位注册 inputs besides the passwords.
var unitFields = []string{"unit_name", "credit_code", "address", "contact", "phone"}

type unitRegisterPage struct {
	chrome
	Form *form
}

func (s *Server) unitRegisterPage(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, "unit_register", &unitRegisterPage{Form: &form{Values: map[string]string{}}})
}

// unitRegister creates the 单位 account through the service and logs it in.
func (s *Server) unitRegister(w http.ResponseWriter, r *http.Request) {
	f := newForm(r, unitFields...)
	f.Values["password"], f.Values["password2"] = r.PostFormValue("password"), r.PostFormValue("password2")
	page := &unitRegisterPage{Form: f}
	u, err := s.cases.RegisterUnit(r.Context(), casework.UnitRegistration{
		Unit:     enterprise.Unit{Name: f.Get("unit_name"), CreditCode: f.Get("credit_code"), Address: f.Get("address"), Contact: f.Get("contact"), Phone: f.Get("phone")},
		Password: f.Get("password"), Password2: f.Get("password2")})
	if err != nil {
		s.failForm(w, r, f, err, "unit_register", page)
		return
	}
	if err := s.startSession(w, r, u); err != nil {
		s.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, "/unit?registered=1", http.StatusSeeOther)
}

type unitDeskPage struct {
	chrome
	casework.Workforce
	Registered bool
	// BatchRegistered is how many welders a 批量报名 just registered.
	BatchRegistered int
}

// unitDesk is the 单位工作台: its profile and its workers' items, those due
// for 复审 first.
func (s *Server) unitDesk(w http.ResponseWriter, r *http.Request) {
	wf, err := s.cases.Workforce(r.Context(), s.actor(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	n, _ := strconv.Atoi(r.URL.Query().Get("batch_registered"))
	s.render(w, r, "unit_desk", &unitDeskPage{Workforce: wf, Registered: r.URL.Query().Has("registered"), BatchRegistered: n})
}

// unitWorkersExport downloads the 单位工作台's list as a spreadsheet, in the
// page's order and columns.
func (s *Server) unitWorkersExport(w http.ResponseWriter, r *http.Request) {
	wf, err := s.cases.Workforce(r.Context(), s.actor(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	rows := [][]any{{"姓名", "证件号码", "项目代号", "项目名称", "有效期至", "状态", "复审"}}
	for _, x := range wf.Rows {
		rows = append(rows, []any{x.Name, x.IDNumber, x.Code, x.Item, x.ValidUntil.String(), x.Standing.Label, x.Renewal})
	}
	for _, x := range wf.Waiting {
		rows = append(rows, []any{x.Name, x.IDNumber, "", "", "", "暂无持证项目", ""})
	}
	s.sendXLSX(w, r, wf.Unit.Name+"作业人员持证情况"+wf.Day.String()+".xlsx", "持证情况", rows, map[string]float64{"B": 22, "C": 30, "D": 24, "G": 40})
}

// sendXLSX writes rows (the first the header) as a one-sheet workbook.
func (s *Server) sendXLSX(w http.ResponseWriter, r *http.Request, filename, sheet string, rows [][]any, widths map[string]float64) {
	f := excelize.NewFile()
	defer f.Close()
	f.SetSheetName("Sheet1", sheet)
	for i, row := range rows {
		f.SetSheetRow(sheet, fmt.Sprintf("A%d", i+1), &row)
	}
	for col, width := range widths {
		f.SetColWidth(sheet, col, col, width)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		s.serverError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", xlsxType)
	w.Header().Set("Content-Disposition", mimeAttachment(filename, xlsxType))
	w.Header().Set("Cache-Control", "private, no-store")
	w.Write(buf.Bytes())
}

const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
