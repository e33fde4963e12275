package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"tally"
)

func (t *tx) Row(ctx context.Context, id int64, ref string) (tally.StoredRow, error) {
	op := fmt.Sprintf("reading row %q of list version %d", ref, id)
	if err := t.checkVersion(ctx, id); err != nil {
		return tally.StoredRow{}, err
	}
	r := tally.StoredRow{Ref: ref}
	var fields string
	var extra sql.NullString
	err := t.queryRow(ctx, `SELECT line, fields, extra FROM list_rows
		WHERE version_id = ? AND ref = ? ORDER BY line LIMIT 1`, id, ref).Scan(&r.Row.Line, &fields, &extra)
	if errors.Is(err, sql.ErrNoRows) {
		return r, tally.NoRowError(id, ref)
	}
	if err != nil {
		return r, t.fail(op, err)
	}
	if err := decodeFields(fields, &r.Row.Values); err != nil {
		return r, t.fail(op, err)
	}
	if extra.Valid {
		if r.Row.Extra, err = decodeStrings(extra.String); err != nil {
			return r, t.fail(op, err)
		}
	}
	return r, nil
}

func (t *tx) AddPairDecision(ctx context.Context, d tally.PairDecision) error {
	op := fmt.Sprintf("storing the decision on %s ~ %s", d.Left, d.Right)
	if err := t.writable(op); err != nil {
		return err
	}
	_, err := t.exec(ctx, `INSERT INTO pair_decisions
		(left_version, right_version, seq, left_ref, right_ref, accepted, score, decided_by, party, decided_at, note)
		SELECT ?, ?, COALESCE(MAX(seq), 0) + 1, ?, ?, ?, ?, ?, ?, ?, ?
		FROM pair_decisions WHERE left_version = ? AND right_version = ?`,
		d.LeftVersion, d.RightVersion, d.Left, d.Right, d.Accepted, d.Score, d.By, d.Party, utc(d.At), d.Note,
		d.LeftVersion, d.RightVersion)
	if err != nil {
		if t.d.IsForeignKey(err) {
			return &tally.Error{Code: tally.ENotFound, Message: fmt.Sprintf("there is no list version %d or %d", d.LeftVersion, d.RightVersion), Err: err}
		}
		return t.fail(op, err)
	}
	return nil
}

func (t *tx) PairDecisions(ctx context.Context, left, right int64) ([]tally.PairDecision, error) {
	op := fmt.Sprintf("reading decisions between list versions %d and %d", left, right)
	rows, err := t.query(ctx, `SELECT left_ref, right_ref, accepted, score, decided_by, party, decided_at, note
		FROM pair_decisions WHERE left_version = ? AND right_version = ? ORDER BY seq`, left, right)
	if err != nil {
		return nil, t.fail(op, err)
	}
	defer rows.Close()
	var ds []tally.PairDecision
	for rows.Next() {
		d := tally.PairDecision{LeftVersion: left, RightVersion: right}
		if err := rows.Scan(&d.Left, &d.Right, &d.Accepted, &d.Score, &d.By, &d.Party, &d.At, &d.Note); err != nil {
			return nil, t.fail(op, err)
		}
		d.At = d.At.UTC()
		ds = append(ds, d)
	}
	if err := rows.Err(); err != nil {
		return nil, t.fail(op, err)
	}
	return ds, nil
}
