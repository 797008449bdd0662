package web

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// securityHeaders: no framing (clickjacking on forms that submit personal
// data), no MIME sniffing of uploaded files, only our own scripts and styles.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
		if r.TLS != nil {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		next.ServeHTTP(w, r)
	})
}

// crossOrigin refuses state-changing requests sent by other sites
// (Sec-Fetch-Site / Origin checks of http.CrossOriginProtection), with a
// Chinese page instead of a bare 403.
func crossOrigin(next http.Handler, s *Server) http.Handler {
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.renderStatus(w, r, http.StatusForbidden, "error", &errorPage{Title: "请求被拒绝", Message: "该请求并非来自本网站的页面，已被拒绝。请回到本网站重新操作。"})
	}))
	guarded := cop.Handler(next)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// CrossOriginProtection compares the Origin's host with Host only:
		// "https://this-host" posting to http://this-host would pass. An
		// Origin of another scheme is another origin (RFC 6454).
		if o := r.Header.Get("Origin"); o != "" && r.Method != http.MethodGet && r.Method != http.MethodHead && r.Method != http.MethodOptions {
			if u, err := url.Parse(o); err == nil && u.Host == r.Host && u.Scheme != s.schemeOf(r) {
				s.renderStatus(w, r, http.StatusForbidden, "error", &errorPage{Title: "请求被拒绝", Message: "该请求并非来自本网站的页面，已被拒绝。请回到本网站重新操作。"})
				return
			}
		}
		guarded.ServeHTTP(w, r)
	})
}

// schemeOf is the scheme the service is reached by on this request.
func (s *Server) schemeOf(r *http.Request) string {
	if r.TLS != nil || strings.HasPrefix(s.baseURL, "https://") {
		return "https"
	}
	return "http"
}

// maxFormBody bounds the body of a request to a route that takes no file:
// the longest form of the service (the SMS templates, an officer's reasons)
// is a few KB.
const maxFormBody = 256 << 10

// takesFile marks a route that takes an uploaded file and bounds its own
// body (parseStepForm, readYear), refusing a declared oversize unread.
type takesFile http.HandlerFunc

func (h takesFile) ServeHTTP(w http.ResponseWriter, r *http.Request) { h(w, r) }

// limitBodies refuses an oversized body before anything parses it: from
// Content-Length when declared, otherwise once maxFormBody has been read,
// never reading on. A handler that ignores ParseForm's error (as
// PostFormValue does) would otherwise go on with empty values after reading
// 10 MB of a form, or the whole of a multipart body spilled to disk.
func (s *Server) limitBodies(mux *http.ServeMux, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength == 0 {
			next.ServeHTTP(w, r)
			return
		}
		if h, _ := mux.Handler(r); isTakesFile(h) {
			next.ServeHTTP(w, r)
			return
		}
		if r.ContentLength > maxFormBody {
			s.tooLarge(w, r)
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxFormBody))
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			s.tooLarge(w, r)
			return
		}
		// Any other error (the client went away) is met by the handler as
		// a truncated body, as it would have been.
		r.Body = io.NopCloser(bytes.NewReader(body))
		next.ServeHTTP(w, r)
	})
}

func isTakesFile(h http.Handler) bool { _, ok := h.(takesFile); return ok }

func (s *Server) tooLarge(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Connection", "close")
	if strings.HasPrefix(r.URL.Path, "/api/") {
		s.apiJSON(w, http.StatusRequestEntityTooLarge, apiError{Code: "too_large", Message: "请求内容过大，不能超过256KB"})
		return
	}
	s.renderStatus(w, r, http.StatusRequestEntityTooLarge, "error", &errorPage{Title: "提交的内容过大",
		Message: "提交的内容超过了允许的大小，未被处理。请返回上一页检查后重新提交；申请材料请在“申请材料”一步上传，每个文件不超过10MB。"})
}

func (s *Server) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				s.serverError(w, r, fmt.Errorf("%w: %v", errPanic, p))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (w *statusWriter) WriteHeader(code int) { w.status = code; w.ResponseWriter.WriteHeader(code) }
func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += n
	return n, err
}
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// logRequests logs method, path, status and time; never the query string,
// which may carry a 证件号码 (DESIGN.md: personal data never goes into logs).
func (s *Server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		info := &requestInfo{ID: s.requestID(r)}
		w.Header().Set("X-Request-Id", info.ID)
		r = r.WithContext(context.WithValue(r.Context(), requestInfoKey{}, info))
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		took := time.Since(start)
		if sw.status == 0 {
			sw.status = http.StatusOK
		}
		level := slog.LevelInfo
		if sw.status >= 500 {
			level = slog.LevelError
		}
		s.log.LogAttrs(r.Context(), level, "http", slog.String("request_id", info.ID), slog.String("method", r.Method), slog.String("path", r.URL.Path),
			slog.Int("status", sw.status), slog.Int("bytes", sw.bytes), slog.Int64("ms", took.Milliseconds()))
		s.metrics.ObserveRequest(info.Route, r.Method, sw.status, took)
	})
}

// requestInfo follows a request through the handlers: its id, for the logs
// and the busy page, and the route pattern the mux chose, for the metrics
// (the mux records it on the request it is given, which the middleware
// between here and it has replaced).
type requestInfo struct {
	ID    string
	Route string
}

type requestInfoKey struct{}

func requestInfoOf(ctx context.Context) *requestInfo {
	info, _ := ctx.Value(requestInfoKey{}).(*requestInfo)
	return info
}

// requestIDOf is the request's id, "" outside a request.
func requestIDOf(ctx context.Context) string {
	if info := requestInfoOf(ctx); info != nil {
		return info.ID
	}
	return ""
}

// recordRoute wraps the mux, keeping the pattern of the route it chose.
func recordRoute(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mux.ServeHTTP(w, r)
		if info := requestInfoOf(r.Context()); info != nil {
			info.Route = r.Pattern
		}
	})
}

// requestID is the id of a request: the one a trusted reverse proxy gave it
// (so its log and ours join), or a new one.
func (s *Server) requestID(r *http.Request) string {
	if id := r.Header.Get("X-Request-Id"); id != "" && len(id) <= 64 && s.proxies.trusts(peerAddr(r.RemoteAddr)) && plainID(id) {
		return id
	}
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], rand.Uint64())
	return hex.EncodeToString(b[:])
}

func plainID(id string) bool {
	for _, c := range id {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

func cacheForever(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=86400")
		next.ServeHTTP(w, r)
	})
}
