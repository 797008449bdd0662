package web

import (
	"net/http"

	"opcert/internal/application"
)

func (s *Server) publicRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /p/{token}", s.progressPage)
}

type progressData struct {
	chrome
	Number, Matter, Status string // the 申请号, the matter's and the status's labels
	Name, Authority        string // the applicant's name masked, the 受理机关
	Deadline               string
	Lines                  []progressLine // the 办理记录
}

// progressLine is one step of the 办理记录 as the page shows it.
type progressLine struct{ At, Status string }

// progressPage is what the QR code of a notice opens (seed 000 3.5: 直接手机
// 扫描补正通知书或者受理通知书上的二维码查询业务办理进度): the state of the
// application and nothing personal beyond a masked name. The page's words
// are worked out here: the template only places them (a method or function
// called from a template costs a search by name and a reflective call).
func (s *Server) progressPage(w http.ResponseWriter, r *http.Request) {
	c, ev, err := s.cases.Progress(r.Context(), r.PathValue("token"))
	if statusOf(err) == http.StatusNotFound {
		s.notFound(w, r)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	a, f := c.Application, c.Form
	p := &progressData{Number: a.Number, Matter: application.Matter(a.Matter).Label(), Status: application.Status(a.Status).Label(),
		Name: maskName(f.Applicant.Name), Deadline: deadlineSentence(a), Lines: make([]progressLine, 0, len(ev))}
	if au, ok := s.catalog.District(a.AuthorityCode); ok {
		p.Authority = au.Name + "市场监督管理局"
	}
	for _, e := range ev {
		if e.Action == "create" {
			continue
		}
		l := progressLine{At: datetime(e.At), Status: statusLabel(e.To)}
		if e.Action == "recompute_deadline" {
			l.Status = "期限确定（导入节假日安排）"
		}
		p.Lines = append(p.Lines, l)
	}
	w.Header().Set("X-Robots-Tag", "noindex")
	s.render(w, r, "progress", p)
}
