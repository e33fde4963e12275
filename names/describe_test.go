package names

import (
	"encoding/json"
	"testing"
)

func TestDescribe(t *testing.T) {
	for _, tc := range []struct {
		name, in, lang string
		want           Description
	}{
		{"ukrainian surname", "Згурський", "", Description{Input: "Згурський", Lang: Ukrainian, Script: CyrillicScript, Latin: "Zghurskyi", Key: "zgurski", Guessed: true}},
		{"told ukrainian", "Згурський", "uk", Description{Input: "Згурський", Lang: Ukrainian, Script: CyrillicScript, Latin: "Zghurskyi", Key: "zgurski"}},
		{"russian", "Щербаков Юрий Фёдорович", "", Description{Input: "Щербаков Юрий Фёдорович", Lang: Russian, Script: CyrillicScript, Latin: "Shcherbakov Iurii Fedorovich", Key: "wqirbakov iuri fidoroviq"}},
		{"no sign of either", "Щербаков Петренко", "", Description{Input: "Щербаков Петренко", Lang: Ukrainian, Script: CyrillicScript, Latin: "Shcherbakov Petrenko", Key: "wqirbakov pitrinko", Guessed: true}},
		{"no letter sign, but a Russian form", "Щербаков Юрий", "", Description{Input: "Щербаков Юрий", Lang: Russian, Script: CyrillicScript, Latin: "Shcherbakov Iurii", Key: "wqirbakov iuri"}},
		{"no letter sign, but a Ukrainian form", "Олександр", "", Description{Input: "Олександр", Lang: Ukrainian, Script: CyrillicScript, Latin: "Oleksandr", Key: "oliksandr"}},
		{"told russian", "Олег", "ru", Description{Input: "Олег", Lang: Russian, Script: CyrillicScript, Latin: "Oleg", Key: "olig"}},
		{"full ukrainian name", "Ковальчук Олексій Іванович", "", Description{Input: "Ковальчук Олексій Іванович", Lang: Ukrainian, Script: CyrillicScript, Latin: "Kovalchuk Oleksii Ivanovych", Key: "kovalquk oliksi ivanoviq"}},
		{"latin", "Oleksandr Kovalenko", "", Description{Input: "Oleksandr Kovalenko", Lang: Latin, Script: LatinScript, Latin: "Oleksandr Kovalenko", Key: "oliksandr kovalinko"}},
		{"look-alikes", "Ковaленко", "", Description{Input: "Ковaленко", Lang: Ukrainian, Script: MixedScript, Latin: "Kovalenko", Key: "kovalinko", Guessed: true}},
		{"messy spaces", "  Знам’янка ", "", Description{Input: "  Знам’янка ", Lang: Ukrainian, Script: CyrillicScript, Latin: "Znamianka", Key: "znamianka"}},
		{"empty", "", "", Description{Script: NoScript}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Describe(tc.in, tc.lang); got != tc.want {
				t.Errorf("Describe(%q, %q) =\n%+v, want\n%+v", tc.in, tc.lang, got, tc.want)
			}
		})
	}
}

func TestDescriptionJSON(t *testing.T) {
	b, err := json.Marshal(Describe("Згурський", "uk"))
	if err != nil {
		t.Fatal(err)
	}
	const want = `{"input":"Згурський","lang":"uk","script":"cyrillic","latin":"Zghurskyi","key":"zgurski"}`
	if string(b) != want {
		t.Errorf("JSON = %s, want %s", b, want)
	}
	var d Description
	if err := json.Unmarshal(b, &d); err != nil || d != Describe("Згурський", "uk") {
		t.Errorf("round trip: %+v, %v", d, err)
	}
}
