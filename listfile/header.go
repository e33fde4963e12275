package listfile

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"tally"
)

// headerFields maps a normalized header name (see headerKey) to its field.
// It is the table of the list spec, plus a few spellings clerks use
// ("№ п/п", "ф.и.о.", "No."), after normalization. It is never written to.
var headerFields = map[string]tally.Field{
	// ref
	"ref": tally.FieldRef, "id": tally.FieldRef, "no": tally.FieldRef, "number": tally.FieldRef,
	"№": tally.FieldRef, "номер": tally.FieldRef, "№п/п": tally.FieldRef, "п/п": tally.FieldRef,
	"#": tally.FieldRef,
	// surname
	"surname": tally.FieldSurname, "lastname": tally.FieldSurname, "familyname": tally.FieldSurname,
	"прізвище": tally.FieldSurname, "фамилия": tally.FieldSurname,
	// given_name
	"givenname": tally.FieldGivenName, "firstname": tally.FieldGivenName, "name": tally.FieldGivenName,
	"імя": tally.FieldGivenName, "имя": tally.FieldGivenName,
	// patronymic
	"patronymic": tally.FieldPatronymic, "fathersname": tally.FieldPatronymic,
	"middlename": tally.FieldPatronymic, "побатькові": tally.FieldPatronymic,
	"отчество": tally.FieldPatronymic,
	// full_name
	"fullname": tally.FieldFullName, "піб": tally.FieldFullName,
	"прізвищеімяпобатькові": tally.FieldFullName, "фио": tally.FieldFullName,
	"фамилияимяотчество": tally.FieldFullName,
	// birth_date
	"birthdate": tally.FieldBirthDate, "dateofbirth": tally.FieldBirthDate, "dob": tally.FieldBirthDate,
	"датанародження": tally.FieldBirthDate, "датарождения": tally.FieldBirthDate,
	// birth_place
	"birthplace": tally.FieldBirthPlace, "placeofbirth": tally.FieldBirthPlace,
	"місценародження": tally.FieldBirthPlace, "месторождения": tally.FieldBirthPlace,
	// sex
	"sex": tally.FieldSex, "gender": tally.FieldSex, "стать": tally.FieldSex, "пол": tally.FieldSex,
	// citizenship
	"citizenship": tally.FieldCitizenship, "nationality": tally.FieldCitizenship,
	"громадянство": tally.FieldCitizenship, "гражданство": tally.FieldCitizenship,
	// rank
	"rank": tally.FieldRank, "звання": tally.FieldRank, "звание": tally.FieldRank,
	// service_number
	"servicenumber": tally.FieldServiceNumber, "personalnumber": tally.FieldServiceNumber,
	"особистийномер": tally.FieldServiceNumber, "жетон": tally.FieldServiceNumber,
	"личныйномер": tally.FieldServiceNumber, "serviceno": tally.FieldServiceNumber,
	"personalno": tally.FieldServiceNumber, "особистий№": tally.FieldServiceNumber,
	"личный№": tally.FieldServiceNumber,
	// unit
	"unit": tally.FieldUnit, "militaryunit": tally.FieldUnit, "військовачастина": tally.FieldUnit,
	"в/ч": tally.FieldUnit, "воинскаячасть": tally.FieldUnit, "военнаячасть": tally.FieldUnit,
	// capture_date
	"capturedate": tally.FieldCaptureDate, "dateofcapture": tally.FieldCaptureDate,
	"датаполону": tally.FieldCaptureDate, "датапленения": tally.FieldCaptureDate,
	// capture_place
	"captureplace": tally.FieldCapturePlace, "placeofcapture": tally.FieldCapturePlace,
	"місцеполону": tally.FieldCapturePlace, "местопленения": tally.FieldCapturePlace,
	// condition
	"condition": tally.FieldCondition, "health": tally.FieldCondition,
	"станздоровя": tally.FieldCondition, "состояниездоровья": tally.FieldCondition,
	// category
	"category": tally.FieldCategory, "категорія": tally.FieldCategory, "категория": tally.FieldCategory,
	// death_date
	"deathdate": tally.FieldDeathDate, "dateofdeath": tally.FieldDeathDate,
	"датасмерті": tally.FieldDeathDate, "датасмерти": tally.FieldDeathDate,
	// remains_tag
	"tag": tally.FieldRemainsTag, "remainstag": tally.FieldRemainsTag, "bodytag": tally.FieldRemainsTag,
	"бирка": tally.FieldRemainsTag, "номертіла": tally.FieldRemainsTag, "номертела": tally.FieldRemainsTag,
	// guardian
	"guardian": tally.FieldGuardian, "legalguardian": tally.FieldGuardian, "опікун": tally.FieldGuardian,
	"законнийпредставник": tally.FieldGuardian, "опекун": tally.FieldGuardian,
	"законныйпредставитель": tally.FieldGuardian,
	// notes
	"notes": tally.FieldNotes, "note": tally.FieldNotes, "comment": tally.FieldNotes,
	"comments": tally.FieldNotes, "примітки": tally.FieldNotes, "примітка": tally.FieldNotes,
	"примечания": tally.FieldNotes, "примечание": tally.FieldNotes, "remarks": tally.FieldNotes,
}

// MatchHeader returns the field a header cell names, or tally.FieldUnknown.
//
// The whole name is compared, never a part of it ("number" is a ref,
// "service number" a service number), after headerKey has folded case and
// removed spaces, '_', '-', '.', ',', ':', '*' and apostrophes of any kind.
//
// A header that matches nothing is tried again without what clerks add
// around a name: a note in brackets ("Дата народження (ДД.ММ.РРРР)") and
// the word joining the parts of a full name ("Прізвище, ім'я та по
// батькові", "фамилия, имя и отчество").
func MatchHeader(name string) tally.Field {
	if f, ok := headerFields[headerKey(name)]; ok {
		return f
	}
	if i := strings.IndexAny(name, "(["); i > 0 {
		if f, ok := headerFields[headerKey(name[:i])]; ok {
			return f
		}
	}
	var kept []string
	for _, w := range strings.Fields(name) {
		switch strings.ToLower(strings.Trim(w, ",.")) {
		case "та", "і", "й", "и", "and", "&":
			continue
		}
		kept = append(kept, w)
	}
	return headerFields[headerKey(strings.Join(kept, " "))]
}

// headerKey normalizes a header name for matching: lower case, without
// spaces (of any kind), '_', '-', '.', ',', ':', '*', apostrophes, quotes,
// and zero-width characters. In a name that holds a Cyrillic letter, Latin
// letters that look like Cyrillic ones are taken as those ("Прiзвище" typed
// with a Latin i), since headers are typed on mixed keyboards as often as
// names are.
func headerKey(name string) string {
	var b strings.Builder
	b.Grow(len(name))
	cyrillic := false
	for _, r := range name {
		if unicode.Is(unicode.Cyrillic, r) {
			cyrillic = true
			break
		}
	}
	for _, r := range name {
		switch {
		case unicode.IsSpace(r), r == '_', r == '-', r == '.', r == ',', r == ':', r == '*',
			isApostrophe(r), r == '"', r == '«', r == '»', r == '“', r == '”',
			r == '\u200b', r == '\u200c', r == '\u200d', r == '\ufeff',
			r == '\u2010', r == '\u2011', r == '\u2012', r == '\u2013', r == '\u2014':
			continue
		case r == utf8.RuneError:
			continue
		}
		r = unicode.ToLower(r)
		if cyrillic {
			if c, ok := latinLookAlike[r]; ok {
				r = c
			}
		}
		b.WriteRune(r)
	}
	return b.String()
}

// isApostrophe reports whether r is one of the apostrophe forms clerks type.
func isApostrophe(r rune) bool {
	switch r {
	case '\'', '’', 'ʼ', '`', '‘', '´', 'ʹ', '′':
		return true
	}
	return false
}

// latinLookAlike maps lower-case Latin letters to the Cyrillic letters they
// look like.
var latinLookAlike = map[rune]rune{
	'a': 'а', 'c': 'с', 'e': 'е', 'i': 'і', 'o': 'о', 'p': 'р', 'x': 'х', 'y': 'у',
	'k': 'к', 'm': 'м', 't': 'т', 'h': 'н', 'b': 'в',
}
