package devidp

import (
	"context"
	"math"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/warrantdesk/warrantdesk/server/internal/locale"
)

// Throttling of wrong credentials. A person's wrong passwords and wrong
// codes count together, per account: by normalised e-mail address, whether
// or not anyone has it, so that the answers never tell which accounts
// exist. A client's wrong secrets count per client id, known or not, and
// per address they come from: whoever sends wrong secrets in the name of
// the portal's client or of an agency's system locks out only their own
// address, not the portal's sign-ins or that system everywhere. After
// maxFailures in a row the account, or the client at that address, is
// refused for lockout, even with the right credentials; a completed
// sign-in (password, and code when the person has a second factor) or a
// right secret clears the count.
//
// On top of that, each client address may get addressBurst sign-in
// attempts wrong, then one every addressEvery, so that one address cannot
// try a few passwords on each of many accounts (which no account's lock
// would notice). The address is the connection's (r.RemoteAddr): the demo
// provider is served directly, not behind a proxy it would have to trust.
const (
	maxFailures  = 5
	lockout      = 15 * time.Minute
	addressBurst = 20
	addressEvery = 3 * time.Second
)

// msgAddressLimited is shown, with the seconds to wait, when the address's
// budget of wrong sign-ins is spent.
var msgAddressLimited = locale.M("Too many failed sign-ins from your network address. Try again in %d seconds.")

// A failureCount is the wrong-credential record of one account, or of one
// client at one address.
type failureCount struct {
	inARow      int       // wrong since the last success or lock
	last        time.Time // the latest wrong one
	lockedUntil time.Time // refused before this
}

// A throttle counts wrong credentials per account and per client and
// address, and spends the budgets of client addresses, on the provider's
// clock. Its state is in memory, like everything the provider keeps, and
// forgets what no longer matters: a count untouched for lockout (which
// lets no more guesses through than waiting out a lock would) and a budget
// that is full again.
type throttle struct {
	now func() time.Time

	mu        sync.Mutex
	counts    map[string]*failureCount // by accountKey or clientKey
	addresses map[string]*rate.Limiter // by host
	nextSweep time.Time
}

func newThrottle(now func() time.Time) *throttle {
	return &throttle{now: now, counts: map[string]*failureCount{}, addresses: map[string]*rate.Limiter{}}
}

// normalEmail is the form of an e-mail address that names an account.
func normalEmail(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

// accountKey and clientKey name what a count is about; the prefixes keep
// an e-mail address and a client id that happen to be equal apart. A host
// has no space, so the id after it is read whole.
func accountKey(email string) string   { return "account " + normalEmail(email) }
func clientKey(id, host string) string { return "client " + host + " " + id }

// locked reports whether key is refused now.
func (t *throttle) locked(key string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	c, ok := t.counts[key]
	return ok && t.now().Before(c.lockedUntil)
}

// fail counts a wrong credential for key and reports whether key is locked
// now: it just reached maxFailures, or it already was.
func (t *throttle) fail(key string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	t.sweepLocked(now)
	c, ok := t.counts[key]
	if !ok {
		c = &failureCount{}
		t.counts[key] = c
	}
	if now.Before(c.lockedUntil) {
		return true // a lock is not extended by tries during it
	}
	c.inARow++
	c.last = now
	if c.inARow >= maxFailures {
		c.inARow = 0
		c.lockedUntil = now.Add(lockout)
		return true
	}
	return false
}

// succeed clears key's count.
func (t *throttle) succeed(key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.counts, key)
}

// addressWait returns how long host must wait before it may try to sign in
// again: 0 while its budget lasts.
func (t *throttle) addressWait(host string) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	l, ok := t.addresses[host]
	if !ok {
		return 0
	}
	tokens := l.TokensAt(t.now())
	if tokens >= 1 {
		return 0
	}
	return time.Duration((1 - tokens) * float64(addressEvery))
}

// spendAddress spends one wrong sign-in from host's budget.
func (t *throttle) spendAddress(host string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	t.sweepLocked(now)
	l, ok := t.addresses[host]
	if !ok {
		l = rate.NewLimiter(rate.Every(addressEvery), addressBurst)
		t.addresses[host] = l
	}
	l.AllowN(now, 1)
}

// sweepLocked forgets, at most once a minute, counts untouched for lockout
// and not locked, and budgets that are full again, so that a stream of
// made-up e-mail addresses or client ids does not grow the maps without
// bound. t.mu must be held.
func (t *throttle) sweepLocked(now time.Time) {
	if now.Before(t.nextSweep) {
		return
	}
	t.nextSweep = now.Add(sweepInterval)
	for k, c := range t.counts {
		if !now.Before(c.lockedUntil) && now.Sub(c.last) >= lockout {
			delete(t.counts, k)
		}
	}
	for h, l := range t.addresses {
		if l.TokensAt(now) >= addressBurst {
			delete(t.addresses, h)
		}
	}
}

// verifyPassword checks email and password (checkPassword) under the
// account's throttle: codeLocked while the account is locked, whatever the
// password, and when this wrong password locks it; codeWrong for a wrong
// password; codeAccepted and the person for the right one. The right
// password does not clear the count: for a person with a second factor the
// sign-in is not complete until the code is right.
func (s *storage) verifyPassword(email, password string) (*person, codeOutcome) {
	key := accountKey(email)
	if s.throttle.locked(key) {
		return nil, codeLocked
	}
	p, ok := s.checkPassword(email, password)
	if !ok {
		if s.throttle.fail(key) {
			return nil, codeLocked
		}
		return nil, codeWrong
	}
	return p, codeAccepted
}

// clientHost is the address r came from, the key of its budget and, with
// a client id, of a count of wrong client secrets.
func clientHost(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// hostKey carries clientHost in a request's context: the library checks
// client secrets with the request's context alone.
type hostKey struct{}

// withClientHost puts each request's clientHost in its context.
func withClientHost(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), hostKey{}, clientHost(r))))
	})
}

// hostFrom is the clientHost withClientHost put in ctx, "" if none.
func hostFrom(ctx context.Context) string {
	host, _ := ctx.Value(hostKey{}).(string)
	return host
}

// addressAllowed reports whether r's address may try to sign in; if not it
// has answered 429 with Retry-After and a page saying when to try again.
func (l *login) addressAllowed(w http.ResponseWriter, r *http.Request) bool {
	wait := l.cfg.store.throttle.addressWait(clientHost(r))
	if wait <= 0 {
		return true
	}
	secs := max(1, int(math.Ceil(wait.Seconds())))
	w.Header().Set("Retry-After", strconv.Itoa(secs))
	l.render(w, r, http.StatusTooManyRequests, loginPage{Error: msg(msgAddressLimited, secs)})
	return false
}

// signInFailed spends one wrong sign-in (password or code, or a try at a
// locked account) from r's address's budget.
func (l *login) signInFailed(r *http.Request) {
	l.cfg.store.throttle.spendAddress(clientHost(r))
}
