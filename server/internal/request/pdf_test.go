package request

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strings"
	"testing"
)

// BuildPDF returns a minimal, structurally valid one-page PDF whose page
// shows text, with a classic cross-reference table. eol ends its lines:
// "\n" or "\r\n". Different text gives different bytes (and hashes).
func BuildPDF(eol, text string) []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.7" + eol + "%\xe2\xe3\xcf\xd3" + eol)
	content := fmt.Sprintf("BT /F1 12 Tf 72 720 Td (%s) Tj ET", text)
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
		fmt.Sprintf("<< /Length %d >>%sstream%s%s%sendstream", len(content), eol, eol, content, eol),
	}
	offsets := make([]int, len(objs))
	for i, o := range objs {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj%s%s%sendobj%s", i+1, eol, o, eol, eol)
	}
	xref := b.Len()
	entryEOL := " \n"
	if eol == "\r\n" {
		entryEOL = "\r\n"
	}
	fmt.Fprintf(&b, "xref%s0 %d%s", eol, len(objs)+1, eol)
	b.WriteString("0000000000 65535 f" + entryEOL)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n%s", off, entryEOL)
	}
	fmt.Fprintf(&b, "trailer%s<< /Size %d /Root 1 0 R >>%sstartxref%s%d%s%%%%EOF%s", eol, len(objs)+1, eol, eol, xref, eol, eol)
	return b.Bytes()
}

// BuildXRefStreamPDF returns a minimal PDF 1.5 whose cross-reference is a
// stream object (uncompressed) rather than a table.
func BuildXRefStreamPDF() []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.5\n%\xe2\xe3\xcf\xd3\n")
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>",
	}
	offsets := make([]int, len(objs))
	for i, o := range objs {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	// Entries: type (1 byte), offset (4 bytes), generation (2 bytes).
	var entries bytes.Buffer
	entries.Write([]byte{0, 0, 0, 0, 0, 0xff, 0xff})
	for _, off := range append(offsets, xref) {
		entries.WriteByte(1)
		binary.Write(&entries, binary.BigEndian, uint32(off))
		entries.Write([]byte{0, 0})
	}
	fmt.Fprintf(&b, "4 0 obj\n<< /Type /XRef /Size 5 /W [1 4 2] /Root 1 0 R /Length %d >>\nstream\n", entries.Len())
	b.Write(entries.Bytes())
	fmt.Fprintf(&b, "\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n", xref)
	return b.Bytes()
}

func TestCheckPDF(t *testing.T) {
	valid := BuildPDF("\n", "hello")
	xrefAt := bytes.LastIndex(valid, []byte("xref\n0 5"))
	for _, tc := range []struct {
		desc    string
		pdf     []byte
		wantErr string // "" for a valid PDF
	}{
		{desc: "valid, LF", pdf: valid},
		{desc: "valid, CRLF", pdf: BuildPDF("\r\n", "hello")},
		{desc: "valid, cross-reference stream", pdf: BuildXRefStreamPDF()},
		{desc: "valid, trailing whitespace after %%EOF", pdf: append(bytes.Clone(valid), "\r\n\r\n  "...)},
		{desc: "not a PDF", pdf: []byte("GIF89a this is an image"), wantErr: "not a PDF"},
		{desc: "empty", pdf: nil, wantErr: "not a PDF"},
		{desc: "PDF magic inside, not at the start", pdf: append([]byte(" "), valid...), wantErr: "not a PDF"},
		{desc: "unknown version", pdf: bytes.Replace(valid, []byte("%PDF-1.7"), []byte("%PDF-9.9"), 1), wantErr: "version"},
		{desc: "only a header", pdf: []byte("%PDF-1.7\n"), wantErr: "%%EOF"},
		{desc: "truncated", pdf: valid[:len(valid)-40], wantErr: "%%EOF"},
		{desc: "truncated mid-file", pdf: valid[:len(valid)/2], wantErr: "%%EOF"},
		{desc: "no startxref", pdf: bytes.Replace(valid, []byte("startxref"), []byte("startxreX"), 1), wantErr: "startxref"},
		{desc: "startxref not a number", pdf: bytes.Replace(valid, []byte(fmt.Sprintf("startxref\n%d", xrefAt)), []byte("startxref\nabc"), 1), wantErr: "not a number"},
		{desc: "startxref outside the file", pdf: bytes.Replace(valid, []byte(fmt.Sprintf("startxref\n%d", xrefAt)), []byte("startxref\n99999999"), 1), wantErr: "outside"},
		{desc: "startxref at an object's middle", pdf: bytes.Replace(valid, []byte(fmt.Sprintf("startxref\n%d", xrefAt)), []byte(fmt.Sprintf("startxref\n%d", xrefAt-10)), 1), wantErr: "does not point"},
		{desc: "entry points at the wrong place", pdf: bytes.Replace(valid, []byte("0000000015 00000 n"), []byte("0000000016 00000 n"), 1), wantErr: "object 1"},
		{desc: "malformed entry", pdf: bytes.Replace(valid, []byte("65535 f \n"), []byte("65535 f\n\n"), 1), wantErr: "damaged"},
		{desc: "trailer without catalogue", pdf: bytes.Replace(valid, []byte("/Root 1 0 R"), []byte("/Roof 1 0 R"), 1), wantErr: "catalogue"},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			err := checkPDF(bytes.NewReader(tc.pdf), int64(len(tc.pdf)))
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("checkPDF = %v, want nil", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("checkPDF = nil, want an error containing %q", tc.wantErr)
			}
			if _, ok := err.(pdfError); !ok {
				t.Errorf("checkPDF = %T, want a pdfError", err)
			}
			if !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("checkPDF = %q, want it to contain %q", err, tc.wantErr)
			}
		})
	}
}

func TestSanitizeFilename(t *testing.T) {
	for _, tc := range []struct {
		desc string
		in   string
		want string
	}{
		{desc: "plain", in: "order.pdf", want: "order.pdf"},
		{desc: "unix path", in: "../../etc/passwd", want: "passwd.pdf"},
		{desc: "windows path", in: `C:\Users\officer\Signed Order.pdf`, want: "Signed Order.pdf"},
		{desc: "hidden", in: ".order.pdf", want: "order.pdf"},
		{desc: "quotes", in: `a"b.pdf`, want: "a_b.pdf"},
		{desc: "control characters", in: "a\r\nb\x00.pdf", want: "ab.pdf"},
		{desc: "bidi override", in: "invoice\u202Efdp.exe", want: "invoicefdp.pdf"},
		{desc: "zero-width joiner", in: "or\u200Dder.pdf", want: "order.pdf"},
		{desc: "invalid UTF-8", in: "a\xffb.pdf", want: "ab.pdf"},
		{desc: "empty", in: "", want: "document.pdf"},
		{desc: "only dots", in: "...", want: "document.pdf"},
		{desc: "long", in: strings.Repeat("x", 300) + ".pdf", want: strings.Repeat("x", 196) + ".pdf"},
		{desc: "NFC", in: "Beschlu\u0308sse.pdf", want: "Beschlüsse.pdf"},
		{desc: "another type", in: "order.html", want: "order.pdf"},
		{desc: "an executable", in: "order.exe", want: "order.pdf"},
		{desc: "no extension", in: "Signed order", want: "Signed order.pdf"},
		{desc: "upper case", in: "ORDER.PDF", want: "ORDER.pdf"},
		{desc: "a PDF in disguise", in: "order.pdf.exe", want: "order.pdf"},
		{desc: "twice", in: "order.pdf.pdf", want: "order.pdf"},
		{desc: "a dot that is no extension", in: "Order v1.2 final", want: "Order v1.2 final.pdf"},
		{desc: "an extension with a space", in: "order. exe", want: "order. exe.pdf"},
		{desc: "only an extension", in: ".exe", want: "exe.pdf"},
		{desc: "trailing dots", in: "order...", want: "order.pdf"},
		{desc: "long without extension", in: strings.Repeat("y", 300), want: strings.Repeat("y", 196) + ".pdf"},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			if got := sanitizeFilename(tc.in); got != tc.want {
				t.Errorf("sanitizeFilename(%q) = %q, want %q", tc.in, got, tc.want)
			}
			if got := (&Document{Filename: tc.in}).DownloadName(); got != tc.want {
				t.Errorf("DownloadName of a document stored as %q = %q, want %q", tc.in, got, tc.want)
			}
			if again := sanitizeFilename(tc.want); again != tc.want {
				t.Errorf("sanitizeFilename(%q) = %q: not stable", tc.want, again)
			}
		})
	}
}
