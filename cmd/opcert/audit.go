package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"opcert/internal/audit"
)

// errAuditBroken: the chain does not hold; the exit code says so to scripts.
var errAuditBroken = errors.New("审计日志校验失败")

// cmdAudit verifies the hash chain of the audit log (issue 4: a command
// verifies the chain). With --head, a hash recorded earlier must still be in
// the log, which also catches rows cut off the end.
func cmdAudit(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "verify" {
		fmt.Fprintln(stderr, "用法: opcert audit verify [--head HASH]")
		return errUsage
	}
	var head *string
	cfg, _, err := parseFlags("audit verify", args[1:], stderr, func(fs *flag.FlagSet) {
		head = fs.String("head", "", "a head hash recorded earlier, which must still be in the log")
	})
	if err != nil {
		return err
	}
	db, err := openStore(ctx, cfg, cfg.Logger())
	if err != nil {
		return err
	}
	defer db.Close()
	n, last, err := db.VerifyAudit(ctx, *head)
	var broken *audit.BrokenChainError
	if errors.As(err, &broken) {
		fmt.Fprintf(stdout, "审计日志不完整：%s（此前 %d 条校验通过）\n", broken.Error(), n)
		return errAuditBroken
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "审计日志完整：已校验 %d 条，最新哈希 %s\n", n, last)
	return nil
}
