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
	mux.HandleFunc("POST /unit/resubmit", unit(s.unitResubmit))
	mux.HandleFunc("GET /unit/licence", unit(s.unitOwnLicence))
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

// unitRegister creates the 单位 account, 待审核, through the service and
// logs it in: its workbench says where the 审核 stands.
func (s *Server) unitRegister(w http.ResponseWriter, r *http.Request) {
	files, err := s.parseStepForm(r)
	defer files.Close()
	if err != nil {
		f := &form{Values: map[string]string{}}
		s.failForm(w, r, f, casework.FieldError("licence", err.Error()), "unit_register", &unitRegisterPage{Form: f})
		return
	}
	f := newForm(r, unitFields...)
	f.Values["password"], f.Values["password2"] = r.PostFormValue("password"), r.PostFormValue("password2")
	page := &unitRegisterPage{Form: f}
	reg := casework.UnitRegistration{
		Unit:     enterprise.Unit{Name: f.Get("unit_name"), CreditCode: f.Get("credit_code"), Address: f.Get("address"), Contact: f.Get("contact"), Phone: f.Get("phone")},
		Password: f.Get("password"), Password2: f.Get("password2")}
	reg.Licence = files.file("licence")
	u, err := s.cases.RegisterUnit(r.Context(), reg)
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
	casework.UnitDesk
	Registered, Resubmitted bool
	// BatchRegistered is how many welders a 批量报名 just registered.
	BatchRegistered int
	// Correction is the form a refused 单位 corrects its registration in.
	Correction *form
}

// unitDesk is the 单位工作台: where its registration's 审核 stands and,
// once checked, its profile and its workers' items, those due for 复审
// first.
func (s *Server) unitDesk(w http.ResponseWriter, r *http.Request) {
	d, err := s.cases.UnitDesk(r.Context(), s.actor(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	n, _ := strconv.Atoi(r.URL.Query().Get("batch_registered"))
	s.render(w, r, "unit_desk", &unitDeskPage{UnitDesk: d, Registered: r.URL.Query().Has("registered"), Resubmitted: r.URL.Query().Has("resubmitted"),
		BatchRegistered: n, Correction: correctionForm(d)})
}

// correctionForm is the correction form filled with the registration.
func correctionForm(d casework.UnitDesk) *form {
	u := d.Registration.Unit
	return &form{Values: map[string]string{"unit_name": u.Name, "address": u.Address, "contact": u.Contact, "phone": u.Phone}}
}

// unitResubmit sends a refused registration, corrected, back for 审核.
func (s *Server) unitResubmit(w http.ResponseWriter, r *http.Request) {
	files, err := s.parseStepForm(r)
	defer files.Close()
	if err != nil {
		s.renderStatus(w, r, http.StatusBadRequest, "error", &errorPage{Title: "无法读取提交的内容", Message: err.Error()})
		return
	}
	f := newForm(r, "unit_name", "address", "contact", "phone")
	c := casework.UnitCorrection{Name: f.Get("unit_name"), Address: f.Get("address"), Contact: f.Get("contact"), Phone: f.Get("phone")}
	c.Licence = files.file("licence")
	err = s.cases.ResubmitUnit(r.Context(), s.actor(r), c)
	if err == nil {
		http.Redirect(w, r, "/unit?resubmitted=1", http.StatusSeeOther)
		return
	}
	if statusOf(err) != http.StatusUnprocessableEntity {
		s.fail(w, r, err)
		return
	}
	d, derr := s.cases.UnitDesk(r.Context(), s.actor(r))
	if derr != nil {
		s.fail(w, r, derr)
		return
	}
	s.failForm(w, r, f, err, "unit_desk", &unitDeskPage{UnitDesk: d, Correction: f})
}

// unitOwnLicence sends the 单位 the 营业执照 it registered with.
func (s *Server) unitOwnLicence(w http.ResponseWriter, r *http.Request) {
	who := s.actor(r)
	lic, err := s.cases.UnitLicence(r.Context(), who, who.UserID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.sendBlob(w, r, lic.Key, lic.Filename)
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
