package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"tally"
	"tally/ledger"
)

// The log's tables (see the migrations' 00003_log.sql) are written only
// through ledger.State, by a ledger.Log opened over the transaction, so the
// log's rules live once, in package ledger, and the entry an operation
// appends is committed with the operation or not at all.

func (t *tx) LogState(ctx context.Context) ledger.State {
	return &logState{t: t, ctx: ctx, hashes: map[int64]ledger.Hash{}, parties: map[string]ledger.PartyState{}, size: -1}
}

// logState is ledger.State over one transaction. It caches what it reads
// and writes for the transaction's life, so that a batch of appends in one
// transaction does not read back the hashes it has just written.
type logState struct {
	t       *tx
	ctx     context.Context
	hashes  map[int64]ledger.Hash
	parties map[string]ledger.PartyState
	size    int64 // -1 until read
}

var _ ledger.State = (*logState)(nil)

func (s *logState) fail(op string, err error) error { return s.t.fail(op, err) }

func (s *logState) ReadHashes(indexes []int64) ([]ledger.Hash, error) {
	out := make([]ledger.Hash, len(indexes))
	for i, x := range indexes {
		if h, ok := s.hashes[x]; ok {
			out[i] = h
			continue
		}
		var b []byte
		err := s.t.queryRow(s.ctx, `SELECT hash FROM log_hashes WHERE idx = ?`, x).Scan(&b)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, fmt.Errorf("%s: the log has no stored hash %d", s.t.d.Name, x)
		}
		if err != nil {
			return nil, s.fail("reading the log's hashes", err)
		}
		if len(b) != len(out[i]) {
			return nil, fmt.Errorf("%s: stored hash %d has %d bytes", s.t.d.Name, x, len(b))
		}
		copy(out[i][:], b)
		s.hashes[x] = out[i]
	}
	return out, nil
}

func (s *logState) WriteHashes(start int64, hashes []ledger.Hash) error {
	if err := s.t.writable("writing the log's hashes"); err != nil {
		return err
	}
	err := s.t.insertMany(s.ctx, "log_hashes", []string{"idx", "hash"}, len(hashes), func(args []any, i int) []any {
		return append(args, start+int64(i), hashes[i][:])
	})
	if err != nil {
		return s.fail("writing the log's hashes", err)
	}
	for i, h := range hashes {
		s.hashes[start+int64(i)] = h
	}
	return nil
}

func (s *logState) Size() (int64, error) {
	if s.size >= 0 {
		return s.size, nil
	}
	if err := s.t.queryRow(s.ctx, `SELECT COALESCE(MAX(idx) + 1, 0) FROM log_entries`).Scan(&s.size); err != nil {
		s.size = -1
		return 0, s.fail("reading the log's size", err)
	}
	return s.size, nil
}

func (s *logState) Entries(start, n int64) ([][]byte, error) {
	rows, err := s.t.query(s.ctx, `SELECT idx, data FROM log_entries WHERE idx >= ? AND idx < ? ORDER BY idx`, start, start+n)
	if err != nil {
		return nil, s.fail("reading the log's entries", err)
	}
	defer rows.Close()
	out := make([][]byte, 0, n)
	for rows.Next() {
		var idx int64
		var b []byte
		if err := rows.Scan(&idx, &b); err != nil {
			return nil, s.fail("reading the log's entries", err)
		}
		if idx != start+int64(len(out)) {
			return nil, fmt.Errorf("%s: the log has no entry %d", s.t.d.Name, start+int64(len(out)))
		}
		out = append(out, b)
	}
	if err := rows.Err(); err != nil {
		return nil, s.fail("reading the log's entries", err)
	}
	if int64(len(out)) != n {
		return nil, fmt.Errorf("%s: the log has no entry %d", s.t.d.Name, start+int64(len(out)))
	}
	return out, nil
}

func (s *logState) Party(code string) (ledger.PartyState, error) {
	if p, ok := s.parties[code]; ok {
		return p, nil
	}
	var p ledger.PartyState
	var h []byte
	err := s.t.queryRow(s.ctx, `SELECT seq, hash, time FROM log_entries WHERE party = ? ORDER BY seq DESC LIMIT 1`, code).
		Scan(&p.Seq, &h, &p.Time)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		p = ledger.PartyState{}
	case err != nil:
		return p, s.fail("reading party "+code+"'s chain", err)
	default:
		copy(p.Last[:], h)
		p.Time = p.Time.UTC()
	}
	s.parties[code] = p
	return p, nil
}

func (s *logState) EntryOf(party string, seq int64) (int64, []byte, bool, error) {
	var idx int64
	var b []byte
	err := s.t.queryRow(s.ctx, `SELECT idx, data FROM log_entries WHERE party = ? AND seq = ?`, party, seq).Scan(&idx, &b)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil, false, nil
	}
	if err != nil {
		return 0, nil, false, s.fail(fmt.Sprintf("reading %s's entry %d", party, seq), err)
	}
	return idx, b, true, nil
}

func (s *logState) AddEntry(i int64, b []byte, e *ledger.Entry) error {
	op := fmt.Sprintf("appending entry %d to the log", i)
	if err := s.t.writable(op); err != nil {
		return err
	}
	h := ledger.EntryHash(b)
	_, err := s.t.exec(s.ctx, `INSERT INTO log_entries (idx, party, seq, kind, time, hash, data) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		i, e.Party, e.Seq, e.Kind, utc(e.Time), h[:], b)
	if err != nil {
		if s.t.d.IsUnique(err) {
			return &tally.Error{Code: tally.EConflict, Message: fmt.Sprintf("the log already has entry %d, or %s's entry %d", i, e.Party, e.Seq), Err: err}
		}
		return s.fail(op, err)
	}
	s.size = i + 1
	s.parties[e.Party] = ledger.PartyState{Seq: e.Seq, Last: h, Time: e.Time.UTC()}
	return nil
}

func (s *logState) Checkpoint(n int64) ([]byte, bool, error) {
	var b []byte
	err := s.t.queryRow(s.ctx, `SELECT note FROM log_checkpoints WHERE size = ?`, n).Scan(&b)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, s.fail(fmt.Sprintf("reading checkpoint %d", n), err)
	}
	return b, true, nil
}

func (s *logState) LatestCheckpoint() ([]byte, error) {
	var b []byte
	err := s.t.queryRow(s.ctx, `SELECT note FROM log_checkpoints ORDER BY size DESC LIMIT 1`).Scan(&b)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, s.fail("reading the latest checkpoint", err)
	}
	return b, nil
}

func (s *logState) Checkpoints() ([][]byte, error) {
	rows, err := s.t.query(s.ctx, `SELECT note FROM log_checkpoints ORDER BY size`)
	if err != nil {
		return nil, s.fail("reading checkpoints", err)
	}
	defer rows.Close()
	var out [][]byte
	for rows.Next() {
		var b []byte
		if err := rows.Scan(&b); err != nil {
			return nil, s.fail("reading checkpoints", err)
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

func (s *logState) PutCheckpoint(n int64, note []byte) error {
	op := fmt.Sprintf("storing checkpoint %d", n)
	if err := s.t.writable(op); err != nil {
		return err
	}
	_, err := s.t.exec(s.ctx, `INSERT INTO log_checkpoints (size, note) VALUES (?, ?)
		ON CONFLICT (size) DO UPDATE SET note = excluded.note`, n, note)
	if err != nil {
		return s.fail(op, err)
	}
	return nil
}

// Log keys.

func (t *tx) LogKeys(ctx context.Context) (ledger.Keys, error) {
	k := ledger.Keys{Parties: map[string]string{}}
	rows, err := t.query(ctx, `SELECT role, id, vkey FROM log_keys ORDER BY role, id`)
	if err != nil {
		return k, t.fail("reading the log's keys", err)
	}
	defer rows.Close()
	for rows.Next() {
		var role, id, vkey string
		if err := rows.Scan(&role, &id, &vkey); err != nil {
			return k, t.fail("reading the log's keys", err)
		}
		switch role {
		case "log":
			k.Log = vkey
		case "party":
			k.Parties[id] = vkey
		case "witness":
			k.Witnesses = append(k.Witnesses, vkey)
		}
	}
	if err := rows.Err(); err != nil {
		return k, t.fail("reading the log's keys", err)
	}
	if k.Log == "" {
		return k, &tally.Error{Code: tally.ENotFound, Message: "this store keeps no signed log yet",
			Hint: "the mediator sets it up with: tally log init --log-key FILE.key --party-key FILE.vkey ..."}
	}
	return k, nil
}

func (t *tx) AddLogKey(ctx context.Context, role ledger.Role, id, vkey string) error {
	op := fmt.Sprintf("registering the %s key of %s", role, id)
	if err := t.writable(op); err != nil {
		return err
	}
	_, err := t.exec(ctx, `INSERT INTO log_keys (role, id, vkey) VALUES (?, ?, ?)`, role.String(), id, strings.TrimSpace(vkey))
	if err != nil {
		if t.d.IsUnique(err) {
			return &tally.Error{Code: tally.EConflict, Message: fmt.Sprintf("a %s key of %s is registered already", role, id),
				Hint: "registered keys are never replaced"}
		}
		return t.fail(op, err)
	}
	return nil
}

func (t *tx) AddListVersionEntry(ctx context.Context, version, index int64, salt []byte) error {
	op := fmt.Sprintf("linking list version %d to log entry %d", version, index)
	if err := t.writable(op); err != nil {
		return err
	}
	if _, err := t.exec(ctx, `INSERT INTO list_version_entries (version_id, entry_index, salt) VALUES (?, ?, ?)`, version, index, salt); err != nil {
		return t.childErr(op, version, err)
	}
	return nil
}

func (t *tx) ListVersionEntry(ctx context.Context, version int64) (int64, []byte, error) {
	var idx int64
	var salt []byte
	err := t.queryRow(ctx, `SELECT entry_index, salt FROM list_version_entries WHERE version_id = ?`, version).Scan(&idx, &salt)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil, &tally.Error{Code: tally.ENotFound, Message: fmt.Sprintf("list version %d has no entry in the log", version),
			Hint: "it was imported before the log was set up, or without a party key"}
	}
	if err != nil {
		return 0, nil, t.fail(fmt.Sprintf("reading the log entry of list version %d", version), err)
	}
	return idx, salt, nil
}

func (t *tx) SetWitnessURL(ctx context.Context, id, url string) error {
	op := "recording the address of witness " + id
	if err := t.writable(op); err != nil {
		return err
	}
	_, err := t.exec(ctx, `INSERT INTO log_witness_urls (id, url) VALUES (?, ?)
		ON CONFLICT (id) DO UPDATE SET url = excluded.url`, id, url)
	if err != nil {
		return t.fail(op, err)
	}
	return nil
}

func (t *tx) WitnessURLs(ctx context.Context) (map[string]string, error) {
	rows, err := t.query(ctx, `SELECT id, url FROM log_witness_urls ORDER BY id`)
	if err != nil {
		return nil, t.fail("reading the witnesses' addresses", err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var id, url string
		if err := rows.Scan(&id, &url); err != nil {
			return nil, t.fail("reading the witnesses' addresses", err)
		}
		out[id] = url
	}
	return out, rows.Err()
}
