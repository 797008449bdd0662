// Package casework is the use-case layer of the licensing service: it loads
// a case, asks the domain (package application) what a change means, and
// writes the change with its history, audit entry and SMS in one
// transaction. The web handlers, the timed jobs and the command line call
// it; none of them decides.
package casework

import (
	"log/slog"
	"opcert/internal/auth"
	"time"

	"opcert/internal/application"
	"opcert/internal/blob"
	"opcert/internal/catalog"
	"opcert/internal/civil"
	"opcert/internal/elicence"
	"opcert/internal/realname"
	"opcert/internal/store"
	"opcert/internal/verify"
	"opcert/internal/workday"
)

// Service holds what a decision needs: the store, the catalogue, the
// policy values, the clock and the working-day calendar.
type Service struct {
	store    *store.DB
	catalog  *catalog.Catalog
	defaults application.Policy // values for keys without a stored row
	policies policyCache
	catalogs catalogCache // the catalogue with the admins' mapping decisions
	today    func() civil.Date
	log      *slog.Logger
	embedded *workday.Calendar
	calendar calendarCache
	files    blob.Store
	eLicence elicence.Provider
	queries  *auth.Limiter // public 证书查询 per client
	realName realname.Verifier
	signing  verify.Algorithm // of the first signing key, when none exists yet

	keys publicKeyCache // the published QR signing keys
	// revisionCheckEvery spaces the reads of the policy revision
	// (Options.RevisionCheckEvery).
	revisionCheckEvery time.Duration
}

// Options configures a Service.
type Options struct {
	Store   *store.DB
	Catalog *catalog.Catalog
	// Policy gives the values of keys the store has no row for; the
	// stored values (PolicyValues, set by an admin) take precedence.
	Policy application.Policy
	Today  func() civil.Date // defaults to civil.Today
	Log    *slog.Logger
	// Calendar is the built-in calendar the imported years are added to;
	// defaults to workday.Default().
	Calendar *workday.Calendar
	// Files keeps the uploads and the issued documents' PDFs.
	Files blob.Store
	// ELicence is the 电子身份证 service; defaults to the embedded one.
	ELicence elicence.Provider
	// RealName is the 实名核验 of a mobile; defaults to the embedded
	// verifier without records, which confirms no one.
	RealName realname.Verifier
	// Signing is the scheme of the certificate QR signing key made when
	// there is none; defaults to Ed25519. Rotation chooses the next one.
	Signing verify.Algorithm
	// RevisionCheckEvery is how long the policy values read are used
	// before the policy revision is read again: a change on another
	// instance is applied here that much later at most. Zero reads it on
	// every use; serve uses a second, which spares every page a read.
	RevisionCheckEvery time.Duration
}

// New builds a Service.
func New(o Options) *Service {
	s := &Service{store: o.Store, catalog: o.Catalog, defaults: o.Policy, today: o.Today, log: o.Log, embedded: o.Calendar, files: o.Files, eLicence: o.ELicence,
		queries: auth.NewLimiter(auth.QueriesPerClient), realName: o.RealName, signing: o.Signing,
		revisionCheckEvery: o.RevisionCheckEvery}
	if s.signing == "" {
		s.signing = verify.Ed25519
	}
	if s.catalog == nil {
		s.catalog = catalog.Default()
	}
	if s.defaults == (application.Policy{}) {
		s.defaults = application.ShanghaiPolicy()
	}
	if s.today == nil {
		s.today = civil.Today
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.embedded == nil {
		s.embedded = workday.Default()
	}
	if s.realName == nil {
		s.realName = realname.Embedded{}
	}
	if s.eLicence == nil {
		s.eLicence = elicence.Embedded{}
	}
	return s
}

// Today is the service's day in China (a fixed day in a demo run with
// --today).
func (s *Service) Today() civil.Date { return s.today() }
