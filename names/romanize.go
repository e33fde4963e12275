package names

import (
	"strings"
	"unicode"
)

// RomanizeUkrainian writes Ukrainian Cyrillic in Latin letters by the
// national table: resolution No. 55 of the Cabinet of Ministers of Ukraine
// of 27 January 2010, "Про впорядкування транслітерації українського
// алфавіту латиницею" (https://zakon.rada.gov.ua/laws/show/55-2010-п),
// the table Ukrainian passports use and the United Nations recommended for
// geographical names in 2012.
//
//	А A  Б B  В V  Г H  Ґ G  Д D  Е E  Є Ye/ie  Ж Zh  З Z  И Y  І I
//	Ї Yi/i  Й Y/i  К K  Л L  М M  Н N  О O  П P  Р R  С S  Т T  У U
//	Ф F  Х Kh  Ц Ts  Ч Ch  Ш Sh  Щ Shch  Ь –  Ю Yu/iu  Я Ya/ia  ' –
//
// Є, Ї, Й, Ю and Я are Ye, Yi, Y, Yu and Ya at the start of a word and ie,
// i, i, iu and ia elsewhere; зг is zgh (Згорани Zghorany, Розгон Rozghon)
// so as not to read as ж; the soft sign and the apostrophe are not written.
// Letters keep their case: a capital becomes a capital (Щ Shch), and in a
// word written wholly in capitals every letter does (ЩУР SHCHUR). Anything
// that is not a Ukrainian or Russian letter is copied as it is; Russian
// letters outside the Ukrainian alphabet (ё ъ ы э) are written as ICAO Doc
// 9303 does.
func RomanizeUkrainian(s string) string { return romanize(s, ukrainianLatin) }

// RomanizeRussian writes Russian Cyrillic in Latin letters by the table of
// ICAO Doc 9303 (Machine Readable Travel Documents, part 3, transliteration
// of Cyrillic characters), which Russian passports have used since 2014:
//
//	А A  Б B  В V  Г G  Д D  Е E  Ё E  Ж ZH  З Z  И I  Й I  К K  Л L
//	М M  Н N  О O  П P  Р R  С S  Т T  У U  Ф F  Х KH  Ц TS  Ч CH  Ш SH
//	Щ SHCH  Ъ IE  Ы Y  Ь –  Э E  Ю IU  Я IA
//
// (Александр Aleksandr, Юрий Iurii, Щербаков Shcherbakov, Объедков
// Obieedkov). Ukrainian letters are written as the same table does (І I,
// Ї I, Є IE, Ґ G); case is kept as RomanizeUkrainian keeps it.
func RomanizeRussian(s string) string { return romanize(s, russianLatin) }

// Romanize writes s in Latin letters by the national table of lang:
// RomanizeUkrainian for Ukrainian, RomanizeRussian for Russian. Any other
// lang returns s unchanged.
func Romanize(s string, lang Lang) string {
	switch lang {
	case Ukrainian:
		return RomanizeUkrainian(s)
	case Russian:
		return RomanizeRussian(s)
	}
	return s
}

// latinTable gives the Latin of a lower-case Cyrillic letter. initial is the
// Latin at the start of a word, where it differs.
type latinTable func(r rune, initial, afterZ bool) (string, bool)

func ukrainianLatin(r rune, initial, afterZ bool) (string, bool) {
	switch r {
	case 'г':
		if afterZ {
			return "gh", true
		}
		return "h", true
	case 'ґ':
		return "g", true
	case 'е':
		return "e", true
	case 'є':
		if initial {
			return "ye", true
		}
		return "ie", true
	case 'и':
		return "y", true
	case 'і':
		return "i", true
	case 'ї':
		if initial {
			return "yi", true
		}
		return "i", true
	case 'й':
		if initial {
			return "y", true
		}
		return "i", true
	case 'ю':
		if initial {
			return "yu", true
		}
		return "iu", true
	case 'я':
		if initial {
			return "ya", true
		}
		return "ia", true
	case 'ь':
		return "", true
	}
	// Russian letters in a Ukrainian text: as ICAO writes them.
	return russianLatin(r, initial, afterZ)
}

func russianLatin(r rune, _, _ bool) (string, bool) {
	switch r {
	case 'а':
		return "a", true
	case 'б':
		return "b", true
	case 'в':
		return "v", true
	case 'г':
		return "g", true
	case 'ґ':
		return "g", true
	case 'д':
		return "d", true
	case 'е', 'ё', 'э':
		return "e", true
	case 'є':
		return "ie", true
	case 'ж':
		return "zh", true
	case 'з':
		return "z", true
	case 'и', 'і', 'ї', 'й':
		return "i", true
	case 'к':
		return "k", true
	case 'л':
		return "l", true
	case 'м':
		return "m", true
	case 'н':
		return "n", true
	case 'о':
		return "o", true
	case 'п':
		return "p", true
	case 'р':
		return "r", true
	case 'с':
		return "s", true
	case 'т':
		return "t", true
	case 'у', 'ў':
		return "u", true
	case 'ф':
		return "f", true
	case 'х':
		return "kh", true
	case 'ц':
		return "ts", true
	case 'ч':
		return "ch", true
	case 'ш':
		return "sh", true
	case 'щ':
		return "shch", true
	case 'ъ':
		return "ie", true
	case 'ы':
		return "y", true
	case 'ь':
		return "", true
	case 'ю':
		return "iu", true
	case 'я':
		return "ia", true
	}
	return "", false
}

func romanize(s string, table latinTable) string {
	rs := []rune(s)
	var b strings.Builder
	b.Grow(len(s) + len(s)/4)
	wordUpper := false // whether the current word is written in capitals
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		if isApostrophe(r) {
			// An apostrophe between letters is part of the spelling and
			// is not written; any other is a quotation mark, kept.
			if prevLetter(rs, i) >= 0 && i+1 < len(rs) && isCyrillicLetter(rs[i+1]) && isCyrillicLetter(rs[prevLetter(rs, i)]) {
				continue
			}
			b.WriteRune(r)
			continue
		}
		if !isCyrillicLetter(r) {
			b.WriteRune(r)
			continue
		}
		p := prevLetter(rs, i)
		initial := p < 0
		if initial {
			wordUpper = isUpperWord(rs[i:])
		}
		l := lower(r)
		afterZ := p >= 0 && lower(rs[p]) == 'з'
		lat, ok := table(l, initial, afterZ)
		if !ok {
			b.WriteRune(r)
			continue
		}
		switch {
		case l == r || lat == "":
			b.WriteString(lat)
		case wordUpper:
			b.WriteString(strings.ToUpper(lat))
		default:
			b.WriteByte(lat[0] - 'a' + 'A')
			b.WriteString(lat[1:])
		}
	}
	return b.String()
}

// prevLetter returns the index of the letter of the same word before rs[i],
// skipping combining marks and apostrophes between letters, or -1 at the
// start of a word.
func prevLetter(rs []rune, i int) int {
	for j := i - 1; j >= 0; j-- {
		switch r := rs[j]; {
		case unicode.Is(unicode.Mn, r):
		case isApostrophe(r):
			if j == 0 || !unicode.IsLetter(rs[j-1]) && !unicode.Is(unicode.Mn, rs[j-1]) {
				return -1
			}
		case unicode.IsLetter(r):
			return j
		default:
			return -1
		}
	}
	return -1
}

// isUpperWord reports whether the word starting at rs[0] has two or more
// letters and all of them are capitals.
func isUpperWord(rs []rune) bool {
	n := 0
	for _, r := range rs {
		switch {
		case unicode.Is(unicode.Mn, r), isApostrophe(r):
			continue
		case !unicode.IsLetter(r):
			return n >= 2
		case !unicode.IsUpper(r):
			return false
		}
		n++
	}
	return n >= 2
}
