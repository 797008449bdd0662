package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"
)

// cmdHealth asks a running service on --addr whether it is healthy (its
// /healthz: the database answers), for a container's health check, which
// has no HTTP client of its own. Exit status 0 when healthy.
func cmdHealth(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, _, err := parseFlags("health", args, stderr, nil)
	if err != nil {
		return err
	}
	host, port, err := net.SplitHostPort(cfg.Addr)
	if err != nil {
		return fmt.Errorf("--addr %q: %w", cfg.Addr, err)
	}
	// A service listening on every address is asked on loopback.
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+net.JoinHostPort(host, port)+"/healthz", nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("服务未响应: %w", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<10))
	if resp.StatusCode != http.StatusOK {
		return errors.New("服务不健康: " + string(body))
	}
	fmt.Fprintf(stdout, "%s", body)
	return nil
}
