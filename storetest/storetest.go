// Package storetest is the suite every tally.Store must pass. A backend's
// own test is a few lines that hand [Run] a constructor:
//
//	func TestStore(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) tally.Store { return openTemp(t) })
//	}
//
// Each case opens a fresh, empty store and may run in parallel with the
// others. All personal data here is synthetic: the names are invented, the
// service numbers random-looking, the places real towns.
//
// Besides what tally.Store documents, the suite pins down what the
// interface leaves open, so that every engine answers alike:
//
//   - a panic in Update's fn rolls the transaction back and goes on
//     unwinding (it is not turned into an error);
//   - writing inside View fails, and leaves nothing;
//   - ListVersions of an unknown list and Lists of an unknown agreement
//     are empty, not errors; methods taking a version id return ENotFound
//     for an id that does not exist;
//   - times come back in UTC, to the microsecond;
//   - nil and empty slices in an agreement come back as they went in;
//     a row's Extra comes back nil when it had no cells.
package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"tally/ledger"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"tally"
)

// Run runs the suite; open must return a fresh, empty store, closed when
// the test ends.
func Run(t *testing.T, open func(t *testing.T) tally.Store) {
	cases := []struct {
		name string
		fn   func(t *testing.T, s tally.Store)
	}{
		{"AgreementRoundTrip", testAgreementRoundTrip},
		{"AgreementConflict", testAgreementConflict},
		{"NotFound", testNotFound},
		{"VersionNumbering", testVersionNumbering},
		{"VersionRoundTrip", testVersionRoundTrip},
		{"Lists", testLists},
		{"UpdateListVersion", testUpdateListVersion},
		{"Files", testFiles},
		{"Rows", testRows},
		{"RowsOrder", testRowsOrder},
		{"RowsLarge", testRowsLarge},
		{"RowsStop", testRowsStop},
		{"Report", testReport},
		{"Atomicity", testAtomicity},
		{"Panic", testPanic},
		{"CancelledContext", testCancelledContext},
		{"ViewReadOnly", testViewReadOnly},
		{"RowByRef", testRowByRef},
		{"PairDecisions", testPairDecisions},
		{"Steps", testSteps},
		{"Accounts", testAccounts},
		{"Sessions", testSessions},
		{"SecurityKeys", testSecurityKeys},
		{"Audit", testAudit},
		{"RowsAfter", testRowsAfter},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			c.fn(t, open(t))
		})
	}
}

// largeRows is the size of the large-batch case; smaller under the race
// detector, which makes SQLite some 18 times slower, and with -short.
func largeRows() int {
	if raceEnabled || testing.Short() {
		return 1500
	}
	return 5000
}

func update(t *testing.T, s tally.Store, fn func(tally.Tx) error) {
	t.Helper()
	if err := s.Update(context.Background(), fn); err != nil {
		t.Fatalf("Update: %v", err)
	}
}

func view(t *testing.T, s tally.Store, fn func(tally.Tx) error) {
	t.Helper()
	if err := s.View(context.Background(), fn); err != nil {
		t.Fatalf("View: %v", err)
	}
}

func wantCode(t *testing.T, what string, err error, code tally.ErrorCode) {
	t.Helper()
	if got := tally.ErrorCodeOf(err); got != code {
		t.Errorf("%s: error %v has code %q, want %q", what, err, got, code)
	}
	var e *tally.Error
	if err != nil && !errors.As(err, &e) {
		t.Errorf("%s: error %v is not a *tally.Error", what, err)
	}
}

func intp(n int) *int { return &n }

// agreement returns a synthetic agreement using every field.
func agreement(id string) tally.Agreement {
	return tally.Agreement{
		ID:    id,
		Title: "Обмін полоненими «весна» — synthetic",
		Date:  tally.MustDate("2025-05-16"),
		Parties: []tally.Party{
			{Code: "UA", Name: "Сторона А"},
			{Code: "RU", Name: "Сторона Б"},
		},
		Mediator: &tally.Party{Code: "TR", Name: "Посередник"},
		Categories: []tally.Category{
			{
				ID: "wounded", Title: "Тяжкопоранені", Subject: tally.SubjectPrisoner, Terms: tally.AllForAll,
				Eligibility: tally.Eligibility{Conditions: []string{"seriously-wounded", "seriously-ill"}},
			},
			{
				ID: "young", Title: "Віком 18–25", Subject: tally.SubjectPrisoner, Terms: tally.NForN, Quantity: 1000,
				Eligibility: tally.Eligibility{Age: &tally.AgeRule{Min: intp(18), Max: intp(25)}},
			},
			{
				ID: "old", Title: "Старші за 60", Subject: tally.SubjectCivilian, Terms: tally.Unilateral,
				From: "RU", To: "UA",
				Eligibility: tally.Eligibility{Age: &tally.AgeRule{Min: intp(60), On: tally.MustDate("2025-06-01")}},
			},
			{
				ID: "children", Subject: tally.SubjectCivilian, Terms: tally.AllForAll,
				Eligibility: tally.Eligibility{Age: &tally.AgeRule{Max: intp(0)}},
			},
			{ID: "remains", Subject: tally.SubjectRemains, Terms: tally.NForN, Quantity: 6000},
		},
	}
}

func testAgreementRoundTrip(t *testing.T, s tally.Store) {
	ctx := context.Background()
	noMediator := agreement("no-mediator")
	noMediator.Mediator = nil
	partial := agreement("partial-dates")
	partial.Date = tally.MustDate("2025-05")
	partial.Categories[2].Eligibility.Age.On = tally.MustDate("2024")
	empty := tally.Agreement{ID: "bare", Parties: []tally.Party{}, Categories: []tally.Category{{ID: "x", Eligibility: tally.Eligibility{Conditions: []string{}}}}}
	cases := []struct {
		name   string
		a      tally.Agreement
		source []byte
	}{
		{"full", agreement("full"), []byte("id: full\ntitle: \"Обмін\"\n")},
		{"no mediator", noMediator, []byte{0, 1, 2, 0xff, 0xfe, '\n'}},
		{"partial dates", partial, []byte("x")},
		{"empty slices and source", empty, []byte{}},
		{"nil source", tally.Agreement{ID: "nil-source"}, nil},
	}
	for _, c := range cases {
		update(t, s, func(tx tally.Tx) error { return tx.AddAgreement(ctx, c.a, c.source) })
	}
	var all []tally.Agreement
	view(t, s, func(tx tally.Tx) error {
		for _, c := range cases {
			a, src, err := tx.Agreement(ctx, c.a.ID)
			if err != nil {
				t.Errorf("%s: Agreement: %v", c.name, err)
				continue
			}
			if d := cmp.Diff(c.a, a); d != "" {
				t.Errorf("%s: agreement read back differs (-stored +read):\n%s", c.name, d)
			}
			if !bytes.Equal(src, c.source) {
				t.Errorf("%s: source = %q, want %q", c.name, src, c.source)
			}
		}
		var err error
		all, err = tx.Agreements(ctx)
		return err
	})
	var ids []string
	for _, a := range all {
		ids = append(ids, a.ID)
	}
	if want := []string{"bare", "full", "nil-source", "no-mediator", "partial-dates"}; !cmp.Equal(ids, want) {
		t.Errorf("Agreements ids = %q, want %q", ids, want)
	}
	if len(all) > 1 && !cmp.Equal(all[1], agreement("full")) {
		t.Errorf("Agreements()[1] differs: %s", cmp.Diff(agreement("full"), all[1]))
	}
}

func testAgreementConflict(t *testing.T, s tally.Store) {
	ctx := context.Background()
	update(t, s, func(tx tally.Tx) error { return tx.AddAgreement(ctx, agreement("a1"), []byte("first")) })
	other := agreement("a1")
	other.Title = "another"
	err := s.Update(ctx, func(tx tally.Tx) error { return tx.AddAgreement(ctx, other, []byte("second")) })
	wantCode(t, "adding a duplicate agreement", err, tally.EConflict)
	view(t, s, func(tx tally.Tx) error {
		a, src, err := tx.Agreement(ctx, "a1")
		if err != nil {
			return err
		}
		if a.Title != agreement("a1").Title || string(src) != "first" {
			t.Errorf("after a conflict, agreement a1 is %q with source %q; want the first", a.Title, src)
		}
		return nil
	})
}

func testNotFound(t *testing.T, s tally.Store) {
	ctx := context.Background()
	var v tally.ListVersion
	update(t, s, func(tx tally.Tx) error {
		if err := tx.AddAgreement(ctx, agreement("a1"), nil); err != nil {
			return err
		}
		v = version("a1", "ua-request")
		return tx.AddListVersion(ctx, &v)
	})
	missing := v.ID + 1000
	check := func(name string, fn func(tx tally.Tx) error) {
		t.Helper()
		err := s.Update(ctx, fn)
		wantCode(t, name, err, tally.ENotFound)
	}
	check("Agreement", func(tx tally.Tx) error { _, _, err := tx.Agreement(ctx, "nope"); return err })
	check("ListVersion of an unknown list", func(tx tally.Tx) error {
		_, err := tx.ListVersion(ctx, "a1", "ru-custody", 0)
		return err
	})
	check("ListVersion of an unknown version", func(tx tally.Tx) error {
		_, err := tx.ListVersion(ctx, "a1", "ua-request", 2)
		return err
	})
	check("AddListVersion to an unknown agreement", func(tx tally.Tx) error {
		w := version("nope", "ua-request")
		return tx.AddListVersion(ctx, &w)
	})
	check("UpdateListVersion", func(tx tally.Tx) error {
		w := v
		w.ID = missing
		return tx.UpdateListVersion(ctx, w)
	})
	check("AddFileChunk", func(tx tally.Tx) error { return tx.AddFileChunk(ctx, missing, 0, []byte("x")) })
	check("AddRows", func(tx tally.Tx) error { return tx.AddRows(ctx, missing, Rows(1, 3)) })
	check("AddRows, a large batch", func(tx tally.Tx) error { return tx.AddRows(ctx, missing, Rows(1, 1001)) })
	check("AddReport", func(tx tally.Tx) error {
		return tx.AddReport(ctx, missing, []tally.Problem{{Line: 2, Code: tally.BadDate}}, nil)
	})
	check("Rows", func(tx tally.Tx) error {
		return tx.Rows(ctx, missing, func(tally.StoredRow) error { return nil })
	})
	check("Report", func(tx tally.Tx) error { _, _, err := tx.Report(ctx, missing); return err })
	check("WriteFile", func(tx tally.Tx) error { return tx.WriteFile(ctx, missing, &bytes.Buffer{}) })

	view(t, s, func(tx tally.Tx) error {
		vs, err := tx.ListVersions(ctx, "a1", "ru-custody")
		if err != nil || len(vs) != 0 {
			t.Errorf("ListVersions of an unknown list = %v, %v; want none, no error", vs, err)
		}
		vs, err = tx.Lists(ctx, "nope")
		if err != nil || len(vs) != 0 {
			t.Errorf("Lists of an unknown agreement = %v, %v; want none, no error", vs, err)
		}
		return nil
	})
}

// version returns a synthetic list version to add.
func version(agreementID, listID string) tally.ListVersion {
	party, kind, _ := strings.Cut(listID, "-")
	return tally.ListVersion{
		AgreementID: agreementID,
		ListID:      listID,
		Party:       strings.ToUpper(party),
		Kind:        tally.ListKind(kind),
		FileName:    listID + ".csv",
		Category:    "wounded",
		ImportedAt:  time.Date(2025, 6, 1, 12, 30, 15, 123456789, time.FixedZone("EEST", 3*3600)),
		Conforming:  true,
		Header: tally.Header{Columns: []tally.Column{
			{Name: "№", Field: tally.FieldRef},
			{Name: "Прізвище", Field: tally.FieldSurname},
			{Name: "Ім'я", Field: tally.FieldGivenName},
			{Name: "Дата народження", Field: tally.FieldBirthDate},
			{Name: "Примітка для «нас»", Field: tally.FieldUnknown},
			{Name: "Notes", Field: tally.FieldNotes},
		}},
	}
}

func testVersionNumbering(t *testing.T, s tally.Store) {
	ctx := context.Background()
	update(t, s, func(tx tally.Tx) error { return tx.AddAgreement(ctx, agreement("a1"), nil) })
	update(t, s, func(tx tally.Tx) error { return tx.AddAgreement(ctx, agreement("a2"), nil) })
	add := func(agreementID, listID string, want int) {
		t.Helper()
		v := version(agreementID, listID)
		update(t, s, func(tx tally.Tx) error { return tx.AddListVersion(ctx, &v) })
		if v.Version != want {
			t.Errorf("%s/%s: new version is %d, want %d", agreementID, listID, v.Version, want)
		}
		if v.ID == 0 {
			t.Errorf("%s/%s@%d: ID not set", agreementID, listID, v.Version)
		}
	}
	add("a1", "ua-request", 1)
	add("a1", "ua-request", 2)
	add("a1", "ru-custody", 1)
	add("a2", "ua-request", 1)
	add("a1", "ua-request", 3)
	add("a1", "ru-custody", 2)
	// Two versions of one list in one transaction.
	update(t, s, func(tx tally.Tx) error {
		for want := 3; want <= 4; want++ {
			v := version("a1", "ru-custody")
			if err := tx.AddListVersion(ctx, &v); err != nil {
				return err
			}
			if v.Version != want {
				t.Errorf("in one transaction: version %d, want %d", v.Version, want)
			}
		}
		return nil
	})
	view(t, s, func(tx tally.Tx) error {
		for _, c := range []struct {
			agreement, list string
			want            []int
		}{
			{"a1", "ua-request", []int{1, 2, 3}},
			{"a1", "ru-custody", []int{1, 2, 3, 4}},
			{"a2", "ua-request", []int{1}},
			{"a2", "ru-custody", nil},
		} {
			vs, err := tx.ListVersions(ctx, c.agreement, c.list)
			if err != nil {
				return err
			}
			var got []int
			ids := map[int64]bool{}
			for _, v := range vs {
				got = append(got, v.Version)
				if ids[v.ID] {
					t.Errorf("%s/%s: id %d used twice", c.agreement, c.list, v.ID)
				}
				ids[v.ID] = true
			}
			if !cmp.Equal(got, c.want) {
				t.Errorf("%s/%s: versions %v, want %v", c.agreement, c.list, got, c.want)
			}
		}
		latest, err := tx.ListVersion(ctx, "a1", "ua-request", 0)
		if err != nil {
			return err
		}
		if latest.Version != 3 {
			t.Errorf("latest version of a1/ua-request is %d, want 3", latest.Version)
		}
		second, err := tx.ListVersion(ctx, "a1", "ua-request", 2)
		if err != nil {
			return err
		}
		if second.Version != 2 || second.ListID != "ua-request" || second.AgreementID != "a1" {
			t.Errorf("ListVersion(a1, ua-request, 2) = %s of %s", second.Ref(), second.AgreementID)
		}
		return nil
	})
}

func testVersionRoundTrip(t *testing.T, s tally.Store) {
	ctx := context.Background()
	update(t, s, func(tx tally.Tx) error { return tx.AddAgreement(ctx, agreement("a1"), nil) })
	noHeader := version("a1", "ru-remains")
	noHeader.Header = tally.Header{}
	noHeader.Category = ""
	noHeader.Conforming = false
	noHeader.ImportedAt = time.Time{}
	counted := version("a1", "ua-children")
	counted.Rows, counted.Problems, counted.Size, counted.SHA256 = 120000, 17, 1<<33, strings.Repeat("ab", 32)
	for _, c := range []struct {
		name string
		v    tally.ListVersion
	}{
		{"full", version("a1", "ua-request")},
		{"empty header, zero time", noHeader},
		{"counts", counted},
	} {
		v := c.v
		update(t, s, func(tx tally.Tx) error { return tx.AddListVersion(ctx, &v) })
		if !v.ImportedAt.Equal(c.v.ImportedAt.Truncate(time.Microsecond)) {
			t.Errorf("%s: ImportedAt became %v, want %v", c.name, v.ImportedAt, c.v.ImportedAt)
		}
		view(t, s, func(tx tally.Tx) error {
			got, err := tx.ListVersion(ctx, v.AgreementID, v.ListID, v.Version)
			if err != nil {
				return err
			}
			if d := cmp.Diff(v, got, cmpopts.EquateEmpty()); d != "" {
				t.Errorf("%s: version read back differs (-added +read):\n%s", c.name, d)
			}
			if got.ImportedAt.Location() != time.UTC {
				t.Errorf("%s: ImportedAt is in %v, want UTC", c.name, got.ImportedAt.Location())
			}
			return nil
		})
	}
}

func testLists(t *testing.T, s tally.Store) {
	ctx := context.Background()
	update(t, s, func(tx tally.Tx) error {
		for _, a := range []string{"a1", "a2"} {
			if err := tx.AddAgreement(ctx, agreement(a), nil); err != nil {
				return err
			}
		}
		for _, l := range []struct{ a, list string }{
			{"a1", "ua-request"}, {"a1", "ru-custody"}, {"a1", "ua-request"}, {"a2", "ua-request"},
			{"a1", "ua-request"}, {"a1", "ua-remains"}, {"a2", "ua-request"},
		} {
			v := version(l.a, l.list)
			if err := tx.AddListVersion(ctx, &v); err != nil {
				return err
			}
		}
		return nil
	})
	view(t, s, func(tx tally.Tx) error {
		for _, c := range []struct {
			agreement string
			want      []string
		}{
			{"a1", []string{"ru-custody@1", "ua-remains@1", "ua-request@3"}},
			{"a2", []string{"ua-request@2"}},
		} {
			vs, err := tx.Lists(ctx, c.agreement)
			if err != nil {
				return err
			}
			var got []string
			for _, v := range vs {
				got = append(got, v.Ref())
			}
			if !cmp.Equal(got, c.want) {
				t.Errorf("Lists(%s) = %v, want %v", c.agreement, got, c.want)
			}
		}
		return nil
	})
}

func testUpdateListVersion(t *testing.T, s tally.Store) {
	ctx := context.Background()
	v := version("a1", "ua-request")
	update(t, s, func(tx tally.Tx) error {
		if err := tx.AddAgreement(ctx, agreement("a1"), nil); err != nil {
			return err
		}
		return tx.AddListVersion(ctx, &v)
	})
	v.Rows, v.Problems, v.Conforming = 42, 3, false
	v.SHA256, v.Size = strings.Repeat("0f", 32), 123456
	v.Header.Columns = append(v.Header.Columns, tally.Column{Name: "Звання", Field: tally.FieldRank})
	update(t, s, func(tx tally.Tx) error { return tx.UpdateListVersion(ctx, v) })
	view(t, s, func(tx tally.Tx) error {
		got, err := tx.ListVersion(ctx, "a1", "ua-request", 0)
		if err != nil {
			return err
		}
		if d := cmp.Diff(v, got); d != "" {
			t.Errorf("version after update differs (-want +got):\n%s", d)
		}
		return nil
	})
}

// addVersion adds agreement a1 (if need be) and a version of ua-request.
func addVersion(t *testing.T, s tally.Store) tally.ListVersion {
	t.Helper()
	ctx := context.Background()
	v := version("a1", "ua-request")
	update(t, s, func(tx tally.Tx) error {
		if _, _, err := tx.Agreement(ctx, "a1"); tally.ErrorCodeOf(err) == tally.ENotFound {
			if err := tx.AddAgreement(ctx, agreement("a1"), nil); err != nil {
				return err
			}
		}
		return tx.AddListVersion(ctx, &v)
	})
	return v
}

func testFiles(t *testing.T, s tally.Store) {
	ctx := context.Background()
	all := make([]byte, 256)
	for i := range all {
		all[i] = byte(i)
	}
	big := bytes.Repeat([]byte("Шевченко;Тарас;\x00\r\n"), 10000)
	cases := []struct {
		name   string
		chunks [][]byte
	}{
		{"no chunks", nil},
		{"one empty chunk", [][]byte{{}}},
		{"every byte", [][]byte{all}},
		{"several chunks", [][]byte{big, all, []byte("кінець\n"), big[:7]}},
	}
	for _, c := range cases {
		v := addVersion(t, s)
		update(t, s, func(tx tally.Tx) error {
			for i, ch := range c.chunks {
				if err := tx.AddFileChunk(ctx, v.ID, i, ch); err != nil {
					return err
				}
			}
			return nil
		})
		view(t, s, func(tx tally.Tx) error {
			var buf bytes.Buffer
			if err := tx.WriteFile(ctx, v.ID, &buf); err != nil {
				return err
			}
			if want := bytes.Join(c.chunks, nil); !bytes.Equal(buf.Bytes(), want) {
				t.Errorf("%s: WriteFile wrote %d bytes differing from the %d stored", c.name, buf.Len(), len(want))
			}
			return nil
		})
	}
	v := addVersion(t, s)
	err := s.Update(ctx, func(tx tally.Tx) error {
		if err := tx.AddFileChunk(ctx, v.ID, 0, []byte("a")); err != nil {
			return err
		}
		return tx.AddFileChunk(ctx, v.ID, 0, []byte("b"))
	})
	wantCode(t, "adding chunk 0 twice", err, tally.EConflict)
}

// Rows returns synthetic rows for lines from..to-1, as a Ukrainian register
// would hold them: thirteen non-empty Cyrillic fields, and for every third
// row two extra cells. The people are invented.
func Rows(from, to int) []tally.StoredRow {
	surnames := []string{"Шевченко", "Коваленко", "Бондаренко", "Ткаченко", "Кравченко", "Олійник"}
	given := []string{"Тарас", "Олександр", "Андрій", "Дмитро", "Сергій", "Юрій"}
	var rs []tally.StoredRow
	for line := from; line < to; line++ {
		i := line
		var r tally.Row
		r.Line = line
		r.Values[tally.FieldRef] = fmt.Sprintf("%d", line-1)
		r.Values[tally.FieldSurname] = surnames[i%len(surnames)]
		r.Values[tally.FieldGivenName] = given[i%len(given)]
		r.Values[tally.FieldPatronymic] = "Петрович"
		r.Values[tally.FieldBirthDate] = fmt.Sprintf("%02d.%02d.19%02d", i%28+1, i%12+1, 60+i%40)
		r.Values[tally.FieldBirthPlace] = "м. Вінниця"
		r.Values[tally.FieldSex] = "ч"
		r.Values[tally.FieldCitizenship] = "Україна"
		r.Values[tally.FieldRank] = "солдат"
		r.Values[tally.FieldServiceNumber] = fmt.Sprintf("ЖТ-%06d", i*7919%1000000)
		r.Values[tally.FieldUnit] = "в/ч А0000"
		r.Values[tally.FieldCaptureDate] = "2024-02"
		r.Values[tally.FieldCapturePlace] = "с. Мар'їнка"
		if i%3 == 0 {
			r.Extra = []string{"примітка " + r.Values[tally.FieldRef], ""}
		}
		rs = append(rs, tally.StoredRow{Ref: "ua-" + r.Values[tally.FieldRef], Row: r})
	}
	return rs
}

func readRows(t *testing.T, s tally.Store, id int64) []tally.StoredRow {
	t.Helper()
	var got []tally.StoredRow
	view(t, s, func(tx tally.Tx) error {
		return tx.Rows(context.Background(), id, func(r tally.StoredRow) error {
			got = append(got, r)
			return nil
		})
	})
	return got
}

func testRows(t *testing.T, s tally.Store) {
	ctx := context.Background()
	every := tally.Row{Line: 2, Extra: []string{"a", "", "b"}}
	for f := tally.FieldRef; f < tally.NumFields; f++ {
		every.Values[f] = "значення " + f.String()
	}
	tricky := tally.Row{Line: 3}
	tricky.Values[tally.FieldSurname] = "Д'Артаньян-Шевчукʼ"
	tricky.Values[tally.FieldGivenName] = "Ґеорґій \"Жора\" \\ / ’"
	tricky.Values[tally.FieldPatronymic] = "\t\n\r\x01\x1f\x7f"
	tricky.Values[tally.FieldFullName] = "Ёлкин Ёжик 😀 𝕏 中文 \u2028\u2029 e\u0301"
	tricky.Values[tally.FieldNotes] = `{"not":"json"}, [1,2] \u0041`
	tricky.Extra = []string{`"`, `\`, "ʼ", "\u0000 nul"}
	cases := []struct {
		name string
		rows []tally.StoredRow
	}{
		{"every field", []tally.StoredRow{{Ref: "ua-1", Row: every}}},
		{"escapes and Unicode", []tally.StoredRow{{Ref: "ua-«2»", Row: tricky}}},
		{"empty row", []tally.StoredRow{{Row: tally.Row{Line: 4}}}},
		{"realistic", Rows(5, 40)},
	}
	v := addVersion(t, s)
	var want []tally.StoredRow
	update(t, s, func(tx tally.Tx) error {
		for _, c := range cases {
			if err := tx.AddRows(ctx, v.ID, c.rows); err != nil {
				return fmt.Errorf("%s: %w", c.name, err)
			}
			want = append(want, c.rows...)
		}
		return tx.AddRows(ctx, v.ID, nil)
	})
	got := readRows(t, s, v.ID)
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("rows read back differ (-added +read):\n%s", d)
	}

	err := s.Update(ctx, func(tx tally.Tx) error { return tx.AddRows(ctx, v.ID, Rows(10, 11)) })
	wantCode(t, "adding line 10 again", err, tally.EConflict)
	err = s.Update(ctx, func(tx tally.Tx) error { return tx.AddRows(ctx, v.ID, Rows(30, 300)) })
	wantCode(t, "adding a batch with lines 30 to 39 again", err, tally.EConflict)
}

func testRowsOrder(t *testing.T, s tally.Store) {
	ctx := context.Background()
	v := addVersion(t, s)
	rs := Rows(2, 30)
	// Add in two batches, each out of order.
	shuffled := append(append([]tally.StoredRow{}, rs[20:]...), rs[:10]...)
	rest := append([]tally.StoredRow{}, rs[10:20]...)
	rest[0], rest[9] = rest[9], rest[0]
	update(t, s, func(tx tally.Tx) error {
		if err := tx.AddRows(ctx, v.ID, shuffled); err != nil {
			return err
		}
		return tx.AddRows(ctx, v.ID, rest)
	})
	if d := cmp.Diff(rs, readRows(t, s, v.ID)); d != "" {
		t.Errorf("rows not in line order (-want +got):\n%s", d)
	}
}

func testRowsLarge(t *testing.T, s tally.Store) {
	ctx := context.Background()
	v := addVersion(t, s)
	n := largeRows()
	rs := Rows(2, n+2)
	update(t, s, func(tx tally.Tx) error {
		for i := 0; i < len(rs); i += 1000 {
			if err := tx.AddRows(ctx, v.ID, rs[i:min(i+1000, len(rs))]); err != nil {
				return err
			}
		}
		return nil
	})
	got := readRows(t, s, v.ID)
	if len(got) != n {
		t.Fatalf("read %d rows, want %d", len(got), n)
	}
	if d := cmp.Diff(rs, got); d != "" {
		t.Errorf("rows read back differ (-added +read):\n%s", d)
	}
}

func testRowsStop(t *testing.T, s tally.Store) {
	ctx := context.Background()
	v := addVersion(t, s)
	update(t, s, func(tx tally.Tx) error { return tx.AddRows(ctx, v.ID, Rows(2, 2500)) })
	stop := errors.New("enough")
	n := 0
	err := s.View(ctx, func(tx tally.Tx) error {
		return tx.Rows(ctx, v.ID, func(r tally.StoredRow) error {
			n++
			// fn may use the transaction while rows are being read.
			if _, err := tx.ListVersion(ctx, "a1", "ua-request", 0); err != nil {
				return err
			}
			if n == 1500 {
				return stop
			}
			return nil
		})
	})
	if !errors.Is(err, stop) {
		t.Errorf("Rows returned %v, want fn's error", err)
	}
	if n != 1500 {
		t.Errorf("fn called %d times, want 1500", n)
	}
}

func testReport(t *testing.T, s tally.Store) {
	ctx := context.Background()
	v := addVersion(t, s)
	problems := []tally.Problem{
		{Line: 7, Ref: "ua-6", Code: tally.BadDate, Field: "birth_date", Category: "young", Detail: "«31.02.2001» is not a date"},
		{Line: 3, Ref: "ua-2", Code: tally.MissingField, Field: "surname", Detail: "прізвище порожнє"},
		{Line: 7, Ref: "ua-6", Code: tally.NotEligible, Field: "birth_date", Category: "young", Detail: "aged 41"},
	}
	notes := []tally.Note{
		{Line: 9, Ref: "ua-8", Field: "surname", Detail: "Latin \"o\" repaired in Шевчeнко"},
		{Line: 2, Ref: "ua-1", Field: "given_name", Detail: "апостроф ' → ʼ"},
	}
	more := []tally.Problem{{Line: 5, Ref: "ua-4", Code: tally.DuplicateInList, Detail: "same as line 4"}}
	update(t, s, func(tx tally.Tx) error {
		if err := tx.AddReport(ctx, v.ID, problems, notes); err != nil {
			return err
		}
		return tx.AddReport(ctx, v.ID, more, nil)
	})
	view(t, s, func(tx tally.Tx) error {
		ps, ns, err := tx.Report(ctx, v.ID)
		if err != nil {
			return err
		}
		wantPs := []tally.Problem{problems[1], more[0], problems[0], problems[2]}
		if d := cmp.Diff(wantPs, ps); d != "" {
			t.Errorf("problems differ (-want +got):\n%s", d)
		}
		wantNs := []tally.Note{notes[1], notes[0]}
		if d := cmp.Diff(wantNs, ns); d != "" {
			t.Errorf("notes differ (-want +got):\n%s", d)
		}
		return nil
	})
	w := addVersion(t, s)
	view(t, s, func(tx tally.Tx) error {
		ps, ns, err := tx.Report(ctx, w.ID)
		if err != nil || len(ps) != 0 || len(ns) != 0 {
			t.Errorf("Report of a version without one = %v, %v, %v; want nothing", ps, ns, err)
		}
		return nil
	})
}

// fill adds to version v what an import adds, for the atomicity cases.
func fill(ctx context.Context, tx tally.Tx, v *tally.ListVersion) error {
	if err := tx.AddListVersion(ctx, v); err != nil {
		return err
	}
	if err := tx.AddFileChunk(ctx, v.ID, 0, []byte("line 1\nline 2\n")); err != nil {
		return err
	}
	if err := tx.AddRows(ctx, v.ID, Rows(2, 600)); err != nil {
		return err
	}
	return tx.AddReport(ctx, v.ID, []tally.Problem{{Line: 2, Code: tally.BadDate}}, []tally.Note{{Line: 3}})
}

// wantNothing checks that list ua-request of a1 has no version and that
// its next version is numbered 1.
func wantNothing(t *testing.T, s tally.Store, leftID int64) {
	t.Helper()
	ctx := context.Background()
	view(t, s, func(tx tally.Tx) error {
		vs, err := tx.ListVersions(ctx, "a1", "ua-request")
		if err != nil {
			return err
		}
		if len(vs) != 0 {
			t.Errorf("after a failed transaction, %d versions are stored", len(vs))
		}
		if leftID != 0 {
			if err := tx.Rows(ctx, leftID, func(tally.StoredRow) error { return nil }); tally.ErrorCodeOf(err) != tally.ENotFound {
				t.Errorf("rows of the rolled-back version %d: %v, want not found", leftID, err)
			}
		}
		return nil
	})
	v := version("a1", "ua-request")
	update(t, s, func(tx tally.Tx) error { return tx.AddListVersion(ctx, &v) })
	if v.Version != 1 {
		t.Errorf("after a failed transaction, the next version is %d, want 1", v.Version)
	}
}

func testAtomicity(t *testing.T, s tally.Store) {
	ctx := context.Background()
	update(t, s, func(tx tally.Tx) error { return tx.AddAgreement(ctx, agreement("a1"), nil) })
	boom := errors.New("boom")
	v := version("a1", "ua-request")
	err := s.Update(ctx, func(tx tally.Tx) error {
		if err := fill(ctx, tx, &v); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Update returned %v, want fn's error", err)
	}
	wantNothing(t, s, v.ID)
}

func testPanic(t *testing.T, s tally.Store) {
	ctx := context.Background()
	update(t, s, func(tx tally.Tx) error { return tx.AddAgreement(ctx, agreement("a1"), nil) })
	v := version("a1", "ua-request")
	recovered := func() (r any) {
		defer func() { r = recover() }()
		_ = s.Update(ctx, func(tx tally.Tx) error {
			if err := fill(ctx, tx, &v); err != nil {
				t.Errorf("fill: %v", err)
			}
			panic("boom")
		})
		return nil
	}()
	if recovered != "boom" {
		t.Fatalf("the panic in fn surfaced as %v, want it to go on unwinding", recovered)
	}
	wantNothing(t, s, v.ID)
}

func testCancelledContext(t *testing.T, s tally.Store) {
	update(t, s, func(tx tally.Tx) error { return tx.AddAgreement(context.Background(), agreement("a1"), nil) })

	t.Run("before", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		err := s.Update(ctx, func(tx tally.Tx) error {
			v := version("a1", "ua-request")
			return fill(ctx, tx, &v)
		})
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Update with a cancelled context returned %v, want context.Canceled", err)
		}
		wantNothing(t, s, 0)
	})
	t.Run("during", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		v := version("a1", "ru-custody")
		err := s.Update(ctx, func(tx tally.Tx) error {
			if err := fill(ctx, tx, &v); err != nil {
				return err
			}
			cancel()
			return nil
		})
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Update whose context was cancelled in fn returned %v, want context.Canceled", err)
		}
		view(t, s, func(tx tally.Tx) error {
			vs, err := tx.ListVersions(context.Background(), "a1", "ru-custody")
			if len(vs) != 0 {
				t.Errorf("after a cancelled transaction, %d versions are stored", len(vs))
			}
			return err
		})
	})
}

func testViewReadOnly(t *testing.T, s tally.Store) {
	ctx := context.Background()
	err := s.View(ctx, func(tx tally.Tx) error { return tx.AddAgreement(ctx, agreement("a1"), nil) })
	if err == nil {
		t.Errorf("AddAgreement in View succeeded")
	}
	view(t, s, func(tx tally.Tx) error {
		as, err := tx.Agreements(ctx)
		if len(as) != 0 {
			t.Errorf("after a write in View, %d agreements are stored", len(as))
		}
		return err
	})
}

func testRowByRef(t *testing.T, s tally.Store) {
	ctx := context.Background()
	v := addVersion(t, s)
	rows := Rows(2, 12)
	update(t, s, func(tx tally.Tx) error { return tx.AddRows(ctx, v.ID, rows) })
	view(t, s, func(tx tally.Tx) error {
		got, err := tx.Row(ctx, v.ID, rows[3].Ref)
		if err != nil {
			return err
		}
		if d := cmp.Diff(rows[3], got); d != "" {
			t.Errorf("Row(%q) (-want +got):\n%s", rows[3].Ref, d)
		}
		return nil
	})
	err := s.View(ctx, func(tx tally.Tx) error { _, err := tx.Row(ctx, v.ID, "no-such-ref"); return err })
	wantCode(t, "a ref the list does not have", err, tally.ENotFound)
	err = s.View(ctx, func(tx tally.Tx) error { _, err := tx.Row(ctx, v.ID+1000, rows[0].Ref); return err })
	wantCode(t, "a version that does not exist", err, tally.ENotFound)
}

func testPairDecisions(t *testing.T, s tally.Store) {
	ctx := context.Background()
	left, right := addVersion(t, s), addVersion(t, s)
	at := time.Date(2025, 6, 6, 9, 30, 0, 123456000, time.UTC)
	want := []tally.PairDecision{
		{LeftVersion: left.ID, RightVersion: right.ID, Left: "UA-1", Right: "RU-7", Accepted: true, Score: 0.97, By: "Оксана П.", Party: "UA", At: at, Note: "фото збігається"},
		{LeftVersion: left.ID, RightVersion: right.ID, Left: "UA-2", Right: "RU-9", Accepted: false, Score: 0.62, By: "Mediator clerk", Party: "TR", At: at.Add(time.Minute)},
		{LeftVersion: left.ID, RightVersion: right.ID, Left: "UA-1", Right: "RU-7", Accepted: false, Score: 0.97, By: "Оксана П.", Party: "UA", At: at.Add(time.Hour), Note: "brother, not him"},
	}
	update(t, s, func(tx tally.Tx) error {
		for _, d := range want {
			if err := tx.AddPairDecision(ctx, d); err != nil {
				return err
			}
		}
		return nil
	})
	view(t, s, func(tx tally.Tx) error {
		got, err := tx.PairDecisions(ctx, left.ID, right.ID)
		if err != nil {
			return err
		}
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("decisions (-want +got):\n%s", d)
		}
		other, err := tx.PairDecisions(ctx, right.ID, left.ID)
		if err != nil || len(other) != 0 {
			t.Errorf("decisions the other way round = %v, %v; want none", other, err)
		}
		return nil
	})
	err := s.Update(ctx, func(tx tally.Tx) error {
		return tx.AddPairDecision(ctx, tally.PairDecision{LeftVersion: left.ID + 1000, RightVersion: right.ID, Left: "a", Right: "b", By: "x", At: at})
	})
	wantCode(t, "a decision on a version that does not exist", err, tally.ENotFound)
}

func testSteps(t *testing.T, s tally.Store) {
	ctx := context.Background()
	update(t, s, func(tx tally.Tx) error { return tx.AddAgreement(ctx, agreement("steps"), []byte("a")) })
	at := time.Date(2025, 6, 7, 8, 0, 0, 0, time.UTC)
	var want []tally.Step
	update(t, s, func(tx tally.Tx) error {
		st := tx.LogState(ctx)
		for i := int64(0); i < 1205; i++ {
			e := &ledger.Entry{Kind: "handed-over", Party: "UA", Seq: i + 1, Time: at}
			if err := st.AddEntry(i, []byte(fmt.Sprintf("entry %d", i)), e); err != nil {
				return err
			}
			step := tally.Step{AgreementID: "steps", Entry: i, Kind: "handed-over", By: "UA",
				Payload: []byte(fmt.Sprintf(`{"person":"UA-%04d"}`, i)), Salt: []byte{byte(i), 1, 2}, At: at}
			if err := tx.AddStep(ctx, step); err != nil {
				return err
			}
			want = append(want, step)
		}
		return nil
	})
	var got []tally.Step
	view(t, s, func(tx tally.Tx) error {
		return tx.Steps(ctx, "steps", func(st tally.Step) error { got = append(got, st); return nil })
	})
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("steps read back (-want +got):\n%s", d)
	}
	err := s.Update(ctx, func(tx tally.Tx) error { return tx.AddStep(ctx, want[3]) })
	wantCode(t, "a second step for one entry", err, tally.EConflict)
	err = s.Update(ctx, func(tx tally.Tx) error {
		st := want[0]
		st.Entry = 99999
		return tx.AddStep(ctx, st)
	})
	wantCode(t, "a step of an entry that does not exist", err, tally.ENotFound)
}
