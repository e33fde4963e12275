package names

import (
	"strings"
	"testing"
)

// Every name in a group must have one key; keys of different groups must
// differ. All names here are invented or are common name forms.
var keyGroups = []struct {
	part  Part
	names []string
}{
	{Given, []string{"Олександр", "Александр", "Oleksandr", "Aleksandr", "Alexander", "Olexandr", "OLEKSANDR", "олександр"}},
	{Given, []string{"Олексій", "Алексей", "Oleksii", "Oleksiy", "Aleksei", "Alexey", "Alexei"}},
	{Given, []string{"Микола", "Николай", "Mykola", "Nikolai", "Nikolay"}},
	{Given, []string{"Іван", "Иван", "Ivan"}},
	{Given, []string{"Іванна", "Иванна", "Ivanna"}},
	{Given, []string{"Сергій", "Сергей", "Serhii", "Serhiy", "Sergei", "Sergey", "Sergiy"}},
	{Given, []string{"Андрій", "Андрей", "Andrii", "Andriy", "Andrei", "Andrey"}},
	{Given, []string{"Юрій", "Юрий", "Yurii", "Iurii", "Yuriy", "Yuri", "Jurij"}},
	{Given, []string{"Дмитро", "Дмитрий", "Dmytro", "Dmitrii", "Dmitry"}},
	{Given, []string{"Василь", "Василий", "Vasyl", "Vasilii", "Vasily"}},
	{Given, []string{"Петро", "Пётр", "Петр", "Petro", "Petr", "Pyotr"}},
	{Given, []string{"Павло", "Павел", "Pavlo", "Pavel"}},
	{Given, []string{"Михайло", "Михаил", "Mykhailo", "Mikhail", "Mihail"}},
	{Given, []string{"Григорій", "Григорий", "Hryhorii", "Grigorii", "Grigory"}},
	{Given, []string{"Євген", "Евгений", "Yevhen", "Evgenii", "Yevgeny", "Evgeny"}},
	{Given, []string{"Олег", "Oleh", "Oleg"}},
	{Given, []string{"Ігор", "Игорь", "Ihor", "Igor"}},
	{Given, []string{"Віталій", "Виталий", "Vitalii", "Vitaliy", "Vitaly"}},
	{Given, []string{"Володимир", "Владимир", "Volodymyr", "Vladimir"}},
	{Given, []string{"Федір", "Фёдор", "Федор", "Fedir", "Fedor", "Fyodor"}},
	{Given, []string{"Семен", "Семён", "Semen", "Semyon"}},
	{Given, []string{"Олена", "Елена", "Olena", "Elena", "Yelena"}},
	{Given, []string{"Альона", "Алёна", "Alona", "Aliona", "Alyona"}},
	{Given, []string{"Аліна", "Алина", "Alina"}},
	{Given, []string{"Наталія", "Наталя", "Наталья", "Nataliia", "Natalia", "Natalya"}},
	{Given, []string{"Ганна", "Анна", "Hanna", "Anna"}},
	{Given, []string{"Катерина", "Екатерина", "Kateryna", "Ekaterina", "Yekaterina"}},
	{Given, []string{"Ірина", "Ирина", "Iryna", "Irina"}},
	{Given, []string{"Тетяна", "Татьяна", "Tetiana", "Tatiana", "Tatyana"}},
	{Given, []string{"Ольга", "Olha", "Olga"}},
	{Given, []string{"Марія", "Мария", "Mariia", "Maria"}},
	{Given, []string{"Яна", "Iana", "Yana"}},
	{Patronymic, []string{"Миколайович", "Николаевич", "Mykolaiovych", "Nikolaevich"}},
	{Patronymic, []string{"Миколаївна", "Николаевна", "Mykolaivna", "Nikolaevna"}},
	{Patronymic, []string{"Олександрович", "Александрович", "Oleksandrovych", "Aleksandrovich"}},
	{Patronymic, []string{"Олександрівна", "Александровна", "Oleksandrivna", "Aleksandrovna"}},
	{Patronymic, []string{"Олексійович", "Алексеевич", "Oleksiiovych", "Alekseevich"}},
	{Patronymic, []string{"Іванович", "Иванович", "Ivanovych", "Ivanovich"}},
	{Patronymic, []string{"Іванівна", "Ивановна", "Ivanivna", "Ivanovna"}},
	{Patronymic, []string{"Юрійович", "Юрьевич", "Yuriiovych", "Iurevich"}},
	{Patronymic, []string{"Петрович", "Petrovych", "Petrovich"}},
	{Patronymic, []string{"Петрівна", "Петровна", "Petrivna", "Petrovna"}},
	{Patronymic, []string{"Якович", "Яковлевич", "Yakovych", "Iakovlevich"}},
	{Patronymic, []string{"Ілліч", "Ильич", "Illich", "Ilich"}},
	{Patronymic, []string{"Дмитрович", "Дмитриевич", "Dmytrovych", "Dmitrievich"}},
	{Patronymic, []string{"Васильович", "Васильевич", "Vasylovych", "Vasilevich"}},
	{Patronymic, []string{"Сергіївна", "Сергеевна", "Serhiivna", "Sergeevna"}},
	{Patronymic, []string{"Віленович", "Виленович"}}, // not in the table
	{Patronymic, []string{"Віленівна", "Виленовна"}},
	{Surname, []string{"Коваленко", "Kovalenko", "КОВАЛЕНКО", "Ковaленко" /* Latin a */}},
	{Surname, []string{"Коваль", "Koval", "Kowal"}},
	{Surname, []string{"Ковальов", "Ковалёв", "Ковалев", "Kovalev", "Kovalyov", "Kovaliov"}},
	{Surname, []string{"Ковальова", "Ковалёва", "Ковалева", "Kovaleva", "Kovalyova"}},
	{Surname, []string{"Олійник", "Олейник", "Oliinyk", "Oleinik", "Oleynik", "Oliynyk"}},
	{Surname, []string{"Згурський", "Згурский", "Zghurskyi", "Zgurskiy", "Zgurskii", "Zgursky"}},
	{Surname, []string{"Згурська", "Згурская", "Zghurska", "Zgurskaya", "Zgurskaia"}},
	{Surname, []string{"Гончаренко", "Honcharenko", "Goncharenko"}},
	{Surname, []string{"Ґалаґан", "Галаган", "Galagan", "Halahan"}},
	{Surname, []string{"Шевчук", "Shevchuk", "Szewczuk", "Ševčuk"}},
	{Surname, []string{"Щербак", "Shcherbak", "Ščerbak"}},
	{Surname, []string{"Прокоп'єв", "Прокопьев", "Prokopiev", "Prokopev"}},
	{Surname, []string{"Дяченко", "Дьяченко", "Diachenko", "Dyachenko", "D'iachenko"}},
	{Surname, []string{"Соловйов", "Соловьёв", "Соловьев", "Solovyov", "Soloviov", "Solovev"}},
	{Surname, []string{"Лісовий", "Лесовой", "Lisovyi", "Lesovoi", "Lesovoy"}},
	{Surname, []string{"Білоус", "Белоус", "Bilous", "Belous"}},
	{Surname, []string{"Кузнєцов", "Кузнецов", "Kuznietsov", "Kuznetsov"}},
	{Surname, []string{"Хмельницький", "Хмельницкий", "Khmelnytskyi", "Khmelnitsky"}},
	{Surname, []string{"Ткаченко", "Tkachenko"}},
	{Surname, []string{"Ковальчук", "Kovalchuk", "Kowalczuk"}},
	{Surname, []string{"Петренко-Коваль", "Petrenko-Koval", "Петренко Коваль"}},
	{Place, []string{"Олешки", "Алешки", "Oleshky", "Aleshki", "Цюрупинськ"}},
	{Place, []string{"Рівне", "Ровно", "Rivne", "Rovno", "м. Рівне"}},
	{Place, []string{"Кременчук", "Кременчуг", "Kremenchuk", "Kremenchug"}},
	{Place, []string{"Київ", "Киев", "Kyiv", "Kiev", "м. Київ"}},
	{Place, []string{"Харків", "Харьков", "Kharkiv", "Kharkov", "г. Харьков"}},
	{Place, []string{"Миколаїв", "Николаев", "Mykolaiv", "Nikolaev"}},
	{Place, []string{"Запоріжжя", "Запорожье", "Zaporizhzhia", "Zaporozhe"}},
	{Place, []string{"Дніпро", "Днепр", "Dnipro", "Dnepr", "Днепропетровск"}},
	{Place, []string{"Львів", "Львов", "Lviv", "Lvov"}},
	{Place, []string{"Чернігів", "Чернигов", "Chernihiv", "Chernigov"}},
	{Place, []string{"Вінниця", "Винница", "Vinnytsia", "Vinnitsa"}},
	{Place, []string{"Житомир", "Zhytomyr", "Zhitomir"}},
	{Place, []string{"Кропивницький", "Кировоград", "Kropyvnytskyi", "Kirovograd"}},
	{Place, []string{"Бахмут", "Артёмовск", "Артемівськ", "Bakhmut", "Artemovsk"}},
	{Place, []string{"Біла Церква", "Белая Церковь", "Bila Tserkva"}},
	{Place, []string{"Кривий Ріг", "Кривой Рог", "Kryvyi Rih", "Krivoy Rog"}},
	{Place, []string{"Одеса", "Одесса", "Odesa", "Odessa"}},
	{Place, []string{"Лісове", "Лесовое", "село Лісове"}}, // not in the table
}

func TestKeyGroups(t *testing.T) {
	owner := map[string]string{} // key → first name with it
	for _, g := range keyGroups {
		want := Key(g.part, g.names[0])
		if want == "" {
			t.Errorf("Key(%v, %q) is empty", g.part, g.names[0])
		}
		for _, n := range g.names[1:] {
			if got := Key(g.part, n); got != want {
				t.Errorf("Key(%v, %q) = %q, want %q as for %q", g.part, n, got, want, g.names[0])
			}
			if !Equivalent(g.part, g.names[0], n) {
				t.Errorf("Equivalent(%v, %q, %q) = false", g.part, g.names[0], n)
			}
		}
		id := g.part.String() + ":" + want
		if o, ok := owner[id]; ok {
			t.Errorf("%v %q and %q have one key %q", g.part, o, g.names[0], want)
		}
		owner[id] = g.names[0]
	}
}

func TestKeyDiffers(t *testing.T) {
	for _, tc := range []struct {
		part Part
		a, b string
	}{
		{Given, "Олександр", "Олексій"}, // brothers
		{Given, "Oleksandr", "Oleksii"},
		{Given, "Олександр", "Олександра"},
		{Given, "Іван", "Іванна"},
		{Given, "Ivan", "Ivanna"},
		{Given, "Ярослав", "Ярослава"},
		{Given, "Альона", "Аліна"},
		{Given, "Alena", "Alina"},
		{Given, "Олена", "Олеся"},
		{Given, "Юлій", "Юлія"},
		{Given, "Дарія", "Дарина"},
		{Given, "Марина", "Марія"},
		{Given, "Віктор", "Вікторія"},
		{Given, "Леонід", "Леонтій"},
		{Patronymic, "Олександрович", "Олександрівна"},
		{Patronymic, "Олександрович", "Олексійович"},
		{Patronymic, "Іванович", "Іванівна"},
		{Surname, "Коваль", "Ковальов"},
		{Surname, "Коваль", "Коваленко"},
		{Surname, "Ковальов", "Коваленко"},
		{Surname, "Ковальов", "Ковальова"},
		{Surname, "Шевченко", "Шевчук"},
		{Surname, "Петренко", "Петрук"},
		{Surname, "Бондар", "Бондаренко"},
		{Surname, "Кравець", "Кравченко"},
		{Surname, "Мельник", "Мельничук"},
		{Surname, "Ткач", "Ткачук"},
		{Surname, "Савченко", "Савенко"},
		{Surname, "Лисенко", "Лисенков"},
		{Surname, "Гаврилюк", "Гаврилко"},
		{Surname, "Згурський", "Згурська"},
		{Surname, "Жук", "Зук"},
		{Surname, "Хоменко", "Гоменко"},
		{Surname, "Цап", "Чап"},
		{Place, "Київ", "Харків"},
		{Place, "Каховка", "Нова Каховка"},
		{Place, "Кам'янка", "Кам'янське"},
	} {
		if ka, kb := Key(tc.part, tc.a), Key(tc.part, tc.b); ka == kb {
			t.Errorf("Key(%v, %q) == Key(%v, %q) == %q", tc.part, tc.a, tc.part, tc.b, ka)
		}
	}
}

func TestKeyShape(t *testing.T) {
	for _, tc := range []struct {
		part    Part
		in, out string
	}{
		{Surname, "Згурський", "zgurski"},
		{Surname, "  Коваленко\t", "kovalinko"},
		{Surname, "Шевчук-Бондар", "wivquk bondar"},
		{Surname, "O'Brien", "obrin"},
		{Surname, "", ""},
		{Surname, "—", ""},
		{Surname, "Ю́рченко", "iurqinko"},
		{Surname, "Nguyễn", "nguin"},
		{Surname, "Γεωργίου", "γεωργιου"},
		{Given, "Олександр", "oleksandr"},
		{Given, "Анна-Марія", "gana maria"},
		{Given, "Невідоме", "nevidome"},
		{Patronymic, "Миколайович", "mikolaioviq"},
		{Place, "м. Рівне", "rivne"},
	} {
		if got := Key(tc.part, tc.in); got != tc.out {
			t.Errorf("Key(%v, %q) = %q, want %q", tc.part, tc.in, got, tc.out)
		}
	}
}

func TestForms(t *testing.T) {
	for _, tc := range []struct {
		part       Part
		in, uk, ru string
		ok         bool
	}{
		{Given, "Alexander", "Олександр", "Александр", true},
		{Given, "Николай", "Микола", "Николай", true},
		{Given, "Hanna", "Ганна", "Анна", true},
		{Patronymic, "Nikolaevich", "Миколайович", "Николаевич", true},
		{Patronymic, "Іванівна", "Іванівна", "Ивановна", true},
		{Place, "Ровно", "Рівне", "Ровно", true},
		{Place, "Артёмовск", "Бахмут", "Бахмут", true},
		{Surname, "Коваленко", "", "", false},
		{Given, "Зорг", "", "", false},
	} {
		uk, ru, ok := Forms(tc.part, tc.in)
		if uk != tc.uk || ru != tc.ru || ok != tc.ok {
			t.Errorf("Forms(%v, %q) = %q, %q, %v; want %q, %q, %v", tc.part, tc.in, uk, ru, ok, tc.uk, tc.ru, tc.ok)
		}
	}
}

func TestTables(t *testing.T) {
	tb := loadTables()
	if len(tb.conflicts) > 0 {
		t.Errorf("spellings claimed by two names:\n%s", strings.Join(tb.conflicts, "\n"))
	}
	count := func(m map[string]*entry) int {
		seen := map[*entry]bool{}
		for _, e := range m {
			seen[e] = true
		}
		return len(seen)
	}
	if n := count(tb.given.fine); n < 250 {
		t.Errorf("%d given names, want at least 250", n)
	}
	if n := count(tb.place.fine); n < 60 {
		t.Errorf("%d places, want at least 60", n)
	}
	t.Logf("%d given names, %d patronymics, %d places; %d spellings of given names",
		count(tb.given.fine), count(tb.patronymic.fine), count(tb.place.fine), len(tb.given.fine))
}

func TestDerivedPatronymics(t *testing.T) {
	for _, tc := range []struct{ g, m, f string }{
		{"Олександр", "Олександрович", "Олександрівна"},
		{"Сергій", "Сергійович", "Сергіївна"},
		{"Петро", "Петрович", "Петрівна"},
		{"Михайло", "Михайлович", "Михайлівна"},
		{"Василь", "Васильович", "Василівна"},
		{"Микита", "Микитович", "Микитівна"},
		{"Ігор", "Ігорович", "Ігорівна"},
		{"Мойсей", "Мойсейович", "Мойсеївна"},
	} {
		if m, f := ukrainianPatronymics(tc.g); m != tc.m || f != tc.f {
			t.Errorf("ukrainianPatronymics(%q) = %q, %q; want %q, %q", tc.g, m, f, tc.m, tc.f)
		}
	}
	for _, tc := range []struct{ g, m, f string }{
		{"Александр", "Александрович", "Александровна"},
		{"Николай", "Николаевич", "Николаевна"},
		{"Сергей", "Сергеевич", "Сергеевна"},
		{"Юрий", "Юрьевич", "Юрьевна"},
		{"Дмитрий", "Дмитриевич", "Дмитриевна"},
		{"Георгий", "Георгиевич", "Георгиевна"},
		{"Викентий", "Викентьевич", "Викентьевна"},
		{"Игорь", "Игоревич", "Игоревна"},
		{"Никита", "Никитич", "Никитична"},
		{"Фёдор", "Фёдорович", "Фёдоровна"},
	} {
		if m, f := russianPatronymics(tc.g); m != tc.m || f != tc.f {
			t.Errorf("russianPatronymics(%q) = %q, %q; want %q, %q", tc.g, m, f, tc.m, tc.f)
		}
	}
}

func TestKeyLookalikes(t *testing.T) {
	for _, tc := range []struct {
		part       Part
		typed, was string
	}{
		{Place, "Kиïв", "Київ"},
		{Surname, "Олiйник", "Олійник"},
		{Surname, "Пeтpeнкo", "Петренко"},
		{Surname, "COKOЛOB", "Соколов"}, // all twins, Latin
		{Given, "Іvаn", "Ivan"},
	} {
		if got, want := Key(tc.part, tc.typed), Key(tc.part, tc.was); got != want {
			t.Errorf("Key(%v, %q) = %q, want %q as for %q", tc.part, tc.typed, got, want, tc.was)
		}
	}
}
