package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/user"

	"opcert/internal/store"
	"opcert/internal/workday"
)

// cmdHolidays imports a year of official holidays and 调休 working days
// (the 国务院办公厅 notice, published each winter for the next year), so legal
// deadlines can be computed into that year. The file has the format of
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
	if _, err := workday.Default().WithYear(y); err != nil {
		return err
	}
	db, err := openStore(ctx, cfg, cfg.Logger())
	if err != nil {
		return err
	}
	defer db.Close()
	by := "cli"
	if u, err := user.Current(); err == nil {
		by = "cli:" + u.Username
	}
	if err := db.PutHolidayYear(ctx, y.Year, raw, by); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "已导入 %d 年的法定节假日安排：放假 %d 天，调休上班 %d 天。重启服务后生效。\n", y.Year, len(y.Holidays), len(y.Workdays))
	return nil
}

// loadCalendar is the embedded calendar with the imported years added.
func loadCalendar(ctx context.Context, db *store.DB) (*workday.Calendar, error) {
	cal := workday.Default()
	years, err := db.HolidayYears(ctx)
	if err != nil {
		return nil, err
	}
	for _, raw := range years {
		y, err := workday.ParseYearData(raw)
		if err != nil {
			return nil, fmt.Errorf("imported holidays: %w", err)
		}
		if cal, err = cal.WithYear(y); err != nil {
			return nil, fmt.Errorf("imported holidays %d: %w", y.Year, err)
		}
	}
	return cal, nil
}
