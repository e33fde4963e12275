package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"tally"
)

// Accounts, credentials and the audit log (tally.AccountTx).

func (t *tx) AddOrganization(ctx context.Context, o *tally.Organization) error {
	op := "adding organisation " + o.Code
	if err := t.writable(op); err != nil {
		return err
	}
	err := t.queryRow(ctx, `INSERT INTO organizations (code, kind, name) VALUES (?, ?, ?) RETURNING id`,
		o.Code, string(o.Kind), o.Name).Scan(&o.ID)
	if err != nil {
		if t.d.IsUnique(err) {
			return &tally.Error{Code: tally.EConflict, Message: fmt.Sprintf("an organisation with code %s exists already", o.Code), Err: err}
		}
		return t.fail(op, err)
	}
	return nil
}

func (t *tx) Organization(ctx context.Context, code string) (tally.Organization, error) {
	o := tally.Organization{Code: code}
	var kind string
	err := t.queryRow(ctx, `SELECT id, kind, name FROM organizations WHERE code = ?`, code).Scan(&o.ID, &kind, &o.Name)
	if errors.Is(err, sql.ErrNoRows) {
		return tally.Organization{}, &tally.Error{Code: tally.ENotFound, Message: fmt.Sprintf("there is no organisation %s", code)}
	}
	if err != nil {
		return tally.Organization{}, t.fail("reading organisation "+code, err)
	}
	o.Kind = tally.OrgKind(kind)
	return o, nil
}

func (t *tx) AddUser(ctx context.Context, u *tally.User, passwordHash string) error {
	op := "adding account " + u.Login
	if err := t.writable(op); err != nil {
		return err
	}
	u.CreatedAt = utc(u.CreatedAt)
	err := t.queryRow(ctx, `INSERT INTO users (org_id, login, name, roles, password_hash, created_at)
		VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
		u.Org.ID, u.Login, u.Name, encodeRoles(u.Roles), passwordHash, u.CreatedAt).Scan(&u.ID)
	if err != nil {
		switch {
		case t.d.IsUnique(err):
			return &tally.Error{Code: tally.EConflict, Key: "--login", Message: fmt.Sprintf("login %s is taken already", u.Login), Err: err}
		case t.d.IsForeignKey(err):
			return &tally.Error{Code: tally.ENotFound, Message: fmt.Sprintf("there is no organisation %d", u.Org.ID), Err: err}
		}
		return t.fail(op, err)
	}
	return nil
}

func encodeRoles(rs []tally.Role) string {
	ss := make([]string, len(rs))
	for i, r := range rs {
		ss[i] = string(r)
	}
	return strings.Join(ss, ",")
}

func decodeRoles(s string) []tally.Role {
	var rs []tally.Role
	for r := range strings.SplitSeq(s, ",") {
		if r != "" {
			rs = append(rs, tally.Role(r))
		}
	}
	return rs
}

// userColumns are what scanUser reads, in order.
const userColumns = `u.id, u.login, u.name, u.roles, u.password_hash, u.created_at, o.id, o.code, o.kind, o.name`

type scanner interface{ Scan(dest ...any) error }

func scanUser(s scanner) (tally.User, string, error) {
	var u tally.User
	var roles, hash, kind string
	if err := s.Scan(&u.ID, &u.Login, &u.Name, &roles, &hash, &u.CreatedAt, &u.Org.ID, &u.Org.Code, &kind, &u.Org.Name); err != nil {
		return tally.User{}, "", err
	}
	u.Roles = decodeRoles(roles)
	u.Org.Kind = tally.OrgKind(kind)
	u.CreatedAt = u.CreatedAt.UTC()
	return u, hash, nil
}

func noUser(what string) error {
	return &tally.Error{Code: tally.ENotFound, Message: "there is no account " + what}
}

func (t *tx) User(ctx context.Context, login string) (tally.User, string, error) {
	u, hash, err := scanUser(t.queryRow(ctx, `SELECT `+userColumns+`
		FROM users u JOIN organizations o ON o.id = u.org_id WHERE u.login = ?`, login))
	if errors.Is(err, sql.ErrNoRows) {
		return tally.User{}, "", noUser(login)
	}
	if err != nil {
		return tally.User{}, "", t.fail("reading account "+login, err)
	}
	return u, hash, nil
}

func (t *tx) UserByID(ctx context.Context, id int64) (tally.User, error) {
	u, _, err := scanUser(t.queryRow(ctx, `SELECT `+userColumns+`
		FROM users u JOIN organizations o ON o.id = u.org_id WHERE u.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return tally.User{}, noUser(fmt.Sprint(id))
	}
	if err != nil {
		return tally.User{}, t.fail(fmt.Sprintf("reading account %d", id), err)
	}
	return u, nil
}

func (t *tx) Users(ctx context.Context, orgCode string) ([]tally.User, error) {
	op := "listing the accounts of " + orgCode
	rows, err := t.query(ctx, `SELECT `+userColumns+`
		FROM users u JOIN organizations o ON o.id = u.org_id WHERE o.code = ? ORDER BY u.login`, orgCode)
	if err != nil {
		return nil, t.fail(op, err)
	}
	defer rows.Close()
	var us []tally.User
	for rows.Next() {
		u, _, err := scanUser(rows)
		if err != nil {
			return nil, t.fail(op, err)
		}
		us = append(us, u)
	}
	if err := rows.Err(); err != nil {
		return nil, t.fail(op, err)
	}
	return us, nil
}

func (t *tx) AddToken(ctx context.Context, k tally.Token) error {
	const op = "adding an API token"
	if err := t.writable(op); err != nil {
		return err
	}
	_, err := t.exec(ctx, `INSERT INTO api_tokens (hash, user_id, created_at) VALUES (?, ?, ?)`, k.Hash, k.UserID, utc(k.CreatedAt))
	if err != nil {
		switch {
		case t.d.IsUnique(err):
			return &tally.Error{Code: tally.EConflict, Message: "that token exists already", Err: err}
		case t.d.IsForeignKey(err):
			return &tally.Error{Code: tally.ENotFound, Message: fmt.Sprintf("there is no account %d", k.UserID), Err: err}
		}
		return t.fail(op, err)
	}
	return nil
}

func (t *tx) TokenUser(ctx context.Context, hash []byte) (tally.User, error) {
	u, _, err := scanUser(t.queryRow(ctx, `SELECT `+userColumns+`
		FROM api_tokens k JOIN users u ON u.id = k.user_id JOIN organizations o ON o.id = u.org_id WHERE k.hash = ?`, hash))
	if errors.Is(err, sql.ErrNoRows) {
		return tally.User{}, &tally.Error{Code: tally.ENotFound, Message: "there is no such API token"}
	}
	if err != nil {
		return tally.User{}, t.fail("reading an API token", err)
	}
	return u, nil
}

func (t *tx) AddSession(ctx context.Context, s tally.Session) error {
	const op = "adding a session"
	if err := t.writable(op); err != nil {
		return err
	}
	var confirmed any
	if !s.ConfirmedAt.IsZero() {
		confirmed = utc(s.ConfirmedAt)
	}
	var ceremony any
	if len(s.Ceremony) > 0 {
		ceremony = s.Ceremony
	}
	_, err := t.exec(ctx, `INSERT INTO sessions (id_hash, user_id, created_at, expires_at, last_seen_at, confirmed_at, ceremony) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		s.Hash, s.UserID, utc(s.CreatedAt), utc(s.ExpiresAt), utc(s.LastSeen), confirmed, ceremony)
	if err != nil {
		switch {
		case t.d.IsUnique(err):
			return &tally.Error{Code: tally.EConflict, Message: "that session exists already", Err: err}
		case t.d.IsForeignKey(err):
			return &tally.Error{Code: tally.ENotFound, Message: fmt.Sprintf("there is no account %d", s.UserID), Err: err}
		}
		return t.fail(op, err)
	}
	return nil
}

func (t *tx) Session(ctx context.Context, hash []byte) (tally.Session, error) {
	s := tally.Session{Hash: hash}
	var confirmed sql.NullTime
	err := t.queryRow(ctx, `SELECT user_id, created_at, expires_at, last_seen_at, confirmed_at, ceremony FROM sessions WHERE id_hash = ?`, hash).
		Scan(&s.UserID, &s.CreatedAt, &s.ExpiresAt, &s.LastSeen, &confirmed, &s.Ceremony)
	if errors.Is(err, sql.ErrNoRows) {
		return tally.Session{}, &tally.Error{Code: tally.ENotFound, Message: "there is no such session"}
	}
	if err != nil {
		return tally.Session{}, t.fail("reading a session", err)
	}
	s.CreatedAt, s.ExpiresAt, s.LastSeen = s.CreatedAt.UTC(), s.ExpiresAt.UTC(), s.LastSeen.UTC()
	if confirmed.Valid {
		s.ConfirmedAt = confirmed.Time.UTC()
	}
	if len(s.Ceremony) == 0 {
		s.Ceremony = nil
	}
	return s, nil
}

func (t *tx) TouchSession(ctx context.Context, hash []byte, at time.Time) error {
	const op = "touching a session"
	if err := t.writable(op); err != nil {
		return err
	}
	if _, err := t.exec(ctx, `UPDATE sessions SET last_seen_at = ? WHERE id_hash = ?`, utc(at), hash); err != nil {
		return t.fail(op, err)
	}
	return nil
}

func (t *tx) DeleteSession(ctx context.Context, hash []byte) error {
	const op = "deleting a session"
	if err := t.writable(op); err != nil {
		return err
	}
	if _, err := t.exec(ctx, `DELETE FROM sessions WHERE id_hash = ?`, hash); err != nil {
		return t.fail(op, err)
	}
	return nil
}

func (t *tx) DeleteExpiredSessions(ctx context.Context, idleSince, now time.Time) (int64, error) {
	const op = "deleting ended sessions"
	if err := t.writable(op); err != nil {
		return 0, err
	}
	res, err := t.exec(ctx, `DELETE FROM sessions WHERE last_seen_at < ? OR expires_at <= ?`, utc(idleSince), utc(now))
	if err != nil {
		return 0, t.fail(op, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, t.fail(op, err)
	}
	return n, nil
}

var auditColumns = []string{"at", "user_id", "login", "org_code", "via", "action", "agreement_id", "resource", "detail"}

// auditRowsPerInsert are the lengths of the INSERTs audit records go in,
// longest first: a batch is written in as few statements as these make
// (50 records: 32, 16, 2), and there are only these few statements for
// the engine to prepare and keep, whatever the batches' lengths.
var auditRowsPerInsert = []int{32, 16, 8, 4, 2, 1}

// auditCopyMin is the smallest batch of audit records written with the
// engine's bulk path, where it has one.
const auditCopyMin = 4

func (t *tx) AddAudit(ctx context.Context, rs ...tally.AuditRecord) error {
	const op = "adding audit records"
	if err := t.writable(op); err != nil {
		return err
	}
	if t.d.Copy != nil && len(rs) >= auditCopyMin {
		// One COPY, a single round trip's worth of messages, where the
		// multi-row INSERTs below would be one round trip each: under
		// load the group commit's batches hold dozens of records, and
		// every reader in the batch waits for them.
		err := t.d.Copy(ctx, t.conn, "audit_log", auditColumns, len(rs), func(args []any, i int) []any {
			r := rs[i]
			return append(args, utc(r.At), r.UserID, r.Login, r.Org, r.Via, string(r.Action), r.AgreementID, r.Resource, r.Detail)
		})
		if err != nil && t.d.IsForeignKey(err) {
			ids := make([]int64, len(rs))
			for i, r := range rs {
				ids[i] = r.UserID
			}
			return &tally.Error{Code: tally.ENotFound, Message: fmt.Sprintf("one of the accounts %v of these audit records does not exist", ids), Err: err}
		}
		if err != nil {
			return t.fail(op, err)
		}
		return nil
	}
	args := make([]any, 0, min(len(rs), auditRowsPerInsert[0])*len(auditColumns))
	for len(rs) > 0 {
		n := 1
		for _, k := range auditRowsPerInsert {
			if k <= len(rs) {
				n = k
				break
			}
		}
		args = args[:0]
		for _, r := range rs[:n] {
			args = append(args, utc(r.At), r.UserID, r.Login, r.Org, r.Via, string(r.Action), r.AgreementID, r.Resource, r.Detail)
		}
		if _, err := t.exec(ctx, insertQuery("audit_log", auditColumns, n), args...); err != nil {
			if t.d.IsForeignKey(err) {
				msg := fmt.Sprintf("there is no account %d", rs[0].UserID)
				if n > 1 {
					ids := make([]int64, n)
					for i, r := range rs[:n] {
						ids[i] = r.UserID
					}
					msg = fmt.Sprintf("one of the accounts %v of these audit records does not exist", ids)
				}
				return &tally.Error{Code: tally.ENotFound, Message: msg, Err: err}
			}
			return t.fail(op, err)
		}
		rs = rs[n:]
	}
	return nil
}

func (t *tx) AuditRecords(ctx context.Context, fn func(tally.AuditRecord) error) error {
	const op = "reading the audit log"
	after := int64(0)
	for {
		rows, err := t.query(ctx, `SELECT id, at, user_id, login, org_code, via, action, agreement_id, resource, detail
			FROM audit_log WHERE id > ? ORDER BY id LIMIT ?`, after, rowsPerPage)
		if err != nil {
			return t.fail(op, err)
		}
		var page []tally.AuditRecord
		for rows.Next() {
			var r tally.AuditRecord
			var action string
			if err := rows.Scan(&r.ID, &r.At, &r.UserID, &r.Login, &r.Org, &r.Via, &action, &r.AgreementID, &r.Resource, &r.Detail); err != nil {
				rows.Close()
				return t.fail(op, err)
			}
			r.At, r.Action = r.At.UTC(), tally.Action(action)
			page = append(page, r)
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
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
		after = page[len(page)-1].ID
	}
}

func (t *tx) RowsAfter(ctx context.Context, id int64, afterLine, limit int) ([]tally.StoredRow, error) {
	op := fmt.Sprintf("reading rows of list version %d", id)
	if limit <= 0 {
		return []tally.StoredRow{}, t.checkVersion(ctx, id)
	}
	rows, err := t.query(ctx, `SELECT line, ref, fields, extra FROM list_rows
		WHERE version_id = ? AND line > ? ORDER BY line LIMIT ?`, id, afterLine, limit)
	if err != nil {
		return nil, t.fail(op, err)
	}
	page := []tally.StoredRow{}
	if err := scanRows(rows, &page); err != nil {
		return nil, t.fail(op, err)
	}
	if len(page) == 0 {
		// Rows name their version (a foreign key), so only an empty page
		// needs asking whether the version exists: a query fewer for
		// every other page.
		return page, t.checkVersion(ctx, id)
	}
	return page, nil
}

func (t *tx) SetPassword(ctx context.Context, userID int64, passwordHash string) error {
	op := fmt.Sprintf("setting the password of account %d", userID)
	if err := t.writable(op); err != nil {
		return err
	}
	res, err := t.exec(ctx, `UPDATE users SET password_hash = ? WHERE id = ?`, passwordHash, userID)
	if err != nil {
		return t.fail(op, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return t.fail(op, err)
	} else if n == 0 {
		return noUser(fmt.Sprint(userID))
	}
	return nil
}

func (t *tx) Tokens(ctx context.Context, userID int64) ([]tally.Token, error) {
	op := fmt.Sprintf("listing the API tokens of account %d", userID)
	rows, err := t.query(ctx, `SELECT hash, created_at FROM api_tokens WHERE user_id = ? ORDER BY created_at, hash`, userID)
	if err != nil {
		return nil, t.fail(op, err)
	}
	defer rows.Close()
	ks := []tally.Token{}
	for rows.Next() {
		k := tally.Token{UserID: userID}
		if err := rows.Scan(&k.Hash, &k.CreatedAt); err != nil {
			return nil, t.fail(op, err)
		}
		k.CreatedAt = k.CreatedAt.UTC()
		ks = append(ks, k)
	}
	if err := rows.Err(); err != nil {
		return nil, t.fail(op, err)
	}
	return ks, nil
}

func (t *tx) DeleteToken(ctx context.Context, hash []byte) error {
	const op = "deleting an API token"
	if err := t.writable(op); err != nil {
		return err
	}
	res, err := t.exec(ctx, `DELETE FROM api_tokens WHERE hash = ?`, hash)
	if err != nil {
		return t.fail(op, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return t.fail(op, err)
	} else if n == 0 {
		return &tally.Error{Code: tally.ENotFound, Message: "there is no such API token"}
	}
	return nil
}
