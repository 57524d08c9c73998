package audit_test

import (
	"fmt"
	"time"

	"github.com/warrantdesk/warrantdesk/server/internal/audit"
)

// Each event's hash covers the hash of the event before it, so changing any
// stored event changes every hash after it.
func ExampleHash() {
	at := time.Date(2026, 11, 20, 9, 30, 0, 0, time.UTC)
	first := audit.Event{Seq: 1, At: at, Actor: audit.Actor{Issuer: "https://idp.riverside.example", Subject: "officer-7", Role: "officer"},
		Action: "request.submit", ObjectType: "request", ObjectID: "r1", RequestID: "r1", Outcome: audit.OutcomeSuccess,
		PrevHash: audit.GenesisHash}
	first.Hash = audit.Hash(first)

	second := audit.Event{Seq: 2, At: at.Add(time.Minute), Actor: audit.Actor{Issuer: "https://idp.provider.example", Subject: "auditor-1", Role: "auditor"},
		Action: "audit.view", ObjectType: "audit", Outcome: audit.OutcomeSuccess, PrevHash: first.Hash}
	second.Hash = audit.Hash(second)
	fmt.Println(first.Hash)
	fmt.Println(second.Hash)

	edited := first
	edited.Actor.Subject = "officer-8"
	fmt.Println(audit.Hash(edited) == first.Hash)
	// Output:
	// a9c262bf9e0d7a4b427e318491161ac88324bdd5e6196605802caca771fcc22f
	// 840e07d658caf2f16813fad521524081c694c3fabfde4a0941123ddb4ece54f6
	// false
}

// An anchor is a signed note of the chain's head; verify-log checks the
// chain against it.
func ExampleFormatAnchor() {
	fmt.Print(audit.FormatAnchor("transparency.provider.example/warrantdesk", 1042,
		"a9c262bf9e0d7a4b427e318491161ac88324bdd5e6196605802caca771fcc22f"))
	// Output:
	// warrantdesk audit anchor
	// transparency.provider.example/warrantdesk
	// 1042
	// a9c262bf9e0d7a4b427e318491161ac88324bdd5e6196605802caca771fcc22f
}
