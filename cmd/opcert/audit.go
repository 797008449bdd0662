package main

import (
	"context"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"

	"opcert/internal/audit"
)

// errAuditBroken: the chain does not hold; the exit code (1) says so to
// scripts and monitoring.
var errAuditBroken = errors.New("审计日志校验失败")

// cmdAudit verifies the hash chain of the audit log, so any edit or deletion
// is detectable. The rows alone
// cannot show rows cut off the end, so the head it prints is meant to be
// recorded outside the database and passed back with --head.
func cmdAudit(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "verify" {
		fmt.Fprintln(stderr, "用法: opcert audit verify [--head HASH]")
		return errUsage
	}
	var head *string
	cfg, fs, err := parseFlags("audit verify", args[1:], stderr, func(fs *flag.FlagSet) {
		head = fs.String("head", "", "此前记录的最新哈希，须仍在日志中 (a head hash recorded earlier; catches rows cut off the end)")
	})
	if err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fmt.Fprintln(stderr, "用法: opcert audit verify [--head HASH]")
		return errUsage
	}
	if b, err := hex.DecodeString(*head); *head != "" && (err != nil || len(b) != 32) {
		fmt.Fprintf(stderr, "--head 应为 64 位十六进制哈希（审计日志校验时输出的最新哈希），收到 %q\n", *head)
		return errUsage
	}
	db, err := openStore(ctx, cfg, cfg.Logger())
	if err != nil {
		return err
	}
	defer db.Close()
	n, last, err := db.VerifyAudit(ctx, *head)
	var broken *audit.BrokenChainError
	if errors.As(err, &broken) {
		fmt.Fprintf(stdout, "审计日志校验失败：第 %d 条：%s。\n", broken.Seq, broken.Reason)
		if n > 0 {
			fmt.Fprintf(stdout, "第 1 至 %d 条完整；自第 %d 条起的记录不可信，请核查数据库的修改记录和备份。\n", n, broken.Seq)
		}
		return errAuditBroken
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "审计日志完整：已校验 %d 条，最新哈希 %s\n", n, last)
	if *head != "" {
		fmt.Fprintln(stdout, "此前记录的最新哈希仍在日志中，其前的记录未被删改。")
	} else {
		fmt.Fprintln(stdout, "请在数据库之外记录此哈希，下次用 --head 校验，可发现日志末尾被删除的记录。")
	}
	return nil
}
