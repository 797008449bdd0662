//go:build unix

package notify_test

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"opcert/internal/notify"
)

// The SMS log holds mobile numbers: 0640 whatever the umask (here none),
// and a file left wider by hand is narrowed when it is opened again.
func TestLogFileModeIgnoresUmask(t *testing.T) {
	old := syscall.Umask(0)
	defer syscall.Umask(old)
	path := filepath.Join(t.TempDir(), "sms.log")
	for _, before := range []os.FileMode{0, 0o666} {
		if before != 0 {
			os.Chmod(path, before)
		}
		s, closeFn, err := notify.OpenLogFile(path)
		if err != nil {
			t.Fatal(err)
		}
		s.Send(context.Background(), "13800000001", "已受理")
		closeFn()
		if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o640 {
			t.Errorf("mode %v (%v), want 0640", fi.Mode().Perm(), err)
		}
	}
}
