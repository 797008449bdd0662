package web

import (
	"net/http/httptest"
	"net/netip"
	"testing"
)

// Only what a trusted proxy wrote in X-Forwarded-For is believed: read from
// the right, the first address that is not a trusted proxy is the client.
func TestClientAddressBehindTrustedProxies(t *testing.T) {
	trusted := trustedProxies{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("::1/128")}
	for _, c := range []struct {
		remote string
		xff    []string
		want   string
	}{
		{"203.0.113.7:5000", nil, "203.0.113.7"},
		{"203.0.113.7:5000", []string{"198.51.100.1"}, "203.0.113.7"}, // not through a trusted proxy: the header is the client's own
		{"10.0.0.2:443", []string{"198.51.100.1"}, "198.51.100.1"},
		{"10.0.0.2:443", []string{"1.2.3.4, 198.51.100.1"}, "198.51.100.1"},  // the client wrote 1.2.3.4 itself
		{"10.0.0.2:443", []string{"198.51.100.1, 10.0.0.3"}, "198.51.100.1"}, // two proxies of ours
		{"10.0.0.2:443", []string{"198.51.100.1", "10.0.0.3"}, "198.51.100.1"},
		{"10.0.0.2:443", nil, "10.0.0.2"},
		{"10.0.0.2:443", []string{"garbage, 10.0.0.3"}, "10.0.0.3"},
		{"[::1]:443", []string{"2001:db8::5"}, "2001:db8::5"},
		{"[::ffff:10.0.0.2]:443", []string{"::ffff:198.51.100.1"}, "198.51.100.1"},
	} {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = c.remote
		for _, v := range c.xff {
			r.Header.Add("X-Forwarded-For", v)
		}
		if got := trusted.client(r); got != c.want {
			t.Errorf("%s %q: %s, want %s", c.remote, c.xff, got, c.want)
		}
	}
	if got := (trustedProxies{}).client(httptest.NewRequest("GET", "/", nil)); got != "192.0.2.1" {
		t.Errorf("no proxies: %s", got)
	}
}
