package main

import (
	"context"
	"fmt"
	"io"
)

// cmdBackup copies the embedded database to a file while the service may
// keep running (DESIGN.md: cmd/opcert backup). Uploaded files live in the
// data folder's files/ and are copied with ordinary tools.
func cmdBackup(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, fs, err := parseFlags("backup", args, stderr, nil)
	if err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(stderr, "用法: opcert backup [--data ./data] FILE.db")
		return errUsage
	}
	db, err := openStore(ctx, cfg, cfg.Logger())
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.BackupTo(ctx, fs.Arg(0)); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "数据库已备份到 %s（上传的文件在 %s，请一并复制）\n", fs.Arg(0), cfg.FilesDir())
	return nil
}
