// Package policies embeds the legal policy bundle: the Rego modules of the
// catalogue, disclosure scope, routing, approvals, authorisation and
// requester signals, with their tests beside them.
package policies

import (
	"embed"
	"io/fs"
)

//go:embed catalogue disclosure routing approvals authz signals messages
var files embed.FS

// FS holds every file of the bundle, *_test.rego included: policy.Load skips
// the tests, and the policy package's Go tests run them.
var FS fs.FS = files
