package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func newRenderer(t testing.TB) *Renderer {
	t.Helper()
	r, err := New()
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func render(t testing.TB, r *Renderer, page, lang string, data any) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := r.Render(&buf, page, lang, data); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// messageIDs returns every message id of the English locale.
func messageIDs(t testing.TB) map[string]bool {
	t.Helper()
	buf, err := fs.ReadFile(localeFS, "locales/en.json")
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(buf, &m); err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for id := range m {
		ids[id] = true
	}
	return ids
}

// prefixes are the first parts of the message ids: a word in the page that
// starts with one of them followed by a dot is a message id that leaked.
func leakPattern(ids map[string]bool) *regexp.Regexp {
	seen := map[string]bool{}
	var ps []string
	for id := range ids {
		p, _, _ := strings.Cut(id, ".")
		if !seen[p] && p != "app" {
			seen[p] = true
			ps = append(ps, regexp.QuoteMeta(p))
		}
	}
	slices.Sort(ps)
	return regexp.MustCompile(`(^|[^\w/])(` + strings.Join(ps, "|") + `)\.[a-z][\w.-]*`)
}

func attr(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

func walk(n *html.Node, f func(*html.Node)) {
	f(n)
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		walk(c, f)
	}
}

// checkPage checks one rendered page: what the brief of the web interface
// asks of every page.
func checkPage(t *testing.T, out []byte, lang string, full bool, leak *regexp.Regexp) {
	t.Helper()
	var doc *html.Node
	var err error
	if full {
		doc, err = html.Parse(bytes.NewReader(out))
	} else {
		var nodes []*html.Node
		nodes, err = html.ParseFragment(bytes.NewReader(out), &html.Node{Type: html.ElementNode, Data: "body", DataAtom: atom.Body})
		doc = &html.Node{Type: html.DocumentNode}
		for _, n := range nodes {
			doc.AppendChild(n)
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	labelled := map[string]bool{} // ids named by a <label for>
	ids := map[string]int{}
	var controls []*html.Node
	walk(doc, func(n *html.Node) {
		if n.Type == html.TextNode {
			if m := leak.FindString(n.Data); m != "" {
				t.Errorf("message id %q shown as text", strings.TrimSpace(m))
			}
			return
		}
		if n.Type != html.ElementNode {
			return
		}
		if id, ok := attr(n, "id"); ok {
			ids[id]++
		}
		for _, a := range n.Attr {
			switch a.Key {
			case "src", "href", "action", "hx-get", "hx-post", "formaction":
				v := strings.ToLower(strings.TrimSpace(a.Val))
				if strings.HasPrefix(v, "http:") || strings.HasPrefix(v, "https:") || strings.HasPrefix(v, "//") || strings.Contains(v, "javascript:") {
					t.Errorf("<%s %s=%q> leads outside the server", n.Data, a.Key, a.Val)
				}
			case "aria-label", "title", "placeholder", "alt":
				if m := leak.FindString(a.Val); m != "" {
					t.Errorf("message id %q in <%s %s>", m, n.Data, a.Key)
				}
			}
		}
		switch n.DataAtom {
		case atom.Html:
			if got, _ := attr(n, "lang"); got != lang {
				t.Errorf("<html lang=%q>, want %q", got, lang)
			}
			if got, _ := attr(n, "dir"); got != "ltr" {
				t.Errorf("<html dir=%q>, want ltr", got)
			}
		case atom.Label:
			if f, ok := attr(n, "for"); ok {
				labelled[f] = true
			}
		case atom.Input, atom.Select, atom.Textarea:
			typ, _ := attr(n, "type")
			if typ == "hidden" || typ == "submit" || typ == "button" {
				return
			}
			controls = append(controls, n)
		case atom.Table:
			if c := n.FirstChild; c == nil || !hasChild(n, atom.Caption) {
				t.Errorf("a table has no caption")
			}
		case atom.Th:
			if s, _ := attr(n, "scope"); s != "col" && s != "row" {
				t.Errorf("<th> %q has no scope", text(n))
			}
		case atom.Img:
			if _, ok := attr(n, "alt"); !ok {
				t.Errorf("<img> without alt")
			}
		case atom.Button:
			if strings.TrimSpace(text(n)) == "" {
				t.Errorf("a button has no text")
			}
		case atom.Svg:
			if r, _ := attr(n, "role"); r != "img" {
				t.Errorf("an inline chart has no role=img")
			}
		}
	})
	for _, c := range controls {
		id, _ := attr(c, "id")
		_, aria := attr(c, "aria-label")
		_, ariaBy := attr(c, "aria-labelledby")
		if !(id != "" && labelled[id]) && !aria && !ariaBy && !insideLabel(c) {
			t.Errorf("<%s name=%q> has no label", c.Data, func() string { v, _ := attr(c, "name"); return v }())
		}
	}
	for id, n := range ids {
		if n > 1 {
			t.Errorf("id %q is used %d times", id, n)
		}
	}
	if full {
		// The layout's landmarks and skip link.
		for _, want := range []string{`<main id="main"`, `class="skip" href="#main"`, `<header`, `<footer`} {
			if !bytes.Contains(out, []byte(want)) {
				t.Errorf("the page lacks %s", want)
			}
		}
	}
}

func hasChild(n *html.Node, a atom.Atom) bool {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode && c.DataAtom == a {
			return true
		}
	}
	return false
}

func insideLabel(n *html.Node) bool {
	for p := n.Parent; p != nil; p = p.Parent {
		if p.DataAtom == atom.Label {
			return true
		}
	}
	return false
}

func text(n *html.Node) string {
	var b strings.Builder
	walk(n, func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
	})
	return b.String()
}

// TestRender renders every page and fragment in every language.
func TestRender(t *testing.T) {
	r := newRenderer(t)
	leak := leakPattern(messageIDs(t))
	fx := fixtures()
	names := slices.Sorted(func(yield func(string) bool) {
		for k := range fx {
			if !yield(k) {
				return
			}
		}
	})
	for _, p := range Pages() {
		if fx[p] == nil {
			t.Errorf("page %s has no fixture", p)
		}
	}
	for _, name := range names {
		for _, lang := range Languages() {
			t.Run(name+"/"+lang, func(t *testing.T) {
				out := render(t, r, pageOf(name), lang, fx[name])
				checkPage(t, out, lang, true, leak)
				// A pointer to the view model renders the same.
				ptr := render(t, r, pageOf(name), lang, pointerTo(fx[name]))
				if !bytes.Equal(out, ptr) {
					t.Errorf("rendering a pointer to the view model differs")
				}
			})
		}
	}
	for name, data := range fragmentFixtures() {
		for _, lang := range Languages() {
			t.Run("fragment/"+name+"/"+lang, func(t *testing.T) {
				out := render(t, r, name, lang, data)
				if bytes.Contains(out, []byte("<html")) {
					t.Errorf("a fragment renders the layout")
				}
				checkPage(t, out, lang, false, leak)
			})
		}
	}
}

func pointerTo(v any) any {
	switch v := v.(type) {
	case LoginPage:
		return &v
	case ErrorPage:
		return &v
	case AgreementsPage:
		return &v
	case ImportPage:
		return &v
	case MatchReviewPage:
		return &v
	case ReviewPage:
		return &v
	case RoundsPage:
		return &v
	case RemainsPage:
		return &v
	case ChildrenPage:
		return &v
	case LogPage:
		return &v
	case ReportPage:
		return &v
	case SecurityKeysPage:
		return &v
	case SecurityKeyPage:
		return &v
	case AdminPage:
		return &v
	}
	panic(fmt.Sprintf("no pointer for %T", v))
}

// TestRenderSpecifics checks what particular pages promise.
func TestRenderSpecifics(t *testing.T) {
	r := newRenderer(t)
	fx := fixtures()
	tests := []struct {
		name, page, lang string
		data             any
		want             []string
		not              []string
	}{
		{"progress polls every second", "progress", "en", Progress{ID: "p", Task: "match", URL: "/match/progress/p", Done: 3, Total: 4},
			[]string{`hx-get="/match/progress/p"`, `hx-trigger="every 1s"`, `role="status"`, `aria-live="polite"`, `3 of 4 (75%)`}, nil},
		{"a finished task stops polling", "progress", "uk", Progress{ID: "p", Task: "import", URL: "/x", Finished: true, Next: "/review"},
			[]string{"Готово.", `href="/review"`}, []string{"hx-trigger"}},
		{"a failed task says so", "progress", "ru", Progress{ID: "p", Task: "import", URL: "/x", Failed: "disk full"},
			[]string{"Ничего не сохранено", `lang="en"`, "disk full"}, nil},
		{"the import preview names the line and what to do", "import", "uk", fx["import"],
			[]string{"Дату неможливо прочитати", "Рядок 3, запис UA-0002.", "Запишіть дату як день.місяць.рік", "Зберегти 1000 рядків", `hx-trigger="every 1s"`, "Показано рядків: 3 з 1000"}, nil},
		{"the pair swaps itself in place", "match", "en", fx["match"],
			[]string{`action="/match/decide" class="decide" data-sign`, "day and month swapped", "the same name in another form", "accepted: O. Petrenko, 2025-06-07 16:05 UTC"}, nil},
		{"whose move", "review", "ru", fx["review"],
			[]string{"ждёт RU с 2025-06-05", "согласовано с 2025-06-07", "(ваш ход)", "Ваши ответы на 22 строки списка ua-request подписаны и отправлены."}, nil},
		{"the handover point", "rounds", "tr", fx["handover"],
			[]string{`class="big"`, "Teslim alındı, kimlik doğrulandı", "Teslim et: Смирнов Алексей", `action="/rounds/ack" data-sign`}, []string{"Tur planla"}},
		{"only the mediator plans rounds", "rounds", "en", fx["rounds"],
			[]string{"Plan a round", "approved by UA only", "1 person delivered off the manifests"}, nil},
		{"the report draws its charts in SVG", "report", "en", fx["report"],
			[]string{`<svg role="img"`, "<rect", "(needs attention)", "No case yet.", `<td class="num">1212</td>`}, []string{"<script>"}},
		{"remains keep both figures", "remains", "uk", fx["remains"],
			[]string{"1212 тіл", "1200 тіл", "— кількості різняться", "Обидві цифри й обидва підписи зберігаються"}, nil},
		{"an error says what, where, what to do", "error", "tr", fx["error"],
			[]string{"Bu haliyle kabul edilemez", "dosya ua-request.csv", "satır 17", "alan birth_date", "Ne yapmalı:"}, nil},
		{"the signed-in side is shown", "log", "en", fx["log"],
			[]string{"mediator TR (Türkiye)", "Ayşe Yılmaz", "The log does NOT verify.", "First failure at entry 17.", "1200 rows done so far"}, nil},
		{"the language switcher keeps the page", "review", "en", fx["review"],
			[]string{`href="/review?lang=uk&amp;list=ua-request"`, `hreflang="tr"`, `lang="uk"`, "Українська", "Türkçe"}, nil},
		{"every form carries the CSRF token", "children", "en", fx["children"],
			[]string{`name="csrf" value="tok3n"`}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := string(render(t, r, tt.page, tt.lang, tt.data))
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("the output lacks %q", w)
				}
			}
			for _, w := range tt.not {
				if strings.Contains(out, w) {
					t.Errorf("the output has %q", w)
				}
			}
		})
	}
}

// TestEveryFormHasCSRF checks that every POST form of every page carries
// the token.
func TestEveryFormHasCSRF(t *testing.T) {
	r := newRenderer(t)
	for name, data := range fixtures() {
		out := render(t, r, pageOf(name), "en", data)
		doc, err := html.Parse(bytes.NewReader(out))
		if err != nil {
			t.Fatal(err)
		}
		walk(doc, func(n *html.Node) {
			if n.DataAtom != atom.Form {
				return
			}
			if m, _ := attr(n, "method"); m != "post" {
				return
			}
			found := false
			walk(n, func(c *html.Node) {
				if v, _ := attr(c, "name"); c.DataAtom == atom.Input && v == "csrf" {
					found = true
				}
			})
			if !found {
				a, _ := attr(n, "action")
				t.Errorf("%s: the form posting to %s has no csrf field", name, a)
			}
		})
	}
}

func TestRenderErrors(t *testing.T) {
	r := newRenderer(t)
	var buf bytes.Buffer
	if err := r.Render(&buf, "nosuch", "en", nil); err == nil {
		t.Error("an unknown page rendered")
	}
	// A view model of the wrong type fails and writes nothing.
	if err := r.Render(&buf, "import", "en", LoginPage{}); err == nil {
		t.Error("the import page rendered a login view model")
	}
	if buf.Len() != 0 {
		t.Errorf("a failed render wrote %d bytes", buf.Len())
	}
	// An unknown language renders in English.
	out := render(t, r, "login", "xx", fixtures()["login"])
	if !bytes.Contains(out, []byte(`<html lang="en"`)) {
		t.Error("an unknown language did not fall back to English")
	}
}

// TestPlurals checks the CLDR plural forms.
func TestPlurals(t *testing.T) {
	loc, err := loadLocales()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]map[int]string{
		"uk": {0: "0 рядків", 1: "1 рядок", 2: "2 рядки", 4: "4 рядки", 5: "5 рядків", 11: "11 рядків", 12: "12 рядків", 14: "14 рядків", 21: "21 рядок", 22: "22 рядки", 25: "25 рядків", 101: "101 рядок", 111: "111 рядків", 1000: "1000 рядків"},
		"ru": {0: "0 строк", 1: "1 строка", 2: "2 строки", 4: "4 строки", 5: "5 строк", 11: "11 строк", 12: "12 строк", 14: "14 строк", 21: "21 строка", 22: "22 строки", 25: "25 строк", 101: "101 строка", 111: "111 строк", 1000: "1000 строк"},
		"en": {0: "0 rows", 1: "1 row", 2: "2 rows", 5: "5 rows", 11: "11 rows", 21: "21 rows", 22: "22 rows"},
		"tr": {0: "0 satır", 1: "1 satır", 2: "2 satır", 5: "5 satır", 11: "11 satır", 21: "21 satır", 22: "22 satır"},
	}
	for lang, cases := range want {
		l := loc.localizer(lang)
		for n, w := range cases {
			got, err := l.n("count.rows", n)
			if err != nil {
				t.Fatal(err)
			}
			if got != w {
				t.Errorf("%s %d: got %q, want %q", lang, n, got, w)
			}
		}
	}
	// Other nouns, in the uk and ru forms that differ the most.
	more := []struct {
		lang, id string
		n        int
		want     string
	}{
		{"uk", "count.persons", 1, "1 особа"}, {"uk", "count.persons", 3, "3 особи"}, {"uk", "count.persons", 11, "11 осіб"},
		{"uk", "count.remains", 1212, "1212 тіл"}, {"uk", "count.remains", 1201, "1201 тіло"}, {"uk", "count.remains", 1202, "1202 тіла"},
		{"ru", "count.persons", 1, "1 человек"}, {"ru", "count.persons", 2, "2 человека"}, {"ru", "count.persons", 5, "5 человек"},
		{"ru", "count.entries", 21, "21 запись"}, {"ru", "count.entries", 22, "22 записи"}, {"ru", "count.entries", 25, "25 записей"},
		{"en", "count.entries", 1, "1 entry"}, {"en", "count.entries", 2, "2 entries"},
	}
	for _, m := range more {
		got, err := loc.localizer(m.lang).n(m.id, m.n)
		if err != nil {
			t.Fatal(err)
		}
		if got != m.want {
			t.Errorf("%s %s %d: got %q, want %q", m.lang, m.id, m.n, got, m.want)
		}
	}
}

// TestLocales checks that every language has every message, each plural
// message every form its language needs, and that the placeholders agree.
func TestLocales(t *testing.T) {
	forms := map[string][]string{"uk": {"few", "many", "one", "other"}, "ru": {"few", "many", "one", "other"},
		"en": {"one", "other"}, "tr": {"one", "other"}}
	placeholder := regexp.MustCompile(`\{\{\.(\w+)\}\}`)
	files := map[string]map[string]any{}
	for _, lang := range Languages() {
		buf, err := fs.ReadFile(localeFS, "locales/"+lang+".json")
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(buf, &m); err != nil {
			t.Fatalf("%s: %v", lang, err)
		}
		files[lang] = m
	}
	holders := func(v any) []string {
		var s []string
		switch v := v.(type) {
		case string:
			for _, m := range placeholder.FindAllStringSubmatch(v, -1) {
				s = append(s, m[1])
			}
		case map[string]any:
			for _, f := range v {
				for _, m := range placeholder.FindAllStringSubmatch(f.(string), -1) {
					s = append(s, m[1])
				}
			}
		}
		slices.Sort(s)
		return slices.Compact(s)
	}
	en := files["en"]
	for lang, m := range files {
		for id := range en {
			if _, ok := m[id]; !ok {
				t.Errorf("%s lacks %s", lang, id)
			}
		}
		for id, v := range m {
			if _, ok := en[id]; !ok {
				t.Errorf("%s has %s, which English does not", lang, id)
			}
			if p, ok := v.(map[string]any); ok {
				got := slices.Sorted(func(yield func(string) bool) {
					for k := range p {
						if !yield(k) {
							return
						}
					}
				})
				if !slices.Equal(got, forms[lang]) {
					t.Errorf("%s %s has the forms %v, want %v", lang, id, got, forms[lang])
				}
				if _, isPlural := en[id].(map[string]any); !isPlural {
					t.Errorf("%s %s is plural, English is not", lang, id)
				}
			} else if s, _ := v.(string); strings.TrimSpace(s) == "" {
				t.Errorf("%s %s is empty", lang, id)
			}
			if g, w := holders(v), holders(en[id]); !slices.Equal(g, w) {
				t.Errorf("%s %s has the placeholders %v, English %v", lang, id, g, w)
			}
		}
	}
	// The translations are translations: no message with words in it may
	// read the same in another language as in English (only the product's
	// name may).
	letters := regexp.MustCompile(`\pL`)
	for lang, m := range files {
		if lang == "en" {
			continue
		}
		for id, v := range m {
			s, ok := v.(string)
			if ok && id != "app.name" && s == en[id] && letters.MatchString(placeholder.ReplaceAllString(s, "")) {
				t.Errorf("%s %s reads as English: %q", lang, id, s)
			}
		}
	}
}

// errorCodes are the codes the error page is shown with: the domain's and
// those only HTTP has (package http's statusOf). Each needs its title,
// what happened and what to do in every language, or the page would say
// "something failed on the server" of a refusal.
var errorCodes = []string{"invalid", "not-found", "conflict", "internal", "forbidden", "unauthorized",
	"not-implemented", "too-many-requests", "bad-request", "unavailable"}

// TestCodesHaveLabels checks that the domain's codes have a name in every
// language.
func TestCodesHaveLabels(t *testing.T) {
	ids := messageIDs(t)
	codes := map[string][]string{
		"problem":   {"missing-field", "bad-date", "bad-value", "unknown-category", "not-eligible", "eligibility-unknown", "duplicate"},
		"fix":       {"missing-field", "bad-date", "bad-value", "unknown-category", "not-eligible", "eligibility-unknown", "duplicate"},
		"objection": {"not-eligible", "not-in-custody", "unknown-person", "already-exchanged", "duplicate", "other"},
		"ack":       {"received-identified", "received-disputed", "not-delivered"},
		"step":      {"opened", "located", "identity-verified", "guardian-consenting", "return-arranged", "returned", "not-found", "declined"},
		"status":    {"open", "explained", "disputed", "resolved"},
		"level":     {"missing", "exact", "equivalent-form", "same-key", "close", "similar", "initial", "different", "day-month-swapped", "one-component-off", "partial-agrees"},
		"kind":      {"request", "custody", "remains", "children"},
		"field": {"ref", "surname", "given_name", "patronymic", "full_name", "birth_date", "birth_place", "sex", "citizenship", "rank",
			"service_number", "unit", "capture_date", "capture_place", "condition", "category", "death_date", "remains_tag", "guardian", "notes"},
		"error.title": errorCodes,
		"error.what":  errorCodes,
		"error.todo":  errorCodes,
		"role":        {"viewer", "clerk", "signer", "admin"},
	}
	for kind, cs := range codes {
		for _, c := range cs {
			if !ids[kind+"."+c] {
				t.Errorf("%s %s has no message", kind, c)
			}
		}
	}
}

func TestNegotiate(t *testing.T) {
	tests := []struct{ accept, cookie, want string }{
		{"", "", "en"},
		{"uk-UA,uk;q=0.9,en;q=0.8", "", "uk"},
		{"ru-RU,ru;q=0.9", "", "ru"},
		{"tr-TR,tr;q=0.9,en-US;q=0.8", "", "tr"},
		{"en-GB", "", "en"},
		{"de-DE,de;q=0.9", "", "en"},
		{"de-DE,ru;q=0.5", "", "ru"},
		{"ru-RU", "uk", "uk"},
		{"uk", "xx", "uk"},
		{"garbage;;;q=", "", "en"},
		{"", " TR ", "tr"},
	}
	for _, tt := range tests {
		if got := Negotiate(tt.accept, tt.cookie); got != tt.want {
			t.Errorf("Negotiate(%q, %q) = %q, want %q", tt.accept, tt.cookie, got, tt.want)
		}
	}
	if got := Languages(); !slices.Equal(got, []string{"uk", "ru", "en", "tr"}) {
		t.Errorf("Languages() = %v", got)
	}
}

func TestLangURL(t *testing.T) {
	tests := []struct{ path, code, want string }{
		{"/review", "uk", "/review?lang=uk"},
		{"/review?list=a&lang=en", "tr", "/review?lang=tr&list=a"},
		{"", "ru", "/?lang=ru"},
		{"https://evil.example/x", "ru", "/?lang=ru"},
		{"//evil.example/x", "ru", "/?lang=ru"},
	}
	for _, tt := range tests {
		if got := langURL(tt.path, tt.code); got != tt.want {
			t.Errorf("langURL(%q, %q) = %q, want %q", tt.path, tt.code, got, tt.want)
		}
	}
}

// TestAssets checks the embedded static files: the pinned htmx and Pico,
// their licenses, and app.css, none fetching anything from elsewhere.
func TestAssets(t *testing.T) {
	a := Assets()
	sums := map[string]string{
		"htmx.min.js":  "d6fdc75f204e6bdefa99b69bf1e6d4ac69b8a364f77929f45c13476b4000f717", // htmx.org@2.0.11 dist/htmx.min.js
		"pico.min.css": "fbc9a63fc9fc9f72d12fd7fc9806e11fa9f77ae4f9cad146b27003a1119ba3db", // @picocss/pico@2.1.1 css/pico.min.css
	}
	for name, want := range sums {
		b, err := fs.ReadFile(a, name)
		if err != nil {
			t.Fatal(err)
		}
		s := sha256.Sum256(b)
		if got := hex.EncodeToString(s[:]); got != want {
			t.Errorf("%s has SHA-256 %s, want %s (the pinned npm release)", name, got, want)
		}
	}
	for _, name := range []string{"app.css", "htmx.LICENSE", "pico.LICENSE.md"} {
		if _, err := fs.Stat(a, name); err != nil {
			t.Error(err)
		}
	}
	// The security keys' script talks to this server only, by path.
	js, err := fs.ReadFile(a, "webauthn.js")
	if err != nil {
		t.Fatal(err)
	}
	if regexp.MustCompile("https?:|[\"'`]//[a-z]|import\\s*\\(|eval\\(").Match(js) {
		t.Error("webauthn.js reaches outside the server, or evaluates code")
	}
	css, _ := fs.ReadFile(a, "app.css")
	if bytes.Contains(css, []byte("http")) || bytes.Contains(css, []byte("@import")) {
		t.Error("app.css fetches something")
	}
}

// TestImports keeps the package a presentation layer: no storage, no HTTP
// server, no process state.
func TestImports(t *testing.T) {
	files, _ := filepath.Glob("*.go")
	banned := []string{"net/http", "database/sql", "tally/sqlstore", "tally/sqlite", "tally/postgres", "tally/http", "os/exec"}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		af, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, im := range af.Imports {
			p, _ := strconv.Unquote(im.Path.Value)
			if slices.Contains(banned, p) {
				t.Errorf("%s imports %s", f, p)
			}
		}
	}
}

// TestGolden compares two pages in English and Ukrainian with the files in
// testdata; go test -update rewrites them.
func TestGolden(t *testing.T) {
	r := newRenderer(t)
	fx := fixtures()
	for _, page := range []string{"import", "match"} {
		for _, lang := range []string{"en", "uk"} {
			name := filepath.Join("testdata", page+"."+lang+".html")
			got := render(t, r, page, lang, fx[page])
			if *update {
				if err := os.WriteFile(name, got, 0o644); err != nil {
					t.Fatal(err)
				}
				continue
			}
			want, err := os.ReadFile(name)
			if err != nil {
				t.Fatalf("%v (run go test -update)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from what the page renders now; look at the difference, then run go test -update", name)
			}
		}
	}
}
