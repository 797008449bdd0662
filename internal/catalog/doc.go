// Package catalog is the item catalogue of 特种设备安全管理和作业人员资格认定:
// the current 2019 items (TSG Z6001-2019, 《特种设备作业人员资格认定分类与项目》),
// the 2011 items still printed on older certificates, the 换发 correspondence
// from old to new, the Q2 起重机司机 scope limits and Shanghai's 16 districts.
//
// The data is data/catalog.json, embedded in the binary, with its research
// notes data/SOURCES.md beside it: every entry carries a verification level,
// and the S# references in notes and in this package's comments point into
// that file (§1 2019 items, §1a Q2 limits, §2 2011 items, §2a 换发, §6
// districts, §8 corrections). No official text was reachable when the data
// was compiled, so entries marked uncertain or unknown (Q9 → Q2(限升降机),
// N1 车辆维修) must be confirmed before they decide anything irrevocable.
//
// Old and new codes collide: old Q2 is 起重机械电气安装维修 and cancelled, new
// Q2 is 起重机司机 (SOURCES §2 warning; also G1–G3, R1, Q1, N1, N2, S1, S2, Y1,
// Y2). The two editions therefore have distinct types, [NewCode] and
// [OldCode], and anything persisted goes through [ItemRef], whose text form
// carries the edition ("2019:Q2(限流动式起重机)", "2011:Q8").
//
// The Shanghai 一网通办 guide (seed 000) fixes two facts this package is tested
// against: the cancelled old items G6, D1, D2, D3, T3, Q1, Q2, Q10, N3 are not
// renewed or reissued, and 流动式起重机司机[Q8] renews as Q2, 一级锅炉水质处理[G4]
// as G3 锅炉水处理.
package catalog
