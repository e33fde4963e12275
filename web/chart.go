package web

import (
	"tally/report"
)

// Chart is the geometry of one section's bar chart, drawn as inline SVG:
// one group of horizontal bars per row, one bar per column, scaled to the
// section's largest figure. The table beside it carries the same figures
// for screen readers and for exact reading.
type Chart struct {
	Title   string
	Series  []Series
	Groups  []ChartGroup
	Width   int // of the viewBox
	Height  int
	LabelW  int // the width kept for the row labels
	Max     int64
	Section int
}

// Series is one column of the section: its name and colour.
type Series struct {
	Name  string
	Color string
	Index int
}

// ChartGroup is one row's bars.
type ChartGroup struct {
	Label     string
	Y         int // the top of the group
	LabelY    int
	Highlight bool
	Bars      []ChartBar
}

// ChartBar is one figure.
type ChartBar struct {
	Series string
	Color  string
	Value  int64
	X, Y   int
	W, H   int
	TextX  int
	TextY  int
}

// palette are the series' colours: distinct, and dark enough for white
// text and for a contrast of at least 3:1 against the page.
var palette = []string{"#1f5fa8", "#b4460b", "#15803d", "#7e22ce", "#b91c1c", "#0e7490", "#8a5a00", "#475569"}

const (
	chartWidth  = 720
	labelWidth  = 220
	barHeight   = 14
	barGap      = 2
	groupGap    = 12
	valueMargin = 60
)

// charts lays out one chart per section that has rows.
func charts(d report.Document) []Chart {
	var out []Chart
	for si, s := range d.Sections {
		if len(s.Rows) == 0 {
			continue
		}
		c := Chart{Title: s.Title, Width: chartWidth, LabelW: labelWidth, Section: si}
		n := len(s.Columns)
		for _, r := range s.Rows {
			n = max(n, len(r.Values))
			for _, v := range r.Values {
				c.Max = max(c.Max, v)
			}
		}
		for i := range n {
			name := ""
			if i < len(s.Columns) {
				name = s.Columns[i]
			}
			c.Series = append(c.Series, Series{Name: name, Color: palette[i%len(palette)], Index: i % len(palette)})
		}
		y := groupGap / 2
		span := chartWidth - labelWidth - valueMargin
		for _, r := range s.Rows {
			g := ChartGroup{Label: r.Label, Y: y, Highlight: r.Highlight}
			for i, v := range r.Values {
				w := 0
				if c.Max > 0 && v > 0 {
					w = max(1, int(v*int64(span)/c.Max))
				}
				by := y + i*(barHeight+barGap)
				g.Bars = append(g.Bars, ChartBar{Series: c.Series[i].Name, Color: c.Series[i].Color, Value: v,
					X: labelWidth, Y: by, W: w, H: barHeight, TextX: labelWidth + w + 4, TextY: by + barHeight - 3})
			}
			h := max(1, len(r.Values))*(barHeight+barGap) - barGap
			g.LabelY = y + h/2 + 5
			c.Groups = append(c.Groups, g)
			y += h + groupGap
		}
		c.Height = y - groupGap/2
		out = append(out, c)
	}
	return out
}
