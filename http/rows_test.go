package http

import (
	"encoding/json"
	"fmt"
	"testing"

	"tally"
)

// All persons in this test are synthetic.

// TestFieldsJSON: a row's fields are written as the map of every
// non-empty field but the ref, keyed by name, that the API always wrote
// (encoding/json sorts a map's keys), for every field tally knows, and
// with characters JSON must escape.
func TestFieldsJSON(t *testing.T) {
	for _, tc := range []struct {
		name string
		set  func(f tally.Field) string
	}{
		{"every field", func(f tally.Field) string { return fmt.Sprintf("значення %d", f) }},
		{"some fields", func(f tally.Field) string {
			if f%3 == 0 {
				return ""
			}
			return "x"
		}},
		{"none", func(tally.Field) string { return "" }},
		{"escapes", func(f tally.Field) string { return "\"<&>\\\n\t\u2028\x01" + f.String() }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var v [tally.NumFields]string
			want := map[string]string{}
			for f := tally.FieldRef; f < tally.NumFields; f++ {
				v[f] = tc.set(f)
				if f != tally.FieldRef && v[f] != "" {
					want[f.String()] = v[f]
				}
			}
			w, err := json.Marshal(want)
			if err != nil {
				t.Fatal(err)
			}
			got, err := json.Marshal(toFieldsJSON(&v))
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != string(w) {
				t.Errorf("fields:\n got %s\nwant %s", got, w)
			}
		})
	}
}
