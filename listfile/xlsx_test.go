package listfile

import (
	"archive/zip"
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"

	"tally"
)

// cell is one cell a test workbook holds: a value, and a number format
// (a built-in id, or a custom code).
type cell struct {
	ref   string
	value any
	fmtID int
	fmt   string
}

// workbook builds an XLSX file in dir with the given sheets (in order)
// and returns its path.
func workbook(t *testing.T, dir string, sheets []string, cells map[string][]cell) string {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, name := range sheets {
		if i == 0 {
			if err := f.SetSheetName("Sheet1", name); err != nil {
				t.Fatal(err)
			}
		} else if _, err := f.NewSheet(name); err != nil {
			t.Fatal(err)
		}
		for _, c := range cells[name] {
			if err := f.SetCellValue(name, c.ref, c.value); err != nil {
				t.Fatal(err)
			}
			if c.fmtID == 0 && c.fmt == "" {
				continue
			}
			st := &excelize.Style{NumFmt: c.fmtID}
			if c.fmt != "" {
				st.CustomNumFmt = &c.fmt
			}
			id, err := f.NewStyle(st)
			if err != nil {
				t.Fatal(err)
			}
			if err := f.SetCellStyle(name, c.ref, c.ref, id); err != nil {
				t.Fatal(err)
			}
		}
	}
	path := filepath.Join(dir, "list.xlsx")
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestXLSX(t *testing.T) {
	dir := t.TempDir()
	born := time.Date(1991, 3, 12, 0, 0, 0, 0, time.UTC)
	path := workbook(t, dir, []string{"Зведена", "Чернетка"}, map[string][]cell{
		"Зведена": {
			// Row 1 is empty: the header is on row 2.
			{ref: "A2", value: "№ п/п"}, {ref: "B2", value: "Прізвище"}, {ref: "C2", value: "Ім’я"},
			{ref: "D2", value: "Дата народження"}, {ref: "E2", value: "Дата полону"},
			{ref: "F2", value: "Особистий номер"}, {ref: "G2", value: "Примітка"}, {ref: "H2", value: "Телефон"},
			{ref: "A3", value: 1}, {ref: "B3", value: " Вигаданенко "}, {ref: "C3", value: "Остап"},
			{ref: "D3", value: born, fmtID: 14}, {ref: "E3", value: time.Date(2023, 5, 1, 0, 0, 0, 0, time.UTC), fmt: "dd.mm.yyyy"},
			{ref: "F3", value: "000123"}, {ref: "H3", value: "+380000000000"},
			// Rows 4 and 5 are missing; row 6 has only blank cells.
			{ref: "B6", value: "  "},
			{ref: "A7", value: 2}, {ref: "B7", value: "Прикладна"}, {ref: "C7", value: "Ганна"},
			{ref: "D7", value: time.Date(1987, 11, 1, 0, 0, 0, 0, time.UTC), fmt: "d mmmm yyyy"},
			{ref: "E7", value: time.Date(2022, 3, 1, 0, 0, 0, 0, time.UTC), fmt: "mm.yyyy"},
			{ref: "G7", value: 12.5, fmt: "0.00"},
			{ref: "A8", value: 3}, {ref: "B8", value: "Тестовий"}, {ref: "C8", value: "Юрій"},
			{ref: "D8", value: "15.03.1990", fmtID: 14}, {ref: "E8", value: time.Date(2024, 1, 2, 13, 30, 0, 0, time.UTC)},
			{ref: "G8", value: 45000, fmt: "[$-F800]dddd, mmmm dd, yyyy"},
			// An empty cell past the header is tolerated.
			{ref: "J8", value: ""},
		},
		"Чернетка": {{ref: "A1", value: "Surname"}, {ref: "A2", value: "Sample"}},
	})

	r, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if r.Format() != "xlsx" || r.Encoding() != "" || r.Delimiter() != 0 {
		t.Errorf("format %q encoding %q delimiter %q", r.Format(), r.Encoding(), r.Delimiter())
	}
	got, err := render(r)
	if err != nil {
		t.Fatal(err)
	}
	want := `delimiter '\x00'
column 1 "№ п/п" ref
column 2 "Прізвище" surname
column 3 "Ім’я" given_name
column 4 "Дата народження" birth_date
column 5 "Дата полону" capture_date
column 6 "Особистий номер" service_number
column 7 "Примітка" notes
column 8 "Телефон" ?
L3 ref="1" surname="Вигаданенко" given_name="Остап" birth_date="1991-03-12" service_number="000123" capture_date="2023-05-01" extra=["+380000000000"]
L7 ref="2" surname="Прикладна" given_name="Ганна" birth_date="1987-11-01" capture_date="2022-03" notes="12.50" extra=[""]
L8 ref="3" surname="Тестовий" given_name="Юрій" birth_date="15.03.1990" capture_date="2024-01-02" notes="2023-03-15" extra=[""]
`
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}

	// The second sheet, by name, in any case.
	r2, err := Open(path, Options{Sheet: "чернетка"})
	if err != nil {
		t.Fatal(err)
	}
	defer r2.Close()
	row, err := r2.Next()
	if err != nil || row.Line != 2 || row.Get(tally.FieldSurname) != "Sample" || r2.Sheet() != "Чернетка" {
		t.Errorf("second sheet: %+v %v", row, err)
	}

	// The same workbook through NewReader.
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	r3, err := NewReader("upload.xlsx", bytes.NewReader(data), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r3.Close()
	if got3, err := render(r3); err != nil || got3 != got {
		t.Errorf("NewReader read differently: %v\n%s", err, got3)
	}
}

func TestXLSXErrors(t *testing.T) {
	dir := t.TempDir()
	path := workbook(t, dir, []string{"Список", "Архів"}, map[string][]cell{
		"Список": {
			{ref: "A1", value: "Прізвище"}, {ref: "B1", value: "Ім'я"},
			{ref: "A2", value: "Вигаданенко"}, {ref: "B2", value: "Остап"},
			{ref: "A3", value: "Прикладна"}, {ref: "B3", value: "Ганна"}, {ref: "D3", value: "зайве"},
		},
	})
	data, _ := os.ReadFile(path)
	truncated := filepath.Join(dir, "truncated.xlsx")
	os.WriteFile(truncated, data[:len(data)/2], 0o644)

	var zb bytes.Buffer
	zw := zip.NewWriter(&zb)
	w, _ := zw.Create("hello.txt")
	io.WriteString(w, "not a workbook")
	zw.Close()
	notXLSX := filepath.Join(dir, "other.zip")
	os.WriteFile(notXLSX, zb.Bytes(), 0o644)

	// Too many cells: an error on the sheet row, then the list goes on.
	r, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Next(); err != nil {
		t.Fatal(err)
	}
	_, err = r.Next()
	if e := errorOf(t, err); e.Line != 3 || !strings.Contains(e.Message, "this row has 4 cells but the header has 2 columns") {
		t.Errorf("got %v", err)
	}
	r.Close()

	tests := []struct {
		name, path string
		opt        Options
		msg        string
	}{
		{"no such sheet", path, Options{Sheet: "Зведена"}, `this workbook has no sheet named "Зведена"`},
		{"truncated", truncated, Options{}, "this workbook cannot be read"},
		{"zip not xlsx", notXLSX, Options{}, "this workbook cannot be read"},
		{"too big", path, Options{MaxXLSXBytes: 2000}, "larger than 2000 bytes unpacked"},
		{"empty sheet", path, Options{Sheet: "Архів"}, `the sheet "Архів" has no rows`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Open(tt.path, tt.opt)
			if err == nil {
				r.Close()
				t.Fatal("no error")
			}
			e := errorOf(t, err)
			if e.File != tt.path || !strings.Contains(e.Message, tt.msg) || e.Hint == "" {
				t.Errorf("got %v, want %q", err, tt.msg)
			}
			if tt.name == "no such sheet" && !strings.Contains(e.Hint, `"Список", "Архів"`) {
				t.Errorf("hint %q does not list the sheets", e.Hint)
			}
		})
	}
}

func TestISOFormat(t *testing.T) {
	tests := map[string]string{
		"dd.mm.yyyy":                  "yyyy-mm-dd",
		"d mmmm yyyy":                 "yyyy-mm-dd",
		"dd/mm/yy h:mm":               "yyyy-mm-dd",
		"[$-419]d mmm yyyy;@":         "yyyy-mm-dd",
		"mm.yyyy":                     "yyyy-mm",
		"yyyy":                        "yyyy",
		"hh:mm":                       "",
		"[h]:mm:ss":                   "",
		"mm:ss":                       "",
		"0.00":                        "",
		"#,##0":                       "",
		"@":                           "",
		"General":                     "",
		`0 "days"`:                    "",
		`General" год"`:               "",
		`"Date:" dd.mm.yyyy`:          "yyyy-mm-dd",
		`\d\a\y 0`:                    "",
		"[Red]0.00;[Blue]-0.00":       "",
		"[$-F800]dddd, mmmm dd, yyyy": "yyyy-mm-dd",
	}
	for code, want := range tests {
		if got := isoFormat(code); got != want {
			t.Errorf("isoFormat(%q) = %q, want %q", code, got, want)
		}
	}
}
