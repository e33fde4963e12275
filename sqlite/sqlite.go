// Package sqlite stores tally's data in one SQLite file, the default for a
// single machine: no server to run, a file to back up.
//
// It uses modernc.org/sqlite, SQLite translated to Go, so tally builds
// without cgo. All storage logic is in package sqlstore, shared with
// package postgres; this package holds what is SQLite's own: how to open
// the file, its schema (migrations/*.sql, embedded and applied by goose at
// Open) and how to recognise its constraint errors.
//
// Every pragma is set in the DSN rather than executed after opening,
// because database/sql keeps a pool of connections and a pragma run once
// reaches only one of them:
//
//   - journal_mode(WAL): readers do not block the writer, nor it them;
//   - synchronous(NORMAL): safe with WAL; a power cut may lose the last
//     commits but never corrupts the file;
//   - foreign_keys(1): rows cannot name a version that does not exist;
//   - busy_timeout(5000): a second writer waits up to five seconds;
//   - _txlock=immediate: read-write transactions take the write lock at
//     BEGIN, so a busy database is noticed before any work is done.
//
// Read-write transactions of one process queue in the store
// (sqlstore.Dialect.OneWriter) rather than poll SQLite's lock, and up to
// maxConns connections are kept open and reused.
//
// The file and its directory are created readable by their owner only:
// lists hold personal data.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/pressly/goose/v3"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"tally"
	"tally/sqlstore"
)

//go:embed migrations/*.sql
var migrations embed.FS

const pragmas = "_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)" +
	"&_pragma=synchronous(NORMAL)&_txlock=immediate"

// Dialect returns what package sqlstore needs to know about SQLite.
func Dialect() sqlstore.Dialect {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		panic(err) // the embedded directory is there, or this does not build
	}
	return sqlstore.Dialect{
		Name:         "sqlite",
		MaxParams:    32766, // SQLITE_MAX_VARIABLE_NUMBER since 3.32
		IsUnique:     hasCode(sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY),
		IsForeignKey: hasCode(sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY),
		OneWriter:    true,
		Goose:        goose.DialectSQLite3,
		Migrations:   sub,
	}
}

func hasCode(codes ...int) func(error) bool {
	return func(err error) bool {
		var e *sqlite.Error
		if !errors.As(err, &e) {
			return false
		}
		for _, c := range codes {
			if e.Code() == c {
				return true
			}
		}
		return false
	}
}

// Open opens the database file at path, creating it and its directory if
// need be, and brings its schema up to date.
func Open(ctx context.Context, path string) (*sqlstore.DB, error) {
	if path == "" {
		return nil, &tally.Error{Code: tally.EInvalid, Message: "sqlite: no database file given", Hint: "give a path such as tally.db"}
	}
	if err := prepare(path); err != nil {
		return nil, err
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, openError(path, err)
	}
	db, err := sql.Open("sqlite", dsn(abs))
	if err != nil {
		return nil, openError(path, err)
	}
	db.SetMaxOpenConns(maxConns)
	db.SetMaxIdleConns(maxConns)
	s := sqlstore.New(db, Dialect())
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, openError(path, err)
	}
	if _, err := s.Migrate(ctx); err != nil {
		db.Close()
		var te *tally.Error
		if errors.As(err, &te) { // a schema newer than this tally
			return nil, &tally.Error{Code: te.Code, Message: fmt.Sprintf("sqlite: %s: %s", path, te.Message), Hint: te.Hint, Err: err}
		}
		return nil, openError(path, err)
	}
	return s, nil
}

// maxConns is how many connections to the file are kept open, and reused:
// opening one (the file, its pragmas, its schema) costs more than most
// queries, and with WAL, readers on their own connections run side by side
// while one writes. More than a few per core only adds contention.
const maxConns = 8

// dsn returns the URI that opens the file at abs with every pragma.
func dsn(abs string) string {
	p := filepath.ToSlash(abs)
	p = strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(p)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p // C:/x.db
	}
	return "file:" + p + "?" + pragmas
}

// prepare makes the directory and an empty file, both private, so that
// SQLite does not create a world-readable one; and refuses a directory.
func prepare(path string) error {
	fi, err := os.Stat(path)
	switch {
	case err == nil && fi.IsDir():
		return &tally.Error{
			Code:    tally.EInvalid,
			Message: fmt.Sprintf("sqlite: %s is a directory, not a database file", path),
			Hint:    "give the path of a file, such as " + filepath.Join(path, "tally.db"),
		}
	case err == nil:
		return nil
	case !errors.Is(err, fs.ErrNotExist):
		return openError(path, err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return openError(path, err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil && !errors.Is(err, fs.ErrExist) {
		return openError(path, err)
	}
	if f != nil {
		return f.Close()
	}
	return nil
}

// openError says what went wrong opening path, and what to do.
func openError(path string, err error) error {
	e := &tally.Error{Code: tally.EInternal, Err: err}
	var se *sqlite.Error
	isSQLite := errors.As(err, &se)
	var pe *fs.PathError
	switch {
	case errors.As(err, &pe) ||
		isSQLite && (se.Code()&0xff == sqlite3.SQLITE_PERM || se.Code()&0xff == sqlite3.SQLITE_READONLY ||
			se.Code()&0xff == sqlite3.SQLITE_CANTOPEN || se.Code()&0xff == sqlite3.SQLITE_AUTH):
		cause := err
		if pe != nil {
			cause = pe.Err // the path is already in the message
		}
		e.Message = fmt.Sprintf("sqlite: cannot open %s: %v", path, cause)
		e.Hint = "check that the file and its directory exist and that you may read and write them"
	case isSQLite && (se.Code()&0xff == sqlite3.SQLITE_NOTADB || se.Code()&0xff == sqlite3.SQLITE_CORRUPT):
		e.Code = tally.EInvalid
		e.Message = fmt.Sprintf("sqlite: %s is not a tally database (%v)", path, err)
		e.Hint = "give the path of the database file, or a new path to create one"
	case isSQLite && se.Code()&0xff == sqlite3.SQLITE_BUSY:
		e.Message = fmt.Sprintf("sqlite: %s is busy: %v", path, err)
		e.Hint = "another tally may be using it; try again when it has finished"
	default:
		e.Message = fmt.Sprintf("sqlite: opening %s: %v", path, err)
		e.Hint = "check the path; if the file is damaged, restore it from a backup"
	}
	return e
}
