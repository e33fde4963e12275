package sqlite_test

import (
	"context"
	"path/filepath"
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
