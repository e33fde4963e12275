package linkage_test

import (
	"fmt"

	"tally"
	"tally/linkage"
)

func ExampleLink() {
	d := tally.MustDate
	request := []linkage.Record{
		{Ref: "UA-1", Surname: "Олійник", Given: "Олександр", Patronymic: "Миколайович", BirthDate: d("1999-06-03"), BirthPlace: "м. Олешки"},
		{Ref: "UA-2", Surname: "Ковальчук", Given: "Андрій", Patronymic: "Петрович", BirthDate: d("1990-05-12"), BirthPlace: "Херсон"},
		{Ref: "UA-3", Surname: "Бондаренко", Given: "Василь", Patronymic: "Іванович", BirthDate: d("1985-11-20"), BirthPlace: "Київ"},
	}
	custody := []linkage.Record{
		{Ref: "RU-7", Surname: "ОЛЕЙНИК", Given: "Александр", Patronymic: "Николаевич", BirthDate: d("1999-03-06"), BirthPlace: "г. Алешки"},
		{Ref: "RU-8", Surname: "КОВАЛЬЧУК", Given: "Дмитрий", Patronymic: "Петрович", BirthDate: d("1993-02-03"), BirthPlace: "Херсон"},
		{Ref: "RU-9", Surname: "Bondarenko", Given: "Vasyl", BirthDate: d("1985"), BirthPlace: "Kyiv"},
	}
	res, err := linkage.Link(request, custody, linkage.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range res.Pairs {
		fmt.Println(p.Left, p.Right, p.Decision, "birth_date:", p.Fields["birth_date"])
	}
	fmt.Println("left only:", res.LeftOnly, "right only:", res.RightOnly)
	// Output:
	// UA-1 RU-7 match birth_date: day-month-swapped
	// UA-3 RU-9 match birth_date: partial-agrees
	// left only: [UA-2] right only: [RU-8]
}
