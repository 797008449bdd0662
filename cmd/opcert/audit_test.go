package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"opcert/internal/audit"
	"opcert/internal/store"
)

// auditLog makes a SQLite data folder holding n audit entries.
func auditLog(t *testing.T, n int) (dir string) {
	t.Helper()
	t.Setenv("OPCERT_DATABASE_URL", "")
	dir = t.TempDir()
	ctx := context.Background()
	db, err := store.Open(ctx, "", filepath.Join(dir, "opcert.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	for i := range n {
		if _, err := db.AppendAudit(ctx, audit.Entry{ActorID: 2, ActorRole: "officer", Action: "accept",
			Subject: fmt.Sprintf("application:%d", i), Before: "status=submitted", After: "status=accepted", IP: "127.0.0.1"}); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// tamper plays someone with access to the database file.
func tamper(t *testing.T, dir, query string) {
	t.Helper()
	raw, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "opcert.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec(query); err != nil {
		t.Fatal(err)
	}
}

var headRE = regexp.MustCompile(`最新哈希 ([0-9a-f]{64})`)

func TestAuditVerifyIntactAndEdited(t *testing.T) {
	dir := auditLog(t, 12)
	out, err := runCmd(t, "audit", "verify", "--data", dir)
	m := headRE.FindStringSubmatch(out)
	if err != nil || !strings.Contains(out, "审计日志完整：已校验 12 条，最新哈希 ") || m == nil {
		t.Fatalf("intact: %v\n%s", err, out)
	}

	tamper(t, dir, `UPDATE audit_log SET after_data = 'status=rejected' WHERE seq = 10`)
	out, err = runCmd(t, "audit", "verify", "--data", dir)
	if !errors.Is(err, errAuditBroken) || exitCode(err) != 1 ||
		!strings.Contains(out, "审计日志校验失败：第 10 条：内容与哈希不符") || !strings.Contains(out, "第 1 至 9 条完整") {
		t.Fatalf("edited: %v\n%s", err, out)
	}
}

func TestAuditVerifyDeletedRow(t *testing.T) {
	dir := auditLog(t, 12)
	tamper(t, dir, `DELETE FROM audit_log WHERE seq = 6`)
	out, err := runCmd(t, "audit", "verify", "--data", dir)
	if exitCode(err) != 1 || !strings.Contains(out, "第 6 条：缺失") {
		t.Fatalf("deleted: %v\n%s", err, out)
	}
}

// Rows cut off the end leave a valid, shorter chain; the head recorded from
// an earlier run catches it.
func TestAuditVerifyHeadCatchesCutTail(t *testing.T) {
	dir := auditLog(t, 12)
	out, _ := runCmd(t, "audit", "verify", "--data", dir)
	head := headRE.FindStringSubmatch(out)[1]
	if out, err := runCmd(t, "audit", "verify", "--data", dir, "--head", head); err != nil || !strings.Contains(out, "此前记录的最新哈希仍在日志中") {
		t.Fatalf("head still there: %v\n%s", err, out)
	}

	tamper(t, dir, `DELETE FROM audit_log WHERE seq > 9`)
	if out, err := runCmd(t, "audit", "verify", "--data", dir); err != nil || !strings.Contains(out, "已校验 9 条") {
		t.Fatalf("without the head a cut tail is not visible: %v\n%s", err, out)
	}
	out, err := runCmd(t, "audit", "verify", "--data", dir, "--head", head)
	if !errors.Is(err, errAuditBroken) || !strings.Contains(out, "第 10 条：此前记录的最新哈希 "+head+" 不在日志中") {
		t.Fatalf("cut tail against the head: %v\n%s", err, out)
	}
}

func TestAuditVerifyUsage(t *testing.T) {
	dir := auditLog(t, 0)
	out, err := runCmd(t, "audit", "verify", "--data", dir)
	if err != nil || !strings.Contains(out, "已校验 0 条，最新哈希 "+audit.Genesis) {
		t.Fatalf("empty log: %v\n%s", err, out)
	}
	if _, err := runCmd(t, "audit", "verify", "--data", dir, "--head", audit.Genesis); err != nil {
		t.Fatalf("empty log against its own head: %v", err)
	}
	for _, args := range [][]string{{"audit"}, {"audit", "check"}, {"audit", "verify", "--data", dir, "--head", "abc"}, {"audit", "verify", "--data", dir, "extra"}} {
		if _, err := runCmd(t, args...); exitCode(err) != 2 {
			t.Errorf("%v: err = %v, want usage", args, err)
		}
	}
}
