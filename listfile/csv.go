package listfile

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"

	"golang.org/x/text/transform"

	"tally"
)

// newCSV makes a Reader of a CSV stream whose first bytes, prefix, have
// been read already; rest is what follows, closer (may be nil) what Close
// closes.
func newCSV(name string, prefix []byte, atEOF bool, rest io.Reader, closer io.Closer, opt Options) (*Reader, error) {
	fail := func(msg, hint string) error {
		return &tally.Error{Code: tally.EInvalid, File: name, Message: msg, Hint: hint}
	}
	if len(prefix) == 0 {
		return nil, fail("the file is empty", "a list begins with a header row")
	}
	enc := ""
	if opt.Encoding != "" {
		enc = canonicalEncoding(opt.Encoding)
		if enc == "" {
			return nil, fail(fmt.Sprintf("%q is not an encoding tally reads", opt.Encoding),
				"use utf-8, windows-1251, koi8-u, koi8-r, cp866, utf-16le or utf-16be")
		}
	}
	// A byte-order mark is dropped when it agrees with the encoding.
	bomEnc, n := bomLen(prefix)
	if bomEnc != "" && (enc == "" || enc == bomEnc) {
		enc = bomEnc
		prefix = prefix[n:]
	}
	if enc == "" {
		enc = utf16NoBOM(prefix)
	}
	if enc == "" {
		if notText(prefix) {
			return nil, fail("this is not a CSV or XLSX list", "tally reads lists saved as .xlsx or as CSV text")
		}
		enc = detectEncoding(prefix, atEOF)
		if enc == "" {
			return nil, fail("the encoding of this file cannot be determined",
				"save it as CSV UTF-8, or name its encoding: windows-1251, koi8-u, koi8-r or cp866")
		}
	}
	in := io.MultiReader(bytes.NewReader(prefix), rest)
	text := prefix
	if d := decoder(enc); d != nil {
		in = transform.NewReader(in, decoder(enc))
		p := prefix
		if (enc == encUTF16LE || enc == encUTF16BE) && len(p)%2 == 1 {
			p = p[:len(p)-1]
		}
		var err error
		if text, err = d.Bytes(p); err != nil {
			return nil, fail("the file cannot be read as "+enc, "name the file's encoding, or save it as CSV UTF-8")
		}
	}
	if len(bytes.TrimSpace(text)) == 0 && atEOF {
		return nil, fail("the file is empty", "a list begins with a header row")
	}
	delim := opt.Delimiter
	switch delim {
	case 0:
		delim = detectDelimiter(string(text))
	case '"', '\r', '\n', 0xFFFD:
		return nil, fail(fmt.Sprintf("%q cannot be a delimiter", delim), "use a comma, a semicolon or a tab")
	}
	if bytes.IndexByte(text, '\n') < 0 && bytes.IndexByte(text, '\r') >= 0 {
		// Lines end in a bare CR, as Excel for old Macs saved CSV.
		in = crToLF{in}
	}
	lim := &recordLimit{r: in, max: int64(opt.maxRecord())}
	cr := csv.NewReader(lim)
	cr.Comma = delim
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	cr.LazyQuotes = false
	src := &csvSource{name: name, cr: cr, lim: lim, closer: closer}
	r := &Reader{name: name, src: src, format: "csv", enc: enc, delim: delim, checkUTF8: enc == encUTF8}
	if err := r.readHeader(); err != nil {
		return nil, err
	}
	return r, nil
}

// notText reports bytes no list holds: NUL, or control characters more
// often than a stray one.
func notText(b []byte) bool {
	if bytes.IndexByte(b, 0) >= 0 {
		return true
	}
	ctl := 0
	for _, c := range b {
		if (c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f') || c == 0x7F {
			ctl++
		}
	}
	return ctl > 2 && ctl*200 > len(b)
}

// utf16NoBOM recognises UTF-16 text without a byte-order mark by the zero
// bytes of its ASCII characters: the high bytes of letters, delimiters
// and line breaks.
func utf16NoBOM(b []byte) string {
	if len(b) > 4096 {
		b = b[:4096]
	}
	if len(b) < 4 {
		return ""
	}
	var even, odd int
	for i, c := range b {
		if c == 0 {
			if i%2 == 0 {
				even++
			} else {
				odd++
			}
		}
	}
	half := len(b) / 2
	switch {
	case odd*10 > half*6 && even == 0:
		return encUTF16LE
	case even*10 > half*6 && odd == 0:
		return encUTF16BE
	}
	return ""
}

// crToLF turns every CR into LF.
type crToLF struct{ r io.Reader }

func (c crToLF) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	for i, b := range p[:n] {
		if b == '\r' {
			p[i] = '\n'
		}
	}
	return n, err
}

// errRecordTooLong is recordLimit's error when one record passes the
// limit.
var errRecordTooLong = errors.New("record too long")

// recordLimit stops a CSV reader that has read more than max bytes since
// the end of the last record: encoding/csv holds a whole record in memory.
type recordLimit struct {
	r        io.Reader
	n        int64 // bytes read
	boundary int64 // offset of the end of the last record
	max      int64
}

func (l *recordLimit) Read(p []byte) (int, error) {
	if l.n-l.boundary > l.max {
		return 0, errRecordTooLong
	}
	n, err := l.r.Read(p)
	l.n += int64(n)
	return n, err
}

// csvSource yields the records of a CSV stream.
type csvSource struct {
	name    string
	cr      *csv.Reader
	lim     *recordLimit
	closer  io.Closer
	lastEnd int // line the last record ended on, about
}

func (s *csvSource) next() ([]string, int, error) {
	rec, err := s.cr.Read()
	if err != nil {
		return nil, 0, s.translate(err)
	}
	s.lim.boundary = s.cr.InputOffset()
	line, _ := s.cr.FieldPos(0)
	last, _ := s.cr.FieldPos(len(rec) - 1)
	s.lastEnd = last + strings.Count(rec[len(rec)-1], "\n")
	return rec, line, nil
}

func (s *csvSource) Close() error {
	if s.closer != nil {
		return s.closer.Close()
	}
	return nil
}

// translate turns encoding/csv's errors into ones a clerk can act on.
func (s *csvSource) translate(err error) error {
	if err == io.EOF {
		return io.EOF
	}
	e := &tally.Error{Code: tally.EInvalid, File: s.name, Err: err}
	var pe *csv.ParseError
	switch {
	case errors.Is(err, errRecordTooLong):
		e.Line = s.lastEnd + 1
		e.Message = fmt.Sprintf("the row that begins here is longer than %s", sizeText(s.lim.max))
		e.Hint = "a quote mark that opens a cell may never be closed; or this is not a list"
	case errors.As(err, &pe) && errors.Is(pe.Err, csv.ErrBareQuote):
		e.Line = pe.Line
		e.Message = `a quote mark (") is inside a cell that does not begin with one`
		e.Hint = `put the whole cell in quotes and double each quote mark inside it, or remove the quote mark`
	case errors.As(err, &pe) && errors.Is(pe.Err, csv.ErrQuote):
		e.Line = pe.StartLine
		if pe.Line != pe.StartLine {
			e.Message = fmt.Sprintf("a quoted cell in the row that begins here is not closed properly (seen on line %d)", pe.Line)
		} else {
			e.Message = "a quoted cell is not closed properly"
		}
		e.Hint = `a cell that begins with a quote mark must end with one, and quote marks inside it must be doubled ("")`
	case errors.As(err, &pe):
		e.Line = pe.Line
		e.Message = "this row cannot be read: " + pe.Err.Error()
	default:
		e.Line = s.lastEnd + 1
		e.Message = "cannot read the file: " + errMessage(err)
	}
	return e
}
