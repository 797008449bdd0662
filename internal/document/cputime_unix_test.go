//go:build unix

package document

import (
	"syscall"
	"time"
)

// cpuTime is the CPU time this process has used, user and system: a
// benchmark on a shared machine reports it beside the wall time, which
// other processes stretch.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
