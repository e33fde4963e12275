package postgres_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib"

	"tally"
	"tally/postgres"
	"tally/sqlstore"
	"tally/storetest"
)

func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) tally.Store { return open(t) })
}

// defaultURL is the server the tests use unless TALLY_TEST_POSTGRES names one.
const defaultURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

var server struct {
	once sync.Once
	url  string
	err  error
}

// serverURL returns the test server's URL. When no server is reachable the
// test is skipped, unless TALLY_TEST_POSTGRES is set (as in CI), which
// makes a missing server a failure. TALLY_TEST_POSTGRES may hold the URL;
// any other value, such as 1, means the default URL.
func serverURL(t testing.TB) string {
	t.Helper()
	env := os.Getenv("TALLY_TEST_POSTGRES")
	server.once.Do(func() {
		server.url = defaultURL
		if strings.HasPrefix(env, "postgres://") || strings.HasPrefix(env, "postgresql://") {
			server.url = env
		}
		db, err := sql.Open("pgx", server.url)
		if err != nil {
			server.err = err
			return
		}
		defer db.Close()
		server.err = db.PingContext(context.Background())
	})
	if server.err != nil {
		if env != "" {
			t.Fatalf("TALLY_TEST_POSTGRES is set but PostgreSQL at %s is unreachable: %v", server.url, server.err)
		}
		t.Skipf("no PostgreSQL at %s (%v); set TALLY_TEST_POSTGRES to a URL, or to 1 to fail instead of skipping", server.url, server.err)
	}
	return server.url
}

// freshSchema creates an empty schema, dropped when the test ends, and
// returns a URL whose search_path is that schema.
func freshSchema(t testing.TB) string {
	t.Helper()
	base := serverURL(t)
	schema := "tally_test_" + strings.ToLower(rand.Text()[:12])
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		admin.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		defer admin.Close()
		if _, err := admin.Exec("DROP SCHEMA " + schema + " CASCADE"); err != nil {
			t.Errorf("dropping schema %s: %v", schema, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

func open(t testing.TB) *sqlstore.DB {
	t.Helper()
	db, err := postgres.Open(context.Background(), freshSchema(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() }) // runs before the schema is dropped
	return db
}

func TestMigrate(t *testing.T) {
	ctx := context.Background()
	u := freshSchema(t)
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
		u, _ := url.Parse(serverURL(t))
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
