package linkage

import (
	"errors"
	"slices"
	"testing"

	"tally"
	"tally/names"
)

// fieldsOf compares two records and returns Pair.Fields for them.
func fieldsOf(a, b Record) map[string]string {
	lp, rp, t := prepare([]Record{a}, []Record{b}, 1, new(crash))
	c := newComparer(t)
	return explain(cand{pat: c.compare(&lp[0], &rp[0])}, &lp[0], &rp[0])
}

func TestNameLevels(t *testing.T) {
	// All names here are common name parts, no one's identity.
	tests := []struct {
		name  string
		field string
		a, b  Record
		want  []string // any of these
		// needs, when set, is a names.Equivalent the case relies on: the
		// case is skipped while the names package does not know it.
		needs *[3]string
	}{
		{"surname same", "surname", Record{Surname: "Шевченко"}, Record{Surname: "Шевченко"}, []string{"exact"}, nil},
		{"surname case", "surname", Record{Surname: "Шевченко"}, Record{Surname: "ШЕВЧЕНКО"}, []string{"exact"}, nil},
		{"surname Russian form", "surname", Record{Surname: "Олійник"}, Record{Surname: "ОЛЕЙНИК"}, []string{"equivalent-form"}, &[3]string{"s", "Олійник", "ОЛЕЙНИК"}},
		{"surname Latin", "surname", Record{Surname: "Олійник"}, Record{Surname: "Oliinyk"}, []string{"equivalent-form"}, &[3]string{"s", "Олійник", "Oliinyk"}},
		{"surname typo", "surname", Record{Surname: "Шевченко"}, Record{Surname: "Шевчкнко"}, []string{"close"}, nil},
		{"surname dropped letter", "surname", Record{Surname: "Бондаренко"}, Record{Surname: "Бондренко"}, []string{"close", "equivalent-form"}, nil},
		{"surname other", "surname", Record{Surname: "Шевченко"}, Record{Surname: "Бондар"}, []string{"different"}, nil},
		{"surname missing", "surname", Record{Surname: "Шевченко", Given: "Іван"}, Record{Given: "Іван"}, []string{"missing"}, nil},
		{"surname look-alike Latin letter", "surname", Record{Surname: "Бiлик"}, Record{Surname: "Білик"}, []string{"exact"}, nil},
		{"given Russian form", "given_name", Record{Given: "Олександр"}, Record{Given: "Александр"}, []string{"equivalent-form"}, &[3]string{"g", "Олександр", "Александр"}},
		{"given other name", "given_name", Record{Given: "Микола"}, Record{Given: "Николай"}, []string{"equivalent-form"}, &[3]string{"g", "Микола", "Николай"}},
		{"given initial", "given_name", Record{Given: "Олександр"}, Record{Given: "О."}, []string{"initial"}, nil},
		{"given brothers", "given_name", Record{Given: "Андрій"}, Record{Given: "Дмитро"}, []string{"different"}, nil},
		{"patronymic forms", "patronymic", Record{Patronymic: "Миколайович"}, Record{Patronymic: "Николаевич"}, []string{"equivalent-form"}, &[3]string{"p", "Миколайович", "Николаевич"}},
		{"patronymic missing", "patronymic", Record{Patronymic: "Миколайович", Surname: "Ткач"}, Record{Surname: "Ткач"}, []string{"missing"}, nil},
		{"place Russian name", "birth_place", Record{BirthPlace: "м. Олешки"}, Record{BirthPlace: "г. Алешки, Херсонская обл."}, []string{"equivalent-form", "close"}, nil},
		{"place same", "birth_place", Record{BirthPlace: "м. Харків"}, Record{BirthPlace: "Харків, Україна"}, []string{"exact"}, nil},
		{"place other", "birth_place", Record{BirthPlace: "Київ"}, Record{BirthPlace: "Одеса"}, []string{"different"}, nil},
	}
	parts := map[string]names.Part{"s": names.Surname, "g": names.Given, "p": names.Patronymic}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if n := tc.needs; n != nil && !names.Equivalent(parts[n[0]], n[1], n[2]) {
				t.Skipf("names does not (yet) take %s and %s for one name", n[1], n[2])
			}
			got := fieldsOf(tc.a, tc.b)[tc.field]
			if !slices.Contains(tc.want, got) {
				t.Errorf("%s: %+v vs %+v = %q, want %q", tc.field, tc.a, tc.b, got, tc.want)
			}
		})
	}
}

func TestDateLevels(t *testing.T) {
	d := tally.MustDate
	tests := []struct {
		a, b string
		want string
	}{
		{"1999-06-03", "1999-06-03", "exact"},
		{"03.06.1999", "1999-06-03", "exact"},
		{"1999-06-03", "1999-03-06", "day-month-swapped"},
		{"1999-06-03", "1999-06-04", "one-component-off"},
		{"1999-06-03", "1999-07-03", "one-component-off"},
		{"1999-06-03", "1998-06-03", "one-component-off"},
		{"1999-12-31", "2000-01-01", "one-component-off"},
		{"1999-12-14", "2000-01-14", "one-component-off"},
		{"1999-06-03", "1999", "partial-agrees"},
		{"1999-06-03", "1999-06", "partial-agrees"},
		{"1999-06-03", "1999-07", "different"},
		{"1999-06-03", "1998", "different"},
		{"1999-06-03", "2001-11-20", "different"},
		{"1999-06-03", "", "missing"},
	}
	for _, tc := range tests {
		a := Record{Surname: "Ткач", BirthDate: d(tc.a)}
		b := Record{Surname: "Ткач"}
		if tc.b != "" {
			b.BirthDate = d(tc.b)
		}
		if got := fieldsOf(a, b)["birth_date"]; got != tc.want {
			t.Errorf("%s vs %s = %q, want %q", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestIdentifierLevels(t *testing.T) {
	tests := []struct {
		name        string
		field, a, b string
		want        string
	}{
		{"Cyrillic and Latin look-alikes", "service_number", "АВ123456", "AB123456", "exact"},
		{"spaces and dashes", "service_number", "AB 123-456", "АВ123456", "exact"},
		{"one digit off", "service_number", "AB123456", "AB123457", "close"},
		{"other number", "service_number", "AB123456", "KM654321", "different"},
		{"missing", "service_number", "AB123456", "", "missing"},
		{"unit prefixes", "unit", "в/ч А1234", "military unit A-1234", "exact"},
		{"other unit", "unit", "в/ч А1234", "в/ч А5678", "different"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, b := Record{Surname: "Ткач"}, Record{Surname: "Ткач"}
			if tc.field == "unit" {
				a.Unit, b.Unit = tc.a, tc.b
			} else {
				a.ServiceNumber, b.ServiceNumber = tc.a, tc.b
			}
			if got := fieldsOf(a, b)[tc.field]; got != tc.want {
				t.Errorf("%q vs %q = %q, want %q", tc.a, tc.b, got, tc.want)
			}
		})
	}
}

func TestSwappedNames(t *testing.T) {
	a := Record{Surname: "Шевченко", Given: "Андрій", Patronymic: "Петрович"}
	b := Record{Surname: "Андрей", Given: "ШЕВЧЕНКО", Patronymic: "Петрович"}
	f := fieldsOf(a, b)
	if f["name_order"] != "swapped" || f["surname"] != "exact" || f["given_name"] == "different" {
		t.Errorf("fields = %v, want surname and given name compared crossed over", f)
	}
	if f := fieldsOf(a, a); f["name_order"] != "" {
		t.Errorf("same record: name_order = %q", f["name_order"])
	}
}

func TestDistances(t *testing.T) {
	r := func(s string) []rune { return []rune(s) }
	if jw := jaroWinkler(r("мартін"), r("мартин")); jw < 0.9 || jw >= 1 {
		t.Errorf("jaroWinkler(мартін, мартин) = %v", jw)
	}
	if jw := jaroWinkler(r("abc"), r("abc")); jw != 1 {
		t.Errorf("jaroWinkler of equal = %v", jw)
	}
	if jw := jaroWinkler(nil, r("abc")); jw != 0 {
		t.Errorf("jaroWinkler of empty = %v", jw)
	}
	for _, tc := range []struct {
		a, b string
		k    int
		want bool
	}{
		{"шевченко", "шевчкнко", 1, true},
		{"шевченко", "шевчекно", 1, true}, // transposition
		{"шевченко", "шевчено", 1, true},
		{"шевченко", "шевчнеок", 1, false},
		{"ab", "ab", 0, true},
	} {
		if got := osaWithin(r(tc.a), r(tc.b), tc.k); got != tc.want {
			t.Errorf("osaWithin(%s, %s, %d) = %v", tc.a, tc.b, tc.k, got)
		}
	}
}

func TestSoundForms(t *testing.T) {
	for _, tc := range []struct{ a, b string }{
		{"Олійник", "Oleynik"}, {"ОЛЕЙНИК", "Oliinyk"}, {"Олешки", "Aleshki"}, {"Харків", "Kharkov"},
	} {
		if sa, sb := skeleton(canonical(tc.a)), skeleton(canonical(tc.b)); sa != sb {
			t.Errorf("skeleton(%s) = %q, skeleton(%s) = %q", tc.a, sa, tc.b, sb)
		}
	}
	for _, s := range []string{"Олійник", "Oliinyk", "Щербак", "Дем'ян"} {
		c := canonical(s)
		if canonical(c) != c {
			t.Errorf("canonical not idempotent on %q: %q → %q", s, c, canonical(c))
		}
	}
	if got := cleanPlace("г.Алешки Херсонской обл."); got != "алешки" {
		t.Errorf("cleanPlace = %q", got)
	}
}

func TestWorkerPanicIsAnError(t *testing.T) {
	run := func() (err error) {
		cr := new(crash)
		defer cr.recover(&err)
		done := make(chan struct{})
		go func() {
			defer close(done)
			defer cr.catch()
			var m map[string]int
			m["x"] = 1 // a fault in a worker
		}()
		<-done
		cr.check()
		return nil
	}
	err := run()
	var te *tally.Error
	if !errors.As(err, &te) || te.Code != tally.EInternal {
		t.Errorf("err = %v, want an internal error", err)
	}
}
