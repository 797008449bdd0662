package loadtest

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The shipped load command, run as an operator runs it on a small registry,
// measures every path on each engine: each row of its report is there with
// requests answered and none failed. Its figures are not checked (the
// machine is shared); that it finishes is: a stall in the service (a
// deadlock of the connection pools, say) ends at the deadline as a failure.
func TestLoadCommandReportsEveryPath(t *testing.T) {
	if testing.Short() {
		t.Skip("builds opcert and runs the load command")
	}
	dir := t.TempDir()
	exe := buildOpcert(t)
	engines := []string{"sqlite"}
	url := os.Getenv("OPCERT_TEST_DATABASE_URL")
	if url != "" {
		engines = append(engines, "postgres")
	}
	report := filepath.Join(dir, "report.md")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, exe, "load", "-holders", "20000", "-engine", strings.Join(engines, ","), "-database-url", url,
		"-cache", filepath.Join(dir, "cache"), "-duration", "1s", "-warmup", "100ms", "-c", "8", "-cw", "4",
		"-drafts", "300", "-applicants", "60", "-o", report)
	cmd.Env = append(os.Environ(), "OPCERT_FALLBACK_FONTS=")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("opcert load: %v (deadline: %v)\n%s", err, ctx.Err(), tail(out))
	}
	b, err := os.ReadFile(report)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"bare net/http handler (the limit)", "public certificate query (HTML)", "public certificate query (JSON API)",
		queryLookUpName, "certificate QR verification (JSON API)", "progress page /p/…", progressLookUpName, "home page",
		"officers' queue", submitName, "applicant path without login", "whole applicant path"}
	for _, section := range strings.Split(string(b), "\n### ")[1:] {
		engine, body, _ := strings.Cut(section, "\n")
		rows := map[string][]string{}
		for line := range strings.SplitSeq(body, "\n") {
			cells := strings.Split(strings.Trim(line, "| "), " | ")
			if !strings.HasPrefix(line, "| ") || len(cells) < 13 || cells[0] == "path" {
				continue
			}
			rows[cells[0]] = cells
		}
		for _, name := range want {
			var cells []string
			for path, c := range rows {
				if strings.HasPrefix(path, name) {
					cells = c
				}
			}
			switch {
			case cells == nil:
				t.Errorf("%s: no row %q in the report", engine, name)
			case cells[len(cells)-1] != "0":
				t.Errorf("%s: %s: %s errors", engine, name, cells[len(cells)-1])
			case rateOf(cells[2]) <= 0:
				t.Errorf("%s: %s: rate %s, p50 %s, p99 %s\n%s", engine, name, cells[2], cells[3], cells[4], body)
			}
		}
		engines = slices.DeleteFunc(engines, func(e string) bool { return e == strings.TrimSpace(engine) })
	}
	if len(engines) > 0 {
		t.Errorf("no section for %v in the report:\n%s", engines, b)
	}
}

// buildOpcert builds opcert from this checkout into a temporary folder.
func buildOpcert(t *testing.T) string {
	t.Helper()
	exe := filepath.Join(t.TempDir(), "opcert")
	if out, err := exec.Command("go", "build", "-o", exe, "../../cmd/opcert").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return exe
}

// rateOf is the number of a report's rate cell ("14 application/s"), or
// -1 when it is not one.
func rateOf(cell string) float64 {
	n, _, _ := strings.Cut(cell, " ")
	r, err := strconv.ParseFloat(n, 64)
	if err != nil {
		return -1
	}
	return r
}

// tail is the end of a command's output, where its error is.
func tail(out []byte) []byte {
	if len(out) > 4000 {
		return out[len(out)-4000:]
	}
	return out
}
