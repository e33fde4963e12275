package storetest

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"tally"
)

// The accounts part of the suite: organisations, users, tokens, sessions,
// the audit log, and rows read a page at a time.

func testAccounts(t *testing.T, s tally.Store) {
	ctx := context.Background()
	at := time.Date(2025, 6, 7, 8, 0, 0, 123456000, time.UTC)
	ua := tally.Organization{Kind: tally.OrgParty, Code: "UA", Name: "Координаційний штаб (synthetic)"}
	tr := tally.Organization{Kind: tally.OrgMediator, Code: "TR", Name: "Arabulucu"}
	u := tally.User{Name: "Олена Тестенко", Login: "олена", Roles: []tally.Role{tally.RoleClerk, tally.RoleSigner}, CreatedAt: at}
	v := tally.User{Name: "A. Örnek", Login: "ayse", Roles: []tally.Role{tally.RoleViewer}, CreatedAt: at}
	update(t, s, func(tx tally.Tx) error {
		for _, o := range []*tally.Organization{&ua, &tr} {
			if err := tx.AddOrganization(ctx, o); err != nil {
				return err
			}
		}
		u.Org, v.Org = ua, tr
		if err := tx.AddUser(ctx, &u, "$argon2id$hash"); err != nil {
			return err
		}
		return tx.AddUser(ctx, &v, "")
	})
	if ua.ID == 0 || tr.ID == 0 || ua.ID == tr.ID || u.ID == 0 || v.ID == 0 || u.ID == v.ID {
		t.Fatalf("ids not set apart: orgs %d %d, users %d %d", ua.ID, tr.ID, u.ID, v.ID)
	}
	view(t, s, func(tx tally.Tx) error {
		o, err := tx.Organization(ctx, "UA")
		if err != nil {
			return err
		}
		if d := cmp.Diff(ua, o); d != "" {
			t.Errorf("organisation read back (-want +got):\n%s", d)
		}
		got, hash, err := tx.User(ctx, "олена")
		if err != nil {
			return err
		}
		if d := cmp.Diff(u, got); d != "" {
			t.Errorf("user read back (-want +got):\n%s", d)
		}
		if hash != "$argon2id$hash" {
			t.Errorf("password hash read back %q", hash)
		}
		if got, err = tx.UserByID(ctx, v.ID); err != nil {
			return err
		}
		if d := cmp.Diff(v, got); d != "" {
			t.Errorf("user by id read back (-want +got):\n%s", d)
		}
		us, err := tx.Users(ctx, "UA")
		if err != nil {
			return err
		}
		if len(us) != 1 || us[0].Login != "олена" {
			t.Errorf("Users(UA) = %v, want олена only", us)
		}
		return nil
	})
	err := s.Update(ctx, func(tx tally.Tx) error {
		o := tally.Organization{Kind: tally.OrgObserver, Code: "UA", Name: "x"}
		return tx.AddOrganization(ctx, &o)
	})
	wantCode(t, "an organisation code taken", err, tally.EConflict)
	err = s.Update(ctx, func(tx tally.Tx) error {
		w := tally.User{Org: ua, Name: "x", Login: "олена", Roles: []tally.Role{tally.RoleViewer}, CreatedAt: at}
		return tx.AddUser(ctx, &w, "")
	})
	wantCode(t, "a login taken", err, tally.EConflict)
	err = s.Update(ctx, func(tx tally.Tx) error {
		w := tally.User{Org: tally.Organization{ID: 99999}, Name: "x", Login: "nobody", Roles: []tally.Role{tally.RoleViewer}, CreatedAt: at}
		return tx.AddUser(ctx, &w, "")
	})
	wantCode(t, "an account in no organisation", err, tally.ENotFound)
	err = s.View(ctx, func(tx tally.Tx) error { _, _, err := tx.User(ctx, "nobody"); return err })
	wantCode(t, "an unknown login", err, tally.ENotFound)
	err = s.View(ctx, func(tx tally.Tx) error { _, err := tx.Organization(ctx, "XX"); return err })
	wantCode(t, "an unknown organisation", err, tally.ENotFound)

	// Tokens: found by hash only.
	hash := bytes.Repeat([]byte{7}, 32)
	update(t, s, func(tx tally.Tx) error { return tx.AddToken(ctx, tally.Token{Hash: hash, UserID: u.ID, CreatedAt: at}) })
	view(t, s, func(tx tally.Tx) error {
		got, err := tx.TokenUser(ctx, hash)
		if err != nil {
			return err
		}
		if got.ID != u.ID || got.Org.Code != "UA" {
			t.Errorf("token's user = %v, want %v", got, u)
		}
		return nil
	})
	err = s.View(ctx, func(tx tally.Tx) error { _, err := tx.TokenUser(ctx, bytes.Repeat([]byte{8}, 32)); return err })
	wantCode(t, "an unknown token", err, tally.ENotFound)
	err = s.Update(ctx, func(tx tally.Tx) error { return tx.AddToken(ctx, tally.Token{Hash: hash, UserID: u.ID, CreatedAt: at}) })
	wantCode(t, "a token stored twice", err, tally.EConflict)

	// An account's tokens are listed, and revoked one by one.
	other := bytes.Repeat([]byte{9}, 32)
	update(t, s, func(tx tally.Tx) error {
		return tx.AddToken(ctx, tally.Token{Hash: other, UserID: u.ID, CreatedAt: at.Add(time.Minute)})
	})
	view(t, s, func(tx tally.Tx) error {
		ks, err := tx.Tokens(ctx, u.ID)
		if err != nil {
			return err
		}
		want := []tally.Token{{Hash: hash, UserID: u.ID, CreatedAt: at}, {Hash: other, UserID: u.ID, CreatedAt: at.Add(time.Minute)}}
		if d := cmp.Diff(want, ks); d != "" {
			t.Errorf("tokens read back (-want +got):\n%s", d)
		}
		if ks, err := tx.Tokens(ctx, v.ID); err != nil || ks == nil || len(ks) != 0 {
			t.Errorf("the tokens of an account with none: %v %v", ks, err)
		}
		return nil
	})
	update(t, s, func(tx tally.Tx) error { return tx.DeleteToken(ctx, hash) })
	err = s.View(ctx, func(tx tally.Tx) error { _, err := tx.TokenUser(ctx, hash); return err })
	wantCode(t, "a revoked token", err, tally.ENotFound)
	err = s.Update(ctx, func(tx tally.Tx) error { return tx.DeleteToken(ctx, hash) })
	wantCode(t, "a token revoked twice", err, tally.ENotFound)
	view(t, s, func(tx tally.Tx) error {
		if _, err := tx.TokenUser(ctx, other); err != nil {
			t.Errorf("revoking one token revoked another: %v", err)
		}
		return nil
	})

	// A password is replaced, or removed.
	update(t, s, func(tx tally.Tx) error { return tx.SetPassword(ctx, u.ID, "") })
	view(t, s, func(tx tally.Tx) error {
		if _, hash, err := tx.User(ctx, u.Login); err != nil || hash != "" {
			t.Errorf("after removing the password: %q %v", hash, err)
		}
		return nil
	})
	err = s.Update(ctx, func(tx tally.Tx) error { return tx.SetPassword(ctx, 99999, "x") })
	wantCode(t, "the password of no account", err, tally.ENotFound)
}

func testSessions(t *testing.T, s tally.Store) {
	ctx := context.Background()
	at := time.Date(2025, 6, 7, 8, 0, 0, 0, time.UTC)
	org := tally.Organization{Kind: tally.OrgParty, Code: "RU", Name: "RU"}
	u := tally.User{Name: "Иван Примеров", Login: "ivan", Roles: []tally.Role{tally.RoleViewer}, CreatedAt: at}
	update(t, s, func(tx tally.Tx) error {
		if err := tx.AddOrganization(ctx, &org); err != nil {
			return err
		}
		u.Org = org
		return tx.AddUser(ctx, &u, "")
	})
	mk := func(b byte, created time.Time, life time.Duration) tally.Session {
		return tally.Session{Hash: bytes.Repeat([]byte{b}, 32), UserID: u.ID, CreatedAt: created, ExpiresAt: created.Add(life), LastSeen: created}
	}
	a, b, c := mk(1, at, time.Hour), mk(2, at, 10*time.Minute), mk(3, at.Add(-time.Hour), 12*time.Hour)
	update(t, s, func(tx tally.Tx) error {
		for _, x := range []tally.Session{a, b, c} {
			if err := tx.AddSession(ctx, x); err != nil {
				return err
			}
		}
		return tx.TouchSession(ctx, a.Hash, at.Add(20*time.Minute))
	})
	a.LastSeen = at.Add(20 * time.Minute)
	view(t, s, func(tx tally.Tx) error {
		got, err := tx.Session(ctx, a.Hash)
		if err != nil {
			return err
		}
		if d := cmp.Diff(a, got); d != "" {
			t.Errorf("session read back (-want +got):\n%s", d)
		}
		return nil
	})
	// At +20 min: b has expired; c was last seen 80 min ago (idle past 30).
	now := at.Add(20 * time.Minute)
	var n int64
	update(t, s, func(tx tally.Tx) error {
		var err error
		n, err = tx.DeleteExpiredSessions(ctx, now.Add(-30*time.Minute), now)
		return err
	})
	if n != 2 {
		t.Errorf("deleted %d ended sessions, want 2", n)
	}
	for _, x := range []tally.Session{b, c} {
		err := s.View(ctx, func(tx tally.Tx) error { _, err := tx.Session(ctx, x.Hash); return err })
		wantCode(t, "an ended session", err, tally.ENotFound)
	}
	update(t, s, func(tx tally.Tx) error { return tx.DeleteSession(ctx, a.Hash) })
	update(t, s, func(tx tally.Tx) error { return tx.DeleteSession(ctx, a.Hash) }) // again: no error
	err := s.View(ctx, func(tx tally.Tx) error { _, err := tx.Session(ctx, a.Hash); return err })
	wantCode(t, "a deleted session", err, tally.ENotFound)
	err = s.View(ctx, func(tx tally.Tx) error { return tx.AddSession(ctx, mk(4, at, time.Hour)) })
	if err == nil {
		t.Error("adding a session in View succeeded")
	}
	// Every session of one account ends at once.
	update(t, s, func(tx tally.Tx) error {
		for _, x := range []tally.Session{mk(5, at, time.Hour), mk(6, at, time.Hour)} {
			if err := tx.AddSession(ctx, x); err != nil {
				return err
			}
		}
		n, err := tx.DeleteUserSessions(ctx, u.ID)
		if n != 2 {
			t.Errorf("ended %d sessions of the account, want 2", n)
		}
		return err
	})
	err = s.View(ctx, func(tx tally.Tx) error { _, err := tx.Session(ctx, mk(5, at, time.Hour).Hash); return err })
	wantCode(t, "a session of an account whose sessions ended", err, tally.ENotFound)
}

func testAudit(t *testing.T, s tally.Store) {
	ctx := context.Background()
	at := time.Date(2025, 6, 7, 8, 0, 0, 0, time.UTC)
	org := tally.Organization{Kind: tally.OrgMediator, Code: "TR", Name: "TR"}
	u := tally.User{Name: "Ayşe", Login: "ayse", Roles: []tally.Role{tally.RoleViewer}, CreatedAt: at}
	update(t, s, func(tx tally.Tx) error {
		if err := tx.AddOrganization(ctx, &org); err != nil {
			return err
		}
		u.Org = org
		return tx.AddUser(ctx, &u, "")
	})
	var want []tally.AuditRecord
	update(t, s, func(tx tally.Tx) error {
		// One at a time, then in one call (as reads made together are
		// written), of a length no fixed batch divides.
		for i := range 1003 {
			r := tally.AuditRecord{At: at.Add(time.Duration(i) * time.Second), UserID: u.ID, Login: "ayse", Org: "TR", Via: "token",
				Action: tally.ActionReadRows, AgreementID: "a", Resource: "ua-request@1", Detail: fmt.Sprintf("read %d", i)}
			want = append(want, r)
			if i < 500 {
				if err := tx.AddAudit(ctx, r); err != nil {
					return err
				}
			}
		}
		return tx.AddAudit(ctx, want[500:]...)
	})
	var got []tally.AuditRecord
	var last int64
	view(t, s, func(tx tally.Tx) error {
		return tx.AuditRecords(ctx, func(r tally.AuditRecord) error {
			if r.ID <= last {
				t.Errorf("audit record id %d after %d", r.ID, last)
			}
			last = r.ID
			r.ID = 0
			got = append(got, r)
			return nil
		})
	})
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("audit records read back (-want +got):\n%s", d)
	}
	err := s.Update(ctx, func(tx tally.Tx) error {
		return tx.AddAudit(ctx, tally.AuditRecord{At: at, UserID: 99999, Action: tally.ActionReadRows})
	})
	wantCode(t, "an audit record of no account", err, tally.ENotFound)
	err = s.Update(ctx, func(tx tally.Tx) error {
		return tx.AddAudit(ctx, want[0], tally.AuditRecord{At: at, UserID: 99999, Action: tally.ActionReadRows}, want[1])
	})
	wantCode(t, "audit records one of which is of no account", err, tally.ENotFound)
	// A batch large enough for an engine's bulk path, the same.
	err = s.Update(ctx, func(tx tally.Tx) error {
		return tx.AddAudit(ctx, want[0], want[1], want[2], tally.AuditRecord{At: at, UserID: 99999, Action: tally.ActionReadRows}, want[3], want[4])
	})
	wantCode(t, "a batch of audit records one of which is of no account", err, tally.ENotFound)
}

func testRowsAfter(t *testing.T, s tally.Store) {
	ctx := context.Background()
	v := addVersion(t, s)
	update(t, s, func(tx tally.Tx) error { return tx.AddRows(ctx, v.ID, Rows(1, 5)) })
	all := readRows(t, s, v.ID)
	if len(all) < 3 {
		t.Fatalf("the version has %d rows; the case needs 3", len(all))
	}
	view(t, s, func(tx tally.Tx) error {
		page, err := tx.RowsAfter(ctx, v.ID, 0, 2)
		if err != nil {
			return err
		}
		if d := cmp.Diff(all[:2], page); d != "" {
			t.Errorf("first page (-want +got):\n%s", d)
		}
		page, err = tx.RowsAfter(ctx, v.ID, page[1].Row.Line, 1000)
		if err != nil {
			return err
		}
		if d := cmp.Diff(all[2:], page); d != "" {
			t.Errorf("second page (-want +got):\n%s", d)
		}
		page, err = tx.RowsAfter(ctx, v.ID, all[len(all)-1].Row.Line, 10)
		if err != nil {
			return err
		}
		if page == nil || len(page) != 0 {
			t.Errorf("past the last row: %v, want an empty page", page)
		}
		return nil
	})
	err := s.View(ctx, func(tx tally.Tx) error { _, err := tx.RowsAfter(ctx, 99999, 0, 10); return err })
	wantCode(t, "rows of a version that does not exist", err, tally.ENotFound)
}
