package names_test

import (
	"encoding/json"
	"fmt"

	"tally/names"
)

func ExampleKey() {
	// One key for the Ukrainian, Russian and Latin spellings of a name.
	for _, s := range []string{"Олександр", "Александр", "Oleksandr", "Alexander"} {
		fmt.Println(names.Key(names.Given, s))
	}
	// Surnames by rule.
	fmt.Println(names.Key(names.Surname, "Олійник") == names.Key(names.Surname, "Oleinik"))
	// Different names, different keys.
	fmt.Println(names.Key(names.Given, "Олександр") == names.Key(names.Given, "Олексій"))
	// Output:
	// oleksandr
	// oleksandr
	// oleksandr
	// oleksandr
	// true
	// false
}

func ExampleEquivalent() {
	fmt.Println(names.Equivalent(names.Patronymic, "Миколайович", "Nikolaevich"))
	fmt.Println(names.Equivalent(names.Place, "Рівне", "Ровно"))
	fmt.Println(names.Equivalent(names.Surname, "Коваль", "Коваленко"))
	// Output:
	// true
	// true
	// false
}

func ExampleRomanizeUkrainian() {
	fmt.Println(names.RomanizeUkrainian("Згурський Юрій, м. Знам'янка"))
	fmt.Println(names.RomanizeUkrainian("ЯРОШЕНКО"))
	// Output:
	// Zghurskyi Yurii, m. Znamianka
	// YAROSHENKO
}

func ExampleRomanizeRussian() {
	fmt.Println(names.RomanizeRussian("Щербаков Юрий Объедков"))
	// Output: Shcherbakov Iurii Obieedkov
}

func ExampleNormalize() {
	fmt.Printf("%q\n", names.Normalize("  Знам’янка \t Ю\u0301рій "))
	// Output: "Знам'янка Юрій"
}

func ExampleRepairLookalikes() {
	// "Коваленко" typed with a Latin a, "Олійник" with a Latin i.
	fmt.Println(names.RepairLookalikes("Ковaленко Олiйник"))
	// Output: Коваленко Олійник true
}

func ExampleDetect() {
	fmt.Printf("%+v\n", names.Detect("Ґалаґан"))
	fmt.Printf("%+v\n", names.Detect("Пётр"))
	fmt.Printf("%+v\n", names.Detect("Коваленко"))
	// Output:
	// {Script:cyrillic Lang:uk Guess:false}
	// {Script:cyrillic Lang:ru Guess:false}
	// {Script:cyrillic Lang:uk Guess:true}
}

func ExampleForms() {
	fmt.Println(names.Forms(names.Given, "Mykola"))
	fmt.Println(names.Forms(names.Place, "Артёмовск"))
	// Output:
	// Микола Николай true
	// Бахмут Бахмут true
}

func ExampleDescribe() {
	b, _ := json.Marshal(names.Describe("Згурський", "uk"))
	fmt.Println(string(b))
	// Output: {"input":"Згурський","lang":"uk","script":"cyrillic","latin":"Zghurskyi","key":"zgurski"}
}

func ExampleIsPatronymic() {
	fmt.Println(names.IsPatronymic("Миколайович"), names.IsPatronymic("Ivanivna"), names.IsPatronymic("Коваленко"))
	// Output: true true false
}
