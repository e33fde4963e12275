package postgres_test

import (
	"context"
	"database/sql"
	"errors"
	"maps"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"tally"
	"tally/postgres"
	"tally/postgres/postgrestest"
	"tally/storetest"
)

// TestUpgradeFromRelease migrates a schema that the previous release
// left, with data in it, to the latest version, and reads it all back (see
// storetest.CheckRelease).
func TestUpgradeFromRelease(t *testing.T) {
	fixture, err := os.ReadFile(filepath.Join("testdata", "release-00008.sql"))
	if err != nil {
		t.Fatal(err)
	}
	u := postgrestest.Schema(t)
	db, err := sql.Open("pgx", u)
	if err != nil {
		t.Fatal(err)
	}
	storetest.LoadRelease(t, db, postgres.Dialect(), fixture)
	db.Close()
	st, err := postgres.Open(context.Background(), u)
	if err != nil {
		t.Fatalf("opening the release's schema: %v", err)
	}
	defer st.Close()
	storetest.CheckRelease(t, st)
}

// TestWriteRelease remakes testdata/release-00008.sql's data, at the
// release's commit only: TALLY_WRITE_RELEASE=SCHEMA writes it into that
// schema of the test database (created, and left for pg_dump), then dump
// it as the file's first lines say.
func TestWriteRelease(t *testing.T) {
	schema := os.Getenv("TALLY_WRITE_RELEASE")
	if schema == "" {
		t.Skip("set TALLY_WRITE_RELEASE to a new schema's name to remake the release fixture")
	}
	base := postgrestest.URL(t)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatal(err)
	}
	pu, _ := url.Parse(base)
	q := pu.Query()
	q.Set("search_path", schema)
	pu.RawQuery = q.Encode()
	st, err := postgres.Open(context.Background(), pu.String())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	vs := storetest.MigrationFiles(t, postgres.Dialect())
	storetest.WriteRelease(t, st, slices.Max(slices.Collect(maps.Keys(vs))))
}

// TestNewerSchema: a schema a newer tally migrated further is refused,
// untouched, with the advice to upgrade.
func TestNewerSchema(t *testing.T) {
	ctx := context.Background()
	u := postgrestest.Schema(t)
	st, err := postgres.Open(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.SQL().ExecContext(ctx, `INSERT INTO goose_db_version (version_id, is_applied) VALUES (99999, true)`); err != nil {
		t.Fatal(err)
	}
	st.Close()
	_, err = postgres.Open(ctx, u)
	var e *tally.Error
	if !errors.As(err, &e) || e.Code != tally.EInvalid {
		t.Fatalf("opening a newer schema: %v, want a *tally.Error", err)
	}
	for _, w := range []string{"tally_test_", "newer tally", "99999", "upgrade tally"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not say %q", err, w)
		}
	}
}
