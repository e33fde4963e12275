package report

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"strconv"
)

//go:embed report.html.tmpl
var htmlTemplate string

// HTML writes d as one self-contained HTML page: inline CSS, no script, and
// no reference to anything outside the page.
func HTML(w io.Writer, d Document) error {
	t, err := template.New("report").Parse(htmlTemplate)
	if err != nil {
		return fmt.Errorf("report: html: %w", err)
	}
	if err := t.Execute(w, htmlView(normalize(d))); err != nil {
		return fmt.Errorf("report: html: %w", err)
	}
	return nil
}

type htmlPage struct {
	Document
	Fields   [][2]string
	Sections []htmlSection
}

type htmlSection struct {
	Section
	ID   string
	Rows []htmlRow
}

type htmlRow struct {
	Row
	Cells []htmlCell
}

type htmlCell struct {
	Has  bool
	Text string
	Bar  float64 // length of the bar, 0 to 100
}

func htmlView(d Document) htmlPage {
	p := htmlPage{Document: d, Fields: checkpointFields(d)}
	for i, s := range d.Sections {
		hs := htmlSection{Section: s, ID: "s" + strconv.Itoa(i+1)}
		top := int64(0)
		for _, r := range s.Rows {
			for _, v := range r.Values {
				top = max(top, v)
			}
		}
		for _, r := range s.Rows {
			hr := htmlRow{Row: r}
			for j := range s.Columns {
				c := htmlCell{Has: j < len(r.Values), Text: r.value(j)}
				if c.Has && top > 0 && r.Values[j] > 0 {
					c.Bar = float64(int(float64(r.Values[j])/float64(top)*1000)) / 10
				}
				hr.Cells = append(hr.Cells, c)
			}
			hs.Rows = append(hs.Rows, hr)
		}
		p.Sections = append(p.Sections, hs)
	}
	return p
}
