package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"tally"
)

func (t *tx) AddRecipient(ctx context.Context, holder, recipient string) error {
	op := "registering the payload recipient of " + holder
	if err := t.writable(op); err != nil {
		return err
	}
	if _, err := t.exec(ctx, `INSERT INTO payload_recipients (holder, recipient) VALUES (?, ?)`, holder, recipient); err != nil {
		if t.d.IsUnique(err) {
			return &tally.Error{Code: tally.EConflict, Message: fmt.Sprintf("a payload recipient of %s is registered already", holder), Err: err}
		}
		return t.fail(op, err)
	}
	return nil
}

func (t *tx) Recipients(ctx context.Context) (map[string]string, error) {
	rows, err := t.query(ctx, `SELECT holder, recipient FROM payload_recipients ORDER BY holder`)
	if err != nil {
		return nil, t.fail("reading payload recipients", err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var h, r string
		if err := rows.Scan(&h, &r); err != nil {
			return nil, t.fail("reading payload recipients", err)
		}
		out[h] = r
	}
	return out, rows.Err()
}

func (t *tx) SetPayload(ctx context.Context, id int64, p tally.Payload) error {
	op := fmt.Sprintf("recording how the file of list version %d is kept", id)
	if err := t.writable(op); err != nil {
		return err
	}
	var erasedAt any
	if !p.ErasedAt.IsZero() {
		erasedAt = utc(p.ErasedAt)
	}
	_, err := t.exec(ctx, `INSERT INTO list_payloads (version_id, encrypted, erased_at, erased_by, reason) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (version_id) DO UPDATE SET encrypted = excluded.encrypted, erased_at = excluded.erased_at,
		erased_by = excluded.erased_by, reason = excluded.reason`, id, p.Encrypted, erasedAt, p.ErasedBy, p.Reason)
	if err != nil {
		return t.childErr(op, id, err)
	}
	return nil
}

func (t *tx) Payload(ctx context.Context, id int64) (tally.Payload, error) {
	var p tally.Payload
	var erasedAt sql.NullTime
	err := t.queryRow(ctx, `SELECT encrypted, erased_at, erased_by, reason FROM list_payloads WHERE version_id = ?`, id).
		Scan(&p.Encrypted, &erasedAt, &p.ErasedBy, &p.Reason)
	if errors.Is(err, sql.ErrNoRows) {
		return p, t.checkVersion(ctx, id) // kept in the clear, as before payloads were encrypted
	}
	if err != nil {
		return p, t.fail(fmt.Sprintf("reading how the file of list version %d is kept", id), err)
	}
	if erasedAt.Valid {
		p.ErasedAt = erasedAt.Time.UTC()
	}
	return p, nil
}

func (t *tx) ErasePayload(ctx context.Context, id int64, by, reason string, at time.Time) error {
	op := fmt.Sprintf("erasing the file and rows of list version %d", id)
	if err := t.writable(op); err != nil {
		return err
	}
	p, err := t.Payload(ctx, id)
	if err != nil {
		return err
	}
	for _, q := range []string{`DELETE FROM list_files WHERE version_id = ?`, `DELETE FROM list_rows WHERE version_id = ?`} {
		if _, err := t.exec(ctx, q, id); err != nil {
			return t.fail(op, err)
		}
	}
	p.ErasedAt, p.ErasedBy, p.Reason = at, by, reason
	return t.SetPayload(ctx, id, p)
}
