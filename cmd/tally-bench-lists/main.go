// Command tally-bench-lists measures what the core issue asks of list
// handling: `tally validate` on a 1,000,000-row CSV of realistic rows (≤ 5 s
// wall, ≤ 200 MB peak memory on a 2-core machine) and the import of the
// same list into SQLite (≤ 20 s).
//
// It writes a synthetic list (Cyrillic, 14 columns, about 1 in 50 rows with
// a fault), then validates it and imports it in this process, printing wall
// time, rows per second and the peak resident memory (VmHWM) after each
// step. Run it as:
//
//	go run ./cmd/tally-bench-lists -rows 1000000
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strings"
	"time"

	"tally"
	"tally/listfile"
	"tally/sqlite"
)

func main() {
	rows := flag.Int("rows", 1_000_000, "rows in the synthetic list")
	dir := flag.String("dir", "", "where to write the list and the store (default: a temporary directory, removed after)")
	skipImport := flag.Bool("validate-only", false, "measure validation only")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the whole run to this file")
	flag.Parse()
	// As cmd/tally does: see its main.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(50)
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "tally-bench-lists:", err)
			os.Exit(1)
		}
		defer pprof.StopCPUProfile()
	}
	if err := run(*rows, *dir, !*skipImport); err != nil {
		fmt.Fprintln(os.Stderr, "tally-bench-lists:", err)
		pprof.StopCPUProfile()
		os.Exit(1)
	}
}

func run(n int, dir string, doImport bool) error {
	if dir == "" {
		d, err := os.MkdirTemp("", "tally-bench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		dir = d
	}
	path := filepath.Join(dir, "list.csv")
	size, err := writeList(path, n)
	if err != nil {
		return err
	}
	fmt.Printf("list: %d rows, %.1f MB, %s\n", n, float64(size)/1e6, path)
	fmt.Printf("go: %s, GOMAXPROCS %d\n", runtime.Version(), runtime.GOMAXPROCS(0))
	ag := agreement()

	start := time.Now()
	r, err := listfile.Open(path, listfile.Options{})
	if err != nil {
		return err
	}
	rep, err := tally.Validate(ag, path, r, "")
	r.Close()
	if err != nil {
		return err
	}
	wall := time.Since(start)
	fmt.Printf("validate: %d rows, %d problems, %.2f s wall, %.0f rows/s, peak memory %s\n",
		rep.Rows, len(rep.Problems), wall.Seconds(), float64(rep.Rows)/wall.Seconds(), peak())
	if !doImport {
		return nil
	}

	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(dir, "bench.db"))
	if err != nil {
		return err
	}
	defer st.Close()
	svc := tally.NewService(st, nil)
	if err := svc.AddAgreement(ctx, *ag, []byte("bench")); err != nil {
		return err
	}
	start = time.Now()
	r, err = listfile.Open(path, listfile.Options{})
	if err != nil {
		return err
	}
	defer r.Close()
	orig, err := os.Open(path)
	if err != nil {
		return err
	}
	defer orig.Close()
	v, _, err := svc.ImportList(ctx, tally.Import{AgreementID: ag.ID, Party: "UA", Kind: tally.KindRequest,
		FileName: "list.csv", Original: orig, Rows: r})
	if err != nil {
		return err
	}
	wall = time.Since(start)
	fmt.Printf("import into SQLite: %s, %d rows, %.2f s wall, %.0f rows/s, peak memory %s\n",
		v.Ref(), v.Rows, wall.Seconds(), float64(v.Rows)/wall.Seconds(), peak())
	return nil
}

// peak returns the process's peak resident memory as Linux reports it.
func peak() string {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return "unknown"
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "VmHWM:") {
			return strings.TrimSpace(strings.TrimPrefix(l, "VmHWM:"))
		}
	}
	return "unknown"
}

func agreement() *tally.Agreement {
	i := func(n int) *int { return &n }
	return &tally.Agreement{
		ID: "bench", Date: tally.MustDate("2025-06-02"),
		Parties: []tally.Party{{Code: "UA"}, {Code: "RU"}},
		Categories: []tally.Category{
			{ID: "seriously-wounded-ill", Subject: tally.SubjectPrisoner, Terms: tally.AllForAll,
				Eligibility: tally.Eligibility{Conditions: []string{"seriously-wounded", "seriously-ill"}}},
			{ID: "aged-18-25", Subject: tally.SubjectPrisoner, Terms: tally.AllForAll,
				Eligibility: tally.Eligibility{Age: &tally.AgeRule{Min: i(18), Max: i(25)}}},
		},
	}
}

var (
	surnames = []string{"Шевченко", "Коваленко", "Бондаренко", "Ткаченко", "Кравченко", "Олійник", "Шевчук", "Поліщук", "Мельник", "Бойко", "Лисенко", "Руденко", "Савченко", "Петренко", "Мороз", "Марченко", "Павленко", "Левченко", "Гончаренко", "Кузьменко", "Литвиненко", "Клименко", "Карпенко", "Гаврилюк", "Ковальчук", "Пономаренко", "Сидоренко", "Ярошенко", "Кравчук", "Дмитренко"}
	given    = []string{"Олександр", "Микола", "Іван", "Сергій", "Андрій", "Юрій", "Дмитро", "Олексій", "Василь", "Петро", "Павло", "Михайло", "Володимир", "Віталій", "Ігор", "Олег", "Євген", "Богдан", "Тарас", "Степан"}
	fathers  = []string{"Олександрович", "Миколайович", "Іванович", "Сергійович", "Андрійович", "Юрійович", "Дмитрович", "Олексійович", "Васильович", "Петрович"}
	places   = []string{"м. Київ", "м. Харків", "м. Одеса", "м. Дніпро", "м. Запоріжжя", "м. Львів", "с. Олешки", "м. Рівне"}
	ranks    = []string{"солдат", "старший солдат", "сержант", "молодший сержант", "лейтенант"}
)

// writeList writes n synthetic rows; about 1 in 50 has a fault.
func writeList(path string, n int) (int64, error) {
	f, err := os.Create(path)
	if err != nil {
		return 0, err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	rng := rand.New(rand.NewPCG(1, 2))
	fmt.Fprintln(w, "№,Прізвище,Ім'я,По батькові,Дата народження,Місце народження,Стать,Звання,Особистий номер,Військова частина,Дата полону,Стан здоров'я,Категорія,Примітки")
	for i := 1; i <= n; i++ {
		cat, cond := "aged-18-25", ""
		year := 2000 + rng.IntN(7)
		if i%3 == 0 {
			cat, cond, year = "seriously-wounded-ill", "seriously-wounded", 1970+rng.IntN(35)
		}
		date := fmt.Sprintf("%02d.%02d.%d", 1+rng.IntN(28), 1+rng.IntN(12), year)
		if i%50 == 0 {
			date = fmt.Sprintf("%02d/%02d/%d", 1+rng.IntN(28), 1+rng.IntN(12), year)
		}
		fmt.Fprintf(w, "UA-%07d,%s,%s,%s,%s,%s,ч,%s,ЖТ%07d,А%04d,%02d.%02d.2024,%s,%s,\n", i,
			surnames[rng.IntN(len(surnames))], given[rng.IntN(len(given))], fathers[rng.IntN(len(fathers))], date,
			places[rng.IntN(len(places))], ranks[rng.IntN(len(ranks))], i, rng.IntN(9999),
			1+rng.IntN(28), 1+rng.IntN(12), cond, cat)
	}
	if err := w.Flush(); err != nil {
		return 0, err
	}
	fi, err := f.Stat()
	if err != nil {
		return 0, err
	}
	return fi.Size(), f.Close()
}
