package main

import (
	"context"
	"fmt"
	"io"

	"opcert/internal/audit"
	"opcert/internal/config"
	"opcert/internal/store"
)

// cmdKeys rotates the key that signs certificates' QR codes; the new key is
// of the configured scheme (--signing-algorithm), so rotating is also how a
// deployment moves to SM2. The old key stays published
// (/.well-known/opcert-keys.json), so every certificate it signed still
// verifies.
func cmdKeys(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, fs, err := parseFlags("keys", args, stderr, nil)
	if err != nil {
		return err
	}
	if fs.NArg() != 1 || (fs.Arg(0) != "rotate" && fs.Arg(0) != "rotate-data") {
		fmt.Fprintln(stderr, "用法: opcert keys rotate | opcert keys rotate-data")
		return errUsage
	}
	db, err := openStore(ctx, cfg, cfg.Logger())
	if err != nil {
		return err
	}
	defer db.Close()
	if fs.Arg(0) == "rotate-data" {
		return rotateDataKey(ctx, db, cfg, stdout)
	}
	id, err := db.RotateSigningKey(ctx, cfg.SigningAlgorithm, audit.Entry{ActorRole: "operator"})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "证书二维码签名密钥已更换，新密钥 %s（%s）；原密钥仍公布，已签发证书可继续核验\n", id, cfg.SigningAlgorithm)
	return nil
}

// rotateDataKey makes a new key for personal data (of the configured
// cipher, --data-cipher) and re-seals every value under it, in batches of
// their own transactions so that the service keeps serving meanwhile. The
// old keys stay readable: an instance that sealed with one in the minute
// before it saw the new key leaves values a second run re-seals.
func rotateDataKey(ctx context.Context, db *store.DB, cfg config.Config, stdout io.Writer) error {
	id, err := db.RotateDataKey(ctx, audit.Entry{ActorRole: "operator"})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "个人数据密钥已更换，新密钥 %s（%s）；正在用新密钥重新加密已有数据…\n", id, cfg.DataCipher)
	n, err := db.ResealPersonalData(ctx, nil)
	if err != nil {
		return fmt.Errorf("已重新加密 %d 项后出错（可再次执行 opcert keys rotate-data 继续）：%w", n, err)
	}
	fmt.Fprintf(stdout, "已用新密钥重新加密 %d 项个人数据\n", n)
	return nil
}
