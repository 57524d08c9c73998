package demo

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/warrantdesk/warrantdesk/server/internal/day"
	"github.com/warrantdesk/warrantdesk/server/internal/db"
	"github.com/warrantdesk/warrantdesk/server/internal/metadata"
)

// MaxAccounts is how many fictional accounts the generator can number:
// every phone number is +1 555 01xx xxx, a range reserved for fiction.
const MaxAccounts = 100000

// TargetIndex is the account number of the demo target, +1 555 0100 123,
// which the demo, the docs and the smoke test name.
const TargetIndex = 123

// accountNamespace makes account ids a function of the phone number, so a
// seeded account has the same id on every machine.
var accountNamespace = uuid.MustParse("6f1c1f36-9c1a-4c8e-9d55-7f3b2a1c0e55")

// PhoneOf returns the E.164 phone number of fictional account number i
// (0 ≤ i < MaxAccounts): +155501 followed by five digits.
func PhoneOf(i int) string { return fmt.Sprintf("+155501%05d", i) }

// AccountIDOf returns the account id the generator gives phone.
func AccountIDOf(phone string) string { return uuid.NewSHA1(accountNamespace, []byte(phone)).String() }

// MetadataOptions say what fictional data to write.
type MetadataOptions struct {
	Accounts     int       // how many accounts
	FirstIndex   int       // the first account's number (see PhoneOf)
	Days         int       // days of history up to Now
	EventsPerDay float64   // average connection events per account and day; default 8
	Seed         uint64    // the same seed writes the same data
	Now          time.Time // the end of the history; default time.Now
	// Progress, when set, is called every few thousand connection events
	// with the number written so far and the expected total, and once at
	// the end with both equal to the number written.
	Progress func(done, total int64)
}

// MetadataStats counts what GenerateMetadata wrote.
type MetadataStats struct {
	Accounts, ConnectionEvents, Devices, Contacts, Groups int64
}

// GenerateMetadata writes realistic, entirely fictional metadata: accounts with
// +1 555 01xx numbers, usernames and example.com-style addresses, sessions
// from the documentation address ranges (192.0.2.0/24, 198.51.100.0/24,
// 203.0.113.0/24, 2001:db8::/32), devices, contacts and blocks among the
// fictional numbers, and group memberships. Each account's data depends
// only on the seed and its number, so runs are reproducible.
//
// Rows go in through prepared multi-row INSERTs in large transactions,
// which writes a million connection events on SQLite in well under a
// minute. Returns Invalid-style errors for impossible options and
// Internal ones on a database failure (including an account number that
// already exists).
func GenerateMetadata(ctx context.Context, d *db.DB, o MetadataOptions) (MetadataStats, error) {
	var st MetadataStats
	if o.Accounts < 1 || o.FirstIndex < 0 || o.FirstIndex+o.Accounts > MaxAccounts {
		return st, fmt.Errorf("generate: accounts %d from %d: the fictional range holds numbers 0 to %d", o.Accounts, o.FirstIndex, MaxAccounts-1)
	}
	if o.Days < 1 {
		return st, errors.New("generate: days must be at least 1")
	}
	if o.EventsPerDay <= 0 {
		o.EventsPerDay = 8
	}
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	o.Now = o.Now.UTC().Truncate(time.Second)
	total := int64(float64(o.Accounts) * float64(o.Days) * o.EventsPerDay)

	w, err := newBulkWriter(ctx, d)
	if err != nil {
		return st, err
	}
	defer w.close()
	accounts := w.table("md_accounts", "id", "phone", "username", "email", "profile_name", "status", "registered_at", "deleted_at")
	activity := w.table("md_activity", "account_id", "service_start", "last_seen")
	events := w.table("md_connection_events", "account_id", "at", "ip", "port", "event")
	devices := w.table("md_devices", "account_id", "device_no", "model", "os", "app_version", "first_seen_at", "last_seen_at")
	contacts := w.table("md_contacts", "account_id", "kind", "identifier", "added_at", "removed_at")
	groups := w.table("md_group_memberships", "account_id", "group_id", "role", "member_count", "joined_at", "left_at")

	report := func() {
		if o.Progress != nil {
			o.Progress(st.ConnectionEvents, max(total, st.ConnectionEvents))
		}
	}
	// Accounts first, in full batches, so that no batch of their records
	// waits on a partial batch of accounts.
	for i := o.FirstIndex; i < o.FirstIndex+o.Accounts; i++ {
		a := newFakeAccount(o, i)
		if err := accounts.add(a.id, a.phone, a.username, a.email, a.profile, a.status, a.registered, a.deleted); err != nil {
			return st, err
		}
		st.Accounts++
	}
	for i := o.FirstIndex; i < o.FirstIndex+o.Accounts; i++ {
		if err := ctx.Err(); err != nil {
			return st, err
		}
		a := newFakeAccount(o, i) // the same account again: its data depends only on the seed and i
		last := a.registered
		err := a.sessions(func(at time.Time, ip string, port int, event string) error {
			st.ConnectionEvents++
			if at.After(last) {
				last = at
			}
			if err := events.add(a.id, at, ip, port, event); err != nil {
				return err
			}
			if w.pending >= commitEvery {
				if err := w.commit(); err != nil {
					return err
				}
			}
			if st.ConnectionEvents%16384 == 0 {
				report()
			}
			return nil
		})
		if err != nil {
			return st, err
		}
		if err := activity.add(a.id, day.Of(a.registered), day.Of(last)); err != nil {
			return st, err
		}
		for _, dv := range a.devices(last) {
			st.Devices++
			if err := devices.add(a.id, dv.no, dv.model, dv.os, dv.version, dv.first, dv.last); err != nil {
				return st, err
			}
		}
		for _, c := range a.contacts() {
			st.Contacts++
			if err := contacts.add(a.id, c.kind, c.identifier, c.added, c.removed); err != nil {
				return st, err
			}
		}
		for _, g := range a.groups() {
			st.Groups++
			if err := groups.add(a.id, g.id, g.role, g.members, g.joined, g.left); err != nil {
				return st, err
			}
		}
	}
	if err := w.commit(); err != nil {
		return st, err
	}
	if o.Progress != nil {
		o.Progress(st.ConnectionEvents, st.ConnectionEvents) // done: the estimate gives way to the count
	}
	return st, nil
}

// SeedMetadata writes the demo's small data set when the store is empty: two
// dozen accounts numbered from 100, the demo target +1 555 0100 123 among
// them, with four months of history. It returns whether it wrote anything.
// It takes well under a second, so `serve --demo` calls it at every start.
//
// Replicas starting together on one PostgreSQL seed one at a time: each
// holds a transaction-scoped advisory lock while it checks the store and
// fills it, so the first seeds and commits and the others then find its
// accounts and write nothing. The lock ends with its transaction, however
// SeedMetadata returns, and with the connection if the process dies.
func SeedMetadata(ctx context.Context, d *db.DB, now time.Time) (bool, error) {
	if d.Dialect == db.Postgres {
		lock, err := d.SQL.BeginTx(ctx, nil)
		if err != nil {
			return false, fmt.Errorf("seed demo metadata: %w", err)
		}
		defer lock.Rollback() //nolint:errcheck // ends the transaction, and so the lock
		if _, err := lock.ExecContext(ctx, "SELECT pg_advisory_xact_lock($1)", seedMetadataLock); err != nil {
			return false, fmt.Errorf("seed demo metadata: lock: %w", err)
		}
	}
	var n int64
	if err := d.WithContext(ctx).Model(&metadata.Account{}).Limit(1).Count(&n).Error; err != nil {
		return false, fmt.Errorf("seed demo metadata: %w", err)
	}
	if n > 0 {
		return false, nil
	}
	_, err := GenerateMetadata(ctx, d, MetadataOptions{Accounts: 24, FirstIndex: 100, Days: 120, EventsPerDay: 6, Seed: 2026, Now: now})
	return err == nil, err
}

// seedMetadataLock is the PostgreSQL advisory lock SeedMetadata holds.
const seedMetadataLock = 0x7744_736d // "wDsm"

// commitEvery is how many rows one seeding transaction holds: large enough
// that commits cost nothing, small enough that a crash loses little.
const commitEvery = 200000

// rowsPerInsert is how many rows one INSERT statement carries.
const rowsPerInsert = 64

// bulkWriter inserts rows through prepared multi-row statements inside
// transactions it commits every commitEvery rows.
type bulkWriter struct {
	ctx     context.Context
	d       *db.DB
	conn    *sql.Conn
	tx      *sql.Tx
	tables  []*bulkTable
	pending int
}

type bulkTable struct {
	w    *bulkWriter
	name string
	cols []string
	args []any
	stmt *sql.Stmt // rowsPerInsert rows, prepared once per transaction
}

// sqliteBulkPragmas give the seeding connection a page cache large enough
// for the indexes it grows and keep statement journals in memory: without
// them SQLite spends most of a bulk load evicting and re-reading pages.
// sqliteDefaultPragmas restore the defaults before the connection returns
// to the pool.
var (
	sqliteBulkPragmas    = []string{"PRAGMA cache_size = -131072", "PRAGMA temp_store = MEMORY"}
	sqliteDefaultPragmas = []string{"PRAGMA cache_size = -2000", "PRAGMA temp_store = DEFAULT"}
)

func newBulkWriter(ctx context.Context, d *db.DB) (*bulkWriter, error) {
	conn, err := d.SQL.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("generate: connect: %w", err)
	}
	w := &bulkWriter{ctx: ctx, d: d, conn: conn}
	if d.Dialect == db.SQLite {
		for _, p := range sqliteBulkPragmas {
			if _, err := conn.ExecContext(ctx, p); err != nil {
				conn.Close()
				return nil, fmt.Errorf("generate: %s: %w", p, err)
			}
		}
	}
	if err := w.begin(); err != nil {
		w.close()
		return nil, err
	}
	return w, nil
}

func (w *bulkWriter) begin() error {
	tx, err := w.conn.BeginTx(w.ctx, nil)
	if err != nil {
		return fmt.Errorf("generate: begin: %w", err)
	}
	w.tx = tx
	return nil
}

func (w *bulkWriter) table(name string, cols ...string) *bulkTable {
	t := &bulkTable{w: w, name: name, cols: cols, args: make([]any, 0, rowsPerInsert*len(cols))}
	w.tables = append(w.tables, t)
	return t
}

// insertSQL is an INSERT of n rows with the dialect's placeholders.
func (t *bulkTable) insertSQL(n int) string {
	var b strings.Builder
	b.WriteString("INSERT INTO " + t.name + " (" + strings.Join(t.cols, ", ") + ") VALUES ")
	p := 1
	for r := 0; r < n; r++ {
		if r > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('(')
		for c := range t.cols {
			if c > 0 {
				b.WriteByte(',')
			}
			if t.w.d.Dialect == db.Postgres {
				b.WriteString("$" + strconv.Itoa(p))
			} else {
				b.WriteByte('?')
			}
			p++
		}
		b.WriteByte(')')
	}
	return b.String()
}

func (t *bulkTable) add(vals ...any) error {
	t.args = append(t.args, vals...)
	t.w.pending++
	if len(t.args) == rowsPerInsert*len(t.cols) {
		return t.flush()
	}
	return nil
}

// flush writes the buffered rows: a full batch through the prepared
// statement, a partial one through a one-off statement.
func (t *bulkTable) flush() error {
	n := len(t.args) / len(t.cols)
	if n == 0 {
		return nil
	}
	// Every other table refers to an account: write the accounts first.
	if parent := t.w.tables[0]; parent != t {
		if err := parent.flush(); err != nil {
			return err
		}
	}
	var err error
	if n == rowsPerInsert {
		if t.stmt == nil {
			if t.stmt, err = t.w.tx.PrepareContext(t.w.ctx, t.insertSQL(n)); err != nil {
				return fmt.Errorf("generate: prepare %s: %w", t.name, err)
			}
		}
		_, err = t.stmt.ExecContext(t.w.ctx, t.args...)
	} else {
		_, err = t.w.tx.ExecContext(t.w.ctx, t.insertSQL(n), t.args...)
	}
	if err != nil {
		return fmt.Errorf("generate: insert into %s: %w", t.name, err)
	}
	clear(t.args)
	t.args = t.args[:0]
	return nil
}

// commit flushes every table in dependency order (accounts first), commits
// and starts the next transaction.
func (w *bulkWriter) commit() error {
	for _, t := range w.tables {
		if err := t.flush(); err != nil {
			return err
		}
		if t.stmt != nil {
			t.stmt.Close()
			t.stmt = nil
		}
	}
	err := w.tx.Commit()
	w.tx = nil
	if err != nil {
		return fmt.Errorf("generate: commit: %w", err)
	}
	w.pending = 0
	return w.begin()
}

// close rolls back what is not committed and returns the connection with
// its default settings.
func (w *bulkWriter) close() {
	for _, t := range w.tables {
		if t.stmt != nil {
			t.stmt.Close()
		}
	}
	if w.tx != nil {
		w.tx.Rollback()
	}
	if w.d.Dialect == db.SQLite {
		for _, p := range sqliteDefaultPragmas {
			// Best effort: a failure leaves a larger cache, not a wrong one.
			w.conn.ExecContext(context.Background(), p)
		}
	}
	w.conn.Close()
}

// fakeAccount is one fictional account and the random source its data
// comes from.
type fakeAccount struct {
	o          MetadataOptions
	r          *rand.Rand
	index      int
	id, phone  string
	username   *string
	email      *string
	profile    string
	status     string
	registered time.Time
	deleted    *time.Time
}

var (
	firstNames = []string{"Alex", "Sam", "Robin", "Kim", "Jordan", "Taylor", "Morgan", "Avery", "Riley", "Quinn", "Jamie", "Casey", "Noor", "Mika", "Luca", "Ines", "Tomás", "Aiko", "Zara", "Eli"}
	lastNames  = []string{"Example", "Sample", "Placeholder", "Fictional", "Testperson", "Doe", "Roe", "Mustermann", "Musterfrau", "Bloggs"}
	domains    = []string{"example.com", "example.org", "example.net"}
	models     = []struct{ model, os string }{
		{"Pixel 8", "Android 15"}, {"Pixel 7a", "Android 14"}, {"Galaxy S23", "Android 14"}, {"Galaxy A54", "Android 15"},
		{"iPhone 15", "iOS 18.1"}, {"iPhone 13", "iOS 17.6"}, {"iPad Air", "iPadOS 18.1"},
		{"Desktop", "macOS 15.1"}, {"Desktop", "Windows 11"}, {"Desktop", "Ubuntu 24.04"},
	}
	appVersions = []string{"7.19.0", "7.20.1", "7.21.0", "7.22.2", "7.23.0"}
)

func newFakeAccount(o MetadataOptions, i int) *fakeAccount {
	a := &fakeAccount{o: o, index: i, r: rand.New(rand.NewPCG(o.Seed, uint64(i)))}
	a.phone = PhoneOf(i)
	a.id = AccountIDOf(a.phone)
	first, last := firstNames[a.r.IntN(len(firstNames))], lastNames[a.r.IntN(len(lastNames))]
	a.profile = first + " " + last
	if a.r.IntN(10) < 7 {
		u := strings.ToLower(asciiOnly(first)) + "." + strings.ToLower(asciiOnly(last)) + strconv.Itoa(i)
		a.username = &u
	}
	if a.r.IntN(10) < 3 {
		e := strings.ToLower(asciiOnly(first)) + strconv.Itoa(i) + "@" + domains[a.r.IntN(len(domains))]
		a.email = &e
	}
	if i == TargetIndex {
		u, e := "casey.example", "casey@example.com"
		a.profile, a.username, a.email = "Casey Example", &u, &e
	}
	// Most accounts predate the history; some registered during it.
	back := o.Days + a.r.IntN(720)
	if a.r.IntN(10) == 0 {
		back = a.r.IntN(o.Days) + 1
	}
	a.registered = o.Now.Add(-time.Duration(back)*24*time.Hour - time.Duration(a.r.IntN(86400))*time.Second)
	a.status = metadata.StatusActive
	if i != TargetIndex && a.r.IntN(20) == 0 {
		del := o.Now.Add(-time.Duration(a.r.IntN(150)+1) * 24 * time.Hour)
		if del.After(a.registered) {
			a.status, a.deleted = metadata.StatusDeleted, &del
		}
	}
	return a
}

func asciiOnly(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 128 {
			return r
		}
		return -1
	}, s)
}

// ip returns an address from the documentation ranges: mostly IPv4, some
// IPv6 in 2001:db8::/32.
func (a *fakeAccount) ip() string {
	switch a.r.IntN(8) {
	case 0, 1, 2:
		return "192.0.2." + strconv.Itoa(1+a.r.IntN(254))
	case 3, 4:
		return "198.51.100." + strconv.Itoa(1+a.r.IntN(254))
	case 5, 6:
		return "203.0.113." + strconv.Itoa(1+a.r.IntN(254))
	default:
		return fmt.Sprintf("2001:db8:%x:%x::%x", a.r.IntN(0x10000), a.r.IntN(0x10000), 1+a.r.IntN(0xfffe))
	}
}

// sessions emits the account's connection events in time order: a
// registration if it falls in the history, then sessions (a connect and,
// usually, a disconnect from the same address) until now or deletion.
func (a *fakeAccount) sessions(emit func(at time.Time, ip string, port int, event string) error) error {
	start := a.o.Now.AddDate(0, 0, -a.o.Days)
	end := a.o.Now
	if a.deleted != nil {
		end = *a.deleted
	}
	if a.registered.After(start) {
		if err := emit(a.registered, a.ip(), 1024+a.r.IntN(64511), metadata.EventRegister); err != nil {
			return err
		}
		start = a.registered
	}
	span := end.Sub(start)
	if span <= 0 {
		return nil
	}
	// A session is a connect and, usually, a disconnect from the same
	// address before the next connect: about two events per gap.
	gap := time.Duration(float64(2*24*time.Hour) * 0.9 / a.o.EventsPerDay)
	t, busy := start, start // the last connect; the end of the last session
	ip := a.ip()
	for {
		t = t.Add(time.Duration(a.r.Int64N(int64(gap)*2)) + time.Second)
		if !t.After(busy) {
			t = busy.Add(time.Second)
		}
		if !t.Before(end) {
			return nil
		}
		if a.r.IntN(6) == 0 {
			ip = a.ip() // a new network now and then
		}
		port := 1024 + a.r.IntN(64511)
		if err := emit(t.Truncate(time.Second), ip, port, metadata.EventConnect); err != nil {
			return err
		}
		busy = t
		if a.r.IntN(20) == 0 {
			continue // the app was killed: no disconnect recorded
		}
		busy = t.Add(time.Duration(a.r.Int64N(int64(min(gap, 3*time.Hour)))) + time.Second)
		if !busy.Before(end) {
			return nil
		}
		if err := emit(busy.Truncate(time.Second), ip, port, metadata.EventDisconnect); err != nil {
			return err
		}
	}
}

type fakeDevice struct {
	no                 int
	model, os, version string
	first, last        time.Time
}

func (a *fakeAccount) devices(lastSeen time.Time) []fakeDevice {
	n := 1 + a.r.IntN(3)
	out := make([]fakeDevice, 0, n)
	for no := 1; no <= n; no++ {
		m := models[a.r.IntN(len(models))]
		first := a.registered.Add(time.Duration(a.r.Int64N(int64(a.o.Now.Sub(a.registered))/2 + 1)))
		if no == 1 {
			first = a.registered
		}
		last := lastSeen.Add(-time.Duration(a.r.IntN(7*24*3600)) * time.Second)
		if no > 1 && a.r.IntN(3) == 0 {
			// A linked device retired long ago.
			last = first.Add(time.Duration(a.r.IntN(200*24)) * time.Hour)
		}
		if last.Before(first) {
			last = first
		}
		if last.After(a.o.Now) {
			last = a.o.Now
		}
		out = append(out, fakeDevice{no: no, model: m.model, os: m.os, version: appVersions[a.r.IntN(len(appVersions))],
			first: first.Truncate(time.Second), last: last.Truncate(time.Second)})
	}
	return out
}

type fakeContact struct {
	kind, identifier string
	added            time.Time
	removed          *time.Time
}

func (a *fakeAccount) contacts() []fakeContact {
	n := 3 + a.r.IntN(13)
	seen := map[int]bool{a.index: true}
	var out []fakeContact
	for len(out) < n {
		j := a.r.IntN(MaxAccounts)
		if seen[j] {
			continue
		}
		seen[j] = true
		kind := metadata.ContactEntry
		if a.r.IntN(12) == 0 {
			kind = metadata.ContactBlocked
		}
		added := a.registered.Add(time.Duration(a.r.Int64N(int64(a.o.Now.Sub(a.registered)) + 1))).Truncate(time.Second)
		c := fakeContact{kind: kind, identifier: PhoneOf(j), added: added}
		if a.r.IntN(8) == 0 {
			rm := added.Add(time.Duration(a.r.Int64N(int64(a.o.Now.Sub(added)) + 1))).Truncate(time.Second)
			c.removed = &rm
		}
		out = append(out, c)
	}
	return out
}

type fakeGroup struct {
	id, role string
	members  int
	joined   time.Time
	left     *time.Time
}

func (a *fakeAccount) groups() []fakeGroup {
	n := a.r.IntN(6)
	out := make([]fakeGroup, 0, n)
	for range n {
		var id [16]byte
		for k := range id {
			id[k] = byte(a.r.Uint32())
		}
		role := "member"
		if a.r.IntN(5) == 0 {
			role = "admin"
		}
		joined := a.registered.Add(time.Duration(a.r.Int64N(int64(a.o.Now.Sub(a.registered)) + 1))).Truncate(time.Second)
		g := fakeGroup{id: fmt.Sprintf("%x", id), role: role, members: 2 + a.r.IntN(120), joined: joined}
		if a.r.IntN(4) == 0 {
			left := joined.Add(time.Duration(a.r.Int64N(int64(a.o.Now.Sub(joined)) + 1))).Truncate(time.Second)
			g.left = &left
		}
		out = append(out, g)
	}
	return out
}
