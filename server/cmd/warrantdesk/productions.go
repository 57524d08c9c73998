package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
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

// Production settings, read from the environment beside config.Config:
// the production key (a secret, with a _FILE twin) and the webhook user
// notices leave through.
const (
	envProductionKey  = "WARRANTDESK_PRODUCTION_KEY"
	envNoticeWebhook  = "WARRANTDESK_NOTICE_WEBHOOK"
	productionKeyFile = "production.key"
)

// productionKey settles the production key: WARRANTDESK_PRODUCTION_KEY
// (or _FILE), or, outside production, one generated once and kept in the
// data directory (readable by the owner only). Production refuses to start
// without one: manifests must be signed by a key the operator manages.
func productionKey(cfg config.Config, getenv func(string) string, log *slog.Logger) (*disclosure.Keys, error) {
	v, file := getenv(envProductionKey), getenv(envProductionKey+"_FILE")
	switch {
	case v != "" && file != "":
		return nil, fmt.Errorf("%s and %s_FILE are both set: set only one", envProductionKey, envProductionKey)
	case file != "":
		b, err := os.ReadFile(file)
		if err != nil {
			return nil, fmt.Errorf("%s_FILE: %w", envProductionKey, err)
		}
		v = string(b)
	}
	if v != "" {
		k, err := disclosure.ParseKeys(v)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", envProductionKey, err)
		}
		return k, nil
	}
	if cfg.Env == config.EnvProduction {
		return nil, fmt.Errorf("%s (or _FILE) is required in production: packages must be signed with a key you manage (32 random bytes, base64url, after the prefix "+disclosure.KeyPrefix+")", envProductionKey)
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
		log.Warn("generated a production signing key in the data directory; set " + envProductionKey + " in production")
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
func newProductions(ctx context.Context, cfg config.Config, d *db.DB, pol *policy.Engine, blobs blob.Store, log *slog.Logger, getenv func(string) string) (*disclosure.Service, error) {
	keys, err := productionKey(cfg, getenv, log)
	if err != nil {
		return nil, err
	}
	cat, err := pol.Catalogue(ctx)
	if err != nil {
		return nil, err
	}
	webhook := getenv(envNoticeWebhook)
	if webhook != "" {
		if u, err := url.Parse(webhook); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return nil, fmt.Errorf("%s is not an http(s) URL", envNoticeWebhook)
		}
	}
	md := &metadata.Store{DB: d, Retention: metadata.RetentionFrom(cat)}
	svc := &disclosure.Service{
		DB: d, Blobs: blobs, Metadata: md, Policy: pol, Authz: request.NewPolicy(pol), Keys: keys, Scopes: disclosure.WorkflowScope{},
		TempDir: filepath.Join(cfg.DataDir, "tmp"), Version: buildVersion(), KeyURL: cfg.BaseURL + "/api/v1/productions/key",
		NoticeWebhook: webhook,
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
