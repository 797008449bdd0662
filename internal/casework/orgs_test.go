package casework_test

import (
	"strconv"
	"strings"
	"testing"

	"opcert/internal/authority"
	"opcert/internal/casework"
	"opcert/internal/store"
	"opcert/internal/store/storetest"
)

// An admin's change of a window's contact or an institution is audited
// with before and after, and seen by another instance at its next look.
func TestOrganisationChangesAudited(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db, "2026-11-23")
		other := service(t, db, "2026-11-23")
		before := must(other.Organisations(ctx, w.adm)) // cached by the other instance
		if before.Authorities[0].Phone != "" {
			t.Fatal("a phone before any was set")
		}
		if err := w.s.SetAuthorityContact(ctx, w.adm, "310101", authority.Contact{Phone: " 021-63211234 "}); err != nil {
			t.Fatal(err)
		}
		after := must(other.Organisations(ctx, w.adm))
		if after.Authorities[0].Code != "310101" || after.Authorities[0].Phone != "021-63211234" {
			t.Fatalf("the other instance: %+v", after.Authorities[0])
		}
		e := must(db.AuditEntries(ctx, "authority:310101", 5))
		if len(e) != 1 || e[0].Action != "edit_authority" || e[0].ActorID != w.adm.UserID || !strings.Contains(e[0].After, "021-63211234") {
			t.Fatalf("audit: %+v", e)
		}
		err := w.s.SetAuthorityContact(ctx, w.officer, "310104", authority.Contact{Phone: "12345"})
		refusedAt(t, err, casework.Forbidden, "", "只有系统管理员")

		inst := must(w.s.SaveInstitution(ctx, w.adm, casework.InstitutionForm{Name: "考试站", Items: []string{"N1", "N1", " N2"}, Contact: "021-1234567"}))
		if strings.Join(inst.Items, ",") != "N1,N2" {
			t.Fatalf("items %v", inst.Items)
		}
		must(w.s.SaveInstitution(ctx, w.adm, casework.InstitutionForm{ID: inst.ID, Name: "浦东考试站", Items: []string{"N1"}}))
		got := must(db.ExamInstitutionByID(ctx, inst.ID))
		if got.Name != "浦东考试站" || strings.Join(got.Items, ",") != "N1" {
			t.Fatalf("saved %+v", got)
		}
		_, err = w.s.SaveInstitution(ctx, w.adm, casework.InstitutionForm{ID: 98765, Name: "无", Items: []string{"N1"}})
		refusedAt(t, err, casework.NotFound, "", "考试机构不存在")
		var actions []string
		for _, e := range must(db.AuditEntries(ctx, "exam_institution:"+strconv.FormatInt(inst.ID, 10), 5)) {
			actions = append(actions, e.Action)
			if e.Action == "edit_exam_institution" && !strings.Contains(e.Before, "考试站") {
				t.Errorf("edit without before: %+v", e)
			}
		}
		if strings.Join(actions, ",") != "create_exam_institution,edit_exam_institution" && strings.Join(actions, ",") != "edit_exam_institution,create_exam_institution" {
			t.Fatalf("audit: %v", actions)
		}
	})
}
