package db_test

import (
	"github.com/warrantdesk/warrantdesk/server/internal/agency"
	"github.com/warrantdesk/warrantdesk/server/internal/audit"
	"github.com/warrantdesk/warrantdesk/server/internal/identity"
	"github.com/warrantdesk/warrantdesk/server/internal/request"
	"github.com/warrantdesk/warrantdesk/server/internal/translog"
)

// models lists every gorm model of every domain package. A new model must
// be added here, so TestModelsMatchSchema checks it against the migrations.
var models = []any{
	&agency.Agency{},
	&audit.Event{},
	&audit.Anchor{},
	&audit.Pending{},
	&identity.Person{},
	&identity.Session{},
	&request.Request{},
	&request.Document{},
	&request.HistoryEntry{},
	&translog.Entry{},
	&translog.StoredHash{},
	&translog.SignedCheckpoint{},
}
