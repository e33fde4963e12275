// Package postgrestest gives tests an empty PostgreSQL store of their
// own: a fresh schema in the test server's database, dropped when the test
// ends.
//
// It is a package of its own, not a _test.go file of package postgres,
// because the tests of other packages (http's suite runs on both engines)
// need the same server, the same rule for when a missing server skips or
// fails, and the same isolation; a _test.go file cannot be imported. It is
// not in package postgres itself so that production code never links the
// testing package.
//
// The rule, as in golang/pkgsite: when no server is reachable the test is
// skipped, unless TALLY_TEST_POSTGRES is set (CI sets it), which makes a
// missing server a failure. TALLY_TEST_POSTGRES may hold the server's URL;
// any other value, such as 1, means [DefaultURL].
package postgrestest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver

	"tally/postgres"
	"tally/sqlstore"
)

// DefaultURL is the server the tests use unless TALLY_TEST_POSTGRES names one.
const DefaultURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// URL returns the test server's URL, or skips t (or fails it, when
// TALLY_TEST_POSTGRES is set) if no server answers there. The server is
// asked each time rather than once per process: a ping costs a
// millisecond, and nothing is kept between tests.
func URL(t testing.TB) string {
	t.Helper()
	env := os.Getenv("TALLY_TEST_POSTGRES")
	u := DefaultURL
	if strings.HasPrefix(env, "postgres://") || strings.HasPrefix(env, "postgresql://") {
		u = env
	}
	err := ping(u)
	if err == nil {
		return u
	}
	if env != "" {
		t.Fatalf("TALLY_TEST_POSTGRES is set but PostgreSQL at %s is unreachable: %v", u, err)
	}
	t.Skipf("no PostgreSQL at %s (%v); set TALLY_TEST_POSTGRES to a URL, or to 1 to fail instead of skipping", u, err)
	return ""
}

func ping(u string) error {
	db, err := sql.Open("pgx", u)
	if err != nil {
		return err
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return db.PingContext(ctx)
}

// Schema creates an empty schema, dropped with everything in it when the
// test ends, and returns a URL whose search_path is that schema.
func Schema(t testing.TB) string {
	t.Helper()
	base := URL(t)
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
	pu, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := pu.Query()
	q.Set("search_path", schema)
	// A test's data need not survive a crash of the server: commits that
	// do not wait for the disk make the suite several times faster on a
	// busy machine, and change nothing else about what the store does.
	q.Set("synchronous_commit", "off")
	pu.RawQuery = q.Encode()
	return pu.String()
}

// Open opens a store on a fresh schema (see [Schema]), migrated as
// postgres.Open migrates, and closes it when the test ends, before the
// schema is dropped.
func Open(t testing.TB) *sqlstore.DB {
	t.Helper()
	db, err := postgres.Open(context.Background(), Schema(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}
