package web

import (
	"math"

	"github.com/warrantdesk/warrantdesk/server/internal/agency"
	"github.com/warrantdesk/warrantdesk/server/internal/policy"
	"github.com/warrantdesk/warrantdesk/server/internal/request"
)

// toAPIRequest converts a stored request to its API shape. base is the URL
// prefix its document links live under ("/api/v1", "/agency", "/provider").
func toAPIRequest(r *request.Request, a *agency.Agency, scope *request.Scope, base string) apiRequest {
	out := apiRequest{
		ID: r.ID, Reference: r.Reference, Status: string(r.Status), Version: r.Version,
		Process: r.Process,
		IssuingAuthority: apiAuthority{
			Kind: r.Authority.Kind, Name: r.Authority.Name, SignedBy: r.Authority.SignedBy,
		},
		Docket: r.Docket, IssuedOn: r.IssuedOn, ExpiresOn: r.ExpiresOn,
		DateFrom: r.DateFrom, DateTo: r.DateTo,
		Categories:    append([]string{}, r.Categories...),
		Nondisclosure: apiNondisclosure{Ordered: r.Nondisclosure.Ordered, Until: r.Nondisclosure.Until, IssuedBy: r.Nondisclosure.IssuedBy},
		Purpose:       r.Purpose,
		Offence:       toAPIOffence(r.Offence),
		PersonResides: r.PersonResides,
		Summary:       r.Summary,
		SubmittedAt:   r.SubmittedAt, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
		Targets:   []apiTarget{},
		Documents: []apiDocument{},
	}
	if a != nil {
		out.Agency = apiAgencyRef{ID: a.ID, Name: a.Name, Country: a.Country}
	} else {
		out.Agency = apiAgencyRef{ID: r.AgencyID}
	}
	if r.Emergency {
		out.Emergency = &apiEmergency{Narrative: r.EmergencyNarrative, Callback: r.EmergencyCallback}
		if r.EmergencySupervisor != nil {
			out.Emergency.SupervisorID = *r.EmergencySupervisor
		}
	}
	for _, t := range r.Targets {
		out.Targets = append(out.Targets, apiTarget{Type: t.Type, Value: t.Value})
	}
	for _, d := range r.Documents {
		out.Documents = append(out.Documents, apiDocument{
			ID: d.ID, Filename: d.Filename, SHA256: d.SHA256, Size: d.Size, UploadedAt: d.CreatedAt,
			URL: base + "/requests/" + r.ID + "/documents/" + d.ID,
		})
	}
	for _, h := range r.History {
		out.History = append(out.History, apiHistory{ID: h.ID, At: h.At, Action: h.Action, From: string(h.FromStatus), To: string(h.ToStatus), Comment: h.Comment, ActorID: h.ActorID, Words: h.Words})
	}
	if scope != nil {
		sc := toAPIScope(*scope)
		out.Scope = &sc
	}
	return out
}

func toAPIScope(s request.Scope) apiScope {
	out := apiScope{
		Valid: s.Valid, Categories: append([]string{}, s.Categories...), Refused: []apiRefusal{},
		DateFrom: s.DateFrom, DateTo: s.DateTo, Warnings: append([]string{}, s.Warnings...),
		Errors: s.Errors, Jurisdiction: s.Jurisdiction, ProcessKind: s.ProcessKind,
	}
	for _, r := range s.Refused {
		out.Refused = append(out.Refused, apiRefusal{Category: r.Category, Code: r.Code, Reason: r.Reason})
	}
	if len(s.Fields) > 0 {
		out.Fields = s.Fields
	}
	out.NationalSecurity = s.NationalSecurity
	if n := s.Notification; n.Required {
		out.Notification = &apiStateNotification{Citation: n.Citation, Text: n.Text, HoldHours: n.HoldHours, ObjectionHours: n.ObjectionHours,
			RefusalGrounds: toAPIChoices(n.RefusalGrounds)}
	}
	u := s.UserNotice
	out.UserNotice = apiUserNotice{Allowed: u.Allowed, Until: u.Until, Indefinite: u.Indefinite, Code: u.Code, Reason: u.Reason}
	return out
}

// toAPIChoices converts statutory choices (grounds, purposes); never nil.
func toAPIChoices(cs []policy.Choice) []apiChoice {
	out := make([]apiChoice, 0, len(cs))
	for _, c := range cs {
		out = append(out, apiChoice{ID: c.ID, Name: c.Name, Citation: c.Citation})
	}
	return out
}

// toAPIOffence gives the penalty in months and, for clients written before
// months, in years.
func toAPIOffence(o request.Offence) apiOffence {
	out := apiOffence{Description: o.Description, MaxPenaltyMonths: o.MaxPenaltyMonths, Grounds: append([]string{}, o.Grounds...),
		SentenceMonths: o.SentenceMonths, CommittedInIssuingState: o.CommittedInIssuingState}
	if m := o.MaxPenaltyMonths; m != nil {
		y := math.Round(*m/12*1000) / 1000
		out.MaxPenaltyYears = &y
	}
	return out
}
