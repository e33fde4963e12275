package names

import (
	"fmt"
	"strings"
	"unicode"
)

// Script is the writing system a name is in.
type Script uint8

const (
	NoScript       Script = iota // no letters at all
	LatinScript                  // Latin letters only
	CyrillicScript               // Cyrillic letters only
	MixedScript                  // Latin and Cyrillic letters both
	OtherScript                  // letters of some other script (and maybe Latin or Cyrillic too)
)

var scriptNames = [...]string{"none", "latin", "cyrillic", "mixed", "other"}

// String returns "none", "latin", "cyrillic", "mixed" or "other".
func (s Script) String() string {
	if int(s) < len(scriptNames) {
		return scriptNames[s]
	}
	return fmt.Sprintf("script(%d)", uint8(s))
}

// MarshalText writes the script as String does, so that JSON shows
// "cyrillic" rather than a number.
func (s Script) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads what MarshalText writes.
func (s *Script) UnmarshalText(b []byte) error {
	for i, n := range scriptNames {
		if string(b) == n {
			*s = Script(i)
			return nil
		}
	}
	return fmt.Errorf("names: unknown script %q", b)
}

// Lang is the language a name is written in, as a BCP 47 tag, or Latin for
// a name that is already in Latin letters.
type Lang string

const (
	Undetermined Lang = ""      // not known: no letters, or not asked
	Ukrainian    Lang = "uk"    // Ukrainian, in Cyrillic
	Russian      Lang = "ru"    // Russian, in Cyrillic
	Latin        Lang = "latin" // written in Latin letters, language not told
)

// ParseLang reads a language as a user gives it: "uk" or "ru" (any case,
// also "ukr", "ua", "rus"), "latin", or "" for "find out".
func ParseLang(s string) (Lang, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "":
		return Undetermined, nil
	case "uk", "ukr", "ua", "ukrainian":
		return Ukrainian, nil
	case "ru", "rus", "russian":
		return Russian, nil
	case "latin", "lat", "en":
		return Latin, nil
	}
	return Undetermined, fmt.Errorf("names: unknown language %q: want uk, ru or latin", s)
}

// Detection is what Detect finds out about a name.
type Detection struct {
	Script Script
	// Lang is Ukrainian or Russian when the name has Cyrillic letters,
	// Latin when it has Latin letters only, Undetermined when it has
	// neither.
	Lang Lang
	// Guess is true when nothing in the name tells Ukrainian from Russian
	// (Коваленко, Олег) or the signs contradict each other, and Lang is
	// the more likely language or, failing any sign, Ukrainian.
	Guess bool
}

// Detect tells which script s is written in and, for Cyrillic, whether it
// is Ukrainian or Russian.
//
// Letters only one of the languages has decide: і ї є ґ and an apostrophe
// between letters are Ukrainian; ы э ъ ё are Russian. When there are none,
// weaker signs are weighed, and the result is marked as a guess: -ськ- and
// -цьк- are Ukrainian (Згурський); -ский, -цкий, -ая, -ия and ь before a
// vowel are Russian (Згурский, Мария, Дьяченко). A Cyrillic name with no
// sign at all is taken for Ukrainian, as a guess. Latin look-alikes are
// not repaired here: call RepairLookalikes first to judge what was meant.
func Detect(s string) Detection {
	var lat, cyr, other int
	var uk, ru, weakUK, weakRU int
	rs := []rune(s)
	for i, r := range rs {
		switch {
		case isCyrillicLetter(r):
			cyr++
		case isLatinLetter(r):
			lat++
			continue
		case unicode.IsLetter(r) && !isApostrophe(r):
			other++
			continue
		case isApostrophe(r):
			if i > 0 && i+1 < len(rs) && isCyrillicLetter(rs[i-1]) && isCyrillicLetter(rs[i+1]) {
				uk++
			}
			continue
		default:
			continue
		}
		l := lower(r)
		var next, next2 rune
		if i+1 < len(rs) {
			next = lower(rs[i+1])
		}
		if i+2 < len(rs) {
			next2 = lower(rs[i+2])
		}
		end2 := i+2 >= len(rs) || !unicode.IsLetter(rs[i+2])
		switch l {
		case 'і', 'ї', 'є', 'ґ':
			uk++
		case 'ы', 'э', 'ъ', 'ё':
			ru++
		case 'ь':
			switch next {
			case 'е', 'ю', 'я', 'и':
				weakRU++
			case 'к':
				weakUK++
			}
		case 'с', 'ц':
			if next == 'к' && (next2 == 'и' || next2 == 'а') {
				weakRU++
			}
		case 'а', 'и':
			if next == 'я' && end2 {
				weakRU++
			}
		case 'е':
			if i == 0 || !unicode.IsLetter(rs[i-1]) {
				weakRU++ // Russian starts words with е, Ukrainian mostly with є
			}
		}
	}
	var d Detection
	switch {
	case lat+cyr+other == 0:
		return Detection{Script: NoScript}
	case other > 0:
		d.Script = OtherScript
	case lat > 0 && cyr > 0:
		d.Script = MixedScript
	case cyr > 0:
		d.Script = CyrillicScript
	default:
		d.Script = LatinScript
	}
	if cyr == 0 {
		if lat > 0 {
			d.Lang = Latin
		}
		return d
	}
	switch {
	case uk > 0 && ru == 0:
		d.Lang = Ukrainian
	case ru > 0 && uk == 0:
		d.Lang = Russian
	case uk > ru:
		d.Lang, d.Guess = Ukrainian, true
	case ru > uk:
		d.Lang, d.Guess = Russian, true
	case weakRU > weakUK:
		d.Lang, d.Guess = Russian, true
	default:
		d.Lang, d.Guess = Ukrainian, true
	}
	return d
}
