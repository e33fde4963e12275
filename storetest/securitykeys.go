package storetest

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"tally"
)

// The second factor's part of the suite: security keys, and the state a
// session keeps of its confirmation and of a ceremony under way.

func testSecurityKeys(t *testing.T, s tally.Store) {
	ctx := context.Background()
	at := time.Date(2025, 6, 7, 8, 0, 0, 123456000, time.UTC)
	org := tally.Organization{Kind: tally.OrgParty, Code: "UA", Name: "UA"}
	u := tally.User{Name: "Олена Тестенко", Login: "olena", Roles: []tally.Role{tally.RoleSigner}, CreatedAt: at}
	v := tally.User{Name: "Ivan Synthetic", Login: "ivan", Roles: []tally.Role{tally.RoleAdmin}, CreatedAt: at}
	update(t, s, func(tx tally.Tx) error {
		if err := tx.AddOrganization(ctx, &org); err != nil {
			return err
		}
		u.Org, v.Org = org, org
		if err := tx.AddUser(ctx, &u, ""); err != nil {
			return err
		}
		return tx.AddUser(ctx, &v, "")
	})
	k1 := tally.SecurityKey{UserID: u.ID, CredentialID: []byte{1, 2, 3, 0xff}, PublicKey: bytes.Repeat([]byte{0xa5}, 77),
		SignCount: 4294967295, AAGUID: bytes.Repeat([]byte{9}, 16), Transports: []string{"usb", "nfc"}, Flags: 0x1d,
		Name: "синій ключ", CreatedAt: at}
	k2 := tally.SecurityKey{UserID: u.ID, CredentialID: []byte{7}, PublicKey: []byte{1}, Name: "laptop", CreatedAt: at.Add(time.Second)}
	k3 := tally.SecurityKey{UserID: v.ID, CredentialID: []byte{8}, PublicKey: []byte{1}, Transports: []string{"internal"}, Name: "phone", CreatedAt: at}
	update(t, s, func(tx tally.Tx) error {
		for _, k := range []*tally.SecurityKey{&k1, &k2, &k3} {
			if err := tx.AddSecurityKey(ctx, k); err != nil {
				return err
			}
		}
		return nil
	})
	if k1.ID == 0 || k2.ID == 0 || k1.ID == k2.ID {
		t.Fatalf("key ids not set apart: %d %d", k1.ID, k2.ID)
	}
	view(t, s, func(tx tally.Tx) error {
		ks, err := tx.SecurityKeys(ctx, u.ID)
		if err != nil {
			return err
		}
		if d := cmp.Diff([]tally.SecurityKey{k1, k2}, ks); d != "" {
			t.Errorf("keys read back (-want +got):\n%s", d)
		}
		ks, err = tx.SecurityKeys(ctx, 99999)
		if err != nil || ks == nil || len(ks) != 0 {
			t.Errorf("keys of no account: %v %v, want an empty list", ks, err)
		}
		return nil
	})
	err := s.Update(ctx, func(tx tally.Tx) error {
		k := k3
		k.UserID = u.ID
		return tx.AddSecurityKey(ctx, &k)
	})
	wantCode(t, "a credential enrolled twice", err, tally.EConflict)
	err = s.Update(ctx, func(tx tally.Tx) error {
		k := tally.SecurityKey{UserID: 99999, CredentialID: []byte{42}, PublicKey: []byte{1}, Name: "x", CreatedAt: at}
		return tx.AddSecurityKey(ctx, &k)
	})
	wantCode(t, "a key of no account", err, tally.ENotFound)

	// A use: counter, flags, when.
	used := at.Add(time.Hour)
	update(t, s, func(tx tally.Tx) error { return tx.UseSecurityKey(ctx, k2.ID, 17, 0x05, used) })
	k2.SignCount, k2.Flags, k2.LastUsed = 17, 0x05, used
	view(t, s, func(tx tally.Tx) error {
		ks, err := tx.SecurityKeys(ctx, u.ID)
		if err != nil {
			return err
		}
		if d := cmp.Diff([]tally.SecurityKey{k1, k2}, ks); d != "" {
			t.Errorf("keys after a use (-want +got):\n%s", d)
		}
		return nil
	})
	err = s.Update(ctx, func(tx tally.Tx) error { return tx.UseSecurityKey(ctx, 99999, 1, 0, used) })
	wantCode(t, "the use of no key", err, tally.ENotFound)

	// A key is removed by its owner only.
	err = s.Update(ctx, func(tx tally.Tx) error { return tx.DeleteSecurityKey(ctx, v.ID, k1.ID) })
	wantCode(t, "removing another's key", err, tally.ENotFound)
	update(t, s, func(tx tally.Tx) error { return tx.DeleteSecurityKey(ctx, u.ID, k1.ID) })
	err = s.Update(ctx, func(tx tally.Tx) error { return tx.DeleteSecurityKey(ctx, u.ID, k1.ID) })
	wantCode(t, "removing a key twice", err, tally.ENotFound)

	// Sessions: a ceremony kept and cleared, a confirmation.
	sess := tally.Session{Hash: bytes.Repeat([]byte{5}, 32), UserID: u.ID, CreatedAt: at, ExpiresAt: at.Add(time.Hour), LastSeen: at}
	other := tally.Session{Hash: bytes.Repeat([]byte{6}, 32), UserID: u.ID, CreatedAt: at, ExpiresAt: at.Add(time.Hour), LastSeen: at}
	vs := tally.Session{Hash: bytes.Repeat([]byte{7}, 32), UserID: v.ID, CreatedAt: at, ExpiresAt: at.Add(time.Hour), LastSeen: at}
	update(t, s, func(tx tally.Tx) error {
		for _, x := range []tally.Session{sess, other, vs} {
			if err := tx.AddSession(ctx, x); err != nil {
				return err
			}
		}
		return tx.SetSessionCeremony(ctx, sess.Hash, []byte(`{"challenge":"x"}`))
	})
	readSession := func(hash []byte) tally.Session {
		t.Helper()
		var got tally.Session
		view(t, s, func(tx tally.Tx) error {
			var err error
			got, err = tx.Session(ctx, hash)
			return err
		})
		return got
	}
	sess.Ceremony = []byte(`{"challenge":"x"}`)
	if d := cmp.Diff(sess, readSession(sess.Hash)); d != "" {
		t.Errorf("a session with a ceremony (-want +got):\n%s", d)
	}
	confirmed := at.Add(2 * time.Minute)
	update(t, s, func(tx tally.Tx) error {
		if err := tx.SetSessionCeremony(ctx, sess.Hash, nil); err != nil {
			return err
		}
		return tx.ConfirmSession(ctx, sess.Hash, confirmed)
	})
	sess.Ceremony, sess.ConfirmedAt = nil, confirmed
	if d := cmp.Diff(sess, readSession(sess.Hash)); d != "" {
		t.Errorf("a confirmed session (-want +got):\n%s", d)
	}
	if got := readSession(other.Hash); !got.ConfirmedAt.IsZero() || got.Ceremony != nil {
		t.Errorf("another session of the same person changed: %+v", got)
	}
	err = s.Update(ctx, func(tx tally.Tx) error { return tx.SetSessionCeremony(ctx, bytes.Repeat([]byte{9}, 32), []byte("x")) })
	wantCode(t, "a ceremony in no session", err, tally.ENotFound)
	err = s.Update(ctx, func(tx tally.Tx) error { return tx.ConfirmSession(ctx, bytes.Repeat([]byte{9}, 32), at) })
	wantCode(t, "confirming no session", err, tally.ENotFound)

	// A reset: every key and session of one person, no one else's.
	var keys, sessions int64
	update(t, s, func(tx tally.Tx) error {
		var err error
		if keys, err = tx.DeleteSecurityKeys(ctx, u.ID); err != nil {
			return err
		}
		sessions, err = tx.DeleteUserSessions(ctx, u.ID)
		return err
	})
	if keys != 1 || sessions != 2 {
		t.Errorf("a reset removed %d keys and %d sessions, want 1 and 2", keys, sessions)
	}
	view(t, s, func(tx tally.Tx) error {
		if ks, err := tx.SecurityKeys(ctx, u.ID); err != nil || len(ks) != 0 {
			t.Errorf("after a reset: %v %v", ks, err)
		}
		if ks, err := tx.SecurityKeys(ctx, v.ID); err != nil || len(ks) != 1 {
			t.Errorf("another's keys after a reset: %v %v", ks, err)
		}
		if _, err := tx.Session(ctx, vs.Hash); err != nil {
			t.Errorf("another's session after a reset: %v", err)
		}
		return nil
	})
	err = s.View(ctx, func(tx tally.Tx) error { _, err := tx.Session(ctx, sess.Hash); return err })
	wantCode(t, "a session after a reset", err, tally.ENotFound)
	err = s.View(ctx, func(tx tally.Tx) error { return tx.ConfirmSession(ctx, vs.Hash, at) })
	if err == nil {
		t.Error("confirming a session in View succeeded")
	}
}
