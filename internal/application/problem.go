package application

// Problem is one thing the applicant or officer must fix, named the way the
// form names it: Field is a stable slug of the form field ("items",
// "items[1].chosen", "manual.id_number") so the page can mark the field and
// link to it from the error summary; Message is the Chinese sentence shown
// there.
type Problem struct {
	Field   string
	Label   string // the field as the page names it, for the error summary; may be empty
	Message string
}

func (p Problem) Error() string { return p.Message }

// Problems is several problems refused at once, so a page shows every
// mistake in one pass.
type Problems []Problem

func (ps Problems) Error() string {
	if len(ps) == 0 {
		return ""
	}
	return ps[0].Message
}

// Err is ps as an error, nil when there are none.
func (ps Problems) Err() error {
	if len(ps) == 0 {
		return nil
	}
	return ps
}
