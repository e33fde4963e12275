package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"tally"
)

// Security keys and what sessions know of them (tally.SecondFactorTx).

func (t *tx) AddSecurityKey(ctx context.Context, k *tally.SecurityKey) error {
	const op = "adding a security key"
	if err := t.writable(op); err != nil {
		return err
	}
	k.CreatedAt = utc(k.CreatedAt)
	var lastUsed any
	if !k.LastUsed.IsZero() {
		k.LastUsed = utc(k.LastUsed)
		lastUsed = k.LastUsed
	}
	aaguid := k.AAGUID
	if aaguid == nil {
		aaguid = []byte{}
	}
	err := t.queryRow(ctx, `INSERT INTO security_keys (user_id, credential_id, public_key, sign_count, aaguid, transports, flags, name, created_at, last_used_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		k.UserID, k.CredentialID, k.PublicKey, int64(k.SignCount), aaguid, strings.Join(k.Transports, ","), int64(k.Flags), k.Name,
		k.CreatedAt, lastUsed).Scan(&k.ID)
	if err != nil {
		switch {
		case t.d.IsUnique(err):
			return &tally.Error{Code: tally.EConflict, Message: "that security key is enrolled already", Err: err}
		case t.d.IsForeignKey(err):
			return &tally.Error{Code: tally.ENotFound, Message: fmt.Sprintf("there is no account %d", k.UserID), Err: err}
		}
		return t.fail(op, err)
	}
	return nil
}

func (t *tx) SecurityKeys(ctx context.Context, userID int64) ([]tally.SecurityKey, error) {
	op := fmt.Sprintf("listing the security keys of account %d", userID)
	rows, err := t.query(ctx, `SELECT id, credential_id, public_key, sign_count, aaguid, transports, flags, name, created_at, last_used_at
		FROM security_keys WHERE user_id = ? ORDER BY created_at, id`, userID)
	if err != nil {
		return nil, t.fail(op, err)
	}
	defer rows.Close()
	ks := []tally.SecurityKey{}
	for rows.Next() {
		k := tally.SecurityKey{UserID: userID}
		var count, flags int64
		var transports string
		var lastUsed sql.NullTime
		if err := rows.Scan(&k.ID, &k.CredentialID, &k.PublicKey, &count, &k.AAGUID, &transports, &flags, &k.Name, &k.CreatedAt, &lastUsed); err != nil {
			return nil, t.fail(op, err)
		}
		k.SignCount, k.Flags, k.CreatedAt = uint32(count), uint8(flags), k.CreatedAt.UTC()
		if len(k.AAGUID) == 0 {
			k.AAGUID = nil // engines differ on an empty BLOB
		}
		if transports != "" {
			k.Transports = strings.Split(transports, ",")
		}
		if lastUsed.Valid {
			k.LastUsed = lastUsed.Time.UTC()
		}
		ks = append(ks, k)
	}
	if err := rows.Err(); err != nil {
		return nil, t.fail(op, err)
	}
	return ks, nil
}

func (t *tx) UseSecurityKey(ctx context.Context, id int64, signCount uint32, flags uint8, at time.Time) error {
	op := fmt.Sprintf("recording the use of security key %d", id)
	if err := t.writable(op); err != nil {
		return err
	}
	res, err := t.exec(ctx, `UPDATE security_keys SET sign_count = ?, flags = ?, last_used_at = ? WHERE id = ?`,
		int64(signCount), int64(flags), utc(at), id)
	return t.oneRow(op, res, err, fmt.Sprintf("there is no security key %d", id))
}

func (t *tx) DeleteSecurityKey(ctx context.Context, userID, id int64) error {
	op := fmt.Sprintf("removing security key %d", id)
	if err := t.writable(op); err != nil {
		return err
	}
	res, err := t.exec(ctx, `DELETE FROM security_keys WHERE id = ? AND user_id = ?`, id, userID)
	return t.oneRow(op, res, err, fmt.Sprintf("account %d has no security key %d", userID, id))
}

func (t *tx) DeleteSecurityKeys(ctx context.Context, userID int64) (int64, error) {
	op := fmt.Sprintf("removing the security keys of account %d", userID)
	if err := t.writable(op); err != nil {
		return 0, err
	}
	return t.affected(op)(t.exec(ctx, `DELETE FROM security_keys WHERE user_id = ?`, userID))
}

func (t *tx) SetSessionCeremony(ctx context.Context, hash []byte, state []byte) error {
	const op = "keeping a session's ceremony"
	if err := t.writable(op); err != nil {
		return err
	}
	var v any
	if len(state) > 0 {
		v = state
	}
	res, err := t.exec(ctx, `UPDATE sessions SET ceremony = ? WHERE id_hash = ?`, v, hash)
	return t.oneRow(op, res, err, "there is no such session")
}

func (t *tx) ConfirmSession(ctx context.Context, hash []byte, at time.Time) error {
	const op = "confirming a session"
	if err := t.writable(op); err != nil {
		return err
	}
	res, err := t.exec(ctx, `UPDATE sessions SET confirmed_at = ? WHERE id_hash = ?`, utc(at), hash)
	return t.oneRow(op, res, err, "there is no such session")
}

func (t *tx) DeleteUserSessions(ctx context.Context, userID int64) (int64, error) {
	op := fmt.Sprintf("ending the sessions of account %d", userID)
	if err := t.writable(op); err != nil {
		return 0, err
	}
	return t.affected(op)(t.exec(ctx, `DELETE FROM sessions WHERE user_id = ?`, userID))
}

// oneRow is the error of a statement that must change one row: ENotFound
// with notFound when it changed none.
func (t *tx) oneRow(op string, res sql.Result, err error, notFound string) error {
	n, err := t.affected(op)(res, err)
	if err != nil {
		return err
	}
	if n == 0 {
		return &tally.Error{Code: tally.ENotFound, Message: notFound}
	}
	return nil
}

// affected returns how many rows a statement changed, or its error.
func (t *tx) affected(op string) func(sql.Result, error) (int64, error) {
	return func(res sql.Result, err error) (int64, error) {
		if err != nil {
			return 0, t.fail(op, err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return 0, t.fail(op, err)
		}
		return n, nil
	}
}
