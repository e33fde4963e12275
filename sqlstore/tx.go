package sqlstore

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"tally"
)

// tx is one transaction. Its prepared statements are cached by query and
// closed by database/sql when the transaction ends. A View on an engine
// whose statements see their own snapshots (Dialect.StatementSnapshots)
// has no *sql.Tx: its statements run on conn, which the driver prepares.
type tx struct {
	db       *DB
	d        *Dialect
	tx       *sql.Tx // nil: statements run on conn, without a transaction
	conn     *sql.Conn
	readOnly bool
	stmts    map[string]*sql.Stmt
	buf      []byte // scratch for encoding rows
}

var _ tally.Tx = (*tx)(nil)

// rowsPerInsert caps the rows of one multi-row INSERT: past a few hundred,
// longer statements stop paying for themselves.
const rowsPerInsert = 256

// copyMin is the fewest rows worth the engine's bulk path, if it has one.
const copyMin = 50

// rowsPerPage is how many rows Rows reads per query. Rows reads a page,
// closes its cursor, then calls fn, so that fn may use the transaction
// (PostgreSQL allows one active query per connection).
const rowsPerPage = 1000

func (t *tx) prepare(ctx context.Context, q string) (*sql.Stmt, error) {
	if s, ok := t.stmts[q]; ok {
		return s, nil
	}
	if shared := t.db.shared(q); shared != nil {
		s := t.tx.StmtContext(ctx, shared)
		t.stmts[q] = s
		return s, nil
	}
	s, err := t.tx.PrepareContext(ctx, t.text(q))
	if err != nil {
		return nil, err
	}
	t.stmts[q] = s
	return s, nil
}

// text is q as the engine writes it.
func (t *tx) text(q string) string {
	if t.d.Dollar {
		return rebind(q)
	}
	return q
}

func (t *tx) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	if t.tx == nil {
		return t.conn.ExecContext(ctx, t.text(q), args...)
	}
	s, err := t.prepare(ctx, q)
	if err != nil {
		return nil, err
	}
	return s.ExecContext(ctx, args...)
}

func (t *tx) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if t.tx == nil {
		return t.conn.QueryContext(ctx, t.text(q), args...)
	}
	s, err := t.prepare(ctx, q)
	if err != nil {
		return nil, err
	}
	return s.QueryContext(ctx, args...)
}

func (t *tx) queryRow(ctx context.Context, q string, args ...any) *sql.Row {
	if t.tx == nil {
		return t.conn.QueryRowContext(ctx, t.text(q), args...)
	}
	s, err := t.prepare(ctx, q)
	if err != nil {
		// A Row cannot be made to carry an error; run it unprepared so
		// that Scan reports the same error.
		if t.d.Dollar {
			q = rebind(q)
		}
		return t.tx.QueryRowContext(ctx, q, args...)
	}
	return s.QueryRowContext(ctx, args...)
}

// fail wraps a driver error with the engine and the operation; the result
// is an internal error to tally.ErrorCodeOf, and still matches
// context.Canceled and the driver's error with errors.Is and errors.As.
func (t *tx) fail(op string, err error) error {
	return fmt.Errorf("%s: %s: %w", t.d.Name, op, err)
}

func (t *tx) writable(op string) error {
	if t.readOnly {
		return &tally.Error{Code: tally.EInternal, Message: fmt.Sprintf("%s: %s in a read-only transaction", t.d.Name, op)}
	}
	return nil
}

// utc is how times are stored: UTC, to the microsecond.
func utc(tm time.Time) time.Time { return tm.UTC().Truncate(time.Microsecond) }

func (t *tx) AddAgreement(ctx context.Context, a tally.Agreement, source []byte) error {
	const op = "adding an agreement"
	if err := t.writable(op); err != nil {
		return err
	}
	doc, err := encodeAgreement(a)
	if err != nil {
		return t.fail(op, err)
	}
	if source == nil {
		source = []byte{}
	}
	_, err = t.exec(ctx, `INSERT INTO agreements (id, title, date, doc, source, added_at) VALUES (?, ?, ?, ?, ?, ?)`,
		a.ID, a.Title, a.Date.String(), string(doc), source, utc(time.Now()))
	if err != nil {
		if t.d.IsUnique(err) {
			return &tally.Error{
				Code:    tally.EConflict,
				Message: fmt.Sprintf("an agreement with id %q is already stored", a.ID),
				Hint:    "give the new agreement another id",
				Err:     err,
			}
		}
		return t.fail(op, err)
	}
	return nil
}

// storedAgreement is an agreement as stored, decoded.
type storedAgreement struct {
	a      tally.Agreement
	source []byte
}

// Agreement reads an agreement. Stored agreements are never changed or
// removed (this package has no statement that would), so one read in a
// View, where only what is committed is seen, is kept for the life of
// the store, decoded, and read again from memory: a query and a JSON
// decoding fewer for every request of the server. Each caller gets its
// own clone, so that no caller shares another's slices.
func (t *tx) Agreement(ctx context.Context, id string) (tally.Agreement, []byte, error) {
	if v, ok := t.db.agreements.Load(id); ok {
		sa := v.(storedAgreement)
		return sa.a.Clone(), bytes.Clone(sa.source), nil
	}
	var doc string
	var source []byte
	err := t.queryRow(ctx, `SELECT doc, source FROM agreements WHERE id = ?`, id).Scan(&doc, &source)
	if errors.Is(err, sql.ErrNoRows) {
		return tally.Agreement{}, nil, &tally.Error{
			Code:    tally.ENotFound,
			Message: fmt.Sprintf("there is no agreement %q", id),
			Hint:    "list the stored agreements to see their ids",
		}
	}
	if err != nil {
		return tally.Agreement{}, nil, t.fail("reading agreement "+id, err)
	}
	if source == nil {
		source = []byte{}
	}
	a, source, err := t.decodeAgreement(id, doc, source)
	if err == nil && t.readOnly {
		t.db.agreements.Store(id, storedAgreement{a.Clone(), bytes.Clone(source)})
	}
	return a, source, err
}

func (t *tx) decodeAgreement(id, doc string, source []byte) (tally.Agreement, []byte, error) {
	a, err := decodeAgreement([]byte(doc))
	if err != nil {
		return tally.Agreement{}, nil, t.fail("decoding agreement "+id, err)
	}
	return a, source, nil
}

func (t *tx) Agreements(ctx context.Context) ([]tally.Agreement, error) {
	const op = "listing agreements"
	rows, err := t.query(ctx, `SELECT id, doc FROM agreements ORDER BY id`)
	if err != nil {
		return nil, t.fail(op, err)
	}
	defer rows.Close()
	var as []tally.Agreement
	for rows.Next() {
		var id, doc string
		if err := rows.Scan(&id, &doc); err != nil {
			return nil, t.fail(op, err)
		}
		a, err := decodeAgreement([]byte(doc))
		if err != nil {
			return nil, t.fail("decoding agreement "+id, err)
		}
		as = append(as, a)
	}
	if err := rows.Err(); err != nil {
		return nil, t.fail(op, err)
	}
	return as, nil
}

func (t *tx) AddListVersion(ctx context.Context, v *tally.ListVersion) error {
	op := "adding a version of list " + v.ListID
	if err := t.writable(op); err != nil {
		return err
	}
	header, err := encodeHeader(v.Header)
	if err != nil {
		return t.fail(op, err)
	}
	v.ImportedAt = utc(v.ImportedAt)
	// One statement numbers and inserts, so there is no window between
	// reading the last version and writing the next. Two transactions
	// racing on one list (possible on PostgreSQL, whose transactions do
	// not serialize writers as SQLite's do) collide on the unique key and
	// the loser gets EConflict.
	err = t.queryRow(ctx, `INSERT INTO list_versions
		(agreement_id, list_id, version, party, kind, file_name, sha256, size, category,
		 imported_at, row_count, problem_count, conforming, header)
		SELECT ?, ?, COALESCE(MAX(version), 0) + 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?
		FROM list_versions WHERE agreement_id = ? AND list_id = ?
		RETURNING id, version`,
		v.AgreementID, v.ListID, v.Party, string(v.Kind), v.FileName, v.SHA256, v.Size, v.Category,
		v.ImportedAt, v.Rows, v.Problems, v.Conforming, header,
		v.AgreementID, v.ListID).Scan(&v.ID, &v.Version)
	switch {
	case err == nil:
		return nil
	case t.d.IsForeignKey(err):
		return &tally.Error{
			Code:    tally.ENotFound,
			Message: fmt.Sprintf("there is no agreement %q to add list %s to", v.AgreementID, v.ListID),
			Hint:    "add the agreement first",
			Err:     err,
		}
	case t.d.IsUnique(err):
		return &tally.Error{
			Code:    tally.EConflict,
			Message: fmt.Sprintf("another version of list %s was stored at the same time", v.ListID),
			Hint:    "import the file again",
			Err:     err,
		}
	}
	return t.fail(op, err)
}

func (t *tx) UpdateListVersion(ctx context.Context, v tally.ListVersion) error {
	op := fmt.Sprintf("updating list version %d", v.ID)
	if err := t.writable(op); err != nil {
		return err
	}
	header, err := encodeHeader(v.Header)
	if err != nil {
		return t.fail(op, err)
	}
	res, err := t.exec(ctx, `UPDATE list_versions
		SET sha256 = ?, size = ?, row_count = ?, problem_count = ?, conforming = ?, header = ?
		WHERE id = ?`,
		v.SHA256, v.Size, v.Rows, v.Problems, v.Conforming, header, v.ID)
	if err != nil {
		return t.fail(op, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return t.fail(op, err)
	}
	if n == 0 {
		return t.noVersion(v.ID)
	}
	return nil
}

func (t *tx) noVersion(id int64) error {
	return &tally.Error{Code: tally.ENotFound, Message: fmt.Sprintf("there is no list version with id %d", id)}
}

// checkVersion returns ENotFound unless version id exists.
func (t *tx) checkVersion(ctx context.Context, id int64) error {
	var one int
	err := t.queryRow(ctx, `SELECT 1 FROM list_versions WHERE id = ?`, id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return t.noVersion(id)
	}
	if err != nil {
		return t.fail(fmt.Sprintf("reading list version %d", id), err)
	}
	return nil
}

// childErr maps an insert into a table under list_versions.
func (t *tx) childErr(op string, id int64, err error) error {
	switch {
	case t.d.IsForeignKey(err):
		e := t.noVersion(id).(*tally.Error)
		e.Err = err
		return e
	case t.d.IsUnique(err):
		return &tally.Error{Code: tally.EConflict, Message: fmt.Sprintf("%s: already stored for list version %d", op, id), Err: err}
	}
	return t.fail(op, err)
}

func (t *tx) AddFileChunk(ctx context.Context, id int64, seq int, data []byte) error {
	op := fmt.Sprintf("storing chunk %d of the file of list version %d", seq, id)
	if err := t.writable(op); err != nil {
		return err
	}
	if data == nil {
		data = []byte{}
	}
	if _, err := t.exec(ctx, `INSERT INTO list_files (version_id, seq, data) VALUES (?, ?, ?)`, id, seq, data); err != nil {
		return t.childErr(op, id, err)
	}
	return nil
}

// insertMany inserts n rows into table in multi-row INSERTs, asking add to
// append the values of row i to args.
func (t *tx) insertMany(ctx context.Context, table string, cols []string, n int, add func(args []any, i int) []any) error {
	if t.d.Copy != nil && n >= copyMin {
		return t.d.Copy(ctx, t.conn, table, cols, n, add)
	}
	per := rowsPerInsert
	if max := t.d.MaxParams / len(cols); per > max {
		per = max
	}
	args := make([]any, 0, min(n, per)*len(cols))
	for start := 0; start < n; start += per {
		end := min(start+per, n)
		args = args[:0]
		for i := start; i < end; i++ {
			args = add(args, i)
		}
		if _, err := t.exec(ctx, insertQuery(table, cols, end-start), args...); err != nil {
			return err
		}
	}
	return nil
}

func insertQuery(table string, cols []string, rows int) string {
	var b strings.Builder
	b.WriteString("INSERT INTO ")
	b.WriteString(table)
	b.WriteString(" (")
	b.WriteString(strings.Join(cols, ", "))
	b.WriteString(") VALUES ")
	tuple := "(" + strings.Repeat("?, ", len(cols)-1) + "?)"
	for i := range rows {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(tuple)
	}
	return b.String()
}

var rowColumns = []string{"version_id", "line", "ref", "fields", "extra"}

func (t *tx) AddRows(ctx context.Context, id int64, rows []tally.StoredRow) error {
	op := fmt.Sprintf("storing rows of list version %d", id)
	if err := t.writable(op); err != nil {
		return err
	}
	err := t.insertMany(ctx, "list_rows", rowColumns, len(rows), func(args []any, i int) []any {
		r := &rows[i]
		t.buf = appendFields(t.buf[:0], &r.Row.Values)
		var extra any // NULL when there are none
		if len(r.Row.Extra) > 0 {
			extra = string(appendStrings(nil, r.Row.Extra))
		}
		return append(args, id, r.Row.Line, r.Ref, string(t.buf), extra)
	})
	if err != nil {
		return t.childErr(op, id, err)
	}
	return nil
}

var (
	problemColumns = []string{"version_id", "seq", "line", "ref", "code", "field", "category", "detail"}
	noteColumns    = []string{"version_id", "seq", "line", "ref", "field", "detail"}
)

// AddReport appends problems and notes to those already stored for the
// version, so that an import may store its report in batches.
func (t *tx) AddReport(ctx context.Context, id int64, problems []tally.Problem, notes []tally.Note) error {
	op := fmt.Sprintf("storing the report of list version %d", id)
	if err := t.writable(op); err != nil {
		return err
	}
	if len(problems) > 0 {
		var next int64
		if err := t.queryRow(ctx, `SELECT COALESCE(MAX(seq) + 1, 0) FROM list_problems WHERE version_id = ?`, id).Scan(&next); err != nil {
			return t.fail(op, err)
		}
		err := t.insertMany(ctx, "list_problems", problemColumns, len(problems), func(args []any, i int) []any {
			p := &problems[i]
			return append(args, id, next+int64(i), p.Line, p.Ref, string(p.Code), p.Field, p.Category, p.Detail)
		})
		if err != nil {
			return t.childErr(op, id, err)
		}
	}
	if len(notes) > 0 {
		var next int64
		if err := t.queryRow(ctx, `SELECT COALESCE(MAX(seq) + 1, 0) FROM list_notes WHERE version_id = ?`, id).Scan(&next); err != nil {
			return t.fail(op, err)
		}
		err := t.insertMany(ctx, "list_notes", noteColumns, len(notes), func(args []any, i int) []any {
			n := &notes[i]
			return append(args, id, next+int64(i), n.Line, n.Ref, n.Field, n.Detail)
		})
		if err != nil {
			return t.childErr(op, id, err)
		}
	}
	if len(problems) == 0 && len(notes) == 0 {
		return t.checkVersion(ctx, id)
	}
	return nil
}

const versionColumns = `id, agreement_id, list_id, version, party, kind, file_name, sha256, size,
	category, imported_at, row_count, problem_count, conforming, header`

func (t *tx) scanVersion(s interface{ Scan(...any) error }) (tally.ListVersion, error) {
	var v tally.ListVersion
	var kind, header string
	err := s.Scan(&v.ID, &v.AgreementID, &v.ListID, &v.Version, &v.Party, &kind, &v.FileName, &v.SHA256, &v.Size,
		&v.Category, &v.ImportedAt, &v.Rows, &v.Problems, &v.Conforming, &header)
	if err != nil {
		return v, err
	}
	v.Kind = tally.ListKind(kind)
	v.ImportedAt = v.ImportedAt.UTC()
	if v.Header, err = decodeHeader(header); err != nil {
		return v, fmt.Errorf("decoding the header of list version %d: %w", v.ID, err)
	}
	return v, nil
}

func (t *tx) ListVersion(ctx context.Context, agreementID, listID string, n int) (tally.ListVersion, error) {
	var row *sql.Row
	if n == 0 {
		row = t.queryRow(ctx, `SELECT `+versionColumns+` FROM list_versions
			WHERE agreement_id = ? AND list_id = ? ORDER BY version DESC LIMIT 1`, agreementID, listID)
	} else {
		row = t.queryRow(ctx, `SELECT `+versionColumns+` FROM list_versions
			WHERE agreement_id = ? AND list_id = ? AND version = ?`, agreementID, listID, n)
	}
	v, err := t.scanVersion(row)
	if errors.Is(err, sql.ErrNoRows) {
		msg := fmt.Sprintf("agreement %q has no list %s", agreementID, listID)
		if n != 0 {
			msg = fmt.Sprintf("agreement %q has no version %d of list %s", agreementID, n, listID)
		}
		return v, &tally.Error{Code: tally.ENotFound, Message: msg}
	}
	if err != nil {
		return v, t.fail("reading list "+listID, err)
	}
	return v, nil
}

func (t *tx) versions(ctx context.Context, op, q string, args ...any) ([]tally.ListVersion, error) {
	rows, err := t.query(ctx, q, args...)
	if err != nil {
		return nil, t.fail(op, err)
	}
	defer rows.Close()
	var vs []tally.ListVersion
	for rows.Next() {
		v, err := t.scanVersion(rows)
		if err != nil {
			return nil, t.fail(op, err)
		}
		vs = append(vs, v)
	}
	if err := rows.Err(); err != nil {
		return nil, t.fail(op, err)
	}
	return vs, nil
}

func (t *tx) ListVersions(ctx context.Context, agreementID, listID string) ([]tally.ListVersion, error) {
	return t.versions(ctx, "listing versions of list "+listID,
		`SELECT `+versionColumns+` FROM list_versions
		WHERE agreement_id = ? AND list_id = ? ORDER BY version`, agreementID, listID)
}

func (t *tx) Lists(ctx context.Context, agreementID string) ([]tally.ListVersion, error) {
	return t.versions(ctx, "listing lists of agreement "+agreementID,
		`SELECT `+versionColumns+` FROM list_versions v
		WHERE agreement_id = ? AND version = (
			SELECT MAX(version) FROM list_versions l
			WHERE l.agreement_id = v.agreement_id AND l.list_id = v.list_id)
		ORDER BY list_id`, agreementID)
}

func (t *tx) Rows(ctx context.Context, id int64, fn func(tally.StoredRow) error) error {
	op := fmt.Sprintf("reading rows of list version %d", id)
	if err := t.checkVersion(ctx, id); err != nil {
		return err
	}
	page := make([]tally.StoredRow, 0, rowsPerPage)
	var after *int // nil for the first page
	for {
		page = page[:0]
		if err := t.rowsPage(ctx, id, after, &page); err != nil {
			return t.fail(op, err)
		}
		for _, r := range page {
			if err := fn(r); err != nil {
				return err
			}
		}
		if len(page) < rowsPerPage {
			return nil
		}
		last := page[len(page)-1].Row.Line
		after = &last
	}
}

func (t *tx) rowsPage(ctx context.Context, id int64, after *int, page *[]tally.StoredRow) error {
	var rows *sql.Rows
	var err error
	if after == nil {
		rows, err = t.query(ctx, `SELECT line, ref, fields, extra FROM list_rows
			WHERE version_id = ? ORDER BY line LIMIT ?`, id, rowsPerPage)
	} else {
		rows, err = t.query(ctx, `SELECT line, ref, fields, extra FROM list_rows
			WHERE version_id = ? AND line > ? ORDER BY line LIMIT ?`, id, *after, rowsPerPage)
	}
	if err != nil {
		return err
	}
	return scanRows(rows, page)
}

// scanRows appends the rows of a query of line, ref, fields, extra to page,
// and closes rows.
func scanRows(rows *sql.Rows, page *[]tally.StoredRow) error {
	defer rows.Close()
	for rows.Next() {
		var r tally.StoredRow
		var fields string
		var extra sql.NullString
		if err := rows.Scan(&r.Row.Line, &r.Ref, &fields, &extra); err != nil {
			return err
		}
		if err := decodeFields(fields, &r.Row.Values); err != nil {
			return fmt.Errorf("line %d: %w", r.Row.Line, err)
		}
		if extra.Valid {
			var err error
			if r.Row.Extra, err = decodeStrings(extra.String); err != nil {
				return fmt.Errorf("line %d: %w", r.Row.Line, err)
			}
		}
		*page = append(*page, r)
	}
	return rows.Err()
}

func (t *tx) Report(ctx context.Context, id int64) ([]tally.Problem, []tally.Note, error) {
	op := fmt.Sprintf("reading the report of list version %d", id)
	var ps []tally.Problem
	err := func() error {
		rows, err := t.query(ctx, `SELECT line, ref, code, field, category, detail FROM list_problems
			WHERE version_id = ? ORDER BY line, seq`, id)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var p tally.Problem
			var code string
			if err := rows.Scan(&p.Line, &p.Ref, &code, &p.Field, &p.Category, &p.Detail); err != nil {
				return err
			}
			p.Code = tally.ProblemCode(code)
			ps = append(ps, p)
		}
		return rows.Err()
	}()
	if err != nil {
		return nil, nil, t.fail(op, err)
	}
	var ns []tally.Note
	err = func() error {
		rows, err := t.query(ctx, `SELECT line, ref, field, detail FROM list_notes
			WHERE version_id = ? ORDER BY line, seq`, id)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var n tally.Note
			if err := rows.Scan(&n.Line, &n.Ref, &n.Field, &n.Detail); err != nil {
				return err
			}
			ns = append(ns, n)
		}
		return rows.Err()
	}()
	if err != nil {
		return nil, nil, t.fail(op, err)
	}
	if len(ps) == 0 && len(ns) == 0 {
		// Problems and notes name their version (a foreign key), so only
		// an empty report needs asking whether the version exists.
		if err := t.checkVersion(ctx, id); err != nil {
			return nil, nil, err
		}
	}
	return ps, ns, nil
}

func (t *tx) WriteFile(ctx context.Context, id int64, w io.Writer) error {
	op := fmt.Sprintf("reading the file of list version %d", id)
	if err := t.checkVersion(ctx, id); err != nil {
		return err
	}
	rows, err := t.query(ctx, `SELECT data FROM list_files WHERE version_id = ? ORDER BY seq`, id)
	if err != nil {
		return t.fail(op, err)
	}
	defer rows.Close()
	for rows.Next() {
		var data sql.RawBytes
		if err := rows.Scan(&data); err != nil {
			return t.fail(op, err)
		}
		if _, err := w.Write(data); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return t.fail(op, err)
	}
	return nil
}
