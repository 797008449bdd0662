package casework

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"opcert/internal/audit"
	"opcert/internal/catalog"
	"opcert/internal/civil"
	"opcert/internal/enterprise"
	"opcert/internal/idcheck"
	"opcert/internal/importer"
	"opcert/internal/registry"
	"opcert/internal/store"
	"opcert/internal/upload"
	"opcert/internal/weldexam"
)

// weldBatchName is the uploaded file as the page and its refusals name it.
const weldBatchName = "批量报名表"

// WeldBatch is a 单位's 批量报名 upload as checked now: the rows that can be
// registered and the problems of the others, by row. Nothing is registered
// until the 单位 confirms it (ConfirmWeldBatch).
type WeldBatch struct {
	ID        int64
	Filename  string
	Rows      int
	Good      []weldexam.BatchEntry
	Problems  []weldexam.BatchProblem
	Confirmed bool
	// Registered is how many the confirmation registered.
	Registered int
	// DeletedOn is the day an upload not confirmed by then is deleted
	// (weldexam.UnconfirmedBatchKept after its upload); zero once
	// confirmed.
	DeletedOn civil.Date
}

// BadRows is how many rows have a problem.
func (b WeldBatch) BadRows() int {
	n, last := 0, 0
	for _, p := range b.Problems {
		if p.Line != last {
			n, last = n+1, p.Line
		}
	}
	return n
}

// WeldBatchTemplate is the workbook a 单位 fills: the sheet 报名 with the
// 考试申请表's columns and the sheet 填写说明.
func (s *Service) WeldBatchTemplate(ctx context.Context, who Actor) ([]byte, error) {
	if _, err := s.UnitOf(ctx, who); err != nil {
		return nil, err
	}
	return importer.WeldBatchWorkbook(nil, s.catalog)
}

func batchRefusal(msg string) error {
	return &Error{Code: Invalid, Field: "file", Label: weldBatchName, Message: msg}
}

// ReadWeldBatch checks a 单位's uploaded workbook (upload.CheckSheet: not
// empty, not too large, not another kind of file renamed, not damaged;
// the unzipped size bounded), keeps its rows with the audit entry of the
// upload, and reports every row checked as the single form is. Nothing is
// registered.
func (s *Service) ReadWeldBatch(ctx context.Context, who Actor, filename string, data []byte) (WeldBatch, error) {
	un, err := s.UnitOf(ctx, who)
	if err != nil {
		return WeldBatch{}, err
	}
	if err := upload.CheckSheet(weldBatchName, filename, data); err != nil {
		return WeldBatch{}, batchRefusal(strings.Replace(err.Error(), "请只保留本场次考生的行后重新上传", "请分成几个表格上传", 1))
	}
	rows, header, err := importer.ReadWeldBatch(data)
	if err != nil {
		return WeldBatch{}, batchRefusal("「" + weldBatchName + "」" + err.Error() + "，请用 Excel 或 WPS 重新保存后上传")
	}
	if len(header) > 0 {
		var msgs []string
		for _, h := range header {
			msgs = append(msgs, h.String())
		}
		return WeldBatch{}, batchRefusal("「" + weldBatchName + "」不是批量报名模板的格式，请下载模板后填写：" + strings.Join(msgs, "；"))
	}
	raw, err := json.Marshal(rows)
	if err != nil {
		return WeldBatch{}, err
	}
	b, err := s.store.AddWeldBatch(ctx, store.WeldBatch{CreditCode: un.CreditCode, UploadedBy: who.UserID, Filename: filename, Rows: raw, RowCount: len(rows)},
		audit.Entry{ActorID: who.UserID, ActorRole: string(who.Role), Action: "weld_batch_upload", IP: who.IP})
	if err != nil {
		return WeldBatch{}, err
	}
	s.log.Info("weld batch uploaded", "weld_batch_id", b.ID, "rows", len(rows), "actor_id", who.UserID)
	out, _, err := s.checkBatch(ctx, un, b, rows)
	return out, err
}

// WeldBatchOf is an upload of the 单位's, checked again as it stands now;
// another 单位's upload is not found.
func (s *Service) WeldBatchOf(ctx context.Context, who Actor, id int64) (WeldBatch, error) {
	un, b, rows, err := s.loadBatch(ctx, who, id)
	if err != nil {
		return WeldBatch{}, err
	}
	out, _, err := s.checkBatch(ctx, un, b, rows)
	return out, err
}

func (s *Service) loadBatch(ctx context.Context, who Actor, id int64) (enterprise.Unit, store.WeldBatch, []weldexam.BatchRow, error) {
	un, err := s.UnitOf(ctx, who)
	if err != nil {
		return un, store.WeldBatch{}, nil, err
	}
	b, err := s.store.WeldBatchOf(ctx, id, un.CreditCode)
	if errors.Is(err, store.ErrNotFound) {
		return un, b, nil, Errorf(NotFound, "批量报名不存在")
	}
	if err != nil {
		return un, b, nil, err
	}
	if b.ConfirmedAt.Valid {
		return un, b, nil, nil // the rows were cleared at the confirmation
	}
	var rows []weldexam.BatchRow
	if err := json.Unmarshal(b.Rows, &rows); err != nil {
		return un, b, nil, fmt.Errorf("weld batch %d: %w", b.ID, err)
	}
	return un, b, rows, nil
}

// checkBatch checks the rows (weldexam.CheckBatch) and what only the store
// knows, as the single form's registration refuses it: a person with a
// registration not yet examined (修改 it instead), a name other than the
// registry's for the 身份证, no exam institution for the item; and text no
// document font can print. A confirmed batch reports what was registered.
func (s *Service) checkBatch(ctx context.Context, un enterprise.Unit, b store.WeldBatch, rows []weldexam.BatchRow) (WeldBatch, map[int]int64, error) {
	out := WeldBatch{ID: b.ID, Filename: b.Filename, Rows: b.RowCount, Confirmed: b.ConfirmedAt.Valid, Registered: b.Registered}
	if out.Confirmed {
		return out, nil, nil
	}
	out.DeletedOn = civil.Of(b.CreatedAt.Add(weldexam.UnconfirmedBatchKept))
	good, problems := weldexam.CheckBatch(rows, un, s.today(), s.catalog)
	ids := make([]string, len(good))
	for i, g := range good {
		ids[i] = g.Form.IDNumber
	}
	people, err := s.store.WeldPeopleOf(ctx, string(weldexam.New), ids)
	if err != nil {
		return out, nil, err
	}
	institutions := map[catalog.NewCode]int64{}
	kept := good[:0]
	for _, g := range good {
		bad := func(column, msg string) {
			problems = append(problems, weldexam.BatchProblem{Line: g.Line, Column: column, Message: msg})
		}
		n := len(problems)
		if people.Registered[g.Form.IDNumber] {
			bad(weldexam.ColIDNumber, store.ErrWeldRegistered.Error())
		}
		if name, ok := people.Names[g.Form.IDNumber]; ok && name != g.Form.Name {
			bad(weldexam.ColName, "姓名与该身份证号已登记的持证人姓名不一致，请核对姓名和身份证号")
		}
		q := g.Form.Qualification()
		if _, ok := institutions[q]; !ok {
			inst, err := s.weldInstitution(ctx, q)
			switch {
			case ErrorCode(err) != "":
				institutions[q] = -1 // none examines the item
			case err != nil:
				return out, nil, err
			default:
				institutions[q] = inst.ID
			}
		}
		if institutions[q] < 0 {
			bad(weldexam.ColWorkType, "暂无考试机构受理"+catalog.Qualification{Code: q}.Name(s.catalog)+"的考试报名，请联系市特种设备考试机构")
		}
		for _, e := range unprintable(printed{"", "name", "姓名", g.Form.Name}, printed{"", "address", "通信地址", g.Form.Address},
			printed{"", "employer", "用人单位(或者培训机构)名称", g.Form.Employer}, printed{"", "employer_address", "单位地址", g.Form.EmployerAddress},
			printed{"", "training", "安全教育和培训情况", g.Form.Training}) {
			bad(weldexam.BatchColumn(e.Field), e.Message)
		}
		if len(problems) == n {
			kept = append(kept, g)
		}
	}
	slices.SortStableFunc(problems, func(a, b weldexam.BatchProblem) int { return a.Line - b.Line })
	out.Good, out.Problems = kept, problems
	at := make(map[int]int64, len(kept)) // each good row's exam institution
	for i, g := range kept {
		at[i] = institutions[g.Form.Qualification()]
	}
	return out, at, nil
}

// ConfirmWeldBatch registers the rows of the 单位's upload that can be
// registered, checked again first: if fewer or more would be registered
// than the report the 单位 confirmed said (expect), something changed in
// between and nothing is registered. Otherwise every row is registered as
// the single form registers it, bound to the 单位, all in one
// transaction: the batch is registered whole or not at all.
func (s *Service) ConfirmWeldBatch(ctx context.Context, who Actor, id int64, expect int) (WeldBatch, error) {
	un, b, rows, err := s.loadBatch(ctx, who, id)
	if err != nil {
		return WeldBatch{}, err
	}
	out, institutions, err := s.checkBatch(ctx, un, b, rows)
	switch {
	case err != nil:
		return out, err
	case out.Confirmed:
		return out, &Error{Code: Conflict, Field: "file", Label: weldBatchName, Message: store.ErrBatchConfirmed.Error()}
	case len(out.Good) == 0:
		return out, batchRefusal("表中没有可以报名的考生，请按检查报告修改后重新上传")
	case len(out.Good) != expect:
		return out, &Error{Code: Conflict, Field: "file", Label: weldBatchName,
			Message: "检查之后考生情况有变化，可报名的人数与您确认时不同，本次未报名任何考生。请核对下方最新的检查结果后重新确认。"}
	}
	welders := make([]store.BatchWelder, len(out.Good))
	for i, g := range out.Good {
		data, err := json.Marshal(g.Form)
		if err != nil {
			return out, err
		}
		id18, err := idcheck.ParseResidentID(g.Form.IDNumber, s.today())
		if err != nil {
			return out, err
		}
		welders[i] = store.BatchWelder{
			Registration: store.WeldRegistration{Kind: string(g.Form.Kind), IDNumber: g.Form.IDNumber, Name: g.Form.Name, Mobile: g.Form.Mobile,
				InstitutionID: institutions[i], Data: data, PhotoKey: g.Form.PhotoKey},
			Holder: registry.Holder{Name: g.Form.Name, IDType: registry.IDResident, IDNumber: id18.Number, Sex: id18.Sex.String(), BirthDate: id18.BirthDate},
		}
	}
	err = s.store.ConfirmWeldBatch(ctx, id, un.CreditCode, welders, audit.Entry{ActorID: who.UserID, ActorRole: string(who.Role), Action: "weld_batch_register", IP: who.IP})
	switch {
	case errors.Is(err, store.ErrBatchConfirmed):
		return out, &Error{Code: Conflict, Field: "file", Label: weldBatchName, Message: err.Error()}
	case errors.Is(err, store.ErrNotFound):
		return out, Errorf(NotFound, "批量报名不存在")
	case errors.Is(err, store.ErrWeldRegistered), errors.Is(err, store.ErrNameMismatch):
		return out, &Error{Code: Conflict, Field: "file", Label: weldBatchName,
			Message: "检查之后考生情况有变化，本次未报名任何考生。请核对下方最新的检查结果后重新确认。"}
	case err != nil:
		return out, err
	}
	s.log.Info("weld batch registered", "weld_batch_id", id, "registered", len(welders), "actor_id", who.UserID)
	out.Confirmed, out.Registered, out.Good, out.DeletedOn = true, len(welders), nil, civil.Date{}
	return out, nil
}

// ExpireWeldBatches deletes the 批量报名 uploads left unconfirmed
// weldexam.UnconfirmedBatchKept after their upload, with the 身份证号 and
// mobiles of their rows (个人信息保护法 第十九条), each audited as the
// system's, and returns them. The upload page tells the 单位 so.
func (s *Service) ExpireWeldBatches(ctx context.Context) ([]store.ExpiredWeldBatch, error) {
	return s.store.DeleteUnconfirmedWeldBatches(ctx, s.store.Now().Add(-weldexam.UnconfirmedBatchKept),
		audit.Entry{ActorID: System.UserID, ActorRole: string(System.Role), Action: "weld_batch_expired"})
}

// UnitWelder is a welder a 单位 registered, as its 工作台 follows them.
type UnitWelder struct {
	Name, IDNumber string // the number masked
	Items          []string
	Progress       string // 已报名（待考试机构审核）, 已锁定（待安排考试）, 已考试
	NeedsPhoto     bool
}

// UnitWelders lists the welders the 单位 registered in its batches, newest
// first, with where each registration stands.
func (s *Service) UnitWelders(ctx context.Context, who Actor) ([]UnitWelder, error) {
	un, err := s.UnitOf(ctx, who)
	if err != nil {
		return nil, err
	}
	regs, err := s.store.UnitWeldRegistrations(ctx, un.CreditCode)
	if err != nil {
		return nil, err
	}
	out := make([]UnitWelder, 0, len(regs))
	for _, r := range regs {
		w, err := welderOf(r)
		if err != nil {
			return nil, err
		}
		u := UnitWelder{Name: r.Name, IDNumber: idcheck.MaskNumber(r.IDNumber), Items: w.Form.Items, NeedsPhoto: w.Form.PhotoKey == ""}
		switch {
		case r.Scored():
			u.Progress = "已考试（成绩已录入）"
		case r.Locked():
			u.Progress = "考试机构已锁定（待安排考试）"
		default:
			u.Progress = "已报名（考生可修改）"
		}
		out = append(out, u)
	}
	return out, nil
}
