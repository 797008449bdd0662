package main

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"opcert/internal/audit"
	"opcert/internal/blob"
	"opcert/internal/casework"
	"opcert/internal/catalog"
	"opcert/internal/civil"
	"opcert/internal/demo"
	"opcert/internal/store"
	"opcert/internal/store/storetest"
	"opcert/internal/verify"
	"opcert/internal/workday"
)

const csvHeader = "姓名,证件类型,证件号码,证书编号,档案编号,项目目录,项目代号,焊接项目代号,发证机关,批准日期,有效期至,状态\n"

// Three holders; 李四's second row has an impossible date, 王五's number a
// wrong check character.
const csvOneBadRow = csvHeader +
	"张三,居民身份证,11010519491231002X,,,2011,Q8,,徐汇区市场监督管理局,2022-12-01,2026-11-30,\n" +
	"李四,居民身份证,110105194912310038,,,2019,G3,,徐汇区市场监督管理局,2023-01-05,2027-01-04,\n" +
	"李四,居民身份证,110105194912310038,,,2019,G1,,徐汇区市场监督管理局,2023-01-05,2027-02-30,\n" +
	"王五,居民身份证,110105198001010017,,,2019,A,,徐汇区市场监督管理局,2023-01-05,2027-01-04,\n"

func runCmd(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	err := run(context.Background(), args, strings.NewReader(""), &out, &errb)
	return out.String() + errb.String(), err
}

func holders(t *testing.T, dir string) int {
	t.Helper()
	db, err := store.Open(context.Background(), "", filepath.Join(dir, "opcert.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	n, err := db.CountHolders(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestImportWithBadRowLoadsNothing(t *testing.T) {
	t.Setenv("OPCERT_DATABASE_URL", "")
	dir := t.TempDir()
	file := filepath.Join(dir, "holders.csv")
	os.WriteFile(file, []byte(csvOneBadRow), 0o600)
	out, err := runCmd(t, "import", "--data", dir, file)
	if !errors.Is(err, errImportRefused) {
		t.Fatalf("err = %v\n%s", err, out)
	}
	if !strings.Contains(out, "第 4 行【有效期至】：日期“2027-02-30”不存在") ||
		!strings.Contains(out, "第 5 行【证件号码】：身份证号码最后一位校验码“7”不正确") {
		t.Fatalf("report does not name rows 4 and 5 and the reasons:\n%s", out)
	}
	if n := holders(t, dir); n != 0 {
		t.Fatalf("holders after refused import = %d", n)
	}
}

func TestImportSkipBadLoadsOnlyWholeGoodHolders(t *testing.T) {
	t.Setenv("OPCERT_DATABASE_URL", "")
	dir := t.TempDir()
	file := filepath.Join(dir, "holders.csv")
	os.WriteFile(file, []byte(csvOneBadRow), 0o600)
	out, err := runCmd(t, "import", "--data", dir, "--skip-bad", file)
	if err != nil {
		t.Fatalf("err = %v\n%s", err, out)
	}
	if !strings.Contains(out, "持证人 1 位") || !strings.Contains(out, "未导入：2 位持证人") {
		t.Fatalf("output:\n%s", out)
	}
	// 李四's good first row must not have been written without the bad one.
	if n := holders(t, dir); n != 1 {
		t.Fatalf("holders = %d, want 1", n)
	}
}

func TestUserCommand(t *testing.T) {
	t.Setenv("OPCERT_DATABASE_URL", "")
	dir := t.TempDir()
	t.Setenv("OPCERT_USER_PASSWORD", "Secret2026")
	out, err := runCmd(t, "user", "--data", dir, "--login", "officer-x", "--name", "王受理", "--role", "officer", "--authority", "310104")
	if err != nil || !strings.Contains(out, "已创建账号 officer-x") {
		t.Fatalf("err = %v\n%s", err, out)
	}
	if out, err := runCmd(t, "user", "--data", dir, "--login", "officer-x", "--name", "王受理", "--role", "officer", "--authority", "310104"); err == nil || !strings.Contains(err.Error(), "已被使用") {
		t.Fatalf("duplicate: err = %v\n%s", err, out)
	}
	if _, err := runCmd(t, "user", "--data", dir, "--login", "o2", "--name", "x", "--role", "officer", "--authority", "999999"); err == nil || !strings.Contains(err.Error(), "不存在") {
		t.Fatalf("unknown authority: err = %v", err)
	}
	// A 单位 account: its login is the credit code, checked (GB 32100).
	unit := []string{"user", "--data", dir, "--role", "unit", "--name", "上海金山石化焊接工程有限公司", "--address", "上海市金山区卫零路55号", "--contact", "周安全", "--phone", "021-57940000"}
	if out, err := runCmd(t, append(unit, "--login", "913101166074444444")...); err != nil || !strings.Contains(out, "已创建账号 913101166074444444") || !strings.Contains(out, "单位") {
		t.Fatalf("unit: err = %v\n%s", err, out)
	}
	if _, err := runCmd(t, append(unit, "--login", "913101166074444444")...); err == nil || !strings.Contains(err.Error(), "已注册单位账号") {
		t.Fatalf("unit again: err = %v", err)
	}
	if _, err := runCmd(t, append(unit, "--login", "913101166074444445")...); err == nil || !strings.Contains(err.Error(), "校验码") {
		t.Fatalf("unit with a wrong check character: err = %v", err)
	}
	t.Setenv("OPCERT_USER_PASSWORD", "short")
	if _, err := runCmd(t, "user", "--data", dir, "--login", "a2", "--name", "x", "--role", "admin"); err == nil || !strings.Contains(err.Error(), "至少8位") {
		t.Fatalf("weak password: err = %v", err)
	}
	if _, err := runCmd(t, "user", "--data", dir, "--login", "a3", "--name", "x", "--role", "applicant"); err == nil {
		t.Fatal("applicant account created from the command line")
	}
}

func TestUnknownSubcommand(t *testing.T) {
	if _, err := runCmd(t, "frobnicate"); !errors.Is(err, errUsage) {
		t.Fatalf("err = %v", err)
	}
}

func TestImportEnterprises(t *testing.T) {
	t.Setenv("OPCERT_DATABASE_URL", "")
	dir := t.TempDir()
	file := filepath.Join(dir, "e.csv")
	os.WriteFile(file, []byte("统一社会信用代码,单位名称,注册地址,所在区\n91350100M000100Y43,上海示例有限公司,上海市徐汇区漕溪北路88号,徐汇区\n"), 0o600)
	out, err := runCmd(t, "import", "--enterprises", "--data", dir, file)
	if err != nil || !strings.Contains(out, "已导入：单位 1 家") {
		t.Fatalf("err = %v\n%s", err, out)
	}
	db, _ := store.Open(context.Background(), "", filepath.Join(dir, "opcert.db"))
	defer db.Close()
	e, err := db.Enterprises().ByCreditCode(context.Background(), "91350100M000100Y43")
	if err != nil || e.DistrictCode != "310104" {
		t.Fatalf("enterprise = %+v, %v", e, err)
	}
}

func TestAuditVerify(t *testing.T) {
	t.Setenv("OPCERT_DATABASE_URL", "")
	dir := t.TempDir()
	db, err := store.Open(context.Background(), "", filepath.Join(dir, "opcert.db"))
	if err != nil {
		t.Fatal(err)
	}
	db.Migrate(context.Background())
	for i := range 5 {
		db.AppendAudit(context.Background(), audit.Entry{ActorID: 1, ActorRole: "officer", Action: "approve", Subject: fmt.Sprintf("application:%d", i)})
	}
	db.Close()
	out, err := runCmd(t, "audit", "verify", "--data", dir)
	if err != nil || !strings.Contains(out, "审计日志完整：已校验 5 条") {
		t.Fatalf("intact: %v\n%s", err, out)
	}
	raw, _ := sql.Open("sqlite", "file:"+filepath.Join(dir, "opcert.db"))
	if _, err := raw.Exec(`UPDATE audit_log SET action = 'deny' WHERE seq = 3`); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	out, err = runCmd(t, "audit", "verify", "--data", dir)
	if !errors.Is(err, errAuditBroken) || !strings.Contains(out, "第 3 条") || exitCode(err) != 1 {
		t.Fatalf("tampered: %v\n%s", err, out)
	}
}

// opcert backup copies the database and every stored file into a new
// folder with a manifest; opcert restore puts them into an empty data
// folder, where every application and file is found again, byte for byte.
// A changed byte in the backup stops the restore before a database exists;
// neither command overwrites anything.
func TestBackupAndRestore(t *testing.T) {
	t.Setenv("OPCERT_DATABASE_URL", "")
	t.Setenv("OPCERT_S3_ENDPOINT", "")
	ctx := context.Background()
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	holders(t, data)
	db, err := store.Open(ctx, "", filepath.Join(data, "opcert.db"))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := demo.Load(ctx, db, catalog.Default(), civil.MustParse("2026-12-01")); err != nil {
		t.Fatal(err)
	}
	u, err := db.UserByLogin(ctx, "13800000001")
	if err != nil {
		t.Fatal(err)
	}
	files, err := blob.NewLocal(filepath.Join(data, "files"))
	if err != nil {
		t.Fatal(err)
	}
	contents := map[string]string{}
	var apps []int64
	for i := range 3 {
		a, err := db.CreateDraft(ctx, store.Application{ApplicantID: u.ID, HolderID: u.HolderID, Matter: "new", Status: "draft", Step: "items", Data: []byte(`{}`), DraftExpiresOn: civil.MustParse("2026-12-16")})
		if err != nil {
			t.Fatal(err)
		}
		apps = append(apps, a.ID)
		key := fmt.Sprintf("applications/%d/materials/%d.pdf", a.ID, i)
		contents[key] = fmt.Sprintf("%%PDF-1.4 材料 %d 龘", i)
		if err := files.Put(ctx, key, strings.NewReader(contents[key]), int64(len(contents[key])), "application/pdf"); err != nil {
			t.Fatal(err)
		}
		if _, err := db.AddMaterial(ctx, store.Material{ApplicationID: a.ID, Material: "id_card", BlobKey: key, Filename: "身份证.pdf", ContentType: "application/pdf", Size: int64(len(contents[key]))}); err != nil {
			t.Fatal(err)
		}
	}
	files.Close()
	db.Close()

	backup := filepath.Join(dir, "backup-20261202")
	out, err := runCmd(t, "backup", "--data", data, backup)
	if err != nil || !strings.Contains(out, "已备份到") || !strings.Contains(out, "文件 3 个") || strings.Contains(out, "注意") {
		t.Fatalf("backup: %v\n%s", err, out)
	}
	if out, err := runCmd(t, "backup", "--data", data, backup); err == nil || !strings.Contains(out+err.Error(), "不为空") {
		t.Fatalf("backup into a used folder: %v %s", err, out)
	}

	// A changed byte: refused, and no database made.
	bad := filepath.Join(dir, "tampered")
	copyTree(t, backup, bad)
	for key := range contents {
		path := filepath.Join(bad, "files", filepath.FromSlash(key))
		raw, _ := os.ReadFile(path)
		raw[len(raw)-1] ^= 1
		os.WriteFile(path, raw, 0o600)
		break
	}
	badData := filepath.Join(dir, "bad-data")
	if out, err := runCmd(t, "restore", "--data", badData, bad); err == nil || !strings.Contains(out+err.Error(), "与清单不符") {
		t.Fatalf("tampered restore: %v %s", err, out)
	}
	if _, err := os.Stat(filepath.Join(badData, "opcert.db")); err == nil {
		t.Fatal("a tampered restore left a database")
	}

	restored := filepath.Join(dir, "restored")
	out, err = runCmd(t, "restore", "--data", restored, backup)
	if err != nil || !strings.Contains(out, "申请 3 件，文件 3 个") {
		t.Fatalf("restore: %v\n%s", err, out)
	}
	if out, err := runCmd(t, "restore", "--data", restored, backup); err == nil || !strings.Contains(out+err.Error(), "已有数据库") {
		t.Fatalf("restore over a database: %v %s", err, out)
	}
	rdb, err := store.Open(ctx, "", filepath.Join(restored, "opcert.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer rdb.Close()
	rfiles, err := blob.NewLocal(filepath.Join(restored, "files"))
	if err != nil {
		t.Fatal(err)
	}
	defer rfiles.Close()
	if n, _ := rdb.CountHolders(ctx); n == 0 {
		t.Error("no holders restored")
	}
	for _, id := range apps {
		ms, err := rdb.Materials(ctx, id)
		if err != nil || len(ms) != 1 {
			t.Fatalf("materials of %d: %v %v", id, ms, err)
		}
		r, info, err := rfiles.Open(ctx, ms[0].BlobKey)
		if err != nil {
			t.Fatalf("file %s: %v", ms[0].BlobKey, err)
		}
		got, _ := io.ReadAll(r)
		r.Close()
		if string(got) != contents[ms[0].BlobKey] || info.ContentType != "application/pdf" {
			t.Fatalf("file %s restored as %q (%s)", ms[0].BlobKey, got, info.ContentType)
		}
	}
}

func copyTree(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, path)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(to, rel), 0o700)
		}
		raw, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(to, rel), raw, 0o600)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// A year published after the build is imported and used for deadlines.
func TestHolidaysImport(t *testing.T) {
	t.Setenv("OPCERT_DATABASE_URL", "")
	dir := t.TempDir()
	good := filepath.Join(dir, "2027.json")
	os.WriteFile(good, []byte(`{"year":2027,"source":"测试用，非官方","holidays":[
		{"date":"2027-01-01","name":"元旦"},{"date":"2027-05-01","name":"劳动节"},{"date":"2027-05-02","name":"劳动节"},
		{"date":"2027-10-01","name":"国庆节"},{"date":"2027-10-02","name":"国庆节"},{"date":"2027-10-03","name":"国庆节"}],"workdays":[]}`), 0o600)
	out, err := runCmd(t, "holidays", "import", "--data", dir, good)
	if err != nil || !strings.Contains(out, "已导入 2027 年") {
		t.Fatalf("%v\n%s", err, out)
	}
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte(`{"year":2027,"holidays":[{"date":"2026-01-01","name":"元旦"}],"workdays":[]}`), 0o600)
	if _, err := runCmd(t, "holidays", "import", "--data", dir, bad); err == nil {
		t.Fatal("a file with dates outside its year was imported")
	}
	db, err := store.Open(context.Background(), "", filepath.Join(dir, "opcert.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	cal, err := casework.LoadCalendar(context.Background(), db, workday.Default())
	if err != nil {
		t.Fatal(err)
	}
	// 20 working days from 2026-12-20 reach into 2027 (元旦 off).
	got, err := cal.AddWorkdays(civil.MustParse("2026-12-20"), 20)
	if err != nil || got != civil.MustParse("2027-01-18") {
		t.Fatalf("deadline = %s, %v", got, err)
	}
}

// --today moves a demo to another day and nothing else: a real service
// must never act on a made-up date.
func TestTodayOnlyInDemo(t *testing.T) {
	t.Setenv("OPCERT_DATABASE_URL", "")
	dir := t.TempDir()
	out, err := runCmd(t, "serve", "--data", dir, "--addr", "127.0.0.1:0", "--today", "2026-12-15")
	if err == nil || !strings.Contains(out+err.Error(), "--today 只能在演示模式下使用") {
		t.Fatalf("without --demo: %v\n%s", err, out)
	}
	out, err = runCmd(t, "serve", "--demo", "--data", dir, "--addr", "127.0.0.1:0", "--today", "2026/12/15")
	if err == nil || !strings.Contains(out+err.Error(), "请写成 YYYY-MM-DD") {
		t.Fatalf("bad date: %v\n%s", err, out)
	}
	if _, err := os.Stat(filepath.Join(dir, "opcert.db")); err == nil {
		t.Fatal("a database was created for a refused start")
	}
}

// A real service needs its public address: QR codes and notice links must
// not come from the Host header of whoever asks.
func TestServeNeedsBaseURLOutsideDemo(t *testing.T) {
	t.Setenv("OPCERT_DATABASE_URL", "")
	t.Setenv("OPCERT_BASE_URL", "")
	dir := t.TempDir()
	out, err := runCmd(t, "serve", "--data", dir, "--addr", "127.0.0.1:0")
	if err == nil || !strings.Contains(out+err.Error(), "OPCERT_BASE_URL") {
		t.Fatalf("without a base URL: %v\n%s", err, out)
	}
	out, err = runCmd(t, "serve", "--data", dir, "--addr", "127.0.0.1:0", "--base-url", "opcert.example.gov.cn/x")
	if err == nil || !strings.Contains(out+err.Error(), "请写成 https://主机名") {
		t.Fatalf("a malformed base URL: %v\n%s", err, out)
	}
}

// opcert keys rotate: a new key signs, the old stays published; the
// configured scheme makes the new one (how a deployment moves to SM2), and
// an unknown scheme is refused before anything changes.
func TestKeysRotate(t *testing.T) {
	dir := t.TempDir()
	holders(t, dir) // a migrated database
	if out, err := runCmd(t, "keys", "--data", dir); !errors.Is(err, errUsage) {
		t.Fatalf("without rotate: %v %s", err, out)
	}
	out, err := runCmd(t, "keys", "--data", dir, "rotate")
	if err != nil || !strings.Contains(out, "签名密钥已更换") {
		t.Fatalf("rotate: %v %s", err, out)
	}
	if out, err := runCmd(t, "keys", "--data", dir, "--signing-algorithm", "RSA", "rotate"); err == nil || !strings.Contains(out+err.Error(), "Ed25519 或 SM2") {
		t.Fatalf("RSA: %v %s", err, out)
	}
	t.Setenv("OPCERT_SIGNING_ALGORITHM", "sm2")
	if out, err := runCmd(t, "keys", "--data", dir, "rotate"); err != nil || !strings.Contains(out, "SM2") {
		t.Fatalf("rotate to SM2: %v %s", err, out)
	}
	db, err := store.Open(context.Background(), "", filepath.Join(dir, "opcert.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	keys, err := db.PublicSigningKeys(context.Background())
	if err != nil || len(keys) != 2 || keys[0].RetiredAt.IsZero() || !keys[1].RetiredAt.IsZero() ||
		keys[0].Public.Algorithm != verify.Ed25519 || keys[1].Public.Algorithm != verify.SM2 {
		t.Fatalf("keys %+v %v", keys, err)
	}
}

// opcert health answers 0 for a healthy service (asked on loopback when it
// listens on every address) and fails for an unhealthy or absent one.
func TestHealth(t *testing.T) {
	healthy := true
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/healthz" {
			http.NotFound(w, r)
			return
		}
		if !healthy {
			w.WriteHeader(http.StatusServiceUnavailable)
			io.WriteString(w, `{"status":"error","database":"unreachable"}`)
			return
		}
		io.WriteString(w, `{"status":"ok"}`)
	}))
	defer srv.Close()
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(srv.URL, "http://"))
	if out, err := runCmd(t, "health", "--addr", "0.0.0.0:"+port); err != nil || !strings.Contains(out, `"ok"`) {
		t.Fatalf("healthy: %v %s", err, out)
	}
	healthy = false
	if out, err := runCmd(t, "health", "--addr", "127.0.0.1:"+port); err == nil || !strings.Contains(err.Error(), "unreachable") {
		t.Fatalf("unhealthy: %v %s", err, out)
	}
	srv.Close()
	if _, err := runCmd(t, "health", "--addr", "127.0.0.1:"+port); err == nil {
		t.Fatal("no service answered, yet healthy")
	}
}

// opcert keys rotate-data: the imported registry is re-sealed under the
// new key (SM4-GCM when configured), the file never holds a 证件号码 in
// clear, and the holder is still found; an unknown cipher is refused.
func TestKeysRotateData(t *testing.T) {
	t.Setenv("OPCERT_DATABASE_URL", "")
	dir := t.TempDir()
	file := filepath.Join(dir, "holders.csv")
	os.WriteFile(file, []byte(csvOneBadRow), 0o600)
	if out, err := runCmd(t, "import", "--data", dir, "--skip-bad", file); err != nil {
		t.Fatalf("import: %v\n%s", err, out)
	}
	out, err := runCmd(t, "keys", "--data", dir, "rotate-data")
	if err != nil || !strings.Contains(out, "新密钥 k2（AES-256-GCM）") || !strings.Contains(out, "重新加密 2 项") {
		t.Fatalf("rotate-data: %v\n%s", err, out)
	}
	if out, err := runCmd(t, "keys", "--data", dir, "--data-cipher", "DES", "rotate-data"); err == nil || !strings.Contains(out+err.Error(), "SM4") {
		t.Fatalf("DES: %v %s", err, out)
	}
	t.Setenv("OPCERT_DATA_CIPHER", "sm4")
	if out, err := runCmd(t, "keys", "--data", dir, "rotate-data"); err != nil || !strings.Contains(out, "新密钥 k3（SM4-GCM）") {
		t.Fatalf("rotate-data to SM4: %v\n%s", err, out)
	}
	db, err := store.Open(context.Background(), "", filepath.Join(dir, "opcert.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	h, err := db.HoldingByIDNumber(context.Background(), "11010519491231002X")
	if err != nil || h.Holder.Name != "张三" {
		t.Fatalf("after rotating: %+v %v", h, err)
	}
	db.Close()
	if found := storetest.FileInClear(t, filepath.Join(dir, "opcert.db"), []string{"11010519491231002X"}); len(found) > 0 {
		t.Errorf("in clear: %v", found)
	}
}
