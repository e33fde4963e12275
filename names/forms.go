package names

import (
	_ "embed"
	"fmt"
	"strings"
	"sync"
)

// The forms tables, as data: see the header of each file for its sources
// and format.
var (
	//go:embed data/given.txt
	givenData string
	//go:embed data/places.txt
	placesData string
)

// entry is one name in the forms tables: a given name, a patronymic or a
// place, with its standard forms in each language.
type entry struct {
	key string   // the key: the fine skeleton of uk[0]
	uk  []string // Ukrainian forms, the standard one first
	ru  []string // Russian forms, the standard one first
}

// table maps skeletons of every known spelling of its names to entries.
type table struct {
	fine   map[string]*entry // fine skeleton → entry
	coarse map[string]*entry // coarse skeleton → entry; nil when two entries share it
}

// tables are the forms tables, built from the data files on first use.
type tables struct {
	given, patronymic, place table
	// conflicts lists spellings two different entries claim; the first
	// entry keeps the spelling. Tests keep it empty.
	conflicts []string
}

var loadTables = sync.OnceValue(func() *tables {
	t, err := buildTables(givenData, placesData)
	if err != nil {
		panic(err) // the data is embedded and tested: this is a build error
	}
	return t
})

func (t *tables) of(part Part) *table {
	switch part {
	case Given:
		return &t.given
	case Patronymic:
		return &t.patronymic
	case Place:
		return &t.place
	}
	return nil
}

// add records e under the skeletons of every spelling in forms.
func (t *tables) add(tb *table, e *entry, forms ...string) {
	var buf []byte
	for _, f := range forms {
		if f == "" {
			continue
		}
		buf = skeleton(buf[:0], f, fine)
		k := string(buf)
		if old, ok := tb.fine[k]; ok && old != e {
			t.conflicts = append(t.conflicts, fmt.Sprintf("%q (%s) is both %s and %s", f, k, old.uk[0], e.uk[0]))
		} else {
			tb.fine[k] = e
		}
		buf = skeleton(buf[:0], f, coarse)
		k = string(buf)
		if old, ok := tb.coarse[k]; ok && old != e {
			tb.coarse[k] = nil // ambiguous: not used
		} else if !ok {
			tb.coarse[k] = e
		}
	}
}

// spellings returns forms with their romanizations: Ukrainian forms by the
// national table, Russian ones by ICAO, and for good measure each by the
// other too.
func spellings(uk, ru []string, extra ...string) []string {
	var all []string
	for _, f := range uk {
		all = append(all, f, RomanizeUkrainian(f), RomanizeRussian(f))
	}
	for _, f := range ru {
		all = append(all, f, RomanizeRussian(f), RomanizeUkrainian(f))
	}
	return append(all, extra...)
}

func newTable() table {
	return table{fine: make(map[string]*entry), coarse: make(map[string]*entry)}
}

func buildTables(given, places string) (*tables, error) {
	t := &tables{given: newTable(), patronymic: newTable(), place: newTable()}
	for n, line := range strings.Split(given, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' {
			continue
		}
		f := strings.Split(line, "|")
		if len(f) != 5 || f[0] != "m" && f[0] != "f" || f[1] == "" || f[2] == "" {
			return nil, fmt.Errorf("names: data/given.txt:%d: want sex|uk|ru|latin|patronymics: %q", n+1, line)
		}
		uk, ru, extra := list(f[1]), list(f[2]), list(f[3])
		e := &entry{key: string(skeleton(nil, uk[0], fine)), uk: uk, ru: ru}
		t.add(&t.given, e, spellings(uk, ru, extra...)...)
		if f[0] != "m" {
			continue
		}
		pats, err := patronymics(uk, ru, f[4])
		if err != nil {
			return nil, fmt.Errorf("names: data/given.txt:%d: %v", n+1, err)
		}
		for _, p := range pats {
			e := &entry{key: string(skeleton(nil, p.uk[0], fine)), uk: p.uk, ru: p.ru}
			t.add(&t.patronymic, e, spellings(p.uk, p.ru)...)
		}
	}
	for n, line := range strings.Split(places, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' {
			continue
		}
		f := strings.Split(line, "|")
		if len(f) != 3 || f[0] == "" || f[1] == "" {
			return nil, fmt.Errorf("names: data/places.txt:%d: want uk|ru|latin: %q", n+1, line)
		}
		uk, ru, extra := list(f[0]), list(f[1]), list(f[2])
		e := &entry{key: string(skeleton(nil, uk[0], fine)), uk: uk, ru: ru}
		t.add(&t.place, e, spellings(uk, ru, extra...)...)
	}
	return t, nil
}

// list splits a comma-separated field.
func list(s string) []string {
	var l []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			l = append(l, f)
		}
	}
	return l
}

// patronymicEntry is the forms of one patronymic, a man's or a woman's.
type patronymicEntry struct{ uk, ru []string }

// patronymics derives the patronymics of a man's name in both languages,
// with overrides (uk=MASC/FEM,... ru=MASC/FEM,...) where the rules fail.
func patronymics(uk, ru []string, overrides string) ([]patronymicEntry, error) {
	var masc, fem patronymicEntry
	over := map[string][][2]string{}
	for _, o := range strings.Fields(overrides) {
		lang, pairs, ok := strings.Cut(o, "=")
		if !ok || lang != "uk" && lang != "ru" {
			return nil, fmt.Errorf("bad patronymic override %q", o)
		}
		for _, p := range list(pairs) {
			m, f, ok := strings.Cut(p, "/")
			if !ok {
				return nil, fmt.Errorf("bad patronymic pair %q", p)
			}
			over[lang] = append(over[lang], [2]string{m, f})
		}
	}
	if o, ok := over["uk"]; ok {
		for _, p := range o {
			masc.uk, fem.uk = append(masc.uk, p[0]), append(fem.uk, p[1])
		}
	} else {
		for _, g := range uk {
			m, f := ukrainianPatronymics(g)
			masc.uk, fem.uk = append(masc.uk, m), append(fem.uk, f)
		}
	}
	if o, ok := over["ru"]; ok {
		for _, p := range o {
			masc.ru, fem.ru = append(masc.ru, p[0]), append(fem.ru, p[1])
		}
	} else {
		for _, g := range ru {
			m, f := russianPatronymics(g)
			masc.ru, fem.ru = append(masc.ru, m), append(fem.ru, f)
		}
	}
	return []patronymicEntry{masc, fem}, nil
}

func isCyrillicVowel(r rune) bool {
	return strings.ContainsRune("аеєиіїоуюяыэёАЕЄИІЇОУЮЯЫЭЁ", r)
}

// ukrainianPatronymics derives a Ukrainian man's and woman's patronymic
// from a man's name by the rules of Ukrainian grammar: Олександр
// Олександрович Олександрівна; Сергій Сергійович Сергіївна; Петро Петрович
// Петрівна; Василь Васильович Василівна; Микита Микитович Микитівна.
func ukrainianPatronymics(g string) (masc, fem string) {
	rs := []rune(g)
	n := len(rs)
	if n < 2 {
		return g + "ович", g + "івна"
	}
	stem := string(rs[:n-1])
	switch last := rs[n-1]; {
	case last == 'й' && isCyrillicVowel(rs[n-2]):
		return g + "ович", stem + "ївна"
	case last == 'ь':
		return stem + "ьович", stem + "івна"
	case last == 'о' || last == 'а' || last == 'я':
		return stem + "ович", stem + "івна"
	}
	return g + "ович", g + "івна"
}

// russianPatronymics derives a Russian man's and woman's patronymic from a
// man's name by the rules of Russian grammar: Иван Иванович Ивановна;
// Сергей Сергеевич Сергеевна; Юрий Юрьевич Юрьевна; Дмитрий Дмитриевич
// Дмитриевна; Игорь Игоревич Игоревна; Никита Никитич Никитична.
func russianPatronymics(g string) (masc, fem string) {
	rs := []rune(g)
	n := len(rs)
	if n < 3 {
		return g + "ович", g + "овна"
	}
	switch last := rs[n-1]; {
	case last == 'й' && rs[n-2] == 'и':
		// After a cluster ending in р or г the и stays (Дмитриевич,
		// Георгиевич); elsewhere it is ь (Юрьевич, Викентьевич).
		if n >= 4 && !isCyrillicVowel(rs[n-3]) && !isCyrillicVowel(rs[n-4]) && (rs[n-3] == 'р' || rs[n-3] == 'г') {
			stem := string(rs[:n-1])
			return stem + "евич", stem + "евна"
		}
		stem := string(rs[:n-2]) + "ь"
		return stem + "евич", stem + "евна"
	case last == 'й' || last == 'ь':
		stem := string(rs[:n-1])
		return stem + "евич", stem + "евна"
	case last == 'а' || last == 'я':
		stem := string(rs[:n-1])
		return stem + "ич", stem + "ична"
	case strings.ContainsRune("жшчщц", last):
		return g + "евич", g + "евна"
	}
	return g + "ович", g + "овна"
}
