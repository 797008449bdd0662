// Command opcert runs the 特种设备安全管理和作业人员资格认定 service.
//
//	opcert serve [--demo] [--addr localhost:8080] [--data ./data]
//	opcert migrate
//	opcert import [--skip-bad] FILE.csv|FILE.xlsx
//	opcert user --login L --name N --role officer|examiner|admin|unit [--authority 310104] [--institution 考试机构] [--address A --contact C --phone P]
//	opcert audit verify [--head HASH]
//
// Every setting also reads from an OPCERT_* environment variable; see -h of
// each subcommand. OPCERT_DATABASE_URL=postgres://… selects PostgreSQL.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "opcert:", err)
		}
		os.Exit(exitCode(err))
	}
}

const usage = `opcert — 特种设备安全管理和作业人员资格认定

用法 (usage):
  opcert serve [--demo]       运行网上办事服务 (run the web service)
  opcert migrate              升级数据库结构后退出 (apply schema migrations)
  opcert import FILE          批量导入持证人 (bulk-load holders from CSV or XLSX)
  opcert user ...             创建工作人员或单位账号 (create an officer, exam-staff, admin or 单位 account)
  opcert audit verify         校验审计日志的哈希链 (verify the audit log's hash chain)
  opcert backup DIR           备份内嵌数据库和全部上传文件到新文件夹 (while it runs)
  opcert restore DIR          从备份文件夹恢复到空的数据文件夹，逐一校验文件
  opcert health               检查运行中的服务是否正常（容器健康检查用）
  opcert holidays import F    导入新一年的法定节假日安排 (add a year to the working-day calendar)
  opcert keys rotate          更换证书二维码签名密钥 (rotate the certificate signing key)
  opcert keys rotate-data     更换个人数据加密密钥并重新加密 (rotate the personal-data key, re-encrypting while serving)
  opcert load                 负载测试：生成持证人数据，逐项测量各页面 (measure the service under load)

每个子命令用 -h 查看参数；参数也可用 OPCERT_* 环境变量设置。
`

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errUsage
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve":
		return cmdServe(ctx, rest, stdout, stderr)
	case "migrate":
		return cmdMigrate(ctx, rest, stdout, stderr)
	case "import":
		return cmdImport(ctx, rest, stdout, stderr)
	case "user":
		return cmdUser(ctx, rest, stdin, stdout, stderr)
	case "audit":
		return cmdAudit(ctx, rest, stdout, stderr)
	case "backup":
		return cmdBackup(ctx, rest, stdout, stderr)
	case "restore":
		return cmdRestore(ctx, rest, stdout, stderr)
	case "health":
		return cmdHealth(ctx, rest, stdout, stderr)
	case "holidays":
		return cmdHolidays(ctx, rest, stdout, stderr)
	case "keys":
		return cmdKeys(ctx, rest, stdout, stderr)
	case "load":
		return cmdLoad(ctx, rest, stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprintf(stderr, "未知子命令 %q\n\n%s", cmd, usage)
	return errUsage
}

var errUsage = errors.New("usage")

// exitCode: 2 for usage errors (as flag does), 1 otherwise.
func exitCode(err error) int {
	if errors.Is(err, errUsage) || errors.Is(err, flag.ErrHelp) {
		return 2
	}
	return 1
}
