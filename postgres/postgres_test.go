package postgres_test

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"strings"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib"

	"tally"
	"tally/postgres"
	"tally/postgres/postgrestest"
	"tally/sqlstore"
	"tally/storetest"
)

func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) tally.Store { return open(t) })
}

func open(t testing.TB) *sqlstore.DB { return postgrestest.Open(t) }

func TestMigrate(t *testing.T) {
	ctx := context.Background()
	u := postgrestest.Schema(t)
	db, err := sql.Open("pgx", u)
	if err != nil {
		t.Fatal(err)
	}
	s := sqlstore.New(db, postgres.Dialect())
	defer s.Close()
	applied, err := s.Migrate(ctx)
	if err != nil {
		t.Fatalf("migrating an empty schema: %v", err)
	}
	if len(applied) == 0 {
		t.Fatal("migrating an empty schema applied nothing")
	}
	again, err := s.Migrate(ctx)
	if err != nil || len(again) != 0 {
		t.Fatalf("migrating twice applied %v, %v; want nothing", again, err)
	}
	for _, table := range []string{"agreements", "list_versions", "list_files", "list_rows", "list_problems", "list_notes"} {
		var n int
		if err := db.QueryRowContext(ctx, "SELECT count(*) FROM "+table).Scan(&n); err != nil {
			t.Errorf("table %s: %v", table, err)
		}
	}
	// Open on a migrated schema migrates nothing and works.
	s2, err := postgres.Open(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	s2.Close()
}

func TestOpenErrors(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		name, url string
		want      []string
		code      tally.ErrorCode
	}{
		{"not a URL", "postgres://a b@:x/", []string{"not valid"}, tally.EInvalid},
		{"nobody listens", "postgres://postgres@127.0.0.1:1/test?sslmode=disable&connect_timeout=2",
			[]string{"127.0.0.1:1", "cannot reach"}, tally.EInternal},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := postgres.Open(ctx, c.url)
			if err == nil {
				t.Fatal("Open succeeded")
			}
			if got := tally.ErrorCodeOf(err); got != c.code {
				t.Errorf("code %q, want %q (%v)", got, c.code, err)
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}
	t.Run("no such database", func(t *testing.T) {
		u, _ := url.Parse(postgrestest.URL(t))
		u.Path = "/tally_no_such_db"
		_, err := postgres.Open(ctx, u.String())
		if err == nil || !strings.Contains(err.Error(), "tally_no_such_db does not exist") {
			t.Errorf("error %v does not name the missing database", err)
		}
	})
}

func BenchmarkAddRows(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		b.Run(fmt.Sprintf("rows=%d", n), func(b *testing.B) {
			storetest.BenchmarkAddRows(b, open(b), n)
		})
	}
}
