package casework

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"opcert/internal/application"
	"opcert/internal/auth"
	"opcert/internal/catalog"
	"opcert/internal/idcheck"
	"opcert/internal/store"
	"opcert/internal/upload"
)

// Steps of the wizard, in order (seed 000 3.1–3.3, and a 核对信息 page before
// 提交 as the GOV.UK pattern asks).
var Steps = []struct{ Key, Label string }{
	{"commitment", "自我承诺"}, {"basic", "基本信息"}, {"materials", "申请材料"}, {"review", "核对信息"},
}

// StepIndex is the position of a step, -1 for none.
func StepIndex(key string) int {
	return slices.IndexFunc(Steps, func(s struct{ Key, Label string }) bool { return s.Key == key })
}

// Upload is a file sent with a form, read once as it arrived
// (upload.Spool): checked and stored from there, never copied again. The
// sender closes Content once the call that took it has returned.
type Upload struct {
	Name    string
	Content *upload.Content
}

// StepInput is one posted step of the wizard: the button pressed, the
// fields, and what an upload, deletion or added material names.
type StepInput struct {
	Step, Action string
	Version      int
	Values       application.Values
	Material     string // the material uploaded to
	FileID       int64  // the file deleted
	File         *Upload
}

// StepResult is the draft after a step was saved, the step to show next,
// what to tell the applicant, and the problems found (shown at their
// fields; the step was saved all the same, so nothing typed is lost).
type StepResult struct {
	App      store.Application
	Form     application.Form
	Next     string
	Notice   string
	Problems []*Error
}

// SaveStep saves what the step shows, whatever button was pressed, then
// does what the button asks: 同步单位信息, an upload, a deletion, an added
// material, the 电子身份证, or 下一步, which checks the step and moves on. A
// draft's keeping period starts again (seed 000 3.5: 暂存保留15天).
func (s *Service) SaveStep(ctx context.Context, who Actor, id int64, in StepInput) (StepResult, error) {
	c, err := s.Load(ctx, who, id)
	if err != nil {
		return StepResult{}, err
	}
	if who.Role != auth.RoleApplicant {
		return StepResult{}, Errorf(Forbidden, "只有申请人本人可以填写申请")
	}
	st := application.Status(c.Status)
	if !st.EditableByApplicant() {
		return StepResult{}, Errorf(Conflict, "该申请已提交，只能查看，不能修改；受理机关要求补正时才能修改。")
	}
	if StepIndex(in.Step) < 0 {
		return StepResult{}, Errorf(NotFound, "没有这一步")
	}
	res := StepResult{App: c.Application, Form: c.Form, Next: in.Step}
	if in.Version != c.Version {
		res.Problems = []*Error{{Code: Conflict, Field: "version", Label: "申请", Message: store.ErrStale.Error()}}
		return res, nil
	}
	correcting := st == application.StatusCorrection
	f := &res.Form
	fail := func(field, label, msg string) {
		res.Problems = append(res.Problems, &Error{Code: Invalid, Field: field, Label: label, Message: msg})
	}
	problems := func(ps []application.Problem) {
		for _, p := range ps {
			fail(p.Field, p.Label, p.Message)
		}
	}
	switch in.Step {
	case "commitment":
		f.ReadCommitment(in.Values, correcting)
		if in.Action == "next" {
			problems(application.CheckSelfDeclaration(f))
		}
	case "basic":
		f.ReadBasic(in.Values, correcting)
		res.Problems = append(res.Problems, unprintable(editableText(f, correcting)...)...)
		switch in.Action {
		case "sync_employer":
			if p := s.syncEmployer(ctx, f); p != nil {
				fail(p.Field, p.Label, p.Message)
			} else {
				res.Notice = "已同步单位信息：统一社会信用代码和单位注册地址已按企业登记信息填写。"
			}
		case "upload_photo":
			msg, err := s.savePhoto(ctx, c, f, correcting, in.File)
			if err != nil {
				return StepResult{}, err
			}
			if msg != "" {
				fail("photo", "照片", msg)
			} else {
				res.Notice = "照片已上传。"
			}
		case "next":
			institutions, err := s.institutions(ctx)
			if err != nil {
				return StepResult{}, err
			}
			problems(application.CheckBasic(f, s.today(), s.currentPolicy(ctx), s.catalog, institutions))
		}
	case "materials":
		if err := s.materialsAction(ctx, c, f, correcting, in, &res, fail); err != nil {
			return StepResult{}, err
		}
	}
	switch in.Action {
	case "next":
		if len(res.Problems) == 0 && StepIndex(in.Step)+1 < len(Steps) {
			res.Next = Steps[StepIndex(in.Step)+1].Key
		}
	case "prev":
		if i := StepIndex(in.Step); i > 0 {
			res.Next = Steps[i-1].Key
		}
	}
	a := c.Application
	a.Data, err = json.Marshal(f)
	if err != nil {
		return StepResult{}, err
	}
	if StepIndex(res.Next) > StepIndex(a.Step) {
		a.Step = res.Next
	}
	if st == application.StatusDraft {
		// The 受理机构 is matched as the draft is filled in; from 提交 on it is
		// fixed, and only a transfer moves it.
		a.AuthorityCode = f.Route(s.catalog).Code
		a.DraftExpiresOn = application.DraftExpiry(s.today(), s.currentPolicy(ctx))
	}
	saved, err := s.store.SaveDraft(ctx, a, []string{string(application.StatusDraft), string(application.StatusCorrection)})
	if errors.Is(err, store.ErrStale) {
		res.Problems = append(res.Problems, &Error{Code: Conflict, Field: "version", Label: "申请", Message: err.Error()})
		res.Next = in.Step
		return res, nil
	}
	if err != nil {
		return StepResult{}, err
	}
	res.App = saved
	if in.Action == "save" && len(res.Problems) == 0 {
		policy := s.currentPolicy(ctx)
		res.Notice = fmt.Sprintf("已暂存。暂存的申请保留%d天（至 %s），请及时提交。", policy.DraftKeepDays, application.DraftExpiry(s.today(), policy).Chinese())
		if correcting {
			res.Notice = "已保存。请在补正期限前提交。"
		}
	}
	if len(res.Problems) > 0 {
		res.Next = in.Step
	}
	return res, nil
}

func (s *Service) institutions(ctx context.Context) ([]application.ExamInstitution, error) {
	rows, err := s.store.ExamInstitutions(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]application.ExamInstitution, len(rows))
	for i, r := range rows {
		out[i] = application.ExamInstitution{Name: r.Name, Contact: r.Contact}
		for _, code := range r.Items {
			out[i].Items = append(out[i].Items, catalogCode(code))
		}
	}
	return out, nil
}

func catalogCode(s string) catalog.NewCode { return catalog.NewCode(strings.TrimSpace(s)) }

// Institutions are the exam institutions, for the choice 安全阀校验 and 客运索道
// applicants make.
func (s *Service) Institutions(ctx context.Context) ([]application.ExamInstitution, error) {
	return s.institutions(ctx)
}

// syncEmployer is 同步单位信息 (seed 000 3.2): the credit code and the
// registered address come from the enterprise registry, found by code or
// by name. A wrong code is told at the code.
func (s *Service) syncEmployer(ctx context.Context, f *application.Form) *application.Problem {
	e := &f.Employer
	if e.OutsideShanghai {
		return &application.Problem{Field: "employer_name", Label: "单位名称", Message: "单位不在上海时无需同步，请直接填写统一社会信用代码和单位注册地址"}
	}
	dir := s.store.Enterprises()
	found := false
	if e.CreditCode != "" {
		code, err := idcheck.CreditCode(e.CreditCode)
		if err != nil {
			return &application.Problem{Field: "credit_code", Label: "统一社会信用代码", Message: err.Error()}
		}
		if x, err := dir.ByCreditCode(ctx, code); err == nil {
			e.Name, e.CreditCode, e.Address, e.District, found = x.Name, x.CreditCode, x.Address, x.DistrictCode, true
		}
	}
	if !found && e.Name != "" {
		if x, err := dir.ByName(ctx, e.Name); err == nil {
			e.Name, e.CreditCode, e.Address, e.District, found = x.Name, x.CreditCode, x.Address, x.DistrictCode, true
		}
	}
	if !found {
		if e.Name == "" && e.CreditCode == "" {
			return &application.Problem{Field: "employer_name", Label: "单位名称", Message: "请先填写单位名称或统一社会信用代码，再点击“同步单位信息”"}
		}
		return &application.Problem{Field: "employer_name", Label: "单位名称", Message: "企业登记信息中未找到该单位，请核对单位名称（须与营业执照一致）或统一社会信用代码；单位不在上海的，请勾选“单位不在上海”后填写"}
	}
	e.Synced = true
	return nil
}

// savePhoto checks and stores the 2-inch photo of the 基本信息 step; the
// refusal a person can act on comes back as a message.
func (s *Service) savePhoto(ctx context.Context, c Loaded, f *application.Form, correcting bool, file *Upload) (string, error) {
	if !f.Editable("field:photo", correcting) {
		return "补正时只能修改受理机关要求补正的内容", nil
	}
	if file == nil {
		return "请选择要上传的照片文件", nil
	}
	content := file.Content
	checked, err := upload.Accept("照片", file.Name, content)
	if msg, ok := uploadRefusal(err); ok {
		return msg, nil
	} else if err != nil {
		return "", err
	}
	if _, err := upload.CheckPhoto(content.Reader()); err != nil {
		if msg, ok := uploadRefusal(err); ok {
			return msg, nil
		}
		return "", err
	}
	key := fileKey(c.ID, "photo-"+checked.SHA256[:16], string(checked.Kind))
	if err := s.files.Put(ctx, key, content.Reader(), content.Size(), checked.ContentType); err != nil {
		return s.fileStoreDown(ctx, err)
	}
	old := f.PhotoKey
	f.PhotoKey = key
	if old != "" && old != key {
		s.files.Delete(ctx, old)
	}
	return "", nil
}

// fileStoreDown is the refusal of an upload the file store did not take
// (an S3 server away, a full disk): nothing of it was recorded, what the
// applicant typed stays, and the same upload works once the store is back.
func (s *Service) fileStoreDown(ctx context.Context, err error) (string, error) {
	if ctx.Err() != nil {
		return "", err
	}
	s.log.Error("file store refused an upload", "err", err)
	return FileStoreDownMessage, nil
}

// FileStoreDownMessage is said at the upload when the file store is away.
const FileStoreDownMessage = "文件存储暂时不可用，本次上传未保存。请稍后重新上传；已填写的其他信息不会丢失。"

func uploadRefusal(err error) (string, bool) {
	var ue *upload.Error
	if errors.As(err, &ue) {
		return ue.Message, true
	}
	return "", false
}

// materialsAction does the 申请材料 step's buttons: upload a file of a
// material (several per material, seed 000 3.3), delete one, add a material
// with "+" (第6点), fetch the 电子身份证, or check the required ones.
func (s *Service) materialsAction(ctx context.Context, c Loaded, f *application.Form, correcting bool, in StepInput, res *StepResult, fail func(field, label, msg string)) error {
	switch in.Action {
	case "upload":
		field := "material-" + in.Material
		msg, err := s.saveMaterial(ctx, c, f, correcting, in.Material, in.File)
		if err != nil {
			return err
		}
		if msg != "" {
			fail(field, "申请材料", msg)
		} else {
			res.Notice = "文件已上传。"
		}
	case "delete":
		if correcting {
			fail("materials", "申请材料", "补正时不能删除已提交的材料，请上传补正后的文件")
			return nil
		}
		m, err := s.store.DeleteMaterial(ctx, c.ID, in.FileID)
		if errors.Is(err, store.ErrNotFound) {
			fail("materials", "申请材料", "该文件已删除")
			return nil
		}
		if errors.Is(err, store.ErrNotEditable) {
			fail("materials", "申请材料", err.Error())
			return nil
		}
		if err != nil {
			return err
		}
		if err := s.files.Delete(ctx, m.BlobKey); err != nil {
			s.log.Error("delete material file", "application_id", c.ID, "key", m.BlobKey, "err", err)
		}
		res.Notice = "文件已删除。"
	case "add_custom":
		name, _ := in.Values("custom_name")
		name = strings.TrimSpace(name)
		if refused := unprintable(printed{"", "custom_name", "材料名称", name}); len(refused) > 0 {
			fail("custom_name", "材料名称", refused[0].Message)
		} else if _, err := application.AddCustomMaterial(f.Materials(s.catalog), name); err != nil {
			fail("custom_name", "材料名称", err.Error())
		} else if correcting {
			fail("custom_name", "材料名称", "补正时只能修改受理机关要求补正的材料")
		} else {
			f.Custom = append(f.Custom, name)
			res.Notice = "已添加材料“" + name + "”，请上传文件。"
		}
	case "electronic_id":
		ok, msg, err := s.eLicence.ResidentCard(ctx, f.Applicant.Name, f.Applicant.IDNumber)
		switch {
		case err != nil:
			s.log.Error("e-licence", "err", err)
			fail("material-"+application.MaterialIDCard, "身份证信息", "电子证照服务暂时无法使用，请上传身份证扫描件")
		case !ok:
			fail("material-"+application.MaterialIDCard, "身份证信息", msg)
		default:
			f.ElectronicID = true
			res.Notice = "已获取电子身份证，无需再上传身份证扫描件。"
		}
	case "next":
		files, err := s.fileCounts(ctx, c.ID)
		if err != nil {
			return err
		}
		for _, p := range f.MissingMaterials(s.catalog, files) {
			fail(p.Field, p.Label, p.Message)
		}
	}
	return nil
}

func (s *Service) fileCounts(ctx context.Context, id int64) (map[string]int, error) {
	files, err := s.store.Materials(ctx, id)
	if err != nil {
		return nil, err
	}
	out := map[string]int{}
	for _, m := range files {
		out[m.Material]++
	}
	return out, nil
}

// saveMaterial stores one uploaded file of a material.
func (s *Service) saveMaterial(ctx context.Context, c Loaded, f *application.Form, correcting bool, key string, file *Upload) (string, error) {
	var spec *application.MaterialSpec
	for _, m := range f.Materials(s.catalog) {
		if m.Key == key {
			spec = &m
		}
	}
	if spec == nil {
		return "请选择要上传的材料", nil
	}
	if !f.Editable("material:"+key, correcting) {
		return "补正时只能上传受理机关要求补正的材料", nil
	}
	if file == nil {
		return "请先选择要上传的" + spec.Name + "文件", nil
	}
	content := file.Content
	checked, err := upload.Accept(spec.Name, file.Name, content)
	if msg, ok := uploadRefusal(err); ok {
		return msg, nil
	} else if err != nil {
		return "", err
	}
	blobKey := fileKey(c.ID, "materials/"+checked.SHA256[:16], string(checked.Kind))
	if err := s.files.Put(ctx, blobKey, content.Reader(), content.Size(), checked.ContentType); err != nil {
		return s.fileStoreDown(ctx, err)
	}
	if _, err := s.store.AddMaterial(ctx, store.Material{ApplicationID: c.ID, Material: key, BlobKey: blobKey,
		Filename: checked.Name, ContentType: checked.ContentType, Size: checked.Size, SHA256: checked.SHA256}); err != nil {
		s.files.Delete(ctx, blobKey)
		if errors.Is(err, store.ErrNotEditable) {
			return err.Error(), nil
		}
		return "", err
	}
	return "", nil
}
