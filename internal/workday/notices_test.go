package workday

import (
	"testing"
	"time"

	"opcert/internal/civil"
)

// notice is one 国务院办公厅 节假日安排通知, typed in by hand from the
// published text, independently of the lunar-go-generated data files.
type notice struct {
	doc  string
	off  [][2]string // inclusive ranges of days off ("放假调休")
	work []string    // weekend days made working days ("上班")
}

var notices = []notice{
	{
		// 2020: 国办发明电〔2019〕16号 set 春节 at 1月24日至30日 with 2月1日
		// (星期六) working; 国办发明电〔2020〕1号 then extended 春节 to
		// 2月2日, so 2月1日 became a day off. The data follows the extension.
		doc: "国办发明电〔2019〕16号 + 国办发明电〔2020〕1号",
		off: [][2]string{
			{"2020-01-01", "2020-01-01"}, {"2020-01-24", "2020-02-02"}, {"2020-04-04", "2020-04-06"},
			{"2020-05-01", "2020-05-05"}, {"2020-06-25", "2020-06-27"}, {"2020-10-01", "2020-10-08"},
		},
		work: []string{"2020-01-19", "2020-04-26", "2020-05-09", "2020-06-28", "2020-09-27", "2020-10-10"},
	},
	{
		doc: "国办发明电〔2020〕27号",
		off: [][2]string{
			{"2021-01-01", "2021-01-03"}, {"2021-02-11", "2021-02-17"}, {"2021-04-03", "2021-04-05"},
			{"2021-05-01", "2021-05-05"}, {"2021-06-12", "2021-06-14"}, {"2021-09-19", "2021-09-21"},
			{"2021-10-01", "2021-10-07"},
		},
		work: []string{"2021-02-07", "2021-02-20", "2021-04-25", "2021-05-08", "2021-09-18", "2021-09-26", "2021-10-09"},
	},
	{
		doc: "国办发明电〔2021〕11号",
		off: [][2]string{
			{"2022-01-01", "2022-01-03"}, {"2022-01-31", "2022-02-06"}, {"2022-04-03", "2022-04-05"},
			{"2022-04-30", "2022-05-04"}, {"2022-06-03", "2022-06-05"}, {"2022-09-10", "2022-09-12"},
			{"2022-10-01", "2022-10-07"},
		},
		work: []string{"2022-01-29", "2022-01-30", "2022-04-02", "2022-04-24", "2022-05-07", "2022-10-08", "2022-10-09"},
	},
	{
		// 元旦 of 2023 starts in 2022: 2022年12月31日至2023年1月2日.
		doc: "国办发明电〔2022〕16号",
		off: [][2]string{
			{"2022-12-31", "2023-01-02"}, {"2023-01-21", "2023-01-27"}, {"2023-04-05", "2023-04-05"},
			{"2023-04-29", "2023-05-03"}, {"2023-06-22", "2023-06-24"}, {"2023-09-29", "2023-10-06"},
		},
		work: []string{"2023-01-28", "2023-01-29", "2023-04-23", "2023-05-06", "2023-06-25", "2023-10-07", "2023-10-08"},
	},
	{
		// 元旦 and 端午 "放假，与周末连休": one weekday off each.
		doc: "国办发明电〔2023〕7号",
		off: [][2]string{
			{"2024-01-01", "2024-01-01"}, {"2024-02-10", "2024-02-17"}, {"2024-04-04", "2024-04-06"},
			{"2024-05-01", "2024-05-05"}, {"2024-06-10", "2024-06-10"}, {"2024-09-15", "2024-09-17"},
			{"2024-10-01", "2024-10-07"},
		},
		work: []string{"2024-02-04", "2024-02-18", "2024-04-07", "2024-04-28", "2024-05-11", "2024-09-14", "2024-09-29", "2024-10-12"},
	},
	{
		// First year under the 2024 revision of 《全国年节及纪念日放假办法》
		// (春节 and 劳动节 one day longer).
		doc: "国办发明电〔2024〕12号",
		off: [][2]string{
			{"2025-01-01", "2025-01-01"}, {"2025-01-28", "2025-02-04"}, {"2025-04-04", "2025-04-06"},
			{"2025-05-01", "2025-05-05"}, {"2025-05-31", "2025-06-02"}, {"2025-10-01", "2025-10-08"},
		},
		work: []string{"2025-01-26", "2025-02-08", "2025-04-27", "2025-09-28", "2025-10-11"},
	},
	{
		doc: "国办发明电〔2025〕7号",
		off: [][2]string{
			{"2026-01-01", "2026-01-03"}, {"2026-02-15", "2026-02-23"}, {"2026-04-04", "2026-04-06"},
			{"2026-05-01", "2026-05-05"}, {"2026-06-19", "2026-06-21"}, {"2026-09-25", "2026-09-27"},
			{"2026-10-01", "2026-10-07"},
		},
		work: []string{"2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"},
	},
}

// TestEmbeddedDataMatchesNotices checks every day of 2020–2026 in the
// embedded (lunar-go generated) data against the notices as published.
func TestEmbeddedDataMatchesNotices(t *testing.T) {
	off := map[civil.Date]string{}
	work := map[civil.Date]string{}
	for _, n := range notices {
		for _, r := range n.off {
			for d := civil.MustParse(r[0]); !d.After(civil.MustParse(r[1])); d = d.AddDays(1) {
				off[d] = n.doc
			}
		}
		for _, s := range n.work {
			d := civil.MustParse(s)
			if wd := d.Weekday(); wd != time.Saturday && wd != time.Sunday {
				t.Fatalf("test table: %s (%s) is a %v, not a weekend", s, n.doc, wd)
			}
			work[d] = n.doc
		}
	}
	c := Default()
	last := civil.MustParse("2026-12-31")
	for d := civil.MustParse("2020-01-01"); !d.After(last); d = d.AddDays(1) {
		wd := d.Weekday()
		want := wd != time.Saturday && wd != time.Sunday
		why := "ordinary " + wd.String()
		if doc, ok := off[d]; ok {
			want, why = false, "off per "+doc
		}
		if doc, ok := work[d]; ok {
			want, why = true, "调休 working day per "+doc
		}
		got, err := c.IsWorkday(d)
		if err != nil {
			t.Fatalf("IsWorkday(%s): %v", d, err)
		}
		if got != want {
			t.Errorf("IsWorkday(%s) = %v, want %v (%s)", d, got, want, why)
		}
	}
}

// TestData2026 spot-checks 国办发明电〔2025〕7号 in the names as well.
func TestData2026(t *testing.T) {
	y, ok := Default().Year(2026)
	if !ok {
		t.Fatal("no 2026 data")
	}
	var work []string
	for _, d := range y.Workdays {
		work = append(work, d.Date.String())
	}
	want := []string{"2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"}
	if len(work) != len(want) {
		t.Fatalf("2026 调休 working days = %v, want %v", work, want)
	}
	for i := range want {
		if work[i] != want[i] {
			t.Fatalf("2026 调休 working days = %v, want %v", work, want)
		}
	}
	names := map[string]string{}
	for _, d := range y.Holidays {
		names[d.Date.String()] = d.Name
	}
	for _, r := range []struct{ from, to, name string }{
		{"2026-01-01", "2026-01-03", "元旦"},
		{"2026-02-15", "2026-02-23", "春节"},
		{"2026-10-01", "2026-10-07", "国庆节"},
		{"2026-09-25", "2026-09-27", "中秋节"},
	} {
		for d := civil.MustParse(r.from); !d.After(civil.MustParse(r.to)); d = d.AddDays(1) {
			if names[d.String()] != r.name {
				t.Errorf("%s: name %q, want %q", d, names[d.String()], r.name)
			}
		}
	}
	if n, _ := Default().Holiday(civil.MustParse("2026-02-14")); n != "春节" {
		t.Errorf("Holiday(2026-02-14) = %q, want 春节 (调休上班)", n)
	}
	if y.Source == "" {
		t.Error("2026 data does not cite its notice")
	}
}

// TestData2020ExtendedSpringFestival pins the choice documented in
// data/README.md: 国办发明电〔2020〕1号 (the COVID extension) overrides the
// original 2020 notice.
func TestData2020ExtendedSpringFestival(t *testing.T) {
	c := Default()
	for _, tc := range []struct {
		day  string
		want bool
		why  string
	}{
		{"2020-01-19", true, "调休 Sunday of the original notice, already worked before the extension"},
		{"2020-01-31", false, "Friday added by the extension"},
		{"2020-02-01", false, "Saturday: was 调休上班 in 〔2019〕16号, cancelled by 〔2020〕1号"},
		{"2020-02-02", false, "last day of the extended holiday"},
		{"2020-02-03", true, "正常上班 per 〔2020〕1号"},
	} {
		got, err := c.IsWorkday(civil.MustParse(tc.day))
		if err != nil || got != tc.want {
			t.Errorf("IsWorkday(%s) = %v, %v; want %v (%s)", tc.day, got, err, tc.want, tc.why)
		}
	}
}
