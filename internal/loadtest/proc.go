package loadtest

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Process is a server started for a measurement: its own process, so that
// its memory is its own and not the client's.
type Process struct {
	URL     string        // http://127.0.0.1:port
	Started time.Duration // from exec to listening
	Pprof   string        // host:port of its profiler, when it prints one ("pprof: …")
	cmd     *exec.Cmd
	done    chan error
}

// listening is the line a server prints once it accepts connections (opcert
// serve: "opcert 已启动: http://127.0.0.1:8080/").
var listening = regexp.MustCompile(`http://(127\.0\.0\.1|localhost|\[::1\]):\d+`)

// Start runs name with args and env (added to this process's environment),
// its standard error and the rest of its output appended to log, and
// returns once it has printed the address it listens on.
func Start(ctx context.Context, log io.Writer, env []string, name string, args ...string) (*Process, error) {
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stderr = log
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &Process{cmd: cmd, done: make(chan error, 1)}
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		sent := false
		for sc.Scan() {
			line := sc.Text()
			fmt.Fprintln(log, line)
			if a, ok := strings.CutPrefix(line, "pprof: "); ok && !sent {
				p.Pprof = strings.TrimSpace(a)
			}
			if m := listening.FindString(line); m != "" && !sent {
				found <- m
				sent = true
			}
		}
		close(found)
		p.done <- cmd.Wait()
	}()
	select {
	case u, ok := <-found:
		if !ok {
			err := <-p.done
			return nil, fmt.Errorf("%s exited before listening: %v", name, err)
		}
		p.URL, p.Started = u, time.Since(t0)
		return p, nil
	case <-time.After(2 * time.Minute):
	case <-ctx.Done():
	}
	p.Stop()
	return nil, fmt.Errorf("%s did not start listening", name)
}

// Stop asks the server to shut down (SIGTERM) and kills it if it has not
// within 30 seconds.
func (p *Process) Stop() error {
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-p.done:
		var exit *exec.ExitError
		if errors.As(err, &exit) && !exit.Exited() {
			return nil // ended by the signal
		}
		return err
	case <-time.After(30 * time.Second):
		p.cmd.Process.Kill()
		return <-p.done
	}
}

// PID is the server's process id.
func (p *Process) PID() int { return p.cmd.Process.Pid }

// ResetPeak starts a new peak-memory measurement: Linux resets the
// process's high-water mark of resident memory (VmHWM) when 5 is written
// to its clear_refs (proc(5)).
func (p *Process) ResetPeak() error {
	return os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", p.cmd.Process.Pid), []byte("5"), 0)
}

// PeakRSS is the largest resident memory of the process, in bytes, since
// it started or since the last ResetPeak.
func (p *Process) PeakRSS() (int64, error) {
	return procStatus(p.cmd.Process.Pid, "VmHWM")
}

// WatchAnon samples the process's anonymous resident memory (RssAnon: its
// heap, stacks and the database driver's caches, without the pages of
// files it maps) every interval until stop is called, which returns the
// largest sample. Linux keeps a high-water mark only of the whole RSS,
// which also counts the pages of the executable and of any file mapped.
func (p *Process) WatchAnon(interval time.Duration) (stop func() int64) {
	done := make(chan struct{})
	peak := make(chan int64, 1)
	go func() {
		var max int64
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			if v, err := procStatus(p.cmd.Process.Pid, "RssAnon"); err == nil && v > max {
				max = v
			}
			select {
			case <-done:
				peak <- max
				return
			case <-t.C:
			}
		}
	}()
	return func() int64 {
		close(done)
		return <-peak
	}
}

func procStatus(pid int, field string) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10, err
		}
	}
	return 0, fmt.Errorf("/proc/%d/status has no %s", pid, field)
}
