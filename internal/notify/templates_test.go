package notify_test

import (
	"context"
	"maps"
	"slices"
	"strings"
	"testing"

	"opcert/internal/notify"
	"opcert/internal/store"
	"opcert/internal/store/storetest"
)

func TestValidateTemplate(t *testing.T) {
	for _, c := range []struct {
		body, err string // err: part of the admin's message; empty: valid
	}{
		{"您的申请（申请号 {申请号}）已由{受理机关}受理。", ""},
		{"{事项}{状态}{期限}{理由}", ""},
		{"没有占位符的通知", ""},
		{strings.Repeat("字", notify.MaxTemplateLength), ""},
		{strings.Repeat("字", notify.MaxTemplateLength+1), "不能超过 300 个字（现为 301 个字）"},
		{"", "不能为空"},
		{"  \n ", "不能为空"},
		{"您好{姓名}", "不认识的占位符“{姓名}”"},
		{"{申请号", "缺少右括号"},
		{"申请号}已受理", "缺少对应的左括号"},
		{"{申{请号}", "不认识的占位符"},
		{"{}", "不认识的占位符“{}”"},
		{"申请号｛申请号｝", "半角"},
		{"\xff", "无法识别"},
	} {
		err := notify.ValidateTemplate(c.body)
		switch {
		case c.err == "" && err != nil:
			t.Errorf("%q: %v", c.body, err)
		case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)):
			t.Errorf("%q: %v, want %q", c.body, err, c.err)
		}
	}
}

func TestValidateTopicTemplate(t *testing.T) {
	for _, c := range []struct{ topic, body, err string }{
		{"not_accepted", "不予受理：{理由}", ""},
		{"correction", "请于{期限}前补正", ""},
		{"accepted", "{状态}：{申请号}", ""},
		{"accepted", "理由：{理由}", "“已受理”短信中不能使用占位符“{理由}”"},
		{"abandoned", "{事项}视为放弃", "不能使用占位符“{事项}”"},
		{"sms_code", "验证码", "没有“sms_code”这种短信"},
		{"accepted", "{姓名}", "不认识的占位符"},
	} {
		err := notify.ValidateTopicTemplate(c.topic, c.body)
		switch {
		case c.err == "" && err != nil:
			t.Errorf("%s %q: %v", c.topic, c.body, err)
		case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)):
			t.Errorf("%s %q: %v, want %q", c.topic, c.body, err, c.err)
		}
	}
}

func TestRender(t *testing.T) {
	vars := map[string]string{"申请号": "261122000001", "受理机关": "徐汇区市场监督管理局", "期限": "2026年12月1日", "理由": "材料不全{期限}"}
	for _, c := range []struct{ body, want, err string }{
		{"申请号 {申请号}，{受理机关}", "申请号 261122000001，徐汇区市场监督管理局", ""},
		{"{申请号}{申请号}", "261122000001261122000001", ""},
		{"理由：{理由}", "理由：材料不全{期限}", ""}, // a value is not a template
		{"无占位符", "无占位符", ""},
		{"{事项}", "", "占位符“{事项}”没有内容"},
		{"{姓名}", "", "不认识的占位符"},
		{strings.Repeat("长", 301), "", "不能超过"},
	} {
		got, err := notify.Render(c.body, vars)
		switch {
		case c.err == "" && (err != nil || got != c.want):
			t.Errorf("%q: %q %v, want %q", c.body, got, err, c.want)
		case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)):
			t.Errorf("%q: %v, want %q", c.body, err, c.err)
		}
	}
}

func TestDefaults(t *testing.T) {
	if got := slices.Sorted(maps.Keys(notify.Defaults)); !slices.Equal(got, slices.Sorted(slices.Values(notify.Topics))) ||
		!slices.Equal(got, slices.Sorted(maps.Keys(notify.TopicPlaceholders))) {
		t.Fatalf("topics differ: %v", got)
	}
	for _, topic := range notify.Topics {
		if err := notify.ValidateTopicTemplate(topic, notify.Defaults[topic]); err != nil {
			t.Errorf("default %s: %v", topic, err)
		}
		for _, p := range notify.TopicPlaceholders[topic] {
			if !slices.Contains(notify.Placeholders, p) {
				t.Errorf("%s: %s is not a placeholder", topic, p)
			}
		}
	}
	if _, ok := notify.Defaults["sms_code"]; ok {
		t.Error("the login code must not be templated")
	}
}

// Migration 0005 seeds the templates with the built-in texts.
func TestSeededTemplatesAreTheDefaults(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		stored, err := db.SMSTemplates(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if !maps.Equal(stored, notify.Defaults) {
			for _, topic := range notify.Topics {
				if stored[topic] != notify.Defaults[topic] {
					t.Errorf("%s: seeded %q, default %q", topic, stored[topic], notify.Defaults[topic])
				}
			}
			t.Fatalf("%d seeded, %d defaults", len(stored), len(notify.Defaults))
		}
	})
}

func TestMessage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		vars := map[string]string{"申请号": "261122000001", "事项": "复审", "受理机关": "徐汇区市场监督管理局"}
		// The seeded text.
		if got := notify.Message(ctx, db, "accepted", vars); !strings.Contains(got, "（申请号 261122000001）已由徐汇区市场监督管理局受理") {
			t.Fatalf("seeded: %q", got)
		}
		// An admin's text, with {状态} filled from the topic.
		if err := db.PutSMSTemplate(ctx, "accepted", "【测试】{申请号}{状态}", 0); err != nil {
			t.Fatal(err)
		}
		if got := notify.Message(ctx, db, "accepted", vars); got != "【测试】261122000001已受理" {
			t.Fatalf("edited: %q", got)
		}
		// A text needing a value this change does not have: the default.
		if err := db.PutSMSTemplate(ctx, "accepted", "理由：{理由}", 0); err != nil {
			t.Fatal(err)
		}
		if got := notify.Message(ctx, db, "accepted", vars); got != "【特种设备作业人员资格认定】您的申请（申请号 261122000001）已由徐汇区市场监督管理局受理。" {
			t.Fatalf("fallback: %q", got)
		}
		// Not a topic with a message (the login code's text stays in code).
		if got := notify.Message(ctx, db, "sms_code", vars); got != "" {
			t.Fatalf("sms_code: %q", got)
		}
		// Even the default missing a value still says what happened.
		if got := notify.Message(ctx, db, "correction", vars); !strings.Contains(got, "需要补正材料") {
			t.Fatalf("no deadline: %q", got)
		}
		if vars["状态"] != "" {
			t.Fatal("Message changed the caller's map")
		}
	})
}
