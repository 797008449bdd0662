package casework

import (
	"fmt"
	"strings"
	"unicode"

	"opcert/internal/application"
	"opcert/internal/document"
)

// printed is a field whose text goes onto the 申请表, a notice or the
// certificate.
type printed struct {
	target       string // what a 补正 must ask for the applicant to change it; "" for none
	field, label string
	text         string
}

// unprintable refuses, at its field, text with characters no font of the
// documents can draw (document.Undrawable). Refused where it is typed, the
// person can act on it; stored, it would fail every document that prints
// it, after the application was accepted. A rare character of a name
// (生僻字) the fonts lack is one the 受理机关 records by hand, so the message
// sends the person there; for anything else (an emoji, a symbol) it asks
// for plain text.
func unprintable(fields ...printed) []*Error {
	var out []*Error
	for _, p := range fields {
		rs := document.Undrawable(p.text)
		if len(rs) == 0 {
			continue
		}
		var rare, other []string
		for _, r := range rs {
			q := fmt.Sprintf("‘%c’(U+%04X)", r, r)
			if unicode.Is(unicode.Han, r) || unicode.Is(unicode.Co, r) {
				// A private-use character is how some systems and input
				// methods carry a rare character Unicode lacks.
				rare = append(rare, q)
			} else {
				other = append(other, q)
			}
		}
		var msg []string
		if len(rare) > 0 {
			msg = append(msg, strings.Join(rare, "、")+" 暂无法在证书和通知书上打印，请按身份证上的写法填写；确为生僻字的，请携带身份证到受理机关窗口办理")
		}
		if len(other) > 0 {
			msg = append(msg, strings.Join(other, "、")+" 无法在申请表、通知书和证书上打印，请删去或改用文字")
		}
		out = append(out, &Error{Code: Invalid, Field: p.field, Label: p.label, Message: strings.Join(msg, "。")})
	}
	return out
}

// formText is the text of a form the applicant typed that the documents
// print, with the 补正 target of each field.
func formText(f *application.Form) []printed {
	p, e := &f.Applicant, &f.Employer
	fields := []printed{
		{"", "name", "姓名", p.Name},
		{"field:education", "education", "学历", p.Education},
		{"field:title", "title", "技术职称", p.Title},
		{"field:school", "school", "毕业院校", p.School},
		{"field:major", "major", "专业", p.Major},
		{"field:household", "household_address", "户籍地址/居住证详细地址", p.HouseholdAddress},
		{"field:postcode", "postcode", "邮政编码", p.Postcode},
		{"field:mobile", "mobile", "移动电话", p.Mobile},
		{"field:work_history", "work_history", "工作经历", p.WorkHistory},
		{"field:employer", "employer_name", "单位名称", e.Name},
		{"field:employer", "credit_code", "统一社会信用代码", e.CreditCode},
		{"field:employer", "employer_address", "单位注册地址", e.Address},
		{"field:employer", "address_detail", "单位地址详细地址", e.AddressDetail},
	}
	for _, name := range f.Custom {
		fields = append(fields, printed{"", "custom_name", "材料名称", name})
	}
	return fields
}

// editableText is the part of formText the applicant can change now: all
// of it on a draft, during 补正 what the officer asked about.
func editableText(f *application.Form, correcting bool) []printed {
	var out []printed
	for _, p := range formText(f) {
		if p.target != "" && f.Editable(p.target, correcting) {
			out = append(out, p)
		}
	}
	return out
}

// manualText is the text of a 手工录入 certificate, with the fields the
// page names them by.
func manualText(m application.Manual) []printed {
	fields := []printed{
		{"", "manual.name", "姓名", m.Name},
		{"", "manual.cert_number", "证件编号", m.CertNumber},
		{"", "manual.id_number", "证件号码", m.IDNumber},
		{"", "manual.issued_by", "发证机关", m.IssuedBy},
	}
	for i, it := range m.Items {
		fields = append(fields,
			printed{"", fmt.Sprintf("manual.items[%d].name", i), "项目名称", it.Name},
			printed{"", fmt.Sprintf("manual.items[%d].category", i), "项目种类", it.Category})
	}
	return fields
}

// officerText is what an officer types that a notice prints: the 理由 of a
// decision and its 审批意见, the reason of each 补正 item, the justification
// of a later 补正 round.
func officerText(in application.Input) []printed {
	fields := []printed{{"", "reason", "理由", in.Reason}, {"", "justification", "理由", in.Justification}, {"", "opinion", "审批意见", in.Opinion}}
	for _, a := range in.Asks {
		fields = append(fields, printed{"", "reason-" + a.Target, "补正理由", a.Reason})
	}
	return fields
}
