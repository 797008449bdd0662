package web

import (
	"bytes"
	"net/http"

	"github.com/dchest/captcha"
)

// Captcha pictures and their spoken version (for those who cannot read the
// picture). The digits come from the database, so any instance can draw
// the captcha another one asked for.
func (s *Server) captchaRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /captcha/{id}", s.captchaImage)
	mux.HandleFunc("GET /captcha/{id}/audio", s.captchaAudio)
}

const captchaWidth, captchaHeight = 180, 64

func (s *Server) captchaImage(w http.ResponseWriter, r *http.Request) {
	digits, err := s.cases.CaptchaDigits(r.Context(), r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	// 换一张 asks again with another "v": the same digits, drawn anew.
	var buf bytes.Buffer
	if _, err := captcha.NewImage(r.PathValue("id")+"/"+r.URL.Query().Get("v"), digits, captchaWidth, captchaHeight).WriteTo(&buf); err != nil {
		s.serverError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Cache-Control", "no-store")
	w.Write(buf.Bytes())
}

func (s *Server) captchaAudio(w http.ResponseWriter, r *http.Request) {
	digits, err := s.cases.CaptchaDigits(r.Context(), r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var buf bytes.Buffer
	if _, err := captcha.NewAudio(r.PathValue("id"), digits, "zh").WriteTo(&buf); err != nil {
		s.serverError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "audio/wav")
	w.Header().Set("Cache-Control", "no-store")
	w.Write(buf.Bytes())
}
