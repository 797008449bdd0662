package document

// AdmissionTicketData is a 准考证 (seed 000 2.1 注1: 受理通过后…查询考试安排，并
// 打印准考证): who sits, where and when, with the photo the application
// carries so the invigilator can check the face, and the 证件号码 masked
// (the ticket is printed and carried about).
type AdmissionTicketData struct {
	Number      string // 准考证号
	Name        string
	IDNumber    string // masked by the caller
	Items       string // the items examined: "P 气瓶充装"
	Application string // 申请号
	Institution string // the 考试机构 that issues it
	Sittings    []Sitting
	Notes       []string // 考生须知
	Photo       []byte
	IssuedOn    string
	QRURL       string
}

// Sitting is one subject's seat: 考试科目, 考试时间, 考场, 座位号.
type Sitting struct {
	Subject, When, Venue, Seat string
}

// AdmissionTicket renders the 准考证 on one A4 page: the candidate beside
// the photo, one row per subject, the notes, and the QR code (the signed
// ticket, checked at the service's verification page).
func AdmissionTicket(t AdmissionTicketData) ([]byte, error) {
	head := BlockFunc(func(d *Doc) {
		const pw, ph = 35.0, 49.0
		top := d.Y()
		row := func(label, value string) Row {
			return Row{Cells: []Cell{{Text: label, W: 1, Label: true}, {Text: value, W: 3}}, MinH: ph / 5}
		}
		Grid{W: d.Width() - pw - 4, Rows: []Row{
			row("姓名", t.Name), row("证件号码", t.IDNumber), row("报考项目", t.Items), row("申请号", t.Application), row("考试机构", t.Institution),
		}}.Draw(d)
		bottom := d.Y()
		photoBox(d, t.Photo, d.Right()-pw, top, pw, max(ph, bottom-top))
		d.SetY(max(bottom, top+ph))
	})
	rows := make([][]string, len(t.Sittings))
	for i, s := range t.Sittings {
		rows[i] = []string{s.Subject, s.When, s.Venue, s.Seat}
	}
	blocks := []Block{head, Gap(6), Table{
		Columns: []Column{{Header: "考试科目", W: 4}, {Header: "考试时间", W: 7, Align: AlignCenter}, {Header: "考场", W: 6}, {Header: "座位号", W: 2, Align: AlignCenter}},
		Rows:    rows,
	}}
	if len(t.Notes) > 0 {
		blocks = append(blocks, Gap(4), Para{Text: "考生须知："}, List{Items: t.Notes})
	}
	return Render(Document{
		Title:       "特种设备安全管理和作业人员考试准考证",
		NumberLabel: "准考证号",
		Number:      t.Number,
		Blocks:      blocks,
		Issuer:      t.Institution,
		IssuedOn:    t.IssuedOn,
		QRURL:       t.QRURL,
	})
}
