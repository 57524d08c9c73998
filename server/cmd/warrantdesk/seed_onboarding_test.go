package main

import (
	"context"
	"io"
	"testing"

	"github.com/warrantdesk/warrantdesk/server/internal/agency"
	"github.com/warrantdesk/warrantdesk/server/internal/dbtest"
	"github.com/warrantdesk/warrantdesk/server/internal/demo"
)

// TestSeedOnboardsTheDemoAgencies: the demo agencies are active, each with
// a verification record, its e-mail domain and two directory numbers under
// fixed ids (demo.CallbackID) that tests rely on; seeding again changes
// nothing.
func TestSeedOnboardsTheDemoAgencies(t *testing.T) {
	ctx := context.Background()
	d := dbtest.Open(t)
	for range 2 {
		if err := seedDemoAgencies(ctx, d, "http://127.0.0.1:1/idp", io.Discard); err != nil {
			t.Fatal(err)
		}
	}
	want := map[string]string{"riverside-pd": "riverside-pd.example", "northshire-police": "northshire-police.example", "lka-musterland": "lka-musterland.example"}
	for _, da := range demo.Agencies {
		id := demoAgencyID(da.Org)
		a, err := agency.FindByID(ctx, d.DB, id)
		if err != nil || !a.Active() || a.Jurisdiction == "" {
			t.Fatalf("%s: %+v (%v)", da.Org, a, err)
		}
		if vs, err := agency.Verifications(ctx, d.DB, id); err != nil || len(vs) != 1 || vs[0].ID != demo.VerificationID(da.Org) {
			t.Errorf("%s: verifications %+v (%v)", da.Org, vs, err)
		}
		if ds, err := agency.EmailDomains(ctx, d.DB, id); err != nil || len(ds) != 1 || ds[0] != want[da.Org] {
			t.Errorf("%s: e-mail domains %v (%v)", da.Org, ds, err)
		}
		cs, err := agency.Callbacks(ctx, d.DB, id, false)
		if err != nil || len(cs) != 2 {
			t.Fatalf("%s: directory %+v (%v)", da.Org, cs, err)
		}
		for i := range 2 {
			c, err := agency.FindCallback(ctx, d.DB, id, demo.CallbackID(da.Org, i))
			if err != nil || c.Source == "" {
				t.Errorf("%s: number %d: %+v (%v)", da.Org, i, c, err)
				continue
			}
			if n, err := agency.NormalizePhone(c.Phone, da.Country); err != nil || n != c.Phone {
				t.Errorf("%s: number %s is not E.164 (%v)", da.Org, c.Phone, err)
			}
		}
		if sc, err := agency.StatusChanges(ctx, d.DB, id); err != nil || len(sc) != 1 || sc[0].ToStatus != agency.StatusActive {
			t.Errorf("%s: status changes %+v (%v)", da.Org, sc, err)
		}
	}
}
