package identity

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"
)

// Checking an issuer's introspection endpoint without a real token (for
// Inspect and Reachability): the portal asks, as its resource server, about
// probeToken, which no provider issued. An endpoint that answers 200 and
// says it is not active can be reached and accepts the portal's
// credentials, which is all the API will need of it when an agency system
// sends an opaque token.
const (
	// probeToken is what the probe asks about: not a JWT, and no token.
	probeToken = "warrantdesk-introspection-probe"
	// probeInterval bounds how often Reachability asks each endpoint: a
	// load balancer polls /readyz every few seconds on every replica, and
	// the provider need not hear from each that often. The Identity
	// providers page always asks anew.
	probeInterval = 30 * time.Second
)

// A probeOutcome is what the probe of an introspection endpoint showed.
type probeOutcome int

const (
	probeOK         probeOutcome = iota
	probeNoEndpoint              // neither configured nor in the discovery document
	probeRefused                 // 401: the portal's credentials are wrong
	probeActive                  // it calls the made-up token active: its answers mean nothing
	probeFailed                  // down, or its answer is not one
)

// A probeResult is one probe of an issuer's introspection endpoint.
type probeResult struct {
	outcome  probeOutcome
	endpoint string // "" when none is known
	err      error  // what went wrong, for probeFailed and probeRefused
}

// probeIntrospection asks is's introspection endpoint about probeToken.
// is must have Introspection configured and its discovery must have
// succeeded.
func (s *Service) probeIntrospection(ctx context.Context, is *issuer) probeResult {
	endpoint, err := s.introspectionEndpoint(ctx, is)
	switch {
	case errors.Is(err, errNoIntrospectionEndpoint):
		return probeResult{outcome: probeNoEndpoint}
	case err != nil:
		return probeResult{outcome: probeFailed, err: err}
	}
	r := probeResult{endpoint: endpoint}
	c, err := s.introspect(ctx, is, probeToken)
	var answered *answerError
	switch {
	case errors.As(err, &answered) && answered.code == http.StatusUnauthorized:
		r.outcome, r.err = probeRefused, err
	case err != nil:
		r.outcome, r.err = probeFailed, err
	case c != nil:
		r.outcome = probeActive
	}
	return r
}

// check is the probe as the Identity providers page shows it.
func (r probeResult) check() IssuerCheck {
	const meanwhile = "the API answers agency systems' opaque tokens 503."
	c := IssuerCheck{Name: "Introspection", OK: r.outcome == probeOK}
	switch r.outcome {
	case probeOK:
		c.Detail = fmt.Sprintf("%s answers the portal's resource-server credentials: agency systems' opaque tokens can be checked.", r.endpoint)
	case probeNoEndpoint:
		c.Detail = "Neither the issuer's introspection endpoint is configured nor does its discovery document name one (introspection_endpoint): configure it. Until then, " + meanwhile
	case probeRefused:
		c.Detail = fmt.Sprintf("%s refuses the portal's credentials (401): the introspection client_id or client_secret is wrong, or the provider has no such client. Until they are right, ", r.endpoint) + meanwhile
	case probeActive:
		c.Detail = fmt.Sprintf("%s says a token no one issued is active: its answers cannot be trusted, and the portal accepts no opaque token on them.", r.endpoint)
	default:
		c.Detail = fmt.Sprintf("The introspection endpoint cannot be asked: %v. Until it answers, ", r.err) + meanwhile
	}
	return c
}

// status is the probe as /readyz reports it: "ok", or what is wrong.
func (r probeResult) status() string {
	switch r.outcome {
	case probeOK:
		return "ok"
	case probeNoEndpoint:
		return "misconfigured: no introspection endpoint is known"
	case probeRefused:
		return "misconfigured: its introspection endpoint refuses the portal's credentials (401)"
	case probeActive:
		return "misconfigured: its introspection endpoint calls a token no one issued active"
	default:
		return "unreachable: its introspection endpoint cannot be asked"
	}
}

// A probeCache keeps an issuer's latest probe for Reachability.
type probeCache struct {
	mu   sync.Mutex
	at   time.Time
	last *probeResult
}

// cachedProbe is probeIntrospection at most once every probeInterval. A
// probe cut short because the caller went away is not kept; one that ran
// out of the caller's time is: the endpoint is that slow.
func (s *Service) cachedProbe(ctx context.Context, is *issuer) probeResult {
	pc := &is.probe
	pc.mu.Lock()
	defer pc.mu.Unlock()
	now := s.now()
	if pc.last != nil && !now.Before(pc.at) && now.Before(pc.at.Add(probeInterval)) {
		return *pc.last
	}
	r := s.probeIntrospection(ctx, is)
	if !errors.Is(ctx.Err(), context.Canceled) {
		pc.at, pc.last = now, &r
	}
	return r
}
