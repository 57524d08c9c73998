// Package locale says the portal's words in the reader's language.
//
// Messages are identified by their English text, as gettext and
// golang.org/x/text/message do: the code, the templates and the policy keep
// writing English, and a catalogue per language maps each English message to
// its translation. Catalogues are JSON files translators edit
// (frontend/locales/<language>/*.json, see its README): a translation is a
// string, or, for a message that counts something, one text per plural form
// ("one", "other", …) chosen by the CLDR plural rules of golang.org/x/text.
//
// Languages are chosen by Match from what the person asked for (a cookie, their
// profile, their agency) and what their browser accepts.
package locale

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"maps"
	"path"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	// The zone database is built in: a person's zone must not depend on
	// the server's files.
	_ "time/tzdata"

	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"
)

// Languages the portal speaks, the first being the default and the language
// every message is written in.
var Languages = []string{"en", "de"}

// Default is the language of the messages as written.
const Default = "en"

// Names are the languages as their speakers name them, for the switch
// offered on every page.
var Names = map[string]string{"en": "English", "de": "Deutsch"}

// A Catalogue holds every language's translations.
type Catalogue struct {
	langs   map[string]*Printer
	matcher language.Matcher
	tags    []language.Tag
}

// An entry is one message's translation: Text, or Forms by plural form.
type entry struct {
	Text  string
	Forms map[plural.Form]string
}

// fileFormat is a catalogue file: the language it translates into and its
// messages, each an English id and its translation.
type fileFormat struct {
	Language string `json:"language"`
	Messages []struct {
		ID          string          `json:"id"`
		Translation json.RawMessage `json:"translation"`
		// Note explains the message to translators; the portal ignores it.
		Note string `json:"note,omitempty"`
	} `json:"messages"`
}

var forms = map[string]plural.Form{
	"zero": plural.Zero, "one": plural.One, "two": plural.Two,
	"few": plural.Few, "many": plural.Many, "other": plural.Other,
}

// Load reads every <language>/*.json file under fsys. A file naming another
// language than its folder, an unknown language, an id given twice, a plural
// message without its "other" form or a translation whose formatting verbs
// differ from its id's is refused: such a catalogue would show a person a
// garbled sentence.
func Load(fsys fs.FS) (*Catalogue, error) {
	c := &Catalogue{langs: map[string]*Printer{}}
	for _, l := range Languages {
		tag := language.MustParse(l)
		c.tags = append(c.tags, tag)
		c.langs[l] = &Printer{lang: l, tag: tag, msgs: map[string]entry{}}
	}
	c.matcher = language.NewMatcher(c.tags)
	files, err := fs.Glob(fsys, "*/*.json")
	if err != nil {
		return nil, err
	}
	sort.Strings(files)
	for _, name := range files {
		lang := path.Dir(name)
		p, ok := c.langs[lang]
		if !ok {
			return nil, fmt.Errorf("locale: %s: %q is not one of the portal's languages %v", name, lang, Languages)
		}
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		var f fileFormat
		dec := json.NewDecoder(strings.NewReader(string(b)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&f); err != nil {
			return nil, fmt.Errorf("locale: %s: %w", name, err)
		}
		if f.Language != lang {
			return nil, fmt.Errorf("locale: %s: says language %q but lies in folder %q", name, f.Language, lang)
		}
		for _, m := range f.Messages {
			if m.ID == "" {
				return nil, fmt.Errorf("locale: %s: a message has no id", name)
			}
			if _, dup := p.msgs[m.ID]; dup {
				return nil, fmt.Errorf("locale: %s: %q is translated twice", name, m.ID)
			}
			e, err := parseEntry(m.Translation)
			if err != nil {
				return nil, fmt.Errorf("locale: %s: %q: %w", name, m.ID, err)
			}
			for _, t := range e.texts() {
				if !sameVerbs(m.ID, t) {
					return nil, fmt.Errorf("locale: %s: %q: translation %q has other formatting verbs than its id", name, m.ID, t)
				}
			}
			p.msgs[m.ID] = e
		}
	}
	return c, nil
}

func parseEntry(raw json.RawMessage) (entry, error) {
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		if s == "" {
			return entry{}, fmt.Errorf("the translation is empty")
		}
		return entry{Text: s}, nil
	}
	var m map[string]string
	if err := json.Unmarshal(raw, &m); err != nil {
		return entry{}, fmt.Errorf("a translation is a string or an object of plural forms")
	}
	e := entry{Forms: map[plural.Form]string{}}
	for k, v := range m {
		f, ok := forms[k]
		if !ok {
			return entry{}, fmt.Errorf("%q is not a plural form (zero, one, two, few, many, other)", k)
		}
		e.Forms[f] = v
	}
	if e.Forms[plural.Other] == "" {
		return entry{}, fmt.Errorf("a plural message needs its \"other\" form")
	}
	return e, nil
}

func (e entry) texts() []string {
	if e.Forms == nil {
		return []string{e.Text}
	}
	out := make([]string, 0, len(e.Forms))
	for _, t := range e.Forms {
		out = append(out, t)
	}
	return out
}

// sameVerbs reports whether two format strings use their arguments alike:
// each argument (by position, as fmt numbers them, "%[2]s" included) with
// the same verb. A plural form may leave out the count ("one" reads "a
// request", not "1 request").
func sameVerbs(id, tr string) bool {
	a, b := verbs(id), verbs(tr)
	if maps.Equal(a, b) {
		return true
	}
	missing := 0
	for i, v := range a {
		w, ok := b[i]
		switch {
		case ok && w != v:
			return false
		case !ok && v == 'd':
			missing++
		case !ok:
			return false
		}
	}
	for i := range b {
		if _, ok := a[i]; !ok {
			return false
		}
	}
	return missing <= 1
}

// verbs maps each argument a format string uses (1-based, as fmt counts,
// explicit indexes included) to its verb letter, ignoring "%%".
func verbs(s string) map[int]byte {
	out := map[int]byte{}
	arg := 1
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			continue
		}
		j := i + 1
		for j < len(s) && strings.IndexByte("+-# 0123456789.*", s[j]) >= 0 {
			j++
		}
		if j < len(s) && s[j] == '[' {
			k := strings.IndexByte(s[j:], ']')
			if k < 0 {
				break
			}
			if n, err := strconv.Atoi(s[j+1 : j+k]); err == nil {
				arg = n
			}
			j += k + 1
		}
		if j >= len(s) {
			break
		}
		if s[j] != '%' {
			out[arg] = s[j]
			arg++
		}
		i = j
	}
	return out
}

// Has reports whether lang is one of the portal's languages.
func Has(lang string) bool { return slices.Contains(Languages, lang) }

// Match chooses the language for a person: the first of choices that the
// portal speaks (a cookie, their profile, their agency's language, in the
// caller's order of precedence), else the best match of the browser's
// Accept-Language header, else English.
func (c *Catalogue) Match(acceptLanguage string, choices ...string) string {
	for _, l := range choices {
		if Has(l) {
			return l
		}
	}
	if acceptLanguage != "" {
		if tags, _, err := language.ParseAcceptLanguage(acceptLanguage); err == nil && len(tags) > 0 {
			if _, i, conf := c.matcher.Match(tags...); conf != language.No {
				return Languages[i]
			}
		}
	}
	return Default
}

// Printer returns the printer of lang, or of the default language for one
// the portal does not speak.
func (c *Catalogue) Printer(lang string) *Printer {
	if p, ok := c.langs[lang]; ok {
		return p
	}
	return c.langs[Default]
}

// IDs lists the messages lang's catalogue translates, for tests that hold
// the catalogues complete.
func (c *Catalogue) IDs(lang string) []string {
	p := c.Printer(lang)
	out := make([]string, 0, len(p.msgs))
	for id := range p.msgs {
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}

// Plural reports whether lang's catalogue gives id as a plural message.
func (c *Catalogue) Plural(lang, id string) bool {
	e, ok := c.Printer(lang).msgs[id]
	return ok && e.Forms != nil
}

// A Printer says messages in one language. It is safe for concurrent use.
type Printer struct {
	lang string
	tag  language.Tag
	msgs map[string]entry
}

// Lang is the printer's language code ("en", "de").
func (p *Printer) Lang() string { return p.lang }

// Sprintf translates the message id and formats it with args as fmt does.
// A message with no args is returned as translated, unformatted. A plural
// message picks its form by its first integer argument. A message the
// catalogue lacks is said in English.
func (p *Printer) Sprintf(id string, args ...any) string {
	text := id
	if e, ok := p.msgs[id]; ok {
		text = e.Text
		if e.Forms != nil {
			text = e.Forms[plural.Other]
			if n, ok := firstInt(args); ok {
				f := plural.Cardinal.MatchPlural(p.tag, n, 0, 0, 0, 0)
				if t, ok := e.Forms[f]; ok {
					text = t
				}
			}
		}
	}
	if len(args) == 0 {
		return text
	}
	// A plural form may leave out the count ("ein Ersuchen"): give fmt
	// only what the text uses, so it adds no "%!(EXTRA …)". A form that
	// leaves out the first argument numbers the others ("%[2]s").
	if n := len(verbs(text)); n < len(args) && !strings.Contains(text, "%[") {
		if n == 0 {
			return text
		}
		args = args[:n]
	}
	return fmt.Sprintf(text, args...)
}

// Translated reports whether the printer's catalogue holds id.
func (p *Printer) Translated(id string) bool {
	_, ok := p.msgs[id]
	return ok
}

func firstInt(args []any) (int, bool) {
	for _, a := range args {
		switch v := a.(type) {
		case int:
			return abs(v), true
		case int64:
			return abs(int(v)), true
		case int32:
			return abs(int(v)), true
		case uint:
			return int(v), true
		case uint64:
			return int(v), true
		}
	}
	return 0, false
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// Zone loads an IANA time zone by name ("Europe/Berlin"); "" is UTC. It
// refuses "Local", which would be the server's zone, not the person's.
func Zone(name string) (*time.Location, error) {
	if name == "" || name == "UTC" {
		return time.UTC, nil
	}
	if name == "Local" || strings.HasPrefix(name, "/") || strings.Contains(name, "..") {
		return nil, fmt.Errorf("locale: %q is not an IANA time zone name", name)
	}
	return time.LoadLocation(name)
}

// M marks a message written down in a table for saying later: it returns
// id unchanged, and tells the catalogue test that id is shown to people
// (gettext's N_). Say it with a Printer's Sprintf where it is shown.
func M(id string) string { return id }
