package workflow

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/warrantdesk/warrantdesk/server/internal/locale"
	"github.com/warrantdesk/warrantdesk/server/internal/policy"
)

// A Phrase is words the portal says later, to each reader in their
// language: an English format (a message id of the catalogues) and its
// arguments, each a string said as it is or a Phrase said in turn. A
// notification keeps its subject and body so (Notification.Words), and
// its e-mail and the portal's lists say them in the reader's language.
type Phrase struct {
	Format string `json:"format"`
	Args   []any  `json:"args,omitempty"` // string or Phrase
	// Policy marks a text the policy wrote (a data category's or a ground
	// of refusal's name) rather than a message of the portal: it is said
	// through the policy bundle's translations, whole, and has no Args.
	Policy bool `json:"policy,omitempty"`
}

// PolicyText is a name or text the policy wrote in English, said later in
// the reader's language as the policy bundle translates it.
func PolicyText(text string) Phrase { return Phrase{Format: text, Policy: true} }

// PolicyList is names the policy wrote, said as a list ("Subscriber
// information, Connection log"), each in the reader's language.
func PolicyList(names []string) Phrase {
	m := Phrase{Format: strings.TrimSuffix(strings.Repeat("%s, ", len(names)), ", ")}
	for _, n := range names {
		m.Args = append(m.Args, PolicyText(n))
	}
	return m
}

// A Voice says Phrases in one language: the portal's messages through
// Sprintf (a printer's, or fmt.Sprintf for the English as written), the
// policy's texts through Policy (nil: as written).
type Voice struct {
	Sprintf func(string, ...any) string
	Policy  func(string) string
}

// VoiceOf is the voice of pr's language, with policy saying the policy's
// texts in it (wording.Book.In(lang).Say, policy.Engine.Say).
func VoiceOf(pr *locale.Printer, policy func(string) string) Voice {
	return Voice{Sprintf: pr.Sprintf, Policy: policy}
}

// english says Phrases as written.
var english = Voice{Sprintf: fmt.Sprintf}

// Say is message format with args (strings or Phrases), to be said later.
// Mark a literal format with locale.M so the catalogues translate it.
func Say(format string, args ...any) Phrase { return Phrase{Format: format, Args: args} }

// T is Say for a transition's notes: the format is a message of the
// catalogues (the catalogue test finds T's literal formats).
func (s *step) T(format string, args ...any) Phrase { return Say(format, args...) }

// In says m in v's language.
func (m Phrase) In(v Voice) string {
	if m.Policy {
		if v.Policy == nil {
			return m.Format
		}
		return v.Policy(m.Format)
	}
	if len(m.Args) == 0 {
		return v.Sprintf(m.Format)
	}
	args := make([]any, len(m.Args))
	for i, a := range m.Args {
		if sub, ok := a.(Phrase); ok {
			args[i] = sub.In(v)
		} else {
			args[i] = fmt.Sprint(a)
		}
	}
	return v.Sprintf(m.Format, args...)
}

// English is m as written.
func (m Phrase) English() string {
	if len(m.Args) == 0 {
		return m.Format
	}
	return m.In(english)
}

// UnmarshalJSON reads a message whose arguments are strings or messages.
func (m *Phrase) UnmarshalJSON(b []byte) error {
	var raw struct {
		Format string            `json:"format"`
		Args   []json.RawMessage `json:"args"`
		Policy bool              `json:"policy"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	m.Format, m.Args, m.Policy = raw.Format, nil, raw.Policy
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

// Say is the notification's subject and body in v's language; a
// notification stored before it kept its words (migration 0022) is said as
// stored, in English.
func (n *Notification) Say(v Voice) (subject, body string) {
	var w noteWords
	if n.Words == "" || json.Unmarshal([]byte(n.Words), &w) != nil || w.Subject.Format == "" {
		return n.Subject, n.Body
	}
	return w.Subject.In(v), w.Body.In(v)
}

// Said is the page with every notification's subject and body in v's
// language.
func (p NotificationPage) Said(v Voice) NotificationPage {
	out := p
	out.Items = make([]Notification, len(p.Items))
	for i, n := range p.Items {
		n.Subject, n.Body = n.Say(v)
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

// historyWords are the words of a history row the portal wrote (stored as
// JSON in request_history.words, migration 0023): its sentences as
// Phrases, then what a person typed, as typed.
type historyWords struct {
	Said  []Phrase `json:"said"`
	Typed string   `json:"typed,omitempty"`
}

// historyText is a history row's comment in English and its words: ”
// words when the portal said nothing (the comment is as typed).
func historyText(said []Phrase, typed string) (comment, words string) {
	parts := make([]string, 0, len(said)+1)
	for _, p := range said {
		parts = append(parts, p.English())
	}
	if typed != "" && (len(parts) != 1 || parts[0] != typed) {
		parts = append(parts, typed)
	}
	comment = strings.Join(parts, " ")
	if len(said) == 0 {
		return comment, ""
	}
	b, err := json.Marshal(historyWords{Said: said, Typed: typed})
	if err != nil {
		return comment, "" // strings and messages always marshal; shown as stored
	}
	return comment, string(b)
}

// SayHistory is a history row's comment in v's language: the sentences
// the portal wrote in it, then what a person typed, as typed. A row
// stored without words (before migration 0023, or only typed) is said as
// stored.
func SayHistory(comment, words string, v Voice) string {
	var w historyWords
	if words == "" || json.Unmarshal([]byte(words), &w) != nil || len(w.Said) == 0 {
		return comment
	}
	parts := make([]string, 0, len(w.Said)+1)
	for _, p := range w.Said {
		parts = append(parts, p.In(v))
	}
	if w.Typed != "" && (len(w.Said) != 1 || w.Said[0].English() != w.Typed) {
		parts = append(parts, w.Typed)
	}
	return strings.Join(parts, " ")
}

// TeamNames name the provider's teams (queues), in history and notes and
// on pages (package wording).
var TeamNames = map[string]string{
	policy.QueueIntake:        locale.M("Intake"),
	policy.QueueLegal:         locale.M("Legal review"),
	policy.QueueEmergency:     locale.M("Emergencies"),
	policy.QueueInternational: locale.M("International requests"),
	policy.QueueCounsel:       locale.M("Counsel"),
}

// teamName names queue q; an unknown one as stored.
func teamName(q string) string {
	if n, ok := TeamNames[q]; ok {
		return n
	}
	return q
}

// ReasonNames say why a request was rejected (ReasonCodes), in history
// and notes and on pages (package wording).
var ReasonNames = map[string]string{
	"insufficient_process":          locale.M("The legal process does not compel this data"),
	"overbroad":                     locale.M("The request is broader than the order allows"),
	"defective_document":            locale.M("The order is missing, unreadable or not signed"),
	"wrong_jurisdiction":            locale.M("The process is not one the agency's jurisdiction may use"),
	"no_such_account":               locale.M("No account matches the identifiers given"),
	"suspected_fraud":               locale.M("The request could not be verified as genuine"),
	ReasonEnforcingAuthorityRefusal: locale.M("The enforcing authority raised a ground for refusal"),
	"other":                         locale.M("Another reason (see the comment)"),
}

// reasonName says reason code c; an unknown one as stored.
func reasonName(c string) string {
	if n, ok := ReasonNames[c]; ok {
		return n
	}
	return strings.ReplaceAll(c, "_", " ")
}

// voice says Phrases in lang, for e-mails: the portal's messages as the
// catalogues translate them, the policy's texts as its bundle does.
func (e *Engine) voice(lang string) Voice {
	return VoiceOf(e.locales.Printer(lang), func(text string) string { return e.policy.Say(lang, text) })
}

// ProviderTeam is how the agency sees the provider's staff named, in
// history and messages; pages say it in the reader's language.
var ProviderTeam = locale.M("The provider's legal team")
