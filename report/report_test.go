package report

import (
	"bytes"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// sample is a report with Ukrainian, Russian and Turkish text, figures
// above a thousand, a highlighted row, a short row and an empty section.
func sample() Document {
	cols := []string{"запитано", "підтверджено", "передано", "отримання підтверджено"}
	return Document{
		Title:    "Стамбул, 2 червня 2025 — гуманітарні умови",
		Subtitle: "Публічний звіт — лише кількість",
		Lang:     "uk",
		Checkpoint: Checkpoint{
			Origin:    "tally.example/exchange/istanbul-2025",
			Size:      48213,
			RootHash:  "m3Lq3pTqJ8rR1m0u2b6Yy1S4kH9gC7fXwV0nZtA5eQk=",
			Time:      time.Date(2025, 6, 9, 14, 30, 0, 0, time.FixedZone("TRT", 3*3600)),
			Cosigners: []string{"Україна", "Российская Федерация", "Türkiye"},
		},
		Sections: []Section{
			{
				Title:   "Військовополонені: Україна → Российская Федерация",
				Columns: cols,
				Rows: []Row{
					{Label: "Поранені та хворі", Values: []int64{1212, 1200, 1200, 1198}},
					{Label: "Молодше 25 років", Values: []int64{640, 640, 612, 612}},
				},
			},
			{
				Title:   "Военнопленные: Российская Федерация → Україна",
				Columns: cols,
				Rows: []Row{
					{Label: "Раненые и больные", Values: []int64{1212, 1200, 1200, 1200}},
					{Label: "Iğdır, Şırnak ve İstanbul (Türkiye aracılığıyla)", Values: []int64{7, 7}},
				},
			},
			{
				Title:   "Діти / Çocuklar",
				Columns: []string{"у списку", "повернуто"},
				Rows:    []Row{{Label: "Усього", Values: []int64{339, 21}}},
			},
			{
				Title:   "Відкриті розбіжності",
				Columns: []string{"кількість"},
				Rows:    []Row{{Label: "Передано, але не підтверджено", Values: []int64{12}, Highlight: true}},
			},
			{
				Title: "Останки: ідентифіковано",
				Empty: "Ще немає даних.",
			},
		},
		Notes: []string{
			"Кожне число обчислено на контрольній точці вище; перевірте його за журналом цього розміру.",
		},
		Labels: Labels{
			Checkpoint: "Контрольна точка",
			Origin:     "Журнал",
			Size:       "Розмір",
			RootHash:   "Корінь",
			Time:       "Час",
			Cosigners:  "Підписали",
			Highlight:  "потребує уваги",
			Page:       "Сторінка",
		},
	}
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to write it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the output; run go test -update and review the diff\n--- got:\n%s", path, got)
	}
}

func TestTextGolden(t *testing.T) {
	var b bytes.Buffer
	if err := Text(&b, sample()); err != nil {
		t.Fatal(err)
	}
	golden(t, "sample.txt", b.Bytes())
}

func TestHTMLGolden(t *testing.T) {
	var b bytes.Buffer
	if err := HTML(&b, sample()); err != nil {
		t.Fatal(err)
	}
	golden(t, "sample.html", b.Bytes())
}

// TestTextAligned checks that the headings and figures of a section end
// in the same terminal column, whatever the script of the labels.
func TestTextAligned(t *testing.T) {
	var b bytes.Buffer
	if err := Text(&b, sample()); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(b.String(), "\n")
	var ends []int
	for _, l := range lines {
		if strings.Contains(l, "підтверджено") && len(ends) == 0 ||
			strings.Contains(l, "Поранені та хворі") || strings.Contains(l, "Молодше 25 років") {
			ends = append(ends, cells(l))
		}
	}
	if len(ends) != 3 || ends[0] != ends[1] || ends[1] != ends[2] {
		t.Errorf("heading and rows end at cells %v, want three equal", ends)
	}
}

func TestCells(t *testing.T) {
	for _, tc := range []struct {
		s    string
		want int
	}{
		{"", 0},
		{"abc", 3},
		{"Україна", 7},
		{"İığş", 4},
		{"и\u0306", 1},  // и + combining breve
		{"日本", 4},       // wide
		{"a\u200db", 2}, // zero-width joiner
	} {
		if got := cells(tc.s); got != tc.want {
			t.Errorf("cells(%q) = %d, want %d", tc.s, got, tc.want)
		}
	}
}

func TestClean(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Україна", "Україна"},
		{" a\nb\tc\x1b[31m ", "a b c [31m"},
		{"\xff\xfeok", "\uFFFD\uFFFDok"},
		{"12\u202e34", "12\uFFFD34"},
		{"a\u2028b", "a b"},
		{"🇺🇦", "🇺🇦"},
	} {
		if got := clean(tc.in); got != tc.want {
			t.Errorf("clean(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if got := bmp("a😀b\uFFFF"); got != "a\uFFFDb\uFFFD" {
		t.Errorf("bmp = %q", got)
	}
}

func TestLang(t *testing.T) {
	for in, want := range map[string]string{"": "en", "uk": "uk", "tr-TR": "tr-TR", `en" onload="x`: "en", "-": "en"} {
		if got := lang(in); got != want {
			t.Errorf("lang(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestHTMLStructure parses the page back and checks the language, the
// tables' captions, headers and figures, and that nothing is fetched.
func TestHTMLStructure(t *testing.T) {
	var b bytes.Buffer
	if err := HTML(&b, sample()); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"http:", "https:", "//"} {
		if strings.Contains(b.String(), s) {
			t.Errorf("the page contains %q", s)
		}
	}
	root, err := html.Parse(&b)
	if err != nil {
		t.Fatal(err)
	}
	var (
		lang     string
		captions []string
		tables   [][][]string // table → row → cell texts (th and td)
		scopes   = map[string]int{}
	)
	for n := range root.Descendants() {
		if n.Type != html.ElementNode {
			continue
		}
		for _, a := range n.Attr {
			if n.DataAtom == atom.Html && a.Key == "lang" {
				lang = a.Val
			}
			switch a.Key {
			case "src", "href", "xlink:href", "srcset", "action", "data", "poster":
				t.Errorf("<%s %s=%q>: the page must not reference anything", n.Data, a.Key, a.Val)
			}
			if strings.Contains(a.Val, "url(") {
				t.Errorf("<%s %s=%q>: the page must not reference anything", n.Data, a.Key, a.Val)
			}
		}
		switch n.DataAtom {
		case atom.Script, atom.Link, atom.Img, atom.Iframe, atom.Object, atom.Embed:
			t.Errorf("unexpected <%s>", n.Data)
		case atom.Style:
			css := text(n)
			if strings.Contains(css, "url(") || strings.Contains(css, "@import") {
				t.Errorf("the style sheet references something: %s", css)
			}
		case atom.Caption:
			captions = append(captions, text(n))
		case atom.Th:
			for _, a := range n.Attr {
				if a.Key == "scope" {
					scopes[a.Val]++
				}
			}
		case atom.Table:
			var rows [][]string
			for tr := range n.Descendants() {
				if tr.DataAtom != atom.Tr {
					continue
				}
				var cellTexts []string
				for c := tr.FirstChild; c != nil; c = c.NextSibling {
					if c.DataAtom == atom.Td || c.DataAtom == atom.Th {
						cellTexts = append(cellTexts, text(c))
					}
				}
				rows = append(rows, cellTexts)
			}
			tables = append(tables, rows)
		}
	}
	if lang != "uk" {
		t.Errorf("lang = %q, want uk", lang)
	}
	d := sample()
	wantCaptions := []string{d.Sections[0].Title, d.Sections[1].Title, d.Sections[2].Title, d.Sections[3].Title}
	if strings.Join(captions, "|") != strings.Join(wantCaptions, "|") {
		t.Errorf("captions = %q, want %q", captions, wantCaptions)
	}
	if scopes["col"] == 0 || scopes["row"] == 0 {
		t.Errorf("th scopes = %v, want both col and row", scopes)
	}
	if len(tables) != 4 {
		t.Fatalf("%d tables, want 4", len(tables))
	}
	want := [][]string{
		{"", "запитано", "підтверджено", "передано", "отримання підтверджено"},
		{"Поранені та хворі", "1212", "1200", "1200", "1198"},
		{"Молодше 25 років", "640", "640", "612", "612"},
	}
	if got := tables[0]; !equalRows(got, want) {
		t.Errorf("first table = %q, want %q", got, want)
	}
	if got := tables[1][2]; strings.Join(got, "|") != "Iğdır, Şırnak ve İstanbul (Türkiye aracılığıyla)|7|7||" {
		t.Errorf("short row = %q, want its last two cells empty", got)
	}
	if got := tables[3][1]; got[0] != "Передано, але не підтверджено (потребує уваги)" || got[1] != "12" {
		t.Errorf("highlighted row = %q", got)
	}
}

func equalRows(a, b [][]string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if strings.Join(a[i], "\x00") != strings.Join(b[i], "\x00") {
			return false
		}
	}
	return true
}

// text returns the text inside n, spaces collapsed.
func text(n *html.Node) string {
	var b strings.Builder
	for c := range n.Descendants() {
		if c.Type == html.TextNode {
			b.WriteString(c.Data)
		}
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

// TestHTMLEscapes checks that text in the document cannot become markup.
func TestHTMLEscapes(t *testing.T) {
	d := Document{
		Title:    `<script>alert(1)</script>`,
		Lang:     `uk" onload="alert(1)`,
		Sections: []Section{{Title: `<img src=x>`, Columns: []string{`"><b>`}, Rows: []Row{{Label: `</table>`, Values: []int64{1}}}}},
	}
	var b bytes.Buffer
	if err := HTML(&b, d); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"<script", "<img", "<b>", "onload", "</table>\n"} {
		if strings.Contains(b.String(), bad) && !strings.Contains(bad, "table") {
			t.Errorf("page contains %q:\n%s", bad, b.String())
		}
	}
	if strings.Count(b.String(), "</table>") != 1 {
		t.Errorf("label closed the table:\n%s", b.String())
	}
}

func TestPDF(t *testing.T) {
	var b bytes.Buffer
	if err := PDF(&b, sample()); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b.Bytes(), []byte("%PDF-")) {
		t.Fatalf("output starts with %q, want %%PDF-", b.Bytes()[:min(8, b.Len())])
	}
	t.Logf("sample PDF: %d bytes", b.Len())
	if b.Len() > 200_000 {
		t.Errorf("sample PDF is %d bytes; are the fonts subset?", b.Len())
	}

	// The same document gives the same bytes.
	var again bytes.Buffer
	if err := PDF(&again, sample()); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b.Bytes(), again.Bytes()) {
		t.Error("two PDFs of the same document differ")
	}

	pdftotext, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Skip("pdftotext not found (Debian: apt-get install poppler-utils); the PDF's text is not checked")
	}
	path := filepath.Join(t.TempDir(), "sample.pdf")
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(pdftotext, "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	got := string(out)
	for _, want := range []string{"Стамбул, 2 червня 2025", "1212", "1200", "Iğdır, Şırnak ve İstanbul", "Сторінка 1 / 1"} {
		if !strings.Contains(got, want) {
			t.Errorf("the PDF's text lacks %q:\n%s", want, got)
		}
	}
}

// TestPDFPages checks a report long enough to run over several pages.
func TestPDFPages(t *testing.T) {
	d := sample()
	var rows []Row
	for i := range 200 {
		rows = append(rows, Row{Label: strings.Repeat("Довга назва категорії ", i%5+1), Values: []int64{int64(i), 1212}, Highlight: i%17 == 0})
	}
	d.Sections = append(d.Sections, Section{Title: "Багато рядків", Columns: []string{"a", "b"}, Rows: rows})
	var b bytes.Buffer
	if err := PDF(&b, d); err != nil {
		t.Fatal(err)
	}
	if n := bytes.Count(b.Bytes(), []byte("/Type /Page\n")); n < 3 {
		t.Errorf("%d pages, want several", n)
	}
}

func FuzzRender(f *testing.F) {
	f.Add("Стамбул, 2 червня 2025", "Україна", "İığş", int64(1212))
	f.Add("\xff\xfe\x00", "😀🇺🇦𝕏", "\u202e\u2066", int64(-1))
	f.Add("", "", "\uFFFF\uFFFE\U0010FFFF", int64(0))
	f.Add(strings.Repeat("Довго", 200), "日本語\t\n\r", "{nb}", int64(1<<62))
	f.Fuzz(func(t *testing.T, title, label, column string, v int64) {
		d := Document{
			Title:    title,
			Subtitle: label,
			Lang:     column,
			Checkpoint: Checkpoint{
				Origin: title, RootHash: label, Size: v, Cosigners: []string{column, label},
			},
			Sections: []Section{
				{Title: title, Columns: []string{column, label}, Rows: []Row{
					{Label: label, Values: []int64{v, -v}, Highlight: v%2 == 0},
					{Label: title + column, Values: []int64{v, v, v}},
				}},
				{Title: column, Empty: label},
			},
			Notes:  []string{title, label + column},
			Labels: Labels{Checkpoint: column, Page: label},
		}
		var b bytes.Buffer
		if err := Text(&b, d); err != nil {
			t.Errorf("Text: %v", err)
		}
		b.Reset()
		if err := HTML(&b, d); err != nil {
			t.Errorf("HTML: %v", err)
		}
		b.Reset()
		if err := PDF(&b, d); err != nil {
			t.Errorf("PDF: %v", err)
		}
	})
}
