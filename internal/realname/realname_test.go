package realname

import (
	"context"
	"testing"
)

// All three must match the carrier's record: name, 证件号码 and mobile.
func TestEmbeddedMatchesAllThree(t *testing.T) {
	v := Embedded{Records: map[string]Record{"310104198203140012": {Name: "张伟", Mobile: "13800000001"}}}
	for _, c := range []struct {
		name, id, mobile string
		ok               bool
	}{
		{"张伟", "310104198203140012", "13800000001", true},
		{"张伟", "310104198203140012", "13900000009", false},
		{"李伟", "310104198203140012", "13800000001", false},
		{"张伟", "310104198203140020", "13800000001", false},
	} {
		ok, msg, err := v.MobileBelongsTo(context.Background(), c.name, c.id, c.mobile)
		if err != nil || ok != c.ok || (!ok && msg != Mismatch) {
			t.Errorf("%+v: %v %q %v", c, ok, msg, err)
		}
	}
	if ok, _, _ := (Embedded{}).MobileBelongsTo(context.Background(), "张伟", "310104198203140012", "13800000001"); ok {
		t.Error("a verifier without records confirmed someone")
	}
}
