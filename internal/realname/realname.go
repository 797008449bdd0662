// Package realname confirms that a person registering online is who their
// 证件号码 says (实名核验), when the registry holds that person and has no
// mobile number of theirs on record to send the code to. The check asks
// whether the mobile typed in is registered in that person's name: since
// 2013 every Chinese mobile number is sold against the buyer's ID (工业和信息
// 化部令第25号《电话用户真实身份信息登记规定》), so the carriers can answer it
// (手机号实名“三要素”核验: 姓名, 证件号码, 手机号). Together with the SMS code
// that proves the phone is in the registering person's hand, it proves the
// person.
package realname

import "context"

// Verifier answers whether mobile is registered in the name of the holder
// of idNumber. ok false comes with a message the person can act on; err is
// a failure of the verification service itself.
type Verifier interface {
	MobileBelongsTo(ctx context.Context, name, idNumber, mobile string) (ok bool, message string, err error)
}

// Mismatch is the refusal when the carrier's record does not match.
const Mismatch = "实名核验未通过：该手机号不是以您本人身份证登记的号码。请使用以本人身份证办理的手机号，或携带身份证到受理机关窗口办理"

// Embedded is the built-in verifier for demonstration and tests: it knows
// the mobiles in Records (证件号码 → the mobile registered under it) and no
// others. A deployment replaces it with an adapter to the carriers' or the
// city's verification API; with no records it confirms no one, so a
// service without an adapter never lets an unproven registration claim a
// holder.
type Embedded struct {
	Records map[string]Record
}

// Record is what a carrier holds of one mobile.
type Record struct{ Name, Mobile string }

func (e Embedded) MobileBelongsTo(_ context.Context, name, idNumber, mobile string) (bool, string, error) {
	r, ok := e.Records[idNumber]
	if !ok || r.Name != name || r.Mobile != mobile {
		return false, Mismatch, nil
	}
	return true, "", nil
}
