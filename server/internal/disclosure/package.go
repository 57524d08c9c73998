package disclosure

import (
	"archive/zip"
	"compress/flate"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"filippo.io/age"
	"gorm.io/gorm"

	"github.com/warrantdesk/warrantdesk/server/internal/metadata"
)

// Package file names besides the category files.
const (
	FileReadme    = "README.txt"
	FileManifest  = "manifest.json"
	FileSignature = "manifest.json.sig"
	// ManifestFormat names the manifest's layout.
	ManifestFormat = "warrantdesk-production/1"
)

// A Manifest describes a package: what was asked, what was approved, what
// was found, and the SHA-256 of every other file. Its bytes are what
// manifest.json.sig signs.
type Manifest struct {
	Format     string           `json:"format"`
	Request    ManifestRequest  `json:"request"`
	Scope      ManifestScope    `json:"scope"`
	Outcome    string           `json:"outcome"` // records_found | no_records_found
	Counts     map[string]int64 `json:"counts"`  // records per approved category
	Files      []ManifestFile   `json:"files"`
	ProducedAt string           `json:"produced_at"` // RFC 3339, UTC
	ProducedBy ProducedBy       `json:"produced_by"`
}

// ManifestRequest identifies the legal request a package answers.
type ManifestRequest struct {
	ID          string         `json:"id"`
	Reference   string         `json:"reference"`
	Agency      ManifestAgency `json:"agency"`
	Process     string         `json:"legal_process"`
	ProcessName string         `json:"legal_process_name"`
	Citation    string         `json:"citation"`
	Docket      string         `json:"docket"`
	IssuingAuth string         `json:"issuing_authority"`
}

// ManifestAgency is the requesting agency.
type ManifestAgency struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Country string `json:"country"`
}

// ManifestScope is the approved scope the package was produced for.
type ManifestScope struct {
	Categories []string         `json:"categories"`
	DateFrom   string           `json:"date_from"` // inclusive, UTC
	DateTo     string           `json:"date_to"`   // inclusive, UTC
	Targets    []ManifestTarget `json:"targets"`
	// Fields: the only fields a category's files hold, where the order
	// limits them (EU identification data, Reg. (EU) 2023/1543 Art.
	// 3(10)); a category not listed holds every field it has.
	Fields map[string][]string `json:"fields,omitempty"`
}

// A ManifestTarget is one target and what it resolved to.
type ManifestTarget struct {
	Type      string `json:"type"`
	Value     string `json:"value"`
	Result    string `json:"result"`               // "matched" or "no_account"
	AccountID string `json:"account_id,omitempty"` // when matched
}

// Target results.
const (
	TargetMatched   = "matched"
	TargetNoAccount = "no_account"
)

// A ManifestFile is one file of the package with its SHA-256 (hex) and size.
type ManifestFile struct {
	Name    string `json:"name"`
	SHA256  string `json:"sha256"`
	Size    int64  `json:"size"`
	Records *int64 `json:"records,omitempty"` // for data files
}

// ProducedBy names who produced and signed the package.
type ProducedBy struct {
	Organisation string `json:"organisation"`
	System       string `json:"system"`
	Production   string `json:"production_id"`
	SigningKey   string `json:"signing_key"` // fingerprint of the Ed25519 key that signed the manifest
}

// built is what writePackage reports.
type built struct {
	manifest     Manifest
	manifestJSON []byte
	total        int64
}

// flushSize is how many encoded bytes accumulate before they are handed to
// a compressor; bufsPerWriter buffers circulate per compressor, so a build
// holds a few megabytes whatever the number of records.
const (
	flushSize     = 256 << 10
	bufsPerWriter = 4
)

// writePackage streams the zip of a production to w: for each approved
// category, <category>.json and <category>.csv, then README.txt,
// manifest.json and manifest.json.sig. m arrives with everything but
// files, counts and outcome filled in.
//
// Each category is read once: every record is encoded as a JSON object
// and a CSV line, the JSON goes straight into the zip while a second
// goroutine compresses the CSV into a spool file encrypted with a key that
// exists only in memory, which is copied into the zip after the JSON. So
// the compression of both formats runs in parallel with the database read,
// and memory stays bounded.
func (s *Service) writePackage(ctx context.Context, w io.Writer, tx *gorm.DB, sc metadata.Scope, m Manifest, readme func(Manifest) []byte) (*built, error) {
	modified, err := time.Parse(time.RFC3339, m.ProducedAt)
	if err != nil {
		return nil, fmt.Errorf("package: produced at: %w", err)
	}
	zw := zip.NewWriter(w)
	zw.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(out, flate.BestSpeed)
	})
	m.Counts = map[string]int64{}
	m.Files = nil
	var total int64
	now := s.now()
	for _, c := range sc.Categories {
		jf, cf, n, err := s.writeCategory(ctx, zw, tx, sc, c, modified, now)
		if err != nil {
			return nil, err
		}
		m.Counts[c] = n
		total += n
		m.Files = append(m.Files, jf, cf)
	}
	m.Outcome = OutcomeRecords
	if total == 0 {
		m.Outcome = OutcomeNoRecords
	}
	text := readme(m)
	rf, err := writeFile(zw, FileReadme, modified, text)
	if err != nil {
		return nil, err
	}
	m.Files = append(m.Files, rf)
	mj, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("package: manifest: %w", err)
	}
	mj = append(mj, '\n')
	if _, err := writeFile(zw, FileManifest, modified, mj); err != nil {
		return nil, err
	}
	sig := base64.StdEncoding.EncodeToString(s.Keys.signature(mj)) + "\n"
	if _, err := writeFile(zw, FileSignature, modified, []byte(sig)); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("package: close zip: %w", err)
	}
	return &built{manifest: m, manifestJSON: mj, total: total}, nil
}

func writeFile(zw *zip.Writer, name string, modified time.Time, b []byte) (ManifestFile, error) {
	f, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: modified})
	if err != nil {
		return ManifestFile{}, fmt.Errorf("package: %s: %w", name, err)
	}
	if _, err := f.Write(b); err != nil {
		return ManifestFile{}, fmt.Errorf("package: %s: %w", name, err)
	}
	sum := sha256.Sum256(b)
	return ManifestFile{Name: name, SHA256: hex.EncodeToString(sum[:]), Size: int64(len(b))}, nil
}

// writeCategory writes <c>.json and <c>.csv and returns their manifest
// entries and the number of records.
func (s *Service) writeCategory(ctx context.Context, zw *zip.Writer, tx *gorm.DB, sc metadata.Scope, c string, modified, now time.Time) (jf, cf ManifestFile, n int64, err error) {
	jsonName, csvName := c+".json", c+".csv"
	fields, err := sc.Released(c)
	if err != nil {
		return jf, cf, 0, err
	}
	entry, err := zw.CreateHeader(&zip.FileHeader{Name: jsonName, Method: zip.Deflate, Modified: modified})
	if err != nil {
		return jf, cf, 0, fmt.Errorf("package: %s: %w", jsonName, err)
	}
	jsonSum := newSummer(entry)
	sp, err := newSpool(s.tempDir())
	if err != nil {
		return jf, cf, 0, err
	}
	defer sp.discard()

	jw := newAsyncWriter(jsonSum)
	cw := newAsyncWriter(sp)
	closeBoth := func() error {
		jerr, cerr := jw.Close(), cw.Close()
		if jerr != nil {
			return fmt.Errorf("package: %s: %w", jsonName, jerr)
		}
		if cerr != nil {
			return fmt.Errorf("package: %s: %w", csvName, cerr)
		}
		return nil
	}

	// A JSON array with one record per line.
	jw.WriteString("[")
	cw.Write(metadata.CSVHeader(fields))
	sep := "\n"
	n, err = s.Metadata.Stream(ctx, tx, sc, c, now, func(r *metadata.Record) error {
		if jw.failed.Load() || cw.failed.Load() {
			return closeBoth() // reports the writer's error
		}
		jw.WriteString(sep)
		sep = ",\n"
		jw.Write(r.JSON)
		cw.Write(r.CSV)
		return nil
	})
	if err != nil {
		closeBoth()
		return jf, cf, n, err
	}
	if n > 0 {
		jw.WriteString("\n")
	}
	jw.WriteString("]\n")
	if err := closeBoth(); err != nil {
		return jf, cf, n, err
	}
	records := n
	jf = ManifestFile{Name: jsonName, SHA256: jsonSum.sum(), Size: jsonSum.n, Records: &records}
	cf, err = sp.copyInto(zw, csvName, modified)
	if err != nil {
		return jf, cf, n, err
	}
	cf.Records = &records
	return jf, cf, n, nil
}

// summer passes writes through and takes their SHA-256 and length.
type summer struct {
	w io.Writer
	h hash.Hash
	n int64
}

func newSummer(w io.Writer) *summer { return &summer{w: w, h: sha256.New()} }

func (s *summer) Write(p []byte) (int, error) {
	s.h.Write(p)
	s.n += int64(len(p))
	return s.w.Write(p)
}

func (s *summer) sum() string { return hex.EncodeToString(s.h.Sum(nil)) }

// asyncWriter hands full buffers to a goroutine that writes them to w, so
// that encoding and compression run at the same time. Only Close reports
// the writer's error; failed tells the producer early that it can stop.
type asyncWriter struct {
	w      io.Writer
	cur    []byte
	ch     chan []byte
	free   chan []byte
	done   chan struct{}
	err    error // the writer's first error; read only after done
	failed atomic.Bool
	once   sync.Once
}

func newAsyncWriter(w io.Writer) *asyncWriter {
	a := &asyncWriter{w: w, ch: make(chan []byte, bufsPerWriter), free: make(chan []byte, bufsPerWriter+1), done: make(chan struct{})}
	for range bufsPerWriter {
		a.free <- make([]byte, 0, flushSize+64<<10)
	}
	a.cur = make([]byte, 0, flushSize+64<<10)
	go a.run()
	return a
}

func (a *asyncWriter) run() {
	defer close(a.done)
	for b := range a.ch {
		if a.err == nil {
			if _, err := a.w.Write(b); err != nil {
				a.err = err
				a.failed.Store(true)
			}
		}
		a.free <- b[:0]
	}
}

func (a *asyncWriter) Write(p []byte) {
	a.cur = append(a.cur, p...)
	if len(a.cur) >= flushSize {
		a.ch <- a.cur
		a.cur = <-a.free
	}
}

func (a *asyncWriter) WriteString(s string) {
	a.cur = append(a.cur, s...)
	if len(a.cur) >= flushSize {
		a.ch <- a.cur
		a.cur = <-a.free
	}
}

// Close writes what is buffered, stops the goroutine and returns the
// writer's error. Calling it again returns the same error.
func (a *asyncWriter) Close() error {
	a.once.Do(func() {
		if len(a.cur) > 0 {
			a.ch <- a.cur
			a.cur = nil
		}
		close(a.ch)
		<-a.done
	})
	return a.err
}

// spool holds one compressed file of a package until its turn in the zip:
// deflated, then encrypted with an age key that exists only in memory, in
// a temporary file that is unlinked as soon as it is created, so neither a
// crash nor a reader of the disk finds a clear copy.
type spool struct {
	f     *os.File
	id    *age.X25519Identity
	enc   io.WriteCloser
	fw    *flate.Writer
	comp  countWriter
	crc   hash.Hash32
	sha   hash.Hash
	n     int64
	ended bool
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

func newSpool(dir string) (*spool, error) {
	f, err := os.CreateTemp(dir, "warrantdesk-spool-*")
	if err != nil {
		return nil, fmt.Errorf("package: spool: %w", err)
	}
	// Unlink at once (POSIX keeps the open file): nothing outlives the build.
	os.Remove(f.Name())
	id, err := age.GenerateX25519Identity()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("package: spool key: %w", err)
	}
	enc, err := age.Encrypt(f, id.Recipient())
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("package: spool: %w", err)
	}
	sp := &spool{f: f, id: id, enc: enc, crc: crc32.NewIEEE(), sha: sha256.New()}
	sp.comp.w = enc
	sp.fw, _ = flate.NewWriter(&sp.comp, flate.BestSpeed) // BestSpeed is a valid level
	return sp, nil
}

func (sp *spool) Write(p []byte) (int, error) {
	sp.crc.Write(p)
	sp.sha.Write(p)
	sp.n += int64(len(p))
	return sp.fw.Write(p)
}

// copyInto ends the spool and copies its compressed bytes into the zip as
// name, with the CRC and sizes computed while it was written.
func (sp *spool) copyInto(zw *zip.Writer, name string, modified time.Time) (ManifestFile, error) {
	if err := sp.fw.Close(); err != nil {
		return ManifestFile{}, fmt.Errorf("package: %s: %w", name, err)
	}
	if err := sp.enc.Close(); err != nil {
		return ManifestFile{}, fmt.Errorf("package: %s: %w", name, err)
	}
	sp.ended = true
	if _, err := sp.f.Seek(0, io.SeekStart); err != nil {
		return ManifestFile{}, fmt.Errorf("package: %s: %w", name, err)
	}
	r, err := age.Decrypt(sp.f, sp.id)
	if err != nil {
		return ManifestFile{}, fmt.Errorf("package: %s: %w", name, err)
	}
	w, err := zw.CreateRaw(&zip.FileHeader{
		Name: name, Method: zip.Deflate, Modified: modified,
		CRC32: sp.crc.Sum32(), CompressedSize64: uint64(sp.comp.n), UncompressedSize64: uint64(sp.n),
	})
	if err != nil {
		return ManifestFile{}, fmt.Errorf("package: %s: %w", name, err)
	}
	copied, err := io.Copy(w, r)
	if err != nil {
		return ManifestFile{}, fmt.Errorf("package: %s: %w", name, err)
	}
	if copied != sp.comp.n {
		return ManifestFile{}, fmt.Errorf("package: %s: spooled %d bytes, read back %d", name, sp.comp.n, copied)
	}
	return ManifestFile{Name: name, SHA256: hex.EncodeToString(sp.sha.Sum(nil)), Size: sp.n}, nil
}

func (sp *spool) discard() {
	if !sp.ended {
		sp.fw.Close()
		sp.enc.Close()
	}
	sp.f.Close()
}
