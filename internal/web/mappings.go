package web

import (
	"net/http"
	"strings"

	"opcert/internal/auth"
	"opcert/internal/casework"
	"opcert/internal/catalog"
)

func (s *Server) mappingRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /admin/mappings", s.requireRole(auth.RoleAdmin, s.mappingsPage))
	mux.HandleFunc("POST /admin/mappings/{old}", s.requireRole(auth.RoleAdmin, s.decideMapping))
}

type mappingsPageData struct {
	chrome
	Mappings []mappingRow
	Kinds    []catalog.MappingKind
	Notice   string
	// Editing is the old item whose form carries Form's values and errors.
	Editing string
	Form    *form
	Errors  []fieldError
}

type mappingRow struct {
	catalog.Mapping
	Targets, Extras string // as the form shows them
	Names           string // the current targets with their names
}

func (s *Server) mappingsData(r *http.Request) (*mappingsPageData, error) {
	list, cat, err := s.cases.UncertainMappings(r.Context(), s.actor(r))
	if err != nil {
		return nil, err
	}
	p := &mappingsPageData{Kinds: []catalog.MappingKind{catalog.KindDirect, catalog.KindChoice, catalog.KindDirectOptionalExtra, catalog.KindCancelled},
		Form: &form{Values: map[string]string{}}}
	for _, m := range list {
		row := mappingRow{Mapping: m, Targets: lines(m.Targets), Extras: lines(m.OptionalExtra)}
		var names []string
		for _, q := range append(m.Targets, m.OptionalExtra...) {
			names = append(names, q.String()+" "+q.Name(cat))
		}
		row.Names = strings.Join(names, "、")
		p.Mappings = append(p.Mappings, row)
	}
	return p, nil
}

func lines(qs []catalog.Qualification) string {
	parts := make([]string, len(qs))
	for i, q := range qs {
		parts[i] = q.String()
	}
	return strings.Join(parts, "、")
}

// mappingsPage lists the 换发 rules the research left uncertain, each with
// a form to confirm or change it with its source.
func (s *Server) mappingsPage(w http.ResponseWriter, r *http.Request) {
	p, err := s.mappingsData(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if old := r.URL.Query().Get("done"); old != "" {
		for _, m := range p.Mappings {
			if string(m.Old) == old {
				p.Notice = "已确认原项目" + old + "的换发规则。复审、补证和公开的换发对应表立即按此执行。"
			}
		}
	}
	s.render(w, r, "admin_mappings", p)
}

func (s *Server) decideMapping(w http.ResponseWriter, r *http.Request) {
	old := r.PathValue("old")
	f := newForm(r, "kind", "targets", "extras", "source")
	err := s.cases.DecideMapping(r.Context(), s.actor(r), casework.MappingForm{Old: old, Kind: f.Get("kind"), Targets: f.Get("targets"), Extras: f.Get("extras"), Source: f.Get("source")})
	if err == nil {
		http.Redirect(w, r, "/admin/mappings?done="+old+"#mapping-"+old, http.StatusSeeOther)
		return
	}
	if refusesThePage(err) {
		s.fail(w, r, err)
		return
	}
	p, perr := s.mappingsData(r)
	if perr != nil {
		s.serverError(w, r, perr)
		return
	}
	p.Editing, p.Form = old, f
	p.Errors = fieldErrorsOf(err, nil)
	for i := range p.Errors {
		p.Errors[i].Field = p.Errors[i].Field + "-" + old
	}
	f.Errors = p.Errors
	s.renderStatus(w, r, statusOf(err), "admin_mappings", p)
}
