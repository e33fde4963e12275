package sqlstore_test

import (
	"testing"

	"tally/postgres"
	"tally/sqlite"
	"tally/storetest"
)

// TestMigrationsInStep: both engines have the same migrations, version for
// version and name for name, so that a database of either engine at a
// version holds the same schema; and none of them goes down
// (storetest.MigrationFiles fails a file with a Down section).
func TestMigrationsInStep(t *testing.T) {
	lite := storetest.MigrationFiles(t, sqlite.Dialect())
	pg := storetest.MigrationFiles(t, postgres.Dialect())
	if len(lite) == 0 {
		t.Fatal("no migrations")
	}
	for v, name := range lite {
		if pg[v] != name {
			t.Errorf("migration %05d is %q on SQLite and %q on PostgreSQL: write each migration for both engines, with the same number and name", v, name, pg[v])
		}
	}
	for v, name := range pg {
		if _, ok := lite[v]; !ok {
			t.Errorf("migration %05d_%s.sql is on PostgreSQL only: write it for SQLite too", v, name)
		}
	}
	for v := int64(1); v <= int64(len(lite)); v++ {
		if _, ok := lite[v]; !ok {
			t.Errorf("migration %05d is missing: versions go 1, 2, 3, ... without a gap", v)
		}
	}
	if _, ok := lite[storetest.ReleaseVersion]; !ok {
		t.Errorf("the previous release's migration %05d is gone: released migrations are never removed", storetest.ReleaseVersion)
	}
}
