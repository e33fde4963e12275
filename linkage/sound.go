package linkage

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// This file holds the linker's own coarse forms of names. They are not the
// names package's keys (names.Key says when two spellings are the same
// name); they are deliberately lossy "sound forms" that serve blocking and
// the "close" level, so that two spellings the names package does not (yet)
// relate, typos included, still meet as candidates and are compared.
//
//   - canon: a Latin form in which Ukrainian, Russian and the usual Latin
//     spellings of one name come close: Олійник, ОЛЕЙНИК, Oliinyk, Oleynik →
//     olinik, oleinik, olinik, oleinik. Г/g/h/х/kh fold to h, и/ы/y/j/й to
//     i, doubled letters collapse, marks and punctuation go.
//   - skeleton: canon without vowels: lnk for all four above.

var cyrToLatin = map[rune]string{
	'а': "a", 'б': "b", 'в': "v", 'г': "h", 'ґ': "g", 'д': "d", 'е': "e", 'є': "e",
	'ж': "zh", 'з': "z", 'и': "y", 'і': "i", 'ї': "i", 'й': "i", 'к': "k", 'л': "l",
	'м': "m", 'н': "n", 'о': "o", 'п': "p", 'р': "r", 'с': "s", 'т': "t", 'у': "u",
	'ф': "f", 'х': "kh", 'ц': "ts", 'ч': "ch", 'ш': "sh", 'щ': "shch", 'ь': "", 'ю': "iu",
	'я': "ia", 'ы': "y", 'э': "e", 'ё': "e", 'ъ': "", 'ў': "u",
	// Latin letters with marks, as Polish, Czech and German spellings have them.
	'č': "ch", 'š': "sh", 'ž': "zh", 'ś': "s", 'ł': "l", 'ń': "n", 'ć': "ch", 'ź': "z",
	'ż': "zh", 'ü': "u", 'ö': "o", 'ä': "a", 'é': "e", 'è': "e", 'ý': "y", 'á': "a",
	'í': "i", 'ó': "o", 'ú': "u", 'ě': "e", 'ř': "r", 'ĭ': "i", 'ê': "e", 'ô': "o",
	'ą': "o", 'ę': "e", 'ß': "ss",
}

// latinRewrites fold the spellings that romanizations disagree on. They are
// applied in order, each to the whole string.
var latinRewrites = strings.NewReplacer(
	"shch", "sh", "sch", "sh", "tch", "ch", "tsch", "ch", "kh", "h", "x", "ks",
	"ck", "k", "q", "k", "w", "v", "ph", "f", "j", "i", "y", "i", "g", "h", "tz", "ts",
)

// canonical returns the canon form of s (see above). It is pure and
// idempotent on its own output.
func canonical(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 4)
	for _, r := range s {
		r = unicode.ToLower(r)
		if t, ok := cyrToLatin[r]; ok {
			b.WriteString(t)
			continue
		}
		switch {
		case r < utf8.RuneSelf && (r >= 'a' && r <= 'z' || r >= '0' && r <= '9'):
			b.WriteRune(r)
		case r >= utf8.RuneSelf && unicode.IsLetter(r):
			b.WriteRune(r) // another script: kept as it is
		}
	}
	out := latinRewrites.Replace(b.String())
	return collapseDoubles(out)
}

func collapseDoubles(s string) string {
	prev := rune(-1)
	dup := false
	for _, r := range s {
		if r == prev {
			dup = true
			break
		}
		prev = r
	}
	if !dup {
		return s
	}
	var b strings.Builder
	prev = -1
	for _, r := range s {
		if r != prev {
			b.WriteRune(r)
		}
		prev = r
	}
	return b.String()
}

// skeleton drops the vowels of a canon form and collapses what remains.
func skeleton(canon string) string {
	var b strings.Builder
	for _, r := range canon {
		switch r {
		case 'a', 'e', 'i', 'o', 'u':
			continue
		}
		b.WriteRune(r)
	}
	return collapseDoubles(b.String())
}

// placeWords are the words around a place name that registers add and
// that say nothing about which place it is.
var placeWords = map[string]bool{
	"м": true, "с": true, "смт": true, "сщ": true, "г": true, "пос": true, "пгт": true,
	"п": true, "д": true, "х": true, "село": true, "місто": true, "город": true,
	"селище": true, "поселок": true, "посёлок": true, "деревня": true, "хутір": true,
	"хутор": true, "village": true, "city": true, "town": true, "s": true, "m": true,
	"g": true, "selo": true, "misto": true, "smt": true, "mist": true,
}

// regionWords end the place name proper: "Алешки Херсонской обл." is Алешки.
var regionWords = map[string]bool{
	"обл": true, "область": true, "р-н": true, "район": true, "р-на": true, "району": true,
	"oblast": true, "region": true, "raion": true, "district": true, "обл.": true,
}

// cleanPlace returns the settlement's name from a birth place as registers
// write it: "м. Олешки", "г.Алешки, Херсонская обл.", "Oleshky, Khersonska oblast".
func cleanPlace(s string) string {
	if i := strings.IndexAny(s, ",;("); i >= 0 {
		s = s[:i]
	}
	s = strings.ToLower(s)
	s = strings.NewReplacer(".", ". ").Replace(s)
	words := strings.Fields(s)
	var keep []string
	for i, w := range words {
		bare := strings.Trim(w, ".")
		if regionWords[bare] || regionWords[w] {
			// drop the region's adjective that came before it
			if len(keep) > 1 {
				keep = keep[:len(keep)-1]
			}
			break
		}
		if placeWords[bare] && (strings.HasSuffix(w, ".") || i < len(words)-1) {
			continue
		}
		if bare != "" {
			keep = append(keep, bare)
		}
	}
	return strings.Join(keep, " ")
}

// lookalikeFold maps Cyrillic capitals to the Latin capitals they look
// like, for service numbers and unit numbers, where clerks type either.
var lookalikeFold = map[rune]rune{
	'А': 'A', 'В': 'B', 'Е': 'E', 'К': 'K', 'М': 'M', 'Н': 'H', 'О': 'O', 'Р': 'P',
	'С': 'C', 'Т': 'T', 'У': 'Y', 'Х': 'X', 'І': 'I', 'Ї': 'I', 'Ј': 'J', 'Ѕ': 'S',
	'З': '3', // a Cyrillic Ze typed for the digit three
}

// foldID returns an identifier upper-cased, with look-alike letters
// folded to Latin and everything but letters and digits removed.
func foldID(s string) string {
	var b strings.Builder
	for _, r := range s {
		r = unicode.ToUpper(r)
		if f, ok := lookalikeFold[r]; ok {
			r = f
		}
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// foldUnit returns a military unit's number: the words that hold a digit,
// folded ("в/ч А1234" and "military unit A-1234" are both A1234). A unit
// written without digits is folded whole.
func foldUnit(s string) string {
	words := strings.Fields(s)
	var b strings.Builder
	for _, w := range words {
		if strings.IndexFunc(w, unicode.IsDigit) >= 0 {
			b.WriteString(foldID(w))
		}
	}
	if b.Len() == 0 {
		return foldID(s)
	}
	return b.String()
}
