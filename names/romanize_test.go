package names

import "testing"

// The examples of the table in resolution No. 55 of the Cabinet of
// Ministers of Ukraine of 27 January 2010 (https://zakon.rada.gov.ua/laws/show/55-2010-п),
// also in the report of Ukraine to the Tenth UN Conference on the
// Standardization of Geographical Names, E/CONF.101/84 (2012).
var kmu55Examples = []struct{ uk, latin string }{
	{"Алушта", "Alushta"}, {"Андрій", "Andrii"},
	{"Борщагівка", "Borshchahivka"}, {"Борисенко", "Borysenko"},
	{"Вінниця", "Vinnytsia"}, {"Володимир", "Volodymyr"},
	{"Гадяч", "Hadiach"}, {"Богдан", "Bohdan"}, {"Згурський", "Zghurskyi"},
	{"Ґалаґан", "Galagan"}, {"Ґорґани", "Gorgany"},
	{"Донецьк", "Donetsk"}, {"Дмитро", "Dmytro"},
	{"Рівне", "Rivne"}, {"Олег", "Oleh"}, {"Есмань", "Esman"},
	{"Єнакієве", "Yenakiieve"}, {"Гаєвич", "Haievych"}, {"Короп'є", "Koropie"},
	{"Житомир", "Zhytomyr"}, {"Жанна", "Zhanna"}, {"Жежелів", "Zhezheliv"},
	{"Закарпаття", "Zakarpattia"}, {"Казимирчук", "Kazymyrchuk"},
	{"Медвин", "Medvyn"}, {"Михайленко", "Mykhailenko"},
	{"Іванків", "Ivankiv"}, {"Іващенко", "Ivashchenko"},
	{"Їжакевич", "Yizhakevych"}, {"Кадиївка", "Kadyivka"}, {"Мар'їне", "Marine"},
	{"Йосипівка", "Yosypivka"}, {"Стрий", "Stryi"}, {"Олексій", "Oleksii"},
	{"Київ", "Kyiv"}, {"Коваленко", "Kovalenko"},
	{"Лебедин", "Lebedyn"}, {"Леонід", "Leonid"},
	{"Миколаїв", "Mykolaiv"}, {"Маринич", "Marynych"},
	{"Ніжин", "Nizhyn"}, {"Наталія", "Nataliia"},
	{"Одеса", "Odesa"}, {"Онищенко", "Onyshchenko"},
	{"Полтава", "Poltava"}, {"Петро", "Petro"},
	{"Решетилівка", "Reshetylivka"}, {"Рибчинський", "Rybchynskyi"},
	{"Суми", "Sumy"}, {"Соломія", "Solomiia"},
	{"Тернопіль", "Ternopil"}, {"Троць", "Trots"},
	{"Ужгород", "Uzhhorod"}, {"Уляна", "Uliana"},
	{"Фастів", "Fastiv"}, {"Філіпчук", "Filipchuk"},
	{"Харків", "Kharkiv"}, {"Христина", "Khrystyna"},
	{"Біла Церква", "Bila Tserkva"}, {"Стеценко", "Stetsenko"},
	{"Чернівці", "Chernivtsi"}, {"Шевченко", "Shevchenko"},
	{"Шостка", "Shostka"}, {"Кишеньки", "Kyshenky"},
	{"Щербухи", "Shcherbukhy"}, {"Гоща", "Hoshcha"}, {"Гаращенко", "Harashchenko"},
	{"Юрій", "Yurii"}, {"Корюківка", "Koriukivka"},
	{"Яготин", "Yahotyn"}, {"Ярошенко", "Yaroshenko"}, {"Костянтин", "Kostiantyn"},
	{"Знам'янка", "Znamianka"}, {"Феодосія", "Feodosiia"},
	// Note 1 of the table: зг is zgh.
	{"Згорани", "Zghorany"}, {"Розгон", "Rozghon"},
}

func TestRomanizeUkrainianOfficialExamples(t *testing.T) {
	for _, tc := range kmu55Examples {
		if got := RomanizeUkrainian(tc.uk); got != tc.latin {
			t.Errorf("RomanizeUkrainian(%q) = %q, want %q", tc.uk, got, tc.latin)
		}
	}
}

func TestRomanizeUkrainian(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"capitals", "ЩЕРБУХИ", "SHCHERBUKHY"},
		{"capital word initial", "ЯРОШЕНКО", "YAROSHENKO"},
		{"lower case", "згурський", "zghurskyi"},
		{"full name", "Згурський Олександр Миколайович", "Zghurskyi Oleksandr Mykolaiovych"},
		{"hyphen starts a word", "Івано-Франківськ", "Ivano-Frankivsk"},
		{"apostrophe forms", "Знам’янка Дем`ян В'ячеслав", "Znamianka Demian Viacheslav"},
		{"quotes kept", "'Ярошенко'", "'Yaroshenko'"},
		{"initials", "Ю. Я. Щ.", "Yu. Ya. Shch."},
		{"single capital", "Є", "Ye"},
		{"stress mark kept", "Ю́рій", "Yu\u0301rii"},
		{"latin passes", "Ivan Петренко", "Ivan Petrenko"},
		{"digits and punctuation", "вул. Лесі Українки, 5", "vul. Lesi Ukrainky, 5"},
		{"russian letters", "Объедков Мыльников Эдуард Пётр", "Obieedkov Mylnykov Eduard Petr"},
		{"empty", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := RomanizeUkrainian(tc.in); got != tc.want {
				t.Errorf("RomanizeUkrainian(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

// ICAO Doc 9303, part 3, section 6 (transliteration of Cyrillic), as used in
// Russian international passports since 2014.
func TestRomanizeRussian(t *testing.T) {
	for _, tc := range []struct{ ru, want string }{
		{"Александр", "Aleksandr"}, {"Юрий", "Iurii"}, {"Щербаков", "Shcherbakov"},
		{"Объедков", "Obieedkov"}, {"Наталья", "Natalia"}, {"Татьяна", "Tatiana"},
		{"Пётр", "Petr"}, {"Фёдор", "Fedor"}, {"Ксения", "Kseniia"}, {"Хрущёв", "Khrushchev"},
		{"Дмитрий", "Dmitrii"}, {"Евгений", "Evgenii"}, {"Цой", "Tsoi"},
		{"Чайковский", "Chaikovskii"}, {"Эдуард", "Eduard"}, {"Жуков", "Zhukov"},
		{"Мыльников", "Mylnikov"}, {"Ульяна", "Uliana"}, {"Яковлев", "Iakovlev"},
		{"Николаевич", "Nikolaevich"}, {"Сергеевна", "Sergeevna"},
		{"ЩЕРБАКОВ ЮРИЙ", "SHCHERBAKOV IURII"}, {"Подъячев", "Podieiachev"},
		{"Григорий Ефимович", "Grigorii Efimovich"},
		{"Ґалаґан Їжак", "Galagan Izhak"},
	} {
		if got := RomanizeRussian(tc.ru); got != tc.want {
			t.Errorf("RomanizeRussian(%q) = %q, want %q", tc.ru, got, tc.want)
		}
	}
}

func TestRomanize(t *testing.T) {
	if got := Romanize("Юрій", Ukrainian); got != "Yurii" {
		t.Errorf("uk: %q", got)
	}
	if got := Romanize("Юрий", Russian); got != "Iurii" {
		t.Errorf("ru: %q", got)
	}
	if got := Romanize("Юрий", Latin); got != "Юрий" {
		t.Errorf("latin: %q", got)
	}
}
