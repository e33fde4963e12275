package synth_test

import (
	"math"
	"reflect"
	"testing"
	"unicode"

	"tally"
	"tally/linkage/synth"
)

func TestDeterministic(t *testing.T) {
	a, err := synth.Generate(synth.Config{N: 500, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := synth.Generate(synth.Config{N: 500, Seed: 3})
	if !reflect.DeepEqual(a, b) {
		t.Error("the same config gave different lists")
	}
	c, _ := synth.Generate(synth.Config{N: 500, Seed: 4})
	if reflect.DeepEqual(a.Left, c.Left) {
		t.Error("another seed gave the same lists")
	}
}

func TestShape(t *testing.T) {
	const n = 5000
	ds, err := synth.Generate(synth.Config{N: n, Seed: 1, Overlap: 0.5})
	if err != nil {
		t.Fatal(err)
	}
	if len(ds.Left) != n || len(ds.Right) != n {
		t.Fatalf("rows: %d and %d, want %d each", len(ds.Left), len(ds.Right), n)
	}
	if share := float64(len(ds.Truth)) / n; math.Abs(share-0.5) > 0.03 {
		t.Errorf("overlap %.3f, want about 0.5", share)
	}
	rightBy := map[string]tally.Row{}
	for _, r := range ds.Right {
		rightBy[r.Get(tally.FieldRef)] = r
	}
	leftRefs := map[string]bool{}
	for _, r := range ds.Left {
		leftRefs[r.Get(tally.FieldRef)] = true
		if _, err := tally.ParseDate(r.Get(tally.FieldBirthDate)); r.Get(tally.FieldBirthDate) != "" && err != nil {
			t.Errorf("left %s: %v", r.Get(tally.FieldRef), err)
		}
	}
	var missingDate, latin, noPatr float64
	for l, r := range ds.Truth {
		row, ok := rightBy[r]
		if !ok || !leftRefs[l] {
			t.Fatalf("truth %s → %s names a row that is not there", l, r)
		}
		d := row.Get(tally.FieldBirthDate)
		if d == "" {
			missingDate++
		} else if _, err := tally.ParseDate(d); err != nil {
			t.Errorf("right %s: %v", r, err)
		}
		if g := []rune(row.Get(tally.FieldGivenName)); len(g) > 0 && g[0] < 128 && unicode.IsLetter(g[0]) {
			latin++
		}
		if row.Get(tally.FieldPatronymic) == "" {
			noPatr++
		}
	}
	m := float64(len(ds.Truth))
	near := func(name string, got, want, tol float64) {
		if math.Abs(got-want) > tol {
			t.Errorf("%s: %.3f of custody rows, documented %.3f", name, got, want)
		}
	}
	near("missing birth date", missingDate/m, synth.DateMissing, 0.015)
	near("Latin", latin/m, synth.Latin, 0.03)
	want := synth.MissingPatronymic + (1-synth.MissingPatronymic)*synth.Latin*synth.MissingPatronymicLatin
	near("missing patronymic", noPatr/m, want, 0.03)
}

func TestBadConfig(t *testing.T) {
	for _, c := range []synth.Config{{N: -1}, {N: 10, Overlap: 1.5}, {N: 10, Overlap: -0.1}} {
		if _, err := synth.Generate(c); err == nil {
			t.Errorf("%+v: no error", c)
		}
	}
	ds, err := synth.Generate(synth.Config{N: 0})
	if err != nil || len(ds.Left) != 0 || len(ds.Right) != 0 {
		t.Errorf("N 0: %v, %d/%d rows", err, len(ds.Left), len(ds.Right))
	}
}
