package storetest

import "testing"

func TestUpOnly(t *testing.T) {
	for _, c := range []struct {
		name, sql string
		want      bool
	}{
		{"up only", "-- +goose Up\nCREATE TABLE t (x INT);\n", true},
		{"empty down", "-- +goose Up\nCREATE TABLE t (x INT);\n\n-- +goose Down\n", true},
		{"down with a comment", "-- +goose Up\nCREATE TABLE t (x INT);\n-- +goose Down\n-- nothing: forward-only\n\n", true},
		{"down with a statement", "-- +goose Up\nCREATE TABLE t (x INT);\n-- +goose Down\nDROP TABLE t;\n", false},
		{"indented statement", "-- +goose Up\n-- +goose Down\n   DROP TABLE t;", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := upOnly([]byte(c.sql)); got != c.want {
				t.Errorf("upOnly = %v, want %v", got, c.want)
			}
		})
	}
}
