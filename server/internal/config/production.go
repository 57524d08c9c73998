package config

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/url"
	"strings"
)

// The keys committed in deploy/ for docker compose, named by the SHA-256
// of their 32-byte seed (not the keys themselves: one copy in the
// repository is enough). By seed, so a demo log key given another name is
// still the demo key. production_test.go reads deploy/ and fails if these
// no longer name the files there.
const (
	demoLogKeySeedSHA256        = "856c2bba6a55ceb9e1ff601ae168937650f169a67bf796e683c3a26de51bb698" // deploy/log-key.txt
	demoProductionKeySeedSHA256 = "2a16b495c2ec61a3241fadd931f8906a9652106dbc00cc3ce8c6cfa8fc683d62" // deploy/production-key.txt
)

// publicSecrets are the SHA-256 hashes of the other secrets committed in
// this repository for the demo and compose set-ups, with where each is.
// Anyone with a clone holds them, so production refuses each in any secret
// setting. production_test.go extracts the secrets from those files and
// fails if one is missing here.
var publicSecrets = map[string]string{
	"94a1197b54e33d62d29395507ae1f7501b3ee37dbdbc9018aa6f11cc522c669b": "the demo portal client secret (deploy/keycloak)",
	"7e82a8cb780c7700bd24eb0f3b7049737ea91f20befba9ac6ed6a3744bca58b5": "the demo riverside-pd-cms client secret (deploy/keycloak, server/internal/demo)",
	"cf4d6dba0307aaae343dc24811eb2be43b782211b8b524137ad799f0bd582b78": "the demo northshire-cms client secret (deploy/keycloak, server/internal/demo)",
	"25981c2646ebdcb5fd38e2427e0b47d9be43d1ded986e764ad9df289b54713f1": "the demo lka-musterland-cms client secret (deploy/keycloak, server/internal/demo)",
	"18cec73aced7b13e418e89f887a8ce3a08ecb2acd628b62dd3b8d3f1d5e4950f": "the demo riverside-pd-records client secret (server/internal/demo)",
	"71ce3e7f19017a5558d62144c0c5aa4a222419acc35f603e1c43a5e4d7ceaae2": "the demo metrics token (deploy/metrics-token.txt)",
	"2f823e2e1f061e7c41f33d16d38ad302b2e607d9eef87333b11abab6b25e009b": "the demo PostgreSQL password of the owner warrantdesk (docker-compose.yml, deploy/postgres/roles.sql)",
	"ecfc1565525e2063307cf735dc721a65e907120a840020abc8d1d2e4a3fb9306": "the demo PostgreSQL password of warrantdesk_serve (docker-compose.yml, deploy/postgres/roles.sql)",
	"a942b37ccfaf5a813b1432caa209a43b9d144e47ad0de1549c289c253e556cd5": "the demo PostgreSQL superuser password (docker-compose.yml)",
	"8c6976e5b5410415bde908bd4dee15dfb167a9c873fc4bb8a81f6f2ab448a918": "the demo Keycloak admin password (docker-compose.yml)",
	"2a97516c354b68848cdbd8f54a226a0a55b21ed138e207ad6c5cbb9c00aa5aea": "the demo people's password (deploy/keycloak, server/internal/demo)",
	"7bab1e832161df27346c91952c257a0946c79e3f98b549e17c38964fa8917fb8": "the demo object store secret key (deploy/seaweedfs/s3.json, docker-compose.yml)",
}

// productionProblems lists what production refuses although development
// accepts it: secrets committed in this repository, and a database
// connection without TLS on a network not declared trusted. (The https
// checks of URLs sit with the URLs' other checks in Validate.)
func (c Config) productionProblems() []string {
	var p []string
	if sha256Hex(logKeySeed(c.LogKey)) == demoLogKeySeedSHA256 {
		p = append(p, "WARRANTDESK_LOG_KEY is the demo key committed in deploy/log-key.txt, which anyone with the repository holds: "+
			"generate your own with `warrantdesk log-key` and keep it secret")
	}
	if sha256Hex(productionKeySeed(c.ProductionKey)) == demoProductionKeySeedSHA256 {
		p = append(p, "WARRANTDESK_PRODUCTION_KEY is the demo key committed in deploy/production-key.txt, with which anyone could open packages and forge manifests: "+
			"generate your own with `printf 'warrantdesk-production-key-v1:%s\\n' \"$(openssl rand 32 | base64 | tr '+/' '-_' | tr -d =)\"` and give every replica the same one")
	}
	public := func(setting, secret string) {
		if where, ok := publicSecrets[sha256Hex([]byte(secret))]; ok {
			p = append(p, fmt.Sprintf("%s is %s, public in the repository: use a random secret of your own (such as `openssl rand -hex 32`)", setting, where))
		}
	}
	public("WARRANTDESK_METRICS_TOKEN", c.MetricsToken)
	public("WARRANTDESK_SMTP_PASSWORD", c.SMTP.Password)
	public("WARRANTDESK_S3_SECRET_ACCESS_KEY", c.S3.SecretAccessKey)
	for i, iss := range c.Issuers {
		name := fmt.Sprintf("issuer %d (%s)", i+1, iss.URL)
		public(name+": client_secret", iss.ClientSecret)
		if iss.Introspection != nil {
			public(name+": introspection client_secret", iss.Introspection.ClientSecret)
		}
	}
	if DialectIsURL(c.DatabaseURL) {
		u, err := url.Parse(c.DatabaseURL)
		if err != nil {
			// Not repeated: it may hold a password.
			p = append(p, "WARRANTDESK_DATABASE_URL is not a valid URL")
		} else {
			if pw, ok := u.User.Password(); ok {
				public("the password of WARRANTDESK_DATABASE_URL", pw)
			}
			p = append(p, c.databaseTLSProblems(u)...)
		}
	}
	return p
}

// databaseTLSProblems refuses a PostgreSQL connection that may run in the
// clear: sslmode absent (the driver then prefers TLS but falls back to
// none), disable, allow or prefer. Only the URL counts, not PGSSLMODE, so
// that what the setting says is what runs.
func (c Config) databaseTLSProblems(u *url.URL) []string {
	if c.DatabaseTrustedNetwork {
		return nil
	}
	const fix = "add sslmode=verify-full (or require) to the URL, or, if the network to the database is trusted, set WARRANTDESK_DATABASE_TRUSTED_NETWORK=true"
	switch mode := u.Query().Get("sslmode"); mode {
	case "require", "verify-ca", "verify-full":
		return nil
	case "":
		return []string{"WARRANTDESK_DATABASE_URL has no sslmode, so the connection may fall back to no TLS: " + fix}
	case "disable", "allow", "prefer":
		return []string{"WARRANTDESK_DATABASE_URL has sslmode=" + mode + ", which allows a connection without TLS: " + fix}
	default:
		return []string{fmt.Sprintf("WARRANTDESK_DATABASE_URL has sslmode=%q: use verify-full, verify-ca or require", mode)}
	}
}

// logKeySeed returns the Ed25519 seed of a note signing key
// (PRIVATE+KEY+<name>+<hash>+<base64(0x01 || seed)>, as translog reads
// it), or nil for anything else: serve reports a malformed key itself.
func logKeySeed(key string) []byte {
	parts := strings.SplitN(strings.TrimSpace(key), "+", 5)
	if len(parts) != 5 || parts[0] != "PRIVATE" || parts[1] != "KEY" {
		return nil
	}
	b, err := base64.StdEncoding.DecodeString(parts[4])
	if err != nil || len(b) != 33 || b[0] != 1 {
		return nil
	}
	return b[1:]
}

// productionKeySeed returns the seed of a production key (the prefix
// warrantdesk-production-key-v1: and base64url, as disclosure reads it),
// or nil for anything else.
func productionKeySeed(key string) []byte {
	enc, ok := strings.CutPrefix(strings.TrimSpace(key), "warrantdesk-production-key-v1:")
	if !ok {
		return nil
	}
	seed, err := base64.RawURLEncoding.DecodeString(enc)
	if err != nil || len(seed) != 32 {
		return nil
	}
	return seed
}

// sha256Hex is the hex SHA-256 of b, or "" for no bytes (which names no
// secret).
func sha256Hex(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
