package policy

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// Messages are the bundle's own translations of the English it writes
// (messages/<lang>.json in the bundle: each English text or sprintf format
// of the Rego, mapped to the language's). The Rego keeps writing English, so
// its tests read as the law does and the API answers in English; pages say
// a decision's texts in the reader's language through Say.
//
// A text the policy composed with sprintf is recognised by its format: Say
// matches the text against the formats, says the format in the language
// and each argument in turn (a category's name, a process's short name, a
// list joined with ", " or " or ", a sentence after another), and keeps
// what the bundle does not translate (ids, dates, citations) as written.
type Messages struct {
	langs    map[string]*translation
	verbatim map[string]bool // citations and law titles: said as written
}

type translation struct {
	exact   map[string]string
	folded  map[string]string // lower-cased English → its key in exact
	formats []format          // most literal text first
	seps    [][2]string       // list separators and their translation
	mu      sync.Mutex
	cache   map[string]said // text → said; cleared when it outgrows cacheSize
}

// cacheSize bounds the texts a translation remembers (texts carry dates and
// ids, so they never stop coming).
const cacheSize = 20000

type said struct {
	text string
	ok   bool
}

// A format is a sprintf format cut at its verbs: lits[i] precedes verbs[i],
// and the last literal ends it.
type format struct {
	id    string
	lits  []string
	verbs []byte
}

// Languages the bundle says its texts in besides English.
func (m *Messages) Languages() []string {
	var out []string
	for l := range m.langs {
		out = append(out, l)
	}
	sort.Strings(out)
	return out
}

// loadMessages reads messages/*.json of the bundle; a bundle without them
// says everything in English.
func loadMessages(fsys fs.FS) (*Messages, error) {
	m := &Messages{langs: map[string]*translation{}, verbatim: map[string]bool{}}
	files, err := fs.Glob(fsys, "messages/*.json")
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		b, err := fs.ReadFile(fsys, f)
		if err != nil {
			return nil, err
		}
		var dict map[string]string
		if err := json.Unmarshal(b, &dict); err != nil {
			return nil, fmt.Errorf("policy: %s: %w", f, err)
		}
		lang := strings.TrimSuffix(path.Base(f), ".json")
		t := &translation{exact: dict, folded: map[string]string{}, cache: map[string]said{}}
		for en, tr := range dict {
			if verbs(en) != verbs(tr) {
				return nil, fmt.Errorf("policy: %s: %q says %q, whose verbs differ", f, en, tr)
			}
			t.folded[strings.ToLower(en)] = en
			if strings.Contains(en, "%") {
				t.formats = append(t.formats, parseFormat(en))
			}
		}
		sort.Slice(t.formats, func(i, j int) bool {
			a, b := t.formats[i].literal(), t.formats[j].literal()
			if a != b {
				return a > b
			}
			return t.formats[i].id < t.formats[j].id
		})
		for _, sep := range []string{" or ", ", ", "; "} {
			if tr, ok := dict[sep]; ok {
				t.seps = append(t.seps, [2]string{sep, tr})
			}
		}
		m.langs[lang] = t
	}
	return m, nil
}

var verbRE = regexp.MustCompile(`%(\[\d+\])?[sdqv]`)

// verbs is the multiset of verbs of a format, in argument order.
func verbs(f string) string {
	type v struct {
		n    int
		verb byte
	}
	var list []v
	next := 1
	for _, m := range verbRE.FindAllString(f, -1) {
		n := next
		if strings.HasPrefix(m, "%[") {
			fmt.Sscanf(m, "%%[%d]", &n)
		}
		list = append(list, v{n, m[len(m)-1]})
		next = n + 1
	}
	sort.Slice(list, func(i, j int) bool { return list[i].n < list[j].n })
	var b strings.Builder
	for _, x := range list {
		fmt.Fprintf(&b, "%d%c", x.n, x.verb)
	}
	return b.String()
}

func parseFormat(f string) format {
	out := format{id: f}
	rest := f
	for {
		loc := verbRE.FindStringIndex(rest)
		if loc == nil {
			out.lits = append(out.lits, strings.ReplaceAll(rest, "%%", "%"))
			return out
		}
		out.lits = append(out.lits, strings.ReplaceAll(rest[:loc[0]], "%%", "%"))
		out.verbs = append(out.verbs, rest[loc[1]-1])
		rest = rest[loc[1]:]
	}
}

func (f format) literal() int {
	n := 0
	for _, l := range f.lits {
		n += len(l)
	}
	return n
}

// match lists the ways text fills f's verbs (at most limit).
func (f format) match(text string, limit int) [][]string {
	if !strings.HasPrefix(text, f.lits[0]) || !strings.HasSuffix(text, f.lits[len(f.lits)-1]) {
		return nil
	}
	var out [][]string
	var walk func(i int, rest string, args []string)
	walk = func(i int, rest string, args []string) {
		if len(out) >= limit {
			return
		}
		if i == len(f.verbs) {
			if rest == "" {
				out = append(out, append([]string(nil), args...))
			}
			return
		}
		next := f.lits[i+1]
		last := i == len(f.verbs)-1
		for end := 0; end <= len(rest); end++ {
			if last && end+len(next) != len(rest) {
				continue
			}
			if !strings.HasPrefix(rest[end:], next) {
				continue
			}
			arg := rest[:end]
			// Verbs side by side join sentences: "%s%s" splits after one.
			if next == "" && !last && end > 0 && !strings.HasSuffix(arg, ". ") {
				continue
			}
			if !fits(f.verbs[i], arg) {
				continue
			}
			walk(i+1, rest[end+len(next):], append(args, arg))
		}
	}
	walk(0, text[len(f.lits[0]):], nil)
	return out
}

var (
	intRE    = regexp.MustCompile(`^-?\d+$`)
	numberRE = regexp.MustCompile(`^-?\d+(\.\d+)?(e[-+]?\d+)?$`)
)

func fits(verb byte, arg string) bool {
	switch verb {
	case 'd':
		return intRE.MatchString(arg)
	case 'v':
		return numberRE.MatchString(arg)
	case 'q':
		return len(arg) >= 2 && arg[0] == '"' && arg[len(arg)-1] == '"'
	}
	return true
}

// Say gives a text the policy wrote (a reason, a warning, a catalogue name)
// in lang; English, an unknown language, or a text the bundle does not
// wholly translate (a person's own words among them) come back as they are.
func (m *Messages) Say(lang, text string) string {
	if s, ok := m.Translate(lang, text); ok {
		return s
	}
	return text
}

// Translate is text in lang as far as the bundle translates it, and
// whether it translated all of it (ids, dates and citations within it count
// as translated: they are said as written).
func (m *Messages) Translate(lang, text string) (string, bool) {
	if m == nil || text == "" {
		return text, true
	}
	t, ok := m.langs[lang]
	if !ok {
		return text, lang == "en" || lang == ""
	}
	return m.say(t, text, 0)
}

// neutralRE: an id, a code, a date, a number, a quoted id, a country code:
// said as written. A word ("Contacts") is not.
var neutralRE = regexp.MustCompile(`^([a-z0-9_.:/"\-–]*|[A-Z]{2})$`)

func (m *Messages) say(t *translation, text string, depth int) (string, bool) {
	t.mu.Lock()
	s, ok := t.cache[text]
	t.mu.Unlock()
	if ok {
		return s.text, s.ok
	}
	out, ok := m.sayUncached(t, text, depth)
	t.mu.Lock()
	if len(t.cache) >= cacheSize {
		clear(t.cache)
	}
	t.cache[text] = said{out, ok}
	t.mu.Unlock()
	return out, ok
}

func (m *Messages) sayUncached(t *translation, text string, depth int) (string, bool) {
	if tr, ok := t.exact[text]; ok {
		return tr, true
	}
	if m.verbatim[text] || neutralRE.MatchString(text) {
		return text, true
	}
	if depth > 8 {
		return text, false
	}
	// The same text with its first letter changed (capitalise, lower).
	if key, ok := t.folded[strings.ToLower(text)]; ok {
		return recase(text, key, t.exact[key]), true
	}
	best, bestScore, found := "", -1, false
	for _, f := range t.formats {
		for _, args := range f.match(text, 16) {
			score := f.literal()
			parts := make([]any, len(args))
			all := true
			for i, a := range args {
				s, ok := m.say(t, a, depth+1)
				if ok {
					score += len(a)
				} else {
					all = false
				}
				parts[i] = s
				switch f.verbs[i] {
				case 'd', 'v':
					parts[i] = rawNumber(a)
				case 'q':
					if u, err := strconv.Unquote(a); err == nil {
						parts[i] = u
					}
				}
			}
			if all {
				score += 1 << 20
			}
			if score > bestScore {
				best, bestScore, found = fmt.Sprintf(t.exact[f.id], parts...), score, all
			}
		}
	}
	if found {
		return best, true
	}
	// A list: every item translated, joined by the translated separator
	// (an item may hold the separator itself: "the agency itself, without
	// a court").
	for _, sep := range t.seps {
		if items, ok := m.sayList(t, text, sep[0], depth); ok {
			return strings.Join(items, sep[1]), true
		}
	}
	// Sentences: each translated on its own.
	for i := 1; i < len(text)-1; i++ {
		if text[i] == ' ' && (text[i-1] == '.' || text[i-1] == ':') {
			a, okA := m.say(t, text[:i], depth+1)
			if !okA {
				continue
			}
			if b, okB := m.say(t, text[i+1:], depth+1); okB {
				return a + " " + b, true
			}
		}
	}
	if bestScore >= 0 {
		return best, false
	}
	return text, false
}

// sayList cuts text at sep into items that each translate, the first
// item as short as will do.
func (m *Messages) sayList(t *translation, text, sep string, depth int) ([]string, bool) {
	for i := 0; ; {
		j := strings.Index(text[i:], sep)
		if j < 0 {
			return nil, false
		}
		i += j
		if head, ok := m.say(t, text[:i], depth+1); ok {
			rest := text[i+len(sep):]
			if tail, ok := m.say(t, rest, depth+1); ok {
				return []string{head, tail}, true
			}
			if more, ok := m.sayList(t, rest, sep, depth+1); ok {
				return append([]string{head}, more...), true
			}
		}
		i += len(sep)
	}
}

// rawNumber keeps a number's digits for %d and %v as the policy wrote them.
type rawNumber string

func (n rawNumber) Format(f fmt.State, _ rune) { fmt.Fprint(f, string(n)) }

// recase says tr with text's first letter case where the English key had
// the other: "a court" of "A court" is "ein Gericht" of "Ein Gericht"; a
// German noun keeps its capital.
func recase(text, key, tr string) string {
	first, _ := utf8.DecodeRuneInString(text)
	keyFirst, _ := utf8.DecodeRuneInString(key)
	if unicode.IsUpper(first) == unicode.IsUpper(keyFirst) {
		return tr
	}
	r, n := utf8.DecodeRuneInString(tr)
	if unicode.IsUpper(first) {
		return string(unicode.ToUpper(r)) + tr[n:]
	}
	word, _, _ := strings.Cut(tr, " ")
	switch strings.ToLower(word) {
	case "ein", "eine", "einer", "eines", "einem", "einen", "der", "die", "das", "den", "dem", "des":
		return string(unicode.ToLower(r)) + tr[n:]
	}
	return tr
}

// textFields are the JSON names of the catalogue's fields that are words
// (translated by In); every other string (ids, codes, citations, dates) is
// said as written.
var textFields = map[string]bool{
	"name": true, "description": true, "retention": true, "law_name": true, "law": true,
	"short_name": true, "notes": true, "text": true, "limit": true, "class_name": true,
	"what": true, "reason": true, "cross_border_guidance": true, "barred": true,
	"state": true, "enforcing_state": true,
}

// In is the catalogue said in lang: every name, description and text in
// the language, ids, codes and citations as written. English (or a
// language the bundle does not speak) returns c itself.
func (c Catalogue) In(lang string) Catalogue {
	if c.messages == nil || c.messages.langs[lang] == nil {
		return c
	}
	out := reflect.New(reflect.TypeOf(c)).Elem()
	c.messages.copyIn(lang, out, reflect.ValueOf(c), false)
	said := out.Interface().(Catalogue)
	said.messages = c.messages
	return said
}

// citationIn is a citation as lawyers of lang write it. National law keeps
// its own citation ("18 U.S.C. § 2703(d)", "Investigatory Powers Act 2016,
// s. 61A"); EU law, which is law in every official language, is cited in
// German as German lawyers cite it: "Verordnung (EU) 2023/1543, Art. 5
// Abs. 4 Buchst. b Ziff. ii" for "Regulation (EU) 2023/1543, Article
// 5(4)(b)(ii)".
func citationIn(lang, c string) string {
	if lang != "de" || !strings.Contains(c, "(EU)") {
		return c
	}
	for _, r := range euCitationDE {
		c = r.re.ReplaceAllString(c, r.to)
	}
	return c
}

var euCitationDE = []struct {
	re *regexp.Regexp
	to string
}{
	{regexp.MustCompile(`Regulation \(EU\)`), "Verordnung (EU)"},
	{regexp.MustCompile(`Directive \(EU\)`), "Richtlinie (EU)"},
	{regexp.MustCompile(`\bArticles? `), "Art. "},
	{regexp.MustCompile(`(\d+)\((\d+)\)–\((\d+)\)`), "$1 Abs. $2–$3"},
	{regexp.MustCompile(`(\d+)\((\d+)\)`), "$1 Abs. $2"},
	{regexp.MustCompile(`Abs\. (\d+)\(([a-z])\)–\(([a-z])\)`), "Abs. $1 Buchst. $2–$3"},
	{regexp.MustCompile(`Abs\. (\d+)\(([a-z])\)`), "Abs. $1 Buchst. $2"},
	{regexp.MustCompile(`Buchst\. ([a-z])\(([ivx]+)\)`), "Buchst. $1 Ziff. $2"},
	{regexp.MustCompile(` and `), " und "},
}

// Say is text said in lang by the bundle the catalogue came from.
func (c Catalogue) Say(lang, text string) string { return c.messages.Say(lang, text) }

// copyIn copies src into dst (a settable value of the same type), saying
// the strings of text fields in lang; slices and pointers are copied, never
// shared with src.
func (m *Messages) copyIn(lang string, dst, src reflect.Value, text bool) {
	switch src.Kind() {
	case reflect.String:
		if text {
			dst.SetString(m.Say(lang, src.String()))
		} else {
			dst.SetString(src.String())
		}
	case reflect.Struct:
		t := src.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "citation" && f.Type.Kind() == reflect.String {
				dst.Field(i).SetString(citationIn(lang, src.Field(i).String()))
				continue
			}
			m.copyIn(lang, dst.Field(i), src.Field(i), textFields[name])
		}
	case reflect.Slice:
		if src.IsNil() {
			return
		}
		s := reflect.MakeSlice(src.Type(), src.Len(), src.Len())
		for i := range src.Len() {
			m.copyIn(lang, s.Index(i), src.Index(i), text)
		}
		dst.Set(s)
	case reflect.Pointer:
		if src.IsNil() {
			return
		}
		p := reflect.New(src.Type().Elem())
		m.copyIn(lang, p.Elem(), src.Elem(), text)
		dst.Set(p)
	case reflect.Map:
		if src.IsNil() {
			return
		}
		mp := reflect.MakeMapWithSize(src.Type(), src.Len())
		for _, k := range src.MapKeys() {
			v := reflect.New(src.Type().Elem()).Elem()
			m.copyIn(lang, v, src.MapIndex(k), text)
			mp.SetMapIndex(k, v)
		}
		dst.Set(mp)
	default:
		dst.Set(src)
	}
}

// addVerbatim records the catalogue's citations, said as written wherever
// a text quotes one.
func (m *Messages) addVerbatim(v reflect.Value, field string) {
	switch v.Kind() {
	case reflect.String:
		if field == "citation" && v.String() != "" {
			m.verbatim[v.String()] = true
		}
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			if f := t.Field(i); f.IsExported() {
				name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
				m.addVerbatim(v.Field(i), name)
			}
		}
	case reflect.Slice:
		for i := range v.Len() {
			m.addVerbatim(v.Index(i), field)
		}
	case reflect.Pointer:
		if !v.IsNil() {
			m.addVerbatim(v.Elem(), field)
		}
	}
}
