// Package sqlstore implements [tally.Store] once, over database/sql, for
// every SQL engine tally runs on: package sqlite (the embedded default) and
// package postgres (production) are thin shells that open a *sql.DB, hand
// it a [Dialect] and their own embedded migrations, and return a *[DB].
//
// # Why one implementation
//
// What a store must guarantee — a list version numbered one past the last,
// its rows, its original bytes and its report stored together or not at
// all, a duplicate agreement refused as a conflict, rows read back in line
// order exactly as written — is business logic, not SQL dialect. Written
// twice, once per engine, it would drift: one engine would number versions
// from 0, or lose an empty Extra, and only production would notice. So the
// queries, the encodings and the error mapping live here, and the engines
// differ only in what a [Dialect] says: the placeholder style, how many
// bind parameters one statement may carry, which driver errors mean
// "unique key taken" or "no such parent", the migrations, and optionally a
// bulk path for rows (COPY on PostgreSQL) that takes the place of multi-row
// INSERTs without changing what is stored. Both engines pass the same
// suite, package storetest.
//
// # Speed
//
// An import of a million rows must take seconds, not minutes. Within a
// transaction, statements are prepared once and reused, and the queries
// transactions use are prepared for the whole store, so that a connection
// parses each only once (see DB.prepareWanted); rows go in
// multi-row INSERTs of up to 256 rows (or by the engine's bulk path); a
// row's cells are encoded by hand, without reflection. Rows reads back in
// pages of 1000, keyed on the line, so that a million rows are never held
// at once and fn may use the transaction between pages.
//
// # Transactions
//
// [DB.Update] runs fn in one read-write transaction, committed only when fn
// returns nil; an error from fn, a failed commit or a cancelled context
// leaves nothing behind. A panic in fn rolls the transaction back and then
// continues to unwind: the store does not turn a programming error into an
// ordinary error value. [DB.View] runs fn in a read-only transaction;
// writing methods of its Tx fail on every engine alike, rather than being
// refused by PostgreSQL and silently rolled back by SQLite.
//
// On SQLite, open the database with _txlock=immediate so that a read-write
// transaction takes the write lock at BEGIN, not halfway through fn, where
// a busy database would make it fail with SQLITE_BUSY after work was done.
//
// # Encodings
//
// Agreements are stored as a JSON document written from private structs
// with explicit field names, so that renaming a Go field never changes what
// is on disk. A row's recognised cells are stored as a compact JSON object
// of the non-empty fields, keyed by their spec names (surname, birth_date),
// never by Field numbers, which may be reordered; its Extra cells as a JSON
// array, or NULL when there are none. The row encoding is written by hand
// (see codec.go): it is on the path of a million-row import, where
// encoding/json's reflection would cost more than the database does.
//
// Times are stored and returned in UTC, truncated to the microsecond that
// PostgreSQL keeps, so that both engines return the same instant.
package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pressly/goose/v3"

	"tally"
)

// Dialect is what differs between SQL engines.
type Dialect struct {
	// Name names the engine in error messages: "sqlite", "postgres".
	Name string
	// Dollar says placeholders are written $1, $2, ... rather than ?.
	// Queries in this package are written with ? and rewritten once, when
	// they are prepared.
	Dollar bool
	// MaxParams is the most bind parameters one statement may carry.
	MaxParams int
	// IsUnique reports whether err is a violated unique or primary key.
	IsUnique func(err error) bool
	// IsForeignKey reports whether err is a violated foreign key: a row
	// that names a parent (agreement, version) that does not exist.
	IsForeignKey func(err error) bool
	// Copy, if set, is the engine's bulk path, used instead of multi-row
	// INSERTs for batches of rows: it inserts n rows into table on conn,
	// the connection the transaction is on, within that transaction; add
	// appends the values of row i, in the order of cols, to args.
	Copy func(ctx context.Context, conn *sql.Conn, table string, cols []string, n int, add func(args []any, i int) []any) error
	// OneWriter says the engine lets one transaction write at a time
	// (SQLite): the store then queues its read-write transactions itself,
	// in the order they came, instead of having each poll the database's
	// lock, which under load is slow, unfair and fails after the busy
	// timeout. Other processes writing the same database still meet the
	// engine's lock.
	OneWriter bool
	// StatementSnapshots says each statement sees what was committed when
	// it began, even inside a transaction (PostgreSQL's READ COMMITTED,
	// its default): a read-only transaction then promises nothing that
	// statements run one after the other on one connection do not, and
	// costs two round trips to the server (BEGIN and ROLLBACK) on every
	// read. View then runs its statements on a connection of its own
	// without a transaction, unprepared by database/sql: the driver must
	// keep prepared statements per connection itself (pgx does). Writing
	// methods still fail in View, in Go, before any SQL is sent.
	StatementSnapshots bool
	// Goose is the goose dialect of the engine, and Migrations its
	// migrations, *.sql files at the root of the file system.
	Goose      goose.Dialect
	Migrations fs.FS
	// GooseOptions are extra options for the migration provider, such as
	// a session locker so that two servers do not migrate at once.
	GooseOptions []goose.ProviderOption
}

// DB is a tally.Store over a *sql.DB.
type DB struct {
	db *sql.DB
	d  Dialect
	// writer is held by the read-write transaction under way when the
	// engine has one writer (Dialect.OneWriter); nil otherwise.
	writer chan struct{}
	// stmts are the queries prepared once for the whole store, each
	// prepared again on a connection only the first time a transaction
	// there uses it; wanted are queries transactions used that are not
	// yet among them (see prepareWanted).
	mu     sync.Mutex
	stmts  map[string]*sql.Stmt
	wanted map[string]bool
	// agreements are the stored agreements read so far, by id: every
	// request reads its agreement, and one is never changed or removed
	// once stored (see Tx.Agreement).
	agreements sync.Map // id → storedAgreement
}

// maxShared bounds the queries prepared for the whole store; longer ones
// (multi-row INSERTs of some length) are prepared per transaction only.
const (
	maxShared      = 256
	maxSharedQuery = 2048
)

// shared returns the statement prepared for the whole store for q, or
// nil, noting that q is wanted.
func (db *DB) shared(q string) *sql.Stmt {
	db.mu.Lock()
	defer db.mu.Unlock()
	if s := db.stmts[q]; s != nil {
		return s
	}
	if len(q) <= maxSharedQuery && len(db.stmts)+len(db.wanted) < maxShared {
		db.wanted[q] = true
	}
	return nil
}

// prepareWanted prepares the wanted queries for the whole store. It runs
// before a transaction takes its connection: preparing takes one, and a
// transaction holding one while waiting for another could wait forever on
// a bounded pool.
func (db *DB) prepareWanted(ctx context.Context) {
	db.mu.Lock()
	if len(db.wanted) == 0 {
		db.mu.Unlock()
		return
	}
	var qs []string
	for q := range db.wanted {
		qs = append(qs, q)
	}
	clear(db.wanted)
	db.mu.Unlock()
	for _, q := range qs {
		text := q
		if db.d.Dollar {
			text = rebind(q)
		}
		s, err := db.db.PrepareContext(ctx, text)
		if err != nil {
			continue // the transaction that uses it prepares it, and says what is wrong
		}
		db.mu.Lock()
		if db.stmts[q] == nil {
			db.stmts[q] = s
			s = nil
		}
		db.mu.Unlock()
		if s != nil {
			s.Close()
		}
	}
}

var _ tally.Store = (*DB)(nil)

// New returns a store over db, which must already be migrated (see
// [DB.Migrate]). The store owns db: Close closes it.
func New(db *sql.DB, d Dialect) *DB {
	s := &DB{db: db, d: d, stmts: map[string]*sql.Stmt{}, wanted: map[string]bool{}}
	if d.OneWriter {
		s.writer = make(chan struct{}, 1)
	}
	return s
}

// writerWait bounds how long a read-write transaction waits for its turn
// behind others of this process, as the engine's busy timeout would.
const writerWait = 30 * time.Second

// SQL returns the underlying database, for tests and tools.
func (db *DB) SQL() *sql.DB { return db.db }

// Close closes the database.
func (db *DB) Close() error {
	db.mu.Lock()
	for _, s := range db.stmts {
		s.Close()
	}
	clear(db.stmts)
	db.mu.Unlock()
	return db.db.Close()
}

// Migrate applies the migrations not yet applied and returns their
// versions; applying them again is a no-op that returns none.
//
// Migrations are forward-only: tally never undoes one, since undoing drops
// what was stored. A database already migrated past the last migration
// this binary knows was opened by a newer tally; it is refused with an
// error telling the operator to upgrade, rather than used with a schema
// this binary's queries were not written for (goose alone would apply
// nothing and go on).
func (db *DB) Migrate(ctx context.Context) ([]int64, error) {
	opts := append([]goose.ProviderOption{goose.WithDisableGlobalRegistry(true)}, db.d.GooseOptions...)
	p, err := goose.NewProvider(db.d.Goose, db.db, db.d.Migrations, opts...)
	if err != nil {
		return nil, fmt.Errorf("%s: migrations: %w", db.d.Name, err)
	}
	if err := db.notNewer(ctx, p); err != nil {
		return nil, err
	}
	res, err := p.Up(ctx)
	if err != nil {
		return nil, fmt.Errorf("%s: applying migrations: %w", db.d.Name, err)
	}
	var vs []int64
	for _, r := range res {
		vs = append(vs, r.Source.Version)
	}
	return vs, nil
}

// notNewer refuses a database whose schema is newer than the last
// migration this binary knows, with a *tally.Error that the engines
// prefix with where the database is.
func (db *DB) notNewer(ctx context.Context, p *goose.Provider) error {
	have, err := p.GetDBVersion(ctx) // 0 for an empty database
	if err != nil {
		return fmt.Errorf("%s: reading the schema's version: %w", db.d.Name, err)
	}
	var know int64
	for _, s := range p.ListSources() {
		know = max(know, s.Version)
	}
	if have <= know {
		return nil
	}
	return &tally.Error{
		Code: tally.EInvalid,
		Message: fmt.Sprintf("the database was set up by a newer tally: its schema is at version %d, this tally knows versions up to %d",
			have, know),
		Hint: "upgrade tally to the version that last used this database, or newer; an older tally cannot use it, and nothing was changed",
	}
}

// Update runs fn in one read-write transaction, committed only if fn
// returns nil. See the package documentation for panics.
func (db *DB) Update(ctx context.Context, fn func(tally.Tx) error) error {
	return db.run(ctx, false, fn)
}

// View runs fn in one read-only transaction.
func (db *DB) View(ctx context.Context, fn func(tally.Tx) error) error {
	return db.run(ctx, true, fn)
}

func (db *DB) run(ctx context.Context, readOnly bool, fn func(tally.Tx) error) error {
	if !readOnly && db.writer != nil {
		// Before taking a connection, so that waiting writers do not
		// hold connections readers need. Waiting goroutines are woken
		// in the order they came.
		t := time.NewTimer(writerWait)
		select {
		case db.writer <- struct{}{}:
			t.Stop()
		case <-ctx.Done():
			t.Stop()
			return db.wrap("waiting for the other writers", ctx.Err())
		case <-t.C:
			return db.wrap("waiting for the other writers", fmt.Errorf("the database was busy for %v", writerWait))
		}
		defer func() { <-db.writer }()
	}
	db.prepareWanted(ctx)
	// A dedicated connection, so that an engine's bulk path (COPY on
	// PostgreSQL) can reach the very connection the transaction is on.
	conn, err := db.db.Conn(ctx)
	if err != nil {
		return db.wrap("connecting", err)
	}
	defer conn.Close()
	if readOnly && db.d.StatementSnapshots {
		return fn(&tx{db: db, d: &db.d, conn: conn, readOnly: true})
	}
	stx, err := conn.BeginTx(ctx, &sql.TxOptions{ReadOnly: readOnly})
	if err != nil {
		return db.wrap("beginning a transaction", err)
	}
	t := &tx{db: db, d: &db.d, tx: stx, conn: conn, readOnly: readOnly, stmts: map[string]*sql.Stmt{}}
	finished := false
	defer func() {
		if !finished { // fn panicked: roll back and let the panic go on
			_ = stx.Rollback()
		}
	}()
	err = fn(t)
	finished = true
	if err != nil {
		_ = stx.Rollback()
		return err
	}
	if readOnly {
		if err := stx.Rollback(); err != nil && !errors.Is(err, sql.ErrTxDone) {
			return db.wrap("ending a read-only transaction", err)
		}
		return nil
	}
	if err := stx.Commit(); err != nil {
		if cerr := ctx.Err(); cerr != nil {
			err = cerr // database/sql rolled back when ctx ended: say why
		}
		return db.wrap("committing", err)
	}
	return nil
}

func (db *DB) wrap(op string, err error) error {
	return fmt.Errorf("%s: %s: %w", db.d.Name, op, err)
}

// rebind rewrites the ? placeholders of q as $1, $2, ... The queries of
// this package hold no ? inside literals.
func rebind(q string) string {
	var b strings.Builder
	b.Grow(len(q) + len(q)/4)
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(q[i])
	}
	return b.String()
}
