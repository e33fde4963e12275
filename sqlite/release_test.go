package sqlite_test

import (
	"context"
	"database/sql"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"tally"
	"tally/sqlite"
	"tally/storetest"
)

// TestUpgradeFromRelease migrates a database that the previous release
// left, with data in it, to the latest schema, and reads it all back (see
// storetest.CheckRelease).
func TestUpgradeFromRelease(t *testing.T) {
	fixture, err := os.ReadFile(filepath.Join("testdata", "release-00008.sql"))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "tally.db")
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	storetest.LoadRelease(t, db, sqlite.Dialect(), fixture)
	db.Close()
	st, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatalf("opening the release's database: %v", err)
	}
	defer st.Close()
	storetest.CheckRelease(t, st)
}

// TestWriteRelease remakes testdata/release-00008.sql's database, at the
// release's commit only: TALLY_WRITE_RELEASE=/tmp/release.db, then dump
// it as the file's first lines say.
func TestWriteRelease(t *testing.T) {
	path := os.Getenv("TALLY_WRITE_RELEASE")
	if path == "" {
		t.Skip("set TALLY_WRITE_RELEASE to a new database file to remake the release fixture")
	}
	st, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	vs := storetest.MigrationFiles(t, sqlite.Dialect())
	storetest.WriteRelease(t, st, slices.Max(slices.Collect(maps.Keys(vs))))
}

// TestNewerSchema: a database a newer tally migrated further is refused,
// untouched, with the advice to upgrade.
func TestNewerSchema(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "tally.db")
	st, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.SQL().ExecContext(ctx, `INSERT INTO goose_db_version (version_id, is_applied) VALUES (99999, true)`); err != nil {
		t.Fatal(err)
	}
	st.Close()
	_, err = sqlite.Open(ctx, path)
	var e *tally.Error
	if !errors.As(err, &e) || e.Code != tally.EInvalid {
		t.Fatalf("opening a newer database: %v, want a *tally.Error", err)
	}
	for _, w := range []string{path, "newer tally", "99999", "upgrade tally"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not say %q", err, w)
		}
	}
}
