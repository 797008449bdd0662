package web

import (
	"net/http"

	"opcert/internal/casework"
)

// statusOf is the HTTP status of an error from the service, the one place
// where its codes become statuses (as WTF Dial's http/http.go does): a
// failure of the service itself is 500.
func statusOf(err error) int {
	switch casework.ErrorCode(err) {
	case casework.Invalid:
		return http.StatusUnprocessableEntity
	case casework.Conflict:
		return http.StatusConflict
	case casework.Forbidden:
		return http.StatusForbidden
	case casework.NotFound:
		return http.StatusNotFound
	case casework.TooMany:
		return http.StatusTooManyRequests
	case casework.Unavailable:
		return http.StatusServiceUnavailable
	case casework.Gone:
		return http.StatusGone
	case casework.Unauthorized:
		return http.StatusUnauthorized
	}
	return http.StatusInternalServerError
}

// fieldErrorsOf turns a refusal into the errors shown at their fields and in
// the summary; labels names each field as the page shows it.
func fieldErrorsOf(err error, labels map[string]string) []fieldError {
	var out []fieldError
	for _, e := range casework.FieldErrors(err) {
		label := e.Label
		if l, ok := labels[e.Field]; ok {
			label = l
		}
		out = append(out, fieldError{Field: e.Field, Label: label, Message: e.Message})
	}
	return out
}

// refusesThePage reports an error no form can answer: a failure of the
// service, a case not found, an actor not allowed. The page gives way to
// the error page; any other refusal is shown on the form, as typed.
func refusesThePage(err error) bool {
	switch statusOf(err) {
	case http.StatusInternalServerError, http.StatusNotFound, http.StatusForbidden:
		return true
	}
	return false
}

// fail answers a request the service refused with its status and message
// on the error page; a failure of the service itself is a 500.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	status := statusOf(err)
	if status == http.StatusInternalServerError {
		s.serverError(w, r, err)
		return
	}
	s.renderStatus(w, r, status, "error", &errorPage{Title: "无法完成", Message: casework.ErrorMessage(err)})
}
