package names

import (
	"strings"
	"unicode/utf8"
)

// Endings of patronymics: Ukrainian and Russian in Cyrillic, and their
// romanizations (the Ukrainian national table's -ovych, -ivna; ICAO and
// older passport spellings -ovich, -evich, -ovna, -evna). Each with the
// fewest letters that must come before it.
var patronymicEndings = []struct {
	end  string
	stem int
}{
	// Men: Олександрович, Миколайович, Сергійович, Николаевич, Юрьевич;
	// Ілліч, Лукич, Ильич, Кузьмич, Фомич.
	{"ич", 3}, {"іч", 3},
	// Women: Олександрівна, Миколаївна, Сергіївна, Ивановна, Николаевна,
	// Юрьевна; Ильинична, Никитична, Фоминична.
	{"івна", 2}, {"ївна", 2}, {"овна", 2}, {"евна", 2}, {"ёвна", 2}, {"ична", 2},
	{"ovych", 2}, {"evych", 2}, {"ovich", 2}, {"evich", 2}, {"ovitch", 2}, {"evitch", 2},
	{"ovytch", 2}, {"ych", 3}, {"ich", 3},
	{"ivna", 2}, {"ovna", 2}, {"evna", 2}, {"ichna", 2}, {"ychna", 2},
}

// Words that mark an Azerbaijani or other Turkic patronymic, written after
// the father's name: Ali oglu (son of Ali), Ali kyzy (daughter of Ali), in
// Russian оглы/кызы, in Ukrainian огли/кизи.
var patronymicMarkers = []string{"оглы", "огли", "кызы", "кизи", "oglu", "ogly", "ogli", "kyzy", "kizi", "qizi", "oğlu", "qızı"}

// IsPatronymic reports whether the word s ends as a Ukrainian or Russian
// patronymic does, in Cyrillic or in a common romanization: -ович, -евич,
// -йович, -ич, -івна, -ївна, -овна, -евна, -ична, -ovych, -ovich, -evich,
// -ivna, -ovna, -evna. A Turkic patronymic marker on its own (оглы, огли,
// кызы, кизи, oglu, kyzy) counts too.
//
// It looks at the form only. Many surnames end the same way (Їжакевич,
// Бабич, Маринич), so callers should weigh where the word stands in a name
// as well: in "Бабич Іван Петрович" only the third word is the patronymic.
func IsPatronymic(s string) bool {
	s = strings.ToLower(strings.TrimSpace(s))
	for _, m := range patronymicMarkers {
		if s == m {
			return true
		}
	}
	for _, e := range patronymicEndings {
		if strings.HasSuffix(s, e.end) {
			stem := s[:len(s)-len(e.end)]
			if utf8.RuneCountInString(stem) >= e.stem && !strings.ContainsAny(stem, " -") {
				return true
			}
		}
	}
	return false
}
