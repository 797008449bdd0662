// Package config reads opcert's settings from flags and OPCERT_* environment
// variables. A flag given on the command line wins over the environment; the
// environment wins over the default.
package config

import (
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"opcert/internal/civil"
	"opcert/internal/document"
	"opcert/internal/sealed"
	"opcert/internal/verify"
)

// Config is everything the program can be told.
type Config struct {
	Addr        string // listen address for serve
	DataDir     string // SQLite file and uploaded files live here
	DatabaseURL string // postgres://… selects PostgreSQL instead of SQLite
	Demo        bool   // load demo data into an empty database
	LogLevel    slog.Level
	LogFormat   string // text or json
	BaseURL     string // public address for QR codes and links; empty: the address each request came in on
	// S3: uploaded files in an S3-compatible bucket instead of DataDir/files
	// (scale-out: instances share no disk).
	S3Endpoint, S3Bucket, S3AccessKey, S3SecretKey, S3Region string
	S3SSL                                                    bool
	// SMS: an HTTP gateway (URL and key) sends text messages; without one
	// they are written to SMSLog (default DataDir/sms.log).
	SMSURL, SMSKey, SMSLog string
	// SecretKey, when set, is the secret the service's keys are derived
	// from (the HMAC key of SMS codes), instead of the ones it generates
	// and keeps in the database. Read from the environment only, so that it
	// is not shown in the process list.
	SecretKey string
	// Today runs a demo as if on this day (trainers showing a renewal window
	// or a year boundary); zero for the real date. Refused without Demo: a
	// real service must never act on a made-up date.
	Today civil.Date
	// PprofAddr serves Go's profiler (net/http/pprof) on this address, on a
	// listener of its own and never on the service's: opcert load -profile
	// records where the time goes. Loopback only, as it shows internals.
	PprofAddr string
	// MetricsAddr serves /metrics (Prometheus text format) on a listener of
	// its own, for a monitoring network; never on the public listener,
	// since the figures describe the service's internals. Empty: none.
	MetricsAddr string
	// TrustedProxies are the reverse proxies in front of the service whose
	// X-Forwarded-For is believed. Without them every visitor behind one
	// proxy would share its address, and the login limits keyed on the
	// client would count a whole office (or the whole city) as one.
	TrustedProxies []netip.Prefix
	// SigningAlgorithm is the scheme of new certificate QR signing keys:
	// Ed25519, or SM2 where China's commercial cryptography is required.
	// Keys already made keep theirs, so certificates signed before a change
	// still verify.
	SigningAlgorithm verify.Algorithm
	// DataCipher is the cipher of new personal-data keys: AES-256-GCM, or
	// SM4-GCM where China's commercial cryptography is required. Like the
	// signing scheme it applies from the next key (opcert keys rotate-data);
	// values keep the cipher they were sealed with until re-sealed.
	DataCipher sealed.Cipher
	// FallbackFonts are the TrueType faces a character the embedded font
	// lacks (a rare name character) is printed from, in order; none when
	// empty. Default document.DefaultFallbackFonts (Debian's
	// fonts-hanazono).
	FallbackFonts []string
}

// Now is the clock of the service: the real time, or in a demo run with
// Today the time of day on that day, moving on from there.
func (c Config) Now() func() time.Time {
	if c.Today.IsZero() {
		return time.Now
	}
	offset := time.Duration(civil.Today().DaysUntil(c.Today)) * 24 * time.Hour
	return func() time.Time { return time.Now().Add(offset) }
}

// SQLitePath is where the embedded database file lives.
func (c Config) SQLitePath() string { return filepath.Join(c.DataDir, "opcert.db") }

// FilesDir is where uploaded files are kept by the local blob store.
func (c Config) FilesDir() string { return filepath.Join(c.DataDir, "files") }

// Register adds the common flags to fs, with defaults taken from the
// environment, and returns a function that finishes the config after parsing.
func Register(fs *flag.FlagSet) func() (Config, error) {
	var c Config
	var level string
	fs.StringVar(&c.Addr, "addr", env("OPCERT_ADDR", "localhost:8080"), "listen address (OPCERT_ADDR)")
	fs.StringVar(&c.DataDir, "data", env("OPCERT_DATA", "./data"), "data folder for the SQLite file and uploads (OPCERT_DATA)")
	fs.StringVar(&c.DatabaseURL, "database-url", env("OPCERT_DATABASE_URL", ""), "postgres://… to use PostgreSQL instead of SQLite (OPCERT_DATABASE_URL)")
	fs.BoolVar(&c.Demo, "demo", envBool("OPCERT_DEMO"), "load demo data when the database is empty (OPCERT_DEMO)")
	fs.StringVar(&level, "log-level", env("OPCERT_LOG_LEVEL", "info"), "debug, info, warn or error (OPCERT_LOG_LEVEL)")
	fs.StringVar(&c.LogFormat, "log-format", env("OPCERT_LOG_FORMAT", "text"), "text or json (OPCERT_LOG_FORMAT)")
	fs.StringVar(&c.BaseURL, "base-url", env("OPCERT_BASE_URL", ""), "public base URL for links and QR codes (OPCERT_BASE_URL)")
	fs.StringVar(&c.S3Endpoint, "s3-endpoint", env("OPCERT_S3_ENDPOINT", ""), "host:port of an S3-compatible store for uploaded files (OPCERT_S3_ENDPOINT)")
	fs.StringVar(&c.S3Bucket, "s3-bucket", env("OPCERT_S3_BUCKET", "opcert"), "bucket (OPCERT_S3_BUCKET)")
	fs.StringVar(&c.S3Region, "s3-region", env("OPCERT_S3_REGION", "us-east-1"), "region (OPCERT_S3_REGION)")
	fs.BoolVar(&c.S3SSL, "s3-ssl", envBool("OPCERT_S3_SSL"), "use HTTPS to the S3 store (OPCERT_S3_SSL)")
	c.S3AccessKey, c.S3SecretKey = os.Getenv("OPCERT_S3_ACCESS_KEY"), os.Getenv("OPCERT_S3_SECRET_KEY")
	fs.StringVar(&c.SMSURL, "sms-url", env("OPCERT_SMS_URL", ""), "HTTP SMS gateway URL; empty: messages go to the SMS log file (OPCERT_SMS_URL)")
	fs.StringVar(&c.SMSLog, "sms-log", env("OPCERT_SMS_LOG", ""), "file the messages are written to without a gateway; default DATA/sms.log (OPCERT_SMS_LOG)")
	c.SMSKey = os.Getenv("OPCERT_SMS_KEY")
	c.SecretKey = os.Getenv("OPCERT_SECRET_KEY")
	fs.StringVar(&c.PprofAddr, "pprof-addr", env("OPCERT_PPROF_ADDR", ""), "serve the Go profiler on this loopback address, e.g. 127.0.0.1:6060 (OPCERT_PPROF_ADDR)")
	fs.StringVar(&c.MetricsAddr, "metrics-addr", env("OPCERT_METRICS_ADDR", ""), "serve /metrics in the Prometheus format on this address, e.g. 10.0.0.5:9100 (OPCERT_METRICS_ADDR)")
	proxies := fs.String("trusted-proxies", env("OPCERT_TRUSTED_PROXIES", ""), "comma-separated addresses or CIDR ranges of reverse proxies whose X-Forwarded-For is trusted (OPCERT_TRUSTED_PROXIES)")
	fallback := fs.String("fallback-fonts", env("OPCERT_FALLBACK_FONTS", strings.Join(document.DefaultFallbackFonts, string(filepath.ListSeparator))),
		"fonts for characters the embedded one lacks (CJK Extension A, B…), separated by "+string(filepath.ListSeparator)+"; empty for none (OPCERT_FALLBACK_FONTS)")
	signing := fs.String("signing-algorithm", env("OPCERT_SIGNING_ALGORITHM", "Ed25519"), "scheme of new certificate QR signing keys: Ed25519 or SM2 (OPCERT_SIGNING_ALGORITHM)")
	dataCipher := fs.String("data-cipher", env("OPCERT_DATA_CIPHER", "AES"), "cipher of new personal-data keys: AES (AES-256-GCM) or SM4 (SM4-GCM) (OPCERT_DATA_CIPHER)")
	today := fs.String("today", env("OPCERT_TODAY", ""), "demo only: run as if today were this day, YYYY-MM-DD (OPCERT_TODAY)")
	return func() (Config, error) {
		if *today != "" {
			d, err := civil.Parse(strings.TrimSpace(*today))
			if err != nil {
				return c, fmt.Errorf("--today %q：请写成 YYYY-MM-DD，如 2026-12-15", *today)
			}
			if !c.Demo {
				return c, errors.New("--today 只能在演示模式下使用（同时加 --demo）：正式服务必须使用真实日期")
			}
			c.Today = d
		}
		if err := c.LogLevel.UnmarshalText([]byte(level)); err != nil {
			return c, fmt.Errorf("log level %q: use debug, info, warn or error", level)
		}
		if c.LogFormat != "text" && c.LogFormat != "json" {
			return c, fmt.Errorf("log format %q: use text or json", c.LogFormat)
		}
		c.BaseURL = strings.TrimRight(c.BaseURL, "/")
		if c.BaseURL != "" {
			u, err := url.Parse(c.BaseURL)
			if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.Path != "" || u.RawQuery != "" {
				return c, fmt.Errorf("--base-url %q：请写成 https://主机名[:端口] 的形式，不带路径", c.BaseURL)
			}
		}
		tp, err := ParseTrustedProxies(*proxies)
		if err != nil {
			return c, err
		}
		c.TrustedProxies = tp
		c.FallbackFonts = filepath.SplitList(*fallback)
		if c.SigningAlgorithm, err = verify.ParseAlgorithm(*signing); err != nil {
			return c, fmt.Errorf("--signing-algorithm：%w", err)
		}
		if c.DataCipher, err = sealed.ParseCipher(*dataCipher); err != nil {
			return c, fmt.Errorf("--data-cipher：%w", err)
		}
		if c.SecretKey != "" && len(c.SecretKey) < minSecretKey {
			return c, fmt.Errorf("OPCERT_SECRET_KEY 太短：至少 %d 个字符（如 openssl rand -hex 32 的输出）；不设置则使用数据库中自动生成的密钥", minSecretKey)
		}
		if c.MetricsAddr != "" {
			if _, _, err := net.SplitHostPort(c.MetricsAddr); err != nil {
				return c, fmt.Errorf("--metrics-addr %q：请写成 地址:端口，如 127.0.0.1:9100", c.MetricsAddr)
			}
		}
		if c.PprofAddr != "" {
			host, _, err := net.SplitHostPort(c.PprofAddr)
			if ip := net.ParseIP(host); err != nil || (host != "localhost" && (ip == nil || !ip.IsLoopback())) {
				return c, fmt.Errorf("--pprof-addr %q: the profiler listens on a loopback address only, e.g. 127.0.0.1:6060", c.PprofAddr)
			}
		}
		return c, nil
	}
}

// ParseTrustedProxies reads "10.0.0.0/8, 192.168.1.5": each item an address
// or a CIDR range.
func ParseTrustedProxies(list string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, item := range strings.Split(list, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		if p, err := netip.ParsePrefix(item); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(item)
		if err != nil {
			return nil, fmt.Errorf("--trusted-proxies %q：%q 不是 IP 地址或 CIDR 网段（如 10.0.0.0/8）", list, item)
		}
		out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
	}
	return out, nil
}

// minSecretKey is the shortest OPCERT_SECRET_KEY accepted: 32 characters
// of hex are 128 bits.
const minSecretKey = 32

// Logger builds the structured logger the config asks for.
func (c Config) Logger() *slog.Logger {
	opts := &slog.HandlerOptions{Level: c.LogLevel}
	if c.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(os.Stderr, opts))
	}
	return slog.New(slog.NewTextHandler(os.Stderr, opts))
}

func env(key, def string) string {
	if v, ok := os.LookupEnv(key); ok {
		return v
	}
	return def
}

func envBool(key string) bool {
	switch strings.ToLower(os.Getenv(key)) {
	case "1", "true", "yes", "on":
		return true
	}
	return false
}
