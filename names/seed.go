package names

// SEED: placeholder implementations of the package's contract, to be
// replaced by the real machinery. The signatures are fixed: the domain and
// package linkage call them.

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Part is which part of a name a string is; keys and forms depend on it.
type Part uint8

const (
	Surname Part = iota
	Given
	Patronymic
	Place
)

// Normalize returns s in NFC with apostrophes unified and white space
// collapsed. Normalize(Normalize(s)) == Normalize(s).
func Normalize(s string) string {
	s = norm.NFC.String(s)
	s = strings.Map(func(r rune) rune {
		switch r {
		case '’', 'ʼ', '`', '‘', 'ʹ':
			return '\''
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

var lookalikes = map[rune]rune{
	'a': 'а', 'c': 'с', 'e': 'е', 'i': 'і', 'o': 'о', 'p': 'р', 'x': 'х', 'y': 'у',
	'A': 'А', 'B': 'В', 'C': 'С', 'E': 'Е', 'H': 'Н', 'I': 'І', 'K': 'К', 'M': 'М',
	'O': 'О', 'P': 'Р', 'T': 'Т', 'X': 'Х',
}

// RepairLookalikes replaces Latin letters that look like Cyrillic ones
// inside words that are otherwise Cyrillic, and reports whether it did.
func RepairLookalikes(s string) (string, bool) {
	words := strings.Fields(s)
	changed := false
	for i, w := range words {
		cyr, lat := 0, 0
		for _, r := range w {
			if unicode.Is(unicode.Cyrillic, r) {
				cyr++
			} else if r < 128 && unicode.IsLetter(r) {
				lat++
			}
		}
		if cyr == 0 || lat == 0 {
			continue
		}
		words[i] = strings.Map(func(r rune) rune {
			if c, ok := lookalikes[r]; ok {
				changed = true
				return c
			}
			return r
		}, w)
	}
	if !changed {
		return s, false
	}
	return strings.Join(words, " "), true
}

// IsPatronymic reports whether s ends as a patronymic does.
func IsPatronymic(s string) bool {
	l := strings.ToLower(s)
	for _, e := range []string{"ович", "евич", "йович", "ич", "івна", "ївна", "овна", "евна", "ична", "ovych", "ovich", "evich", "ivna", "ovna", "evna"} {
		if strings.HasSuffix(l, e) && len([]rune(l)) > len([]rune(e))+1 {
			return true
		}
	}
	return false
}

// Key returns a script-neutral key of one name part: equal for the
// Ukrainian, Russian and Latin spellings of the same name.
func Key(part Part, s string) string {
	return strings.ToLower(Normalize(s))
}

// Equivalent reports whether a and b are the same name part in different
// languages or scripts (Олександр, Александр, Oleksandr).
func Equivalent(part Part, a, b string) bool { return Key(part, a) == Key(part, b) }
