package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/language"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

//go:embed locales/*.json
var localeFS embed.FS

// pages are the full pages and the template file each is in.
var pages = []string{
	"login", "error", "agreements", "import", "match", "review", "rounds", "remains", "children", "log", "report", "admin",
	"keys", "enrol", "verify",
}

// fragments are the parts of pages that htmx swaps in place; they render
// without the layout.
var fragments = []string{"progress", "pair", "handover-person"}

// languages are the languages of the interface, in the order of the
// switcher. The first is the default.
var languages = []string{"uk", "ru", "en", "tr"}

// Languages returns the languages of the interface: uk, ru, en, tr.
func Languages() []string { return slices.Clone(languages) }

// Renderer renders the pages. It is safe for concurrent use.
type Renderer struct {
	sets map[string]map[string]*template.Template // lang → page → set
	loc  *locales
}

// New parses the embedded templates and message files once.
func New() (*Renderer, error) {
	loc, err := loadLocales()
	if err != nil {
		return nil, err
	}
	r := &Renderer{sets: map[string]map[string]*template.Template{}, loc: loc}
	base, err := template.New("").Funcs(r.funcs("en", "")).ParseFS(templateFS, "templates/layout.html", "templates/parts.html")
	if err != nil {
		return nil, fmt.Errorf("web: %w", err)
	}
	perPage := map[string]*template.Template{"": base}
	for _, p := range pages {
		t, err := base.Clone()
		if err != nil {
			return nil, fmt.Errorf("web: %w", err)
		}
		if _, err := t.ParseFS(templateFS, "templates/"+p+".html"); err != nil {
			return nil, fmt.Errorf("web: %w", err)
		}
		perPage[p] = t
	}
	for _, lang := range languages {
		r.sets[lang] = map[string]*template.Template{}
		for p, t := range perPage {
			c, err := t.Clone()
			if err != nil {
				return nil, fmt.Errorf("web: %w", err)
			}
			r.sets[lang][p] = c.Funcs(r.funcs(lang, p))
		}
	}
	return r, nil
}

// Render writes page (one of the pages, or a fragment: "progress", "pair",
// "handover-person") in lang with data, the page's view model. An unknown
// lang renders in English. Nothing is written if rendering fails.
func (r *Renderer) Render(w io.Writer, page, lang string, data any) error {
	if !slices.Contains(languages, lang) {
		lang = "en"
	}
	var t *template.Template
	name := "layout"
	switch {
	case slices.Contains(pages, page):
		t = r.sets[lang][page]
	case slices.Contains(fragments, page):
		t, name = r.sets[lang][""], page
	default:
		return fmt.Errorf("web: there is no page %q", page)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, name, data); err != nil {
		return fmt.Errorf("web: rendering %s in %s: %w", page, lang, err)
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// Pages returns the names of the full pages Render knows.
func Pages() []string { return slices.Clone(pages) }

// Fragments returns the names of the fragments Render knows.
func Fragments() []string { return slices.Clone(fragments) }

// Assets returns the static files (htmx.min.js, pico.min.css, app.css and
// the licenses), to be served under /static/.
func Assets() fs.FS {
	sub, err := fs.Sub(staticFS, "static")
	if err != nil {
		panic(err) // the directory is embedded
	}
	return sub
}

// Negotiate picks the interface language: the cookie's if it names one of
// Languages, else the best match for the Accept-Language header, else
// English, the one language the parties' staff and the mediator are likely
// to share.
func Negotiate(acceptLanguage, cookie string) string {
	if c := strings.ToLower(strings.TrimSpace(cookie)); slices.Contains(languages, c) {
		return c
	}
	tags, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(tags) == 0 {
		return "en"
	}
	supported := []language.Tag{language.English, language.Ukrainian, language.Russian, language.Turkish}
	m := language.NewMatcher(supported)
	_, i, conf := m.Match(tags...)
	if conf == language.No {
		return "en"
	}
	return []string{"en", "uk", "ru", "tr"}[i]
}

// langNames are the languages' names in themselves.
var langNames = map[string]string{"uk": "Українська", "ru": "Русский", "en": "English", "tr": "Türkçe"}

// funcs are the template functions for one language and page.
func (r *Renderer) funcs(lang, page string) template.FuncMap {
	l := r.loc.localizer(lang)
	return template.FuncMap{
		"t":  l.t,
		"tf": l.tf,
		"n":  l.n,
		"label": func(kind string, code any) (string, error) {
			return l.label(kind, fmt.Sprint(code))
		},
		"flash": l.flash,
		// tcode names a code by message kind.code, or kind.fallback when the
		// code is one the locales do not know.
		"tcode": func(kind string, code any, fallback string) (string, error) {
			if id := kind + "." + fmt.Sprint(code); l.has(id) {
				return l.t(id)
			}
			return l.t(kind + "." + fallback)
		},
		// hint is the message kind.code, or nothing for an unknown code.
		"hint": func(kind string, code any) (string, error) {
			if id := kind + "." + fmt.Sprint(code); l.has(id) {
				return l.t(id)
			}
			return "", nil
		},
		"lang":      func() string { return lang },
		"dir":       func() string { return "ltr" },
		"page":      func() string { return page },
		"languages": func() []string { return languages },
		"langName":  func(code string) string { return langNames[code] },
		"langURL":   langURL,
		"date": func(t time.Time) string {
			if t.IsZero() {
				return ""
			}
			return t.UTC().Format(time.DateOnly)
		},
		"datetime": func(t time.Time) string {
			if t.IsZero() {
				return ""
			}
			return t.UTC().Format("2006-01-02 15:04 UTC")
		},
		"isodatetime": func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
		"score":       func(f float64) string { return strconv.FormatFloat(f, 'f', 3, 64) },
		"percent": func(done, total int64) int64 {
			if total <= 0 {
				return 0
			}
			return min(100, done*100/total)
		},
		"charts":  charts,
		"joinStr": strings.Join,
		"add":     func(a, b int) int { return a + b },
		"itoa":    func(i int) string { return strconv.Itoa(i) },
		"dict": func(kv ...any) (map[string]any, error) {
			if len(kv)%2 != 0 {
				return nil, fmt.Errorf("dict needs pairs")
			}
			m := map[string]any{}
			for i := 0; i < len(kv); i += 2 {
				k, ok := kv[i].(string)
				if !ok {
					return nil, fmt.Errorf("dict key %v is not a string", kv[i])
				}
				m[k] = kv[i+1]
			}
			return m, nil
		},
		"hasPrefix": strings.HasPrefix,
		"list":      func(xs ...string) []string { return xs },
		"sub":       func(a, b int) int { return a - b },
		"pairOf":    pairOf,
		"handoverOf": func(csrf, round string, p HandoverPerson) HandoverFragment {
			return HandoverFragment{CSRF: csrf, Round: round, Person: p}
		},
	}
}

// langURL returns path with its lang query parameter set to code.
func langURL(path, code string) string {
	u, err := url.Parse(path)
	if err != nil || u.IsAbs() || u.Host != "" || !strings.HasPrefix(u.Path, "/") {
		u = &url.URL{Path: "/"}
	}
	q := u.Query()
	q.Set("lang", code)
	u.RawQuery = q.Encode()
	return u.String()
}

// pairOf is the fragment data of one pair of a match review page.
func pairOf(page any, p PairView) (PairFragment, error) {
	var m *MatchReviewPage
	switch v := page.(type) {
	case MatchReviewPage:
		m = &v
	case *MatchReviewPage:
		m = v
	default:
		return PairFragment{}, fmt.Errorf("pairOf: %T is not a MatchReviewPage", page)
	}
	return PairFragment{CSRF: m.CSRF, Left: m.Left, Right: m.Right, Fields: m.Fields, Pair: p}, nil
}
