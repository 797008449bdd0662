package application

// Problem is one thing the applicant or officer must fix, named the way the
// form names it: Field is a stable slug of the form field ("items",
// "items[1].chosen", "manual.id_number") so the page can mark the field and
// link to it from the error summary; Message is the Chinese sentence shown
// there.
type Problem struct {
	Field   string
	Message string
}

func (p Problem) Error() string { return p.Message }
