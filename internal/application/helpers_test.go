package application

import (
	"strings"
	"testing"

	"opcert/internal/catalog"
	"opcert/internal/civil"
	"opcert/internal/registry"
)

func d(s string) civil.Date { return civil.MustParse(s) }

func q(s string) catalog.Qualification {
	v, err := catalog.ParseQualification(s)
	if err != nil {
		panic(err)
	}
	return v
}

func oldRef(code string) catalog.ItemRef { return catalog.OldRef(catalog.OldCode(code)) }

func newRef(s string) catalog.ItemRef { return catalog.NewRef(q(s)) }

// item is a certificate line valid for four years up to until.
func item(ref catalog.ItemRef, until string) registry.Item {
	u := d(until)
	return registry.Item{Ref: ref, IssuedBy: "徐汇区市场监督管理局", ApprovedOn: u.AddYears(-4).AddDays(1), ValidUntil: u, Status: registry.ItemValid}
}

func joinProblems(ps []Problem) string {
	var b strings.Builder
	for i, p := range ps {
		if i > 0 {
			b.WriteString("；")
		}
		b.WriteString(p.Message)
	}
	return b.String()
}

func fields(ps []Problem) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Field)
	}
	return out
}

// wantProblems checks that ps holds exactly the wanted fields, and that
// each message contains its wanted fragment.
func wantProblems(t *testing.T, ps []Problem, want map[string]string) {
	t.Helper()
	if len(ps) != len(want) {
		t.Fatalf("problems %q (%s), want fields %v", fields(ps), joinProblems(ps), want)
	}
	for _, p := range ps {
		frag, ok := want[p.Field]
		if !ok {
			t.Fatalf("unexpected problem %s: %s (all: %s)", p.Field, p.Message, joinProblems(ps))
		}
		if !strings.Contains(p.Message, frag) {
			t.Errorf("problem %s = %q, want it to contain %q", p.Field, p.Message, frag)
		}
	}
}

// scopedItem gives a line the scope printed on it.
func scopedItem(it registry.Item, scope string) registry.Item { it.Scope = scope; return it }
