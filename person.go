package tally

import (
	"strings"

	"tally/names"
)

// NormalizeRow puts a row read from a file in the form tally stores and
// compares it in: cells trimmed, names in normal form with look-alike
// letters repaired, a full name split. The Checker does the same to every
// row it checks.
func NormalizeRow(r *Row) {
	for i, v := range r.Values {
		r.Values[i] = strings.TrimSpace(v)
	}
	normalizeNames(r)
}

// nameFields are the fields that hold names or places, which are
// normalized and have Latin look-alike letters repaired.
var nameFields = []Field{FieldSurname, FieldGivenName, FieldPatronymic, FieldFullName, FieldBirthPlace, FieldCapturePlace, FieldGuardian}

// normalizeNames puts the name fields of r in normal form (NFC, one
// apostrophe, single spaces), repairs Latin look-alike letters inside
// Cyrillic words, and splits a full name when the row has no separate
// surname and given name. It returns the fields it repaired, with the text
// before repair.
func normalizeNames(r *Row) (repaired []Field, before []string) {
	for _, f := range nameFields {
		v := r.Values[f]
		if v == "" {
			continue
		}
		n := names.Normalize(v)
		if fixed, ok := names.RepairLookalikes(n); ok {
			repaired = append(repaired, f)
			before = append(before, v)
			n = fixed
		}
		r.Values[f] = n
	}
	if r.Values[FieldFullName] != "" && r.Values[FieldSurname] == "" && r.Values[FieldGivenName] == "" {
		s, g, p := SplitFullName(r.Values[FieldFullName])
		r.Values[FieldSurname], r.Values[FieldGivenName] = s, g
		if r.Values[FieldPatronymic] == "" {
			r.Values[FieldPatronymic] = p
		}
	}
	return repaired, before
}

// SplitFullName splits a full name into surname, given name and patronymic.
// Ukrainian and Russian registers write "Surname Given Patronymic"; a
// trailing patronymic is recognised by its ending (-ович, -івна, -ovych ...),
// so "Petrenko Ivan" has none. "Given Patronymic Surname", which some forms
// use, is recognised when the middle word is a patronymic and the last is
// not. Turkic patronymics written with огли/кизи keep both words.
func SplitFullName(full string) (surname, given, patronymic string) {
	w := strings.FieldsFunc(full, func(r rune) bool { return r == ' ' || r == ',' || r == '\t' })
	switch len(w) {
	case 0:
		return "", "", ""
	case 1:
		return w[0], "", ""
	case 2:
		return w[0], w[1], ""
	}
	last := w[len(w)-1]
	switch strings.ToLower(last) {
	case "огли", "оглу", "оглы", "кизи", "кызы", "ogly", "oglu", "ohly", "kyzy", "kizi":
		if len(w) >= 4 {
			return w[0], strings.Join(w[1:len(w)-2], " "), w[len(w)-2] + " " + last
		}
	}
	if names.IsPatronymic(last) {
		return w[0], strings.Join(w[1:len(w)-1], " "), last
	}
	if len(w) == 3 && names.IsPatronymic(w[1]) {
		return w[2], w[0], w[1]
	}
	return w[0], strings.Join(w[1:], " "), ""
}
