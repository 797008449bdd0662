package web

import (
	"bytes"
	"io"
	"net/http"

	"github.com/dchest/captcha"
)

// Captcha pictures and their spoken version (for those who cannot read the
// picture). The digits come from the database, so any instance can draw
// the captcha another one asked for.
func (s *Server) captchaRoutes(mux *http.ServeMux) {
	// 换一张 asks again with another "v": the same digits, drawn anew.
	mux.HandleFunc("GET /captcha/{id}", s.captcha("image/png", func(r *http.Request, digits []byte) io.WriterTo {
		return captcha.NewImage(r.PathValue("id")+"/"+r.URL.Query().Get("v"), digits, captchaWidth, captchaHeight)
	}))
	mux.HandleFunc("GET /captcha/{id}/audio", s.captcha("audio/wav", func(r *http.Request, digits []byte) io.WriterTo {
		return captcha.NewAudio(r.PathValue("id"), digits, "zh")
	}))
}

const captchaWidth, captchaHeight = 180, 64

// captcha answers with the captcha's digits drawn by draw.
func (s *Server) captcha(contentType string, draw func(r *http.Request, digits []byte) io.WriterTo) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		digits, err := s.cases.CaptchaDigits(r.Context(), r.PathValue("id"))
		if err != nil {
			s.fail(w, r, err)
			return
		}
		var buf bytes.Buffer
		if _, err := draw(r, digits).WriteTo(&buf); err != nil {
			s.serverError(w, r, err)
			return
		}
		w.Header().Set("Content-Type", contentType)
		w.Header().Set("Cache-Control", "no-store")
		w.Write(buf.Bytes())
	}
}
