package listfile

import (
	"strings"
	"testing"

	"golang.org/x/text/encoding/charmap"
)

// Synthetic register text: invented names, in the forms clerks type them.
var sampleTexts = map[string]string{
	"uk-title": "№;Прізвище;Ім'я;По батькові;Дата народження;Місце народження;Звання;Категорія\n" +
		"1;Вигаданенко;Остап;Петрович;12.03.1991;м. Житомир;солдат;aged-18-25\n" +
		"2;Прикладна;Ганна;Іванівна;01.11.1987;с. Зелений Гай;;civilian\n" +
		"3;Тестовий;Юрій;Олегович;1979;м. Біла Церква;сержант;wounded\n",
	"uk-upper": "ПІБ,ДАТА НАРОДЖЕННЯ,В/Ч\nВИГАДАНЕНКО ОСТАП ПЕТРОВИЧ,12.03.1991,А0000\nПРИКЛАДНА ГАННА ІВАНІВНА,01.11.1987,\n",
	"ru-title": "ФИО\tДата рождения\tМесто рождения\tЗвание\nВыдуманов Сергей Ильич\t05.06.1990\tг. Энск\tрядовой\nПримерова Елена Юрьевна\t1993-02-17\tпос. Нижний\t\n",
	"ru-upper": "ФАМИЛИЯ;ИМЯ;ОТЧЕСТВО\nВЫДУМАНОВ;СЕРГЕЙ;ИЛЬИЧ\nПРИМЕРОВА;ЕЛЕНА;ЮРЬЕВНА\nЩЕГЛОВЪ;ФЁДОР;ЭДУАРДОВИЧ\n",
	"short":    "Прізвище\nВигаданенко\n",
	"one-word": "ПІБ\n",
}

func TestDetectEncoding(t *testing.T) {
	cms := map[string]*charmap.Charmap{
		enc1251: charmap.Windows1251, encKOI8U: charmap.KOI8U, enc866: charmap.CodePage866,
	}
	for name, text := range sampleTexts {
		for enc, cm := range cms {
			src := text
			if enc == encKOI8U {
				src = strings.ReplaceAll(src, "№", "N") // KOI8 has no №
			}
			b, err := cm.NewEncoder().String(src)
			if err != nil {
				if enc == enc866 {
					continue // CP866 lacks some Ukrainian letters
				}
				t.Fatal(err)
			}
			if got := detectEncoding([]byte(b), true); got != enc {
				t.Errorf("%s in %s: detected %q", name, enc, got)
			}
		}
		if got := detectEncoding([]byte(text), true); got != encUTF8 {
			t.Errorf("%s in UTF-8: detected %q", name, got)
		}
	}
}

func TestDetectEncodingRejects(t *testing.T) {
	for name, text := range map[string]string{
		"latin-1": "Name;Straße;Ort\nMüller;Hauptstraße 5;Köln\nGarçon;Rue de l'Été;Orléans\n",
		"random":  "\xff\xfe\xfa\xf0\x9f\x98\x81\x80\x81\x82",
	} {
		b := []byte(text)
		if name == "latin-1" {
			b, _ = charmap.ISO8859_1.NewEncoder().Bytes(b)
		}
		if got := detectEncoding(b, true); got != "" {
			t.Errorf("%s: detected %q, want none", name, got)
		}
	}
}
