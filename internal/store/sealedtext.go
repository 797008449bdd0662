package store

import (
	"context"

	"opcert/internal/sealed"
)

// Whole texts are sealed where personal data sits inside a larger value: an
// application's form (证件号码, mobile, address, employer) and the content
// of the notices made from it. Nothing selects by what is inside them, so
// they need no HMAC column.

// sealText seals a text that holds personal data; "" stays "".
func (db *DB) sealText(ctx context.Context, plain string) (string, error) {
	if plain == "" {
		return "", nil
	}
	pk, err := db.personal(ctx)
	if err != nil {
		return "", err
	}
	return pk.seal(plain)
}

// openText opens a text sealText sealed. A text still in clear (a row
// written before its column was sealed, which the start-up pass has not
// reached yet) is returned as it is: it is a JSON document or a document
// number, never a "v1:" value.
func (db *DB) openText(ctx context.Context, v string) (string, error) {
	if !sealed.IsSealed(v) {
		return v, nil
	}
	return db.open(ctx, v)
}
