package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"time"

	"opcert/internal/blob"
	"opcert/internal/casework"
	"opcert/internal/store"
)

// A backup folder holds the database snapshot, a copy of every stored file
// and a manifest with each file's checksum, so a restore can prove it put
// back exactly what was saved.
const (
	backupDatabase = "opcert.db"
	backupFiles    = "files"
	backupManifest = "manifest.json"
)

// backupManifestData is manifest.json.
type backupManifestData struct {
	Created  time.Time    `json:"created"`
	Database backupEntry  `json:"database"`
	Files    []backupFile `json:"files"`
	// Missing are files the snapshot's rows name that were gone when the
	// files were copied: removed by the service after the snapshot (a
	// draft deleted, a photo replaced).
	Missing []string `json:"missing,omitempty"`
}

type backupEntry struct {
	SHA256 string `json:"sha256"`
	Size   int64  `json:"size"`
}

type backupFile struct {
	Key         string `json:"key"`
	ContentType string `json:"content_type"`
	backupEntry
}

// cmdBackup copies the embedded database and every stored file into a new
// folder while the service keeps running (DESIGN.md: cmd/opcert backup).
// The database is read first, as one snapshot (VACUUM INTO); the files
// after it. An upload writes its file before the row that names it, so
// every file a row of the snapshot names was already stored when the
// copying began; a file the service removed meanwhile is listed as missing.
func cmdBackup(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, fset, err := parseFlags("backup", args, stderr, nil)
	if err != nil {
		return err
	}
	if fset.NArg() != 1 {
		fmt.Fprintln(stderr, "用法: opcert backup [--data ./data] 备份文件夹")
		return errUsage
	}
	dir := fset.Arg(0)
	if err := newEmptyFolder(dir); err != nil {
		return err
	}
	db, err := openStore(ctx, cfg, cfg.Logger())
	if err != nil {
		return err
	}
	defer db.Close()
	files, err := openFiles(ctx, cfg)
	if err != nil {
		return fmt.Errorf("file store: %w", err)
	}
	dbPath := filepath.Join(dir, backupDatabase)
	if err := db.BackupTo(ctx, dbPath); err != nil {
		return err
	}
	m := backupManifestData{Created: time.Now().UTC()}
	copyTo, err := blob.NewLocal(filepath.Join(dir, backupFiles))
	if err != nil {
		return err
	}
	defer copyTo.Close()
	var total int64
	for o, err := range files.List(ctx, "") {
		if err != nil {
			return fmt.Errorf("列出文件: %w", err)
		}
		f, err := copyBlob(ctx, files, copyTo, o.Key)
		if errors.Is(err, blob.ErrNotFound) {
			continue // removed since it was listed
		}
		if err != nil {
			return fmt.Errorf("复制文件 %s: %w", o.Key, err)
		}
		m.Files = append(m.Files, f)
		total += f.Size
	}
	if m.Missing, err = namedButMissing(ctx, dbPath, m.Files); err != nil {
		return err
	}
	// Summed last: reading the snapshot above opens it as a database.
	if m.Database, err = checksumFile(dbPath); err != nil {
		return err
	}
	if err := writeManifest(dir, m); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "已备份到 %s：数据库 %.1f MB，文件 %d 个（%.1f MB）\n", dir, float64(m.Database.Size)/1e6, len(m.Files), float64(total)/1e6)
	if len(m.Missing) > 0 {
		fmt.Fprintf(stdout, "注意：%d 个文件在数据库快照之后被系统删除（删除的草稿、更换的照片），未能备份，见 %s\n", len(m.Missing), backupManifest)
	}
	return nil
}

// cmdRestore puts a backup into an empty data folder (or an empty file
// store), checking every file against the manifest. It never overwrites a
// database: restoring over live data is done by moving that data away
// first, by hand.
func cmdRestore(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, fset, err := parseFlags("restore", args, stderr, nil)
	if err != nil {
		return err
	}
	if fset.NArg() != 1 {
		fmt.Fprintln(stderr, "用法: opcert restore [--data ./data] 备份文件夹")
		return errUsage
	}
	if cfg.DatabaseURL != "" {
		return errors.New("PostgreSQL 数据库请使用 pg_restore 恢复；opcert restore 恢复内嵌数据库")
	}
	dir := fset.Arg(0)
	raw, err := os.ReadFile(filepath.Join(dir, backupManifest))
	if err != nil {
		return fmt.Errorf("%s 不是 opcert 备份文件夹（没有 %s）", dir, backupManifest)
	}
	var m backupManifestData
	if err := json.Unmarshal(raw, &m); err != nil {
		return fmt.Errorf("%s 已损坏: %w", backupManifest, err)
	}
	if got, err := checksumFile(filepath.Join(dir, backupDatabase)); err != nil || got != m.Database {
		return fmt.Errorf("备份中的数据库与清单不符（文件损坏或被改动），未恢复任何内容")
	}
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return err
	}
	target := cfg.SQLitePath()
	if _, err := os.Stat(target); err == nil {
		return fmt.Errorf("数据文件夹 %s 中已有数据库，只能恢复到空的数据文件夹（请先移走现有数据）", cfg.DataDir)
	}
	files, err := openFiles(ctx, cfg)
	if err != nil {
		return fmt.Errorf("file store: %w", err)
	}
	from, err := blob.NewLocal(filepath.Join(dir, backupFiles))
	if err != nil {
		return err
	}
	defer from.Close()
	// Files first, the database last: a restore stopped halfway leaves no
	// database, so nothing starts on half the files.
	for _, f := range m.Files {
		got, err := copyBlob(ctx, from, files, f.Key)
		if err != nil {
			return fmt.Errorf("恢复文件 %s: %w", f.Key, err)
		}
		if got.backupEntry != f.backupEntry {
			files.Delete(ctx, f.Key)
			return fmt.Errorf("备份中的文件 %s 与清单不符（文件损坏或被改动），恢复中止", f.Key)
		}
	}
	if err := copyFileExclusive(filepath.Join(dir, backupDatabase), target); err != nil {
		return err
	}
	db, err := openStore(ctx, cfg, cfg.Logger())
	if err != nil {
		return err
	}
	defer db.Close()
	n, err := countApplications(ctx, db)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "已从 %s 恢复：申请 %d 件，文件 %d 个\n", dir, n, len(m.Files))
	return nil
}

// newEmptyFolder makes dir, or accepts it when it exists and is empty.
func newEmptyFolder(dir string) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return os.MkdirAll(dir, 0o700)
	}
	if err != nil {
		return err
	}
	if len(entries) > 0 {
		return fmt.Errorf("备份文件夹 %s 已存在且不为空，请换一个文件夹（备份从不覆盖）", dir)
	}
	return nil
}

// copyBlob copies one file between stores, with its size and SHA-256.
func copyBlob(ctx context.Context, from, to blob.Store, key string) (backupFile, error) {
	r, info, err := from.Open(ctx, key)
	if err != nil {
		return backupFile{}, err
	}
	defer r.Close()
	h := sha256.New()
	if err := to.Put(ctx, key, io.TeeReader(r, h), info.Size, info.ContentType); err != nil {
		return backupFile{}, err
	}
	return backupFile{Key: key, ContentType: info.ContentType, backupEntry: backupEntry{SHA256: hex.EncodeToString(h.Sum(nil)), Size: info.Size}}, nil
}

func checksumFile(path string) (backupEntry, error) {
	f, err := os.Open(path)
	if err != nil {
		return backupEntry{}, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	return backupEntry{SHA256: hex.EncodeToString(h.Sum(nil)), Size: n}, err
}

func copyFileExclusive(from, to string) error {
	src, err := os.Open(from)
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	_, err = io.Copy(dst, src)
	if err == nil {
		err = dst.Sync()
	}
	if cerr := dst.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(to)
	}
	return err
}

func writeManifest(dir string, m backupManifestData) error {
	raw, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, backupManifest), raw, 0o600)
}

// namedButMissing are the files the snapshot's rows name that the copy
// lacks.
func namedButMissing(ctx context.Context, dbPath string, copied []backupFile) ([]string, error) {
	snap, err := store.Open(ctx, "", dbPath)
	if err != nil {
		return nil, err
	}
	defer snap.Close()
	have := map[string]bool{}
	for _, f := range copied {
		have[f.Key] = true
	}
	cases := casework.New(casework.Options{Store: snap})
	var missing []string
	for after := int64(0); ; {
		ids, err := snap.ApplicationIDsAfter(ctx, after, store.MaxFileMentions)
		if err != nil {
			return nil, err
		}
		if len(ids) == 0 {
			break
		}
		used, err := cases.FilesInUse(ctx, ids)
		if err != nil {
			return nil, err
		}
		for k := range used {
			if !have[k] {
				missing = append(missing, k)
			}
		}
		after = ids[len(ids)-1]
	}
	slices.Sort(missing)
	return missing, nil
}

func countApplications(ctx context.Context, db *store.DB) (int, error) {
	n := 0
	for after := int64(0); ; {
		ids, err := db.ApplicationIDsAfter(ctx, after, 10000)
		if err != nil || len(ids) == 0 {
			return n, err
		}
		n += len(ids)
		after = ids[len(ids)-1]
	}
}
