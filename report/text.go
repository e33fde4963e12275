package report

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"unicode"

	"golang.org/x/text/width"
)

// Text writes d as plain text in aligned columns, for a terminal.
func Text(w io.Writer, d Document) error {
	d = normalize(d)
	b := bufio.NewWriter(w)
	line := func(parts ...string) {
		b.WriteString(strings.TrimRight(strings.Join(parts, ""), " "))
		b.WriteByte('\n')
	}

	if d.Title != "" {
		line(d.Title)
	}
	if d.Subtitle != "" {
		line(d.Subtitle)
	}
	if d.Title != "" || d.Subtitle != "" {
		line()
	}

	line(d.Labels.Checkpoint)
	fields := checkpointFields(d)
	kw := 0
	for _, f := range fields {
		kw = max(kw, cells(f[0]))
	}
	for _, f := range fields {
		line("  ", pad(f[0], kw), "  ", f[1])
	}

	for _, s := range d.Sections {
		line()
		line(s.Title)
		if len(s.Rows) == 0 {
			empty := s.Empty
			if empty == "" {
				empty = "—"
			}
			line("  ", empty)
			continue
		}
		lw := 0
		for _, r := range s.Rows {
			lw = max(lw, cells(r.Label))
		}
		cw := make([]int, len(s.Columns))
		for i, c := range s.Columns {
			cw[i] = cells(c)
			for _, r := range s.Rows {
				cw[i] = max(cw[i], cells(r.value(i)))
			}
		}
		head := []string{"  ", pad("", lw)}
		for i, c := range s.Columns {
			head = append(head, "  ", padLeft(c, cw[i]))
		}
		line(head...)
		for _, r := range s.Rows {
			mark := "  "
			if r.Highlight {
				mark = "! "
			}
			row := []string{mark, pad(r.Label, lw)}
			for i := range s.Columns {
				row = append(row, "  ", padLeft(r.value(i), cw[i]))
			}
			line(row...)
		}
	}

	for i, n := range d.Notes {
		if i == 0 {
			line()
		}
		line(n)
	}
	if err := b.Flush(); err != nil {
		return fmt.Errorf("report: text: %w", err)
	}
	return nil
}

// cells returns the number of terminal cells s takes: none for combining
// and format characters, two for wide and fullwidth East Asian characters,
// one for the others.
func cells(s string) int {
	n := 0
	for _, r := range s {
		switch {
		case unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf):
		case '\u1160' <= r && r <= '\u11FF': // Hangul medial vowels and final consonants join the syllable
		default:
			switch width.LookupRune(r).Kind() {
			case width.EastAsianWide, width.EastAsianFullwidth:
				n += 2
			default:
				n++
			}
		}
	}
	return n
}

// pad returns s followed by spaces up to n cells.
func pad(s string, n int) string {
	return s + strings.Repeat(" ", max(0, n-cells(s)))
}

// padLeft returns s preceded by spaces up to n cells.
func padLeft(s string, n int) string {
	return strings.Repeat(" ", max(0, n-cells(s))) + s
}
