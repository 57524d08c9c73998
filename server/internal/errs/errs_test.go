package errs

import (
	"fmt"
	"testing"
)

// german stands for a locale printer: it translates the ids it knows.
func german(format string, args ...any) string {
	de := map[string]string{
		"%s Allowed now: %s.":   "%s Jetzt erlaubt: %s.",
		"Request %s is closed.": "Ersuchen %s ist geschlossen.",
		"Wider: %s":             "Weiter: %s",
		"%s is not named.":      "%s ist nicht genannt.",
	}
	if t, ok := de[format]; ok {
		format = t
	}
	return fmt.Sprintf(format, args...)
}

func TestSayTranslatesTextArguments(t *testing.T) {
	e := E(Conflict, "%s Allowed now: %s.", Msg("Request %s is closed.", "WD-1"), "reopen")
	if e.Message != "Request WD-1 is closed. Allowed now: reopen." {
		t.Errorf("Message = %q: a Text formats as English", e.Message)
	}
	if got := e.Say(german); got != "Ersuchen WD-1 ist geschlossen. Jetzt erlaubt: reopen." {
		t.Errorf("Say = %q", got)
	}
	var f Fields
	f.Add("scope", "Wider: %s", Msg("%s is not named.", "x"))
	if got := f[0].Say(german); got != "Weiter: x ist nicht genannt." {
		t.Errorf("field Say = %q", got)
	}
	if _, ok := f[0].Args[0].(Text); !ok {
		t.Error("Say changed the field's arguments")
	}
}

func TestTextOf(t *testing.T) {
	var f Fields
	f.Add("targets[0].value", "%s", TextOf(E(Invalid, "Request %s is closed.", "WD-2")))
	if f[0].Message != "Request WD-2 is closed." {
		t.Errorf("Message = %q", f[0].Message)
	}
	if got := f[0].Say(german); got != "Ersuchen WD-2 ist geschlossen." {
		t.Errorf("Say = %q", got)
	}
	if got := TextOf(fmt.Errorf("db down")).String(); got != "Internal error." {
		t.Errorf("an error that is not an *Error says %q", got)
	}
}
