package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/warrantdesk/warrantdesk/server/internal/blob"
	"github.com/warrantdesk/warrantdesk/server/internal/config"
	"github.com/warrantdesk/warrantdesk/server/internal/db"
	"github.com/warrantdesk/warrantdesk/server/internal/demo"
	"github.com/warrantdesk/warrantdesk/server/internal/disclosure"
	"github.com/warrantdesk/warrantdesk/server/internal/metadata"
	"github.com/warrantdesk/warrantdesk/server/internal/policy"
	"github.com/warrantdesk/warrantdesk/server/internal/request"
)

// productionKeyFile is where a development portal keeps the production
// key it generated.
const productionKeyFile = "production.key"

// productionKey settles the production key: cfg.ProductionKey
// (WARRANTDESK_PRODUCTION_KEY or _FILE), or, outside production, one generated once and kept in the
// data directory (readable by the owner only). Production refuses to start
// without one: manifests must be signed by a key the operator manages.
func productionKey(cfg config.Config, log *slog.Logger) (*disclosure.Keys, error) {
	const env = "WARRANTDESK_PRODUCTION_KEY"
	if cfg.ProductionKey != "" {
		k, err := disclosure.ParseKeys(cfg.ProductionKey)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", env, err)
		}
		return k, nil
	}
	if cfg.Env == config.EnvProduction {
		return nil, fmt.Errorf("%s (or _FILE) is required in production: packages must be signed with a key you manage (32 random bytes, base64url, after the prefix "+disclosure.KeyPrefix+")", env)
	}
	path := filepath.Join(cfg.DataDir, productionKeyFile)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		if err := os.MkdirAll(cfg.DataDir, 0o750); err != nil {
			return nil, fmt.Errorf("production key: %w", err)
		}
		key := disclosure.GenerateKey()
		if err := os.WriteFile(path, []byte(key+"\n"), 0o600); err != nil {
			return nil, fmt.Errorf("production key: %w", err)
		}
		log.Warn("generated a production signing key in the data directory; set " + env + " in production")
		b = []byte(key)
	} else if err != nil {
		return nil, fmt.Errorf("production key %s: %w", path, err)
	}
	k, err := disclosure.ParseKeys(string(b))
	if err != nil {
		return nil, fmt.Errorf("production key %s: %w", path, err)
	}
	return k, nil
}

// newProductions builds the metadata store and the disclosure service, and
// for the demo fills the store with its small fictional set when it is
// empty (well under a second, so every start can check).
func newProductions(ctx context.Context, cfg config.Config, d *db.DB, pol *policy.Engine, blobs blob.Store, log *slog.Logger) (*disclosure.Service, error) {
	keys, err := productionKey(cfg, log)
	if err != nil {
		return nil, err
	}
	cat, err := pol.Catalogue(ctx)
	if err != nil {
		return nil, err
	}
	md := &metadata.Store{DB: d, Retention: metadata.RetentionFrom(cat)}
	svc := &disclosure.Service{
		DB: d, Blobs: blobs, Metadata: md, Policy: pol, Authz: request.NewPolicy(pol), Keys: keys, Scopes: disclosure.WorkflowScope{},
		TempDir: filepath.Join(cfg.DataDir, "tmp"), Version: buildVersion(), KeyURL: cfg.BaseURL + "/api/v1/productions/key",
		NoticeWebhook: cfg.NoticeWebhook,
	}
	if err := os.MkdirAll(svc.TempDir, 0o700); err != nil {
		return nil, fmt.Errorf("production spool directory: %w", err)
	}
	if cfg.Demo {
		wrote, err := demo.SeedMetadata(ctx, d, time.Now())
		if err != nil {
			return nil, err
		}
		if wrote {
			log.Info("seeded the demo metadata", "target", "+1 555 0100 123")
		}
	}
	return svc, nil
}
