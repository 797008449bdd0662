package casework

import (
	"strings"
	"testing"
)

func TestFileKeys(t *testing.T) {
	a, b := fileKey(42, "notices/7-abcd", "pdf"), fileKey(42, "notices/7-abcd", "pdf")
	if a == b {
		t.Errorf("two keys for the same content are equal: %s", a)
	}
	if !strings.HasPrefix(a, "applications/42/notices/7-abcd-") || !strings.HasSuffix(a, ".pdf") {
		t.Errorf("key %s", a)
	}
	if id, ok := ApplicationOfFile(a); !ok || id != 42 {
		t.Errorf("ApplicationOfFile(%s) = %d, %v", a, id, ok)
	}
	for _, k := range []string{"applications/42", "applications//x", "applications/0/x", "applications/042/x", "applications/-1/x",
		"applications/2026-12-06/a.pdf", "applications/x/a", "other/42/a.pdf", "applications/99999999999999999999/a"} {
		if id, ok := ApplicationOfFile(k); ok {
			t.Errorf("ApplicationOfFile(%q) = %d, want none", k, id)
		}
	}
}

// The sweep considers only keys in the layout of SaveWeldPhoto.
func TestWeldPhotoKeys(t *testing.T) {
	a, b := weldPhotoKey("0123456789abcdef", "jpg"), weldPhotoKey("0123456789abcdef", "jpg")
	if a == b || !IsWeldPhoto(a) || !strings.HasPrefix(a, WeldPhotoFolder) {
		t.Errorf("keys %s %s", a, b)
	}
	for _, k := range []string{"weld-registrations/", "weld-registrations/notes.txt", "weld-registrations/x/photo-a.jpg",
		"weld-registrations/photo-a/b.jpg", "applications/1/photo-a.jpg", "weld-registrationsphoto-a.jpg"} {
		if IsWeldPhoto(k) {
			t.Errorf("IsWeldPhoto(%q)", k)
		}
	}
}
