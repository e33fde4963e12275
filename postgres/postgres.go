// Package postgres stores tally's data in PostgreSQL, for a server that
// several clerks use at once.
//
// It reaches PostgreSQL through pgx's database/sql driver (pgx/v5/stdlib),
// so that all storage logic lives once, in package sqlstore, shared with
// package sqlite. This package holds what is PostgreSQL's own: parsing the
// URL, saying clearly why a server cannot be reached, its schema
// (migrations/*.sql, embedded and applied by goose at Open) and how to
// recognise its constraint errors by SQLSTATE.
//
// The schema lives in the first schema of the connection's search_path, so
// one database can hold several tally instances (and the tests a fresh
// schema each): add search_path=NAME to the URL. Migrations take a session
// advisory lock derived from that schema, so two servers starting at once
// do not both migrate it.
package postgres

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"net"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"tally"
	"tally/sqlstore"
)

//go:embed migrations/*.sql
var migrations embed.FS

// SQLSTATE codes.
const (
	uniqueViolation     = "23505"
	foreignKeyViolation = "23503"
)

// Dialect returns what package sqlstore needs to know about PostgreSQL.
func Dialect() sqlstore.Dialect {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		panic(err) // the embedded directory is there, or this does not build
	}
	return sqlstore.Dialect{
		Name:         "postgres",
		Dollar:       true,
		MaxParams:    65535, // the protocol counts parameters in 16 bits
		IsUnique:     hasState(uniqueViolation),
		IsForeignKey: hasState(foreignKeyViolation),
		Copy:         copyRows,
		// Transactions run at READ COMMITTED, PostgreSQL's default; pgx
		// keeps 512 prepared statements per connection.
		StatementSnapshots: true,
		Goose:              goose.DialectPostgres,
		Migrations:         sub,
	}
}

func hasState(code string) func(error) bool {
	return func(err error) bool {
		var e *pgconn.PgError
		return errors.As(err, &e) && e.Code == code
	}
}

// Open connects to the database at url (postgres://user@host:port/db?...)
// and brings its schema up to date.
func Open(ctx context.Context, url string) (*sqlstore.DB, error) {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return nil, &tally.Error{
			Code:    tally.EInvalid,
			Message: "postgres: the database URL is not valid: " + err.Error(),
			Hint:    "write it as postgres://USER@HOST:PORT/DATABASE",
			Err:     err,
		}
	}
	db := stdlib.OpenDB(*cfg)
	db.SetMaxOpenConns(maxConns)
	db.SetMaxIdleConns(maxConns)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, connectError(cfg, err)
	}
	d := Dialect()
	var schema sql.NullString
	if err := db.QueryRowContext(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
		db.Close()
		return nil, connectError(cfg, err)
	}
	if !schema.Valid {
		db.Close()
		return nil, &tally.Error{
			Code:    tally.EInvalid,
			Message: fmt.Sprintf("postgres: no schema of the search_path exists in database %s at %s", cfg.Database, where(cfg)),
			Hint:    "create the schema, or fix search_path in the URL",
		}
	}
	locker, err := lock.NewPostgresSessionLocker(lock.WithLockID(lockID(schema.String)))
	if err != nil {
		db.Close()
		return nil, err
	}
	d.GooseOptions = append(d.GooseOptions, goose.WithSessionLocker(locker))
	s := sqlstore.New(db, d)
	if _, err := s.Migrate(ctx); err != nil {
		db.Close()
		var te *tally.Error
		if errors.As(err, &te) { // a schema newer than this tally
			return nil, &tally.Error{Code: te.Code, Message: fmt.Sprintf("postgres: schema %s of database %s at %s: %s",
				schema.String, cfg.Database, where(cfg), te.Message), Hint: te.Hint, Err: err}
		}
		return nil, &tally.Error{
			Code:    tally.EInternal,
			Message: fmt.Sprintf("postgres: preparing the schema %s of database %s at %s: %v", schema.String, cfg.Database, where(cfg), err),
			Hint:    "the user needs the right to create tables in that schema",
			Err:     err,
		}
	}
	return s, nil
}

// maxConns is how many connections to the server are kept open, and
// reused: database/sql would otherwise keep two idle and open a new one
// (a new server process) for most requests under load, and open as many
// as requests come at once, past the server's max_connections (100 by
// default). Requests beyond it wait for a connection.
const maxConns = 16

// lockID is the advisory lock that guards migrating schema: goose's own
// default, varied by schema so that schemas migrate independently.
func lockID(schema string) int64 {
	h := fnv.New64a()
	h.Write([]byte(schema))
	return lock.DefaultLockID ^ int64(h.Sum64()&(1<<62-1))
}

func where(cfg *pgx.ConnConfig) string {
	return net.JoinHostPort(cfg.Host, fmt.Sprint(cfg.Port))
}

// connectError says why the server at cfg cannot be used, and what to do.
func connectError(cfg *pgx.ConnConfig, err error) error {
	e := &tally.Error{Code: tally.EInternal, Err: err}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "28P01", "28000":
			e.Message = fmt.Sprintf("postgres: the server at %s refused user %s: %s", where(cfg), cfg.User, pe.Message)
			e.Hint = "check the user and password in the URL, and pg_hba.conf"
			return e
		case "3D000":
			e.Message = fmt.Sprintf("postgres: database %s does not exist at %s", cfg.Database, where(cfg))
			e.Hint = "create it (createdb " + cfg.Database + ") or fix the URL"
			return e
		}
		e.Message = fmt.Sprintf("postgres: connecting to %s: %s", where(cfg), pe.Message)
		return e
	}
	e.Message = fmt.Sprintf("postgres: cannot reach the server at %s: %v", where(cfg), err)
	e.Hint = "check that PostgreSQL is running there and that the host and port in the URL are right"
	return e
}

// copyRows inserts rows with COPY, which PostgreSQL reads several times
// faster than multi-row INSERTs. It runs on the pgx connection under conn,
// inside the transaction database/sql has open on it.
func copyRows(ctx context.Context, conn *sql.Conn, table string, cols []string, n int, add func(args []any, i int) []any) error {
	return conn.Raw(func(dc any) error {
		c, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("postgres: the driver connection is a %T, not pgx's", dc)
		}
		src := &copySource{n: n, add: add, i: -1}
		_, err := c.Conn().CopyFrom(ctx, pgx.Identifier{table}, cols, src)
		return err
	})
}

// copySource feeds COPY from add, one row at a time.
type copySource struct {
	n, i int
	add  func(args []any, i int) []any
	args []any
}

func (s *copySource) Next() bool {
	s.i++
	return s.i < s.n
}

func (s *copySource) Values() ([]any, error) {
	s.args = s.add(s.args[:0], s.i)
	return s.args, nil
}

func (s *copySource) Err() error { return nil }
