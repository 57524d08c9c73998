package policy_test

import (
	"context"
	"testing"
)

// BenchmarkCatalogueIn: saying the whole catalogue in German, once
// (Catalogue.In), against taking it from the engine's cache
// (Engine.CatalogueIn), which the pages do.
func BenchmarkCatalogueIn(b *testing.B) {
	e := MustLoad(b)
	cat, err := e.Catalogue(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	b.Run("say", func(b *testing.B) {
		for b.Loop() {
			cat.In("de")
		}
	})
	b.Run("cached", func(b *testing.B) {
		for b.Loop() {
			if _, err := e.CatalogueIn(context.Background(), "de"); err != nil {
				b.Fatal(err)
			}
		}
	})
}
