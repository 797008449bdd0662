// Package web serves opcert's pages and API: server-rendered Chinese HTML
// that works on a phone and without JavaScript. Handlers parse the request,
// call the domain and store, and render; business rules live elsewhere.
package web

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"html/template"
	"io/fs"
	"log/slog"
	"mime"
	"net/http"
	"net/netip"
	"strings"
	"sync/atomic"
	"time"

	"opcert/internal/blob"
	"opcert/internal/casework"
	"opcert/internal/catalog"
	"opcert/internal/civil"
	"opcert/internal/elicence"
	"opcert/internal/metrics"
	"opcert/internal/store"
)

//go:embed templates static
var assets embed.FS

// Server holds the dependencies of the handlers.
type Server struct {
	store    *store.DB
	catalog  *catalog.Catalog
	log      *slog.Logger
	today    func() civil.Date
	pages    map[string]*template.Template
	handler  http.Handler // the routes inside the protections of ServeHTTP
	demo     bool
	cases    *casework.Service
	files    blob.Store
	elicence elicence.Provider
	secure   bool // cookies only over HTTPS (BaseURL is https)
	baseURL  string
	proxies  trustedProxies
	metrics  *metrics.Metrics

	visitorHome atomic.Pointer[[]byte] // the home page as a visitor sees it (home)
}

// Options configures a Server.
type Options struct {
	Store    *store.DB
	Catalog  *catalog.Catalog
	Logger   *slog.Logger
	Today    func() civil.Date // defaults to civil.Today
	Demo     bool              // demo mode: development pages such as the SMS outbox
	Files    blob.Store        // uploaded files
	ELicence elicence.Provider // 电子身份证; defaults to the embedded provider
	Cases    *casework.Service // the use-case layer; defaults to one over Store
	BaseURL  string            // public address, for QR codes and cookie security
	// TrustedProxies are the reverse proxies whose X-Forwarded-For names
	// the client (config.Config.TrustedProxies).
	TrustedProxies []netip.Prefix
	// Metrics counts requests by route; nil for none.
	Metrics *metrics.Metrics
}

// New builds the HTTP handler of the whole service.
func New(o Options) (*Server, error) {
	s := &Server{store: o.Store, catalog: o.Catalog, log: o.Logger, today: o.Today, demo: o.Demo,
		baseURL: strings.TrimRight(o.BaseURL, "/"), secure: strings.HasPrefix(o.BaseURL, "https://"), proxies: o.TrustedProxies, metrics: o.Metrics}
	if s.today == nil {
		s.today = civil.Today
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	pages, err := parsePages()
	if err != nil {
		return nil, err
	}
	s.pages = pages
	s.files, s.elicence = o.Files, o.ELicence
	if s.elicence == nil {
		s.elicence = elicence.Embedded{}
	}
	if s.files == nil {
		return nil, errors.New("web: a file store is required")
	}
	s.cases = o.Cases
	if s.cases == nil {
		s.cases = casework.New(casework.Options{Store: s.store, Catalog: s.catalog, Today: s.today, Log: s.log, Files: o.Files, ELicence: s.elicence})
	}
	s.routes()
	return s, nil
}

func (s *Server) routes() {
	mux := http.NewServeMux()
	static, _ := fs.Sub(assets, "static")
	mux.Handle("GET /static/", http.StripPrefix("/static/", cacheForever(http.FileServerFS(static))))
	mux.HandleFunc("GET /healthz", s.healthz)
	mux.HandleFunc("GET /api/v1/catalog", s.apiCatalog)
	mux.HandleFunc("GET /{$}", s.home)
	mux.HandleFunc("GET /guide/{matter}", s.guide)
	mux.HandleFunc("GET /guide", s.guideChoose)
	mux.HandleFunc("GET /certificates/query", s.certificateQuery)
	mux.HandleFunc("POST /certificates/query", s.askCertificates)
	s.authRoutes(mux)
	s.applyRoutes(mux)
	s.fileRoutes(mux)
	s.publicRoutes(mux)
	s.officerRoutes(mux)
	s.examRoutes(mux)
	s.weldRoutes(mux)
	s.noticeRoutes(mux)
	s.smsRoutes(mux)
	s.calendarRoutes(mux)
	s.captchaRoutes(mux)
	s.verifyRoutes(mux)
	s.adminCertificateRoutes(mux)
	s.adminHomeRoutes(mux)
	s.officeRoutes(mux)
	s.unitRoutes(mux)
	s.adminUnitRoutes(mux)
	s.accountRoutes(mux)
	s.policyRoutes(mux)
	s.orgRoutes(mux)
	s.mappingRoutes(mux)
	s.apiRoutes(mux)
	s.adminAPIKeyRoutes(mux)
	mux.HandleFunc("/", s.notFound)
	// Built once: the chain (and its CrossOriginProtection) used to be
	// built again for every request.
	var h http.Handler = s.withViewer(s.requirePasswordChange(s.limitBodies(mux, s.readPlainForms(recordRoute(mux)))))
	h = securityHeaders(h)
	h = crossOrigin(h, s)
	h = s.recoverer(h)
	s.handler = s.logRequests(h)
}

// ServeHTTP applies the protections every response gets.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	if err := s.store.Ping(ctx); err != nil {
		s.log.Error("healthz: database", "err", err)
		w.WriteHeader(http.StatusServiceUnavailable)
		json.NewEncoder(w).Encode(map[string]string{"status": "error", "database": "unreachable"})
		return
	}
	json.NewEncoder(w).Encode(map[string]string{"status": "ok"})
}

func (s *Server) apiCatalog(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=300")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(s.catalog.API()); err != nil {
		s.log.Error("api catalog", "err", err)
	}
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	s.renderStatus(w, r, http.StatusNotFound, "error", &errorPage{Title: "页面不存在", Message: "您访问的页面不存在或已被移除。"})
}

type errorPage struct {
	chrome
	Title, Message string
	RequestID      string // on a server error, for the help desk
}

func (s *Server) serverError(w http.ResponseWriter, r *http.Request, err error) {
	id := requestIDOf(r.Context())
	s.log.Error("request failed", "request_id", id, "path", r.URL.Path, "err", err)
	// The id on the page lets a caller to the help desk name the failure in
	// the logs.
	s.renderStatus(w, r, http.StatusInternalServerError, "error", &errorPage{Title: "系统繁忙", Message: "系统暂时无法处理您的请求，请稍后再试。您已保存的信息不会丢失。", RequestID: id})
}

var errPanic = errors.New("panic")

// mimeAttachment is a Content-Disposition that keeps a Chinese file name
// (RFC 6266 filename*), shown inline for PDFs and pictures.
func mimeAttachment(filename, contentType string) string {
	disp := "attachment"
	if contentType == "application/pdf" || strings.HasPrefix(contentType, "image/") {
		disp = "inline"
	}
	return mime.FormatMediaType(disp, map[string]string{"filename": filename})
}

func chinaTime() *time.Location { return civil.ChinaTime }
