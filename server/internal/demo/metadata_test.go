package demo_test

import (
	"context"
	"net/netip"
	"regexp"
	"testing"

	"github.com/warrantdesk/warrantdesk/server/internal/db"
	"github.com/warrantdesk/warrantdesk/server/internal/dbtest"
	"github.com/warrantdesk/warrantdesk/server/internal/demo"
	"github.com/warrantdesk/warrantdesk/server/internal/metadata"
)

// TestGenerateMetadataIsFictional checks what the generator writes: 555-01xx
// numbers, documentation address ranges, example domains, and the same
// data for the same seed.
func TestGenerateMetadataIsFictional(t *testing.T) {
	d := dbtest.Open(t)
	st := seedMetadata(t, d, 100, 30, 40, 6)
	if st.Accounts != 30 || st.ConnectionEvents < 30*40*4 {
		t.Fatalf("stats %+v", st)
	}
	phone := regexp.MustCompile(`^\+155501[0-9]{5}$`)
	var phones []string
	d.Model(&metadata.Account{}).Pluck("phone", &phones)
	var contacts []string
	d.Model(&metadata.Contact{}).Pluck("identifier", &contacts)
	for _, p := range append(phones, contacts...) {
		if !phone.MatchString(p) {
			t.Errorf("phone number %s is outside +1 555 01xx", p)
		}
	}
	var emails []string
	d.Model(&metadata.Account{}).Where("email IS NOT NULL").Pluck("email", &emails)
	for _, e := range emails {
		if !regexp.MustCompile(`@example\.(com|org|net)$`).MatchString(e) {
			t.Errorf("e-mail %s is not at an example domain", e)
		}
	}
	doc := []netip.Prefix{netip.MustParsePrefix("192.0.2.0/24"), netip.MustParsePrefix("198.51.100.0/24"),
		netip.MustParsePrefix("203.0.113.0/24"), netip.MustParsePrefix("2001:db8::/32")}
	var ips []string
	d.Model(&metadata.ConnectionEvent{}).Distinct("ip").Pluck("ip", &ips)
	for _, s := range ips {
		ip, err := netip.ParseAddr(s)
		if err != nil {
			t.Errorf("%q is not an IP address", s)
			continue
		}
		ok := false
		for _, p := range doc {
			ok = ok || p.Contains(ip)
		}
		if !ok {
			t.Errorf("%s is outside the documentation ranges", s)
		}
	}
	var outside int64
	if err := d.Model(&metadata.ConnectionEvent{}).Where("at > ? OR at < ?", end, end.AddDate(0, 0, -41)).Count(&outside).Error; err != nil || outside != 0 {
		t.Errorf("%d events outside the history (%v)", outside, err)
	}
	var target metadata.Account
	if err := d.Where("phone = ?", "+15550100123").Take(&target).Error; err != nil {
		t.Fatalf("the demo target +1 555 0100 123: %v", err)
	}
	if got, want := target.ID, demo.AccountIDOf("+15550100123"); got != want {
		t.Errorf("demo target id %s, want %s", got, want)
	}

	again := dbtest.Open(t)
	if st2 := seedMetadata(t, again, 100, 30, 40, 6); st2 != st {
		t.Errorf("the same seed wrote %+v, then %+v", st, st2)
	}
	if _, err := demo.GenerateMetadata(context.Background(), d, demo.MetadataOptions{Accounts: 2, FirstIndex: demo.MaxAccounts - 1, Days: 1}); err == nil {
		t.Error("GenerateMetadata numbered an account past the fictional range")
	}
}

// seedMetadata writes n accounts numbered from first with days of history
// up to end.
func seedMetadata(t testing.TB, d *db.DB, first, n, days int, perDay float64) demo.MetadataStats {
	t.Helper()
	st, err := demo.GenerateMetadata(context.Background(), d, demo.MetadataOptions{
		Accounts: n, FirstIndex: first, Days: days, EventsPerDay: perDay, Seed: 42, Now: end,
	})
	if err != nil {
		t.Fatalf("generate: %v", err)
	}
	return st
}
