package policy

import (
	"context"
	"encoding/json"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
)

// ScopeInputValue exposes the hand-built Rego input of a ScopeInput.
func ScopeInputValue(in ScopeInput) ast.Value {
	return (&Engine{now: time.Now}).scopeValue(in)
}

// AuthzInputValue exposes the hand-built Rego input of an AuthzInput.
var AuthzInputValue = authzValue

// RawCatalogue returns the catalogue exactly as the policy produces it.
func RawCatalogue(ctx context.Context, e *Engine) ([]byte, error) {
	v, err := evalValue(ctx, e.catalogue, ast.NewObject(), queryCatalogue)
	if err != nil {
		return nil, err
	}
	return json.Marshal(v)
}

// MemoLen reports how many scope decisions the Engine remembers.
func MemoLen(e *Engine) int { return e.scopes.len() }

// Memoizes reports whether the Engine remembers decisions at all.
func Memoizes(e *Engine) bool { return e.scopes != nil }

// HasMessage reports whether the bundle's messages of lang list en itself.
func HasMessage(m *Messages, lang, en string) bool {
	_, ok := m.langs[lang].exact[en]
	return ok
}
