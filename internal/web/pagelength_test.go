package web_test

import (
	"net/http"
	"strconv"
	"testing"
)

// A rendered page declares its length, so it goes out in one piece rather
// than chunked; the declared length is the page's, on a first render, on
// the visitor's home page kept from before, and on an error page.
func TestPagesDeclareTheirLength(t *testing.T) {
	srv, _ := newDemoServer(t, true)
	b := newBrowser(t, srv)
	for _, c := range []struct {
		path   string
		status int
	}{{"/", http.StatusOK}, {"/", http.StatusOK}, {"/certificates/query", http.StatusOK}, {"/p/no-such-token", http.StatusNotFound}} {
		resp, body := b.get(c.path)
		if resp.StatusCode != c.status {
			t.Fatalf("%s: status %d, want %d", c.path, resp.StatusCode, c.status)
		}
		if got := resp.Header.Get("Content-Length"); got != strconv.Itoa(len(body)) || len(resp.TransferEncoding) > 0 {
			t.Errorf("%s: Content-Length %q, transfer encoding %v, body of %d bytes", c.path, got, resp.TransferEncoding, len(body))
		}
	}
}
