package request

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
)

// The upload check is structural, written by hand because no PDF library is
// available: the header names a PDF version, the file ends with %%EOF, the
// last startxref points at a cross-reference table (or stream), and every
// in-use entry of that table points at the object it names. That catches
// files that are not PDFs, truncated uploads and most damage; it does not
// render the document or decode compressed streams.

var (
	pdfHeaderRE = regexp.MustCompile(`^%PDF-(1\.[0-7]|2\.0)[\r\n\t %]`)
	pdfObjRE    = regexp.MustCompile(`^(\d{1,10})[ \t\r\n\f\x00]+(\d{1,5})[ \t\r\n\f\x00]+obj\b`)
	pdfXRefType = regexp.MustCompile(`/Type[ \t\r\n\f\x00]*/XRef\b`)
)

const pdfWhitespace = " \t\r\n\f\x00"

// A pdfError says in plain words, safe to show the uploader, what is wrong
// with a PDF.
type pdfError string

func (e pdfError) Error() string { return string(e) }

// errNotPDF means the file does not even start like a PDF.
const errNotPDF = pdfError("it is not a PDF")

// checkPDF reports whether the size bytes of f are a structurally sound
// PDF. The error is errNotPDF, a pdfError saying what is damaged, or an I/O
// error.
func checkPDF(f io.ReaderAt, size int64) error {
	head := make([]byte, min(size, 1024))
	if _, err := f.ReadAt(head, 0); err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("read header: %w", err)
	}
	if !bytes.HasPrefix(head, []byte("%PDF-")) {
		return errNotPDF
	}
	if !pdfHeaderRE.Match(head) {
		return pdfError("the header does not name a PDF version from 1.0 to 2.0")
	}

	tailStart := max(0, size-2048)
	tail := make([]byte, size-tailStart)
	if _, err := f.ReadAt(tail, tailStart); err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("read trailer: %w", err)
	}
	tail = bytes.TrimRight(tail, pdfWhitespace)
	if !bytes.HasSuffix(tail, []byte("%%EOF")) {
		return pdfError("it does not end with %%EOF, so it is probably incomplete")
	}
	tail = tail[:len(tail)-len("%%EOF")]
	i := bytes.LastIndex(tail, []byte("startxref"))
	if i < 0 {
		return pdfError("it has no startxref")
	}
	num := bytes.Trim(tail[i+len("startxref"):], pdfWhitespace)
	off, err := strconv.ParseInt(string(num), 10, 64)
	if err != nil || len(num) == 0 || num[0] == '+' || num[0] == '-' {
		return pdfError("its startxref is not a number")
	}
	if off < int64(len("%PDF-1.0")) || off >= size {
		return pdfError("its startxref points outside the file")
	}

	// Tolerate whitespace before the keyword: some writers count the end
	// of line before it.
	br := bufio.NewReaderSize(io.NewSectionReader(f, off, size-off), 4096)
	for {
		b, err := br.ReadByte()
		if err != nil {
			return pdfError("its startxref points at nothing")
		}
		if bytes.IndexByte([]byte(pdfWhitespace), b) < 0 {
			br.UnreadByte()
			break
		}
	}
	peek, _ := br.Peek(32)
	switch {
	case bytes.HasPrefix(peek, []byte("xref")):
		return checkXRefTable(f, size, br)
	case pdfObjRE.Match(peek):
		return checkXRefStream(f, size, off)
	}
	return pdfError("its startxref does not point at a cross-reference table")
}

// checkXRefTable reads a classic cross-reference table ("xref", subsections
// of 20-byte entries, "trailer") and checks each in-use entry.
func checkXRefTable(f io.ReaderAt, size int64, br *bufio.Reader) error {
	damaged := pdfError("its cross-reference table is damaged")
	if _, err := br.Discard(len("xref")); err != nil {
		return damaged
	}
	entries := int64(0)
	for {
		skipSpace(br)
		if p, _ := br.Peek(len("trailer")); string(p) == "trailer" {
			br.Discard(len("trailer"))
			break
		}
		first, ok1 := readUint(br)
		skipInlineSpace(br)
		count, ok2 := readUint(br)
		if !ok1 || !ok2 {
			return damaged
		}
		entries += count
		if entries*20 > size {
			return damaged
		}
		// The entries start on the next line.
		skipSpace(br)
		var e [20]byte
		for n := int64(0); n < count; n++ {
			if _, err := io.ReadFull(br, e[:]); err != nil {
				return pdfError("its cross-reference table is cut short")
			}
			offset, gen, inUse, ok := parseXRefEntry(e)
			if !ok {
				return damaged
			}
			if inUse && !objectAt(f, size, offset, first+n, gen) {
				return pdfError(fmt.Sprintf("its cross-reference table points object %d at the wrong place", first+n))
			}
		}
	}
	skipSpace(br)
	dict, _ := br.Peek(4096)
	if !bytes.HasPrefix(dict, []byte("<<")) {
		return pdfError("its trailer has no dictionary")
	}
	if end := bytes.Index(dict, []byte("startxref")); end >= 0 {
		dict = dict[:end]
	}
	if !bytes.Contains(dict, []byte("/Root")) || !bytes.Contains(dict, []byte("/Size")) {
		return pdfError("its trailer does not name the document catalogue")
	}
	return nil
}

// parseXRefEntry reads "nnnnnnnnnn ggggg n\r\n" (with " \r", " \n" or "\r\n"
// as the two-byte end of line).
func parseXRefEntry(e [20]byte) (offset, gen int64, inUse, ok bool) {
	digits := func(b []byte) (int64, bool) {
		var v int64
		for _, c := range b {
			if c < '0' || c > '9' {
				return 0, false
			}
			v = v*10 + int64(c-'0')
		}
		return v, true
	}
	offset, ok1 := digits(e[0:10])
	gen, ok2 := digits(e[11:16])
	eol := string(e[18:20])
	if !ok1 || !ok2 || e[10] != ' ' || e[16] != ' ' || (e[17] != 'n' && e[17] != 'f') ||
		(eol != " \r" && eol != " \n" && eol != "\r\n") {
		return 0, 0, false, false
	}
	return offset, gen, e[17] == 'n', true
}

// objectAt reports whether "num gen obj" starts at offset.
func objectAt(f io.ReaderAt, size, offset, num, gen int64) bool {
	if offset < int64(len("%PDF-1.0")) || offset >= size {
		return false
	}
	b := make([]byte, min(40, size-offset))
	if _, err := f.ReadAt(b, offset); err != nil && !errors.Is(err, io.EOF) {
		return false
	}
	m := pdfObjRE.FindSubmatch(b)
	if m == nil {
		return false
	}
	gotNum, err1 := strconv.ParseInt(string(m[1]), 10, 64)
	gotGen, err2 := strconv.ParseInt(string(m[2]), 10, 64)
	return err1 == nil && err2 == nil && gotNum == num && gotGen == gen
}

// checkXRefStream checks that the object at off is a cross-reference stream
// (PDF 1.5+) naming the document catalogue. Its entries are compressed and
// are not checked.
func checkXRefStream(f io.ReaderAt, size, off int64) error {
	b := make([]byte, min(8192, size-off))
	if _, err := f.ReadAt(b, off); err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("read cross-reference stream: %w", err)
	}
	i := bytes.Index(b, []byte("stream"))
	if i < 0 {
		return pdfError("its cross-reference stream is damaged")
	}
	dict := b[:i]
	if !pdfXRefType.Match(dict) || !bytes.Contains(dict, []byte("/Root")) {
		return pdfError("its startxref does not point at a cross-reference stream")
	}
	return nil
}

func skipSpace(br *bufio.Reader) {
	for {
		b, err := br.ReadByte()
		if err != nil {
			return
		}
		if bytes.IndexByte([]byte(pdfWhitespace), b) < 0 {
			br.UnreadByte()
			return
		}
	}
}

func skipInlineSpace(br *bufio.Reader) {
	for {
		b, err := br.ReadByte()
		if err != nil {
			return
		}
		if b != ' ' && b != '\t' {
			br.UnreadByte()
			return
		}
	}
}

// readUint reads up to 10 decimal digits.
func readUint(br *bufio.Reader) (int64, bool) {
	var v int64
	n := 0
	for n < 10 {
		b, err := br.ReadByte()
		if err != nil {
			break
		}
		if b < '0' || b > '9' {
			br.UnreadByte()
			break
		}
		v = v*10 + int64(b-'0')
		n++
	}
	return v, n > 0
}

// PlaceholderPDF is a small, well-formed, blank one-page PDF that passes the
// upload checks: the stand-in for a signed order in synthetic history and in
// tests. A note, if given, is written as a PDF comment, so that each
// placeholder can differ (the blob store keys documents by their hash).
func PlaceholderPDF(note string) []byte {
	objs := []string{"<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>"}
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n")
	if note != "" {
		fmt.Fprintf(&b, "%% %s\n", note)
	}
	var offs []int
	for i, o := range objs {
		offs = append(offs, b.Len())
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	x := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, o := range offs {
		fmt.Fprintf(&b, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, x)
	return b.Bytes()
}
