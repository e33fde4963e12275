package listfile

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/unicode/norm"

	"tally"
)

// FuzzReadCSV reads any bytes as a list: it never panics, every error is
// a *tally.Error naming the file, and every value it gives is trimmed NFC
// text.
func FuzzReadCSV(f *testing.F) {
	seeds := []string{
		"Surname,Given name\nSample,Ann\n",
		"Прізвище;Ім'я;Дата народження\nВигаданенко;Остап;12.03.1991\n;;\n",
		"\ufeffПІБ\tв/ч\n\"Прикладна\nГанна\"\tА0000\n",
		"Surname,Notes\nO\"Testy,x\n",
		"Surname,Notes\n\"unclosed,x\n",
		"Surname;Notes\nA;B;C;D\n",
		"a,b,c\n1,2,3\n",
		"\xff\xfeS\x00u\x00r\x00n\x00a\x00m\x00e\x00\n\x00",
		"",
		"\x00\x01\x02",
	}
	for _, s := range seeds {
		f.Add([]byte(s), uint8(0))
	}
	cp, _ := charmap.Windows1251.NewEncoder().String("Прізвище;Ім'я\nВигаданенко;Остап\n")
	f.Add([]byte(cp), uint8(0))
	f.Add([]byte(cp), uint8(3))
	f.Fuzz(func(t *testing.T, data []byte, o uint8) {
		opt := Options{MaxRecordBytes: 256}
		switch o % 5 {
		case 1:
			opt.Delimiter = ';'
		case 2:
			opt.Encoding = "utf-8"
		case 3:
			opt.Encoding = "koi8-u"
		case 4:
			opt.Encoding = "utf-16le"
		}
		r, err := NewReader("fuzz.csv", bytes.NewReader(data), opt)
		if err != nil {
			checkError(t, err)
			return
		}
		defer r.Close()
		h := r.Header()
		if len(h.Columns) == 0 {
			t.Fatal("a header with no columns")
		}
		for i := 0; i < 10000; i++ {
			row, err := r.Next()
			if err == io.EOF {
				return
			}
			if err != nil {
				checkError(t, err)
				continue
			}
			if len(row.Extra) != len(h.Unknown()) {
				t.Fatalf("row has %d extra cells, header %d unknown columns", len(row.Extra), len(h.Unknown()))
			}
			for _, v := range append(row.Values[:], row.Extra...) {
				checkValue(t, v)
			}
		}
	})
}

func checkError(t *testing.T, err error) {
	t.Helper()
	var e *tally.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not a *tally.Error", err, err)
	}
	if e.File != "fuzz.csv" || e.Message == "" {
		t.Fatalf("error without file or message: %#v", e)
	}
}

func checkValue(t *testing.T, v string) {
	t.Helper()
	if !utf8.ValidString(v) {
		t.Fatalf("value %q is not UTF-8", v)
	}
	if v != "" && (isBlank([]rune(v)[0]) || isBlank([]rune(v)[len([]rune(v))-1])) {
		t.Fatalf("value %q is not trimmed", v)
	}
	if !norm.NFC.IsNormalString(v) {
		t.Fatalf("value %q is not NFC", v)
	}
	if c, _ := clean(v, true); c != v {
		t.Fatalf("cleaning %q again gives %q", v, c)
	}
}
