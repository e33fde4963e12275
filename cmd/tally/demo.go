package main

import (
	"bytes"
	_ "embed"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/text/encoding/charmap"

	"tally"
	"tally/agreementfile"
	"tally/listfile"
)

//go:embed demodata/istanbul.yaml
var istanbulYAML []byte

func (a *app) demoCommand() *cobra.Command {
	var dir string
	c := &cobra.Command{
		Use:   "demo",
		Short: "Play the Istanbul scenario on synthetic people, in an embedded store",
		Long: `demo creates the Istanbul agreement of 2 June 2025, writes two synthetic lists
(a clean Ukrainian request list, and a Russian custody list with the faults real
registers have), imports and validates them, and prints the reports. Every
person in it is invented. It uses a fresh store of its own (demo.db beside the
default store) unless --db is given, and leaves it for you to explore.`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(c *cobra.Command, args []string) error {
			return a.demo(c, dir)
		},
	}
	c.Flags().StringVar(&dir, "dir", "", "where to write the demo's files (default: a new temporary directory)")
	return c
}

func (a *app) demo(c *cobra.Command, dir string) error {
	ctx := c.Context()
	if a.db == "" {
		def, err := defaultDB()
		if err != nil {
			return err
		}
		a.db = filepath.Join(filepath.Dir(def), "demo.db")
		for _, suffix := range []string{"", "-wal", "-shm"} {
			if err := os.Remove(a.db + suffix); err != nil && !os.IsNotExist(err) {
				return fmt.Errorf("cannot start the demo afresh: %w", err)
			}
		}
	}
	if dir == "" {
		d, err := os.MkdirTemp("", "tally-demo-")
		if err != nil {
			return err
		}
		dir = d
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	out := a.stdout
	say := func(format string, args ...any) { fmt.Fprintf(out, format+"\n", args...) }

	say("tally demo — the Istanbul terms of 2 June 2025, on synthetic people")
	say("store: %s\nfiles: %s\n", a.db, dir)

	agPath := filepath.Join(dir, "istanbul-2025-06-02.yaml")
	if err := os.WriteFile(agPath, istanbulYAML, 0o644); err != nil {
		return err
	}
	ag, src, err := agreementfile.Load(agPath)
	if err != nil {
		return err
	}
	svc, done, err := a.service(ctx)
	if err != nil {
		return err
	}
	defer done()
	if err := svc.AddAgreement(ctx, ag, src); err != nil {
		return err
	}
	say("1. The mediator records the agreement.")
	printAgreement(out, ag)

	rng := rand.New(rand.NewPCG(2025, 6))
	uaPath := filepath.Join(dir, "ua-request.csv")
	if err := os.WriteFile(uaPath, uaRequestList(rng, 40), 0o644); err != nil {
		return err
	}
	ruPath := filepath.Join(dir, "ru-custody.csv")
	ru, err := ruCustodyList(rng, 30)
	if err != nil {
		return err
	}
	if err := os.WriteFile(ruPath, ru, 0o644); err != nil {
		return err
	}

	imports := []struct {
		say, path, party string
		kind             tally.ListKind
	}{
		{"2. Ukraine submits its request list: UTF-8, Ukrainian headers, one category column.", uaPath, "UA", tally.KindRequest},
		{"3. Russia submits its custody list: Windows-1251, semicolons, Russian headers, one full-name column —\n   and the faults registers really have.", ruPath, "RU", tally.KindCustody},
	}
	for _, im := range imports {
		say("\n%s", im.say)
		rows, err := listfile.Open(im.path, listfile.Options{})
		if err != nil {
			return err
		}
		orig, err := os.Open(im.path)
		if err != nil {
			rows.Close()
			return err
		}
		v, rep, err := svc.ImportList(ctx, tally.Import{AgreementID: ag.ID, Party: im.party, Kind: im.kind,
			FileName: filepath.Base(im.path), Original: orig, Rows: rows})
		rows.Close()
		orig.Close()
		if err != nil {
			return err
		}
		say("   stored as %s (sha256 %s…, read as %s)", v.Ref(), v.SHA256[:16], rows.Encoding())
		printReport(out, rep)
	}
	say("\nEither side can run the same check on the same files and get the same answer:")
	say("  tally validate --agreement %s %s %s", agPath, uaPath, ruPath)
	say("and see what was stored:")
	say("  tally --db %s list ls", a.db)
	say("  tally --db %s list show ru-custody", a.db)
	return nil
}

// Synthetic people: common name parts combined at random. Any likeness to a
// real person is chance; none of these lists describes anyone.
var (
	uaSurnames = []string{"Шевченко", "Коваленко", "Бондаренко", "Ткаченко", "Кравченко", "Олійник", "Шевчук", "Поліщук", "Мельник", "Бойко", "Лисенко", "Руденко", "Савченко", "Петренко", "Мороз", "Марченко", "Павленко", "Левченко", "Гончаренко", "Кузьменко", "Литвиненко", "Клименко", "Карпенко", "Гаврилюк", "Ковальчук", "Пономаренко", "Сидоренко", "Ярошенко", "Кравчук", "Дмитренко"}
	uaGiven    = []string{"Олександр", "Микола", "Іван", "Сергій", "Андрій", "Юрій", "Дмитро", "Олексій", "Василь", "Петро", "Павло", "Михайло", "Володимир", "Віталій", "Ігор", "Олег", "Євген", "Богдан", "Тарас", "Степан"}
	uaFathers  = []string{"Олександрович", "Миколайович", "Іванович", "Сергійович", "Андрійович", "Юрійович", "Дмитрович", "Олексійович", "Васильович", "Петрович", "Павлович", "Михайлович", "Володимирович", "Вікторович", "Ігорович", "Олегович", "Григорович", "Богданович", "Степанович", "Анатолійович"}
	ruSurnames = []string{"Иванов", "Смирнов", "Кузнецов", "Попов", "Васильев", "Петров", "Соколов", "Михайлов", "Новиков", "Фёдоров", "Морозов", "Волков", "Алексеев", "Лебедев", "Семёнов", "Егоров", "Павлов", "Козлов", "Степанов", "Николаев"}
	ruGiven    = []string{"Александр", "Николай", "Иван", "Сергей", "Андрей", "Юрий", "Дмитрий", "Алексей", "Василий", "Пётр", "Павел", "Михаил", "Владимир", "Виталий", "Игорь", "Олег", "Евгений", "Денис", "Артём", "Максим"}
	ruFathers  = []string{"Александрович", "Николаевич", "Иванович", "Сергеевич", "Андреевич", "Юрьевич", "Дмитриевич", "Алексеевич", "Васильевич", "Петрович", "Павлович", "Михайлович", "Владимирович", "Викторович", "Игоревич", "Олегович", "Евгеньевич", "Денисович", "Артёмович", "Максимович"}
	units      = []string{"в/ч А0001", "в/ч А0002", "в/ч А0003", "в/ч А0004"}
)

func pick[T any](rng *rand.Rand, xs []T) T { return xs[rng.IntN(len(xs))] }

// birthBetween returns a full birth date making a man between minAge and
// maxAge years old on 2 June 2025.
func birthBetween(rng *rand.Rand, minAge, maxAge int) tally.Date {
	earliest := time.Date(2025-maxAge-1, time.June, 3, 0, 0, 0, 0, time.UTC)
	latest := time.Date(2025-minAge, time.June, 2, 0, 0, 0, 0, time.UTC)
	t := earliest.AddDate(0, 0, rng.IntN(int(latest.Sub(earliest).Hours()/24)+1))
	return tally.Date{Year: t.Year(), Month: t.Month(), Day: t.Day(), Precision: tally.FullDate}
}

// uaRequestList writes n clean rows in UTF-8 with Ukrainian headers.
func uaRequestList(rng *rand.Rand, n int) []byte {
	var b bytes.Buffer
	b.WriteString("№,Прізвище,Ім'я,По батькові,Дата народження,Військова частина,Стан здоров'я,Категорія\n")
	for i := 1; i <= n; i++ {
		cat, cond, birth := "aged-18-25", "", birthBetween(rng, 18, 25)
		if i%4 == 0 {
			cat, cond, birth = "seriously-wounded-ill", pick(rng, []string{"seriously-wounded", "seriously-ill"}), birthBetween(rng, 19, 55)
		}
		fmt.Fprintf(&b, "UA-%04d,%s,%s,%s,%02d.%02d.%d,%s,%s,%s\n", i, pick(rng, uaSurnames), pick(rng, uaGiven), pick(rng, uaFathers),
			birth.Day, int(birth.Month), birth.Year, pick(rng, units), cond, cat)
	}
	return b.Bytes()
}

// ruCustodyList writes n rows in Windows-1251 with Russian headers, a
// single full-name column, semicolons, and a fault in some rows of the
// kinds real registers have.
func ruCustodyList(rng *rand.Rand, n int) ([]byte, error) {
	var b strings.Builder
	b.WriteString("№;ФИО;Дата рождения;Личный номер;Состояние здоровья;Категория;Примечания\n")
	type row struct{ fio, birth, num, cond, cat, note string }
	var rows []row
	for i := 1; i <= n; i++ {
		birth := birthBetween(rng, 18, 25)
		rows = append(rows, row{
			fio:   fmt.Sprintf("%s %s %s", strings.ToUpper(pick(rng, ruSurnames)), pick(rng, ruGiven), pick(rng, ruFathers)),
			birth: fmt.Sprintf("%02d.%02d.%d", birth.Day, int(birth.Month), birth.Year),
			num:   fmt.Sprintf("РФ-%06d", 100000+i*37), cat: "aged-18-25",
		})
	}
	// The faults, each in a row of its own.
	rows[2].birth = "02.06.1999"           // 26 on the day: not eligible
	rows[5].birth = "1999"                 // year only: 25 or 26, eligibility unknown
	rows[8].birth = "04/03/2001"           // slashed: ambiguous
	rows[11].fio = "КОВАЛЕВ"               // no given name
	rows[14].fio = "CЕМЁНОВ Пётp Олегович" // Latin C and p typed on a mixed keyboard
	rows[17] = rows[16]                    // the same man twice
	rows[17].fio = strings.Replace(rows[17].fio, "Ё", "Е", 1)
	rows[17].num = ""
	rows[20].cat = "young"                                    // not a category of the agreement
	rows[23].cat, rows[23].cond = "seriously-wounded-ill", "" // the condition is required
	rows[26].birth = "31.02.2002"                             // no such day
	rows[26].note = "уточнить"
	for i, r := range rows {
		fmt.Fprintf(&b, "RU-%04d;%s;%s;%s;%s;%s;%s\n", i+1, r.fio, r.birth, r.num, r.cond, r.cat, r.note)
	}
	return charmap.Windows1251.NewEncoder().Bytes([]byte(b.String()))
}
