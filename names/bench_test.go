package names

import "testing"

var benchNames = []struct {
	part Part
	s    string
}{
	{Surname, "Згурський"}, {Surname, "Kovalenko"}, {Surname, "Ковальчук-Бондаренко"},
	{Given, "Олександр"}, {Given, "Aleksandr"}, {Given, "Невідоме"},
	{Patronymic, "Миколайович"}, {Patronymic, "Nikolaevich"},
	{Place, "м. Рівне"}, {Place, "Kharkov"},
}

var sink string

func BenchmarkKey(b *testing.B) {
	loadTables()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		n := benchNames[i%len(benchNames)]
		sink = Key(n.part, n.s)
	}
}

func BenchmarkKeySurname(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		sink = Key(Surname, "Згурський")
	}
}

func BenchmarkKeyGiven(b *testing.B) {
	loadTables()
	b.ReportAllocs()
	for b.Loop() {
		sink = Key(Given, "Олександр")
	}
}

func BenchmarkNormalize(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		sink = Normalize("Згурський  Олександр Миколайович")
	}
}

func BenchmarkRomanizeUkrainian(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		sink = RomanizeUkrainian("Згурський Олександр Миколайович")
	}
}
