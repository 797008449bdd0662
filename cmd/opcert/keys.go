package main

import (
	"context"
	"fmt"
	"io"

	"opcert/internal/audit"
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
	if fs.NArg() != 1 || fs.Arg(0) != "rotate" {
		fmt.Fprintln(stderr, "用法: opcert keys rotate")
		return errUsage
	}
	db, err := openStore(ctx, cfg, cfg.Logger())
	if err != nil {
		return err
	}
	defer db.Close()
	id, err := db.RotateSigningKey(ctx, cfg.SigningAlgorithm, audit.Entry{ActorRole: "operator"})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "证书二维码签名密钥已更换，新密钥 %s（%s）；原密钥仍公布，已签发证书可继续核验\n", id, cfg.SigningAlgorithm)
	return nil
}
