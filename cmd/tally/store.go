package main

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/mod/sumdb/note"

	"tally"
	"tally/postgres"
	"tally/sqlite"
	"tally/sqlstore"
)

// defaultDB returns the SQLite file used when --db is not given: tally.db
// in the user's data directory ($XDG_DATA_HOME/tally, ~/.local/share/tally,
// or the platform's equivalent).
func defaultDB() (string, error) {
	if d := os.Getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "tally", "tally.db"), nil
	}
	switch runtime.GOOS {
	case "windows", "darwin":
		d, err := os.UserConfigDir()
		if err != nil {
			return "", err
		}
		return filepath.Join(d, "tally", "tally.db"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", tally.Errorf(tally.EInvalid, "cannot find your home directory (%v); give --db PATH", err)
	}
	return filepath.Join(home, ".local", "share", "tally", "tally.db"), nil
}

// openStore opens the store --db names.
func (a *app) openStore(ctx context.Context) (*sqlstore.DB, error) {
	if a.server != "" {
		// Not a local store by mistake: a command that has no server
		// mode must say so, not quietly work on a file here.
		return nil, usagef("this command works on a local store, not against a server: leave out --server (and unset $TALLY_SERVER), or use the server's pages; against a server, tally imports lists (list import) and takes the steps of the process (review submit and answer, round, remains, children, commission) and shows their status")
	}
	db := a.db
	if strings.HasPrefix(db, "postgres://") || strings.HasPrefix(db, "postgresql://") {
		return postgres.Open(ctx, db)
	}
	if db == "" {
		var err error
		if db, err = defaultDB(); err != nil {
			return nil, err
		}
	}
	return sqlite.Open(ctx, db)
}

// service opens the store and returns a service over it; close the store
// when done.
func (a *app) service(ctx context.Context) (*tally.Service, func(), error) {
	st, err := a.openStore(ctx)
	if err != nil {
		return nil, nil, err
	}
	svc := tally.NewService(st, a.now)
	signer, err := a.logSigner()
	if err != nil {
		st.Close()
		return nil, nil, err
	}
	if signer != nil {
		svc.UseLogKey(signer)
		if err := useWitnesses(ctx, svc); err != nil {
			st.Close()
			return nil, nil, err
		}
	}
	return svc, func() { st.Close() }, nil
}

// logKeyPath is --log-key, or $TALLY_LOG_KEY.
func (a *app) logKeyPath() string {
	if a.logKey != "" {
		return a.logKey
	}
	return os.Getenv("TALLY_LOG_KEY")
}

// logSigner reads the log's private key, if one is given.
func (a *app) logSigner() (note.Signer, error) {
	path := a.logKeyPath()
	if path == "" {
		return nil, nil
	}
	return readSigner(path)
}

// withService makes a command's RunE that opens the store, hands fn the
// service over it, and closes the store after.
func (a *app) withService(fn func(c *cobra.Command, args []string, svc *tally.Service) error) func(*cobra.Command, []string) error {
	return func(c *cobra.Command, args []string) error {
		svc, done, err := a.service(c.Context())
		if err != nil {
			return err
		}
		defer done()
		return fn(c, args, svc)
	}
}
