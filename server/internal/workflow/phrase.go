package workflow

import (
	"encoding/json"
	"fmt"

	"github.com/warrantdesk/warrantdesk/server/internal/locale"
)

// A Phrase is words the portal says later, to each reader in their
// language: an English format (a message id of the catalogues) and its
// arguments, each a string said as it is or a Phrase said in turn. A
// notification keeps its subject and body so (Notification.Words), and
// its e-mail and the portal's lists say them in the reader's language.
type Phrase struct {
	Format string `json:"format"`
	Args   []any  `json:"args,omitempty"` // string or Phrase
}

// Say is message format with args (strings or Phrases), to be said later.
// Mark a literal format with locale.M so the catalogues translate it.
func Say(format string, args ...any) Phrase { return Phrase{Format: format, Args: args} }

// T is Say for a transition's notes: the format is a message of the
// catalogues (the catalogue test finds T's literal formats).
func (s *step) T(format string, args ...any) Phrase { return Say(format, args...) }

// In says m through sprintf: a printer's Sprintf, or fmt.Sprintf for the
// English as written.
func (m Phrase) In(sprintf func(string, ...any) string) string {
	if len(m.Args) == 0 {
		return sprintf(m.Format)
	}
	args := make([]any, len(m.Args))
	for i, a := range m.Args {
		if sub, ok := a.(Phrase); ok {
			args[i] = sub.In(sprintf)
		} else {
			args[i] = fmt.Sprint(a)
		}
	}
	return sprintf(m.Format, args...)
}

// English is m as written.
func (m Phrase) English() string {
	if len(m.Args) == 0 {
		return m.Format
	}
	return m.In(fmt.Sprintf)
}

// Say is m in pr's language.
func (m Phrase) Say(pr *locale.Printer) string { return m.In(pr.Sprintf) }

// UnmarshalJSON reads a message whose arguments are strings or messages.
func (m *Phrase) UnmarshalJSON(b []byte) error {
	var raw struct {
		Format string            `json:"format"`
		Args   []json.RawMessage `json:"args"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	m.Format, m.Args = raw.Format, nil
	for _, a := range raw.Args {
		var s string
		if err := json.Unmarshal(a, &s); err == nil {
			m.Args = append(m.Args, s)
			continue
		}
		var sub Phrase
		if err := json.Unmarshal(a, &sub); err != nil {
			return err
		}
		m.Args = append(m.Args, sub)
	}
	return nil
}

// noteWords are a notification's subject and body as Phrases, stored as
// JSON in notifications.words.
type noteWords struct {
	Subject Phrase `json:"subject"`
	Body    Phrase `json:"body"`
}

// Say is the notification's subject and body in pr's language; a
// notification stored before it kept its words (migration 0022) is said as
// stored, in English.
func (n *Notification) Say(pr *locale.Printer) (subject, body string) {
	var w noteWords
	if n.Words == "" || json.Unmarshal([]byte(n.Words), &w) != nil || w.Subject.Format == "" {
		return n.Subject, n.Body
	}
	return w.Subject.Say(pr), w.Body.Say(pr)
}

// Said is the page with every notification's subject and body in pr's
// language.
func (p NotificationPage) Said(pr *locale.Printer) NotificationPage {
	out := p
	out.Items = make([]Notification, len(p.Items))
	for i, n := range p.Items {
		n.Subject, n.Body = n.Say(pr)
		out.Items[i] = n
	}
	return out
}

// Words is the JSON of a notification's subject and body.
func Words(subject, body Phrase) string {
	b, err := json.Marshal(noteWords{Subject: subject, Body: body})
	if err != nil {
		return "" // strings and messages always marshal; shown as stored
	}
	return string(b)
}
