package listfile

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"

	"tally"
)

// xlsxDate is the form dates in date-formatted cells are given in.
const xlsxDate = "yyyy-mm-dd"

func excelizeOptions(opt Options) excelize.Options {
	max := opt.maxXLSX()
	return excelize.Options{
		UnzipSizeLimit:    max,
		UnzipXMLSizeLimit: min(max, 16<<20), // larger sheets go to a temporary file
		ShortDatePattern:  xlsxDate,
	}
}

func openXLSXFile(path string, opt Options) (*Reader, error) {
	f, err := excelize.OpenFile(path, excelizeOptions(opt))
	return newXLSX(path, f, err, opt)
}

func openXLSXBytes(name string, b []byte, opt Options) (*Reader, error) {
	f, err := excelize.OpenReader(bytes.NewReader(b), excelizeOptions(opt))
	return newXLSX(name, f, err, opt)
}

// newXLSX makes a Reader of the workbook excelize opened (or failed to).
func newXLSX(name string, f *excelize.File, err error, opt Options) (*Reader, error) {
	if err != nil {
		if f != nil {
			f.Close()
		}
		return nil, xlsxError(name, err, opt)
	}
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		f.Close()
		return nil, &tally.Error{Code: tally.EInvalid, File: name,
			Message: "this workbook has no sheets", Hint: "the file may be damaged; save it again in Excel"}
	}
	sheet := sheets[0]
	if opt.Sheet != "" {
		sheet = ""
		for _, s := range sheets {
			if s == opt.Sheet {
				sheet = s
			}
		}
		if sheet == "" {
			for _, s := range sheets {
				if strings.EqualFold(strings.TrimSpace(s), strings.TrimSpace(opt.Sheet)) {
					sheet = s
				}
			}
		}
		if sheet == "" {
			f.Close()
			return nil, &tally.Error{Code: tally.EInvalid, File: name,
				Message: fmt.Sprintf("this workbook has no sheet named %q", opt.Sheet),
				Hint:    "its sheets are " + quoteList(sheets)}
		}
	}
	datesAsISO(f)
	rows, err := f.Rows(sheet)
	if err != nil {
		f.Close()
		return nil, xlsxError(name, err, opt)
	}
	src := &xlsxSource{name: name, f: f, rows: rows, opt: opt}
	r := &Reader{name: name, src: src, format: "xlsx", sheet: sheet}
	if err := r.readHeader(); err != nil {
		src.Close()
		return nil, err
	}
	return r, nil
}

func quoteList(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = fmt.Sprintf("%q", s)
	}
	return strings.Join(q, ", ")
}

// xlsxError explains why a workbook cannot be read.
func xlsxError(name string, err error, opt Options) error {
	e := &tally.Error{Code: tally.EInvalid, File: name, Err: err}
	msg := err.Error()
	switch {
	case strings.Contains(msg, "unzip size"), strings.Contains(msg, "exceeds the limit"):
		return tooBigXLSX(name, opt.maxXLSX())
	case errors.Is(err, excelize.ErrWorkbookFileFormat), errors.Is(err, excelize.ErrWorkbookPassword):
		return oleError(name)
	default:
		e.Message = "this workbook cannot be read: it is damaged, or not an xlsx workbook"
		e.Hint = "open it in Excel and save it again as .xlsx, or as CSV UTF-8"
	}
	return e
}

// datesAsISO makes the workbook's date formats write dates as YYYY-MM-DD
// (YYYY-MM, YYYY where the format has no day, no month), whatever the
// clerk's regional setting showed: a date is stored as a serial number,
// and the text it is given in is ours to choose. The time of day of a
// date-and-time format is dropped: list dates are days. Formats of times
// alone, numbers and text are left as they are.
//
// excelize applies a cell's number format from its style sheet when it
// gives a cell's value; this rewrites that style sheet in memory (never
// the file): custom date formats get an ISO format code, and cells of
// built-in date formats the built-in short date, which excelize writes by
// Options.ShortDatePattern.
func datesAsISO(f *excelize.File) {
	ss := f.Styles
	if ss == nil {
		return
	}
	custom := map[int]bool{}
	if ss.NumFmts != nil {
		for _, nf := range ss.NumFmts.NumFmt {
			if nf == nil {
				continue
			}
			custom[nf.NumFmtID] = true
			code := nf.FormatCode
			if nf.FormatCode16 != "" {
				code = nf.FormatCode16
			}
			if iso := isoFormat(code); iso != "" {
				nf.FormatCode, nf.FormatCode16 = iso, ""
			}
		}
	}
	if ss.CellXfs == nil {
		return
	}
	for i := range ss.CellXfs.Xf {
		id := ss.CellXfs.Xf[i].NumFmtID
		if id == nil || custom[*id] || !builtInDate(*id) {
			continue
		}
		short := 14
		ss.CellXfs.Xf[i].NumFmtID = &short
	}
}

// builtInDate reports the built-in number formats that show a date with
// day, month and year (ECMA-376 §18.8.30, with the East Asian ones).
// d-mmm (16) and mmm-yy (17) lack a part and are left as Excel shows them.
func builtInDate(id int) bool {
	switch {
	case id == 14, id == 15, id == 22:
		return true
	case 27 <= id && id <= 31, id == 36, 50 <= id && id <= 58:
		return true
	}
	return false
}

// isoFormat returns the ISO format for a custom number format code that
// shows a date: "yyyy-mm-dd", "yyyy-mm" without a day, "yyyy" without a
// month; "" for any other format. Quoted text, escaped characters and
// [bracketed] colours, locales and elapsed times are not format letters.
func isoFormat(code string) string {
	// Only the first section formats positive numbers, which dates are.
	var y, m, d, h, s, num bool
	inQuote, inBracket := false, false
	rs := []rune(code)
	for i := 0; i < len(rs); i++ {
		c := rs[i]
		switch {
		case inQuote:
			inQuote = c != '"'
			continue
		case inBracket:
			inBracket = c != ']'
			continue
		}
		switch c {
		case '"':
			inQuote = true
		case '[':
			inBracket = true
		case '\\', '_', '*':
			i++ // the next character is literal, or spacing
		case ';':
			i = len(rs)
		case 'g', 'G':
			if strings.HasPrefix(strings.ToLower(string(rs[i:])), "general") {
				num = true
				i += len("general") - 1
			}
		case 'y', 'Y':
			y = true
		case 'd', 'D':
			d = true
		case 'm', 'M':
			m = true
		case 'h', 'H':
			h = true
		case 's', 'S':
			s = true
		case '0', '#', '?', '@':
			num = true
		}
	}
	switch {
	case num || !y && !d:
		return "" // a number, text, or a time ('m' is minutes there)
	case y && m && d:
		return "yyyy-mm-dd"
	case y && m && !h && !s:
		return "yyyy-mm"
	case y && !m && !d:
		return "yyyy"
	}
	return ""
}

// xlsxSource yields the rows of one sheet, streamed.
type xlsxSource struct {
	name string
	f    *excelize.File
	rows *excelize.Rows
	row  int
	opt  Options
}

func (s *xlsxSource) next() ([]string, int, error) {
	if s.rows.Next() {
		s.row++
		cells, err := s.rows.Columns()
		if err != nil {
			return nil, 0, s.fail(err)
		}
		return cells, s.row, nil
	}
	if err := s.rows.Error(); err != nil {
		return nil, 0, s.fail(err)
	}
	return nil, 0, io.EOF
}

func (s *xlsxSource) fail(err error) error {
	e := xlsxError(s.name, err, s.opt)
	var te *tally.Error
	if errors.As(e, &te) && te.Line == 0 && s.row > 0 {
		te.Line = s.row
	}
	return e
}

func (s *xlsxSource) Close() error {
	err := s.rows.Close()
	if cerr := s.f.Close(); err == nil {
		err = cerr
	}
	return err
}
