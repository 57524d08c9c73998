package locale

import (
	"testing"
	"testing/fstest"
)

func TestPrinter(t *testing.T) {
	fsys := fstest.MapFS{
		"en/plurals.json": {Data: []byte(`{"language":"en","messages":[{"id":"%d requests","translation":{"one":"%d request","other":"%d requests"}}]}`)},
		"de/pages.json": {Data: []byte(`{"language":"de","messages":[
			{"id":"Sign in","translation":"Anmelden"},
			{"id":"Request %s from %s","translation":"Ersuchen %[1]s von %[2]s"},
			{"id":"%d requests","translation":{"one":"ein Ersuchen","other":"%d Ersuchen"}}]}`)},
	}
	c, err := Load(fsys)
	if err != nil {
		t.Fatal(err)
	}
	de, en := c.Printer("de"), c.Printer("en")
	for _, tc := range []struct{ got, want string }{
		{de.Sprintf("Sign in"), "Anmelden"},
		{en.Sprintf("Sign in"), "Sign in"},
		{de.Sprintf("Request %s from %s", "WD-1", "LKA"), "Ersuchen WD-1 von LKA"},
		{de.Sprintf("%d requests", 1), "ein Ersuchen"},
		{de.Sprintf("%d requests", 3), "3 Ersuchen"},
		{en.Sprintf("%d requests", 1), "1 request"},
		{en.Sprintf("%d requests", 0), "0 requests"},
		{de.Sprintf("Not in the catalogue: %s", "x"), "Not in the catalogue: x"},
		{de.Sprintf("100% sure"), "100% sure"}, // no args: said as written
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}

func TestLoadRefuses(t *testing.T) {
	for name, file := range map[string]string{
		"other verbs":    `{"language":"de","messages":[{"id":"Request %s","translation":"Ersuchen %d"}]}`,
		"missing verb":   `{"language":"de","messages":[{"id":"Request %s by %s","translation":"Ersuchen %s"}]}`,
		"twice":          `{"language":"de","messages":[{"id":"A","translation":"B"},{"id":"A","translation":"C"}]}`,
		"wrong language": `{"language":"en","messages":[]}`,
		"no other form":  `{"language":"de","messages":[{"id":"%d x","translation":{"one":"ein x"}}]}`,
		"unknown form":   `{"language":"de","messages":[{"id":"%d x","translation":{"single":"x","other":"%d x"}}]}`,
		"empty":          `{"language":"de","messages":[{"id":"A","translation":""}]}`,
		"unknown field":  `{"language":"de","messages":[{"id":"A","text":"B"}]}`,
	} {
		if _, err := Load(fstest.MapFS{"de/x.json": {Data: []byte(file)}}); err == nil {
			t.Errorf("%s: loaded", name)
		}
	}
	if _, err := Load(fstest.MapFS{"fr/x.json": {Data: []byte(`{"language":"fr","messages":[]}`)}}); err == nil {
		t.Error("a language the portal does not speak: loaded")
	}
}

func TestMatch(t *testing.T) {
	c, err := Load(fstest.MapFS{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		accept  string
		choices []string
		want    string
	}{
		{"de-DE,de;q=0.9,en;q=0.8", nil, "de"},
		{"de-AT", nil, "de"},
		{"en-US,en;q=0.9", nil, "en"},
		{"fr-FR,fr;q=0.9", nil, "en"},
		{"fr-FR,de;q=0.5", nil, "de"},
		{"", nil, "en"},
		{"garbage;;;", nil, "en"},
		{"en-US", []string{"", "de"}, "de"}, // no cookie, the profile says German
		{"de", []string{"en"}, "en"},        // the switch's choice wins
		{"de", []string{"xx"}, "de"},        // a cookie the portal does not know is ignored
	} {
		if got := c.Match(tc.accept, tc.choices...); got != tc.want {
			t.Errorf("Match(%q, %q) = %q, want %q", tc.accept, tc.choices, got, tc.want)
		}
	}
}

func TestZone(t *testing.T) {
	for _, ok := range []string{"", "UTC", "Europe/Berlin", "America/New_York"} {
		if _, err := Zone(ok); err != nil {
			t.Errorf("Zone(%q): %v", ok, err)
		}
	}
	for _, bad := range []string{"Local", "Mars/Olympus", "../etc/passwd", "/etc/localtime"} {
		if _, err := Zone(bad); err == nil {
			t.Errorf("Zone(%q) accepted", bad)
		}
	}
}
