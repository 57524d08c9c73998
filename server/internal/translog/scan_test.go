package translog

import (
	"bytes"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/warrantdesk/warrantdesk/server/internal/day"
)

// TestScanCanonicalAgreesWithDecoder checks the fast scanner against the
// decoder on valid leaves and on many mutations of them: whatever the
// scanner accepts, the decoder accepts as the same record, and every valid
// leaf is accepted by the scanner.
func TestScanCanonicalAgreesWithDecoder(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 9))
	d, _ := day.Parse("2026-02-28")
	base := []Record{
		{Version: 1, Event: "received", Commitment: strings.Repeat("ab", 32), Date: d, Country: "US", AgencyKind: "police",
			Process: "us.subpoena", RequestType: TypeLegalProcess, Categories: []string{"connection_log", "subscriber"}, Accounts: 12, NDO: true},
		{Version: 1, Event: "decided", Commitment: strings.Repeat("0f", 32), Date: d.AddDays(1), Country: "GB", AgencyKind: "federal",
			Process: "uk.ipa", RequestType: TypeEmergency, Categories: []string{}, Outcome: "rejected.overbroad"},
		{Version: 1, Event: "notice_sent", Commitment: strings.Repeat("99", 32), Date: d.AddDays(400), Country: "DE", AgencyKind: "p",
			Process: "eu.epoc", RequestType: TypePreservation, Categories: []string{"a"}, Accounts: 0},
	}
	alphabet := []byte(`{}[]",:0123456789abcdefghijklmnopqrstuvwxyzAZ._- \t\\` + "\u00e9")
	mutations := 0
	for _, r := range base {
		leaf, err := r.Encode()
		if err != nil {
			t.Fatal(err)
		}
		if got, ok := scanCanonical(leaf); !ok || !reflect.DeepEqual(got, r) {
			t.Fatalf("the scanner refuses or misreads a canonical leaf: %v %+v\n%s", ok, got, leaf)
		}
		for range 20000 {
			m := bytes.Clone(leaf)
			switch rng.IntN(3) {
			case 0:
				m[rng.IntN(len(m))] = alphabet[rng.IntN(len(alphabet))]
			case 1:
				i := rng.IntN(len(m))
				m = append(m[:i], m[i+1:]...)
			case 2:
				i := rng.IntN(len(m) + 1)
				m = append(m[:i], append([]byte{alphabet[rng.IntN(len(alphabet))]}, m[i:]...)...)
			}
			fast, fastOK := scanCanonical(m)
			slow, slowErr := decodeRecord(m)
			if fastOK && (slowErr != nil || !reflect.DeepEqual(fast, slow)) {
				t.Fatalf("the scanner accepts what the decoder does not: %s\nfast %+v\nslow %+v %v", m, fast, slow, slowErr)
			}
			if slowErr == nil && !fastOK {
				t.Fatalf("the scanner refuses a canonical leaf: %s", m)
			}
			mutations++
		}
	}
	t.Logf("%d mutations agree", mutations)
}
