package sqlite_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"tally"
	"tally/sqlite"
	"tally/sqlstore"
	"tally/storetest"
)

func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) tally.Store { return open(t) })
}

func open(t testing.TB) *sqlstore.DB {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "tally.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestMigrate(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "new", "dir", "tally.db")
	s, err := sqlite.Open(ctx, path) // migrates the empty file it creates
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	again, err := s.Migrate(ctx)
	if err != nil || len(again) != 0 {
		t.Fatalf("migrating twice applied %v, %v; want nothing", again, err)
	}
	for _, table := range []string{"agreements", "list_versions", "list_files", "list_rows", "list_problems", "list_notes"} {
		var n int
		if err := s.SQL().QueryRowContext(ctx, "SELECT count(*) FROM "+table).Scan(&n); err != nil {
			t.Errorf("table %s: %v", table, err)
		}
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		t.Errorf("database file mode %v, want readable by its owner only", perm)
	}
	s.Close()
	s, err = sqlite.Open(ctx, path) // reopening migrates nothing
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
}

func TestMigrateEmpty(t *testing.T) {
	ctx := context.Background()
	db, err := sql.Open("sqlite", filepath.Join(t.TempDir(), "empty.db"))
	if err != nil {
		t.Fatal(err)
	}
	s := sqlstore.New(db, sqlite.Dialect())
	defer s.Close()
	applied, err := s.Migrate(ctx)
	if err != nil || len(applied) == 0 {
		t.Fatalf("migrating an empty database applied %v, %v", applied, err)
	}
	again, err := s.Migrate(ctx)
	if err != nil || len(again) != 0 {
		t.Fatalf("migrating twice applied %v, %v; want nothing", again, err)
	}
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	notDB := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(notDB, []byte(strings.Repeat("not a database\n", 100)), 0o600); err != nil {
		t.Fatal(err)
	}
	locked := filepath.Join(dir, "locked")
	if err := os.Mkdir(locked, 0o500); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, path string
		want       string
		root       bool // whether the case holds when running as root
	}{
		{"directory", dir, "is a directory", true},
		{"not a database", notDB, "is not a tally database", true},
		{"permission denied", filepath.Join(locked, "tally.db"), "cannot open", false},
		{"parent is a file", filepath.Join(notDB, "tally.db"), "cannot open", true},
		{"empty path", "", "no database file", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if !c.root && os.Geteuid() == 0 {
				t.Skip("root may write anywhere")
			}
			_, err := sqlite.Open(context.Background(), c.path)
			if err == nil {
				t.Fatal("Open succeeded")
			}
			var e *tally.Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v is not a *tally.Error", err)
			}
			t.Log(err)
			if !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), c.path) || e.Hint == "" {
				t.Errorf("error %q should say %q, name %q and give a hint", err, c.want, c.path)
			}
		})
	}
}

func BenchmarkAddRows(b *testing.B) {
	for _, n := range []int{10_000, 100_000, 1_000_000} {
		b.Run(fmt.Sprintf("rows=%d", n), func(b *testing.B) {
			storetest.BenchmarkAddRows(b, open(b), n)
		})
	}
}
