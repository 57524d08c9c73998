package translog

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"os"
	"testing"

	"golang.org/x/mod/sumdb/tlog"
	"gorm.io/gorm"

	"github.com/warrantdesk/warrantdesk/server/internal/dbtest"
)

// The RFC 6962 reference leaves of the Certificate Transparency project and
// the tree head after each (size 0 to 8). A tree no other implementation
// agrees with proves nothing to anyone else, so these run through the real
// storage: leaves appended to the database, hashes stored, roots and proofs
// read back the way the endpoints read them.
var (
	ctLeaves = []string{"", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"}
	ctRoots  = []string{
		"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
		"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
		"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
		"aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
		"d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
		"4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
		"76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
		"ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
		"5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
	}
	ctInclusion = []struct {
		index, size int64
		proof       []string
	}{
		{0, 8, []string{
			"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
			"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
			"6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
		{5, 8, []string{
			"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
			"ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
			"d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
	}
	ctConsistency = []struct {
		old, new int64
		proof    []string
	}{
		{2, 8, []string{
			"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
			"6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
		{6, 8, []string{
			"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
			"ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
			"d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
		{2, 5, []string{
			"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
			"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
	}
)

func hexHashes(t *testing.T, hs []tlog.Hash) []string {
	t.Helper()
	out := make([]string, len(hs))
	for i, h := range hs {
		out[i] = hex.EncodeToString(h[:])
	}
	return out
}

func TestRFC6962KnownAnswers(t *testing.T) {
	ctx := context.Background()
	d := dbtest.Open(t)
	skey, _, err := GenerateKey("warrantdesk.example/kat")
	if err != nil {
		t.Fatal(err)
	}
	l, err := New(d.DB, skey)
	if err != nil {
		t.Fatal(err)
	}
	cp, err := l.Sign(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := hex.EncodeToString(cp.Hash[:]), ctRoots[0]; got != want {
		t.Errorf("empty tree: root %s, want %s", got, want)
	}
	for i, lh := range ctLeaves {
		data, _ := hex.DecodeString(lh)
		err := d.Transaction(func(tx *gorm.DB) error {
			n, err := appendData(ctx, tx, "kat", "kat", "", data)
			if err == nil && n != int64(i) {
				t.Errorf("leaf %d got index %d", i, n)
			}
			return err
		})
		if err != nil {
			t.Fatalf("append leaf %d: %v", i, err)
		}
		// Sign after every leaf: each checkpoint must state the reference
		// tree head of its size.
		cp, err := l.Sign(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := cp.Size, int64(i+1); got != want {
			t.Fatalf("checkpoint size %d, want %d", got, want)
		}
		if got, want := hex.EncodeToString(cp.Hash[:]), ctRoots[i+1]; got != want {
			t.Errorf("tree of %d leaves: root %s, want %s", i+1, got, want)
		}
	}
	for _, tc := range ctInclusion {
		p, err := l.InclusionProof(ctx, tc.index, tc.size)
		if err != nil {
			t.Fatal(err)
		}
		if got := hexHashes(t, p); !equal(got, tc.proof) {
			t.Errorf("inclusion proof of %d in %d:\n got %v\nwant %v", tc.index, tc.size, got, tc.proof)
		}
	}
	for _, tc := range ctConsistency {
		p, err := l.ConsistencyProof(ctx, tc.old, tc.new)
		if err != nil {
			t.Fatal(err)
		}
		if got := hexHashes(t, p); !equal(got, tc.proof) {
			t.Errorf("consistency proof %d to %d:\n got %v\nwant %v", tc.old, tc.new, got, tc.proof)
		}
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestCertificateTransparencyProofs checks real proofs from Google's Argon
// 2020 CT log (x/mod's TestCertificateTransparency vectors) with the same
// checks receipts and wd-logcheck use.
func TestCertificateTransparencyProofs(t *testing.T) {
	var sth struct {
		Size int64     `json:"tree_size"`
		Hash tlog.Hash `json:"sha256_root_hash"`
	}
	var entries struct {
		Entries []struct {
			Data []byte `json:"leaf_input"`
		} `json:"entries"`
	}
	var rp struct {
		Index int64    `json:"leaf_index"`
		Proof [][]byte `json:"audit_path"`
	}
	var tp struct {
		Proof tlog.TreeProof `json:"consistency"`
	}
	for name, v := range map[string]any{"sth": &sth, "entries": &entries, "proof": &rp, "consistency": &tp} {
		b, err := os.ReadFile("testdata/argon2020/" + name + ".json")
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, v); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	proof := make(tlog.RecordProof, len(rp.Proof))
	for i, h := range rp.Proof {
		copy(proof[i][:], h)
	}
	if err := tlog.CheckRecord(proof, sth.Size, sth.Hash, rp.Index, tlog.RecordHash(entries.Entries[0].Data)); err != nil {
		t.Errorf("inclusion: %v", err)
	}
	old, _ := tlog.ParseHash("AuIZ5V6sDUj1vn3Y1K85oOaQ7y+FJJKtyRTl1edIKBQ=")
	if err := tlog.CheckTree(tp.Proof, sth.Size, sth.Hash, 3654490, old); err != nil {
		t.Errorf("consistency: %v", err)
	}
	// And a proof for another leaf must fail.
	if err := tlog.CheckRecord(proof, sth.Size, sth.Hash, rp.Index+1, tlog.RecordHash(entries.Entries[0].Data)); err == nil {
		t.Error("a proof for leaf 10000 verified for leaf 10001")
	}
}
