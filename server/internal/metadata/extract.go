package metadata

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/warrantdesk/warrantdesk/server/internal/day"
	"github.com/warrantdesk/warrantdesk/server/internal/errs"
)

// A Scope is exactly what one production may read: the approved categories
// of the resolved accounts within the approved window.
type Scope struct {
	// RequestID is the request being produced. Envelope records are released
	// only to the request whose order collected them.
	RequestID  string
	Categories []string
	AccountIDs []string
	// From and To bound the approved window, [From, To). Time-bound
	// categories (connection log, devices, groups, envelopes) return only
	// records within it; the others are a current state.
	From, To time.Time
	// HoldRequests are preservation requests this production fulfils: rows
	// their active holds cover are produced even past retention. Without
	// them, nothing older than retention is ever returned.
	HoldRequests []string
	// Fields limits what a category releases: for a category listed here
	// only the named fields of its records are produced, in the category's
	// order (an EU order made solely to identify the user releases the
	// connection log's time, IP address and source port, Regulation (EU)
	// 2023/1543 Art. 3(10)). A category not listed releases every field.
	Fields map[string][]string
}

// Released returns the fields category c releases under sc, in the
// category's order: all of Fields(c), or only those sc.Fields names for c.
// Returns Invalid for a category the store does not hold, or a limit that
// names a field c does not have, or none at all: a limit that cannot be
// honoured exactly is refused, never widened.
func (sc Scope) Released(c string) ([]Field, error) {
	all := Fields(c)
	if all == nil {
		return nil, errs.E(errs.Invalid, "The metadata store holds no category %q.", c)
	}
	only, limited := sc.Fields[c]
	if !limited {
		return all, nil
	}
	if len(only) == 0 {
		return nil, errs.E(errs.Invalid, "The approved scope releases no field of %s.", c)
	}
	for _, name := range only {
		if !slices.ContainsFunc(all, func(f Field) bool { return f.Name == name }) {
			return nil, errs.E(errs.Invalid, "The approved scope names a field %q that %s does not have.", name, c)
		}
	}
	return slices.DeleteFunc(slices.Clone(all), func(f Field) bool { return !slices.Contains(only, f.Name) }), nil
}

// Fields returns the fields of category c's records, in order; nil for a
// category the store does not hold.
func Fields(c string) []Field {
	if s, ok := specs[c]; ok {
		return s.fields
	}
	return nil
}

// A spec is how one category is read and encoded.
type spec struct {
	fields    []Field
	timeBound bool
	// query returns the SELECT for one account; its columns are what scan reads.
	query func(q *queryBuilder, accountID string)
	scan  func(rows *sql.Rows, e *encoder) error
}

var specs = map[string]spec{
	Subscriber: {
		fields: []Field{
			{"account_id", "The account's identifier (a UUID)."},
			{"phone", "The phone number the account is registered with, in E.164 form (+ and country code)."},
			{"username", "The account's username, lowercase; null when none was chosen."},
			{"email", "The e-mail address the account holder gave, lowercase; null when none was given."},
			{"profile_name", "The profile name the account holder set. In the CSV file a value that begins with =, +, - or @ is prefixed with an apostrophe so that spreadsheets do not evaluate it."},
			{"status", "active, or deleted when the account holder deleted the account."},
			{"registered_at", "When the account was registered."},
			{"deleted_at", "When the account was deleted; null while it exists."},
		},
		query: func(q *queryBuilder, id string) {
			q.sql(`SELECT a.id, a.phone, a.username, a.email, a.profile_name, a.status, a.registered_at, a.deleted_at
				FROM md_accounts a WHERE a.id = ?`, id)
			q.sql(` AND (a.status = 'active' OR a.deleted_at >= ?`, q.cutoff(Subscriber))
			q.held("a.id", Subscriber, "", "")
			q.sql(`)`)
		},
		scan: func(rows *sql.Rows, e *encoder) error {
			var id, phone, profile, status string
			var username, email sql.NullString
			var registered time.Time
			var deleted sql.NullTime
			if err := rows.Scan(&id, &phone, &username, &email, &profile, &status, &registered, &deleted); err != nil {
				return err
			}
			e.str("account_id", id)
			e.str("phone", phone)
			e.optStr("username", nullString(username))
			e.optStr("email", nullString(email))
			e.text("profile_name", profile)
			e.str("status", status)
			e.time("registered_at", registered)
			e.optTime("deleted_at", nullTime(deleted))
			return nil
		},
	},
	Activity: {
		fields: []Field{
			{"account_id", "The account's identifier."},
			{"service_start", "The day the account started using the service (YYYY-MM-DD)."},
			{"last_seen", "The last day the account connected to the service (YYYY-MM-DD). Only the latest value is kept."},
		},
		query: func(q *queryBuilder, id string) {
			q.sql(`SELECT v.account_id, v.service_start, v.last_seen
				FROM md_activity v JOIN md_accounts a ON a.id = v.account_id WHERE v.account_id = ?`, id)
			q.sql(` AND (a.status = 'active' OR a.deleted_at >= ?`, q.cutoff(Activity))
			q.held("a.id", Activity, "", "")
			q.sql(`)`)
		},
		scan: func(rows *sql.Rows, e *encoder) error {
			var id string
			var start, last day.Date
			if err := rows.Scan(&id, &start, &last); err != nil {
				return err
			}
			e.str("account_id", id)
			e.str("service_start", start.String())
			e.str("last_seen", last.String())
			return nil
		},
	},
	ConnectionLog: {
		timeBound: true,
		fields: []Field{
			{"account_id", "The account's identifier."},
			{"time", "When the event happened."},
			{"ip", "The IP address the connection came from (IPv4 or IPv6)."},
			{"port", "The source port of the connection."},
			{"event", "connect, disconnect, or register (the account's registration)."},
		},
		query: func(q *queryBuilder, id string) {
			q.sql(`SELECT e.account_id, e.at, e.ip, e.port, e.event FROM md_connection_events e
				WHERE e.account_id = ? AND e.at >= ? AND e.at < ?`, id, q.sc.From, q.sc.To)
			q.sql(` AND (e.at >= ?`, q.cutoff(ConnectionLog))
			q.held("e.account_id", ConnectionLog, "e.at", "e.at")
			q.sql(`) ORDER BY e.at, e.id`)
		},
		scan: func(rows *sql.Rows, e *encoder) error {
			// The hot path of a large production: the text columns are
			// read into reused buffers rather than new strings.
			var at time.Time
			var port int64
			if err := rows.Scan(&e.raw[0], &at, &e.raw[1], &port, &e.raw[2]); err != nil {
				return err
			}
			e.bytes("account_id", e.raw[0])
			e.time("time", at)
			e.bytes("ip", e.raw[1])
			e.int("port", port)
			e.bytes("event", e.raw[2])
			return nil
		},
	},
	Device: {
		timeBound: true,
		fields: []Field{
			{"account_id", "The account's identifier."},
			{"device_no", "The device's number within the account: 1 is the primary device, higher numbers are linked devices."},
			{"model", "The device model the app reported."},
			{"os", "The operating system and its version."},
			{"app_version", "The version of the messaging app."},
			{"first_seen_at", "When the device first connected."},
			{"last_seen_at", "When the device last connected."},
		},
		query: func(q *queryBuilder, id string) {
			q.sql(`SELECT d.account_id, d.device_no, d.model, d.os, d.app_version, d.first_seen_at, d.last_seen_at
				FROM md_devices d WHERE d.account_id = ? AND d.first_seen_at < ? AND d.last_seen_at >= ?`, id, q.sc.To, q.sc.From)
			q.sql(` AND (d.last_seen_at >= ?`, q.cutoff(Device))
			q.held("d.account_id", Device, "d.first_seen_at", "d.last_seen_at")
			q.sql(`) ORDER BY d.device_no, d.id`)
		},
		scan: func(rows *sql.Rows, e *encoder) error {
			var id, model, os, version string
			var no int64
			var first, last time.Time
			if err := rows.Scan(&id, &no, &model, &os, &version, &first, &last); err != nil {
				return err
			}
			e.str("account_id", id)
			e.int("device_no", no)
			e.str("model", model)
			e.str("os", os)
			e.str("app_version", version)
			e.time("first_seen_at", first)
			e.time("last_seen_at", last)
			return nil
		},
	},
	Contacts: {
		fields: []Field{
			{"account_id", "The account's identifier."},
			{"kind", "contact (an address book entry) or blocked (a blocked number)."},
			{"identifier", "The entry's phone number in E.164 form. No names are stored."},
			{"added_at", "When the entry was added."},
			{"removed_at", "When the entry was removed; null while it is on the list. Removed entries are kept for a short time only."},
		},
		query: func(q *queryBuilder, id string) {
			q.sql(`SELECT c.account_id, c.kind, c.identifier, c.added_at, c.removed_at FROM md_contacts c
				WHERE c.account_id = ? AND (c.removed_at IS NULL OR c.removed_at >= ?`, id, q.cutoff(Contacts))
			q.held("c.account_id", Contacts, "c.added_at", "c.removed_at")
			q.sql(`) ORDER BY c.kind, c.identifier, c.id`)
		},
		scan: func(rows *sql.Rows, e *encoder) error {
			var id, kind, ident string
			var added time.Time
			var removed sql.NullTime
			if err := rows.Scan(&id, &kind, &ident, &added, &removed); err != nil {
				return err
			}
			e.str("account_id", id)
			e.str("kind", kind)
			e.str("identifier", ident)
			e.time("added_at", added)
			e.optTime("removed_at", nullTime(removed))
			return nil
		},
	},
	Groups: {
		timeBound: true,
		fields: []Field{
			{"account_id", "The account's identifier."},
			{"group_id", "An opaque identifier of the group. Group names and avatars are end-to-end encrypted and not available."},
			{"role", "member or admin."},
			{"member_count", "How many members the group has."},
			{"joined_at", "When the account joined the group."},
			{"left_at", "When the account left the group; null while it is a member."},
		},
		query: func(q *queryBuilder, id string) {
			q.sql(`SELECT g.account_id, g.group_id, g.role, g.member_count, g.joined_at, g.left_at FROM md_group_memberships g
				WHERE g.account_id = ? AND g.joined_at < ? AND (g.left_at IS NULL OR g.left_at >= ?)`, id, q.sc.To, q.sc.From)
			q.sql(` AND (g.left_at IS NULL OR g.left_at >= ?`, q.cutoff(Groups))
			q.held("g.account_id", Groups, "g.joined_at", "g.left_at")
			q.sql(`) ORDER BY g.joined_at, g.id`)
		},
		scan: func(rows *sql.Rows, e *encoder) error {
			var id, group, role string
			var members int64
			var joined time.Time
			var left sql.NullTime
			if err := rows.Scan(&id, &group, &role, &members, &joined, &left); err != nil {
				return err
			}
			e.str("account_id", id)
			e.str("group_id", group)
			e.str("role", role)
			e.int("member_count", members)
			e.time("joined_at", joined)
			e.optTime("left_at", nullTime(left))
			return nil
		},
	},
	Envelope: {
		timeBound: true,
		fields: []Field{
			{"account_id", "The target account the record was collected for."},
			{"time", "When the message or call was routed."},
			{"sender", "The sender's phone number in E.164 form."},
			{"recipient", "The recipient's phone number in E.164 form."},
			{"type", "message, call, or receipt (a delivery or read receipt)."},
			{"size_bytes", "The size of the encrypted envelope in bytes. Its content is end-to-end encrypted and not available."},
		},
		query: func(q *queryBuilder, id string) {
			q.sql(`SELECT e.account_id, e.at, e.sender, e.recipient, e.type, e.size_bytes
				FROM md_envelopes e JOIN md_collection_orders o ON o.id = e.order_id
				WHERE o.request_id = ? AND e.account_id = ? AND e.at >= ? AND e.at < ?`, q.sc.RequestID, id, q.sc.From, q.sc.To)
			q.sql(` AND COALESCE(o.stopped_at, o.ends_at) >= ?`, q.now.AddDate(0, 0, -EnvelopeGraceDays))
			q.sql(` ORDER BY e.at, e.id`)
		},
		scan: func(rows *sql.Rows, e *encoder) error {
			var id, sender, recipient, typ string
			var at time.Time
			var size int64
			if err := rows.Scan(&id, &at, &sender, &recipient, &typ, &size); err != nil {
				return err
			}
			e.str("account_id", id)
			e.time("time", at)
			e.str("sender", sender)
			e.str("recipient", recipient)
			e.str("type", typ)
			e.int("size_bytes", size)
			return nil
		},
	},
}

// queryBuilder assembles one category query with its arguments.
type queryBuilder struct {
	b    strings.Builder
	args []any
	sc   Scope
	ret  Retention
	now  time.Time
}

func (q *queryBuilder) sql(s string, args ...any) {
	q.b.WriteString(s)
	q.args = append(q.args, args...)
}

func (q *queryBuilder) cutoff(c string) time.Time { return q.ret.Cutoff(c, q.now) }

// held adds "OR <an active hold of the scope's preservations covers the
// row>". start and end are the row's time or interval ("" for a category
// that is a current state, which a hold covers whole); end may be NULL
// (still open).
func (q *queryBuilder) held(account, category, start, end string) {
	if len(q.sc.HoldRequests) == 0 {
		return
	}
	q.sql(` OR EXISTS (SELECT 1 FROM md_holds h WHERE h.request_id IN ? AND h.account_id = `+account+
		` AND h.category = ? AND h.status = 'active' AND h.expires_at > ?`, q.sc.HoldRequests, category, q.now)
	if start != "" {
		q.sql(` AND ` + start + ` < h.to_at AND (` + end + ` IS NULL OR ` + end + ` >= h.from_at)`)
	}
	q.sql(`)`)
}

// Stream reads category c of sc's accounts, as of now, and calls emit with
// each record, one account after another in scope order and in a stable
// order within each. A record holds the fields sc releases for c
// (Released), and no other. Rows are read and encoded one at a time, so memory
// does not grow with their number. Nothing outside the scope is returned:
// not another account, not a record outside the window, not one past
// retention unless a hold of sc.HoldRequests covers it, and not an envelope
// collected for another request. It returns the number of records.
// Returns Invalid for a category the store does not hold, a time-bound
// category without a window, or a field limit Released refuses; emit's
// error; or Internal on a database failure.
func (s *Store) Stream(ctx context.Context, tx *gorm.DB, sc Scope, c string, now time.Time, emit func(*Record) error) (int64, error) {
	sp, ok := specs[c]
	if !ok {
		return 0, errs.E(errs.Invalid, "The metadata store holds no category %q.", c)
	}
	if sp.timeBound && (sc.From.IsZero() || sc.To.IsZero() || !sc.From.Before(sc.To)) {
		return 0, errs.E(errs.Invalid, "The %s category needs a date range.", c)
	}
	var n int64
	var e encoder
	if _, limited := sc.Fields[c]; limited {
		fields, err := sc.Released(c)
		if err != nil {
			return 0, err
		}
		e.only = make([]string, len(fields))
		for i, f := range fields {
			e.only[i] = f.Name
		}
	}
	// The connection log is the one category that runs to millions of
	// records; on PostgreSQL outside a transaction it is read through pgx
	// directly (pgfast.go).
	var pool *sql.DB
	if c == ConnectionLog && tx.Dialector.Name() == "postgres" {
		pool, _ = tx.Statement.ConnPool.(*sql.DB)
	}
	for _, id := range sc.AccountIDs {
		q := &queryBuilder{sc: sc, ret: s.Retention, now: now}
		sp.query(q, id)
		if pool != nil {
			m, err := streamConnectionLogPG(ctx, pool, q, &e, emit)
			n += m
			if err == nil {
				continue
			}
			if !errors.Is(err, errNotPgx) {
				return n, fmt.Errorf("extract %s: %w", c, err)
			}
		}
		rows, err := tx.WithContext(ctx).Raw(q.b.String(), q.args...).Rows()
		if err != nil {
			return n, fmt.Errorf("extract %s: %w", c, err)
		}
		for rows.Next() {
			e.begin()
			if err := sp.scan(rows, &e); err != nil {
				rows.Close()
				return n, fmt.Errorf("extract %s: %w", c, err)
			}
			if err := emit(e.end()); err != nil {
				rows.Close()
				return n, err
			}
			n++
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return n, fmt.Errorf("extract %s: %w", c, err)
		}
	}
	return n, nil
}

func nullString(v sql.NullString) *string {
	if !v.Valid {
		return nil
	}
	return &v.String
}

func nullTime(v sql.NullTime) *time.Time {
	if !v.Valid {
		return nil
	}
	return &v.Time
}
