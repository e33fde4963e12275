package names

import "strings"

// Key returns a matching key for s as the given part of a name: a short
// string of lower-case Latin letters that is the same for the Ukrainian,
// Russian and Latin spellings of one name, and differs between different
// names as far as spelling allows. Equal keys are how Equivalent, and the
// linkage of lists from both sides, tell that two records name one person.
//
// Given names, patronymics and places are looked up in the forms tables,
// by every spelling the tables know, and get the key of the name's standard
// Ukrainian form: Олександр, Александр, Oleksandr, Aleksandr and Alexander
// all have the key "oleksandr"; Миколайович, Николаевич, Mykolaiovych and
// Nikolaevich all "mikolaioviq". Names not in the tables, and all surnames,
// get their skeleton: the name spelt in a reduced Latin alphabet that folds
// away what the two languages and their romanizations spell differently —
// г/ґ/h/g, и/і/ы/y/i, й/i/y/j, ж/zh, х/kh, ц/ts, ч/ch, ш/sh, щ/shch, ь, ъ
// and the apostrophe, doubled letters, Latin look-alikes in Cyrillic words
// — and, for surnames, the vowels Ukrainian and Russian swap (Олійник,
// Олейник, Oliinyk, Oleinik), ё and ьо (Ковальов, Ковалёв, Kovalev), and
// the adjectival endings (-ський, -ский, -skyi, -sky; -ська, -ская; -ий,
// -ой). Case, stress marks and punctuation do not count; words are kept
// apart by single spaces.
//
// A Part other than the four named ones is keyed as a surname. Key does
// no I/O and allocates at most the key; it is safe for concurrent
// use. The alphabet of the skeleton is described in the package
// documentation.
func Key(part Part, s string) string {
	var arr [64]byte
	if part != Given && part != Patronymic && part != Place {
		return string(skeleton(arr[:0], s, coarse))
	}
	t := loadTables().of(part)
	b := skeleton(arr[:0], s, fine)
	if part == Place {
		b = trimPlaceType(b)
	}
	if e := t.fine[string(b)]; e != nil {
		return e.key
	}
	if strings.IndexByte(string(b), ' ') < 0 {
		return missKey(part, t, s, b)
	}
	// Several words that are not one name in the table (Анна-Марія,
	// Олександр Сергійович): each word on its own.
	var sb strings.Builder
	for i, w := range strings.Fields(string(b)) {
		if i > 0 {
			sb.WriteByte(' ')
		}
		if e := t.fine[w]; e != nil {
			sb.WriteString(e.key)
		} else {
			sb.WriteString(missKey(part, t, w, []byte(w)))
		}
	}
	return sb.String()
}

// missKey is the key of a word or name the forms table has no spelling
// of: the entry its coarse skeleton belongs to, if just one, else the
// skeleton itself.
func missKey(part Part, t *table, s string, fineSkel []byte) string {
	var arr [64]byte
	c := skeleton(arr[:0], s, coarse)
	if part == Place {
		c = trimPlaceType(c)
	}
	if e := t.coarse[string(c)]; e != nil {
		return e.key
	}
	switch part {
	case Patronymic:
		// An unknown patronymic: the endings of the two languages (uk
		// -ович/-івна, ru -ович/-евич/-овна/-евна) made one.
		return string(unifyPatronymicEnding(c))
	case Place:
		return string(c)
	}
	return string(fineSkel)
}

// unifyPatronymicEnding rewrites the coarse skeleton's endings iviq, ivna
// (from -евич, -івна, -евна) as oviq and ovna.
func unifyPatronymicEnding(c []byte) []byte {
	for _, end := range []string{"iviq", "ivna"} {
		if n := len(c); n > len(end)+1 && string(c[n-len(end):]) == end {
			c[n-len(end)] = 'o'
		}
	}
	return c
}

// Skeletons of words that say what kind of place follows: м., місто, г.,
// город, с., село, сел., селище, смт, пгт, пос., посёлок, х., хутір, хутор.
var placeTypes = []string{
	// fine skeletons
	"m", "misto", "g", "gorod", "s", "selo", "sel", "seliwqe", "smt", "pgt",
	"pos", "posiolok", "poselok", "x", "xutir", "xutor", "derevnia",
	// coarse skeletons
	"silo", "sil", "siliwqi", "posilok", "dirivnia",
}

// trimPlaceType removes a leading word that says what kind of place
// follows (м. Харків, село Лісове), unless it is the only word.
func trimPlaceType(b []byte) []byte {
	sp := strings.IndexByte(string(b), ' ')
	if sp < 0 {
		return b
	}
	for _, p := range placeTypes {
		if string(b[:sp]) == p {
			return b[sp+1:]
		}
	}
	return b
}

// Equivalent reports whether a and b are the same name part in different
// languages or scripts — Олександр, Александр, Oleksandr — that is,
// whether their keys are equal.
func Equivalent(part Part, a, b string) bool { return Key(part, a) == Key(part, b) }

// Forms returns the standard Ukrainian and Russian forms of a given name,
// patronymic or place that the forms tables know, in whatever language or
// script s spells it: Forms(Given, "Alexander") is "Олександр",
// "Александр"; Forms(Place, "Ровно") is "Рівне", "Ровно". ok is false for
// names not in the tables, and for surnames, which have no table.
func Forms(part Part, s string) (uk, ru string, ok bool) {
	if part != Given && part != Patronymic && part != Place {
		return "", "", false
	}
	t := loadTables().of(part)
	b := skeleton(nil, s, fine)
	if part == Place {
		b = trimPlaceType(b)
	}
	e := t.fine[string(b)]
	if e == nil {
		c := skeleton(nil, s, coarse)
		if part == Place {
			c = trimPlaceType(c)
		}
		e = t.coarse[string(c)]
	}
	if e == nil {
		return "", "", false
	}
	return e.uk[0], e.ru[0], true
}
