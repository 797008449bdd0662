package casework

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"opcert/internal/application"
	"opcert/internal/weldexam"
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

// FilesInUse is the set of file keys that rows of the given applications
// name: their materials, kept notice PDFs, the form's photo and the photo
// a notice's content cites (the certificate's). A document it cannot read
// is an error, never an empty answer: the sweep deletes what is not named.
func (s *Service) FilesInUse(ctx context.Context, applicationIDs []int64) (map[string]bool, error) {
	mentions, err := s.store.FileMentions(ctx, applicationIDs)
	if err != nil {
		return nil, err
	}
	used := map[string]bool{}
	for id, m := range mentions {
		for _, k := range m.Keys {
			used[k] = true
		}
		if len(m.Form) > 0 {
			var f application.Form
			if err := json.Unmarshal(m.Form, &f); err != nil {
				return nil, fmt.Errorf("casework: form of application %d: %w", id, err)
			}
			if f.PhotoKey != "" {
				used[f.PhotoKey] = true
			}
		}
		for _, data := range m.Notices {
			var c noticeContent
			if err := json.Unmarshal(data, &c); err != nil {
				return nil, fmt.Errorf("casework: notice of application %d: %w", id, err)
			}
			if c.PhotoKey != "" {
				used[c.PhotoKey] = true
			}
		}
	}
	return used, nil
}

// WeldPhotoFolder holds the photos of 焊工报名 (SaveWeldPhoto), for the
// file sweep to list. Unlike an application's files, a photo is written
// while its form is still being typed, before any registration exists:
// the key says nothing of who names it, so WeldPhotosInUse asks the
// registrations.
const WeldPhotoFolder = weldPhotoPrefix

// IsWeldPhoto tells a key in the layout of SaveWeldPhoto:
// weld-registrations/photo-<hash>-<random>.<ext>, directly in the folder.
func IsWeldPhoto(key string) bool {
	name, ok := strings.CutPrefix(key, weldPhotoPrefix)
	return ok && strings.HasPrefix(name, "photo-") && !strings.Contains(name, "/")
}

// WeldPhotosInUse is the set of the given weld photo keys (at most
// store.MaxFileMentions) that a registration's form names: the photo of
// a registration submitted, or the one its last 修改 saved. A photo of a
// form given up, or one a 修改 replaced, is named by none. The forms of
// registrations kept from before their photo was indexed are read first
// and indexed (store.IndexWeldPhotos); a form it cannot read is an error,
// never an empty answer: the sweep deletes what is not named.
func (s *Service) WeldPhotosInUse(ctx context.Context, keys []string) (map[string]bool, error) {
	read, err := s.store.IndexWeldPhotos(ctx, func(form []byte) (string, error) {
		var f weldexam.Registration
		err := json.Unmarshal(form, &f)
		return f.PhotoKey, err
	})
	if err != nil {
		return nil, err
	}
	used, err := s.store.WeldPhotosNamed(ctx, keys)
	if err != nil {
		return nil, err
	}
	for _, k := range read {
		used[k] = true
	}
	return used, nil
}
