package loadtest

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"opcert/internal/application"
	"opcert/internal/auth"
	"opcert/internal/authority"
	"opcert/internal/catalog"
	"opcert/internal/civil"
	"opcert/internal/enterprise"
	"opcert/internal/idcheck"
	"opcert/internal/registry"
	"opcert/internal/store"
	"opcert/internal/testfixture"
	"opcert/internal/verify"
)

// Password is the password of every account the load command creates.
const Password = "Load@2026"

// The 受理机关 of the measured applicants and officer: 徐汇区, where the
// fixture employer is registered.
const (
	Authority    = "310104"
	employerName = "上海徐汇负载测试起重设备有限公司"
)

// Engine is one database the service runs on during a measurement.
type Engine struct {
	Dialect store.Dialect
	DataDir string // the service's --data folder (SQLite file, uploads)
	URL     string // PostgreSQL: the run database; "" for SQLite
}

// Env is what the service needs to start on the engine.
func (e Engine) Env() []string {
	return []string{"OPCERT_DATABASE_URL=" + e.URL, "OPCERT_DATA=" + e.DataDir}
}

// Open opens the engine's database from this process (fixtures).
func (e Engine) Open(ctx context.Context) (*store.DB, error) {
	return store.Open(ctx, e.URL, filepath.Join(e.DataDir, "opcert.db"))
}

// SQLiteEngine copies the cached registry of n holders (generating it
// first when cacheDir lacks it) into a fresh data folder under runDir.
func SQLiteEngine(ctx context.Context, logf func(string, ...any), cacheDir, runDir string, n int) (Engine, error) {
	start := time.Now()
	path, generated, err := store.GeneratedRegistrySQLite(ctx, cacheDir, n)
	if err != nil {
		return Engine{}, err
	}
	if generated {
		logf("sqlite: generated %d holders in %v: %s", n, time.Since(start).Round(time.Second), path)
	} else {
		logf("sqlite: cached registry %s", path)
	}
	e := Engine{Dialect: store.SQLite, DataDir: filepath.Join(runDir, "sqlite")}
	if err := store.CopySQLite(path, filepath.Join(e.DataDir, "opcert.db")); err != nil {
		return Engine{}, err
	}
	return e, nil
}

// PostgresEngine makes a fresh run database on the server at base: a copy
// (CREATE DATABASE … TEMPLATE) of a cached database of n generated holders,
// generated first when the server lacks it. The role needs CREATEDB.
func PostgresEngine(ctx context.Context, logf func(string, ...any), base, runDir string, n int) (Engine, error) {
	return PostgresEngineNamed(ctx, logf, base, runDir, n, "opcert_load_run")
}

// PostgresEngineNamed is PostgresEngine with the run database named run
// (dropped first if it exists), so that a benchmark and a load run on one
// server do not drop each other's.
func PostgresEngineNamed(ctx context.Context, logf func(string, ...any), base, runDir string, n int, run string) (Engine, error) {
	u, err := url.Parse(base)
	if err != nil {
		return Engine{}, err
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		return Engine{}, err
	}
	defer admin.Close()
	cached := "opcert_load_" + strings.ReplaceAll(store.RegistryCacheName(n), "-", "_")
	dbURL := func(name string) string {
		v := *u
		v.Path = "/" + name
		return v.String()
	}
	var exists bool
	if err := admin.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, cached).Scan(&exists); err != nil {
		return Engine{}, err
	}
	if !exists {
		start := time.Now()
		building := cached + "_building"
		if _, err := admin.ExecContext(ctx, `DROP DATABASE IF EXISTS `+building); err != nil {
			return Engine{}, err
		}
		if _, err := admin.ExecContext(ctx, `CREATE DATABASE `+building); err != nil {
			return Engine{}, err
		}
		db, err := store.Open(ctx, dbURL(building), "")
		if err != nil {
			return Engine{}, err
		}
		if _, err = db.Migrate(ctx); err == nil {
			err = db.GenerateRegistry(ctx, n)
		}
		db.Close()
		if err != nil {
			return Engine{}, err
		}
		// Renamed only when complete, so an interrupted run is never reused.
		if _, err := admin.ExecContext(ctx, `ALTER DATABASE `+building+` RENAME TO `+cached); err != nil {
			return Engine{}, err
		}
		logf("postgres: generated %d holders in %v: database %s", n, time.Since(start).Round(time.Second), cached)
	} else {
		logf("postgres: cached registry database %s", cached)
	}
	if _, err := admin.ExecContext(ctx, `DROP DATABASE IF EXISTS `+run+` WITH (FORCE)`); err != nil {
		return Engine{}, err
	}
	if _, err := admin.ExecContext(ctx, `CREATE DATABASE `+run+` TEMPLATE `+cached); err != nil {
		return Engine{}, err
	}
	e := Engine{Dialect: store.Postgres, DataDir: filepath.Join(runDir, "postgres"), URL: dbURL(run)}
	return e, os.MkdirAll(e.DataDir, 0o750)
}

// Fixtures are the people and records the measured paths use.
type Fixtures struct {
	Queries    []Query  // existing holders for the public query
	Checks     []string // signed QR contents of their certificates, for the verification
	Tokens     []string // public progress tokens of submitted applications
	Officer    string   // session of an officer of Authority
	Logins     []string // fresh applicants (mobile numbers) for the path with login
	Sessions   []string // fresh applicants already logged in, for the path without login
	ForDrafts  []string // fresh applicants already logged in, for the prepared drafts
	Flow       Flow     // without its client
	QueueTotal int      // applications in the back office
}

// Query is a name and 证件号码 the registry holds.
type Query struct{ Name, IDNumber string }

// Counts size the fixtures.
type Counts struct {
	Holders      int // in the generated registry
	Queries      int
	Applications int // submitted applications for the queue and progress page
	Logins       int
	Sessions     int
	Drafts       int
}

// Prepare writes the fixtures into the engine's fresh database: an
// enterprise, an officer, applicant accounts for holders who may apply for
// 复审 today, submitted applications, and statistics (ANALYZE) as a
// maintained database has them.
func Prepare(ctx context.Context, logf func(string, ...any), e Engine, n Counts, today civil.Date) (Fixtures, error) {
	var fx Fixtures
	db, err := e.Open(ctx)
	if err != nil {
		return fx, err
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		return fx, err
	}
	cat := catalog.Default()
	if err := db.PutAuthorities(ctx, authority.Shanghai(cat)); err != nil {
		return fx, err
	}
	credit, err := creditCode("91" + Authority + "609000001")
	if err != nil {
		return fx, err
	}
	if err := db.PutEnterprises(ctx, []enterprise.Enterprise{{CreditCode: credit, Name: employerName,
		Address: "上海市徐汇区漕溪北路99号", DistrictCode: Authority}}); err != nil {
		return fx, err
	}
	hash, err := auth.HashPassword(Password)
	if err != nil {
		return fx, err
	}
	officer, err := db.CreateUser(ctx, auth.User{Login: "load-officer-" + Authority, Name: "负载测试受理员", Role: auth.RoleOfficer,
		AuthorityCode: Authority, PasswordHash: hash})
	if err != nil {
		return fx, err
	}
	if fx.Officer, err = newSession(ctx, db, officer.ID); err != nil {
		return fx, err
	}

	// Applicants: holders with an item due within the renewal window, young
	// enough to renew, one account each (an item is applied for once).
	policy := application.ShanghaiPolicy()
	want := 1 + n.Logins + n.Sessions + n.Drafts
	ids, err := db.HoldersWithItemDue(ctx, today.AddDays(7), today.AddMonths(policy.RenewalLeadMonths).AddDays(-7), 3*want)
	if err != nil {
		return fx, err
	}
	var accounts []auth.User
	for _, id := range ids {
		if len(accounts) == want {
			break
		}
		h, err := db.HolderByID(ctx, id)
		if err != nil {
			return fx, err
		}
		if application.CheckAge(application.MatterRenew, h.BirthDate, today, policy) != nil {
			continue
		}
		mobile := fmt.Sprintf("139%08d", id)
		u, err := db.CreateUser(ctx, auth.User{Login: mobile, Name: h.Name, Role: auth.RoleApplicant, PasswordHash: hash, HolderID: id, Mobile: mobile})
		if err != nil {
			return fx, err
		}
		accounts = append(accounts, u)
	}
	if len(accounts) < 2 {
		return fx, fmt.Errorf("only %d holders of %d may apply for 复审 today: generate more holders", len(accounts), n.Holders)
	}
	if len(accounts) < want {
		logf("%s: %d applicant accounts of the %d wanted (registry too small); the paths stop when they run out", e.Dialect, len(accounts), want)
	}
	owner := accounts[0]
	rest := accounts[1:]
	split := func(k int) []auth.User {
		k = min(k, len(rest))
		out := rest[:k]
		rest = rest[k:]
		return out
	}
	for _, u := range split(n.Logins) {
		fx.Logins = append(fx.Logins, u.Login)
	}
	for _, group := range []struct {
		k   int
		dst *[]string
	}{{n.Sessions, &fx.Sessions}, {n.Drafts, &fx.ForDrafts}} {
		for _, u := range split(group.k) {
			s, err := newSession(ctx, db, u.ID)
			if err != nil {
				return fx, err
			}
			*group.dst = append(*group.dst, s)
		}
	}

	// Submitted applications of one applicant fill the officer's queue and
	// give the progress page something to show.
	h, err := db.HolderByID(ctx, owner.HolderID)
	if err != nil {
		return fx, err
	}
	form := application.Form{Matter: application.MatterRenew, Incident: "no",
		Items: []application.FormItem{{From: store.GeneratedNewItem, Target: "Q2(限流动式起重机)"}},
		Applicant: application.Person{Name: h.Name, IDType: string(h.IDType), IDNumber: h.IDNumber, Sex: h.Sex,
			BirthDate: h.BirthDate.String(), Mobile: owner.Mobile, Education: "高中"},
		Employer: application.Employer{Name: employerName, CreditCode: credit, Synced: true, AddressDetail: "8楼"},
		Routing:  application.Choice{Code: Authority}}
	data, err := json.Marshal(form)
	if err != nil {
		return fx, err
	}
	if err := db.GenerateApplications(ctx, n.Applications, owner.ID, owner.HolderID, data, today.AddDays(-180)); err != nil {
		return fx, err
	}
	fx.QueueTotal = n.Applications
	r := rand.New(rand.NewPCG(2026, 12))
	for range min(n.Applications, 10000) {
		fx.Tokens = append(fx.Tokens, store.GeneratedPublicToken(1+r.IntN(n.Applications)))
	}
	for range n.Queries {
		h, err := db.HolderByID(ctx, int64(1+r.IntN(n.Holders)))
		if err != nil {
			return fx, err
		}
		fx.Queries = append(fx.Queries, Query{Name: h.Name, IDNumber: h.IDNumber})
	}
	if fx.Checks, err = certificateTokens(ctx, db, cat, fx.Queries[:min(len(fx.Queries), 1000)], today); err != nil {
		return fx, err
	}
	reminded, err := db.MarkGeneratedRemindersSent(ctx, today)
	if err != nil {
		return fx, err
	}
	logf("%s: %d expiry reminders due today recorded as sent on earlier days", e.Dialect, reminded)
	if err := db.Analyze(ctx); err != nil {
		return fx, err
	}
	fx.Flow = Flow{Password: Password, Authority: Authority, Employer: employerName, District: Authority,
		Photo:  File{Name: "照片.png", ContentType: "image/png", Data: testfixture.Photo()},
		IDScan: File{Name: "身份证.pdf", ContentType: "application/pdf", Data: PaddedPDF(1 << 20)}}
	return fx, nil
}

// certificateTokens are the QR contents of the holders' certificates as
// the service prints them (every valid line, signed with the service's
// key), for the verification path.
func certificateTokens(ctx context.Context, db *store.DB, cat *catalog.Catalog, holders []Query, today civil.Date) ([]string, error) {
	key, err := db.SigningKey(ctx, verify.Ed25519)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, q := range holders {
		h, err := db.HoldingByIDNumber(ctx, q.IDNumber)
		if err != nil {
			return nil, err
		}
		p := verify.Payload{Number: h.Holder.IDNumber, Name: idcheck.MaskName(h.Holder.Name), Issuer: "上海市市场监督管理局", Issued: today.String()}
		for _, c := range h.Certificates {
			if c.Number != h.Holder.IDNumber {
				continue
			}
			for _, it := range c.Items {
				if it.Status == registry.ItemValid {
					l := application.LineOnCertificate(it, cat)
					p.Items = append(p.Items, verify.Item{Code: l.Code, Name: l.Name, Until: it.ValidUntil.String()})
				}
			}
		}
		if len(p.Items) == 0 {
			continue
		}
		token, err := verify.Sign(key, p)
		if err != nil {
			return nil, err
		}
		out = append(out, token)
	}
	if len(out) == 0 && len(holders) > 0 {
		return nil, errors.New("no queried holder has a valid certificate line to verify")
	}
	return out, nil
}

func newSession(ctx context.Context, db *store.DB, userID int64) (string, error) {
	raw, hash := auth.NewToken()
	_, err := db.CreateSession(ctx, userID, hash)
	return raw, err
}

func creditCode(first17 string) (string, error) {
	c, err := idcheck.CreditCodeCheckChar(first17)
	if err != nil {
		return "", err
	}
	return first17 + string(c), nil
}

// PaddedPDF is a valid PDF of size bytes: the smallest document with
// comment lines after its header, the size of a scanned page.
func PaddedPDF(size int) []byte {
	head, rest, _ := bytes.Cut(testfixture.PDF, []byte("\n"))
	var b bytes.Buffer
	b.Write(head)
	b.WriteByte('\n')
	line := "%" + strings.Repeat("0", 78) + "\n"
	for b.Len()+len(line)+len(rest) < size {
		b.WriteString(line)
	}
	b.WriteString(strings.Repeat("%", max(size-b.Len()-len(rest)-1, 0)) + "\n")
	b.Write(rest)
	return b.Bytes()
}

// ErrNoPostgres is returned when PostgreSQL is asked for without a URL.
var ErrNoPostgres = errors.New("loadtest: PostgreSQL needs a database URL (OPCERT_DATABASE_URL or -database-url)")
