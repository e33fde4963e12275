package listfile

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/text/encoding/charmap"
)

// Parts of synthetic names: none is a real person's name.
var (
	benchSurnames = []string{"Вигаданенко", "Прикладна", "Тестовий", "Зразкова", "Умовний", "Примеров", "Выдуманова", "Нарисенко"}
	benchGiven    = []string{"Остап", "Ганна", "Юрій", "Марія", "Сергей", "Елена", "Ігор", "Їжак"}
	benchPatr     = []string{"Петрович", "Іванівна", "Олегович", "Ильич", "Юрьевна", ""}
	benchPlaces   = []string{"м. Житомир", "с. Зелений Гай", "г. Энск", "смт Умовне"}
	benchRanks    = []string{"солдат", "сержант", "рядовой", ""}
)

// writeBenchList writes a list of n rows of 15 columns, about 120 bytes
// each, in UTF-8 or, with cp1251, in Windows-1251.
func writeBenchList(tb testing.TB, n int, cp1251 bool) string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "list.csv")
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	var w io.Writer = f
	if cp1251 {
		w = charmap.Windows1251.NewEncoder().Writer(f)
	}
	bw := bufio.NewWriterSize(w, 1<<16)
	fmt.Fprintln(bw, "№;Прізвище;Ім'я;По батькові;Дата народження;Місце народження;Стать;Громадянство;Звання;Жетон;В/Ч;Дата полону;Місце полону;Стан здоров'я;Категорія")
	for i := range n {
		fmt.Fprintf(bw, "UA-%06d;%s;%s;%s;%02d.%02d.%d;%s;%s;UA;%s;АА%06d;А%04d;%02d.2023;%s;%d;aged-18-25\n",
			i, benchSurnames[i%8], benchGiven[i/8%8], benchPatr[i%6], i%28+1, i%12+1, 1960+i%45,
			benchPlaces[i%4], "чж"[i%2*2:i%2*2+2], benchRanks[i%4], i, i%10000, i%12+1, benchPlaces[(i+1)%4], i%3)
	}
	if err := bw.Flush(); err != nil {
		tb.Fatal(err)
	}
	if err := f.Close(); err != nil {
		tb.Fatal(err)
	}
	return path
}

func BenchmarkReadCSV(b *testing.B) {
	n := 1_000_000
	if testing.Short() {
		n = 50_000
	}
	for _, enc := range []string{"utf-8", "windows-1251"} {
		b.Run(enc, func(b *testing.B) {
			path := writeBenchList(b, n, enc != "utf-8")
			fi, _ := os.Stat(path)
			b.SetBytes(fi.Size())
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				r, err := Open(path, Options{})
				if err != nil {
					b.Fatal(err)
				}
				rows := 0
				for {
					_, err := r.Next()
					if err == io.EOF {
						break
					}
					if err != nil {
						b.Fatal(err)
					}
					rows++
				}
				r.Close()
				if rows != n || r.Encoding() != enc {
					b.Fatalf("read %d rows as %s", rows, r.Encoding())
				}
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
			b.ReportMetric(float64(fi.Size())/float64(n), "bytes/row")
		})
	}
}
