package loadtest

import (
	"testing"
	"time"
)

func TestStatTicks(t *testing.T) {
	// proc(5): pid (comm) state ppid pgrp session tty_nr tpgid flags minflt
	// cminflt majflt cmajflt utime stime …; comm may hold spaces and
	// parentheses.
	tests := []struct {
		line string
		want int64
		bad  bool
	}{
		{"4242 (opcert) S 1 4242 4242 0 -1 4194560 1000 0 0 0 150 50 0 0 20 0 9 0", 200, false},
		{"4242 (opcert serve) R 1 4242 4242 0 -1 4194560 1000 0 0 0 7 3 0 0 20 0 9 0", 10, false},
		{"4242 (a) b) S 1 4242 4242 0 -1 4194560 1000 0 0 0 1 2 0 0 20 0 9 0", 3, false},
		{"4242 opcert S 1 2 3", 0, true},
		{"4242 (opcert) S 1 4242", 0, true},
		{"4242 (opcert) S 1 4242 4242 0 -1 4194560 1000 0 0 0 x 50 0", 0, true},
	}
	for _, tc := range tests {
		got, err := statTicks("stat", tc.line)
		if tc.bad {
			if err == nil {
				t.Errorf("statTicks(%q) = %d, want an error", tc.line, got)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("statTicks(%q) = %d, %v; want %d", tc.line, got, err, tc.want)
		}
	}
}

func TestStatLineTicks(t *testing.T) {
	// user nice system idle iowait irq softirq steal guest guest_nice
	busy, total, err := statLineTicks("cpu  100 5 40 800 20 3 2 30 0 0\ncpu0 50 2 20 400 10 1 1 15 0 0\n")
	if err != nil || busy != 180 || total != 1000 {
		t.Errorf("statLineTicks = %d, %d, %v; want 180, 1000", busy, total, err)
	}
	for _, bad := range []string{"", "intr 1 2 3", "cpu 1 2 3", "cpu 1 2 3 4 5 6 7 x"} {
		if _, _, err := statLineTicks(bad); err == nil {
			t.Errorf("statLineTicks(%q) gave no error", bad)
		}
	}
	if _, _, err := machineTicks(); err != nil {
		t.Errorf("this machine's /proc/stat: %v", err)
	}
	if n, err := processTicks("/proc/self/stat"); err != nil || n < 0 {
		t.Errorf("this process's stat: %d, %v", n, err)
	}
}

func TestCPUUsePerOperation(t *testing.T) {
	from := cpuSample{server: 1000, self: 500, busy: 10000, total: 20000}
	// 2 s of a 2-core machine (400 ticks), 300 busy: the server 150 ticks,
	// the client 100, over 1000 operations.
	to := cpuSample{server: 1150, self: 600, busy: 10300, total: 20400}
	got := from.use(to, 1000)
	want := CPUUse{Server: 1500 * time.Microsecond, Client: 1000 * time.Microsecond, Machine: 3000 * time.Microsecond, Idle: 0.25}
	if got != want {
		t.Errorf("use = %+v, want %+v", got, want)
	}
	if got := from.use(to, 0); got != (CPUUse{}) {
		t.Errorf("no operations: %+v, want zero", got)
	}
	if got := from.use(from, 10); got != (CPUUse{}) {
		t.Errorf("no time passed: %+v, want zero", got)
	}
}
