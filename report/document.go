package report

import (
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// A Document is a public report, independent of what it reports on.
type Document struct {
	// Title is the report's title, such as the agreement's title.
	Title string
	// Subtitle follows the title, such as "Public report — counts only".
	Subtitle string
	// Lang is the BCP 47 language tag of the titles and labels, such as
	// "uk", "ru", "tr" or "en" (the default). It sets the HTML page's and the
	// PDF's language.
	Lang string
	// Checkpoint is the checkpoint of the log that every figure was computed
	// at.
	Checkpoint Checkpoint
	Sections   []Section
	// Notes follow the sections, such as how to check the figures against
	// the log.
	Notes []string
	// Labels name the parts of the report that the package writes itself;
	// empty fields take English defaults.
	Labels Labels
}

// A Checkpoint identifies the state of the log that the figures were
// computed at.
type Checkpoint struct {
	// Origin names the log.
	Origin string
	// Size is the number of entries in the log.
	Size int64
	// RootHash is the log's root hash at Size, as written in the checkpoint
	// (base64 in a signed note).
	RootHash string
	// Time is when the checkpoint was made; it is written in UTC.
	Time time.Time
	// Cosigners name those who cosigned the checkpoint, such as the
	// parties' and the mediator's witnesses.
	Cosigners []string
}

// A Section is one table of figures.
type Section struct {
	Title string
	// Columns name the values of each row, in order. The row labels'
	// column has no heading: the section's title says what the rows are.
	Columns []string
	Rows    []Row
	// Empty is written instead of the table when there are no rows.
	Empty string
}

// A Row is one line of figures.
type Row struct {
	Label string
	// Values are the figures, one per column. A row shorter than the
	// columns leaves the rest of its cells empty; a longer one adds columns
	// without a heading.
	Values []int64
	// Highlight marks a row that needs attention, such as an open
	// discrepancy.
	Highlight bool
}

// Labels are the words the package writes itself. Empty fields take the
// English defaults shown.
type Labels struct {
	Checkpoint string // "Checkpoint"
	Origin     string // "Origin"
	Size       string // "Size"
	RootHash   string // "Root hash"
	Time       string // "Time"
	Cosigners  string // "Cosigners"
	Highlight  string // "needs attention" (HTML, for screen readers)
	Page       string // "Page" (PDF footer: "Page 2 / 3")
}

func (l Labels) withDefaults() Labels {
	def := func(s *string, d string) {
		if *s = clean(*s); *s == "" {
			*s = d
		}
	}
	def(&l.Checkpoint, "Checkpoint")
	def(&l.Origin, "Origin")
	def(&l.Size, "Size")
	def(&l.RootHash, "Root hash")
	def(&l.Time, "Time")
	def(&l.Cosigners, "Cosigners")
	def(&l.Highlight, "needs attention")
	def(&l.Page, "Page")
	return l
}

// normalize returns a copy of d with every string cleaned (see clean) and
// the defaults filled in. The renderers work only on normalized documents.
func normalize(d Document) Document {
	n := Document{
		Title:    clean(d.Title),
		Subtitle: clean(d.Subtitle),
		Lang:     lang(d.Lang),
		Checkpoint: Checkpoint{
			Origin:   clean(d.Checkpoint.Origin),
			Size:     d.Checkpoint.Size,
			RootHash: clean(d.Checkpoint.RootHash),
			Time:     d.Checkpoint.Time,
		},
		Labels: d.Labels.withDefaults(),
	}
	for _, c := range d.Checkpoint.Cosigners {
		n.Checkpoint.Cosigners = append(n.Checkpoint.Cosigners, clean(c))
	}
	for _, s := range d.Sections {
		ns := Section{Title: clean(s.Title), Empty: clean(s.Empty)}
		cols := len(s.Columns)
		for _, r := range s.Rows {
			cols = max(cols, len(r.Values))
		}
		ns.Columns = make([]string, cols)
		for i, c := range s.Columns {
			ns.Columns[i] = clean(c)
		}
		for _, r := range s.Rows {
			ns.Rows = append(ns.Rows, Row{
				Label:     clean(r.Label),
				Values:    append([]int64(nil), r.Values...),
				Highlight: r.Highlight,
			})
		}
		n.Sections = append(n.Sections, ns)
	}
	for _, t := range d.Notes {
		n.Notes = append(n.Notes, clean(t))
	}
	return n
}

// lang returns tag if it looks like a BCP 47 language tag, and "en"
// otherwise.
func lang(tag string) string {
	if tag == "" || len(tag) > 35 || tag[0] == '-' || tag[len(tag)-1] == '-' {
		return "en"
	}
	for i := 0; i < len(tag); i++ {
		c := tag[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-') {
			return "en"
		}
	}
	return tag
}

// clean makes s safe to show on one line: invalid UTF-8 becomes U+FFFD,
// control characters and line or paragraph separators become spaces, and
// bidirectional formatting characters, which could make a label reorder the
// figures beside it, become U+FFFD. Leading and trailing spaces are removed.
func clean(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		i += n
		switch {
		case r == utf8.RuneError && n == 1:
			r = utf8.RuneError
		case unicode.IsControl(r), r == '\u2028', r == '\u2029':
			r = ' '
		case isBidiControl(r):
			r = utf8.RuneError
		}
		b.WriteRune(r)
	}
	return strings.TrimSpace(b.String())
}

// isBidiControl reports whether r is one of the explicit bidirectional
// formatting characters (Unicode Standard Annex #9, table 1). The implicit
// marks (LRM, RLM, ALM) are left alone: they cannot move text across a
// column.
func isBidiControl(r rune) bool {
	return '\u202A' <= r && r <= '\u202E' || '\u2066' <= r && r <= '\u2069'
}

// bmp replaces the characters the PDF library cannot encode — those above
// U+FFFF, and the noncharacters U+FFFE and U+FFFF — with U+FFFD.
func bmp(s string) string {
	ok := true
	for _, r := range s {
		if r >= 0xFFFE {
			ok = false
			break
		}
	}
	if ok {
		return s
	}
	return strings.Map(func(r rune) rune {
		if r >= 0xFFFE {
			return utf8.RuneError
		}
		return r
	}, s)
}

// number formats a figure: plain decimal, no grouping, so that it can be
// searched for and compared exactly.
func number(v int64) string { return strconv.FormatInt(v, 10) }

// value returns the i-th figure of r as text, or "" if r has none.
func (r Row) value(i int) string {
	if i < len(r.Values) {
		return number(r.Values[i])
	}
	return ""
}

// checkpointTime formats t in UTC, or "—" if t is zero.
func checkpointTime(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format(time.RFC3339)
}

// checkpointFields returns the checkpoint's fields, labelled, in order.
func checkpointFields(d Document) [][2]string {
	c, l := d.Checkpoint, d.Labels
	return [][2]string{
		{l.Origin, c.Origin},
		{l.Size, number(c.Size)},
		{l.RootHash, c.RootHash},
		{l.Time, checkpointTime(c.Time)},
		{l.Cosigners, strings.Join(c.Cosigners, ", ")},
	}
}
