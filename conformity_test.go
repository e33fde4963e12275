package tally

import (
	"io"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func intp(i int) *int { return &i }

// istanbul is the agreement of the spec, built in code so that the domain's
// tests need no file reader.
func istanbul() *Agreement {
	return &Agreement{
		ID: "istanbul-2025-06-02", Date: MustDate("2025-06-02"),
		Parties:  []Party{{"UA", "Ukraine"}, {"RU", "Russian Federation"}},
		Mediator: &Party{"TR", "Türkiye"},
		Categories: []Category{
			{ID: "seriously-wounded-ill", Subject: SubjectPrisoner, Terms: AllForAll,
				Eligibility: Eligibility{Conditions: []string{"seriously-wounded", "seriously-ill"}}},
			{ID: "aged-18-25", Subject: SubjectPrisoner, Terms: AllForAll,
				Eligibility: Eligibility{Age: &AgeRule{Min: intp(18), Max: intp(25)}}},
			{ID: "remains", Subject: SubjectRemains, Terms: NForN, Quantity: 6000},
			{ID: "children", Subject: SubjectCivilian, Terms: Unilateral, From: "RU", To: "UA",
				Eligibility: Eligibility{Age: &AgeRule{Max: intp(17)}}},
		},
	}
}

// rows is a RowReader over rows given as maps of field name → value.
type rows struct {
	header Header
	rows   []Row
}

func (r *rows) Header() Header { return r.header }
func (r *rows) Next() (Row, error) {
	if len(r.rows) == 0 {
		return Row{}, io.EOF
	}
	row := r.rows[0]
	r.rows = r.rows[1:]
	return row, nil
}

func list(fields string, cells ...string) *rows {
	r := &rows{}
	fs := strings.Split(fields, ",")
	for _, f := range fs {
		r.header.Columns = append(r.header.Columns, Column{Name: f, Field: FieldNamed(f)})
	}
	for i, line := range cells {
		row := Row{Line: i + 2}
		for j, v := range strings.Split(line, "|") {
			if f := FieldNamed(fs[j]); f != FieldUnknown {
				row.Values[f] = v
			} else {
				row.Extra = append(row.Extra, v)
			}
		}
		r.rows = append(r.rows, row)
	}
	return r
}

func TestValidate(t *testing.T) {
	type p = Problem
	tests := []struct {
		name     string
		list     *rows
		category string
		want     []Problem
	}{
		{"conforming", list("ref,surname,given_name,birth_date,category",
			"UA-1|Петренко|Іван|1999-06-03|aged-18-25",
			"UA-2|Коваль|Петро|02.06.2007|aged-18-25"), "", nil},
		{"the spec's age example", list("ref,surname,given_name,birth_date,category",
			"UA-0901|Петренко|Іван|1999-06-02|aged-18-25"), "",
			[]Problem{{3 - 1, "UA-0901", NotEligible, "birth_date", "aged-18-25", "26 years old on 2025-06-02; aged-18-25 takes 18 to 25"}}},
		{"too young", list("ref,surname,given_name,birth_date,category",
			"A|Петренко|Іван|2007-06-03|aged-18-25"), "",
			[]Problem{{2, "A", NotEligible, "birth_date", "aged-18-25", "17 years old on 2025-06-02; aged-18-25 takes 18 to 25"}}},
		{"year only, wholly inside", list("ref,surname,given_name,birth_date,category",
			"A|Петренко|Іван|2002|aged-18-25"), "", nil},
		{"year only, straddling", list("ref,surname,given_name,birth_date,category",
			"A|Петренко|Іван|1999|aged-18-25"), "",
			[]Problem{{2, "A", EligibilityUnknown, "birth_date", "aged-18-25", "born 1999 (year only): 25 or 26 years old on 2025-06-02; aged-18-25 takes 18 to 25; give the full birth date"}}},
		{"year only, wholly outside", list("ref,surname,given_name,birth_date,category",
			"A|Петренко|Іван|1990|aged-18-25"), "",
			[]Problem{{2, "A", NotEligible, "birth_date", "aged-18-25", "34 or 35 years old on 2025-06-02; aged-18-25 takes 18 to 25"}}},
		{"year and month, straddling", list("ref,surname,given_name,birth_date,category",
			"A|Петренко|Іван|06.1999|aged-18-25"), "",
			[]Problem{{2, "A", EligibilityUnknown, "birth_date", "aged-18-25", "born 1999-06 (year and month only): 25 or 26 years old on 2025-06-02; aged-18-25 takes 18 to 25; give the full birth date"}}},
		{"year and month, inside", list("ref,surname,given_name,birth_date,category",
			"A|Петренко|Іван|07.1999|aged-18-25"), "", nil},
		{"missing fields", list("ref,surname,given_name,birth_date,category",
			"A|||  |aged-18-25"), "",
			[]Problem{
				{2, "A", MissingField, "surname", "aged-18-25", "the surname is empty"},
				{2, "A", MissingField, "given_name", "aged-18-25", "the given name is empty"},
				{2, "A", MissingField, "birth_date", "aged-18-25", "aged-18-25 has an age rule, so the birth date is required"},
			}},
		{"missing birth date", list("ref,surname,given_name,birth_date,category",
			"A|Петренко|Іван||aged-18-25"), "",
			[]Problem{{2, "A", MissingField, "birth_date", "aged-18-25", "aged-18-25 has an age rule, so the birth date is required"}}},
		{"bad dates", list("ref,surname,given_name,birth_date,category,capture_date",
			"A|Петренко|Іван|31.02.2001|aged-18-25|2024-05-01",
			"B|Коваль|Петро|03/04/2001|aged-18-25|2024-05-01",
			"C|Мельник|Олег|2001-01-01|aged-18-25|вчора"), "",
			[]Problem{
				{2, "A", BadDate, "birth_date", "aged-18-25", `February 2001 has no day 31: "31.02.2001"`},
				{3, "B", BadDate, "birth_date", "aged-18-25", `slashed dates are ambiguous (day/month or month/day); write DD.MM.YYYY or YYYY-MM-DD: "03/04/2001"`},
				{4, "C", BadDate, "capture_date", "aged-18-25", `use YYYY-MM-DD, DD.MM.YYYY, YYYY-MM, MM.YYYY or YYYY: "вчора"`},
			}},
		{"unknown category", list("ref,surname,given_name,category",
			"A|Петренко|Іван|young"), "",
			[]Problem{{2, "A", UnknownCategory, "category", "young", `"young" is not a category of agreement istanbul-2025-06-02; use one of: seriously-wounded-ill, aged-18-25, remains, children`}}},
		{"empty category", list("ref,surname,given_name,category",
			"A|Петренко|Іван|"), "",
			[]Problem{{2, "A", MissingField, "category", "", "the category is empty; use one of: seriously-wounded-ill, aged-18-25, remains, children"}}},
		{"empty category cell takes --category", list("ref,surname,given_name,category,birth_date",
			"A|Петренко|Іван||2001-01-01"), "aged-18-25", nil},
		{"category codes as clerks type them", list("ref,surname,given_name,category,birth_date",
			"A|Петренко|Іван| Aged 18 25 |2001-01-01"), "", nil},
		{"conditions", list("ref,surname,given_name,category,condition",
			"A|Петренко|Іван|seriously-wounded-ill|Seriously wounded",
			"B|Коваль|Петро|seriously-wounded-ill|",
			"C|Мельник|Олег|seriously-wounded-ill|healthy",
			"D|Бондар|Ігор|aged-18-25|seriously-ill"), "",
			[]Problem{
				{3, "B", MissingField, "condition", "seriously-wounded-ill", "seriously-wounded-ill takes only seriously-wounded or seriously-ill, so the condition is required"},
				{4, "C", BadValue, "condition", "seriously-wounded-ill", `"healthy" is not a condition the agreement defines; use seriously-ill, seriously-wounded`},
				{5, "D", MissingField, "birth_date", "aged-18-25", "aged-18-25 has an age rule, so the birth date is required"},
			}},
		{"remains need tags, not names", list("remains_tag,death_date",
			"Т-0001|2025-03-01", "|2025-03-01", "Т-0001|"), "remains",
			[]Problem{
				{3, "L3", MissingField, "remains_tag", "remains", "every row of a remains list needs its tag (body number)"},
				{4, "L4", DuplicateInList, "remains_tag", "remains", "the same tag as L2 (line 2)"},
			}},
		{"children up to 17", list("surname,given_name,birth_date",
			"Шевчук|Марія|2010-01-01", "Шевчук|Олена|2007-06-02"), "children",
			[]Problem{{3, "L3", NotEligible, "birth_date", "children", "18 years old on 2025-06-02; children takes up to 17"}}},
		{"born after the rule's day", list("surname,given_name,birth_date",
			"Шевчук|Марія|2026-01-01"), "children",
			[]Problem{{2, "L2", BadDate, "birth_date", "children", "born 2026-01-01, after 2025-06-02, the day the age rule is judged on"}}},
		{"bad sex", list("surname,given_name,sex", "Шевчук|Марія|ж", "Шевчук|Олена|x"), "children",
			[]Problem{
				{2, "L2", MissingField, "birth_date", "children", "children has an age rule, so the birth date is required"},
				{3, "L3", BadValue, "sex", "children", `"x" is not a sex tally knows; write M or F (Ч/Ж, М/Ж)`},
				{3, "L3", MissingField, "birth_date", "children", "children has an age rule, so the birth date is required"},
			}},
		{"full name split", list("ref,full_name,birth_date",
			"A|Петренко Іван Миколайович|2001-01-01", "B|Петренко|2001-01-01"), "aged-18-25",
			[]Problem{{3, "B", MissingField, "given_name", "aged-18-25", "the given name is empty"}}},
		{"duplicate across scripts and forms", list("ref,full_name,birth_date,service_number",
			"UA-1|Олійник Олександр Миколайович|2001-01-01|",
			"UA-2|ОЛІЙНИК Олександр|2001-01-01|",
			"UA-3|Олійник Олександр Миколайович|2002-01-01|АА 123",
			"UA-4|Бондар Ігор|2003-01-01|AA-123",
			"UA-5|Олійник Олексій Миколайович|2001-01-01|"), "aged-18-25",
			[]Problem{
				{3, "UA-2", DuplicateInList, "surname", "aged-18-25", "the same person as UA-1 (line 2): same name and birth date, in another spelling or script"},
				{5, "UA-4", DuplicateInList, "service_number", "aged-18-25", "the same service number as UA-3 (line 4)"},
			}},
		{"different fathers are different men", list("ref,full_name,birth_date",
			"UA-1|Олійник Олександр Миколайович|2001-01-01",
			"UA-2|Олійник Олександр Петрович|2001-01-01"), "aged-18-25", nil},
		{"ref used twice", list("ref,remains_tag", "UA-1|T-1", "UA-1|T-2"), "remains",
			[]Problem{{3, "UA-1", BadValue, "ref", "remains", "ref UA-1 is used already on line 2; every row needs its own ref"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep, err := Validate(istanbul(), "l.csv", tt.list, tt.category)
			if err != nil {
				t.Fatal(err)
			}
			want := tt.want
			if want == nil {
				want = []Problem{}
			}
			if diff := cmp.Diff(want, rep.Problems); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
			if rep.Conforming != (len(want) == 0) {
				t.Errorf("conforming = %v with %d problems", rep.Conforming, len(want))
			}
		})
	}
}

func TestValidateNoCategory(t *testing.T) {
	_, err := Validate(istanbul(), "l.csv", list("surname,given_name", "Петренко|Іван"), "")
	if err == nil || !strings.Contains(err.Error(), "no category column") || !strings.Contains(err.Error(), "l.csv") {
		t.Fatalf("err = %v", err)
	}
	_, err = Validate(istanbul(), "l.csv", list("surname,given_name", "Петренко|Іван"), "nope")
	if err == nil || !strings.Contains(err.Error(), `no category "nope"`) {
		t.Fatalf("err = %v", err)
	}
}

func TestLookalikesRepairedAndNoted(t *testing.T) {
	l := list("ref,surname,given_name,birth_date", "A|Бiлик|Пeтpo|2001-01-01")
	var got Row
	var notes []Note
	err := EachRow(istanbul(), l, "aged-18-25", func(_ string, r *Row, _ []Problem, ns []Note) error {
		got, notes = *r, ns
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got.Values[FieldSurname] != "Білик" || got.Values[FieldGivenName] != "Петро" {
		t.Errorf("row = %q %q", got.Values[FieldSurname], got.Values[FieldGivenName])
	}
	if len(notes) != 2 || notes[0].Field != "surname" || notes[1].Field != "given_name" {
		t.Errorf("notes = %+v", notes)
	}
}

func TestSplitFullName(t *testing.T) {
	tests := []struct{ in, s, g, p string }{
		{"Олійник Олександр Миколайович", "Олійник", "Олександр", "Миколайович"},
		{"ОЛЕЙНИК Александр Николаевич", "ОЛЕЙНИК", "Александр", "Николаевич"},
		{"Oliinyk Oleksandr", "Oliinyk", "Oleksandr", ""},
		{"Олександр Миколайович Олійник", "Олійник", "Олександр", "Миколайович"},
		{"Шевчук Марія Іванівна", "Шевчук", "Марія", "Іванівна"},
		{"Петренко, Іван", "Петренко", "Іван", ""},
		{"Мамедов Рашид Алі огли", "Мамедов", "Рашид", "Алі огли"},
		{"Коваль Анна Марія", "Коваль", "Анна Марія", ""},
		{"Петренко", "Петренко", "", ""},
		{"", "", "", ""},
	}
	for _, tt := range tests {
		s, g, p := SplitFullName(tt.in)
		if s != tt.s || g != tt.g || p != tt.p {
			t.Errorf("SplitFullName(%q) = %q, %q, %q; want %q, %q, %q", tt.in, s, g, p, tt.s, tt.g, tt.p)
		}
	}
}
