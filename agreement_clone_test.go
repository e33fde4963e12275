package tally_test

import (
	"reflect"
	"testing"

	"github.com/google/go-cmp/cmp"

	"tally"
)

// TestAgreementClone: a clone is equal to its original and shares none of
// its memory — every slice and pointer, at any depth, is its own — so that
// a caller changing the agreement it was given changes no one else's.
func TestAgreementClone(t *testing.T) {
	lo, hi := 18, 25
	a := tally.Agreement{ID: "a", Parties: []tally.Party{{Code: "UA"}, {Code: "RU"}}, Mediator: &tally.Party{Code: "TR"},
		Commission: &tally.Commission{PerParty: 1, Neutral: 1},
		Categories: []tally.Category{{ID: "c", Ratio: [2]int{1, 2}, Eligibility: tally.Eligibility{Conditions: []string{"x"},
			Age: &tally.AgeRule{Min: &lo, Max: &hi}}}, {ID: "d"}}}
	c := a.Clone()
	if d := cmp.Diff(a, c); d != "" {
		t.Fatalf("the clone differs (-a +clone):\n%s", d)
	}
	var shared []string
	var walk func(path string, x, y reflect.Value)
	walk = func(path string, x, y reflect.Value) {
		switch x.Kind() {
		case reflect.Pointer:
			if !x.IsNil() {
				if x.Pointer() == y.Pointer() {
					shared = append(shared, path)
				}
				walk(path+".*", x.Elem(), y.Elem())
			}
		case reflect.Slice:
			if x.Len() > 0 && x.Pointer() == y.Pointer() {
				shared = append(shared, path)
			}
			for i := 0; i < x.Len(); i++ {
				walk(path+"[]", x.Index(i), y.Index(i))
			}
		case reflect.Struct:
			for i := 0; i < x.NumField(); i++ {
				walk(path+"."+x.Type().Field(i).Name, x.Field(i), y.Field(i))
			}
		case reflect.Map:
			if x.Len() > 0 {
				shared = append(shared, path+" (a map: clone it)")
			}
		}
	}
	walk("Agreement", reflect.ValueOf(a), reflect.ValueOf(c))
	if len(shared) > 0 {
		t.Errorf("the clone shares %v with its original", shared)
	}
}
