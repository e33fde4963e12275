package names

import "fmt"

// Part is which part of a person's name, or which kind of name, a string is.
// Keys and name forms depend on it: given names and patronymics go through
// the Ukrainian ↔ Russian forms tables, surnames through pattern rules only,
// places through the table of place names that differ between the languages.
type Part uint8

const (
	Surname    Part = iota // family name: Коваленко, Згурський, Kovalenko
	Given                  // given (first) name: Олександр, Александр, Oleksandr
	Patronymic             // father's name form: Миколайович, Николаевич
	Place                  // place name, e.g. a place of birth: Рівне, Ровно, Rivne
)

// String returns the part's name in lower case: "surname", "given",
// "patronymic" or "place".
func (p Part) String() string {
	switch p {
	case Surname:
		return "surname"
	case Given:
		return "given"
	case Patronymic:
		return "patronymic"
	case Place:
		return "place"
	}
	return fmt.Sprintf("Part(%d)", uint8(p))
}
