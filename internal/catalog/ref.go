package catalog

import (
	"database/sql/driver"
	"fmt"
	"strings"
)

// ItemRef identifies the item of one certificate line in its own edition's
// numbering. A certificate awaiting 复审 still lists 2011 items, renewed ones
// list 2019 items, and the codes overlap (SOURCES §2 warning: old Q2 is not
// new Q2), so the edition is part of the identity and of every stored form:
// "2019:Q2(限流动式起重机)", "2011:Q8", "2019:金属焊接操作".
//
// The zero ItemRef means "not set". ItemRef is comparable; two refs are equal
// only when edition, code and limit all are.
type ItemRef struct {
	edition Edition
	code    string
	limit   Limit
}

// NewRef refers to a 2019 item (with its Q2 limit).
func NewRef(q Qualification) ItemRef {
	return ItemRef{edition: Edition2019, code: string(q.Code), limit: q.Limit}
}

// OldRef refers to a 2011 item.
func OldRef(c OldCode) ItemRef {
	return ItemRef{edition: Edition2011, code: string(c)}
}

// IsZero reports whether r is unset.
func (r ItemRef) IsZero() bool { return r == ItemRef{} }

// Edition is the catalogue the item belongs to; 0 for the zero ItemRef.
func (r ItemRef) Edition() Edition { return r.edition }

// New returns the 2019 qualification, or false for an old or unset ref.
func (r ItemRef) New() (Qualification, bool) {
	if r.edition != Edition2019 {
		return Qualification{}, false
	}
	return Qualification{Code: NewCode(r.code), Limit: r.limit}, true
}

// Old returns the 2011 code, or false for a new or unset ref.
func (r ItemRef) Old() (OldCode, bool) {
	if r.edition != Edition2011 {
		return "", false
	}
	return OldCode(r.code), true
}

// String is the stored form "2019:Q2(限流动式起重机)" / "2011:Q8"; "" when unset.
func (r ItemRef) String() string {
	if r.IsZero() {
		return ""
	}
	if q, ok := r.New(); ok {
		return r.edition.String() + ":" + q.String()
	}
	return r.edition.String() + ":" + r.code
}

// ParseItemRef reads the form [ItemRef.String] writes and checks the item
// against the embedded catalogue. See [Catalog.ParseItemRef].
func ParseItemRef(s string) (ItemRef, error) { return Default().ParseItemRef(s) }

// ParseItemRef reads "2019:Q2(限流动式起重机)" or "2011:Q8". The edition prefix
// is required: a bare "Q2" is exactly the ambiguity ItemRef exists to remove.
func (c *Catalog) ParseItemRef(s string) (ItemRef, error) {
	ed, rest, ok := strings.Cut(strings.TrimSpace(s), ":")
	if !ok {
		return ItemRef{}, fmt.Errorf("项目标识应带目录版本，如“2019:Q2(限流动式起重机)”或“2011:Q8”：%q", s)
	}
	e, err := ParseEdition(ed)
	if err != nil {
		return ItemRef{}, err
	}
	if e == Edition2011 {
		oc, err := c.ParseOldCode(rest)
		if err != nil {
			return ItemRef{}, err
		}
		return OldRef(oc), nil
	}
	q, err := c.ParseQualification(rest)
	if err != nil {
		return ItemRef{}, err
	}
	return NewRef(q), nil
}

// MarshalText writes [ItemRef.String], so JSON and form values carry the edition.
func (r ItemRef) MarshalText() ([]byte, error) { return []byte(r.String()), nil }

// UnmarshalText reads [ItemRef.String]; empty text is the zero ItemRef.
func (r *ItemRef) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*r = ItemRef{}
		return nil
	}
	p, err := ParseItemRef(string(b))
	if err != nil {
		return err
	}
	*r = p
	return nil
}

// Value stores the ref as its text form in a TEXT column, readable in SQL
// and the same on SQLite and PostgreSQL; the zero ref is NULL.
func (r ItemRef) Value() (driver.Value, error) {
	if r.IsZero() {
		return nil, nil
	}
	return r.String(), nil
}

// Scan reads a ref stored by [ItemRef.Value] from either database. Unknown
// items are an error rather than a silent blank line on a certificate.
func (r *ItemRef) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*r = ItemRef{}
		return nil
	case string:
		return r.UnmarshalText([]byte(v))
	case []byte:
		return r.UnmarshalText(v)
	}
	return fmt.Errorf("catalog: cannot scan %T into ItemRef", src)
}
