package main

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/warrantdesk/warrantdesk/server/internal/demo"
)

// personID is the people id of the demo supervisor with e-mail address
// email in the demo agency org, as the agency's own system finds it to
// name them in an emergency (GET /api/v1/agency/supervisors); the
// supervisor must have signed in once.
func personID(t *testing.T, base, org, email string) string {
	t.Helper()
	for _, c := range demo.Clients {
		if c.Org != org {
			continue
		}
		var sups apiSupervisors
		if code := newAPIClient(t, base, c.ID, c.Secret).call(http.MethodGet, "/api/v1/agency/supervisors", nil, &sups); code != http.StatusOK {
			t.Fatalf("list the supervisors of %s: %d", org, code)
		}
		for _, s := range sups.Items {
			if s.Email == email {
				return s.ID
			}
		}
		t.Fatalf("%s is not among the supervisors of %s (have they signed in?)", email, org)
	}
	t.Fatalf("no demo agency system of %s", org)
	return ""
}

// TestBrowserEmergencyCosigned walks the emergency journey in real
// Chromium, without script of ours: an officer chooses the emergency
// process, which asks for the danger, a callback number and the
// supervisor who co-signs (not for a court order), files it naming the
// sergeant, and reads that it waits for the supervisor's co-signature; the
// sergeant finds the notification, co-signs, and the co-sign button is
// gone; the request is then in the provider's emergency queue.
func TestBrowserEmergencyCosigned(t *testing.T) {
	base := MustRunMain(t)

	// The sergeant has signed in before, so the portal knows them as a
	// supervisor the officer can name.
	sergeant := newTab(t)
	sergeant.signIn(base, "sergeant@riverside-pd.example", `a[href="/agency/requests/new"]`)

	officer := newTab(t)
	officer.signIn(base, "officer@riverside-pd.example", `a[href="/agency/requests/new"]`)
	officer.step("choose the emergency process",
		open(base+"/agency/requests/new"),
		chromedp.WaitVisible(`#f-process`),
		chromedp.SetValue(`#f-process`, "us.emergency"),
		chromedp.Click(`#form-step button[type=submit]`),
		chromedp.WaitVisible(`#f-emergency-supervisor_id`),
	)
	if got := officer.text("form"); strings.Contains(got, "Docket") || strings.Contains(got, "expires") || strings.Contains(got, "Non-disclosure") {
		t.Errorf("the emergency step asks for a court order:\n%s", got)
	}
	officer.axe("the emergency step", nil)
	officer.step("describe the emergency",
		chromedp.SetValue(`#f-issuing_authority-kind`, "agency"),
		chromedp.SendKeys(`#f-issuing_authority-name`, "Riverside Police Department"),
		chromedp.SendKeys(`#f-emergency-narrative`, "A child is held; the kidnapper uses this number. Every hour counts."),
		chromedp.SendKeys(`#f-emergency-callback`, "+1 555 0100 199"),
		chromedp.SetValue(`#f-emergency-supervisor_id`, personID(t, base, "riverside-pd", "sergeant@riverside-pd.example")),
		chromedp.Click(`#form-step button[type=submit]`),
		// No order to upload: an emergency goes on to its targets.
		chromedp.WaitVisible(`#f-target-value`),
		chromedp.SendKeys(`#f-target-value`, "+1 555 0100 123"),
		chromedp.Click(`#form-step button[type=submit]:not([name])`),
		chromedp.WaitVisible(`#f-date_from`),
		chromedp.SendKeys(`#f-date_from`, daysFromToday(-10)),
		chromedp.SendKeys(`#f-date_to`, daysFromToday(0)),
		chromedp.Click(`input[name=categories][value=subscriber]`),
		chromedp.Click(`#form-step button[type=submit]`),
		chromedp.WaitVisible(`#f-offence-description`),
		chromedp.SendKeys(`#f-offence-description`, "kidnapping"),
		chromedp.Click(`#form-step button[type=submit]`),
		chromedp.WaitVisible(`#form-submit`),
	)
	if got := officer.text("main"); !strings.Contains(got, "Marcus Hill") {
		t.Errorf("check your answers does not name the supervisor:\n%s", got)
	}
	ref := regexp.MustCompile(`WD-\d{4}-\d{6}`).FindString(officer.text(".caption"))
	loc, err := chromedp.Run(officer.ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	id := strings.TrimSuffix(loc[:strings.LastIndex(loc, "/check")], "/")
	id = id[strings.LastIndex(id, "/")+1:]
	// No order uploaded: an emergency has none to upload.
	officer.stepFor("submit", patience,
		chromedp.Click(`#form-submit button[type=submit]`),
		chromedp.WaitNotPresent(`#form-submit`),
	)
	if got := officer.text("h1"); !strings.Contains(got, "Waiting for your supervisor's co-signature") || strings.Contains(got, "Submitted to the provider") {
		t.Errorf("after submitting the emergency the heading says %q", got)
	}
	if got := officer.text("#cosignature"); !strings.Contains(got, "Marcus Hill") {
		t.Errorf("the co-signature line %q does not name the sergeant", got)
	}

	sergeant.step("the notification", open(base+"/agency"), chromedp.WaitVisible(`#notifications`))
	if got := sergeant.text("#notifications"); !strings.Contains(got, "Co-signature needed: "+ref) {
		t.Errorf("the sergeant's notifications %q lack the co-signature of %s", got, ref)
	}
	sergeant.step("open the emergency",
		open(base+"/agency/requests/"+id),
		chromedp.WaitVisible(`#form-cosign`),
	)
	sergeant.axe("the emergency to co-sign", nil)
	sergeant.step("co-sign",
		chromedp.Click(`#form-cosign button[type=submit]`),
		chromedp.WaitNotPresent(`#form-cosign`),
		chromedp.WaitVisible(`#cosignature`),
	)
	sergeant.step("the co-sign action and its warning are gone", open(base+"/agency/requests/"+id), chromedp.WaitVisible(`#cosignature`))
	if got := sergeant.text("main"); strings.Contains(got, "Co-sign this emergency request") || strings.Contains(got, "you confirm that this is an emergency") {
		t.Errorf("co-signing still offered after the co-signature:\n%s", got)
	}
	if got := sergeant.text("#cosignature"); !strings.Contains(got, "by Marcus Hill") {
		t.Errorf("the co-signature line says %q", got)
	}

	intake := newTab(t)
	intake.signIn(base, "intake@provider.example", `a[href="/provider/queue"]`)
	review := `a[href="/provider/requests/` + id + `/review"]`
	deadline := time.Now().Add(patience)
	for {
		_, err := intake.try(base + "/provider/queue?team=emergency")
		var n int
		if err == nil {
			n, err = chromedp.Run(intake.ctx, chromedp.Evaluate[int](`document.querySelectorAll('`+review+`').length`))
		}
		if err == nil && n > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the co-signed emergency %s is not in the emergency queue (last error: %v)", ref, err)
		}
		time.Sleep(300 * time.Millisecond)
	}
}
