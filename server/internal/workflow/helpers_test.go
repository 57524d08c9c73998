package workflow_test

import (
	"sync/atomic"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/warrantdesk/warrantdesk/server/internal/identity"
	wt "github.com/warrantdesk/warrantdesk/server/internal/workflow/workflowtest"
)

type (
	identityP = identity.Principal
	gormDB    = gorm.DB
)

func ptr[T any](v T) *T { return &v }

// supervisorClient is an agency system holding the supervisor role: it
// still cannot co-sign, which takes a person's own sign-in.
func supervisorClient(e *wt.Env) *identity.Principal {
	p := *e.Lieutenant
	p.Kind = identity.KindClient
	return &p
}

var _ = testing.Short

// skewed is a clock that runs behind or ahead of the real one by an offset
// the test sets: the engine computes deadlines by it while River schedules
// by the real clock, so a deadline can be made to fall due now.
type skewed struct{ off atomic.Int64 }

func (c *skewed) now() time.Time      { return time.Now().Add(time.Duration(c.off.Load())) }
func (c *skewed) set(d time.Duration) { c.off.Store(int64(d)) }
