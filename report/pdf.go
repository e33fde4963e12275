package report

import (
	_ "embed"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"codeberg.org/go-pdf/fpdf"
)

var (
	//go:embed fonts/DejaVuSans.ttf
	dejaVuSans []byte
	//go:embed fonts/DejaVuSans-Bold.ttf
	dejaVuSansBold []byte
)

// Page layout of the PDF, in millimetres.
const (
	pageMargin = 15.0
	footerH    = 12.0  // space kept for the footer at the bottom
	valueW     = 26.0  // width of a value column
	valuesMaxW = 126.0 // the value columns together, at most
	cellPad    = 1.2   // padding inside table cells
)

// nbAlias stands for the number of pages until the document is written.
const nbAlias = "{nb}"

// PDF writes d as an A4 PDF document with DejaVu Sans embedded.
func PDF(w io.Writer, d Document) error {
	d = normalize(d)
	f := fpdf.New("P", "mm", "A4", "")
	f.AliasNbPages(nbAlias)
	f.AddUTF8FontFromBytes("DejaVu", "", dejaVuSans)
	f.AddUTF8FontFromBytes("DejaVu", "B", dejaVuSansBold)
	f.SetMargins(pageMargin, pageMargin, pageMargin)
	f.SetAutoPageBreak(false, 0) // breaks are placed by pdfWriter.room
	f.SetTitle(bmp(d.Title), true)
	f.SetSubject(bmp(d.Subtitle), true)
	f.SetCreator("tally", false)
	f.SetLang(d.Lang)
	// The same document gives the same bytes: dated by its checkpoint.
	date := d.Checkpoint.Time
	if date.IsZero() {
		date = time.Unix(0, 0)
	}
	f.SetCreationDate(date.UTC())
	f.SetModificationDate(date.UTC())
	f.SetCatalogSort(true)

	p := &pdfWriter{f: f, d: d}
	f.SetFooterFunc(p.footer)
	f.AddPage()
	p.header()
	p.checkpoint()
	for _, s := range d.Sections {
		p.section(s)
	}
	p.notes()
	if err := f.Output(w); err != nil {
		return fmt.Errorf("report: pdf: %w", err)
	}
	return nil
}

type pdfWriter struct {
	f *fpdf.Fpdf
	d Document
}

// contentW returns the width between the margins.
func (p *pdfWriter) contentW() float64 {
	w, _ := p.f.GetPageSize()
	return w - 2*pageMargin
}

// room starts a new page unless h millimetres fit above the footer, and
// reports whether it did.
func (p *pdfWriter) room(h float64) bool {
	_, ph := p.f.GetPageSize()
	if p.f.GetY()+h <= ph-pageMargin-footerH || p.f.GetY() <= pageMargin+0.01 {
		return false
	}
	p.f.AddPage()
	return true
}

func (p *pdfWriter) font(style string, size float64) {
	p.f.SetFont("DejaVu", style, size)
}

// lines splits s into lines no wider than w in the current font; there is
// always at least one line.
func (p *pdfWriter) lines(s string, w float64) []string {
	l := p.f.SplitText(bmp(s), w)
	if len(l) == 0 {
		return []string{""}
	}
	return l
}

// paragraph writes s across the page in lines of height lh.
func (p *pdfWriter) paragraph(s string, lh float64) {
	for _, l := range p.lines(s, p.contentW()) {
		p.room(lh)
		p.f.SetX(pageMargin)
		p.f.CellFormat(p.contentW(), lh, l, "", 1, "L", false, 0, "")
	}
}

func (p *pdfWriter) header() {
	if p.d.Title != "" {
		p.font("B", 16)
		p.paragraph(p.d.Title, 7.5)
	}
	if p.d.Subtitle != "" {
		p.font("", 11)
		p.f.SetTextColor(70, 70, 70)
		p.paragraph(p.d.Subtitle, 6)
		p.f.SetTextColor(0, 0, 0)
	}
	p.f.Ln(4)
}

// checkpoint writes the checkpoint's fields in a shaded box.
func (p *pdfWriter) checkpoint() {
	const lh, pad = 4.8, 2.5
	x, w := pageMargin, p.contentW()
	keyW := 32.0
	p.font("B", 9)
	for _, kv := range checkpointFields(p.d) {
		keyW = max(keyW, p.f.GetStringWidth(bmp(kv[0]))+2*p.f.GetCellMargin()+1)
	}
	keyW = min(keyW, w/3)
	valW := w - 2*pad - keyW
	p.font("", 9)
	type field struct {
		key   string
		lines []string
	}
	var fields []field
	h := 2*pad + 6 // padding and the box's title
	for _, kv := range checkpointFields(p.d) {
		fl := field{kv[0], p.lines(kv[1], valW)}
		fields = append(fields, fl)
		h += float64(len(fl.lines)) * lh
	}
	p.room(h)
	y := p.f.GetY()
	p.f.SetFillColor(240, 240, 240)
	p.f.SetDrawColor(160, 160, 160)
	p.f.Rect(x, y, w, h, "FD")
	p.f.SetXY(x+pad, y+pad)
	p.font("B", 10)
	p.f.CellFormat(w-2*pad, 6, bmp(p.d.Labels.Checkpoint), "", 2, "L", false, 0, "")
	for _, fl := range fields {
		p.f.SetX(x + pad)
		p.font("B", 9)
		p.f.CellFormat(keyW, lh, bmp(fl.key), "", 0, "L", false, 0, "")
		p.font("", 9)
		for _, l := range fl.lines {
			p.f.SetX(x + pad + keyW)
			p.f.CellFormat(valW, lh, l, "", 2, "L", false, 0, "")
		}
	}
	p.f.SetXY(x, y+h+6)
}

// section writes a section's title and table, repeating the column headings
// on every page the table runs onto.
func (p *pdfWriter) section(s Section) {
	const titleH = 7.0
	n := len(s.Columns)
	// Wide enough for the longest word of a heading, if the page allows.
	vw := valueW
	p.font("B", 8)
	for _, c := range s.Columns {
		for _, word := range strings.Fields(bmp(c)) {
			vw = max(vw, p.f.GetStringWidth(word)+2*cellPad+2*p.f.GetCellMargin()+0.5)
		}
	}
	if float64(n)*vw > valuesMaxW {
		vw = valuesMaxW / float64(n)
	}
	widths := []float64{p.contentW() - float64(n)*vw}
	aligns := []string{"L"}
	for range n {
		widths = append(widths, vw)
		aligns = append(aligns, "R")
	}
	head := append([]string{""}, s.Columns...)

	// Keep the title with the headings and the first row.
	p.font("B", 12)
	title := p.lines(s.Title, p.contentW())
	need := float64(len(title))*titleH + 2
	if len(s.Rows) > 0 {
		p.font("B", 8)
		need += p.rowHeight(head, widths, 3.6)
		p.font("", 9)
		need += p.rowHeight(p.rowCells(s.Rows[0], n), widths, 4.4)
	} else {
		need += 6
	}
	p.room(need)
	p.font("B", 12)
	for _, l := range title {
		p.f.SetX(pageMargin)
		p.f.CellFormat(p.contentW(), titleH, l, "", 2, "L", false, 0, "")
	}
	p.f.Ln(1)

	if len(s.Rows) == 0 {
		empty := s.Empty
		if empty == "" {
			empty = "—"
		}
		p.font("", 9)
		p.f.SetTextColor(90, 90, 90)
		p.paragraph(empty, 5)
		p.f.SetTextColor(0, 0, 0)
		p.f.Ln(5)
		return
	}

	headings := func() {
		p.font("B", 8)
		p.f.SetTextColor(0, 0, 0)
		p.f.SetFillColor(225, 230, 238)
		p.row(head, widths, aligns, 3.6, true, nil)
	}
	headings()
	for _, r := range s.Rows {
		style := func() {
			if r.Highlight {
				p.font("B", 9)
				p.f.SetFillColor(253, 226, 226)
				p.f.SetTextColor(140, 0, 0)
			} else {
				p.font("", 9)
				p.f.SetTextColor(0, 0, 0)
			}
		}
		style()
		p.row(p.rowCells(r, n), widths, aligns, 4.4, r.Highlight, func() {
			headings()
			style()
		})
	}
	p.f.SetTextColor(0, 0, 0)
	p.f.Ln(6)
}

func (p *pdfWriter) rowCells(r Row, n int) []string {
	label := r.Label
	if r.Highlight {
		label = "! " + label
	}
	cells := []string{label}
	for i := range n {
		cells = append(cells, r.value(i))
	}
	return cells
}

func (p *pdfWriter) rowHeight(cells []string, widths []float64, lh float64) float64 {
	most := 1
	for i, c := range cells {
		most = max(most, len(p.lines(c, widths[i]-2*cellPad)))
	}
	return float64(most)*lh + 2*cellPad
}

// row writes one table row of cells in the current font, wrapping each cell
// within its width. If the row does not fit on the page, it starts a new
// page and calls onNewPage before writing the row.
func (p *pdfWriter) row(cells []string, widths []float64, aligns []string, lh float64, fill bool, onNewPage func()) {
	h := p.rowHeight(cells, widths, lh)
	if p.room(h) && onNewPage != nil {
		onNewPage()
	}
	style := "D"
	if fill {
		style = "FD"
	}
	p.f.SetDrawColor(180, 180, 180)
	x, y := pageMargin, p.f.GetY()
	for i, c := range cells {
		p.f.Rect(x, y, widths[i], h, style)
		for j, l := range p.lines(c, widths[i]-2*cellPad) {
			p.f.SetXY(x+cellPad, y+cellPad+float64(j)*lh)
			p.f.CellFormat(widths[i]-2*cellPad, lh, l, "", 0, aligns[i], false, 0, "")
		}
		x += widths[i]
	}
	p.f.SetXY(pageMargin, y+h)
}

func (p *pdfWriter) notes() {
	if len(p.d.Notes) == 0 {
		return
	}
	p.f.Ln(2)
	p.font("", 8.5)
	p.f.SetTextColor(70, 70, 70)
	for _, n := range p.d.Notes {
		p.paragraph(n, 4.4)
		p.f.Ln(1.5)
	}
	p.f.SetTextColor(0, 0, 0)
}

// footer writes, on every page, the checkpoint the figures belong to and
// the page number.
func (p *pdfWriter) footer() {
	_, ph := p.f.GetPageSize()
	w := p.contentW()
	p.f.SetXY(pageMargin, ph-pageMargin-4)
	p.font("", 7.5)
	p.f.SetTextColor(90, 90, 90)
	page := bmp(p.d.Labels.Page) + " " + strconv.Itoa(p.f.PageNo()) + " / " + nbAlias
	pw := p.f.GetStringWidth(page) + 2
	cp := p.d.Checkpoint
	where := bmp(strings.TrimSpace(p.d.Labels.Checkpoint + ": " + cp.Origin + " @ " + number(cp.Size)))
	if l := p.lines(where, w-pw-2); len(l) > 0 {
		where = l[0]
	}
	p.f.CellFormat(w-pw, 4, where, "", 0, "L", false, 0, "")
	p.f.CellFormat(pw, 4, page, "", 0, "R", false, 0, "")
	p.f.SetTextColor(0, 0, 0)
}
