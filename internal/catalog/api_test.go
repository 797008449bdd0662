package catalog

import (
	"encoding/json"
	"strings"
	"testing"
)

// The GET /api/v1/catalog body: every 2019 item (Q2 with its limits), every
// 换发 rule with names, and a pointer to the sources.
func TestAPIDocument(t *testing.T) {
	c := Default()
	b, err := json.Marshal(c.API())
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Editions []struct {
			Edition, Label string
		} `json:"editions"`
		Items []struct {
			Code   string `json:"code"`
			Name   string `json:"name"`
			Ref    string `json:"ref"`
			Limits []struct {
				Code, Name, Ref string
			} `json:"limits"`
		} `json:"items"`
		OldItems []struct {
			Code      string `json:"code"`
			Renewable bool   `json:"renewable"`
		} `json:"old_items"`
		Mapping []struct {
			OldCode string `json:"old_code"`
			OldName string `json:"old_name"`
			Kind    string `json:"kind"`
			Targets []struct {
				Code, Name, Ref string
			} `json:"targets"`
			OptionalExtra []struct{ Code string } `json:"optional_extra"`
			Reason        string                  `json:"reason"`
			Verification  string                  `json:"verification"`
		} `json:"mapping"`
		Districts []District `json:"districts"`
		Sources   struct {
			Document string `json:"document"`
		} `json:"sources"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}

	if len(doc.Editions) != 2 || doc.Editions[0].Label != "现行项目(TSG Z6001-2019)" {
		t.Errorf("editions = %+v", doc.Editions)
	}
	items := map[string]string{}
	for _, it := range doc.Items {
		items[it.Code] = it.Name
		if it.Code == "Q2" {
			if it.Ref != "" || len(it.Limits) != len(c.Limits()) {
				t.Errorf("Q2 ref %q, %d limits", it.Ref, len(it.Limits))
			}
			for _, l := range it.Limits {
				if _, err := ParseItemRef(l.Ref); err != nil || !strings.HasPrefix(l.Name, "起重机司机(限") {
					t.Errorf("Q2 limit %+v: %v", l, err)
				}
			}
		} else if it.Ref != "2019:"+it.Code {
			t.Errorf("item %s ref %q", it.Code, it.Ref)
		}
	}
	for _, it := range c.Items() {
		if items[string(it.Code)] != it.Name {
			t.Errorf("API items lack %s %s", it.Code, it.Name)
		}
	}
	if len(doc.Items) != 20 {
		t.Errorf("API has %d items, want 20", len(doc.Items))
	}

	if len(doc.OldItems) != len(c.OldItems()) || len(doc.Mapping) != len(c.OldItems()) {
		t.Fatalf("API has %d old items and %d mappings for %d old items", len(doc.OldItems), len(doc.Mapping), len(c.OldItems()))
	}
	for i, m := range doc.Mapping {
		want := c.Mappings()[i]
		if m.OldCode != string(want.Old) || m.OldName == "" || m.Kind != string(want.Kind) ||
			len(m.Targets) != len(want.Targets) || len(m.OptionalExtra) != len(want.OptionalExtra) ||
			m.Reason != want.Reason() || m.Verification == "" {
			t.Errorf("mapping[%d] = %+v, want %+v", i, m, want)
		}
		for _, tg := range m.Targets {
			if tg.Name == "" || !strings.HasPrefix(tg.Ref, "2019:") {
				t.Errorf("mapping %s target %+v", m.OldCode, tg)
			}
		}
	}
	js := string(b)
	for _, s := range []string{`"old_code":"Q8"`, `"code":"Q2(限流动式起重机)"`, `"name":"起重机司机(限流动式起重机)"`, `"kind":"choice"`, `"targets":[]`} {
		if !strings.Contains(js, s) {
			t.Errorf("API JSON lacks %s", s)
		}
	}
	if len(doc.Districts) != 16 || !strings.HasSuffix(doc.Sources.Document, "SOURCES.md") {
		t.Errorf("districts %d, sources %q", len(doc.Districts), doc.Sources.Document)
	}
}
