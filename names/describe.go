package names

import "strings"

// Description is what tally knows about one name as written: its script,
// its language, its national romanization and its matching key. It backs
// the command `tally names`, whose --json output is a list of these.
type Description struct {
	Input  string `json:"input"`  // the name as given
	Lang   Lang   `json:"lang"`   // "uk", "ru", or "latin" for a name in Latin letters
	Script Script `json:"script"` // of the input as given: "cyrillic", "latin", "mixed", ...
	Latin  string `json:"latin"`  // the national romanization; the name itself when in Latin letters
	Key    string `json:"key"`    // Key(Surname, w) for each word w, separated by spaces
	// Guessed is true when Lang was detected without certainty: nothing
	// in the name tells Ukrainian from Russian (see Detect).
	Guessed bool `json:"guessed,omitempty"`
}

// Describe describes the name s. lang is "uk" or "ru" to say which language
// the name is in, or "" to detect it (see ParseLang for the spellings
// accepted; anything else is treated as ""). The name is normalized and
// words mistyped with Latin look-alikes repaired before it is romanized
// and keyed; Script tells the script of s as given, so a name with
// look-alikes shows as "mixed".
//
// Ukrainian is romanized by the national table (RomanizeUkrainian),
// Russian by ICAO Doc 9303 (RomanizeRussian); a name in Latin letters is
// its own romanization and has Lang "latin" unless lang says otherwise.
func Describe(s, lang string) Description {
	d := Description{Input: s}
	n := Normalize(s)
	d.Script = Detect(n).Script
	r, _ := RepairLookalikes(n)
	det := Detect(r)
	d.Lang, d.Guessed = det.Lang, det.Guess
	if d.Guessed {
		if l, ok := langByForms(r); ok {
			d.Lang, d.Guessed = l, false
		}
	}
	if l, err := ParseLang(lang); err == nil && l != Undetermined {
		d.Lang, d.Guessed = l, false
	}
	d.Latin = Romanize(r, d.Lang)
	if det.Script == LatinScript || det.Script == NoScript {
		d.Latin = r
	}
	words := strings.Fields(r)
	keys := make([]string, 0, len(words))
	for _, w := range words {
		if k := Key(Surname, w); k != "" {
			keys = append(keys, k)
		}
	}
	d.Key = strings.Join(keys, " ")
	return d
}

// langByForms tells a Cyrillic name's language from the forms tables when
// its letters do not: Александр is the Russian form of Олександр, though
// neither has a letter only one language uses. It decides only when every
// word it knows points the same way.
func langByForms(s string) (Lang, bool) {
	var found Lang
	for _, w := range strings.Fields(s) {
		lw := strings.ToLower(w)
		for _, part := range []Part{Given, Patronymic, Place} {
			uk, ru, ok := Forms(part, w)
			if !ok {
				continue
			}
			isUK, isRU := strings.ToLower(uk) == lw, strings.ToLower(ru) == lw
			var l Lang
			switch {
			case isUK && !isRU:
				l = Ukrainian
			case isRU && !isUK:
				l = Russian
			default:
				continue
			}
			if found != Undetermined && found != l {
				return Undetermined, false
			}
			found = l
			break
		}
	}
	return found, found != Undetermined
}
