package names

import (
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// The skeleton is the script-neutral spelling that keys are made of. It is
// written in lower-case ASCII letters, one letter a sound:
//
//	a o u e i     vowels; i stands for и і ї ы й and Latin i y j
//	b v g d z k l m n p r s t f
//	x             х (kh)
//	j             ж (zh)
//	c             ц (ts)
//	q             ч (ch)
//	w             ш (sh); щ (shch) is wq
//
// Words are separated by single spaces. Digits are kept; letters of other
// scripts are kept in lower case, as they are.
//
// The fine skeleton keeps e apart from i and ё (io) apart from е; it is what
// the forms tables are looked up by. The coarse skeleton, for surnames,
// also merges what Ukrainian and Russian spellings of one surname swap:
// е, є, э with і, и, ы (Олійник, Олейник), ё and ьо with е (Ковальов,
// Ковалёв, Ковалев), -ой with -ий (Лісовий, Лесовой), -ая with -а
// (Згурська, Згурская).
type keyMode uint8

const (
	fine keyMode = iota
	coarse
)

// skeleton appends the skeleton of s to dst.
func skeleton(dst []byte, s string, mode keyMode) []byte {
	first := len(dst)
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if !isWordRune(r) {
			i += n
			continue
		}
		j := i + n
		for j < len(s) {
			r, n := utf8.DecodeRuneInString(s[j:])
			if !isWordRune(r) {
				break
			}
			j += n
		}
		sep := len(dst)
		if sep > first {
			dst = append(dst, ' ')
		}
		start := len(dst)
		dst = wordSkeleton(dst, s[i:j], mode)
		if len(dst) == start {
			dst = dst[:sep]
		}
		i = j
	}
	return dst
}

// isWordRune reports whether r belongs inside a word: letters, digits,
// combining marks and apostrophes.
func isWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return 'a' <= r|0x20 && r|0x20 <= 'z' || '0' <= r && r <= '9' || r == '\'' || r == '`'
	}
	if r >= 0x400 && r <= 0x45F {
		return true // the basic Cyrillic letters
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) || isApostrophe(r)
}

// lower is unicode.ToLower with fast paths for ASCII and Cyrillic.
func lower(r rune) rune {
	switch {
	case r < utf8.RuneSelf:
		if 'A' <= r && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	case r >= 0x430 && r <= 0x45F:
		return r
	case r >= 0x410 && r <= 0x42F:
		return r + 0x20
	case r >= 0x400 && r <= 0x40F:
		return r + 0x50
	}
	return unicode.ToLower(r)
}

// wordSkeleton appends the skeleton of one word w to dst.
func wordSkeleton(dst []byte, w string, mode keyMode) []byte {
	// The word's letters, in lower case, look-alikes repaired, marks and
	// apostrophes dropped.
	var arr [48]rune
	rs := arr[:0]
	var cyr, lat, cyrTwin, latTwin int
	for _, r := range w {
		switch {
		case r < utf8.RuneSelf:
			if 'a' <= r|0x20 && r|0x20 <= 'z' {
				if _, ok := latinTwin(r); ok {
					latTwin++
				} else {
					lat++
				}
			} else if r == '\'' || r == '`' {
				continue
			}
		case r < 0x400 || r > 0x45F && !isCyrillicLetter(r):
			// Neither ASCII nor Cyrillic.
			if isApostrophe(r) || unicode.Is(unicode.Mn, r) {
				continue
			}
			if _, ok := latinTwin(r); ok {
				latTwin++
			} else if isLatinLetter(r) {
				lat++
			}
			r = baseLetter(r)
		default: // Cyrillic
			if _, ok := cyrillicTwin(r); ok {
				cyrTwin++
			} else {
				cyr++
			}
		}
		rs = append(rs, r)
	}
	var twin func(rune) (rune, bool)
	if cyr+cyrTwin > 0 && lat+latTwin > 0 {
		switch judgeCounts(cyr, lat, cyrTwin, latTwin) {
		case wordCyrillic:
			twin = latinTwin
		case wordLatin:
			twin = cyrillicTwin
		}
	}
	for i, r := range rs {
		if twin != nil {
			r, _ = twin(r)
		}
		rs[i] = lower(r)
	}

	start := len(dst)
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		var next rune
		if i+1 < len(rs) {
			next = rs[i+1]
		}
		if r < utf8.RuneSelf {
			var skip int
			dst, skip = latinSound(dst, rs[i:])
			i += skip
			continue
		}
		if r >= 0x430 && r <= 0x45F || r == 'ґ' || r == 'ў' {
			dst = cyrillicSound(dst, r, next)
			continue
		}
		if s := latinExtendedSound(r); s != "" {
			dst = append(dst, s...)
			continue
		}
		dst = utf8.AppendRune(dst, r)
	}
	return dst[:start+reduce(dst[start:], mode)]
}

// baseLetter returns the letter r with its diacritics removed (ễ e, ί ι),
// unless latinExtendedSound knows r as a letter of its own (č, ž, ł).
func baseLetter(r rune) rune {
	if r < 0xC0 || latinExtendedSound(lower(r)) != "" {
		return r
	}
	var tmp [utf8.UTFMax]byte
	n := utf8.EncodeRune(tmp[:], r)
	if d := norm.NFD.Properties(tmp[:n]).Decomposition(); d != nil {
		r, _ = utf8.DecodeRune(d)
	}
	return r
}

// cyrillicSound appends the sound of the lower-case Cyrillic letter r,
// followed by next.
func cyrillicSound(dst []byte, r, next rune) []byte {
	switch r {
	case 'а':
		return append(dst, 'a')
	case 'б':
		return append(dst, 'b')
	case 'в':
		return append(dst, 'v')
	case 'г', 'ґ':
		return append(dst, 'g')
	case 'д':
		return append(dst, 'd')
	case 'е', 'э':
		return append(dst, 'e')
	case 'є':
		return append(dst, 'i', 'e')
	case 'ж':
		return append(dst, 'j')
	case 'з':
		return append(dst, 'z')
	case 'и', 'і', 'ї', 'й', 'ы', 'ј':
		return append(dst, 'i')
	case 'к':
		return append(dst, 'k')
	case 'л':
		return append(dst, 'l')
	case 'м':
		return append(dst, 'm')
	case 'н':
		return append(dst, 'n')
	case 'о':
		return append(dst, 'o')
	case 'п':
		return append(dst, 'p')
	case 'р':
		return append(dst, 'r')
	case 'с':
		return append(dst, 's')
	case 'т':
		return append(dst, 't')
	case 'у', 'ў':
		return append(dst, 'u')
	case 'ф':
		return append(dst, 'f')
	case 'х':
		return append(dst, 'x')
	case 'ц':
		return append(dst, 'c')
	case 'ч':
		return append(dst, 'q')
	case 'ш':
		return append(dst, 'w')
	case 'щ':
		return append(dst, 'w', 'q')
	case 'ь', 'ъ':
		// A sign before a vowel sounds as й: Наталья, Дьяченко, Объедков,
		// Ковальов. Elsewhere it only softens, and is dropped.
		switch next {
		case 'е', 'є', 'ё', 'ю', 'я', 'и', 'і', 'ї', 'о':
			return append(dst, 'i')
		}
		return dst
	case 'ю':
		return append(dst, 'i', 'u')
	case 'я':
		return append(dst, 'i', 'a')
	case 'ё':
		return append(dst, 'i', 'o')
	}
	return utf8.AppendRune(dst, r)
}

// latinSound appends the sound of the ASCII letters at the start of rs,
// reading digraphs (kh, zh, ch, sh, shch, ts, ...), and reports how many
// more runes than the first it used.
func latinSound(dst []byte, rs []rune) ([]byte, int) {
	at := func(i int) rune {
		if i < len(rs) {
			return rs[i]
		}
		return 0
	}
	switch r := rs[0]; r {
	case 'c':
		switch at(1) {
		case 'h', 'z':
			return append(dst, 'q'), 1
		}
		return append(dst, 'k'), 0
	case 'e':
		return append(dst, 'e'), 0
	case 'g':
		if at(1) == 'h' {
			return append(dst, 'g'), 1
		}
		return append(dst, 'g'), 0
	case 'h':
		return append(dst, 'g'), 0
	case 'i', 'j', 'y':
		return append(dst, 'i'), 0
	case 'k':
		if at(1) == 'h' {
			return append(dst, 'x'), 1
		}
		return append(dst, 'k'), 0
	case 'p':
		if at(1) == 'h' {
			return append(dst, 'f'), 1
		}
		return append(dst, 'p'), 0
	case 'q':
		return append(dst, 'k'), 0
	case 's':
		switch {
		case at(1) == 'h' && at(2) == 'c' && at(3) == 'h':
			return append(dst, 'w', 'q'), 3
		case at(1) == 'h', at(1) == 'z':
			return append(dst, 'w'), 1
		}
		return append(dst, 's'), 0
	case 't':
		switch {
		case at(1) == 'c' && at(2) == 'h':
			return append(dst, 'q'), 2
		case at(1) == 's', at(1) == 'z':
			return append(dst, 'c'), 1
		case at(1) == 'h':
			return append(dst, 't'), 1
		}
		return append(dst, 't'), 0
	case 'w':
		return append(dst, 'v'), 0
	case 'x':
		return append(dst, 'k', 's'), 0
	case 'z':
		if at(1) == 'h' {
			return append(dst, 'j'), 1
		}
		return append(dst, 'z'), 0
	default:
		return append(dst, byte(r)), 0
	}
}

// latinExtendedSound returns the sound of a lower-case Latin letter with a
// diacritic, as Czech, Polish, Turkish and scholarly romanizations write
// them, or "" for letters it does not know.
func latinExtendedSound(r rune) string {
	switch r {
	case 'à', 'á', 'â', 'ã', 'ä', 'å', 'ą', 'ā', 'ă':
		return "a"
	case 'è', 'é', 'ê', 'ë', 'ě', 'ę', 'ē', 'ė':
		return "e"
	case 'ì', 'í', 'î', 'ï', 'ı', 'ý', 'ÿ', 'ī', 'ĭ':
		return "i"
	case 'ò', 'ó', 'ô', 'õ', 'ö', 'ø', 'ō', 'ő':
		return "o"
	case 'ù', 'ú', 'û', 'ü', 'ŭ', 'ū', 'ů', 'ű':
		return "u"
	case 'č', 'ć', 'ç':
		return "q"
	case 'š', 'ş', 'ș':
		return "w"
	case 'ŝ':
		return "wq"
	case 'ž', 'ż':
		return "j"
	case 'ź':
		return "z"
	case 'ś':
		return "s"
	case 'ł':
		return "l"
	case 'ñ', 'ń', 'ň':
		return "n"
	case 'ğ', 'ġ', 'ģ':
		return "g"
	case 'ř':
		return "r"
	case 'ď':
		return "d"
	case 'ť', 'ţ', 'ț':
		return "t"
	case 'ß':
		return "s"
	case 'ĺ', 'ľ', 'ļ':
		return "l"
	case 'ķ':
		return "k"
	}
	return ""
}

func isVowelByte(c byte) bool {
	switch c {
	case 'a', 'o', 'u', 'e', 'i':
		return true
	}
	return false
}

func isConsonantByte(c byte) bool {
	return 'a' <= c && c <= 'z' && !isVowelByte(c)
}

// reduce rewrites the sounds of one word in b in place and returns their
// new length.
func reduce(b []byte, mode keyMode) int {
	// тс sounds as ц: Latin ts already became c.
	n := 0
	for i := 0; i < len(b); i++ {
		if b[i] == 't' && i+1 < len(b) && b[i+1] == 's' {
			b[n] = 'c'
			n++
			i++
			continue
		}
		b[n] = b[i]
		n++
	}
	n = collapse(b[:n])
	// є, ye, ie at the start of a word or after a vowel is Russian е there:
	// Євген, Yevhen, Евгений; Гаєвич, Haievych, Гаевич.
	m := 0
	for i := 0; i < n; i++ {
		if b[i] == 'i' && i+1 < n && b[i+1] == 'e' && (i == 0 || isVowelByte(b[i-1])) {
			continue
		}
		b[m] = b[i]
		m++
	}
	n = m
	if mode == fine {
		return n
	}
	// Coarse: е is і, ё is е.
	m = 0
	for i := 0; i < n; i++ {
		c := b[i]
		if c == 'e' {
			c = 'i'
		}
		if c == 'o' && m >= 2 && b[m-1] == 'i' && isConsonantByte(b[m-2]) {
			continue // ё, ьо after a consonant: Ковальов, Ковалёв
		}
		b[m] = c
		m++
	}
	n = collapse(b[:m])
	// -ой is -ий: Лесовой, Лісовий; -ая is -а: Згурская, Згурська.
	if n >= 4 && b[n-1] == 'i' && b[n-2] == 'o' && isConsonantByte(b[n-3]) {
		b[n-2] = 'i'
		n--
	}
	if n >= 5 && b[n-1] == 'a' && b[n-2] == 'i' && b[n-3] == 'a' {
		n -= 2
	}
	return n
}

// collapse squeezes runs of one ASCII letter to one letter (Ганна, Hanna,
// Ілля, Illia; ий, iy) and returns the new length.
func collapse(b []byte) int {
	n := 0
	for i := 0; i < len(b); i++ {
		if n > 0 && b[i] == b[n-1] && 'a' <= b[i] && b[i] <= 'z' {
			continue
		}
		b[n] = b[i]
		n++
	}
	return n
}
