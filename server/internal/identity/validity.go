package identity

import (
	"fmt"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
)

// clockSkew is how far an issuer's clock may run ahead of the portal's: a
// token that says it was issued (iat) or becomes valid (nbf) later than
// that is refused. go-oidc allows nbf the same five minutes but never
// looks at iat, so a token stamped an hour ahead (an issuer whose clock is
// wrong, or a token minted for later use) verified; OpenID Connect Core
// 3.1.3.7 lets a relying party refuse what was issued too far from now.
const clockSkew = 5 * time.Minute

// notYetValid returns why a verified token is not valid yet at now, or nil.
func notYetValid(tok *oidc.IDToken, now time.Time) error {
	if tok.IssuedAt.After(now.Add(clockSkew)) {
		return fmt.Errorf("token issued at %s, more than %s after now (%s)", tok.IssuedAt.UTC(), clockSkew, now.UTC())
	}
	return nil
}

// nbfRefusal reports whether go-oidc refused a token for its nbf.
func nbfRefusal(err error) bool {
	return err != nil && strings.Contains(err.Error(), "before the nbf")
}
