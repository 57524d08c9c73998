package deploy

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
)

const (
	rolesFile  = "postgres/roles.sql"
	initTarget = "/docker-entrypoint-initdb.d/roles.sql"
	appRole    = "warrantdesk_app" // what migration 0020 grants
)

var (
	reLoginRole = regexp.MustCompile(`(?m)^CREATE ROLE (\w+) LOGIN PASSWORD '([^']*)'(?: IN ROLE (\w+))?;`)
	reOwner     = regexp.MustCompile(`(?m)^ALTER DATABASE (\w+) OWNER TO (\w+);`)
)

// A loginRole is a role roles.sql creates with a password.
type loginRole struct{ password, group string }

// TestComposeDatabaseRoles: the postgres service runs deploy/postgres/roles.sql
// at initialisation, migrate connects as the database's owner it creates,
// and the replicas (and register-agencies, which only inserts rows) as its
// member of warrantdesk_app, each with the password it sets.
func TestComposeDatabaseRoles(t *testing.T) {
	p := loadCompose(t)
	script := readFile(t, rolesFile)
	roles := map[string]loginRole{}
	for _, m := range reLoginRole.FindAllStringSubmatch(script, -1) {
		roles[m[1]] = loginRole{m[2], m[3]}
	}
	owners := map[string]string{} // database → owner
	for _, m := range reOwner.FindAllStringSubmatch(script, -1) {
		owners[m[1]] = m[2]
	}
	if len(roles) < 2 || len(owners) != 1 {
		t.Fatalf("%s: login roles %v, owners %v: has its format changed?", rolesFile, roles, owners)
	}

	mounted := false
	for _, v := range p.Services["postgres"].Volumes {
		mounted = mounted || strings.HasSuffix(v.Source, "deploy/"+rolesFile) && v.Target == initTarget
	}
	if !mounted {
		t.Errorf("the postgres service does not mount deploy/%s at %s", rolesFile, initTarget)
	}

	connects := func(service, user, password string) loginRole {
		t.Helper()
		r, ok := roles[user]
		if !ok {
			t.Errorf("%s connects as %q, which %s does not create", service, user, rolesFile)
		} else if r.password != password {
			t.Errorf("%s connects as %s with another password than %s sets", service, user, rolesFile)
		}
		return r
	}
	var serving int
	for name, s := range p.Services {
		env := func(k string) string {
			if v := s.Environment[k]; v != nil {
				return *v
			}
			return ""
		}
		if name == "register-agencies" {
			if r := connects(name, env("PGUSER"), env("PGPASSWORD")); r.group != appRole {
				t.Errorf("%s connects as %s, not a member of %s", name, env("PGUSER"), appRole)
			}
			continue
		}
		if s.Image != builtImage {
			continue
		}
		u, err := url.Parse(env("WARRANTDESK_DATABASE_URL"))
		if err != nil || u.User == nil {
			t.Errorf("%s: WARRANTDESK_DATABASE_URL names no user: %v", name, err)
			continue
		}
		password, _ := u.User.Password()
		r := connects(name, u.User.Username(), password)
		owner := owners[strings.TrimPrefix(u.Path, "/")]
		switch s.Command[0] {
		case "migrate":
			if u.User.Username() != owner {
				t.Errorf("migrate connects as %s, but %s makes %s the database's owner", u.User.Username(), rolesFile, owner)
			}
		case "serve":
			serving++
			if r.group != appRole || u.User.Username() == owner {
				t.Errorf("%s connects as %s: want a member of %s that does not own the database", name, u.User.Username(), appRole)
			}
		}
	}
	if serving == 0 {
		t.Error("no service runs serve: has the compose file changed?")
	}
}

// TestRolesScriptRuns runs deploy/postgres/roles.sql on the test PostgreSQL
// server as the image's initialisation does (as a superuser, in the
// database it names), with this test's own role and database names, since
// roles are cluster-wide. It skips without a server.
func TestRolesScriptRuns(t *testing.T) {
	dsn := os.Getenv("WARRANTDESK_TEST_POSTGRES_DSN")
	if dsn == "" {
		t.Skip("skipping: PostgreSQL not configured (set WARRANTDESK_TEST_POSTGRES_DSN=postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable)")
	}
	ctx := context.Background()
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() }) // after the drops below, which run first
	suffix := randomHex(t)
	names := map[string]string{"warrantdesk": "wdtest_owner_" + suffix, appRole: "wdtest_app_" + suffix, "warrantdesk_serve": "wdtest_serve_" + suffix}
	database := "wdtest_" + suffix
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+database); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for _, stmt := range []string{"DROP DATABASE IF EXISTS " + database + " WITH (FORCE)",
			"DROP ROLE IF EXISTS " + names["warrantdesk_serve"], "DROP ROLE IF EXISTS " + names[appRole], "DROP ROLE IF EXISTS " + names["warrantdesk"]} {
			if _, err := admin.ExecContext(context.Background(), stmt); err != nil {
				t.Logf("%s: %v", stmt, err)
			}
		}
	})

	script := readFile(t, rolesFile)
	script = reOwner.ReplaceAllString(script, "ALTER DATABASE "+database+" OWNER TO $2;")
	script = regexp.MustCompile(`\bwarrantdesk(_app|_serve)?\b`).ReplaceAllStringFunc(script, func(s string) string { return names[s] })
	u, _ := url.Parse(dsn)
	u.Path = "/" + database
	conn, err := sql.Open("pgx", u.String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, script); err != nil {
		t.Fatalf("%s: %v", rolesFile, err)
	}

	var ownerSuper, ownerLogin, appLogin, serveLogin, serveMember, ownsDB bool
	err = admin.QueryRowContext(ctx, `SELECT o.rolsuper, o.rolcanlogin, a.rolcanlogin, s.rolcanlogin,
			pg_has_role(s.oid, a.oid, 'MEMBER'), (SELECT datdba FROM pg_database WHERE datname = $4) = o.oid
		FROM pg_roles o, pg_roles a, pg_roles s WHERE o.rolname = $1 AND a.rolname = $2 AND s.rolname = $3`,
		names["warrantdesk"], names[appRole], names["warrantdesk_serve"], database).
		Scan(&ownerSuper, &ownerLogin, &appLogin, &serveLogin, &serveMember, &ownsDB)
	if err != nil {
		t.Fatal(err)
	}
	if ownerSuper || !ownerLogin || !ownsDB {
		t.Errorf("the owner: superuser %v, login %v, owns the database %v; want false, true, true", ownerSuper, ownerLogin, ownsDB)
	}
	if appLogin || !serveLogin || !serveMember {
		t.Errorf("%s login %v; serve's role login %v, member %v; want false, true, true", appRole, appLogin, serveLogin, serveMember)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func randomHex(t *testing.T) string {
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}
