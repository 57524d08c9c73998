package main

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/warrantdesk/warrantdesk/server/internal/blob"
	"github.com/warrantdesk/warrantdesk/server/internal/config"
)

// openBlobs returns where court documents and packages are kept: the
// configured S3-compatible object store, which replicas on several hosts
// share, or else the directory <data-dir>/blobs (the default for
// `serve --demo`, tests and a single host).
func openBlobs(ctx context.Context, cfg config.Config) (blob.Store, error) {
	if cfg.S3.Endpoint == "" {
		s, err := blob.NewLocal(filepath.Join(cfg.DataDir, "blobs"))
		if err != nil {
			return nil, fmt.Errorf("blob store: %w", err)
		}
		return s, nil
	}
	s, err := blob.NewS3(ctx, blob.S3Config{
		Endpoint:        cfg.S3.Endpoint,
		Bucket:          cfg.S3.Bucket,
		Region:          cfg.S3.Region,
		AccessKeyID:     cfg.S3.AccessKeyID,
		SecretAccessKey: cfg.S3.SecretAccessKey,
		PathStyle:       cfg.S3.PathStyle,
	})
	if err != nil {
		return nil, fmt.Errorf("blob store: %w", err)
	}
	return s, nil
}
