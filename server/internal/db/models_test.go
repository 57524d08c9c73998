package db_test

import (
	"github.com/warrantdesk/warrantdesk/server/internal/agency"
	"github.com/warrantdesk/warrantdesk/server/internal/audit"
	"github.com/warrantdesk/warrantdesk/server/internal/disclosure"
	"github.com/warrantdesk/warrantdesk/server/internal/identity"
	"github.com/warrantdesk/warrantdesk/server/internal/metadata"
	"github.com/warrantdesk/warrantdesk/server/internal/request"
	"github.com/warrantdesk/warrantdesk/server/internal/translog"
	"github.com/warrantdesk/warrantdesk/server/internal/workflow"
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
	&translog.NationalSecurityEvent{},
	&metadata.Account{},
	&metadata.AccountActivity{},
	&metadata.ConnectionEvent{},
	&metadata.DeviceRecord{},
	&metadata.Contact{},
	&metadata.GroupMembership{},
	&metadata.CollectionOrder{},
	&metadata.EnvelopeRecord{},
	&metadata.Hold{},
	&disclosure.Production{},
	&disclosure.Download{},
	&disclosure.Recipient{},
	&disclosure.Notice{},
	&workflow.Case{},
	&workflow.Approval{},
	&workflow.Link{},
	&workflow.Message{},
	&workflow.Notification{},
}
