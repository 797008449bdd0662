// Package registry is the record of who holds which qualification: holders
// (持证人), their certificates (《中华人民共和国特种设备安全管理和作业人员证》) and
// the items on each certificate.
//
// Validity is kept per item, not per certificate (SOURCES.md §3, fixture S6):
// one certificate lists several items, each with its own 批准日期 and 有效期至.
// The certificate number (证件编号) is normally the holder's 证件号码, but old
// records may differ (seed 000, 复审 checklist a–b), so the two are stored apart.
package registry

import (
	"fmt"

	"opcert/internal/catalog"
	"opcert/internal/civil"
)

// IDType is the kind of identity document (证件类型).
type IDType string

const (
	IDResident    IDType = "居民身份证"
	IDHKMacao     IDType = "港澳居民来往内地通行证"
	IDTaiwan      IDType = "台湾居民来往大陆通行证"
	IDPassport    IDType = "护照"
	IDForeignPerm IDType = "外国人永久居留身份证"
)

// IDTypes lists the accepted documents in the order a form offers them.
var IDTypes = []IDType{IDResident, IDHKMacao, IDTaiwan, IDPassport, IDForeignPerm}

// Valid reports whether t is one of the accepted documents.
func (t IDType) Valid() bool {
	for _, k := range IDTypes {
		if k == t {
			return true
		}
	}
	return false
}

// Holder is a person in the registry.
type Holder struct {
	ID        int64
	Name      string
	IDType    IDType
	IDNumber  string // 证件号码
	Sex       string // 男 / 女, derived from a resident ID
	BirthDate civil.Date
	// Mobile is the 手机号 on record (holder import), "" if none: a
	// registration claiming this person proves itself by receiving its SMS
	// code there.
	Mobile string
}

// ItemStatus is the legal state of one certificate item. Expiry is not a
// status: it follows from 有效期至 and the day it is looked at.
type ItemStatus string

const (
	ItemValid      ItemStatus = "valid"      // 有效
	ItemSuperseded ItemStatus = "superseded" // 已换发: renewed into a new item
	ItemRevoked    ItemStatus = "revoked"    // 已注销 / 撤销
)

// Label is the Chinese word shown to people.
func (s ItemStatus) Label() string {
	switch s {
	case ItemValid:
		return "有效"
	case ItemSuperseded:
		return "已换发"
	case ItemRevoked:
		return "已注销"
	}
	return string(s)
}

// Valid reports whether s is a known status.
func (s ItemStatus) Valid() bool {
	return s == ItemValid || s == ItemSuperseded || s == ItemRevoked
}

// Item is one line of a certificate.
type Item struct {
	ID         int64
	Ref        catalog.ItemRef // the item in its own edition's numbering
	WeldCode   string          // welder project code (TSG Z6002), e.g. SMAW-FeⅡ-6G(K)-9/57-Fef3J
	Scope      string          // 作业范围限定 printed on an old line, e.g. 限电气维修
	IssuedBy   string          // 发证机关, may be outside Shanghai
	ApprovedOn civil.Date      // 批准日期
	ValidUntil civil.Date      // 有效期至
	Status     ItemStatus
	// Ending is the decision that ended the item (撤销 or 注销), when it was
	// ended here rather than arriving ended in an import.
	Ending *Ending
}

// EndingKind is how an issuing authority ends an item.
type EndingKind string

const (
	// Revoke (撤销): the licence should not have been granted — obtained
	// by deception, or granted beyond the law (行政许可法 第六十九条).
	Revoke EndingKind = "revoke"
	// Cancel (注销): the licence has ended — revoked, the holder dead or
	// asking for it, or as the law says otherwise (行政许可法 第七十条).
	Cancel EndingKind = "cancel"
)

// Label is the decision as the pages name it.
func (k EndingKind) Label() string {
	switch k {
	case Revoke:
		return "撤销"
	case Cancel:
		return "注销"
	}
	return string(k)
}

// DefaultBasis is the article the decision rests on unless the officer
// names a more specific one.
func (k EndingKind) DefaultBasis() string {
	switch k {
	case Revoke:
		return "《中华人民共和国行政许可法》第六十九条"
	case Cancel:
		return "《中华人民共和国行政许可法》第七十条"
	}
	return ""
}

// Ending is a decision that ended an item.
type Ending struct {
	Kind   EndingKind
	Reason string
	Basis  string // legal basis, e.g. 《中华人民共和国行政许可法》第六十九条第二款
	On     civil.Date
}

// CheckEnding lists what is missing from a decision to end an item, by
// field: a decision that takes away a licence says why and on what basis,
// as 行政许可法 第三十八条 asks of a refusal.
func CheckEnding(e Ending) map[string]string {
	out := map[string]string{}
	if e.Kind != Revoke && e.Kind != Cancel {
		out["kind"] = "请选择撤销或注销"
	}
	switch n := len([]rune(e.Reason)); {
	case n == 0:
		out["reason"] = "请填写撤销或注销的理由"
	case n > 500:
		out["reason"] = "理由不能超过500个字"
	}
	if e.Basis == "" {
		out["basis"] = "请填写法律依据"
	} else if len([]rune(e.Basis)) > 200 {
		out["basis"] = "法律依据不能超过200个字"
	}
	return out
}

// Standing is what an item is worth on a day, as the public query and the
// certificate check say it.
type Standing struct {
	Label    string // 有效, 有效（即将到期）, 已过期, 已换发, 已注销, 已撤销
	InForce  bool   // the holder may do the work on that day
	Expiring bool   // in force, and within the 3 months before 有效期至 in which 复审 is applied for (seed 000: 复审可提前三个月申报)
}

// StandingOn is the item's standing on day: a decision (换发, 注销) first,
// then its dates.
func (it Item) StandingOn(day civil.Date) Standing {
	switch {
	case it.Status == ItemRevoked && it.Ending != nil && it.Ending.Kind == Revoke:
		return Standing{Label: "已撤销"}
	case it.Status != ItemValid:
		return Standing{Label: it.Status.Label()}
	case it.ExpiredOn(day):
		return Standing{Label: "已过期"}
	case it.ValidUntil.Before(day.AddMonths(3)):
		return Standing{Label: "有效（即将到期）", InForce: true, Expiring: true}
	}
	return Standing{Label: "有效", InForce: true}
}

// Expiry reminders: a holder is told by SMS 3 months and again 1 month
// before an item's 有效期至, the 3 months in which 复审 is applied for
// (seed 000: 复审可提前三个月申报).
const (
	Remind3Months = "3m"
	Remind1Month  = "1m"
)

// ReminderDue is the reminder an item is due on day: Remind1Month within a
// month of 有效期至, Remind3Months within three, "" otherwise (not in force,
// expired, or further off). An item first met within the last month gets
// only the one-month reminder.
func (it Item) ReminderDue(day civil.Date) string {
	switch {
	case it.Status != ItemValid || it.ExpiredOn(day):
		return ""
	case it.ValidUntil.Before(day.AddMonths(1)):
		return Remind1Month
	case it.ValidUntil.Before(day.AddMonths(3)):
		return Remind3Months
	}
	return ""
}

// ExpiredOn reports whether the item is past 有效期至 on day.
func (it Item) ExpiredOn(day civil.Date) bool { return it.ValidUntil.Before(day) }

// Certificate is one certificate and its items.
type Certificate struct {
	ID        int64
	Number    string // 证件编号
	ArchiveNo string // 档案编号 (TS…), when known
	Items     []Item
}

// Holding is a holder with everything the registry knows of them.
type Holding struct {
	Holder       Holder
	Certificates []Certificate
}

// NumberDiffers reports whether a certificate's number is not the holder's
// 证件号码: the case the seed asks the applicant to check (复审 checklist b).
func (h Holding) NumberDiffers() bool {
	for _, c := range h.Certificates {
		if c.Number != h.Holder.IDNumber {
			return true
		}
	}
	return false
}

// Items returns all items across the holder's certificates.
func (h Holding) Items() []Item {
	var out []Item
	for _, c := range h.Certificates {
		out = append(out, c.Items...)
	}
	return out
}

// Validate checks a holding before it is written: the invariants the
// database cannot express in both engines alike.
func (h Holding) Validate() error {
	if h.Holder.Name == "" {
		return fmt.Errorf("姓名不能为空")
	}
	if !h.Holder.IDType.Valid() {
		return fmt.Errorf("证件类型“%s”不在可选范围内", h.Holder.IDType)
	}
	if h.Holder.IDNumber == "" {
		return fmt.Errorf("证件号码不能为空")
	}
	seen := map[string]bool{}
	for _, c := range h.Certificates {
		if c.Number == "" {
			return fmt.Errorf("证书编号不能为空")
		}
		if seen[c.Number] {
			return fmt.Errorf("证书编号 %s 重复", c.Number)
		}
		seen[c.Number] = true
		for _, it := range c.Items {
			if it.Ref.IsZero() {
				return fmt.Errorf("证书 %s 有未填写项目代号的项目", c.Number)
			}
			if it.ApprovedOn.IsZero() || it.ValidUntil.IsZero() {
				return fmt.Errorf("证书 %s 项目 %s 缺少批准日期或有效期至", c.Number, it.Ref)
			}
			if !it.ValidUntil.After(it.ApprovedOn) {
				return fmt.Errorf("证书 %s 项目 %s 的有效期至（%s）应晚于批准日期（%s）", c.Number, it.Ref, it.ValidUntil, it.ApprovedOn)
			}
			if !it.Status.Valid() {
				return fmt.Errorf("证书 %s 项目 %s 的状态“%s”无效", c.Number, it.Ref, it.Status)
			}
		}
	}
	return nil
}
