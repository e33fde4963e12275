package names

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Apostrophe is the one apostrophe Normalize leaves in a name. Ukrainian
// spelling needs an apostrophe (Знам'янка, Дем'ян) and lists type it in half
// a dozen ways; the ASCII one is the form every system can store and search.
const Apostrophe = '\''

// isApostrophe reports whether r is one of the characters people type for
// the Ukrainian apostrophe: ' ’ ʼ ` ‘ ʹ ´ ′ ʻ and the fullwidth one.
func isApostrophe(r rune) bool {
	switch r {
	case '\'', '’', 'ʼ', '`', '‘', 'ʹ', '´', '′', 'ʻ', '＇':
		return true
	}
	return false
}

// isInvisible reports whether r is a format character that carries nothing
// in a name but breaks comparisons: zero-width spaces and joiners, the soft
// hyphen, direction marks and the byte-order mark.
func isInvisible(r rune) bool {
	switch r {
	case '\u00AD', '\u200B', '\u200C', '\u200D', '\u200E', '\u200F',
		'\u2060', '\u202A', '\u202B', '\u202C', '\u202D', '\u202E', '\uFEFF':
		return true
	}
	return false
}

// isCyrillicLetter reports whether r is a Cyrillic letter.
func isCyrillicLetter(r rune) bool {
	return r >= 0x400 && r <= 0x52F && unicode.IsLetter(r) || r >= 0x1C80 && r <= 0x1C88 ||
		r >= 0x2DE0 && r <= 0x2DFF || r >= 0xA640 && r <= 0xA69F && unicode.IsLetter(r)
}

// isLatinLetter reports whether r is a Latin letter.
func isLatinLetter(r rune) bool {
	if r < utf8.RuneSelf {
		return 'a' <= r|0x20 && r|0x20 <= 'z'
	}
	return unicode.Is(unicode.Latin, r)
}

// Normalize returns s in Unicode NFC, with every apostrophe form (' ’ ʼ ` ‘
// ʹ ´ ′ ʻ) replaced by [Apostrophe], stress marks on Cyrillic letters
// (Ю́рій) and invisible format characters (zero-width space, soft hyphen,
// byte-order mark) removed, and white space collapsed to single spaces and
// trimmed. Invalid UTF-8 becomes U+FFFD. Letter case and everything else is
// kept. Normalize(Normalize(s)) == Normalize(s) for every s.
func Normalize(s string) string {
	if isNormalSimple(s) {
		return s
	}
	s = strings.ToValidUTF8(s, "\uFFFD")
	// Stress marks and invisible characters are removed from the
	// decomposed form, before composing, so that what they separated
	// composes now and not on a second call.
	d := norm.NFD.String(s)
	var b strings.Builder
	b.Grow(len(d))
	var base rune
	for _, r := range d {
		switch {
		case isInvisible(r):
			continue
		case (r == '\u0301' || r == '\u0300') && isCyrillicLetter(base):
			continue
		}
		if !unicode.Is(unicode.Mn, r) {
			base = r
		}
		if isApostrophe(r) {
			r = Apostrophe
		}
		b.WriteRune(r)
	}
	s = norm.NFC.String(b.String())
	return strings.Join(strings.Fields(s), " ")
}

// isNormalSimple reports whether s is already in normal form and made only
// of printable ASCII and basic Cyrillic letters (U+0400–U+045F, Ґ, ґ), which
// are all in NFC on their own: no backquote, no leading, trailing or doubled
// space.
func isNormalSimple(s string) bool {
	prevSpace := true
	for _, r := range s {
		switch {
		case r == ' ':
			if prevSpace {
				return false
			}
			prevSpace = true
		case r > ' ' && r < 0x7f && r != '`', r >= 0x400 && r <= 0x45F, r == 'Ґ', r == 'ґ':
			prevSpace = false
		default:
			return false
		}
	}
	return !prevSpace || s == ""
}

// latinTwin returns the Cyrillic letter that the Latin letter r looks like.
// A Latin i stands for the Ukrainian і: people who type it on a Latin
// keyboard layout mean the Ukrainian letter, which Russian does not have.
func latinTwin(r rune) (rune, bool) {
	switch r {
	case 'a':
		return 'а', true
	case 'c':
		return 'с', true
	case 'e':
		return 'е', true
	case 'i':
		return 'і', true
	case 'k':
		return 'к', true
	case 'o':
		return 'о', true
	case 'p':
		return 'р', true
	case 'x':
		return 'х', true
	case 'y':
		return 'у', true
	case 'ï':
		return 'ї', true
	case 'ë':
		return 'ё', true
	case 'A':
		return 'А', true
	case 'B':
		return 'В', true
	case 'C':
		return 'С', true
	case 'E':
		return 'Е', true
	case 'H':
		return 'Н', true
	case 'I':
		return 'І', true
	case 'K':
		return 'К', true
	case 'M':
		return 'М', true
	case 'O':
		return 'О', true
	case 'P':
		return 'Р', true
	case 'T':
		return 'Т', true
	case 'X':
		return 'Х', true
	case 'Y':
		return 'У', true
	case 'Ï':
		return 'Ї', true
	case 'Ë':
		return 'Ё', true
	}
	return r, false
}

// cyrillicTwin returns the Latin letter that the Cyrillic letter r looks
// like: the pairs of latinTwin the other way round.
func cyrillicTwin(r rune) (rune, bool) {
	switch r {
	case 'а':
		return 'a', true
	case 'с':
		return 'c', true
	case 'е':
		return 'e', true
	case 'і':
		return 'i', true
	case 'к':
		return 'k', true
	case 'о':
		return 'o', true
	case 'р':
		return 'p', true
	case 'х':
		return 'x', true
	case 'у':
		return 'y', true
	case 'ї':
		return 'ï', true
	case 'ё':
		return 'ë', true
	case 'А':
		return 'A', true
	case 'В':
		return 'B', true
	case 'С':
		return 'C', true
	case 'Е':
		return 'E', true
	case 'Н':
		return 'H', true
	case 'І':
		return 'I', true
	case 'К':
		return 'K', true
	case 'М':
		return 'M', true
	case 'О':
		return 'O', true
	case 'Р':
		return 'P', true
	case 'Т':
		return 'T', true
	case 'Х':
		return 'X', true
	case 'У':
		return 'Y', true
	case 'Ї':
		return 'Ï', true
	case 'Ё':
		return 'Ë', true
	}
	return r, false
}

// wordScript is what repair decides a word is written in.
type wordScript uint8

const (
	wordAsIs     wordScript = iota // leave the word alone
	wordCyrillic                   // Latin look-alikes become Cyrillic
	wordLatin                      // Cyrillic look-alikes become Latin
)

// judgeWord decides the script of one word from its letters. A letter that
// has a twin in the other script is no evidence; the others are. A word
// with Cyrillic evidence only is Cyrillic, one with Latin evidence only is
// Latin; a word of twins only goes with the script most of them are in,
// Cyrillic on a tie; a word with evidence for both goes with the majority
// of the evidence, and is left alone on a tie.
func judgeWord(w string) wordScript {
	var cyr, lat, cyrTwin, latTwin int

	for _, r := range w {
		switch {
		case isCyrillicLetter(r):
			if _, ok := cyrillicTwin(r); ok {
				cyrTwin++
			} else {
				cyr++
			}
		case isLatinLetter(r):
			if _, ok := latinTwin(r); ok {
				latTwin++
			} else {
				lat++
			}
		}
	}
	return judgeCounts(cyr, lat, cyrTwin, latTwin)
}

// judgeCounts is judgeWord on counts of letters: Cyrillic and Latin letters
// without a twin in the other script, and with one.
func judgeCounts(cyr, lat, cyrTwin, latTwin int) wordScript {
	switch {
	case cyr+cyrTwin == 0 || lat+latTwin == 0:
		return wordAsIs // one script only
	case cyr > lat:
		if latTwin == 0 {
			return wordAsIs
		}
		return wordCyrillic
	case lat > cyr:
		if cyrTwin == 0 {
			return wordAsIs
		}
		return wordLatin
	case cyr > 0: // evidence for both, tied
		return wordAsIs
	case latTwin > cyrTwin:
		return wordLatin
	}
	return wordCyrillic
}

// RepairLookalikes repairs words typed with letters of the wrong script, as
// happens on mixed keyboard layouts: in a word that is otherwise Cyrillic,
// Latin letters that look like Cyrillic ones (a c e i o p x y k, A B C E H I
// K M O P T X Y, ï ë) become the Cyrillic letter, a Latin i becoming the
// Ukrainian і; in a word that is otherwise Latin, Cyrillic look-alikes become
// Latin. Words wholly in one script, and words with as much evidence for one
// script as for the other, are left alone. It reports whether anything
// changed; when nothing did, it returns s itself.
func RepairLookalikes(s string) (string, bool) {
	if oneScript(s) {
		return s, false
	}
	var b strings.Builder
	changed := false
	start := -1 // start of the current word, or -1
	flush := func(end int) {
		w := s[start:end]
		var table func(rune) (rune, bool)
		switch judgeWord(w) {
		case wordCyrillic:
			table = latinTwin
		case wordLatin:
			table = cyrillicTwin
		}
		if table == nil {
			if changed {
				b.WriteString(w)
			}
			return
		}
		if !changed {
			changed = true
			b.Grow(len(s) + 8)
			b.WriteString(s[:start])
		}
		for _, r := range w {
			r, _ = table(r)
			b.WriteRune(r)
		}
	}
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		inWord := unicode.IsLetter(r) || unicode.Is(unicode.Mn, r) || start >= 0 && isApostrophe(r)
		switch {
		case inWord && start < 0:
			start = i
		case !inWord && start >= 0:
			flush(i)
			start = -1
		}
		if !inWord && changed {
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	if start >= 0 {
		flush(len(s))
	}
	if !changed {
		return s, false
	}
	return b.String(), true
}

// oneScript reports, from its bytes alone, that s cannot hold a word with
// both Latin and Cyrillic letters: it is all ASCII, or it has no ASCII
// letter and nothing beyond ASCII but Cyrillic (lead bytes 0xD0–0xD3,
// U+0400–U+04FF). Most cells of a list are one or the other, and this test
// spares them the letter-by-letter judgement on the path of every row.
func oneScript(s string) bool {
	asciiLetter, other := false, false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c < utf8.RuneSelf:
			if 'a' <= c|0x20 && c|0x20 <= 'z' {
				asciiLetter = true
			}
		case c >= 0xD0 && c <= 0xD3:
			other = true
			i++ // the continuation byte
		default:
			return false
		}
	}
	return !(asciiLetter && other)
}
