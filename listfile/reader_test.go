package listfile

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/text/encoding/charmap"
	xunicode "golang.org/x/text/encoding/unicode"
	"golang.org/x/text/unicode/norm"

	"tally"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// render writes what a Reader read in a form tests compare: the header,
// then one line per row with its non-empty fields and extra cells.
func render(r *Reader) (string, error) {
	var b strings.Builder
	fmt.Fprintf(&b, "delimiter %q\n", r.Delimiter())
	for i, c := range r.Header().Columns {
		f := c.Field.String()
		if f == "" {
			f = "?"
		}
		fmt.Fprintf(&b, "column %d %q %s\n", i+1, c.Name, f)
	}
	for {
		row, err := r.Next()
		if err == io.EOF {
			return b.String(), nil
		}
		if err != nil {
			return b.String(), err
		}
		fmt.Fprintf(&b, "L%d", row.Line)
		for f := tally.FieldRef; f < tally.NumFields; f++ {
			if v := row.Get(f); v != "" {
				fmt.Fprintf(&b, " %s=%q", f, v)
			}
		}
		if row.Extra != nil {
			fmt.Fprintf(&b, " extra=%q", row.Extra)
		}
		b.WriteString("\n")
	}
}

// encodings are the ways a clerk's program saves a list, applied to a
// UTF-8 test file. An encoding that cannot hold some character of a file
// is skipped for that file.
var encodings = []struct {
	name, want string
	encode     func([]byte) ([]byte, error)
}{
	{"utf-8", encUTF8, func(b []byte) ([]byte, error) { return b, nil }},
	{"utf-8 bom", encUTF8, func(b []byte) ([]byte, error) { return append([]byte("\ufeff"), b...), nil }},
	{"windows-1251", enc1251, charmap.Windows1251.NewEncoder().Bytes},
	{"koi8-u", encKOI8U, charmap.KOI8U.NewEncoder().Bytes},
	{"cp866", enc866, charmap.CodePage866.NewEncoder().Bytes},
	{"utf-16le bom", encUTF16LE, xunicode.UTF16(xunicode.LittleEndian, xunicode.UseBOM).NewEncoder().Bytes},
	{"utf-16be bom", encUTF16BE, xunicode.UTF16(xunicode.BigEndian, xunicode.UseBOM).NewEncoder().Bytes},
}

// TestGolden reads each testdata/*.csv, saved in each encoding, and
// compares what it read with testdata/*.golden.
func TestGolden(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.csv")
	if len(files) == 0 {
		t.Fatal("no test files")
	}
	for _, file := range files {
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		golden := strings.TrimSuffix(file, ".csv") + ".golden"
		for _, enc := range encodings {
			data, err := enc.encode(src)
			if err != nil {
				continue
			}
			t.Run(filepath.Base(file)+"/"+enc.name, func(t *testing.T) {
				r, err := NewReader(file, bytes.NewReader(data), Options{})
				if err != nil {
					t.Fatal(err)
				}
				defer r.Close()
				if r.Encoding() != enc.want {
					t.Errorf("encoding %q, want %q", r.Encoding(), enc.want)
				}
				got, err := render(r)
				if err != nil {
					t.Fatal(err)
				}
				if *update && enc.name == "utf-8" {
					if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
						t.Fatal(err)
					}
				}
				want, err := os.ReadFile(golden)
				if err != nil {
					t.Fatal(err)
				}
				if d := cmp.Diff(string(want), got); d != "" {
					t.Errorf("read differs from %s (-want +got):\n%s", golden, d)
				}
			})
		}
	}
}

// TestOpenGolden reads the same files through Open, from disk.
func TestOpenGolden(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.csv")
	for _, file := range files {
		r, err := Open(file, Options{})
		if err != nil {
			t.Fatal(err)
		}
		got, err := render(r)
		r.Close()
		if err != nil {
			t.Fatal(err)
		}
		want, _ := os.ReadFile(strings.TrimSuffix(file, ".csv") + ".golden")
		if d := cmp.Diff(string(want), got); d != "" {
			t.Errorf("%s (-want +got):\n%s", file, d)
		}
	}
}

// errorOf returns err as a *tally.Error, failing the test if it is not.
func errorOf(t *testing.T, err error) *tally.Error {
	t.Helper()
	var e *tally.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not a *tally.Error", err, err)
	}
	if e.Code != tally.EInvalid {
		t.Errorf("error code %q, want %q", e.Code, tally.EInvalid)
	}
	return e
}

// readAll opens data and reads every row, returning the first error.
func readAll(name string, data []byte, opt Options) (*Reader, []tally.Row, error) {
	r, err := NewReader(name, bytes.NewReader(data), opt)
	if err != nil {
		return nil, nil, err
	}
	var rows []tally.Row
	for {
		row, err := r.Next()
		if err == io.EOF {
			return r, rows, nil
		}
		if err != nil {
			return r, rows, err
		}
		rows = append(rows, row)
	}
}

func TestCSVErrors(t *testing.T) {
	cp1251 := func(s string) string {
		b, err := charmap.Windows1251.NewEncoder().String(s)
		if err != nil {
			panic(err)
		}
		return b
	}
	tests := []struct {
		name string
		data string
		opt  Options
		line int
		msg  string // a part of the message
		rows int    // rows read before the error
	}{
		{name: "empty", data: "", msg: "the file is empty"},
		{name: "blank lines", data: "\r\n\n  \n", msg: "the file is empty"},
		{name: "only empty cells", data: ";;;\n;;\n", msg: "no rows, only blank ones"},
		{name: "bom only", data: "\ufeff", msg: "the file is empty"},
		{name: "nul bytes", data: "Surname\x00,Given\x00name\n", msg: "not a CSV or XLSX list"},
		{name: "binary", data: "\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x03\x00>\x00", msg: "not a CSV or XLSX list"},
		{name: "undecidable encoding", data: "Name;Ort\n\xc4\xd6\xdc\xdf\xe4\xf6\xfc\xc4\xd6\xdc\xdf\xe4\xf6\xfc\xa7\xa9\xae\x85\x99;\xb0\xb1\xb2\xb3\n", msg: "encoding of this file cannot be determined"},
		{name: "unknown encoding option", data: "Surname\nX\n", opt: Options{Encoding: "ebcdic"}, msg: `"ebcdic" is not an encoding`},
		{name: "bare quote", data: "Surname,Given name\nSample,Ann\nO\"Testy,Bob\n", line: 3, msg: "quote mark", rows: 1},
		{name: "unclosed quote", data: "Surname,Given name\nSample,Ann\n\"Testy,Bob\nExample,Eve\n", line: 3, msg: "not closed", rows: 1},
		{name: "too many cells", data: "Surname;Given name\nSample;Ann\nTesty;Bob;Sr;\n", line: 3, msg: "this row has 3 cells but the header has 2 columns", rows: 1},
		{name: "too many cells header line", data: "\n\nSurname;Given name\nTesty;Bob;Sr\n", line: 4, msg: "has 3 cells"},
		{name: "duplicate field", data: "Прізвище;Ім'я;Фамилия\n", line: 1, msg: `columns 1 ("Прізвище") and 3 ("Фамилия") both hold surname`},
		{name: "no known column", data: "\n\nfoo;bar;baz\n1;2;3\n", line: 3, msg: "no column of this header is one tally knows (found: foo, bar, baz)"},
		{name: "wrong delimiter forced", data: "Surname;Given name\nX;Y\n", opt: Options{Delimiter: ','}, line: 1, msg: "found: Surname;Given name"},
		{name: "bad delimiter option", data: "Surname\n", opt: Options{Delimiter: '"'}, msg: "cannot be a delimiter"},
		{name: "record too long", data: "Surname,Notes\nSample,\"" + strings.Repeat("x", 5000), opt: Options{MaxRecordBytes: 1000}, line: 2, msg: "longer than 1000 bytes"},
		{name: "line too long", data: "Surname,Notes\n" + strings.Repeat("y", 1<<21), line: 2, msg: "longer than 1 MiB"},
		{name: "mixed encodings", data: "Surname,Notes\n" + strings.Repeat("Sample,ok\n", 7000) + "Testy," + cp1251("Вигаданенко") + "\n", line: 7002, msg: "cell 2 of this row is not valid UTF-8", rows: 7000},
		{name: "nul later", data: "Surname,Notes\n" + strings.Repeat("Sample,ok\n", 7000) + "Te\x00sty,x\n", line: 7002, msg: "NUL byte", rows: 7000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, rows, err := readAll("list.csv", []byte(tt.data), tt.opt)
			if err == nil {
				t.Fatalf("no error; read %d rows", len(rows))
			}
			e := errorOf(t, err)
			if e.File != "list.csv" {
				t.Errorf("file %q", e.File)
			}
			if e.Line != tt.line {
				t.Errorf("line %d, want %d (%v)", e.Line, tt.line, err)
			}
			if !strings.Contains(e.Message, tt.msg) {
				t.Errorf("message %q does not hold %q", e.Message, tt.msg)
			}
			if len(rows) != tt.rows {
				t.Errorf("read %d rows before the error, want %d", len(rows), tt.rows)
			}
			if s := err.Error(); strings.Contains(s, "\n") || s != strings.ToValidUTF8(s, "") {
				t.Errorf("error is not one line of text: %q", s)
			}
			if e.Hint == "" {
				t.Errorf("no hint: %v", err)
			}
		})
	}
}

// TestNextAfterRowError checks that a row error is not the end of the list.
func TestNextAfterRowError(t *testing.T) {
	data := "Surname;Given name\nSample;Ann\nTesty;Bob;Sr\nExample;Eve\n"
	r, err := NewReader("l.csv", strings.NewReader(data), Options{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for {
		row, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			got = append(got, fmt.Sprintf("error %d", errorOf(t, err).Line))
			continue
		}
		got = append(got, row.Get(tally.FieldSurname))
	}
	want := []string{"Sample", "error 3", "Example"}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	// After the end, io.EOF again.
	if _, err := r.Next(); err != io.EOF {
		t.Errorf("after the end: %v", err)
	}
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.csv")
	os.WriteFile(empty, nil, 0o644)
	xls := filepath.Join(dir, "old.xls")
	os.WriteFile(xls, append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 504)...), 0o644)
	zipGarbage := filepath.Join(dir, "broken.xlsx")
	os.WriteFile(zipGarbage, []byte("PK\x03\x04 this is not really a zip archive"), 0o644)
	tests := []struct {
		path, msg string
	}{
		{filepath.Join(dir, "missing.csv"), "there is no such file"},
		{dir, "this is a folder"},
		{empty, "the file is empty"},
		{xls, "old Excel workbook (.xls) or one locked with a password"},
		{zipGarbage, "this workbook cannot be read"},
	}
	for _, tt := range tests {
		t.Run(filepath.Base(tt.path), func(t *testing.T) {
			r, err := Open(tt.path, Options{})
			if err == nil {
				r.Close()
				t.Fatal("no error")
			}
			e := errorOf(t, err)
			if e.File != tt.path || !strings.Contains(e.Message, tt.msg) {
				t.Errorf("got %v, want %s in %s", err, tt.msg, tt.path)
			}
		})
	}
}

func TestDetectDelimiter(t *testing.T) {
	tests := []struct {
		name, text string
		want       rune
	}{
		{"semicolon", "a;b;c\n1;2;3\n", ';'},
		{"comma", "a,b,c\n1,2,3\n", ','},
		{"tab", "a\tb\tc\n1\t2\t3\n", '\t'},
		{"semicolon, commas in names", "ПІБ;Дата\nВигаданенко, Остап;1990\n", ';'},
		{"comma, semicolons quoted", "a,b\n\"x;y;z\",2\n", ','},
		{"quoted header", "\"a;b\",c,d\n1,2,3\n", ','},
		{"one column", "Прізвище\nВигаданенко\n", ','},
		{"more commas in header but inconsistent", "a,b,c;d\n1,2,3,4,5,6;7\n", ';'},
		{"semicolon with trailing empties", "a;b;;;\n1;2;;;\n", ';'},
	}
	for _, tt := range tests {
		if got := detectDelimiter(tt.text); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestForcedOptions(t *testing.T) {
	text := "Прізвище;Ім'я\nВигаданенко;Остап\n"
	koi, err := charmap.KOI8R.NewEncoder().String(strings.NewReplacer("і", "и", "І", "И").Replace(text))
	if err != nil {
		t.Fatal(err)
	}
	r, rows, err := readAll("l.csv", []byte(koi), Options{Encoding: "KOI8-R", Delimiter: ';'})
	if err != nil {
		t.Fatal(err)
	}
	if r.Encoding() != encKOI8R || r.Delimiter() != ';' {
		t.Errorf("encoding %q delimiter %q", r.Encoding(), r.Delimiter())
	}
	if len(rows) != 1 || rows[0].Get(tally.FieldGivenName) != "Остап" {
		t.Errorf("rows %+v", rows)
	}
	for alias, want := range map[string]string{"cp1251": enc1251, "Windows-1251": enc1251, "koi8u": encKOI8U,
		"UTF8": encUTF8, "ibm866": enc866, "utf_16le": encUTF16LE, "latin1": ""} {
		if got := canonicalEncoding(alias); got != want {
			t.Errorf("canonicalEncoding(%q) = %q, want %q", alias, got, want)
		}
	}
}

func TestUTF16WithoutBOM(t *testing.T) {
	b, _ := xunicode.UTF16(xunicode.LittleEndian, xunicode.IgnoreBOM).NewEncoder().String("Surname\tGiven name\nSample\tAnn\n")
	r, rows, err := readAll("l.txt", []byte(b), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if r.Encoding() != encUTF16LE || r.Delimiter() != '\t' || len(rows) != 1 || rows[0].Get(tally.FieldGivenName) != "Ann" {
		t.Errorf("%s %q %+v", r.Encoding(), r.Delimiter(), rows)
	}
}

// TestPrefixBoundary puts a UTF-8 character across the end of the prefix
// detection reads.
func TestPrefixBoundary(t *testing.T) {
	s := "Surname,Notes\n"
	for len(s) < prefixSize-20 {
		s += "Sample,ok\n"
	}
	pad := prefixSize - 1 - len(s)
	s += "S" + strings.Repeat("e", pad-1) + "Ї,x\n"
	if s[prefixSize-1] != "Ї"[0] {
		t.Fatal("test file misbuilt")
	}
	r, rows, err := readAll("l.csv", []byte(s), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if r.Encoding() != encUTF8 {
		t.Errorf("encoding %q", r.Encoding())
	}
	last := rows[len(rows)-1].Get(tally.FieldSurname)
	if !strings.HasSuffix(last, "eЇ") {
		t.Errorf("last row %q", last)
	}
}

// TestNFCStable checks nfcStable against the Unicode tables: each rune it
// accepts is in NFC and has a boundary before it (canonical combining
// class 0, and composes with nothing before it).
func TestNFCStable(t *testing.T) {
	for r := rune(0); r < 0x30000; r++ {
		if !nfcStable(r) || !utf8.ValidRune(r) {
			continue
		}
		s := string(r)
		if !norm.NFC.IsNormalString(s) || !norm.NFC.PropertiesString(s).BoundaryBefore() {
			t.Errorf("nfcStable(%U) but it is not NFC-stable", r)
		}
	}
}

func TestClean(t *testing.T) {
	tests := []struct{ in, want string }{
		{"  Sample ", "Sample"},
		{"\u00a0Вигаданенко\u00a0", "Вигаданенко"},
		{"Ann\u00a0Marie", "Ann Marie"},
		{"Ann\u202fMarie  Lee", "Ann Marie  Lee"},
		{"\ufeff\u200bОстап", "Остап"},
		{"Андрии\u0306", "Андрий"},
		{"Йосип", "Йосип"},
		{"Бiлик", "Бiлик"}, // not repaired here
		{"Д’Умовний", "Д’Умовний"},
		{"e\u0301", "é"},
	}
	for _, tt := range tests {
		if got, f := clean(tt.in, true); got != tt.want || f != faultNone {
			t.Errorf("clean(%q) = %q, %d; want %q", tt.in, got, f, tt.want)
		}
	}
}

// endless yields the same byte forever.
type endless byte

func (e endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(e)
	}
	return len(p), nil
}

// TestEndless reads files that never end: one endless line, and one
// endless quoted cell. Detection must not read them whole, and the record
// limit must stop them.
func TestEndless(t *testing.T) {
	for _, tt := range []struct {
		name string
		head string
		fill byte
	}{
		{"endless line", "Surname,Notes\nSample,", 'y'},
		{"endless quoted cell", "Surname,Notes\nSample,\"", '\n'},
		{"endless header", "Surname", 'x'},
	} {
		t.Run(tt.name, func(t *testing.T) {
			in := io.MultiReader(strings.NewReader(tt.head), endless(tt.fill))
			r, err := NewReader("endless.csv", in, Options{})
			if err == nil {
				_, err = r.Next()
			}
			if e := errorOf(t, err); !strings.Contains(e.Message, "longer than 1 MiB") {
				t.Errorf("got %v", err)
			}
		})
	}
}

// TestContentNotName reads a CSV file named .xlsx as CSV.
func TestContentNotName(t *testing.T) {
	path := filepath.Join(t.TempDir(), "list.xlsx")
	if err := os.WriteFile(path, []byte("Surname;Given name\nSample;Ann\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if row, err := r.Next(); err != nil || r.Format() != "csv" || row.Get(tally.FieldGivenName) != "Ann" {
		t.Errorf("%s %+v %v", r.Format(), row, err)
	}
}

// TestCROnly reads a list whose lines end in a bare CR.
func TestCROnly(t *testing.T) {
	_, rows, err := readAll("mac.csv", []byte("Surname;Notes\rSample;\"a\rb\"\r\rTesty;x\r"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range rows {
		got = append(got, fmt.Sprintf("%d %s %q", r.Line, r.Get(tally.FieldSurname), r.Get(tally.FieldNotes)))
	}
	want := []string{`2 Sample "a\nb"`, `5 Testy "x"`}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}
