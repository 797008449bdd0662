package archtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// The layers of the module, lowest first (DESIGN.md, Architecture): domain
// rules are plain Go over plain types; adapters put them in a database, a
// blob store or an SMS gateway; the use-case layer loads a case, decides and
// writes; web renders; the command wires everything. Every package of the
// module is listed, so a new one fails this test until it is given a layer.
var layers = []struct {
	name     string
	packages []string
}{
	{"foundation", []string{"civil", "testfixture"}}, // testfixture: sample uploads for tests and the load command
	{"domain", []string{"catalog", "idcheck", "workday", "weldcode", "registry", "authority", "enterprise",
		"application", "exam", "weldexam", "audit", "auth", "document", "upload", "importer", "elicence", "realname", "verify",
		"sealed"}},
	{"adapter", []string{"store", "blob", "notify", "metrics"}},
	{"use case", []string{"casework", "jobs", "demo"}},
	{"web", []string{"web"}},
	{"command", []string{"cmd/opcert", "config", "document/fonts/extract", "loadtest"}}, // config: the command's flags; loadtest: opcert load
	{"test support", []string{"store/storetest", "s3test", "e2e", "archtest"}},
}

// allowed lists, for each layer, the layers its packages may import: its own
// and those below it. Nothing imports upwards, and only tests (whose imports
// are not checked) use the test-support packages.
var allowed = map[string][]string{
	"foundation":   {"foundation"},
	"domain":       {"foundation", "domain"},
	"adapter":      {"foundation", "domain", "adapter"},
	"use case":     {"foundation", "domain", "adapter", "use case"},
	"web":          {"foundation", "domain", "adapter", "use case", "web"},
	"command":      {"foundation", "domain", "adapter", "use case", "web", "command"},
	"test support": {"foundation", "domain", "adapter", "use case", "test support"},
}

// forbidden names the imports that matter most, checked over every package
// a package depends on, directly or not, so the message names the rule even
// if the layers above are redrawn.
var forbidden = []struct {
	from      []string // packages, or a layer name in brackets
	mayNotUse []string
	why       string
}{
	{[]string{"[domain]", "[foundation]"}, []string{"store", "web", "casework", "jobs"},
		"domain rules are plain functions over plain types, with no SQL or HTTP inside"},
	{[]string{"store"}, []string{"web", "casework", "jobs"},
		"the store keeps data; what a change means is decided above it"},
	{[]string{"casework"}, []string{"web"},
		"web, jobs, the API and the exam system all call the use-case layer, which knows none of them"},
	{[]string{"[foundation]", "[domain]", "[adapter]", "[use case]", "[test support]"}, []string{"web"},
		"only the command serves the web handlers"},
}

type pkg struct {
	ImportPath string
	Imports    []string
	Deps       []string
}

const module = "opcert/"

// short turns opcert/internal/store into store and opcert/cmd/opcert into
// cmd/opcert; packages outside the module give "".
func short(path string) string {
	if !strings.HasPrefix(path, module) {
		return ""
	}
	return strings.TrimPrefix(strings.TrimPrefix(path, module), "internal/")
}

func TestPackageGraph(t *testing.T) {
	cmd := exec.Command("go", "list", "-json", "./...")
	cmd.Dir = "../.."
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	graph, err := decode(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(graph) < 20 {
		t.Fatalf("go list gave only %d packages", len(graph))
	}
	for _, v := range violations(graph) {
		t.Error(v)
	}
}

// TestPackageGraphRules feeds the rules a graph with one breach of each, so
// a rule that can never fire shows up here.
func TestPackageGraphRules(t *testing.T) {
	graph := []pkg{
		{ImportPath: "opcert/internal/catalog"},
		{ImportPath: "opcert/internal/store", Imports: []string{"opcert/internal/catalog", "opcert/internal/casework"}},
		{ImportPath: "opcert/internal/casework", Imports: []string{"opcert/internal/web"}},
		{ImportPath: "opcert/internal/registry", Deps: []string{"opcert/internal/jobs"}},
		{ImportPath: "opcert/internal/web", Imports: []string{"fmt", "opcert/internal/store"}},
		{ImportPath: "opcert/internal/unplaced"},
	}
	got := strings.Join(violations(graph), "\n")
	for _, want := range []string{
		"store (adapter) imports casework (use case)",
		"casework (use case) imports web (web)",
		"store depends on casework: the store keeps data",
		"casework depends on web: web, jobs",
		"registry depends on jobs: domain rules",
		"unplaced has no layer",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("no violation %q in:\n%s", want, got)
		}
	}
	if strings.Contains(got, "web (web) imports store") || strings.Contains(got, "catalog") {
		t.Errorf("allowed imports reported:\n%s", got)
	}
}

func decode(out []byte) ([]pkg, error) {
	var graph []pkg
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p pkg
		if err := dec.Decode(&p); err == io.EOF {
			return graph, nil
		} else if err != nil {
			return nil, err
		}
		graph = append(graph, p)
	}
}

func layerOf(name string) string {
	for _, l := range layers {
		if slices.Contains(l.packages, name) {
			return l.name
		}
	}
	return ""
}

func matches(from []string, name string) bool {
	return slices.Contains(from, name) || slices.Contains(from, "["+layerOf(name)+"]")
}

// violations checks the direct imports of every package against allowed,
// and everything it depends on against forbidden. Test files are not
// checked: a test may import what it needs.
func violations(graph []pkg) []string {
	var out []string
	for _, p := range graph {
		name := short(p.ImportPath)
		layer := layerOf(name)
		if layer == "" {
			out = append(out, fmt.Sprintf("%s has no layer: add it to the layers table", name))
			continue
		}
		for _, imp := range p.Imports {
			dep := short(imp)
			if dep == "" {
				continue
			}
			if l := layerOf(dep); l != "" && !slices.Contains(allowed[layer], l) {
				out = append(out, fmt.Sprintf("%s (%s) imports %s (%s)", name, layer, dep, l))
			}
		}
		for _, r := range forbidden {
			if !matches(r.from, name) {
				continue
			}
			for _, d := range append(slices.Clone(p.Imports), p.Deps...) {
				if dep := short(d); slices.Contains(r.mayNotUse, dep) {
					out = append(out, fmt.Sprintf("%s depends on %s: %s", name, dep, r.why))
				}
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}
