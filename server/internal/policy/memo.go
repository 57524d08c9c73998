package policy

import (
	"crypto/sha256"
	"fmt"
	"maps"
	"slices"

	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/open-policy-agent/opa/v1/ast"
)

// A memo remembers recent decisions. Decisions are pure functions of their
// input and the bundle (today's date is part of the input), so the same
// input always gets the same answer; a request viewed, listed and checked
// again is decided once. Keys are SHA-256 digests of the exact Rego input,
// so the cache holds no identifiers, and any input field, present or added
// later, is part of the key. The least recently used decision goes first.
type memo[T any] struct {
	cache *lru.Cache[[sha256.Size]byte, T]
	clone func(T) T // callers may change what they get; the cache keeps its own
}

func newMemo[T any](max int, clone func(T) T) *memo[T] {
	if max <= 0 {
		return nil
	}
	c, err := lru.New[[sha256.Size]byte, T](max)
	if err != nil {
		panic(fmt.Sprintf("policy: memo of %d: %v", max, err)) // only for a size <= 0, excluded above
	}
	return &memo[T]{cache: c, clone: clone}
}

func memoKey(input ast.Value) [sha256.Size]byte {
	return sha256.Sum256([]byte(input.String()))
}

// get returns a copy of the remembered decision; a nil memo remembers nothing.
func (m *memo[T]) get(key [sha256.Size]byte) (T, bool) {
	if m == nil {
		var zero T
		return zero, false
	}
	v, ok := m.cache.Get(key)
	if !ok {
		return v, false
	}
	return m.clone(v), true
}

func (m *memo[T]) put(key [sha256.Size]byte, val T) {
	if m == nil {
		return
	}
	m.cache.Add(key, m.clone(val))
}

func (m *memo[T]) len() int {
	if m == nil {
		return 0
	}
	return m.cache.Len()
}

func cloneScope(s Scope) Scope {
	s.Errors = slices.Clone(s.Errors)
	s.Categories = slices.Clone(s.Categories)
	s.Refused = slices.Clone(s.Refused)
	s.Warnings = slices.Clone(s.Warnings)
	s.Fields = maps.Clone(s.Fields)
	for c, f := range s.Fields {
		s.Fields[c] = slices.Clone(f)
	}
	s.Notification.RefusalGrounds = slices.Clone(s.Notification.RefusalGrounds)
	return s
}

func cloneDecision(d Decision) Decision {
	d.Reasons = slices.Clone(d.Reasons)
	return d
}

func cloneRouting(r Routing) Routing {
	r.Reasons = slices.Clone(r.Reasons)
	return r
}

func cloneApprovals(a Approvals) Approvals {
	a.Roles = slices.Clone(a.Roles)
	a.Reasons = slices.Clone(a.Reasons)
	return a
}

// nondeterministic lists the calls of a bundle whose results change between
// evaluations of the same input (time.now_ns, http.send, rand.intn, …):
// decisions that use them cannot be remembered.
func nondeterministic(modules map[string]*ast.Module) []string {
	var found []string
	for _, m := range modules {
		ast.WalkExprs(m, func(x *ast.Expr) bool {
			if !x.IsCall() {
				return false
			}
			if b, ok := ast.BuiltinMap[x.Operator().String()]; ok && b.Nondeterministic {
				found = append(found, x.Location.String()+": "+b.Name)
			}
			return false
		})
	}
	slices.Sort(found)
	return found
}
