package notify

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode/utf8"

	"opcert/internal/application"
	"opcert/internal/store"
)

// Placeholders a template may use.
var Placeholders = []string{"{申请号}", "{事项}", "{受理机关}", "{期限}", "{状态}", "{理由}", "{期限类别}", "{考试安排}", "{项目}", "{有效期至}", "{报名序号}", "{单位名称}"}

// MaxTemplateLength keeps a message within a few SMS segments.
const MaxTemplateLength = 300

// Topics are the state changes that send a message, in an application's
// order of life. The login code (topic sms_code) is not among them: its
// text is security wording that stays in code (auth.SMSCodeMessage).
var Topics = []string{
	"submitted", "withdrawn", "correction", "resubmitted", "accepted", "examining", "exam_scheduled", "exam_waitlisted", "exam_recorded", "exam_failed", "not_accepted",
	"reviewed", "approved", "denied", "awaiting_collection", "completed", "abandoned", "transferred", "draft_expired",
	TopicDeadlineChanged, TopicExpiryReminder, TopicDraftExpiring, TopicWeldScheduled,
	TopicUnitApproved, TopicUnitRefused,
}

// Reminders: a holder's item nearing 有效期至, and a draft about to be
// deleted.
const (
	TopicExpiryReminder = "expiry_reminder"
	TopicDraftExpiring  = "draft_expiring"
)

// TopicWeldScheduled tells a welder registrant their seats: the 准考证 can
// be printed from the registration (seed 000 四; 2.1 注1 for the ticket).
const TopicWeldScheduled = "weld_scheduled"

// A 单位 registration's 审核 decided: the 单位 is told at its 联系电话 when
// that is a mobile.
const (
	TopicUnitApproved = "unit_approved"
	TopicUnitRefused  = "unit_refused"
)

// TopicDeadlineChanged is the message sent when a provisional (暂定)
// deadline moves because the year it reached has been imported.
const TopicDeadlineChanged = "deadline_changed"

// TopicLabel names a topic for the admin: the status it announces, or what
// else it tells.
func TopicLabel(topic string) string {
	switch topic {
	case TopicDeadlineChanged:
		return "期限调整（导入节假日安排后）"
	case "resubmitted":
		return "补正后再次提交"
	case "exam_scheduled":
		return "安排考试（准考证）"
	case "exam_waitlisted":
		return "考试候补"
	case "exam_recorded":
		return "录入考试成绩"
	case "exam_failed":
		return "考试不合格"
	case "transferred":
		return "转办"
	case TopicExpiryReminder:
		return "证书项目到期提醒（到期前3个月、1个月）"
	case TopicDraftExpiring:
		return "暂存申请即将删除提醒（删除前3天）"
	case TopicWeldScheduled:
		return "焊工考试安排（准考证）"
	case TopicUnitApproved:
		return "单位注册审核通过"
	case TopicUnitRefused:
		return "单位注册审核不通过"
	}
	return application.Status(topic).Label()
}

// Defaults are the built-in texts of each state change (seed 000 3.5:
// 受理机关在材料预审、受理、审批时会有相应的短信息). Migration 0005 stores the same
// texts as the editable templates; these remain for a database migrated
// before the templates were seeded and for a stored text that no longer
// renders.
var Defaults = map[string]string{
	"submitted":           "【特种设备作业人员资格认定】您的{事项}申请（申请号 {申请号}）已提交，受理机构：{受理机关}，将于{期限}前决定是否受理。可在“办件查询”查看办理进度。",
	"withdrawn":           "【特种设备作业人员资格认定】您的申请（申请号 {申请号}）已撤回。如需办理，请重新申请。",
	"resubmitted":         "【特种设备作业人员资格认定】您的申请（申请号 {申请号}）已补正并再次提交，{受理机关}将于{期限}前决定是否受理。",
	"exam_scheduled":      "【特种设备作业人员资格认定】您的申请（申请号 {申请号}）已安排考试：{考试安排}。请登录网上办事系统，在“办件查询”的考试安排中打印准考证。",
	"exam_waitlisted":     "【特种设备作业人员资格认定】您的申请（申请号 {申请号}）考试场次已满，已列入候补：{考试安排}。有座位或新场次时将为您安排并短信通知。",
	"exam_recorded":       "【特种设备作业人员资格认定】您的申请（申请号 {申请号}）已录入考试成绩，{受理机关}将于{期限}前作出是否准予许可的决定。",
	"exam_failed":         "【特种设备作业人员资格认定】您的申请（申请号 {申请号}）考试成绩已录入：{理由}。详情可在“办件查询”查看。",
	"transferred":         "【特种设备作业人员资格认定】您的申请（申请号 {申请号}）已转由{受理机关}办理，原因：{理由}。",
	"draft_expired":       "【特种设备作业人员资格认定】您暂存的{事项}申请超过15天未提交，已按规定删除。如需办理，请重新申请。",
	"correction":          "【特种设备作业人员资格认定】您的申请（申请号 {申请号}）需要补正材料，请于{期限}前登录网上办事系统查看补正告知书并补正。",
	"accepted":            "【特种设备作业人员资格认定】您的申请（申请号 {申请号}）已由{受理机关}受理。",
	"examining":           "【特种设备作业人员资格认定】您的申请（申请号 {申请号}）已由{受理机关}受理。{考试安排}",
	"not_accepted":        "【特种设备作业人员资格认定】您的申请（申请号 {申请号}）不予受理，理由：{理由}。",
	"reviewed":            "【特种设备作业人员资格认定】您的申请（申请号 {申请号}）已由{受理机关}审核，待作出是否准予许可的决定。",
	"approved":            "【特种设备作业人员资格认定】您的申请（申请号 {申请号}）准予许可，请登录网上办事系统下载决定书。",
	"denied":              "【特种设备作业人员资格认定】您的申请（申请号 {申请号}）不予许可，理由：{理由}。",
	"awaiting_collection": "【特种设备作业人员资格认定】您的证书（申请号 {申请号}）已制作完成，待领取。",
	"completed":           "【特种设备作业人员资格认定】您的申请（申请号 {申请号}）已办结。",
	"abandoned":           "【特种设备作业人员资格认定】您的申请（申请号 {申请号}）未在补正期限{期限}前补正，视为放弃行政许可申请。",
	TopicDeadlineChanged:  "【特种设备作业人员资格认定】国务院办公厅已公布节假日安排，您的申请（申请号 {申请号}）的{期限类别}调整为{期限}。",
	TopicExpiryReminder:   "【特种设备作业人员资格认定】您的{项目}证书项目将于{有效期至}到期。需继续从事该作业的，请在到期前登录网上办事系统申请复审。",
	TopicDraftExpiring:    "【特种设备作业人员资格认定】您暂存的{事项}申请尚未提交，将于{期限}按规定删除。如需办理，请在此之前登录网上办事系统提交。",
	TopicWeldScheduled:    weldScheduled,
	TopicUnitApproved:     "【特种设备作业人员资格认定】{单位名称}的单位账号注册已审核通过，请使用统一社会信用代码登录单位工作台。",
	TopicUnitRefused:      "【特种设备作业人员资格认定】{单位名称}的单位账号注册审核不通过，理由：{理由}。请登录单位工作台更正后重新提交。",
}

const weldScheduled = "【特种设备作业人员资格认定】您的焊工考试报名（报名序号 {报名序号}）已安排考试：{考试安排}。请在焊工考试报名页面点“修改”，凭短信验证码查看考试安排并打印准考证。"

// TopicPlaceholders are the placeholders each state change has values for:
// what the officer's action, the submission and the 补正 job pass, plus
// {状态}, which Message fills from the topic. A template using another one
// would fall back to the default text when sent.
var TopicPlaceholders = map[string][]string{
	"submitted":           {"{申请号}", "{事项}", "{受理机关}", "{期限}", "{状态}"},
	"withdrawn":           {"{申请号}", "{事项}", "{受理机关}", "{状态}"},
	"resubmitted":         {"{申请号}", "{事项}", "{受理机关}", "{期限}", "{状态}"},
	"exam_scheduled":      {"{申请号}", "{事项}", "{考试安排}", "{状态}"},
	"exam_waitlisted":     {"{申请号}", "{事项}", "{考试安排}", "{状态}"},
	"exam_recorded":       {"{申请号}", "{事项}", "{受理机关}", "{期限}", "{状态}"},
	"exam_failed":         {"{申请号}", "{事项}", "{受理机关}", "{理由}", "{状态}"},
	"transferred":         {"{申请号}", "{事项}", "{受理机关}", "{理由}", "{状态}"},
	"draft_expired":       {"{事项}", "{状态}"},
	"correction":          {"{申请号}", "{事项}", "{受理机关}", "{期限}", "{状态}"},
	"accepted":            {"{申请号}", "{事项}", "{受理机关}", "{状态}"},
	"examining":           {"{申请号}", "{事项}", "{受理机关}", "{考试安排}", "{状态}"},
	"not_accepted":        {"{申请号}", "{事项}", "{受理机关}", "{理由}", "{状态}"},
	"reviewed":            {"{申请号}", "{事项}", "{受理机关}", "{状态}"},
	"approved":            {"{申请号}", "{事项}", "{受理机关}", "{状态}"},
	"denied":              {"{申请号}", "{事项}", "{受理机关}", "{理由}", "{状态}"},
	"awaiting_collection": {"{申请号}", "{事项}", "{受理机关}", "{状态}"},
	"completed":           {"{申请号}", "{事项}", "{受理机关}", "{状态}"},
	"abandoned":           {"{申请号}", "{期限}", "{状态}"},
	TopicDeadlineChanged:  {"{申请号}", "{事项}", "{受理机关}", "{期限}", "{期限类别}"},
	TopicExpiryReminder:   {"{项目}", "{有效期至}"},
	TopicDraftExpiring:    {"{事项}", "{期限}"},
	TopicWeldScheduled:    {"{报名序号}", "{考试安排}"},
	TopicUnitApproved:     {"{单位名称}"},
	TopicUnitRefused:      {"{单位名称}", "{理由}"},
}

// segment is a piece of a parsed template: literal text, or a placeholder
// name without its braces.
type segment struct {
	text        string
	placeholder bool
}

// parse splits a template, refusing what an admin would not mean: unknown
// placeholders and unmatched braces. The errors are shown to the admin.
func parse(body string) ([]segment, error) {
	if strings.TrimSpace(body) == "" {
		return nil, errors.New("短信内容不能为空")
	}
	if !utf8.ValidString(body) {
		return nil, errors.New("短信内容含有无法识别的字符")
	}
	if n := utf8.RuneCountInString(body); n > MaxTemplateLength {
		return nil, fmt.Errorf("短信内容不能超过 %d 个字（现为 %d 个字）", MaxTemplateLength, n)
	}
	if strings.ContainsAny(body, "｛｝") {
		// A Chinese input method types full-width braces, which would
		// reach the applicant as they are.
		return nil, errors.New("占位符请用半角大括号，如 {申请号}，不要用全角的“｛ ｝”")
	}
	var out []segment
	rest := body
	for rest != "" {
		lb, rb := strings.IndexByte(rest, '{'), strings.IndexByte(rest, '}')
		switch {
		case lb < 0 && rb < 0:
			return append(out, segment{text: rest}), nil
		case rb >= 0 && (lb < 0 || rb < lb):
			return nil, fmt.Errorf("“%s”中的右括号“}”缺少对应的左括号“{”", around(rest, rb))
		case rb < 0:
			return nil, fmt.Errorf("占位符“%s”缺少右括号“}”", rest[lb:])
		}
		ph := rest[lb : rb+1]
		if !slices.Contains(Placeholders, ph) {
			return nil, fmt.Errorf("不认识的占位符“%s”，可用的有：%s", ph, strings.Join(Placeholders, "、"))
		}
		if lb > 0 {
			out = append(out, segment{text: rest[:lb]})
		}
		out = append(out, segment{text: ph[1 : len(ph)-1], placeholder: true})
		rest = rest[rb+1:]
	}
	return out, nil
}

// around is a few characters before byte offset i of s, to show where a
// stray brace is.
func around(s string, i int) string {
	r := []rune(s[:i+1])
	if len(r) > 10 {
		r = r[len(r)-10:]
	}
	return string(r)
}

// ValidateTemplate checks an admin's template: not empty, at most
// MaxTemplateLength characters, known placeholders only, braces matched.
func ValidateTemplate(body string) error {
	_, err := parse(body)
	return err
}

// ValidateTopicTemplate is ValidateTemplate plus the placeholders the topic
// has values for, so that the admin learns at once that, say, {理由} means
// nothing in the message of 受理.
func ValidateTopicTemplate(topic, body string) error {
	allowed, ok := TopicPlaceholders[topic]
	if !ok {
		return fmt.Errorf("没有“%s”这种短信", topic)
	}
	segs, err := parse(body)
	if err != nil {
		return err
	}
	for _, s := range segs {
		if s.placeholder && !slices.Contains(allowed, "{"+s.text+"}") {
			return fmt.Errorf("“%s”短信中不能使用占位符“{%s}”，可用的有：%s",
				TopicLabel(topic), s.text, strings.Join(allowed, "、"))
		}
	}
	return nil
}

// Render fills a template. It refuses a template ValidateTemplate refuses
// and a placeholder without a value, rather than send a message with a gap.
// Values are inserted as they are: a value holding "{期限}" stays literal.
func Render(body string, vars map[string]string) (string, error) {
	segs, err := parse(body)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	for _, s := range segs {
		if !s.placeholder {
			b.WriteString(s.text)
			continue
		}
		v := vars[s.text]
		if strings.TrimSpace(v) == "" {
			return "", fmt.Errorf("占位符“{%s}”没有内容", s.text)
		}
		b.WriteString(v)
	}
	return b.String(), nil
}

// renderLoose fills what it can and leaves the rest empty: the last resort
// of Message, since a state change is saved whatever its message says.
func renderLoose(body string, vars map[string]string) string {
	segs, err := parse(body)
	if err != nil {
		return ""
	}
	var b strings.Builder
	for _, s := range segs {
		if s.placeholder {
			b.WriteString(vars[s.text])
		} else {
			b.WriteString(s.text)
		}
	}
	return b.String()
}

// Message is the text of a state change: the admin's template for the
// topic, or the built-in one when there is none or it does not render with
// these values. {状态} is the label of the topic unless vars say otherwise.
// It is empty for a topic that sends no message.
func Message(ctx context.Context, db *store.DB, topic string, vars map[string]string) string {
	return Renderer(ctx, db, topic)(vars)
}

// Renderer reads the topic's template now and returns what fills it later,
// as Message does: for a message whose values are known only inside a
// transaction (the 申请号 given on the first 提交).
func Renderer(ctx context.Context, db *store.DB, topic string) func(vars map[string]string) string {
	def, ok := Defaults[topic]
	if !ok {
		return func(map[string]string) string { return "" }
	}
	var stored string
	if t, err := db.SMSTemplate(ctx, topic); err == nil {
		stored = t.Body
	}
	return func(vars map[string]string) string {
		vars = maps.Clone(vars)
		if vars == nil {
			vars = map[string]string{}
		}
		if vars["状态"] == "" {
			vars["状态"] = TopicLabel(topic)
		}
		if stored != "" {
			if out, err := Render(stored, vars); err == nil {
				return out
			}
		}
		if out, err := Render(def, vars); err == nil {
			return out
		}
		return renderLoose(def, vars)
	}
}
