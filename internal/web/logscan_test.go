package web_test

import (
	"log/slog"
	"testing"

	"opcert/internal/catalog"
	"opcert/internal/demo"
)

// typedNumbers are the mobiles and ID numbers the tests type that are not
// the demo's; a log must not hold them either.
var typedNumbers = []string{"13800000123", "13912345678", "13999999999", "13912345670", "13912340000", "13911112222",
	"13966667777", "13911112223", "13899999999"}

// scannedLogger is the logger of a test's server: every line, debug
// included, is kept, and when the test ends each line holding a 证件号码 or a
// mobile fails it (DESIGN.md: personal data never goes into the logs).
// Register it before the server, so the server has stopped when it runs.
func scannedLogger(t *testing.T) *slog.Logger {
	t.Helper()
	logs := &lockedBuffer{}
	t.Cleanup(func() {
		for _, leak := range demo.Build(catalog.Default(), today).LeaksIn(logs.String(), typedNumbers...) {
			t.Errorf("personal data in the server log: %s", leak)
		}
	})
	return slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
}
