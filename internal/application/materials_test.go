package application

import (
	"strings"
	"testing"

	"opcert/internal/catalog"
)

func TestRequiredMaterials(t *testing.T) {
	qs := func(ss ...string) []catalog.Qualification {
		var out []catalog.Qualification
		for _, s := range ss {
			out = append(out, q(s))
		}
		return out
	}
	// Each want entry is key, "*" for required or "" for optional.
	for _, tc := range []struct {
		rule  string
		m     Matter
		items []catalog.Qualification
		opts  MaterialOptions
		want  []string
		form  string
	}{
		{"seed 000 3.3: 复审 table (申请表, 学历证明 optional, 身份证信息)", MatterRenew, qs("Q2(限流动式起重机)"), MaterialOptions{},
			[]string{"form*", "id_card*", "education"}, FormNameRenewal},
		{"seed 001 第二部分 8: welder 新办: 申请表, 学历证明, 体检报告, 身份证信息", MatterNew, qs("金属焊接操作"), MaterialOptions{},
			[]string{"form*", "id_card*", "education*", "health*"}, FormNameOther},
		{"SOURCES §3 S8: G3 needs 视力无色盲", MatterAdd, qs("G3"), MaterialOptions{},
			[]string{"form*", "id_card*", "education*", "health*"}, FormNameOther},
		{"SOURCES §3 S5: N1 health report (local practice)", MatterNew, qs("N1", "Q1"), MaterialOptions{},
			[]string{"form*", "id_card*", "education*", "health*"}, FormNameOther},
		{"no health report for items without a health condition", MatterNew, qs("Q1"), MaterialOptions{},
			[]string{"form*", "id_card*", "education*"}, FormNameOther},
		{"复审 of G3: health report optional (S10 lists no health check)", MatterRenew, qs("G3"), MaterialOptions{},
			[]string{"form*", "id_card*", "education", "health"}, FormNameRenewal},
		{"seed 000 复审项目选择 第2点: 手工录入 needs 照片页, 取证页, 复审页", MatterRenew, qs("R1"), MaterialOptions{ManualEntry: true},
			[]string{"form*", "id_card*", "orig_cert_photo*", "orig_cert_first*", "orig_cert_renewal*", "education"}, FormNameRenewal},
		{"补证: form and ID only", MatterReissue, qs("G3"), MaterialOptions{},
			[]string{"form*", "id_card*"}, FormNameOther},
		{"self-commitment 发生过: 情况说明", MatterAdd, qs("Q1"), MaterialOptions{IncidentReported: true},
			[]string{"form*", "id_card*", "education*", "incident_statement*"}, FormNameOther},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			got := RequiredMaterials(tc.m, tc.items, tc.opts)
			var keys []string
			for _, s := range got {
				k := s.Key
				if s.Required {
					k += "*"
				}
				keys = append(keys, k)
				if s.Name == "" || s.Note == "" {
					t.Errorf("%s: name %q note %q", s.Key, s.Name, s.Note)
				}
			}
			if strings.Join(keys, " ") != strings.Join(tc.want, " ") {
				t.Errorf("materials %v, want %v", keys, tc.want)
			}
			if got[0].Name != tc.form || !got[0].Generated {
				t.Errorf("form = %q generated=%v, want %q generated (seed 000 3.3 第1点)", got[0].Name, got[0].Generated, tc.form)
			}
		})
	}
}

func TestRequiredMaterialsDetails(t *testing.T) {
	// seed 000 3.3: 获取电子身份证 only for 上海户籍.
	for _, sh := range []bool{false, true} {
		ms := RequiredMaterials(MatterRenew, nil, MaterialOptions{ShanghaiHousehold: sh})
		if ms[1].Key != MaterialIDCard || ms[1].ElectronicIDAllowed != sh {
			t.Errorf("ShanghaiHousehold=%v: id card %+v", sh, ms[1])
		}
		if ms[1].Name != "身份证信息" {
			t.Errorf("id card name %q", ms[1].Name)
		}
	}
	// SOURCES §3 S8: A, G1–G3, R3 need 中专或高中以上.
	edu := func(items ...catalog.Qualification) string {
		for _, s := range RequiredMaterials(MatterNew, items, MaterialOptions{}) {
			if s.Key == MaterialEducation {
				return s.Note
			}
		}
		return ""
	}
	if n := edu(q("Q1"), q("A")); !strings.Contains(n, "中专或高中以上") {
		t.Errorf("education note for A: %q", n)
	}
	if n := edu(q("Q1")); !strings.Contains(n, "初中以上") {
		t.Errorf("education note for Q1: %q", n)
	}
	// seed 001 第一部分(三): 视力及辨色力, 医疗机构盖章.
	for _, s := range RequiredMaterials(MatterNew, []catalog.Qualification{q("G3")}, MaterialOptions{}) {
		if s.Key == MaterialHealth && (!strings.Contains(s.Note, "辨色力") || !strings.Contains(s.Note, "盖章")) {
			t.Errorf("health note %q", s.Note)
		}
	}
}

func TestCustomMaterial(t *testing.T) {
	for _, tc := range []struct {
		rule, name, key, err string
	}{
		{"seed 000 3.3 第6点: a named extra material", "社保缴费证明", "custom:社保缴费证明", ""},
		{"spaces around are trimmed", "  工作证明 ", "custom:工作证明", ""},
		{"30 characters is the limit", strings.Repeat("证", 30), "custom:" + strings.Repeat("证", 30), ""},
		{"31 characters", strings.Repeat("证", 31), "", "不能超过30个字"},
		{"empty", "   ", "", "请填写材料名称"},
		{"a standard material has its own line", "学历证明", "", "已在材料列表中"},
		{"book-title marks and spaces do not hide a standard material", "《 身份证信息 》", "", "已在材料列表中"},
		{"the 复审 form", "特种设备作业人员资格复审申请表", "", "已在材料列表中"},
		{"the manual-entry proofs", "原证书复审页", "", "已在材料列表中"},
		{"control characters", "证明\x07", "", "无法显示"},
		{"a line break", "工作\n证明", "", "无法显示"},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			s, err := CustomMaterial(tc.name)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if s.Key != tc.key || !s.Custom || s.Required {
				t.Errorf("spec = %+v, want key %q, custom, optional", s, tc.key)
			}
		})
	}
}

func TestAddCustomMaterial(t *testing.T) {
	list := RequiredMaterials(MatterRenew, nil, MaterialOptions{})
	list, err := AddCustomMaterial(list, "工作证明")
	if err != nil || list[len(list)-1].Key != "custom:工作证明" {
		t.Fatalf("AddCustomMaterial: %v %+v", err, list)
	}
	n := len(list)
	if _, err := AddCustomMaterial(list, " 工作证明"); err == nil || !strings.Contains(err.Error(), "已添加") {
		t.Errorf("duplicate custom material: %v", err)
	}
	if len(list) != n {
		t.Error("a refused material changed the list")
	}
}
