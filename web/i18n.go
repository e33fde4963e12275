package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"strconv"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

// locales are the message files of every language.
type locales struct {
	bundle *i18n.Bundle
	ids    map[string]map[string]bool // lang → message ids
}

func loadLocales() (*locales, error) {
	b := i18n.NewBundle(language.English)
	b.RegisterUnmarshalFunc("json", json.Unmarshal)
	loc := &locales{bundle: b, ids: map[string]map[string]bool{}}
	for _, lang := range languages {
		name := "locales/" + lang + ".json"
		buf, err := fs.ReadFile(localeFS, name)
		if err != nil {
			return nil, fmt.Errorf("web: %w", err)
		}
		f, err := b.ParseMessageFileBytes(buf, name)
		if err != nil {
			return nil, fmt.Errorf("web: %s: %w", name, err)
		}
		loc.ids[lang] = map[string]bool{}
		for _, m := range f.Messages {
			loc.ids[lang][m.ID] = true
		}
	}
	return loc, nil
}

// localizer translates into one language.
type localizer struct {
	lang string
	loc  *locales
	l    *i18n.Localizer
}

func (loc *locales) localizer(lang string) *localizer {
	return &localizer{lang: lang, loc: loc, l: i18n.NewLocalizer(loc.bundle, lang)}
}

// has reports whether the language has message id.
func (l *localizer) has(id string) bool { return l.loc.ids[l.lang][id] }

// t translates message id. A message missing from the language is an error,
// so that no page ever shows a message id instead of words.
func (l *localizer) t(id string) (string, error) {
	return l.localize(&i18n.LocalizeConfig{MessageID: id})
}

// tf translates message id with placeholders given as name, value pairs.
func (l *localizer) tf(id string, kv ...any) (string, error) {
	data, err := pairs(kv)
	if err != nil {
		return "", err
	}
	return l.localize(&i18n.LocalizeConfig{MessageID: id, TemplateData: data})
}

// n translates message id in the plural form for count, which fills its
// {{.Count}} placeholder; further placeholders come as name, value pairs.
func (l *localizer) n(id string, count any, kv ...any) (string, error) {
	data, err := pairs(kv)
	if err != nil {
		return "", err
	}
	c, err := toInt(count)
	if err != nil {
		return "", fmt.Errorf("message %s: %w", id, err)
	}
	data["Count"] = strconv.FormatInt(c, 10)
	return l.localize(&i18n.LocalizeConfig{MessageID: id, PluralCount: c, TemplateData: data})
}

// label names a code of the domain (a problem, an objection, a field, a
// level, a step...) in the language: the message kind.code, or the code
// itself when the locales do not know it (a code newer than the
// translations is shown as it is rather than failing the page).
func (l *localizer) label(kind, code string) (string, error) {
	id := kind + "." + code
	if code == "" || !l.has(id) {
		return code, nil
	}
	return l.t(id)
}

// flash translates a notice.
func (l *localizer) flash(f Flash) (string, error) {
	data := map[string]any{}
	for k, v := range f.Data {
		data[k] = v
	}
	lc := &i18n.LocalizeConfig{MessageID: f.ID, TemplateData: data}
	if f.Count != nil {
		lc.PluralCount = *f.Count
		data["Count"] = strconv.Itoa(*f.Count)
	}
	return l.localize(lc)
}

func (l *localizer) localize(lc *i18n.LocalizeConfig) (string, error) {
	s, err := l.l.Localize(lc)
	if err != nil {
		var nf *i18n.MessageNotFoundErr
		if errors.As(err, &nf) {
			return "", fmt.Errorf("message %q is missing from locales/%s.json", lc.MessageID, l.lang)
		}
		return "", fmt.Errorf("message %q in %s: %w", lc.MessageID, l.lang, err)
	}
	return s, nil
}

func pairs(kv []any) (map[string]any, error) {
	if len(kv)%2 != 0 {
		return nil, errors.New("placeholders come in name, value pairs")
	}
	m := make(map[string]any, len(kv)/2+1)
	for i := 0; i < len(kv); i += 2 {
		k, ok := kv[i].(string)
		if !ok {
			return nil, fmt.Errorf("placeholder name %v is not a string", kv[i])
		}
		m[k] = kv[i+1]
	}
	return m, nil
}

func toInt(v any) (int64, error) {
	switch c := v.(type) {
	case int:
		return int64(c), nil
	case int64:
		return c, nil
	case int32:
		return int64(c), nil
	case uint64:
		return int64(c), nil
	}
	return 0, fmt.Errorf("count %v (%T) is not an integer", v, v)
}
