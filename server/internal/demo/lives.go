package demo

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/warrantdesk/warrantdesk/server/internal/agency"
	"github.com/warrantdesk/warrantdesk/server/internal/day"
	"github.com/warrantdesk/warrantdesk/server/internal/disclosure"
	"github.com/warrantdesk/warrantdesk/server/internal/identity"
	"github.com/warrantdesk/warrantdesk/server/internal/request"
	"github.com/warrantdesk/warrantdesk/server/internal/workflow"
)

// A caseRun is the life of one request, step by step on the clock.
type caseRun struct {
	g   *generator
	ag  FilingAgency
	rng *rand.Rand
	p   *proc
	id  string
	ref string
	// password is an officer signed in with their password alone, who
	// submits without a second factor (the signals scene's new officer).
	password bool
}

// between returns a duration from lo to hi.
func (c *caseRun) between(lo, hi time.Duration) time.Duration {
	return lo + time.Duration(c.rng.Int64N(int64(hi-lo)+1))
}

func (c *caseRun) wait(lo, hi time.Duration) error { return c.p.after(c.between(lo, hi)) }

func (c *caseRun) chance(perMille int) bool { return c.rng.IntN(1000) < perMille }

const (
	minute = time.Minute
	hour   = time.Hour
	days   = 24 * time.Hour
)

// live runs the life of kind k.
func (c *caseRun) live(k kind) error {
	switch k {
	case kindEmergency, kindEmergencyRej:
		return c.emergency(k == kindEmergencyRej)
	case kindPreserved, kindPreservedFul:
		return c.preservation(k == kindPreservedFul)
	}
	return c.legalProcess(k, "", c.mainProcess())
}

// mainProcess chooses the legal process an ordinary request of the agency's
// country is filed under.
func (c *caseRun) mainProcess() string {
	switch c.ag.Country {
	case "GB":
		// An Overseas Production Order reaches nothing a telecommunications
		// operator holds (COPOA 2019 s. 3(4)-(4A)), so British agencies file
		// communications data authorisations.
		return "uk.ipa"
	case "DE":
		return "eu.epoc"
	}
	switch x := c.rng.IntN(100); {
	case x < 40:
		return "us.subpoena"
	case x < 70:
		return "us.2703d"
	default:
		return "us.warrant"
	}
}

// legalProcess is an ordinary request: filed, verified, reviewed and
// decided as k says; linked (a reference or "") names the preservation or
// emergency it follows up.
func (c *caseRun) legalProcess(k kind, linked, process string) error {
	if err := c.file(c.input(process, linked != ""), linked); err != nil {
		return err
	}
	if k == kindWithdrawn && c.chance(400) {
		if err := c.wait(3*hour, 3*days); err != nil {
			return err
		}
		return c.withdraw(c.say("The suspect was charged on other evidence; the request is no longer needed.",
			"Gegen den Beschuldigten wurde aufgrund anderer Beweismittel Anklage erhoben; das Ersuchen wird nicht mehr benötigt."))
	}
	if err := c.wait(2*hour, 2*days); err != nil {
		return err
	}
	if err := c.verify(false); err != nil {
		return err
	}
	if k == kindQuestion {
		if err := c.wait(4*hour, 3*days); err != nil {
			return err
		}
		q := questions[c.rng.IntN(len(questions))]
		if c.german() {
			q = questionsDE[c.rng.IntN(len(questionsDE))]
		}
		if _, err := c.provider(c.reviewer(), workflow.ActionRequestInfo, workflow.Input{Comment: q[0]}); err != nil {
			return err
		}
		if err := c.wait(6*hour, 5*days); err != nil {
			return err
		}
		if _, err := c.g.wf.Transition(c.g.ctx, c.ag.Officer, c.id, 0, workflow.ActionMessage, workflow.Input{Body: q[1]}); err != nil {
			return fmt.Errorf("answer: %w", err)
		}
	}
	if k == kindWithdrawn {
		if err := c.wait(1*days, 6*days); err != nil {
			return err
		}
		return c.withdraw(c.say("The investigation was closed.", "Das Ermittlungsverfahren wurde gemäß § 170 Abs. 2 StPO eingestellt."))
	}
	if err := c.wait(6*hour, 6*days); err != nil {
		return err
	}
	if k == kindRejected {
		r := rejections[c.rng.IntN(len(rejections))]
		if c.german() {
			r = rejectionsDE[c.rng.IntN(len(rejectionsDE))]
		}
		_, err := c.provider(c.reviewer(), workflow.ActionReject, workflow.Input{ReasonCode: r[0], Comment: r[1]})
		return err
	}
	if err := c.approve(k == kindNarrowed); err != nil {
		return err
	}
	return c.produce(true)
}

// emergency is a US emergency disclosure request: co-signed by the
// supervisor, verified by a callback, approved by two people and produced
// within hours, then followed by the legal process it owes; or rejected.
func (c *caseRun) emergency(reject bool) error {
	if err := c.file(c.input("us.emergency", false), ""); err != nil {
		return err
	}
	if err := c.wait(5*minute, 50*minute); err != nil {
		return err
	}
	if _, err := c.g.wf.Transition(c.g.ctx, confirmed(c.ag.Supervisor), c.id, 0, workflow.ActionCosign, workflow.Input{}); err != nil {
		return fmt.Errorf("cosign: %w", err)
	}
	if err := c.wait(10*minute, 90*minute); err != nil {
		return err
	}
	if err := c.verify(true); err != nil {
		return err
	}
	if err := c.wait(15*minute, 2*hour); err != nil {
		return err
	}
	if reject {
		_, err := c.provider(c.reviewer(), workflow.ActionReject, workflow.Input{ReasonCode: "insufficient_process",
			Comment: "The narrative describes a past offence, not an imminent danger of death or serious physical injury; serve legal process."})
		return err
	}
	if err := c.approve(false); err != nil {
		return err
	}
	if err := c.produce(false); err != nil {
		return err
	}
	// The legal process the disclosure owes, within the follow-up period.
	ref := c.ref
	start := c.p.now.Add(c.between(3*days, 20*days))
	c.child(start, func(f *caseRun) error { return f.legalProcess(kindApproved, ref, "us.warrant") })
	return c.closeLater()
}

// preservation is a preservation request: preserved for its hold period,
// then fulfilled by a production request that links it (fulfil), or
// extended, released, withdrawn or closed.
func (c *caseRun) preservation(fulfil bool) error {
	process := "us.preservation"
	if c.ag.Country == "DE" {
		process = "eu.epoc_pr"
	}
	if err := c.file(c.input(process, false), ""); err != nil {
		return err
	}
	if err := c.wait(1*hour, 20*hour); err != nil {
		return err
	}
	if err := c.verify(false); err != nil {
		return err
	}
	if fulfil {
		ref := c.ref
		production := "us.warrant"
		if c.ag.Country == "DE" {
			production = "eu.epoc"
		}
		start := c.p.now.Add(c.between(7*days, 40*days))
		c.child(start, func(f *caseRun) error { return f.legalProcess(kindApproved, ref, production) })
		return nil
	}
	switch x := c.rng.IntN(100); {
	case x < 25: // the agency no longer needs it
		if err := c.wait(10*days, 50*days); err != nil {
			return err
		}
		return c.withdraw(c.say("The suspect was identified by other means; the preservation is no longer needed.",
			"Der Tatverdächtige wurde anderweitig identifiziert; die Sicherung wird nicht mehr benötigt."))
	case x < 55: // extended once, then released
		if err := c.wait(40*days, 55*days); err != nil {
			return err
		}
		if _, err := c.provider(c.reviewer(), workflow.ActionExtend, workflow.Input{Comment: c.say("The agency asked for more time to obtain the order.",
			"Die Behörde hat um mehr Zeit gebeten, um die Herausgabeanordnung zu erwirken.")}); err != nil {
			return err
		}
		if err := c.wait(10*days, 30*days); err != nil {
			return err
		}
	default:
		if err := c.wait(15*days, 50*days); err != nil {
			return err
		}
	}
	if _, err := c.provider(c.reviewer(), workflow.ActionRelease, workflow.Input{Comment: c.say("The agency confirmed no legal process will follow.",
		"Die Behörde hat bestätigt, dass keine Herausgabeanordnung folgen wird.")}); err != nil {
		return err
	}
	if err := c.wait(1*days, 7*days); err != nil {
		return err
	}
	_, err := c.provider(c.reviewer(), workflow.ActionClose, workflow.Input{})
	return err
}

// child spawns a linked request's life at start.
func (c *caseRun) child(start time.Time, fn func(f *caseRun) error) {
	f := &caseRun{g: c.g, ag: c.ag, rng: rand.New(rand.NewPCG(c.rng.Uint64(), c.rng.Uint64()))}
	c.g.sim.spawn(start, c.g.opt.End, func(p *proc) error {
		f.p = p
		if err := fn(f); err != nil {
			return fmt.Errorf("history: %s request %s: %w", f.ag.Country, f.ref, err)
		}
		return nil
	}, c.g.finished)
}

// file creates the request as the officer, uploads its order, links it
// and submits it, and routes it as the portal does.
func (c *caseRun) file(in request.Input, linked string) error {
	officer := c.ag.Officer
	r, err := c.g.reqs.Create(c.g.ctx, officer, in)
	if err != nil {
		return fmt.Errorf("create %s: %w", in.Process, err)
	}
	c.id, c.ref = r.ID, r.Reference
	c.g.ids = append(c.g.ids, r.ID)
	if err := c.wait(2*minute, 40*minute); err != nil {
		return err
	}
	if _, err := c.g.reqs.UploadDocument(c.g.ctx, officer, r.ID, c.ref+".pdf", bytes.NewReader(request.PlaceholderPDF("order for "+c.ref))); err != nil {
		return fmt.Errorf("upload: %w", err)
	}
	if linked != "" {
		if _, err := c.g.wf.Link(c.g.ctx, officer, r.ID, &linked); err != nil {
			return fmt.Errorf("link to %s: %w", linked, err)
		}
	}
	if err := c.wait(1*minute, 30*minute); err != nil {
		return err
	}
	// The history's officers sign in with a second factor, which the
	// submission records (a requester signal when missing).
	by := confirmed(officer)
	if c.password {
		by = officer
	}
	if _, err := c.g.wf.Transition(c.g.ctx, by, r.ID, 0, workflow.ActionSubmit, workflow.Input{}); err != nil {
		return fmt.Errorf("submit: %w", err)
	}
	return nil
}

// provider takes a provider action at the request's current version.
func (c *caseRun) provider(actor *identity.Principal, a workflow.Action, in workflow.Input) (*workflow.Status, error) {
	r, err := request.Read(c.g.ctx, c.g.cfg.DB.DB, c.id)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", a, err)
	}
	st, err := c.g.wf.Transition(c.g.ctx, confirmed(actor), c.id, r.Version, a, in)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", a, err)
	}
	return st, nil
}

// confirmed is actor having just confirmed it is them with their second
// factor, as the portal asks before approving, countersigning or
// co-signing (the authz policy's step-up): the history's people act as
// real ones would. A copy, so that the cast stays as it signed in.
func confirmed(actor *identity.Principal) *identity.Principal {
	p := *actor
	p.MFA, p.AuthTime = true, time.Now()
	return &p
}

func (c *caseRun) reviewer() *identity.Principal {
	rs := c.g.cfg.Staff.Reviewers
	return rs[c.rng.IntN(len(rs))]
}

func (c *caseRun) withdraw(why string) error {
	if _, err := c.g.wf.Transition(c.g.ctx, c.ag.Officer, c.id, 0, workflow.ActionWithdraw, workflow.Input{Comment: why}); err != nil {
		return fmt.Errorf("withdraw: %w", err)
	}
	return nil
}

func (c *caseRun) verify(emergency bool) error {
	v := &workflow.Verification{
		Requester: verifications[c.rng.IntN(len(verifications))],
		Document:  "The order was checked against the issuing authority's published register.",
	}
	if emergency {
		// Intake calls the first number of the agency's directory.
		dir, err := agency.Callbacks(c.g.ctx, c.g.cfg.DB.DB, c.ag.ID, false)
		if err != nil {
			return err
		}
		if len(dir) == 0 {
			return fmt.Errorf("verify: %s has no callback directory", c.ag.Name)
		}
		v.Callback = &workflow.Callback{DirectoryID: dir[0].ID, Outcome: "confirmed", Note: "The duty officer confirmed the request and the officer's identity."}
	}
	_, err := c.provider(c.g.cfg.Staff.Intake, workflow.ActionVerify, workflow.Input{Verification: v})
	return err
}

// approve approves what the policy allows, or less (narrow), and has it
// countersigned where the approvals policy asks for two people.
func (c *caseRun) approve(narrow bool) error {
	in := workflow.Input{}
	if narrow {
		n, err := c.narrowing()
		if err != nil {
			return err
		}
		in.Scope = n
		if n != nil {
			in.Comment = c.say("Approved for less than asked: the rest is not necessary for the offence described.",
				"Nur teilweise genehmigt: Der Rest ist für die beschriebene Straftat nicht erforderlich.")
		}
	}
	st, err := c.provider(c.reviewer(), workflow.ActionApprove, in)
	if err != nil {
		return err
	}
	if st.State != request.StateAwaitingCountersign {
		return nil
	}
	if err := c.wait(20*minute, 26*hour); err != nil {
		return err
	}
	_, err = c.provider(c.g.cfg.Staff.Counsel, workflow.ActionCountersign, workflow.Input{})
	return err
}

// narrowing is a scope narrower than the policy's decision: a category
// fewer, the first target only, or a shorter window.
func (c *caseRun) narrowing() (*workflow.Narrowing, error) {
	r, err := c.g.reqs.Get(c.g.ctx, c.reviewer(), c.id)
	if err != nil {
		return nil, fmt.Errorf("narrow: %w", err)
	}
	sc, err := c.g.reqs.Evaluate(c.g.ctx, r)
	if err != nil {
		return nil, fmt.Errorf("narrow: %w", err)
	}
	switch {
	case len(sc.Categories) > 1:
		return &workflow.Narrowing{Categories: slices.Clone(sc.Categories[:len(sc.Categories)-1])}, nil
	case len(r.Targets) > 1:
		return &workflow.Narrowing{Targets: r.Targets[:1]}, nil
	}
	from, err1 := day.Parse(sc.DateFrom)
	to, err2 := day.Parse(sc.DateTo)
	if err1 != nil || err2 != nil || !from.AddDays(2).Before(to) {
		return nil, nil // nothing to narrow: approve as decided
	}
	return &workflow.Narrowing{DateFrom: from.AddDays(int(to.Time().Sub(from.Time()).Hours()/24) / 2)}, nil
}

// produce starts the production, builds the package (records found or
// none) and, as days pass, lets its link expire; the provider closes most
// finished requests.
func (c *caseRun) produce(closeLater bool) error {
	if err := c.wait(5*minute, 40*minute); err != nil {
		return err
	}
	if err := c.g.wf.StartProduction(c.g.ctx, c.id); err != nil {
		return fmt.Errorf("start production: %w", err)
	}
	if err := c.wait(2*minute, 90*minute); err != nil {
		return err
	}
	p, err := c.g.prod.Produce(c.g.ctx, c.id)
	if err != nil {
		return fmt.Errorf("produce: %w", err)
	}
	if p.ExpiresAt != nil {
		at := p.ExpiresAt.Add(c.between(1*minute, 50*minute))
		c.g.sim.spawn(at, c.g.opt.End, func(*proc) error {
			_, err := c.g.prod.ExpireDue(c.g.ctx)
			return err
		}, c.g.warn("expire productions"))
	}
	// A user notice held back by a non-disclosure order goes out when the
	// order ends, if that is within the history.
	var held []disclosure.Notice
	if err := c.g.cfg.DB.WithContext(c.g.ctx).Where("request_id = ? AND status = ?", c.id, disclosure.NoticeScheduled).Find(&held).Error; err != nil {
		return fmt.Errorf("read notices: %w", err)
	}
	for _, n := range held {
		c.g.sim.spawn(n.DueAt.Add(c.between(1*minute, 50*minute)), c.g.opt.End, func(*proc) error {
			_, err := c.g.prod.ReleaseDue(c.g.ctx)
			return err
		}, c.g.warn("release user notices"))
	}
	if closeLater {
		return c.closeLater()
	}
	return nil
}

// closeLater closes most disclosed requests some days later.
func (c *caseRun) closeLater() error {
	if !c.chance(700) {
		return nil
	}
	if err := c.wait(2*days, 12*days); err != nil {
		return err
	}
	_, err := c.provider(c.reviewer(), workflow.ActionClose, workflow.Input{Comment: c.say("Production delivered; nothing further.", "Herausgabepaket übermittelt; nichts weiter zu veranlassen.")})
	return err
}

// input is a complete request under process, dated around the clock's day.
func (c *caseRun) input(process string, followUp bool) request.Input {
	today := day.Of(c.p.now)
	issued := today.AddDays(-c.rng.IntN(5))
	to := today.AddDays(-1 - c.rng.IntN(10))
	from := to.AddDays(-30 - c.rng.IntN(150))
	months := float64(12 * []int{3, 5, 8, 10, 15, 20}[c.rng.IntN(6)])
	off := offences[c.rng.IntN(len(offences))]
	summary := fmt.Sprintf("The account is believed to have been used in the %s under investigation.", off)
	if c.german() {
		off = offencesDE[c.rng.IntN(len(offencesDE))]
		// The LKA's own file number (Aktenzeichen) beside the court's.
		summary = fmt.Sprintf("Nach den bisherigen Ermittlungen (Az. LKA %s-%d-%06d) wurde das Konto im Zusammenhang mit dem Tatvorwurf „%s“ genutzt; die Bestands- und Verbindungsdaten sollen die Täterschaft belegen.",
			lkaUnits[c.rng.IntN(len(lkaUnits))], day.Of(c.p.now).Time().Year(), c.rng.IntN(1000000), off)
	}
	in := request.Input{
		Process:    process,
		IssuedOn:   issued,
		ExpiresOn:  issued.AddDays(90 + c.rng.IntN(90)),
		Targets:    c.targets(1 + c.rng.IntN(3)),
		DateFrom:   from,
		DateTo:     to,
		Categories: []string{"subscriber", "connection_log"},
		Offence:    request.Offence{Description: off, MaxPenaltyMonths: &months},
		Summary:    summary,
	}
	if c.chance(400) {
		// A court's order (18 U.S.C. § 2705(b)), also beside a subpoena.
		in.Nondisclosure = request.Nondisclosure{Ordered: true, Until: issued.AddDays(180 + c.rng.IntN(180)), IssuedBy: "court"}
	}
	y := issued.Time().Year()
	switch process {
	case "us.subpoena":
		in.IssuingAuthority = request.Authority{Kind: "prosecutor", Name: "Riverside County District Attorney", SignedBy: "DDA J. Morales"}
		in.Docket = fmt.Sprintf("DA-%d-%05d", y, c.rng.IntN(100000))
		in.Categories = [][]string{{"subscriber"}, {"subscriber", "activity"}, {"subscriber", "connection_log"}}[c.rng.IntN(3)]
	case "us.2703d", "us.warrant":
		in.IssuingAuthority = request.Authority{Kind: "court", Name: "Superior Court of Riverside County", SignedBy: "Hon. A. Example"}
		in.Docket = fmt.Sprintf("CR-%d-%05d", y, c.rng.IntN(100000))
		in.Categories = []string{"subscriber", "connection_log", "device"}
		if process == "us.warrant" {
			in.Categories = append(in.Categories, "contacts", "groups")
		}
		if process == "us.2703d" && c.chance(250) {
			in.Targets = c.targets(11) // many accounts: two approvals
		}
	case "us.emergency":
		in.IssuingAuthority = request.Authority{Kind: "agency", Name: c.ag.Name, SignedBy: c.ag.Supervisor.Name}
		in.Docket = ""
		in.DateFrom = to.AddDays(-7 - c.rng.IntN(20))
		in.ExpiresOn = day.Date{}
		in.Nondisclosure = request.Nondisclosure{}
		in.Categories = []string{"subscriber", "activity", "connection_log"}
		in.Targets = c.targets(1)
		in.Emergency = &request.Emergency{Narrative: emergencies[c.rng.IntN(len(emergencies))],
			Callback: "+15550100199", SupervisorID: c.ag.Supervisor.PersonID}
	case "us.preservation":
		in.IssuingAuthority = request.Authority{Kind: "agency", Name: c.ag.Name, SignedBy: c.ag.Officer.Name}
		in.Docket = fmt.Sprintf("PR-%d-%04d", y, c.rng.IntN(10000))
		in.DateFrom = to.AddDays(-60 - c.rng.IntN(120))
		in.Categories = []string{"subscriber", "connection_log", "device"}
	case "uk.ipa":
		in.IssuingAuthority = request.Authority{Kind: "ocda", Name: "Office for Communications Data Authorisations", SignedBy: fmt.Sprintf("Authorising Officer %04d", 1000+c.rng.IntN(9000))}
		in.Docket = fmt.Sprintf("OCDA/%d/%06d", y, c.rng.IntN(1000000))
		// Mostly crime (every offence here carries 3 years or more, so it is
		// serious: s. 86(2A)(a)); some to prevent death or injury; a few in
		// the interests of national security, which reports count only in
		// bands.
		in.Purpose = "crime"
		switch x := c.rng.IntN(100); {
		case x < 8:
			in.Purpose = "threat_to_life"
		case x < 12:
			in.Purpose = "national_security"
		}
		in.Nondisclosure = request.Nondisclosure{} // s. 82 forbids telling the user anyway
		in.Categories = [][]string{{"subscriber", "device"}, {"subscriber", "connection_log"}, {"subscriber", "activity", "connection_log"}}[c.rng.IntN(3)]
	case "eu.epoc":
		in.IssuingAuthority = request.Authority{Kind: "judge", Name: "Amtsgericht Musterstadt", SignedBy: "Richterin Dr. K. Vogel"}
		in.Docket = fmt.Sprintf("%d Gs %d/%02d", 100+c.rng.IntN(900), 1+c.rng.IntN(9999), y%100)
		in.Categories = []string{"subscriber", "connection_log", "device"}
		in.Purpose = "criminal_proceedings"
		// A German investigation of a German resident: no notification of the
		// enforcing authority (Regulation (EU) 2023/1543, Art. 8(2)).
		in.Offence.CommittedInIssuingState, in.PersonResides = true, true
	case "eu.epoc_pr":
		in.IssuingAuthority = request.Authority{Kind: "prosecutor", Name: "Staatsanwaltschaft Musterstadt", SignedBy: "StA M. Braun"}
		in.Docket = fmt.Sprintf("%d Js %d/%02d", 100+c.rng.IntN(900), 1+c.rng.IntN(9999), y%100)
		in.DateFrom = to.AddDays(-60 - c.rng.IntN(120))
		in.Categories = []string{"subscriber", "connection_log", "device"}
	}
	// Some ask for content, which the policy always refuses with its reason.
	if !followUp && process != "us.emergency" && c.chance(60) {
		in.Categories = append(in.Categories, "content")
	}
	return in
}

// german: the agency files, and the provider answers it, in German.
func (c *caseRun) german() bool { return c.ag.Country == "DE" }

// say is en, or de for a German agency's request.
func (c *caseRun) say(en, de string) string {
	if c.german() {
		return de
	}
	return en
}

// targets are n fictional accounts: phone numbers of the generator's
// numbering (the demo's accounts among them) and usernames.
func (c *caseRun) targets(n int) []request.Target {
	var out []request.Target
	for len(out) < n {
		t := request.Target{Type: request.TargetPhone, Value: PhoneOf(100 + c.rng.IntN(60))}
		if c.chance(200) {
			t = request.Target{Type: request.TargetUsername, Value: fmt.Sprintf("%s%d", usernames[c.rng.IntN(len(usernames))], c.rng.IntN(100))}
		}
		if !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out
}

var (
	offences = []string{"armed robbery", "drug trafficking", "fraud", "child sexual exploitation", "extortion",
		"kidnapping", "arson", "money laundering", "stalking", "homicide", "burglary ring", "human trafficking"}
	// The German agency's offences, as its officers write them.
	offencesDE = []string{"Bandenmäßiger Computerbetrug", "Erpresserischer Menschenraub", "Schwerer Bandendiebstahl",
		"Geiselnahme", "Räuberische Erpressung", "Gewerbsmäßige Geldwäsche", "Bandenmäßige Urkundenfälschung",
		"Besonders schwere Brandstiftung", "Schwerer Raub mit Waffen", "Ausspähen von Daten in einem besonders schweren Fall"}
	// The LKA's departments (Dezernate) that file: cybercrime, organised crime, serious crime.
	lkaUnits    = []string{"3.1", "3.4", "4.2", "5.1"}
	questionsDE = [][2]string{
		{"Die Anordnung nennt eine Rufnummer, die wir dem Aktenzeichen nicht zuordnen können. Bitte bestätigen Sie die Rufnummer.",
			"Bestätigt: Die Rufnummer in der Anordnung ist korrekt; im Aktenzeichen des Ermittlungsverfahrens liegt ein Schreibfehler vor, eine berichtigte Ausfertigung des Beschlusses folgt."},
		{"Bitte bestätigen Sie den Zeitraum: Beschluss und Ersuchen weichen um einen Monat voneinander ab.",
			"Maßgeblich ist der Zeitraum des Ersuchens, den das Amtsgericht genehmigt hat; der frühere Beschlussentwurf ist überholt."},
		{"Ist die betroffene Person im Anordnungsstaat wohnhaft? Davon hängt die Unterrichtung der Vollstreckungsbehörde ab.",
			"Ja, der Beschuldigte hat seinen Wohnsitz im Zuständigkeitsbereich der Staatsanwaltschaft Musterstadt; die Meldebescheinigung liegt der Ermittlungsakte bei."},
	}
	rejectionsDE = [][2]string{
		{"overbroad", "Der Zeitraum reicht weit über die beschriebene Tat hinaus; bitte reichen Sie das Ersuchen für den Tatzeitraum erneut ein."},
		{"defective_document", "Die hochgeladene Anordnung ist nicht unterschrieben und trägt kein Dienstsiegel."},
		{"no_such_account", "Keine der angegebenen Kennungen gehört zu einem Konto bei uns."},
	}
	usernames     = []string{"nightowl", "blue.harbor", "m_k", "quietfox", "river.runner", "echo_7"}
	verifications = []string{
		"The requesting officer's identity was confirmed with the agency's published switchboard.",
		"The request came through the agency's registered case-management system and matches its docket.",
		"The officer's authority was confirmed with the agency's legal liaison.",
	}
	emergencies = []string{
		"A missing teenager has messaged a friend that she is being held against her will; the last contact was two hours ago.",
		"A caller threatened to detonate a device at a school this afternoon and used this account to send the threat.",
		"A person announced a suicide attempt in a group chat and cannot be located; every hour counts.",
	}
	questions = [][2]string{
		{"The order names the account by a number we cannot match to its docket entry. Please confirm the number.", "Confirmed: the number in the order is correct; the docket entry has a typo, corrected copy to follow."},
		{"Please confirm the date range: the order's schedule and the request differ by a month.", "The request's range is the one the court authorised; the schedule's earlier draft was superseded."},
		{"Is the non-disclosure order still in force?", "Yes, the court extended it last week; the extension is attached to the case file."},
	}
	rejections = [][2]string{
		{"overbroad", "The date range covers far more than the offence described; file again for the period of the offence."},
		{"defective_document", "The uploaded order is unsigned."},
		{"insufficient_process", "The categories asked for need a court order, not the process served."},
		{"no_such_account", "None of the identifiers names an account of ours."},
		{"wrong_jurisdiction", "The issuing authority has no jurisdiction over the offence described."},
	}
)
