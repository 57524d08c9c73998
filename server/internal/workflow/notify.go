package workflow

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/mail"
	"net/smtp"
	"strings"
	"time"

	"github.com/riverqueue/river"
	"gorm.io/gorm"

	"github.com/warrantdesk/warrantdesk/server/internal/errs"
	"github.com/warrantdesk/warrantdesk/server/internal/identity"
	"github.com/warrantdesk/warrantdesk/server/internal/request"
)

// A Mailer sends one e-mail. SMTP is the production Mailer.
type Mailer interface {
	Send(ctx context.Context, to []string, subject, body string) error
}

// note is a notification a transition causes.
type note struct {
	audience, agencyID, team, kind string
	subject, body                  Phrase
	requestID                      string
	personID                       string // to this person of the audience only; "": to all
	queued                         bool   // to the team of the queue the transition leaves the request in
}

// agencyNote notifies the requesting agency's people who may see the
// request: its filer, the colleagues it is shared with, its supervisors
// (recipients, and Notifications when they read them).
func (s *step) agencyNote(kind string, subject, body Phrase) note {
	return note{audience: AudienceAgency, agencyID: s.req.AgencyID, kind: kind, subject: subject, body: body, requestID: s.req.ID}
}

// personNote notifies one person of the requesting agency: the supervisor
// an emergency names to co-sign it.
func (s *step) personNote(personID, kind string, subject, body Phrase) note {
	n := s.agencyNote(kind, subject, body)
	n.personID = personID
	return n
}

// teamNote notifies the team of the request's current queue.
func (s *step) teamNote(kind string, subject, body Phrase) note {
	team := ""
	if s.c != nil {
		team = s.c.Queue
	}
	return s.teamNoteTo(team, kind, subject, body)
}

// queueNote notifies the team of the queue the transition places the
// request in (known only once it is placed).
func (s *step) queueNote(kind string, subject, body Phrase) note {
	return note{audience: AudienceProvider, kind: kind, subject: subject, body: body, requestID: s.req.ID, queued: true}
}

func (s *step) teamNoteTo(team, kind string, subject, body Phrase) note {
	if team == "" {
		team = "intake"
	}
	return note{audience: AudienceProvider, team: team, kind: kind, subject: subject, body: body, requestID: s.req.ID}
}

// notify writes notes to the outbox inside tx and, when e-mail is
// configured, adds the job that sends each.
func (e *Engine) notify(ctx context.Context, tx *gorm.DB, notes []note, jobs *[]river.InsertManyParams) error {
	for _, n := range notes {
		row := &Notification{CreatedAt: e.now(), Audience: n.audience, Team: n.team, Kind: n.kind,
			Subject: errs.Clip(n.subject.English(), 200), Body: errs.Clip(n.body.English(), 4000),
			Words: Words(n.subject, n.body), EmailState: EmailNone}
		if n.requestID != "" {
			id := n.requestID
			row.RequestID = &id
		}
		if n.agencyID != "" {
			id := n.agencyID
			row.AgencyID = &id
		}
		if n.personID != "" {
			id := n.personID
			row.PersonID = &id
		}
		if e.mailer != nil {
			row.EmailState = EmailPending
		}
		if err := tx.WithContext(ctx).Create(row).Error; err != nil {
			return fmt.Errorf("add notification: %w", err)
		}
		if e.mailer != nil {
			*jobs = append(*jobs, river.InsertManyParams{Args: emailArgs{NotificationID: row.ID},
				InsertOpts: &river.InsertOpts{Queue: queueEmail, MaxAttempts: emailAttempts}})
		}
	}
	return nil
}

// recipients are the e-mail addresses of a notification's audience by the
// language each reads (their own, else their agency's, else English): the
// agency's active people who may see its request (request.WhoSees: the
// filer, the colleagues it is shared with, the supervisors), or the
// provider staff whose roles work the team.
func (e *Engine) recipients(ctx context.Context, tx *gorm.DB, n *Notification) (map[string][]string, error) {
	q := tx.WithContext(ctx).Table("people").
		Select("people.email, people.roles, people.language, COALESCE(agencies.language, '') AS agency_language").
		Joins("LEFT JOIN agencies ON agencies.id = people.agency_id").
		Where("people.status = 'active' AND people.kind = ? AND people.email <> ''", identity.KindPerson)
	if n.Audience == AudienceAgency {
		if n.AgencyID == nil {
			return nil, nil
		}
		q = q.Where("people.agency_id = ?", *n.AgencyID)
		if n.RequestID != nil {
			cond, args := request.WhoSees(*n.RequestID, "people")
			q = q.Where(cond, args...)
		}
		if n.PersonID != nil {
			q = q.Where("people.id = ?", *n.PersonID)
		}
	} else {
		q = q.Where("people.agency_id IS NULL")
	}
	var people []struct{ Email, Roles, Language, AgencyLanguage string }
	if err := q.Order("people.email").Scan(&people).Error; err != nil {
		return nil, fmt.Errorf("find recipients: %w", err)
	}
	out := map[string][]string{}
	for _, p := range people {
		if n.Audience == AudienceProvider && !worksTeam(strings.Fields(p.Roles), n.Team) {
			continue
		}
		lang := e.locales.Match("", p.Language, p.AgencyLanguage)
		out[lang] = append(out[lang], p.Email)
	}
	return out, nil
}

func worksTeam(roles []string, team string) bool {
	for _, r := range teamRoles[team] {
		for _, have := range roles {
			if have == string(r) {
				return true
			}
		}
	}
	return false
}

// teamsOf are the teams whose notifications a provider principal sees.
func teamsOf(p *identity.Principal) []string {
	var out []string
	for _, team := range []string{"intake", "legal", "international", "counsel", "emergency"} {
		if p.Has(identity.RoleAdmin) || worksTeam(p.RoleStrings(), team) {
			out = append(out, team)
		}
	}
	return out
}

// An SMTP sends e-mail through an SMTP server (STARTTLS when the server
// offers it; credentials only over TLS).
type SMTP struct {
	Addr     string // host:port
	From     string
	Username string
	Password string
	Timeout  time.Duration // default 30s
}

// Send sends one message to every address in to.
func (m *SMTP) Send(ctx context.Context, to []string, subject, body string) error {
	if len(to) == 0 {
		return nil
	}
	from, err := mail.ParseAddress(m.From)
	if err != nil {
		return fmt.Errorf("smtp: from address: %w", err)
	}
	timeout := m.Timeout
	if timeout == 0 {
		timeout = 30 * time.Second
	}
	d := net.Dialer{Timeout: timeout}
	conn, err := d.DialContext(ctx, "tcp", m.Addr)
	if err != nil {
		return fmt.Errorf("smtp: %w", err)
	}
	_ = conn.SetDeadline(time.Now().Add(timeout))
	host, _, _ := net.SplitHostPort(m.Addr)
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		conn.Close()
		return fmt.Errorf("smtp: %w", err)
	}
	defer c.Close()
	if ok, _ := c.Extension("STARTTLS"); ok {
		if err := c.StartTLS(&tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}); err != nil {
			return fmt.Errorf("smtp: starttls: %w", err)
		}
	}
	if m.Username != "" {
		// net/smtp refuses PLAIN over an unencrypted connection to anything
		// but localhost, so the password never crosses the network in clear.
		if err := c.Auth(smtp.PlainAuth("", m.Username, m.Password, host)); err != nil {
			return fmt.Errorf("smtp: auth: %w", err)
		}
	}
	if err := c.Mail(from.Address); err != nil {
		return fmt.Errorf("smtp: %w", err)
	}
	for _, addr := range to {
		if err := c.Rcpt(addr); err != nil {
			return fmt.Errorf("smtp: rcpt: %w", err)
		}
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("smtp: %w", err)
	}
	msg := "From: " + from.String() + "\r\n" +
		"To: undisclosed-recipients:;\r\n" +
		"Subject: " + headerSafe(subject) + "\r\n" +
		"Date: " + time.Now().UTC().Format(time.RFC1123Z) + "\r\n" +
		"MIME-Version: 1.0\r\n" +
		"Content-Type: text/plain; charset=utf-8\r\n" +
		"Content-Transfer-Encoding: 8bit\r\n\r\n" +
		strings.ReplaceAll(strings.ReplaceAll(body, "\r\n", "\n"), "\n", "\r\n") + "\r\n"
	if _, err := w.Write([]byte(msg)); err != nil {
		return fmt.Errorf("smtp: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("smtp: %w", err)
	}
	return c.Quit()
}

// headerSafe keeps a subject on one line: no header injection.
func headerSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\r' || r == '\n' {
			return ' '
		}
		return r
	}, s)
}
