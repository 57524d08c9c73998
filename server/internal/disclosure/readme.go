package disclosure

import (
	"fmt"
	"strings"

	"github.com/warrantdesk/warrantdesk/server/internal/metadata"
)

// categoryTitles name the categories in the README.
var categoryTitles = map[string]string{
	metadata.Subscriber:    "Subscriber information",
	metadata.Activity:      "Account activity",
	metadata.ConnectionLog: "Connection log",
	metadata.Device:        "Device information",
	metadata.Contacts:      "Contacts and blocked contacts (identifiers only)",
	metadata.Groups:        "Group memberships",
	metadata.Envelope:      "Message envelopes (routing metadata)",
}

// readme writes README.txt: what the package answers, what each file and
// field means, that every time is UTC, and how to check the signature and
// hashes. It is deterministic: the same manifest gives the same text.
func (s *Service) readme(m Manifest) []byte {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	line := strings.Repeat("=", 72)
	p("PRODUCTION %s\n%s\n\n", m.Request.Reference, line)
	process := m.Request.Process
	if m.Request.ProcessName != "" {
		process = fmt.Sprintf("%s (%s", m.Request.ProcessName, m.Request.Process)
		if m.Request.Citation != "" {
			process += ", " + m.Request.Citation
		}
		process += ")"
	}
	intro := fmt.Sprintf("This package answers legal request %s, made by %s (%s); legal process: %s", m.Request.Reference,
		m.Request.Agency.Name, m.Request.Agency.Country, process)
	if m.Request.Docket != "" {
		intro += ", docket " + m.Request.Docket
	}
	intro += fmt.Sprintf(". It was produced by %s on %s and holds the records %s retains within the approved scope below, and nothing else.",
		m.ProducedBy.Organisation, m.ProducedAt, m.ProducedBy.Organisation)
	p("%s\n\n", wrap(intro, 76, ""))

	p("APPROVED SCOPE\n\n")
	p("  Categories: %s\n", strings.Join(m.Scope.Categories, ", "))
	p("  Dates:      %s to %s, both days included (UTC)\n", m.Scope.DateFrom, m.Scope.DateTo)
	for _, c := range m.Scope.Categories {
		if fs, ok := m.Scope.Fields[c]; ok {
			// Said in words: a recipient must not read a missing column as
			// a missing record (EU identification data, Art. 3(10)).
			p("  Fields:     %s\n", wrap(fmt.Sprintf("%s: only %s. The approved scope releases no other field of these records.",
				c, strings.Join(fs, ", ")), 62, "              "))
		}
	}
	p("  Targets:\n")
	for _, t := range m.Scope.Targets {
		p("    - %s\n", targetsText(t))
	}
	p("\n")
	if m.Outcome == OutcomeNoRecords {
		p("OUTCOME: NO RECORDS FOUND. The provider holds no records within the approved\nscope. This answer is as signed and verifiable as any other.\n\n")
	}

	p("FILES\n\n")
	for _, c := range m.Scope.Categories {
		n := m.Counts[c]
		only := ""
		if fs, ok := m.Scope.Fields[c]; ok {
			only = " (" + strings.Join(fs, ", ") + " only)"
		}
		p("  %s.json, %s.csv\n      %s: %d %s%s\n", c, c, categoryTitles[c], n, plural(n, "record", "records"), only)
	}
	p("  %s\n      this file\n", FileReadme)
	p("  %s\n      the request, the scope, record counts, and the SHA-256 and size of\n      every other file\n", FileManifest)
	p("  %s\n      an Ed25519 signature over the bytes of manifest.json, base64\n\n", FileSignature)
	p("Each .json file is a JSON array with one object per record, one per line.\n")
	p("Each .csv file holds the same records (RFC 4180, UTF-8, CRLF line ends,\n")
	p("a header row); a missing value is an empty field in CSV and null in JSON.\n\n")

	p("TIMES\n\nAll times are UTC, written in RFC 3339 form (2026-08-01T12:34:56Z), to the\nsecond. Dates are written YYYY-MM-DD and are UTC days.\n\n")

	p("FIELDS\n")
	for _, c := range m.Scope.Categories {
		p("\n  %s (%s)\n", c, categoryTitles[c])
		fields, err := metadata.Scope{Fields: m.Scope.Fields}.Released(c)
		if err != nil {
			fields = nil // unreachable: the package was checked before it was written
		}
		if _, ok := m.Scope.Fields[c]; ok {
			p("    Only these fields are released for %s.\n", c)
		}
		for _, f := range fields {
			p("    %-15s %s\n", f.Name, wrap(f.Description, 52, "                    "))
		}
	}
	p("\n")

	p("CHECKING THE PACKAGE\n\n")
	key := "the provider's published production key"
	if s.KeyURL != "" {
		key = s.KeyURL
	}
	p("1. Obtain the provider's public key: %s\n   (also served as PEM). Its fingerprint is\n   %s.\n", key, m.ProducedBy.SigningKey)
	p("2. Verify the signature over the exact bytes of manifest.json, for example:\n")
	p("     base64 -d manifest.json.sig > manifest.sig\n")
	p("     openssl pkeyutl -verify -pubin -inkey production-key.pem -rawin \\\n       -in manifest.json -sigfile manifest.sig\n")
	p("3. Check that every file's SHA-256 matches manifest.json:\n     sha256sum *.json *.csv README.txt\n")
	p("A signature or hash that does not match means the package was altered after\nit was produced; do not rely on it, and ask the provider for a new copy.\n\n")

	p("WHAT IS NEVER IN A PACKAGE\n\n")
	p("Message content, calls, media and attachments are end-to-end encrypted: the\n")
	p("provider holds no key and stores no content, so no legal process can obtain\n")
	p("them here. Group names, avatars and profile photos are encrypted the same way.\n")
	return []byte(b.String())
}

// wrap breaks s into lines of at most width characters, indenting the
// continuation lines.
func wrap(s string, width int, indent string) string {
	var out strings.Builder
	n := 0
	for i, w := range strings.Fields(s) {
		if i > 0 && n+1+len(w) > width {
			out.WriteString("\n" + indent)
			n = 0
		} else if i > 0 {
			out.WriteByte(' ')
			n++
		}
		out.WriteString(w)
		n += len(w)
	}
	return out.String()
}

func plural(n int64, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
