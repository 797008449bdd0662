package casework

import (
	"crypto/rand"
	"fmt"
	"strconv"
	"strings"
)

// fileKey is the blob key of a new file of an application. Two rules make
// the file sweep (package jobs) safe: every file of an application lies
// under applications/<id>/, so the rows that may name it are found from the
// key alone; and no two Puts write the same key (the random part), so a file
// the sweep finds old and named by no row can never be named later — its
// upload is long over — and a second delivery of the same notice cannot
// overwrite, then delete, the first one's file.
func fileKey(applicationID int64, name, ext string) string {
	return fmt.Sprintf("applications/%d/%s-%s.%s", applicationID, name, strings.ToLower(rand.Text()[:12]), ext)
}

// ApplicationOfFile is the application whose folder holds the key; false
// for a key outside the layout of fileKey.
func ApplicationOfFile(key string) (int64, bool) {
	rest, ok := strings.CutPrefix(key, "applications/")
	if !ok {
		return 0, false
	}
	num, _, ok := strings.Cut(rest, "/")
	if !ok || num == "" || num[0] == '0' {
		return 0, false
	}
	id, err := strconv.ParseInt(num, 10, 64)
	return id, err == nil && id > 0
}
