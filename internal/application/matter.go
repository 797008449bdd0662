// Package application is the life of an application for 特种设备安全管理和
// 作业人员资格认定: the matter applied for, and (in later work) eligibility,
// routing to the 受理机关 and the state machine.
package application

// Matter is the kind of application (申请类型) the seed names: 新办, 增项,
// 复审 and 补证 (seed 000, 概述).
type Matter string

const (
	MatterNew     Matter = "new"     // 新办: first qualification, with a theory exam
	MatterAdd     Matter = "add"     // 增项: an extra item for a holder (welders: no theory exam, seed 001)
	MatterRenew   Matter = "renew"   // 复审: renewal of items near expiry
	MatterReissue Matter = "reissue" // 补证: a lost or damaged certificate re-issued
)

// Matters in the order the service lists them.
var Matters = []Matter{MatterNew, MatterAdd, MatterRenew, MatterReissue}

// ParseMatter reads the slug used in addresses.
func ParseMatter(s string) (Matter, bool) {
	for _, m := range Matters {
		if string(m) == s {
			return m, true
		}
	}
	return "", false
}

// Label is the word applicants know.
func (m Matter) Label() string {
	switch m {
	case MatterNew:
		return "新办"
	case MatterAdd:
		return "增项"
	case MatterRenew:
		return "复审"
	case MatterReissue:
		return "补证"
	}
	return string(m)
}

// Summary says in one line who the matter is for.
func (m Matter) Summary() string {
	switch m {
	case MatterNew:
		return "首次申请特种设备安全管理或作业人员资格（含理论考试）"
	case MatterAdd:
		return "已持证人员申请增加作业项目"
	case MatterRenew:
		return "持证项目有效期届满前三个月内申请复审"
	case MatterReissue:
		return "证书遗失或损毁，申请补发"
	}
	return ""
}
