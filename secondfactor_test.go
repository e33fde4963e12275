package tally_test

import (
	"context"
	"testing"
	"time"

	"tally"
)

// TestSecondFactorService: the first key is trusted after the password
// and confirms the session; another key, or removing one, needs a
// confirmed session; a ceremony's state is taken once; a reset removes a
// person's keys and ends their sessions.
func TestSecondFactorService(t *testing.T) {
	ctx := context.Background()
	clock := time.Date(2025, 6, 5, 10, 0, 0, 0, time.UTC)
	svc := newServiceClock(t, func() time.Time { return clock })
	const pw = "correct horse battery"
	for _, login := range []string{"signer", "other"} {
		if _, err := svc.AddUser(ctx, tally.NewUser{OrgCode: "UA", OrgKind: tally.OrgParty, Name: "Synthetic " + login, Login: login,
			Roles: []tally.Role{tally.RoleSigner}, Password: pw}); err != nil {
			t.Fatal(err)
		}
	}
	policy := tally.DefaultSessionPolicy
	id, _, actor, err := svc.SignIn(ctx, "signer", pw, policy)
	if err != nil {
		t.Fatal(err)
	}
	if actor.SecondFactor || actor.Via != tally.ViaSession {
		t.Fatalf("a new session: %+v", actor)
	}
	if _, err := svc.TakeCeremony(ctx, actor, id); tally.ErrorCodeOf(err) != tally.EInvalid {
		t.Errorf("taking a ceremony never begun: %v", err)
	}
	if err := svc.BeginCeremony(ctx, actor, id, true, []byte("challenge-1")); err != nil {
		t.Fatal(err)
	}
	state, err := svc.TakeCeremony(ctx, actor, id)
	if err != nil || string(state) != "challenge-1" {
		t.Fatalf("TakeCeremony = %q, %v", state, err)
	}
	if _, err := svc.TakeCeremony(ctx, actor, id); err == nil {
		t.Error("a ceremony was taken twice")
	}
	// Another person's session is no way in.
	otherID, _, other, err := svc.SignIn(ctx, "other", pw, policy)
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.BeginCeremony(ctx, actor, otherID, true, []byte("x")); tally.ErrorCodeOf(err) != tally.EUnauthorized {
		t.Errorf("a ceremony in another's session: %v", err)
	}
	// A token has no session to keep a ceremony in.
	if err := svc.BeginCeremony(ctx, tally.Actor{User: actor.User, Via: tally.ViaToken}, "", true, []byte("x")); tally.ErrorCodeOf(err) != tally.EInvalid {
		t.Errorf("a ceremony with a token: %v", err)
	}
	key := tally.SecurityKey{CredentialID: []byte{1, 2, 3}, PublicKey: []byte{4}, Transports: []string{"usb"}, Name: "  blue  "}
	k, err := svc.EnrolSecurityKey(ctx, actor, id, key)
	if err != nil || k.Name != "blue" || k.UserID != actor.User.ID || !k.CreatedAt.Equal(clock) {
		t.Fatalf("the first key: %+v %v", k, err)
	}
	actor, err = svc.SessionActor(ctx, id, policy)
	if err != nil || !actor.SecondFactor {
		t.Fatalf("after enrolling, the session is not confirmed: %+v %v", actor, err)
	}
	// A second session, password only: it may neither add a key nor
	// remove one.
	id2, _, actor2, err := svc.SignIn(ctx, "signer", pw, policy)
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.BeginCeremony(ctx, actor2, id2, true, []byte("x")); tally.ErrorCodeOf(err) != tally.ESecondFactor {
		t.Errorf("beginning to add a key, password only: %v", err)
	}
	if _, err := svc.EnrolSecurityKey(ctx, actor2, id2, tally.SecurityKey{CredentialID: []byte{9}, PublicKey: []byte{9}}); tally.ErrorCodeOf(err) != tally.ESecondFactor {
		t.Errorf("adding a key, password only: %v", err)
	}
	if err := svc.RemoveSecurityKey(ctx, actor2, k.CredentialID); tally.ErrorCodeOf(err) != tally.ESecondFactor {
		t.Errorf("removing a key, password only: %v", err)
	}
	// Logging in (verifying) is begun password only, and confirms.
	if err := svc.BeginCeremony(ctx, actor2, id2, false, []byte("x")); err != nil {
		t.Errorf("beginning to confirm: %v", err)
	}
	if err := svc.ConfirmSession(ctx, actor2, id2, []byte{7, 7}, 5, 0); tally.ErrorCodeOf(err) != tally.ENotFound {
		t.Errorf("confirming with a key not one's own: %v", err)
	}
	clock = clock.Add(time.Minute)
	if err := svc.ConfirmSession(ctx, actor2, id2, k.CredentialID, 5, 1); err != nil {
		t.Fatal(err)
	}
	ks, err := svc.SecurityKeysOf(ctx, actor2)
	if err != nil || len(ks) != 1 || ks[0].SignCount != 5 || !ks[0].LastUsed.Equal(clock) {
		t.Errorf("keys after a use: %+v %v", ks, err)
	}
	if actor2, err = svc.SessionActor(ctx, id2, policy); err != nil || !actor2.SecondFactor {
		t.Fatalf("the confirmed session: %+v %v", actor2, err)
	}
	if _, err := svc.EnrolSecurityKey(ctx, actor2, id2, tally.SecurityKey{CredentialID: []byte{8}, PublicKey: []byte{8}, Name: "blue"}); tally.ErrorCodeOf(err) != tally.EConflict {
		t.Errorf("a second key of the same name: %v", err)
	}
	k2, err := svc.EnrolSecurityKey(ctx, actor2, id2, tally.SecurityKey{CredentialID: []byte{8}, PublicKey: []byte{8}})
	if err != nil || k2.Name != "key 2" {
		t.Errorf("a second key, confirmed: %+v %v", k2, err)
	}
	if err := svc.RemoveSecurityKey(ctx, actor2, k2.CredentialID); err != nil {
		t.Errorf("removing a key, confirmed: %v", err)
	}
	if err := svc.RemoveSecurityKey(ctx, other, k.CredentialID); tally.ErrorCodeOf(err) != tally.ESecondFactor {
		t.Errorf("another person removing the key: %v", err)
	}
	// A lost key: the admin's reset removes the keys and ends the sessions.
	if _, err := svc.ResetSecondFactor(ctx, "RU", "signer"); tally.ErrorCodeOf(err) != tally.ENotFound {
		t.Errorf("resetting an account in another organisation: %v", err)
	}
	n, err := svc.ResetSecondFactor(ctx, "ua", "SIGNER")
	if err != nil || n != 1 {
		t.Fatalf("reset: %d %v", n, err)
	}
	if _, err := svc.SessionActor(ctx, id2, policy); tally.ErrorCodeOf(err) != tally.EUnauthorized {
		t.Errorf("a session after the reset: %v", err)
	}
	if _, err := svc.SessionActor(ctx, otherID, policy); err != nil {
		t.Errorf("another person's session after the reset: %v", err)
	}
	if _, err := svc.ResetSecondFactor(ctx, "UA", "nobody"); tally.ErrorCodeOf(err) != tally.ENotFound {
		t.Errorf("resetting no account: %v", err)
	}
}
