package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"path/filepath"
	"runtime/debug"
	"time"

	"opcert/internal/authority"
	"opcert/internal/blob"
	"opcert/internal/casework"
	"opcert/internal/catalog"
	"opcert/internal/civil"
	"opcert/internal/config"
	"opcert/internal/demo"
	"opcert/internal/document"
	"opcert/internal/jobs"
	"opcert/internal/metrics"
	"opcert/internal/notify"
	"opcert/internal/realname"
	"opcert/internal/store"
	"opcert/internal/web"
)

// openStore opens and migrates the database the config names.
func openStore(ctx context.Context, cfg config.Config, log *slog.Logger) (*store.DB, error) {
	db, err := store.Open(ctx, cfg.DatabaseURL, cfg.SQLitePath())
	if err != nil {
		return nil, err
	}
	if cfg.SecretKey != "" {
		db.SetSecretKey([]byte(cfg.SecretKey))
	}
	db.SetDataCipher(cfg.DataCipher)
	applied, err := db.Migrate(ctx)
	if err != nil {
		db.Close()
		return nil, err
	}
	for _, m := range applied {
		log.Info("migration applied", "name", m)
	}
	if err := db.PutAuthorities(ctx, authority.Shanghai(catalog.Default())); err != nil {
		db.Close()
		return nil, err
	}
	log.Info("database ready", "engine", db.Dialect())
	return db, nil
}

// parseFlags reads a subcommand's flags: the common ones of config plus any
// that more adds.
func parseFlags(name string, args []string, stderr io.Writer, more func(*flag.FlagSet)) (config.Config, *flag.FlagSet, error) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	finish := config.Register(fs)
	if more != nil {
		more(fs)
	}
	if err := fs.Parse(args); err != nil {
		return config.Config{}, fs, err
	}
	cfg, err := finish()
	if err == nil {
		document.SetFallbackFonts(cfg.FallbackFonts)
	}
	return cfg, fs, err
}

// defaultMemoryLimit is the Go runtime's soft memory limit for serve when
// GOMEMLIMIT does not set one. Each password check allocates argon2id's
// 19 MiB, which is garbage a moment later; without a limit the collector
// lets the heap grow to twice what is live when it runs, mostly dead hash
// buffers, and a few logins at once took the service past 200 MB. Near
// the limit it collects sooner instead, which costs little: the buffers
// hold no pointers to scan. It is soft: the runtime never refuses memory.
// The process holds more than the limit: SQLite's page caches are outside
// the Go heap (20–30 MB once the public pages have been read) and the
// binary's own pages another 28 MB. With 96 MiB the applicant path with
// login peaked at 149–182 MB RSS after the public pages had run (opcert
// load, SQLite, a million holders), above the 150 MB the service is to
// stay under; with 88 MiB and four readers at 134–141 MB.
const defaultMemoryLimit = 88 << 20

func cmdServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, _, err := parseFlags("serve", args, stderr, nil)
	if err != nil {
		return err
	}
	if !cfg.Demo && cfg.BaseURL == "" {
		// Without it the links in QR codes and notices would be built from
		// the Host header of whoever asks.
		return errors.New("正式服务须设置公开访问地址 OPCERT_BASE_URL（或 --base-url），如 https://opcert.example.gov.cn：二维码和通知书中的链接以此为准")
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(defaultMemoryLimit)
	}
	log := cfg.Logger()
	if err := document.CheckFallbackFonts(); err != nil {
		// The service works without them; a name with a rare character
		// (CJK Extension A, B…) is then refused where it is typed.
		log.Warn("fallback fonts unusable: text with characters the embedded font lacks is refused (apt-get install fonts-hanazono)", "err", err)
	}
	db, err := openStore(ctx, cfg, log)
	if err != nil {
		return err
	}
	now := cfg.Now()
	today := func() civil.Date { return civil.Of(now()) }
	if !cfg.Today.IsZero() {
		db.SetClock(now)
		log.Warn("demo running as if on another day", "today", cfg.Today.String())
	}
	defer func() {
		if err := db.Close(); err != nil {
			log.Error("database close", "err", err)
		}
		log.Info("database closed")
	}()
	cat := catalog.Default()
	if cfg.Demo {
		accounts, loaded, err := demo.Load(ctx, db, cat, today())
		if err != nil {
			return fmt.Errorf("demo data: %w", err)
		}
		if loaded {
			log.Info("demo data loaded")
		}
		fmt.Fprint(stdout, demo.Banner(accounts))
	}
	files, err := openFiles(ctx, cfg)
	if err != nil {
		return fmt.Errorf("file store: %w", err)
	}
	if cfg.Demo {
		if err := demo.PutFiles(ctx, files); err != nil {
			return fmt.Errorf("demo files: %w", err)
		}
	}
	// 实名核验 of a registration that claims a holder without their mobile
	// on record: the demo knows its own people; a real deployment has no
	// adapter yet, so such a registration is sent to the 受理窗口.
	var realName realname.Verifier = realname.Embedded{}
	if cfg.Demo {
		realName = demo.Build(cat, today()).RealName()
	} else {
		log.Warn("no 实名核验 adapter: holders without a mobile on record cannot register online")
	}
	cases := casework.New(casework.Options{Store: db, Catalog: cat, Today: today, Log: log, Files: files, RealName: realName, Signing: cfg.SigningAlgorithm,
		RevisionCheckEvery: time.Second})
	cal, err := cases.Calendar(ctx)
	if err != nil {
		return err
	}
	log.Info("working-day calendar", "years", fmt.Sprint(cal.Years()), "awaited", fmt.Sprint(cal.AwaitedYears(today())))
	meters := metrics.New(db)
	srv, err := web.New(web.Options{Store: db, Catalog: cat, Logger: log, Demo: cfg.Demo, BaseURL: cfg.BaseURL, TrustedProxies: cfg.TrustedProxies, Files: files, Cases: cases, Today: today,
		Metrics: meters})
	if err != nil {
		return err
	}
	sender, closeSender, err := smsSender(cfg)
	if err != nil {
		return fmt.Errorf("sms: %w", err)
	}
	defer closeSender()
	// Timed work and the SMS sender stop before the database closes.
	jobsCtx, stopJobs := context.WithCancel(ctx)
	jobsDone := make(chan struct{})
	go func() {
		defer close(jobsDone)
		(&jobs.Runner{DB: db, Cases: cases, Files: files, Log: log, Observe: meters.ObserveJob}).Run(jobsCtx)
	}()
	smsDone := make(chan struct{})
	go func() {
		defer close(smsDone)
		(&notify.Dispatcher{Store: db, Sender: sender, Log: log, KeepCodes: cfg.Demo}).Run(jobsCtx, 5*time.Second)
	}()
	defer func() { stopJobs(); <-jobsDone; <-smsDone }()
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	if cfg.PprofAddr != "" {
		stopPprof, err := servePprof(cfg.PprofAddr, stdout)
		if err != nil {
			return err
		}
		defer stopPprof()
	}
	if cfg.MetricsAddr != "" {
		stopMetrics, err := serveMetrics(cfg.MetricsAddr, meters.Handler(), stdout)
		if err != nil {
			return err
		}
		defer stopMetrics()
	}
	fmt.Fprintf(stdout, "opcert 已启动: http://%s/\n", ln.Addr())
	log.Info("listening", "addr", ln.Addr().String())
	return serveUntilDone(ctx, httpServer(srv), ln, func() { log.Info("shutting down") })
}

// httpServer is the HTTP server of the service around h; the load
// command's bare handler runs in the same.
func httpServer(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       2 * time.Minute, // uploads of up to 10 MB over slow phone networks
		WriteTimeout:      2 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
	}
}

// serveUntilDone serves on ln until ctx ends, then refuses new connections
// and gives the requests in flight 30 seconds to finish.
func serveUntilDone(ctx context.Context, hs *http.Server, ln net.Listener, stopping func()) error {
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	stopping()
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	if err := hs.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func cmdMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, _, err := parseFlags("migrate", args, stderr, nil)
	if err != nil {
		return err
	}
	db, err := openStore(ctx, cfg, cfg.Logger())
	if err != nil {
		return err
	}
	defer db.Close()
	fmt.Fprintln(stdout, "数据库结构已是最新 (schema up to date)")
	return nil
}

// openFiles is the local folder under the data folder, or the S3 bucket the
// config names.
func openFiles(ctx context.Context, cfg config.Config) (blob.Store, error) {
	if cfg.S3Endpoint != "" {
		return blob.NewS3(ctx, blob.S3Config{Endpoint: cfg.S3Endpoint, Bucket: cfg.S3Bucket, AccessKey: cfg.S3AccessKey,
			SecretKey: cfg.S3SecretKey, Region: cfg.S3Region, UseSSL: cfg.S3SSL})
	}
	return blob.NewLocal(cfg.FilesDir())
}

// smsSender is the HTTP gateway the config names, or the log file.
func smsSender(cfg config.Config) (notify.Sender, func(), error) {
	if cfg.SMSURL != "" {
		return &notify.HTTPSender{URL: cfg.SMSURL, Key: cfg.SMSKey}, func() {}, nil
	}
	path := cfg.SMSLog
	if path == "" {
		path = filepath.Join(cfg.DataDir, "sms.log")
	}
	s, closeLog, err := notify.OpenLogFile(path)
	if err != nil {
		return nil, nil, err
	}
	return s, func() { closeLog() }, nil
}

// servePprof serves net/http/pprof's handlers on their own loopback
// listener (config.PprofAddr), for opcert load -profile.
// serveMetrics serves /metrics on a listener of its own.
func serveMetrics(addr string, h http.Handler, stdout io.Writer) (func(), error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", h)
	hs := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(stdout, "metrics: http://%s/metrics\n", ln.Addr())
	go hs.Serve(ln)
	return func() { hs.Close() }, nil
}

func servePprof(addr string, stdout io.Writer) (func(), error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	hs := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(stdout, "pprof: %s\n", ln.Addr())
	go hs.Serve(ln)
	return func() { hs.Close() }, nil
}
