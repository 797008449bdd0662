package application

import "testing"

func TestInternalNote(t *testing.T) {
	for _, tc := range []struct {
		action string
		want   bool
		why    string
	}{
		{"request_correction", true, "再次补正说明 is for the record; the 补正告知书 tells the applicant"},
		{"deny", false, "行政许可法 第三十八条第二款: the 理由 is told"},
		{"not_accept", false, "行政许可法 第三十二条: 不予受理 is told in writing with its reason"},
		{"approve", false, "the 审批意见 is printed in the 准予许可决定书"},
		{"transfer", false, "the reason goes out by SMS"},
		{"record_exam", false, "the applicant's own scores"},
	} {
		if got := InternalNote(tc.action); got != tc.want {
			t.Errorf("InternalNote(%s) = %v, want %v (%s)", tc.action, got, tc.want, tc.why)
		}
	}
}
