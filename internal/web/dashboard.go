package web

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"

	"github.com/xuri/excelize/v2"

	"opcert/internal/casework"
)

type dashboardPage struct {
	chrome
	casework.Dashboard
	Chart   barChart
	Rows    []figureRow // the figures as a table, in the chart's order
	Bureaus []bureauRow
}

// figureRow is one figure as the table and the spreadsheet show it.
type figureRow struct {
	Label, Value string
	N            float64 // the bar's length
}

// bureauRow is a bureau's line of the city table.
type bureauRow struct {
	Name  string
	Cells []string
}

// dashboardRows are the figures in the order the page, the chart and the
// spreadsheet give them.
func dashboardRows(f casework.Figures) []figureRow {
	var rows []figureRow
	for _, sc := range f.ByStatus {
		rows = append(rows, figureRow{Label: sc.Status.Label(), Value: strconv.Itoa(sc.N), N: float64(sc.N)})
	}
	rows = append(rows,
		figureRow{Label: "本周到期", Value: strconv.Itoa(f.DueThisWeek), N: float64(f.DueThisWeek)},
		figureRow{Label: "已超期", Value: strconv.Itoa(f.Overdue), N: float64(f.Overdue)},
		figureRow{Label: "平均受理用时（工作日）", Value: average(f.AvgToAcceptance, f.Accepted), N: f.AvgToAcceptance},
		figureRow{Label: "平均决定用时（工作日）", Value: average(f.AvgToDecision, f.Decided), N: f.AvgToDecision},
		figureRow{Label: "补正率", Value: rate(f), N: f.CorrectionRate})
	return rows
}

func average(v float64, n int) string {
	if n == 0 {
		return "—"
	}
	return fmt.Sprintf("%.1f（%d 件）", v, n)
}

func rate(f casework.Figures) string {
	if f.Submitted == 0 {
		return "—"
	}
	return fmt.Sprintf("%.1f%%（%d/%d）", f.CorrectionRate, f.Corrected, f.Submitted)
}

// barChart is a horizontal bar chart drawn as SVG on the server: the
// figures as bars, in groups whose bars share a scale (counts, working
// days, per cent), so no script is needed to read it.
type barChart struct {
	Width, Height int
	Bars          []chartBar
}

type chartBar struct {
	Label, Value string
	Y, W         int
}

const (
	chartLabel = 190 // width of the labels column
	chartBarW  = 360 // the longest bar
	chartRow   = 24
)

func newBarChart(rows []figureRow) barChart {
	c := barChart{Width: chartLabel + chartBarW + 150, Height: len(rows)*chartRow + 8}
	// The counts share one scale; the two averages another; the rate is
	// out of 100.
	scale := func(from, to int) float64 {
		m := 0.0
		for _, r := range rows[from:to] {
			m = max(m, r.N)
		}
		return m
	}
	n := len(rows)
	counts, days := scale(0, n-3), scale(n-3, n-1)
	for i, r := range rows {
		top := counts
		switch {
		case i >= n-1:
			top = 100
		case i >= n-3:
			top = days
		}
		w := 0
		if top > 0 {
			w = int(r.N / top * chartBarW)
		}
		c.Bars = append(c.Bars, chartBar{Label: r.Label, Value: r.Value, Y: 4 + i*chartRow, W: w})
	}
	return c
}

// officerDashboard is the figures of the officer's 受理机关, or the city's
// for an admin, as a table and a chart.
func (s *Server) officerDashboard(w http.ResponseWriter, r *http.Request) {
	d, err := s.cases.Dashboard(r.Context(), s.actor(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := &dashboardPage{Dashboard: d, Rows: dashboardRows(d.Total)}
	p.Chart = newBarChart(p.Rows)
	for _, b := range d.Bureaus {
		row := bureauRow{Name: b.Name}
		for _, f := range dashboardRows(b)[len(b.ByStatus):] {
			row.Cells = append(row.Cells, f.Value)
		}
		row.Cells = append([]string{strconv.Itoa(b.Total)}, row.Cells...)
		p.Bureaus = append(p.Bureaus, row)
	}
	s.render(w, r, "officer_dashboard", p)
}

// dashboardExport downloads the same figures as a spreadsheet: the bureau's
// (or the city's) figures, and for the city one line per bureau.
func (s *Server) dashboardExport(w http.ResponseWriter, r *http.Request) {
	d, err := s.cases.Dashboard(r.Context(), s.actor(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	f := excelize.NewFile()
	defer f.Close()
	const sheet = "统计"
	f.SetSheetName("Sheet1", sheet)
	head := []any{d.Title, "统计日 " + d.Today.String(), "本周至 " + d.WeekEnd.String(), "平均用时与补正率自 " + d.Since.String() + " 起"}
	f.SetSheetRow(sheet, "A1", &head)
	for i, row := range dashboardRows(d.Total) {
		line := []any{row.Label, row.Value}
		f.SetSheetRow(sheet, fmt.Sprintf("A%d", i+2), &line)
	}
	f.SetColWidth(sheet, "A", "A", 26)
	f.SetColWidth(sheet, "B", "B", 20)
	if len(d.Bureaus) > 0 {
		const by = "各受理机关"
		f.NewSheet(by)
		header := []any{"受理机关", "合计"}
		for _, row := range dashboardRows(d.Bureaus[0]) {
			header = append(header, row.Label)
		}
		f.SetSheetRow(by, "A1", &header)
		for i, b := range d.Bureaus {
			line := []any{b.Name, b.Total}
			for _, row := range dashboardRows(b) {
				line = append(line, row.Value)
			}
			f.SetSheetRow(by, fmt.Sprintf("A%d", i+2), &line)
		}
		f.SetColWidth(by, "A", "A", 26)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		s.serverError(w, r, err)
		return
	}
	const xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	w.Header().Set("Content-Type", xlsx)
	w.Header().Set("Content-Disposition", mimeAttachment(d.Title+"办件统计.xlsx", xlsx))
	w.Header().Set("Cache-Control", "private, no-store")
	w.Write(buf.Bytes())
}
