package names

import (
	"testing"
	"unicode/utf8"
)

func TestNormalize(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"ascii", "Ivan Petrenko", "Ivan Petrenko"},
		{"spaces", "  Іван \t\n Петренко  ", "Іван Петренко"},
		{"no-break space", "Іван\u00a0Петренко", "Іван Петренко"},
		{"apostrophes", "Знам’янка Знамʼянка Знам`янка Знам‘янка Знамʹянка Знам´янка", "Знам'янка Знам'янка Знам'янка Знам'янка Знам'янка Знам'янка"},
		{"composed й", "Андри\u0306", "Андрй"},
		{"composed ї", "Ki\u0308ев", "Kïев"},
		{"ukrainian ї", "Киі\u0308в", "Київ"},
		{"stress removed", "Ю\u0301рій Ковале\u0301нко", "Юрій Коваленко"},
		{"latin accent kept", "Jose\u0301", "José"},
		{"invisible", "Пет\u200bренко\ufeff", "Петренко"},
		{"soft hyphen", "Пет\u00adренко", "Петренко"},
		{"invalid utf-8", "Пе\xffтро", "Пе\uFFFDтро"},
		{"empty", "", ""},
		{"only space", " \t ", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Normalize(tc.in)
			if got != tc.want {
				t.Errorf("Normalize(%q) = %q, want %q", tc.in, got, tc.want)
			}
			if again := Normalize(got); again != got {
				t.Errorf("Normalize is not idempotent on %q: %q", got, again)
			}
		})
	}
}

func TestRepairLookalikes(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string
		changed        bool
	}{
		{"latin a in cyrillic", "Ковaленко", "Коваленко", true},
		{"latin i is ukrainian", "Олiйник", "Олійник", true},
		{"latin capitals", "OлeKcaндp", "ОлеКсандр", true},
		{"latin ï", "Kиïв", "Київ", true},
		{"several words", "Iвaн Пeтpeнкo, Kиїв", "Іван Петренко, Київ", true},
		{"cyrillic in latin", "Іvаn", "Ivan", true},
		{"wholly latin", "Ivan Petrenko", "Ivan Petrenko", false},
		{"wholly cyrillic", "Іван Петренко", "Іван Петренко", false},
		{"evidence both ways, tied", "Ivaн", "Ivaн", false},
		{"evidence both ways, more cyrillic", "Ivaнов", "Іvанов", true},
		{"twins only, more cyrillic", "Сеp", "Сер", true},
		{"apostrophe inside", "Знaм'янка", "Знам'янка", true},
		{"empty", "", "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, changed := RepairLookalikes(tc.in)
			if got != tc.want || changed != tc.changed {
				t.Errorf("RepairLookalikes(%q) = %q, %v; want %q, %v", tc.in, got, changed, tc.want, tc.changed)
			}
		})
	}
}

func TestIsPatronymic(t *testing.T) {
	yes := []string{"Миколайович", "Олександрович", "Сергійович", "Николаевич", "Юрьевич", "Дмитриевич",
		"Ілліч", "Ильич", "Кузьмич", "Олександрівна", "Миколаївна", "Сергіївна", "Ивановна", "Николаевна",
		"Ильинична", "Никитична", "ІВАНОВИЧ", "Mykolaiovych", "Nikolaevich", "Ivanovich", "Ivanivna",
		"Ivanovna", "Sergeevna", "оглы", "кизи", "Oglu"}
	no := []string{"Олександр", "Іван", "Коваленко", "Ич", "ович", "івна", "Рич", "Ivan", "Ivna", "Мельник", ""}
	for _, s := range yes {
		if !IsPatronymic(s) {
			t.Errorf("IsPatronymic(%q) = false", s)
		}
	}
	for _, s := range no {
		if IsPatronymic(s) {
			t.Errorf("IsPatronymic(%q) = true", s)
		}
	}
}

func TestDetect(t *testing.T) {
	for _, tc := range []struct {
		in     string
		script Script
		lang   Lang
		guess  bool
	}{
		{"Іван Петренко", CyrillicScript, Ukrainian, false},
		{"Знам'янка", CyrillicScript, Ukrainian, false},
		{"Ґалаґан", CyrillicScript, Ukrainian, false},
		{"Пётр Мыльников", CyrillicScript, Russian, false},
		{"Эдуард", CyrillicScript, Russian, false},
		{"Коваленко", CyrillicScript, Ukrainian, true},
		{"Згурский", CyrillicScript, Russian, true},
		{"Мария", CyrillicScript, Russian, true},
		{"Евгений", CyrillicScript, Russian, true},
		{"Згурський", CyrillicScript, Ukrainian, true},
		{"Ivan Petrenko", LatinScript, Latin, false},
		{"Ковaленко", MixedScript, Ukrainian, true},
		{"Γεώργιος", OtherScript, Undetermined, false},
		{"123 -", NoScript, Undetermined, false},
		{"", NoScript, Undetermined, false},
	} {
		d := Detect(tc.in)
		if d.Script != tc.script || d.Lang != tc.lang || d.Guess != tc.guess {
			t.Errorf("Detect(%q) = %+v, want {%v %q %v}", tc.in, d, tc.script, tc.lang, tc.guess)
		}
	}
}

func TestParseLang(t *testing.T) {
	for in, want := range map[string]Lang{"": Undetermined, "uk": Ukrainian, "UA": Ukrainian, "ru": Russian, "latin": Latin} {
		if got, err := ParseLang(in); err != nil || got != want {
			t.Errorf("ParseLang(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := ParseLang("de"); err == nil {
		t.Error(`ParseLang("de") succeeded`)
	}
}

func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"", " ", "Іван  Петренко", "Знам’янка", "Ю\u0301рій", "Андри\u0306й", "е\u0301\u0308",
		"a\u0301\u200b\u0316", "е\u200d\u0308", " \u0308x", "\xff\xfe", "и\t\u0301", "\u1100\u1161", "ﬃ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := Normalize(s)
		if !utf8.ValidString(n) {
			t.Fatalf("Normalize(%q) = %q is not valid UTF-8", s, n)
		}
		if again := Normalize(n); again != n {
			t.Fatalf("Normalize(%q) = %q, but Normalize of that = %q", s, n, again)
		}
		r, _ := RepairLookalikes(n)
		if !utf8.ValidString(r) {
			t.Fatalf("RepairLookalikes(%q) = %q is not valid UTF-8", n, r)
		}
	})
}

func FuzzKey(f *testing.F) {
	for _, s := range []string{"", "Олександр", "Oleksandr", "Коваль-Ковальов", "м. Рівне", "Zghurskyi",
		"shchshch", "ьььъ", "\xff", "ŝčž", "Γεωργίου", "Ковaленко", strings40()} {
		f.Add(uint8(0), s)
	}
	f.Fuzz(func(t *testing.T, part uint8, s string) {
		p := Part(part % 5)
		k := Key(p, s)
		if !utf8.ValidString(k) {
			t.Fatalf("Key(%v, %q) = %q is not valid UTF-8", p, s, k)
		}
		if k2 := Key(p, s); k2 != k {
			t.Fatalf("Key(%v, %q) is not deterministic: %q, %q", p, s, k, k2)
		}
		Key(p, k) // a key keyed again: must not panic
		RomanizeUkrainian(s)
		RomanizeRussian(s)
		Detect(s)
		IsPatronymic(s)
		Describe(s, "")
	})
}

// strings40 is a long word, longer than the skeleton's stack buffers.
func strings40() string {
	s := ""
	for range 40 {
		s += "Щ"
	}
	return s
}
