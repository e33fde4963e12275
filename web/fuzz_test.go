package web

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"tally"
	"tally/report"
)

// withText returns the fixtures with s in every place a user or a file
// puts text: file names, cells, names, details, labels, the path.
func withText(s string) map[string]any {
	fx := fixtures()
	h := header("UA")
	h.User, h.PartyName, h.Path = s, s, "/import?q="+s
	h.Agreement.Title = s
	h.Flash = []Flash{{Kind: "ok", ID: "flash.imported", Data: map[string]any{"List": s, "Version": s}, Count: intp(2)}}

	imp := fx["import"].(ImportPage)
	imp.Header = h
	p := *imp.Preview
	p.File, p.Unknown = s, []string{s}
	p.Rows = []PreviewRow{{Line: 2, Ref: s, Cells: []string{s, s, s, s, s, s},
		Problems: []tally.Problem{{Line: 2, Ref: s, Code: tally.ProblemCode(s), Field: s, Category: s, Detail: s}},
		Notes:    []tally.Note{{Line: 2, Ref: s, Field: s, Detail: s}}}}
	p.Problems = p.Rows[0].Problems
	imp.Preview = &p
	imp.Categories = []CategoryOption{{ID: s, Title: s}}
	imp.Progress = &Progress{ID: s, Task: "import", URL: "/p/" + s, Failed: s}

	m := fx["match"].(MatchReviewPage)
	m.Header = h
	m.Left.List = s
	m.Pairs[0].LeftRow["surname"], m.Pairs[0].RightRow["surname"] = s, s
	m.Pairs[0].LeftRef, m.Pairs[1].By = s, s

	rv := fx["review"].(ReviewPage)
	rv.Header = h
	rv.Lists[0].List = s
	a := *rv.Answer
	a.Rows = []AnswerRow{{Ref: s, Name: s, Category: s}, {Ref: s + "2", Name: s, Answered: true, Objection: "other", Text: s}}
	rv.Answer = &a

	rp := fx["report"].(ReportPage)
	rp.Header = h
	rp.Document = report.Document{Title: s, Subtitle: s, Checkpoint: report.Checkpoint{Origin: s, RootHash: s, Cosigners: []string{s}},
		Sections: []report.Section{{Title: s, Columns: []string{s, s}, Rows: []report.Row{{Label: s, Values: []int64{1, 2}}}}, {Title: s, Empty: s}},
		Notes:    []string{s}}

	ho := fx["handover"].(RoundsPage)
	ho.Header = h
	ho.Handover.Persons[0].Name, ho.Handover.Persons[1].Name = s, s

	e := fx["error"].(ErrorPage)
	e.Header = h
	e.File, e.Key, e.Message, e.Hint = s, s, s, s

	return map[string]any{"import": imp, "match": m, "review": rv, "report": rp, "handover": ho, "error": e}
}

// shape returns the element start tags of a page, in order, and fails if
// any text is not escaped.
func shape(t *testing.T, out []byte) []string {
	t.Helper()
	var tags []string
	z := html.NewTokenizer(bytes.NewReader(out))
	inNoscript := false
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			if !errors.Is(z.Err(), io.EOF) {
				t.Fatal(z.Err())
			}
			return tags
		case html.TextToken:
			if inNoscript {
				// The tokenizer reads <noscript> as raw text, as a browser
				// with scripting does; without scripting it is markup:
				// check it as such.
				tags = append(tags, shape(t, bytes.Clone(z.Raw()))...)
				continue
			}
			if bytes.ContainsRune(z.Raw(), '<') {
				t.Fatalf("raw < in text %q", z.Raw())
			}
		case html.StartTagToken, html.SelfClosingTagToken:
			name, _ := z.TagName()
			tags = append(tags, string(name))
			inNoscript = string(name) == "noscript"
		case html.EndTagToken:
			inNoscript = false
		}
	}
}

// FuzzRender renders pages with any text where users and files put text
// and checks that escaping holds: the same elements as with a plain word,
// and no raw < in any text.
func FuzzRender(f *testing.F) {
	for _, s := range []string{
		"Олійник Олександр Миколайович", "ОЛЕЙНИК", "Yılmaz Ğüşiöç", "👩‍👧 family", "<script>alert(1)</script>",
		"</bdi></td></tr></table>", `"'><img src=x onerror=alert(1)>`, "\xff\xfe\xc3", "{{.Count}}", "{{template \"x\"}}",
		"\u202eevil\u202c", "&amp;&lt;", "javascript:alert(1)", "//evil.example/", "a\x00b", "\r\n\t",
		"]]><!--", "<![CDATA[x]]>", "%s%d", "<svg onload=alert(1)>",
	} {
		f.Add(s, uint8(0))
	}
	r := newRenderer(f)
	f.Fuzz(func(t *testing.T, s string, li uint8) {
		if s == "" {
			return // empty text leaves parts out: nothing to compare
		}
		lang := Languages()[int(li)%len(Languages())]
		base := withText("x")
		for name, data := range withText(s) {
			var got, want bytes.Buffer
			if err := r.Render(&got, pageOf(name), lang, data); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if err := r.Render(&want, pageOf(name), lang, base[name]); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			g, w := shape(t, got.Bytes()), shape(t, want.Bytes())
			if strings.Join(g, " ") != strings.Join(w, " ") {
				t.Fatalf("%s: the text changed the page's elements:\n got %v\nwant %v", name, g, w)
			}
		}
	})
}
