package listfile

import (
	"testing"
	"unicode/utf8"

	"tally"
)

func TestMatchHeader(t *testing.T) {
	tests := []struct {
		name string
		want tally.Field
	}{
		{"Ref", tally.FieldRef},
		{"ID", tally.FieldRef},
		{"No.", tally.FieldRef},
		{"Number", tally.FieldRef},
		{"№", tally.FieldRef},
		{"№ п/п", tally.FieldRef},
		{"НОМЕР", tally.FieldRef},
		{"Surname", tally.FieldSurname},
		{"LAST_NAME", tally.FieldSurname},
		{"family-name", tally.FieldSurname},
		{"Прізвище", tally.FieldSurname},
		{"Прiзвище", tally.FieldSurname}, // Latin i
		{"Фамилия", tally.FieldSurname},
		{"Given name", tally.FieldGivenName},
		{"first_name", tally.FieldGivenName},
		{"Name", tally.FieldGivenName},
		{"Ім'я", tally.FieldGivenName},
		{"Ім’я", tally.FieldGivenName},
		{"Імʼя", tally.FieldGivenName},
		{"Ім`я", tally.FieldGivenName},
		{"Ім‘я", tally.FieldGivenName},
		{"Імя", tally.FieldGivenName},
		{"Имя", tally.FieldGivenName},
		{"Patronymic", tally.FieldPatronymic},
		{"Father's name", tally.FieldPatronymic},
		{"Middle name", tally.FieldPatronymic},
		{"По батькові", tally.FieldPatronymic},
		{"Отчество", tally.FieldPatronymic},
		{"Full name", tally.FieldFullName},
		{"ПІБ", tally.FieldFullName},
		{"П.І.Б.", tally.FieldFullName},
		{"Прізвище, ім'я, по батькові", tally.FieldFullName},
		{"прізвище ім’я по батькові", tally.FieldFullName},
		{"ФИО", tally.FieldFullName},
		{"Ф.И.О.", tally.FieldFullName},
		{"Фамилия, имя, отчество", tally.FieldFullName},
		{"Birth date", tally.FieldBirthDate},
		{"Date of birth", tally.FieldBirthDate},
		{"DOB", tally.FieldBirthDate},
		{"ДАТА НАРОДЖЕННЯ", tally.FieldBirthDate},
		{"Дата рождения", tally.FieldBirthDate},
		{"Дата\u00a0рождения", tally.FieldBirthDate},
		{"Place of birth", tally.FieldBirthPlace},
		{"Місце народження", tally.FieldBirthPlace},
		{"Место рождения", tally.FieldBirthPlace},
		{"Sex", tally.FieldSex},
		{"Gender", tally.FieldSex},
		{"Стать", tally.FieldSex},
		{"Пол", tally.FieldSex},
		{"Nationality", tally.FieldCitizenship},
		{"Громадянство", tally.FieldCitizenship},
		{"Гражданство", tally.FieldCitizenship},
		{"Rank", tally.FieldRank},
		{"Звання", tally.FieldRank},
		{"Звание", tally.FieldRank},
		{"Service number", tally.FieldServiceNumber},
		{"Personal number", tally.FieldServiceNumber},
		{"особистий номер", tally.FieldServiceNumber},
		{"Жетон", tally.FieldServiceNumber},
		{"Личный номер", tally.FieldServiceNumber},
		{"Unit", tally.FieldUnit},
		{"Military unit", tally.FieldUnit},
		{"в/ч", tally.FieldUnit},
		{"В/Ч", tally.FieldUnit},
		{"Військова частина", tally.FieldUnit},
		{"Воинская часть", tally.FieldUnit},
		{"Capture date", tally.FieldCaptureDate},
		{"Date of capture", tally.FieldCaptureDate},
		{"Дата полону", tally.FieldCaptureDate},
		{"Дата пленения", tally.FieldCaptureDate},
		{"Place of capture", tally.FieldCapturePlace},
		{"Місце полону", tally.FieldCapturePlace},
		{"Место пленения", tally.FieldCapturePlace},
		{"Condition", tally.FieldCondition},
		{"Health", tally.FieldCondition},
		{"Стан здоров'я", tally.FieldCondition},
		{"Состояние здоровья", tally.FieldCondition},
		{"Category", tally.FieldCategory},
		{"Категорія", tally.FieldCategory},
		{"Категория", tally.FieldCategory},
		{"Date of death", tally.FieldDeathDate},
		{"Дата смерті", tally.FieldDeathDate},
		{"Дата смерти", tally.FieldDeathDate},
		{"Tag", tally.FieldRemainsTag},
		{"Body tag", tally.FieldRemainsTag},
		{"Бирка", tally.FieldRemainsTag},
		{"Номер тіла", tally.FieldRemainsTag},
		{"Номер тела", tally.FieldRemainsTag},
		{"Guardian", tally.FieldGuardian},
		{"Legal guardian", tally.FieldGuardian},
		{"Опікун", tally.FieldGuardian},
		{"Законний представник", tally.FieldGuardian},
		{"Законный представитель", tally.FieldGuardian},
		{"Notes", tally.FieldNotes},
		{"Comment", tally.FieldNotes},
		{"Примітки", tally.FieldNotes},
		{"Примечания", tally.FieldNotes},
		// Whole names only: parts and neighbours are not matched.
		{"Surname of mother", tally.FieldUnknown},
		{"Phone number", tally.FieldUnknown},
		{"Номер телефону", tally.FieldUnknown},
		{"Дата", tally.FieldUnknown},
		{"Names", tally.FieldUnknown},
		{"", tally.FieldUnknown},
		{"Примітка табору", tally.FieldUnknown},
	}
	for _, tt := range tests {
		if got := MatchHeader(tt.name); got != tt.want {
			t.Errorf("MatchHeader(%q) = %v, want %v", tt.name, got, tt.want)
		}
	}
}

// TestHeaderTable checks that every field has a header and that every key
// of the table is already in normal form (else it could never match).
func TestHeaderTable(t *testing.T) {
	has := map[tally.Field]bool{}
	for k, f := range headerFields {
		has[f] = true
		if headerKey(k) != k {
			t.Errorf("table key %q normalizes to %q", k, headerKey(k))
		}
	}
	for f := tally.FieldRef; f < tally.NumFields; f++ {
		if !has[f] {
			t.Errorf("no header for %v", f)
		}
	}
}

func FuzzMatchHeader(f *testing.F) {
	for _, s := range []string{"Прізвище", "Ім’я", "№ п/п", "Date of birth", "в/ч", "\xff", "Прiзвище"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		field := MatchHeader(s)
		if field >= tally.NumFields {
			t.Fatalf("MatchHeader(%q) = %d", s, field)
		}
		k := headerKey(s)
		if !utf8.ValidString(k) {
			t.Fatalf("headerKey(%q) = %q is not UTF-8", s, k)
		}
		if k2 := headerKey(k); k2 != k {
			t.Fatalf("headerKey is not idempotent: %q -> %q -> %q", s, k, k2)
		}
		if MatchHeader(k) != field {
			t.Fatalf("MatchHeader(%q) = %v but MatchHeader of its key %q = %v", s, field, k, MatchHeader(k))
		}
	})
}

func TestMatchHeaderAsClerksWriteThem(t *testing.T) {
	for h, want := range map[string]tally.Field{
		"Дата народження (ДД.ММ.РРРР)":  tally.FieldBirthDate,
		"Date of birth [dd.mm.yyyy]":    tally.FieldBirthDate,
		"Прізвище, ім'я та по батькові": tally.FieldFullName,
		"Фамилия, имя и отчество":       tally.FieldFullName,
		"Service No.":         tally.FieldServiceNumber,
		"Personal No":         tally.FieldServiceNumber,
		"Военная часть":       tally.FieldUnit,
		"Remarks":             tally.FieldNotes,
		"Ім'я (за паспортом)": tally.FieldGivenName,
		"Примітка та інше":    tally.FieldUnknown,
		"(ДД.ММ.РРРР)":        tally.FieldUnknown,
		"Прізвище та ім'я":    tally.FieldUnknown,
	} {
		if got := MatchHeader(h); got != want {
			t.Errorf("MatchHeader(%q) = %v, want %v", h, got, want)
		}
	}
}
