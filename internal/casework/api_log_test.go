package casework_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"

	"opcert/internal/casework"
	"opcert/internal/store"
	"opcert/internal/store/storetest"
)

// Whatever a caller types as 申请号 is logged only if it has a 申请号's
// shape: an ID number typed there does not reach the log in clear.
func TestApplicationStatusLogsNoIDNumber(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	var logs bytes.Buffer
	s := casework.New(casework.Options{Store: db, Log: slog.New(slog.NewTextHandler(&logs, nil))})
	ctx := context.Background()
	for _, typed := range []string{"11010519491231002X", "261201000003"} {
		if _, _, err := s.ApplicationStatus(ctx, casework.APICaller{Client: "192.0.2.1"}, typed, "abcdefghijklmnop"); casework.ErrorCode(err) != casework.NotFound {
			t.Fatalf("%s: %v", typed, err)
		}
	}
	if strings.Contains(logs.String(), "11010519491231002X") || !strings.Contains(logs.String(), "1101**********002X") {
		t.Errorf("the ID number typed as 申请号 is logged in clear:\n%s", logs.String())
	}
	if !strings.Contains(logs.String(), "number=261201000003") {
		t.Errorf("a 申请号 is not logged as typed:\n%s", logs.String())
	}
}
