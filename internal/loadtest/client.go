package loadtest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"strings"
	"sync/atomic"
	"time"
)

// Client is the load client: one keep-alive transport that every worker
// shares, no redirects followed (the flows read each Location), no
// compression (neither does the bare handler).
type Client struct {
	base string
	hc   *http.Client
	// Visitors: each request comes from another visitor behind the
	// service's reverse proxy (X-Forwarded-For in 198.18.0.0/15, the
	// benchmarking range of RFC 2544), as a city's users do, rather than
	// one client the per-client limits would stop.
	Visitors bool
	visitor  atomic.Uint32
}

// NewClient returns a client of the server at base for up to conns
// concurrent requests.
func NewClient(base string, conns int) *Client {
	tr := &http.Transport{
		MaxIdleConns:        conns * 2,
		MaxIdleConnsPerHost: conns * 2,
		IdleConnTimeout:     time.Minute,
		DisableCompression:  true,
	}
	return &Client{base: strings.TrimRight(base, "/"), hc: &http.Client{
		Transport:     tr,
		Timeout:       2 * time.Minute,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// Close drops the idle connections.
func (c *Client) Close() { c.hc.CloseIdleConnections() }

// Response is what a request returned.
type Response struct {
	Status   int
	Location string
	Session  string // the session cookie the response set, if any
	Body     []byte
}

// SessionCookie is the name of the service's session cookie.
const SessionCookie = "opcert_session"

// Get requests path with the session cookie (none when empty).
func (c *Client) Get(ctx context.Context, path, session string) (Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+path, nil)
	if err != nil {
		return Response{}, err
	}
	return c.do(req, session)
}

// PostForm sends an url-encoded form.
func (c *Client) PostForm(ctx context.Context, path, session string, form url.Values) (Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+path, strings.NewReader(form.Encode()))
	if err != nil {
		return Response{}, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req, session)
}

// PostJSON sends body as a JSON request, as an API client does.
func (c *Client) PostJSON(ctx context.Context, path string, body []byte) (Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+path, bytes.NewReader(body))
	if err != nil {
		return Response{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	return c.do(req, "")
}

// File is one file of a multipart form.
type File struct {
	Field, Name, ContentType string
	Data                     []byte
}

// PostMultipart sends a form with one file, as a browser does for the
// wizard's upload buttons. The file's bytes are streamed, not copied.
func (c *Client) PostMultipart(ctx context.Context, path, session string, form url.Values, f File) (Response, error) {
	var head bytes.Buffer
	mw := multipart.NewWriter(&head)
	for k, vs := range form {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="%s"; filename="%s"`, f.Field, f.Name))
	h.Set("Content-Type", f.ContentType)
	if _, err := mw.CreatePart(h); err != nil {
		return Response{}, err
	}
	tail := "\r\n--" + mw.Boundary() + "--\r\n"
	body := io.MultiReader(bytes.NewReader(head.Bytes()), bytes.NewReader(f.Data), strings.NewReader(tail))
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+path, body)
	if err != nil {
		return Response{}, err
	}
	req.ContentLength = int64(head.Len() + len(f.Data) + len(tail))
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return c.do(req, session)
}

func (c *Client) do(req *http.Request, session string) (Response, error) {
	if c.Visitors {
		n := c.visitor.Add(1) % (1 << 17)
		req.Header.Set("X-Forwarded-For", fmt.Sprintf("198.%d.%d.%d", 18+n>>16, n>>8&0xff, n&0xff))
	}
	if session != "" {
		req.AddCookie(&http.Cookie{Name: SessionCookie, Value: session})
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return Response{}, err
	}
	defer resp.Body.Close()
	out := Response{Status: resp.StatusCode, Location: resp.Header.Get("Location")}
	for _, ck := range resp.Cookies() {
		if ck.Name == SessionCookie && ck.Value != "" {
			out.Session = ck.Value
		}
	}
	// The pages declare their length: read into a buffer of that size
	// rather than one grown from 512 bytes by copying, work the bare
	// handler's tiny answer does not share. Read to the end all the same:
	// a body closed before its end is seen closes the connection.
	buf := new(bytes.Buffer)
	if n := resp.ContentLength; n >= 0 && n <= maxPresized {
		buf = bytes.NewBuffer(make([]byte, 0, n+bytes.MinRead))
	}
	if _, err := buf.ReadFrom(resp.Body); err != nil {
		return out, err
	}
	out.Body = buf.Bytes()
	return out, nil
}

// maxPresized is the largest declared length read into a buffer made to
// size at once (a PDF or an export is read as it comes).
const maxPresized = 1 << 20

// Expect fails unless the response has the status and, when given, a body
// containing want: a page that merely answers cannot measure as fast.
func (r Response) Expect(status int, want string) error {
	if r.Status != status {
		return fmt.Errorf("status %d, want %d: %s", r.Status, status, snippet(r.Body))
	}
	if want != "" && !bytes.Contains(r.Body, []byte(want)) {
		return fmt.Errorf("status %d without %q: %s", r.Status, want, snippet(r.Body))
	}
	return nil
}

// snippet is the error summary of a page, or its start.
func snippet(b []byte) string {
	if i := bytes.Index(b, []byte("error-summary")); i >= 0 {
		b = b[i:]
	}
	if len(b) > 600 {
		b = b[:600]
	}
	return string(b)
}
