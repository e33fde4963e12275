package listfile

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"tally"
)

// Limits applied when Options leave them zero.
const (
	DefaultMaxRecordBytes = 1 << 20   // 1 MiB
	DefaultMaxXLSXBytes   = 512 << 20 // 512 MiB unzipped
)

// prefixSize is how much of a file detection looks at.
const prefixSize = 64 << 10

// Options say how to read a list file. The zero value detects everything.
type Options struct {
	// Encoding of a CSV file: "" detects it; otherwise "utf-8",
	// "windows-1251", "koi8-u", "koi8-r", "cp866", "utf-16le" or
	// "utf-16be", or a common alias ("cp1251", "koi8u", "ibm866").
	Encoding string
	// Delimiter of a CSV file: 0 detects one of ',', ';' and tab.
	Delimiter rune
	// Sheet of an XLSX workbook: "" takes the first.
	Sheet string
	// MaxRecordBytes bounds one CSV record (one row, with the line breaks
	// of its quoted cells); 0 means DefaultMaxRecordBytes. It keeps a file
	// that is one endless line, or a quote never closed, from filling
	// memory.
	MaxRecordBytes int
	// MaxXLSXBytes bounds the unzipped size of an XLSX workbook; 0 means
	// DefaultMaxXLSXBytes.
	MaxXLSXBytes int64
}

func (o Options) maxRecord() int {
	if o.MaxRecordBytes > 0 {
		return o.MaxRecordBytes
	}
	return DefaultMaxRecordBytes
}

func (o Options) maxXLSX() int64 {
	if o.MaxXLSXBytes > 0 {
		return o.MaxXLSXBytes
	}
	return DefaultMaxXLSXBytes
}

// source yields the raw cells of a file's records, with the line (or sheet
// row) each begins on, and io.EOF at the end. The slice may be reused by
// the next call; the strings may not change.
type source interface {
	next() (cells []string, line int, err error)
	Close() error
}

// Reader reads the rows of one list file. It implements tally.RowReader.
// A Reader is not safe for concurrent use.
type Reader struct {
	name      string
	src       source
	format    string // "csv" or "xlsx"
	sheet     string // the sheet read, for XLSX
	enc       string
	delim     rune
	checkUTF8 bool // cells must be checked: the file is read as UTF-8 unchecked

	header   tally.Header
	fields   []tally.Field // per column
	extraIdx []int         // per column: index in Row.Extra, or -1
	nExtra   int

	err error // sticky: the file cannot be read further
}

var _ tally.RowReader = (*Reader)(nil)

// Open opens the list file at path. It tells CSV from XLSX by the file's
// first bytes, not its name, detects what Options leave open, and reads
// the header. Every error is a *tally.Error naming the file.
func Open(path string, opt Options) (*Reader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, openError(path, err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, openError(path, err)
	}
	if fi.IsDir() {
		f.Close()
		return nil, &tally.Error{Code: tally.EInvalid, File: path,
			Message: "this is a folder, not a list file", Hint: "name a .csv or .xlsx file"}
	}
	prefix, atEOF, err := readPrefix(f)
	if err != nil {
		f.Close()
		return nil, openError(path, err)
	}
	switch sniff(prefix) {
	case kindZip:
		f.Close()
		if fi.Size() > opt.maxXLSX() {
			return nil, tooBigXLSX(path, opt.maxXLSX())
		}
		return openXLSXFile(path, opt)
	case kindOLE:
		f.Close()
		return nil, oleError(path)
	}
	r, err := newCSV(path, prefix, atEOF, f, f, opt)
	if err != nil {
		f.Close()
		return nil, err
	}
	return r, nil
}

// NewReader reads a list from r; name is the file name errors give. CSV is
// streamed. An XLSX workbook (told by its first bytes) is read into memory
// whole first, at most Options.MaxXLSXBytes of it, since a zip archive
// cannot be read front to back; Open reads one from disk without that.
// Closing the Reader does not close r.
func NewReader(name string, r io.Reader, opt Options) (*Reader, error) {
	prefix, atEOF, err := readPrefix(r)
	if err != nil {
		return nil, &tally.Error{Code: tally.EInvalid, File: name, Message: "cannot read the list: " + err.Error(), Err: err}
	}
	switch sniff(prefix) {
	case kindZip:
		max := opt.maxXLSX()
		b, err := io.ReadAll(io.LimitReader(io.MultiReader(bytes.NewReader(prefix), r), max+1))
		if err != nil {
			return nil, &tally.Error{Code: tally.EInvalid, File: name, Message: "cannot read the workbook: " + err.Error(), Err: err}
		}
		if int64(len(b)) > max {
			return nil, tooBigXLSX(name, max)
		}
		return openXLSXBytes(name, b, opt)
	case kindOLE:
		return nil, oleError(name)
	}
	return newCSV(name, prefix, atEOF, r, nil, opt)
}

// Header returns the list's header: its columns as the file names them and
// the field each was recognised as.
func (r *Reader) Header() tally.Header { return r.header }

// Encoding returns the encoding a CSV file was read in ("utf-8",
// "windows-1251", "koi8-u", ...); "" for XLSX.
func (r *Reader) Encoding() string { return r.enc }

// Delimiter returns the delimiter a CSV file was read with; 0 for XLSX.
func (r *Reader) Delimiter() rune { return r.delim }

// Sheet returns the name of the sheet read from an XLSX workbook; "" for
// CSV.
func (r *Reader) Sheet() string { return r.sheet }

// Format returns "csv" or "xlsx".
func (r *Reader) Format() string { return r.format }

// Close releases the file (and an XLSX workbook's temporary files).
func (r *Reader) Close() error {
	if r.src == nil {
		return nil
	}
	err := r.src.Close()
	r.src = nil
	if r.err == nil {
		r.err = &tally.Error{Code: tally.EInternal, File: r.name, Message: "the list is closed"}
	}
	return err
}

// Next returns the next non-empty row, or io.EOF after the last.
//
// A row with more non-empty cells than the header has columns, or with a
// cell that is not text (a NUL byte, invalid UTF-8 in a UTF-8 file),
// is returned as a *tally.Error on its line; Next may be called again to
// go on with the following rows. Any other error means the file cannot be
// read further, and Next returns it again.
func (r *Reader) Next() (tally.Row, error) {
	if r.err != nil {
		return tally.Row{}, r.err
	}
	for {
		cells, line, err := r.src.next()
		if err != nil {
			r.err = err
			return tally.Row{}, err
		}
		row, empty, err := r.row(cells, line)
		if err != nil {
			return tally.Row{}, err
		}
		if !empty {
			return row, nil
		}
	}
}

// row makes a Row of one record's cells; empty reports a row of blank
// cells, which lists skip.
func (r *Reader) row(cells []string, line int) (row tally.Row, empty bool, err error) {
	width := len(r.fields)
	if len(cells) > width {
		last := width
		for i := len(cells) - 1; i >= width; i-- {
			v, fault := clean(cells[i], r.checkUTF8)
			if fault != 0 {
				return row, false, r.cellError(fault, line, i)
			}
			if v != "" {
				last = i + 1
				break
			}
		}
		if last > width {
			return row, false, &tally.Error{Code: tally.EInvalid, File: r.name, Line: line,
				Message: fmt.Sprintf("this row has %d cells but the header has %d columns", last, width),
				Hint:    r.tooManyHint()}
		}
		cells = cells[:width]
	}
	row.Line = line
	if r.nExtra > 0 {
		row.Extra = make([]string, r.nExtra)
	}
	empty = true
	for i, c := range cells {
		v, fault := clean(c, r.checkUTF8)
		if fault != 0 {
			return tally.Row{}, false, r.cellError(fault, line, i)
		}
		if v == "" {
			continue
		}
		empty = false
		if f := r.fields[i]; f != tally.FieldUnknown {
			row.Values[f] = v
		} else {
			row.Extra[r.extraIdx[i]] = v
		}
	}
	return row, empty, nil
}

func (r *Reader) tooManyHint() string {
	if r.format == "xlsx" {
		return "give the extra cells a column name in the header, or clear them"
	}
	return fmt.Sprintf("a cell may hold an unquoted %s: put such cells in quotes, or give the extra cells a column name in the header", delimName(r.delim))
}

// cellError reports a cell that is not text.
func (r *Reader) cellError(f fault, line, col int) error {
	e := &tally.Error{Code: tally.EInvalid, File: r.name, Line: line}
	switch f {
	case faultNUL:
		e.Message = fmt.Sprintf("cell %d of this row holds a NUL byte: this part of the file is not text", col+1)
		e.Hint = "this is not a CSV list, or the file is damaged"
	case faultUTF8:
		e.Message = fmt.Sprintf("cell %d of this row is not valid UTF-8, though the file begins as UTF-8", col+1)
		e.Hint = "the file mixes encodings: save it again as UTF-8, or name its encoding (windows-1251, koi8-u)"
	}
	return e
}

// readHeader reads up to the first non-blank record and makes it the
// header.
func (r *Reader) readHeader() error {
	for {
		cells, line, err := r.src.next()
		if err == io.EOF {
			msg := "the file has no rows, only blank ones"
			if r.format == "xlsx" {
				msg = fmt.Sprintf("the sheet %q has no rows", r.sheet)
			}
			return &tally.Error{Code: tally.EInvalid, File: r.name, Message: msg, Hint: "a list begins with a header row"}
		}
		if err != nil {
			return err
		}
		names := make([]string, 0, len(cells))
		for i, c := range cells {
			v, fault := clean(c, r.checkUTF8)
			if fault != 0 {
				return r.cellError(fault, line, i)
			}
			names = append(names, v)
		}
		for len(names) > 0 && names[len(names)-1] == "" {
			names = names[:len(names)-1]
		}
		if len(names) == 0 {
			continue
		}
		return r.setHeader(names, line)
	}
}

func (r *Reader) setHeader(names []string, line int) error {
	cols := make([]tally.Column, len(names))
	r.fields = make([]tally.Field, len(names))
	r.extraIdx = make([]int, len(names))
	var seen [tally.NumFields]int // 1 + column index
	known := 0
	for i, n := range names {
		f := MatchHeader(n)
		cols[i] = tally.Column{Name: n, Field: f}
		r.fields[i] = f
		r.extraIdx[i] = -1
		if f == tally.FieldUnknown {
			r.extraIdx[i] = r.nExtra
			r.nExtra++
			continue
		}
		known++
		if j := seen[f]; j != 0 {
			return &tally.Error{Code: tally.EInvalid, File: r.name, Line: line,
				Message: fmt.Sprintf("columns %d (%q) and %d (%q) both hold %s", j, names[j-1], i+1, n, f),
				Hint:    "rename or remove one of them"}
		}
		seen[f] = i + 1
	}
	if known == 0 {
		found := names
		more := ""
		if len(found) > 8 {
			found, more = found[:8], ", …"
		}
		return &tally.Error{Code: tally.EInvalid, File: r.name, Line: line,
			Message: fmt.Sprintf("no column of this header is one tally knows (found: %s%s)", strings.Join(quoteAll(found), ", "), more),
			Hint:    "the header must have columns such as surname, given name, birth date — see the list spec"}
	}
	r.header = tally.Header{Columns: cols}
	return nil
}

func quoteAll(ss []string) []string {
	q := make([]string, len(ss))
	for i, s := range ss {
		if len([]rune(s)) > 40 {
			s = string([]rune(s)[:40]) + "…"
		}
		q[i] = s
	}
	return q
}

// fault is why a cell is not text.
type fault uint8

const (
	faultNone fault = iota
	faultNUL
	faultUTF8
)

// clean returns a cell's value as a list keeps it: without spaces at
// either end, no-break spaces made plain spaces, in Unicode NFC. It
// changes nothing else: names are repaired by the domain, not here.
// checkUTF8 asks for a check that s is valid UTF-8.
func clean(s string, checkUTF8 bool) (string, fault) {
	high := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == 0:
			return "", faultNUL
		case c >= 0x80:
			high = true
		}
	}
	if !high {
		return strings.TrimSpace(s), faultNone
	}
	s = strings.TrimFunc(s, isBlank)
	// Most cells are plain Latin or Cyrillic text: NFC already, no
	// no-break space. Tell them apart without the cost of norm's check.
	fast, nbsp := true, false
	for _, r := range s {
		if r == '\u00a0' {
			nbsp = true
		} else if !nfcStable(r) {
			fast = false
			break
		}
	}
	if fast && !nbsp {
		return s, faultNone
	}
	if checkUTF8 && !utf8.ValidString(s) {
		return "", faultUTF8
	}
	if nbsp || strings.Contains(s, "\u202f") || strings.Contains(s, "\u2007") {
		s = strings.Map(func(r rune) rune {
			switch r {
			case '\u00a0', '\u202f', '\u2007':
				return ' '
			}
			return r
		}, s)
	}
	if !fast && !norm.NFC.IsNormalString(s) {
		s = norm.NFC.String(s)
	}
	return s, faultNone
}

// nfcStable reports runes of the scripts lists are mostly written in that
// a string in NFC may hold anywhere: they are NFC themselves and never
// compose with the rune before them (TestNFCStable checks this against
// the Unicode tables). A string of such runes is in NFC.
func nfcStable(r rune) bool {
	switch {
	case r < 0x300: // Latin, Latin-1, Latin Extended, IPA, spacing modifiers
		return true
	case 0x400 <= r && r < 0x483, 0x48A <= r && r < 0x530: // Cyrillic, without combining marks
		return true
	case 0x2010 <= r && r < 0x2028, r == 0x2116: // dashes, quotes, ellipsis; №
		return true
	}
	return false
}

// isBlank reports the characters trimmed from a cell's ends: white space
// and the invisible characters that stray into spreadsheets.
func isBlank(r rune) bool {
	switch r {
	case '\u200b', '\u200c', '\u200d', '\u2060', '\ufeff':
		return true
	}
	return unicode.IsSpace(r)
}

func delimName(d rune) string {
	switch d {
	case ',':
		return "comma"
	case ';':
		return "semicolon"
	case '\t':
		return "tab"
	}
	return fmt.Sprintf("%q", d)
}

// readPrefix reads the first prefixSize bytes of r; atEOF reports that
// they are all of it.
func readPrefix(r io.Reader) (prefix []byte, atEOF bool, err error) {
	buf := make([]byte, prefixSize)
	n, err := io.ReadFull(r, buf)
	switch err {
	case nil:
		return buf[:n], false, nil
	case io.EOF, io.ErrUnexpectedEOF:
		return buf[:n], true, nil
	}
	return nil, false, err
}

type fileKind int

const (
	kindText fileKind = iota
	kindZip
	kindOLE
)

// sniff tells a file's kind by its first bytes.
func sniff(b []byte) fileKind {
	switch {
	case bytes.HasPrefix(b, []byte("PK\x03\x04")), bytes.HasPrefix(b, []byte("PK\x05\x06")):
		return kindZip
	case bytes.HasPrefix(b, []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}):
		return kindOLE
	}
	return kindText
}

func openError(path string, err error) error {
	e := &tally.Error{Code: tally.EInvalid, File: path, Err: err}
	switch {
	case errors.Is(err, fs.ErrNotExist):
		e.Message, e.Hint = "there is no such file", "check the name and the folder"
	case errors.Is(err, fs.ErrPermission):
		e.Message, e.Hint = "tally may not read this file", "check the file's permissions"
	default:
		e.Message = "cannot read the file: " + errMessage(err)
	}
	return e
}

// errMessage is err's text without the path an *fs.PathError repeats.
func errMessage(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Op + ": " + pe.Err.Error()
	}
	return err.Error()
}

func oleError(name string) error {
	return &tally.Error{Code: tally.EInvalid, File: name,
		Message: "this is an old Excel workbook (.xls) or one locked with a password",
		Hint:    "save it again in Excel as .xlsx without a password, or as CSV UTF-8"}
}

func tooBigXLSX(name string, max int64) error {
	return &tally.Error{Code: tally.EInvalid, File: name,
		Message: fmt.Sprintf("this workbook is larger than %s unpacked", sizeText(max)),
		Hint:    "split the list, or save it as CSV"}
}

func sizeText(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
