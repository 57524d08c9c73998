package db

import (
	"context"
	"fmt"
	"strings"
)

// AppRole is the PostgreSQL group role migration 0020 grants what serve
// needs: rows, not the schema, and no UPDATE or DELETE of the append-only
// tables. serve's login role is a member of it; migrate's is the owner.
const AppRole = "warrantdesk_app"

// CheckLeastPrivilege returns an error when the connection's role could
// change the schema or rewrite history: a superuser, a role that owns the
// schema (or any of its tables), or one that may create in it. Production
// serve refuses to start with such a role (deploy/README.md, "Database
// roles"). SQLite has no roles: it always passes.
func (d *DB) CheckLeastPrivilege(ctx context.Context) error {
	if d.Dialect != Postgres {
		return nil
	}
	var r struct {
		User        string
		Schema      string
		Super       bool
		OwnsSchema  bool
		CanCreate   bool
		OwnedTables string
	}
	err := d.WithContext(ctx).Raw(`SELECT current_user AS user, current_schema() AS schema,
		       (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS super,
		       pg_has_role(n.nspowner, 'USAGE') AS owns_schema,
		       has_schema_privilege(n.oid, 'CREATE') AS can_create,
		       coalesce((SELECT string_agg(c.relname, ', ' ORDER BY c.relname) FROM pg_class c
		                  WHERE c.relnamespace = n.oid AND c.relkind IN ('r', 'p') AND pg_has_role(c.relowner, 'USAGE')), '') AS owned_tables
		  FROM pg_namespace n WHERE n.nspname = current_schema()`).Scan(&r).Error
	if err != nil {
		return fmt.Errorf("check the database role's privileges: %w", err)
	}
	var why []string
	switch {
	case r.Super:
		why = append(why, "is a superuser")
	case r.OwnsSchema:
		why = append(why, "owns schema "+r.Schema)
	default:
		if r.CanCreate {
			why = append(why, "may create tables in schema "+r.Schema)
		}
		if r.OwnedTables != "" {
			why = append(why, "owns tables ("+r.OwnedTables+")")
		}
	}
	if len(why) == 0 {
		return nil
	}
	return fmt.Errorf("the database role %s %s, so it could change the schema and rewrite the audit trail: "+
		"in production, serve connects as a login role that is a member of %s and only that "+
		"(CREATE ROLE ... LOGIN PASSWORD '...' IN ROLE %s) with WARRANTDESK_MIGRATE=false, "+
		"and `warrantdesk migrate` connects as the schema's owner (deploy/README.md, \"Database roles\")",
		r.User, strings.Join(why, " and "), AppRole, AppRole)
}
