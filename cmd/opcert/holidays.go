package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/user"

	"opcert/internal/auth"
	"opcert/internal/casework"
	"opcert/internal/civil"
	"opcert/internal/workday"
)

// cmdHolidays imports a year of official holidays and 调休 working days
// (the 国务院办公厅 notice, published each winter for the next year), as the
// web admin's import does: effective at once on every instance, with every
// open provisional (暂定) deadline counted again. The file has the format of
// internal/workday/data/YYYY.json.
func cmdHolidays(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "import" {
		fmt.Fprintln(stderr, "用法: opcert holidays import [--data ./data] YYYY.json")
		return errUsage
	}
	cfg, fs, err := parseFlags("holidays import", args[1:], stderr, nil)
	if err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(stderr, "用法: opcert holidays import [--data ./data] YYYY.json")
		return errUsage
	}
	raw, err := os.ReadFile(fs.Arg(0))
	if err != nil {
		return err
	}
	y, err := workday.ParseYearData(raw)
	if err != nil {
		return err
	}
	db, err := openStore(ctx, cfg, cfg.Logger())
	if err != nil {
		return err
	}
	defer db.Close()
	who := casework.Actor{Role: "cli"}
	if u, err := user.Current(); err == nil {
		who.Role = auth.Role("cli:" + u.Username)
	}
	cases := casework.New(casework.Options{Store: db, Log: cfg.Logger(), Today: func() civil.Date { return civil.Of(cfg.Now()()) }})
	done, err := cases.ImportHolidayYear(ctx, who, y)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "已导入 %d 年的法定节假日安排：放假 %d 天，调休上班 %d 天。所有运行中的服务立即生效。\n", y.Year, len(y.Holidays), len(y.Workdays))
	fmt.Fprintf(stdout, "重新计算暂定期限 %d 件，其中日期变化 %d 件（已短信通知申请人）。\n", len(done.Recounts), done.Moved())
	return nil
}
