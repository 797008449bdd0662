package loadtest

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// CPUUse is where a path's CPU went, per operation over its measured
// window: the service's process, this process (the load client, or the
// operation itself for a path run in process), and the whole machine
// (which adds the database server's processes, the kernel's network work
// done outside either process, and anything else running). Idle is the
// share of the machine's CPU time nobody used: a closed loop that leaves
// the cores idle is bounded by waiting, not by work.
type CPUUse struct {
	Server, Client, Machine time.Duration
	Idle                    float64
}

// cpuClock is what /proc reports CPU times in (USER_HZ, sysconf(_SC_CLK_TCK)):
// 100 on every Linux architecture Go runs on; a 5 s window at 10 ms
// resolution is within a fraction of a percent.
const cpuClock = 100

type cpuSample struct {
	server, self, busy, total int64 // clock ticks
}

// sampleCPU reads the CPU time used so far by the process pid (0: none),
// by this process, and by the whole machine (busy and total).
func sampleCPU(pid int) (cpuSample, error) {
	var s cpuSample
	var err error
	if pid > 0 {
		if s.server, err = processTicks(fmt.Sprintf("/proc/%d/stat", pid)); err != nil {
			return s, err
		}
	}
	if s.self, err = processTicks("/proc/self/stat"); err != nil {
		return s, err
	}
	s.busy, s.total, err = machineTicks()
	return s, err
}

// processTicks is utime + stime of a /proc/PID/stat (proc(5): fields 14
// and 15, counted after the command name, which is in parentheses and may
// hold spaces).
func processTicks(file string) (int64, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return 0, err
	}
	return statTicks(file, string(b))
}

func statTicks(file, b string) (int64, error) {
	i := strings.LastIndexByte(b, ')')
	if i < 0 {
		return 0, fmt.Errorf("%s: no command name", file)
	}
	f := strings.Fields(b[i+1:])
	// f[0] is field 3 (state): utime is field 14, stime 15.
	if len(f) < 13 {
		return 0, fmt.Errorf("%s: %d fields", file, len(f))
	}
	u, err := strconv.ParseInt(f[11], 10, 64)
	if err != nil {
		return 0, err
	}
	st, err := strconv.ParseInt(f[12], 10, 64)
	return u + st, err
}

// machineTicks sums the first line of /proc/stat (user nice system idle
// iowait irq softirq steal; guest time is already in user): busy is all
// but idle and iowait.
func machineTicks() (busy, total int64, err error) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, 0, err
	}
	return statLineTicks(string(b))
}

func statLineTicks(b string) (busy, total int64, err error) {
	line, _, _ := strings.Cut(b, "\n")
	f := strings.Fields(line)
	if len(f) < 9 || f[0] != "cpu" {
		return 0, 0, fmt.Errorf("/proc/stat: unexpected first line %q", line)
	}
	for i, v := range f[1:9] {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return 0, 0, err
		}
		total += n
		if i != 3 && i != 4 {
			busy += n
		}
	}
	return busy, total, nil
}

// cpuWindow is the CPU times at the start and the end of a measured window.
type cpuWindow struct {
	from, to cpuSample
	err      error
}

// sampleWindow samples the CPU times after warmup and again d later: the
// window Loop counts operations in.
func sampleWindow(ctx context.Context, pid int, warmup, d time.Duration) cpuWindow {
	var w cpuWindow
	if w.err = sleep(ctx, warmup); w.err != nil {
		return w
	}
	if w.from, w.err = sampleCPU(pid); w.err != nil {
		return w
	}
	if w.err = sleep(ctx, d); w.err != nil {
		return w
	}
	w.to, w.err = sampleCPU(pid)
	return w
}

// use is the CPU per operation between two samples.
func (s cpuSample) use(to cpuSample, ops int) CPUUse {
	if ops <= 0 || to.total <= s.total {
		return CPUUse{}
	}
	per := func(ticks int64) time.Duration {
		return time.Duration(ticks) * (time.Second / cpuClock) / time.Duration(ops)
	}
	return CPUUse{
		Server:  per(to.server - s.server),
		Client:  per(to.self - s.self),
		Machine: per(to.busy - s.busy),
		Idle:    1 - float64(to.busy-s.busy)/float64(to.total-s.total),
	}
}
