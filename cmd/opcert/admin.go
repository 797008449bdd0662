package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"opcert/internal/auth"
	"opcert/internal/catalog"
	"opcert/internal/civil"
	"opcert/internal/config"
	"opcert/internal/enterprise"
	"opcert/internal/importer"
	"opcert/internal/store"
)

// errImportRefused: the file had bad rows and nothing was loaded.
var errImportRefused = errors.New("导入未执行：文件中有错误行，未写入任何数据")

func cmdImport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var skipBad, dryRun, enterprises *bool
	cfg, fs, err := parseFlags("import", args, stderr, func(fs *flag.FlagSet) {
		skipBad = fs.Bool("skip-bad", false, "load the holders whose rows are all good and skip the others (default: load nothing if any row is bad)")
		dryRun = fs.Bool("dry-run", false, "check the file and report, write nothing")
		enterprises = fs.Bool("enterprises", false, "the file lists enterprises (统一社会信用代码,单位名称,注册地址,所在区) instead of holders")
		fs.Usage = func() {
			fmt.Fprintf(stderr, "用法: opcert import [--skip-bad] [--dry-run] FILE.csv|FILE.xlsx\n表头: %s\n", strings.Join(importer.Header, ","))
			fs.PrintDefaults()
		}
	})
	if err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return errUsage
	}
	name := fs.Arg(0)
	f, err := os.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	if *enterprises {
		return importEnterprises(ctx, cfg, name, f, *skipBad, *dryRun, stdout)
	}
	res, err := importer.ReadFile(name, f, catalog.Default(), civil.Today())
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "读取 %d 行，%d 位持证人无误", res.Rows, len(res.Holdings))
	if res.Skipped > 0 {
		fmt.Fprintf(stdout, "，%d 位持证人有错误行", res.Skipped)
	}
	fmt.Fprintln(stdout)
	for _, e := range res.Errors {
		fmt.Fprintln(stdout, "  "+e.String())
	}
	if len(res.Errors) > 0 && !*skipBad {
		return errImportRefused
	}
	if *dryRun {
		fmt.Fprintln(stdout, "试运行 (--dry-run)：未写入数据")
		return nil
	}
	db, err := openStore(ctx, cfg, cfg.Logger())
	if err != nil {
		return err
	}
	defer db.Close()
	st, err := db.ImportHoldings(ctx, res.Holdings)
	if err != nil {
		return fmt.Errorf("导入失败，未写入任何数据：%w", err)
	}
	fmt.Fprintf(stdout, "已导入：持证人 %d 位，证书 %d 本，作业项目 %d 项\n", st.Holders, st.Certificates, st.Items)
	if res.Skipped > 0 {
		fmt.Fprintf(stdout, "未导入：%d 位持证人（其行有错误，见上）\n", res.Skipped)
	}
	return nil
}

func cmdUser(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	var login, name, roleName, authority, institution, address, contact, phone *string
	var passwordStdin *bool
	cfg, _, err := parseFlags("user", args, stderr, func(fs *flag.FlagSet) {
		login = fs.String("login", "", "login name")
		name = fs.String("name", "", "the person's name (姓名)")
		roleName = fs.String("role", "", "officer, examiner, admin or unit (单位: login is the 统一社会信用代码, name the 单位名称)")
		authority = fs.String("authority", "", "district code of the 受理机关, for officers (e.g. 310104)")
		institution = fs.String("institution", "", "name of the 考试机构, for examiners")
		address = fs.String("address", "", "单位地址, for a unit")
		contact = fs.String("contact", "", "联系人, for a unit")
		phone = fs.String("phone", "", "联系电话, for a unit")
		passwordStdin = fs.Bool("password-stdin", false, "read the password from the first line of standard input instead of OPCERT_USER_PASSWORD")
	})
	if err != nil {
		return err
	}
	role, err := auth.ParseRole(*roleName)
	if err != nil {
		return err
	}
	if role == auth.RoleApplicant {
		return errors.New("申请人账号须由本人在网上实名注册，不能在命令行创建")
	}
	var unit enterprise.Unit
	if role == auth.RoleUnit {
		var ps []enterprise.Problem
		unit, ps = enterprise.CheckUnit(enterprise.Unit{CreditCode: *login, Name: *name, Address: *address, Contact: *contact, Phone: *phone})
		if len(ps) > 0 {
			var msgs []string
			for _, p := range ps {
				msgs = append(msgs, p.Label+"："+p.Message)
			}
			return errors.New(strings.Join(msgs, "；"))
		}
	}
	// The password never goes on the command line, where ps and shell
	// history would keep it.
	password := os.Getenv("OPCERT_USER_PASSWORD")
	if *passwordStdin {
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return err
		}
		password = strings.TrimRight(line, "\r\n")
	}
	if password == "" {
		return errors.New("请用 --password-stdin 或环境变量 OPCERT_USER_PASSWORD 提供密码")
	}
	if err := auth.CheckPasswordStrength(password); err != nil {
		return err
	}
	hash, err := auth.HashPassword(password)
	if err != nil {
		return err
	}
	db, err := openStore(ctx, cfg, cfg.Logger())
	if err != nil {
		return err
	}
	defer db.Close()
	if role == auth.RoleOfficer {
		auths, err := db.Authorities(ctx)
		if err != nil {
			return err
		}
		found := false
		for _, a := range auths {
			found = found || a.Code == *authority
		}
		if !found {
			return fmt.Errorf("受理机关代码 %q 不存在（应为区划代码，如 310104 徐汇区）", *authority)
		}
	}
	var institutionID int64
	if role == auth.RoleExaminer {
		list, err := db.ExamInstitutions(ctx)
		if err != nil {
			return err
		}
		var names []string
		for _, e := range list {
			names = append(names, e.Name)
			if e.Name == strings.TrimSpace(*institution) {
				institutionID = e.ID
			}
		}
		if institutionID == 0 {
			return fmt.Errorf("考试机构 %q 不存在（现有：%s）", *institution, strings.Join(names, "、"))
		}
	}
	if role == auth.RoleUnit {
		u, err := db.RegisterUnit(ctx, unit, hash)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "已创建账号 %s（%s，%s）\n", u.Login, u.Name, u.Role.Label())
		return nil
	}
	u, err := db.CreateUser(ctx, auth.User{Login: strings.TrimSpace(*login), Name: strings.TrimSpace(*name), Role: role, PasswordHash: hash, AuthorityCode: *authority,
		InstitutionID: institutionID})
	if errors.Is(err, store.ErrDuplicate) {
		return fmt.Errorf("登录名 %q 已被使用", *login)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "已创建账号 %s（%s，%s）\n", u.Login, u.Name, u.Role.Label())
	return nil
}

func importEnterprises(ctx context.Context, cfg config.Config, name string, f io.Reader, skipBad, dryRun bool, stdout io.Writer) error {
	res, err := importer.ReadEnterprises(name, f, catalog.Default())
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "读取 %d 行，%d 家单位无误\n", res.Rows, len(res.Enterprises))
	for _, e := range res.Errors {
		fmt.Fprintln(stdout, "  "+e.String())
	}
	if len(res.Errors) > 0 && !skipBad {
		return errImportRefused
	}
	if dryRun {
		fmt.Fprintln(stdout, "试运行 (--dry-run)：未写入数据")
		return nil
	}
	db, err := openStore(ctx, cfg, cfg.Logger())
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.PutEnterprises(ctx, res.Enterprises); err != nil {
		return fmt.Errorf("导入失败，未写入任何数据：%w", err)
	}
	fmt.Fprintf(stdout, "已导入：单位 %d 家\n", len(res.Enterprises))
	return nil
}
