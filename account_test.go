package tally_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"tally"
	"tally/sqlite"
)

func TestPasswordHash(t *testing.T) {
	h, err := tally.HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("hash %q is not in PHC argon2id form", h)
	}
	h2, _ := tally.HashPassword("correct horse battery")
	if h == h2 {
		t.Error("two hashes of one password are equal: no salt")
	}
	for pw, want := range map[string]bool{"correct horse battery": true, "correct horse batterY": false, "": false} {
		ok, err := tally.CheckPassword(h, pw)
		if err != nil || ok != want {
			t.Errorf("CheckPassword(%q) = %v, %v; want %v", pw, ok, err, want)
		}
	}
	if _, err := tally.HashPassword("short"); tally.ErrorCodeOf(err) != tally.EInvalid {
		t.Errorf("a short password: %v, want invalid", err)
	}
	for _, bad := range []string{"", "$argon2i$v=19$m=1,t=1,p=1$AAAA$AAAA", "$argon2id$v=19$m=x$AAAA$AAAA", "$argon2id$v=19$m=1,t=1,p=1$!!$AAAA"} {
		if _, err := tally.CheckPassword(bad, "x"); err == nil {
			t.Errorf("CheckPassword(%q) took a malformed hash", bad)
		}
	}
}

// newServiceClock is a service over an empty store with the given clock.
func newServiceClock(t *testing.T, now func() time.Time) *tally.Service {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return tally.NewService(st, now)
}

func TestSignInAndSessions(t *testing.T) {
	ctx := context.Background()
	clock := time.Date(2025, 6, 5, 10, 0, 0, 0, time.UTC)
	svc := newServiceClock(t, func() time.Time { return clock })
	_, err := svc.AddUser(ctx, tally.NewUser{OrgCode: "ua", OrgKind: tally.OrgParty, Name: "Олена Т.", Login: " Олена ",
		Roles: []tally.Role{tally.RoleSigner, tally.RoleClerk, tally.RoleClerk}, Password: "correct horse battery"})
	if err != nil {
		t.Fatal(err)
	}
	policy := tally.SessionPolicy{Lifetime: 2 * time.Hour, IdleTimeout: 30 * time.Minute}
	if _, _, _, err := svc.SignIn(ctx, "олена", "wrong password!", policy); tally.ErrorCodeOf(err) != tally.EUnauthorized {
		t.Errorf("a wrong password: %v", err)
	}
	if _, _, _, err := svc.SignIn(ctx, "nobody", "correct horse battery", policy); tally.ErrorCodeOf(err) != tally.EUnauthorized {
		t.Errorf("an unknown login: %v", err)
	}
	id, _, actor, err := svc.SignIn(ctx, "ОЛЕНА", "correct horse battery", policy)
	if err != nil {
		t.Fatal(err)
	}
	if actor.Org().Code != "UA" || actor.Org().Kind != tally.OrgParty || strings.Join(roles(actor.User.Roles), ",") != "clerk,signer" {
		t.Errorf("actor = %+v", actor)
	}
	for _, step := range []time.Duration{20 * time.Minute, 20 * time.Minute, 20 * time.Minute, 20 * time.Minute, 20 * time.Minute} {
		clock = clock.Add(step)
		if _, err := svc.SessionActor(ctx, id, policy); err != nil {
			t.Fatalf("at %v the session ended: %v", clock, err)
		}
	}
	clock = clock.Add(20 * time.Minute) // 2h from sign-in: the lifetime is over
	if _, err := svc.SessionActor(ctx, id, policy); tally.ErrorCodeOf(err) != tally.EUnauthorized {
		t.Errorf("a session past its lifetime: %v", err)
	}
	id, _, _, err = svc.SignIn(ctx, "олена", "correct horse battery", policy)
	if err != nil {
		t.Fatal(err)
	}
	clock = clock.Add(31 * time.Minute)
	if _, err := svc.SessionActor(ctx, id, policy); tally.ErrorCodeOf(err) != tally.EUnauthorized {
		t.Errorf("an idle session: %v", err)
	}
	id, _, _, _ = svc.SignIn(ctx, "олена", "correct horse battery", policy)
	if err := svc.SignOut(ctx, id); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.SessionActor(ctx, id, policy); tally.ErrorCodeOf(err) != tally.EUnauthorized {
		t.Errorf("a signed-out session: %v", err)
	}
}

func roles(rs []tally.Role) []string {
	var ss []string
	for _, r := range rs {
		ss = append(ss, string(r))
	}
	return ss
}

func TestTokens(t *testing.T) {
	ctx := context.Background()
	svc := newService(t)
	if _, err := svc.AddUser(ctx, tally.NewUser{OrgCode: "TR", OrgKind: tally.OrgMediator, Name: "A", Login: "ayse", Roles: []tally.Role{tally.RoleViewer}}); err != nil {
		t.Fatal(err)
	}
	tok, err := svc.NewToken(ctx, "AYSE")
	if err != nil {
		t.Fatal(err)
	}
	a, err := svc.TokenActor(ctx, tok)
	if err != nil || a.User.Login != "ayse" || a.Via != "token" {
		t.Errorf("TokenActor = %+v, %v", a, err)
	}
	for _, bad := range []string{"", tok + "x", strings.TrimPrefix(tok, "tally_"), "tally_AAAA"} {
		if _, err := svc.TokenActor(ctx, bad); tally.ErrorCodeOf(err) != tally.EUnauthorized {
			t.Errorf("TokenActor(%q) = %v, want unauthorized", bad, err)
		}
	}
	// A user with no password cannot sign in with any.
	if _, _, _, err := svc.SignIn(ctx, "ayse", "", tally.DefaultSessionPolicy); tally.ErrorCodeOf(err) != tally.EUnauthorized {
		t.Errorf("signing in with no password: %v", err)
	}
}

func TestAddUserRefuses(t *testing.T) {
	ctx := context.Background()
	svc := newService(t)
	ok := tally.NewUser{OrgCode: "UA", OrgKind: tally.OrgParty, Name: "O", Login: "olena", Roles: []tally.Role{tally.RoleClerk}}
	if _, err := svc.AddUser(ctx, ok); err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]struct {
		edit func(*tally.NewUser)
		want tally.ErrorCode
	}{
		"login taken":    {func(u *tally.NewUser) {}, tally.EConflict},
		"other kind":     {func(u *tally.NewUser) { u.Login = "x2"; u.OrgKind = tally.OrgMediator }, tally.EConflict},
		"no org":         {func(u *tally.NewUser) { u.Login = "x3"; u.OrgCode = "" }, tally.EInvalid},
		"bad kind":       {func(u *tally.NewUser) { u.Login = "x4"; u.OrgKind = "club" }, tally.EInvalid},
		"bad role":       {func(u *tally.NewUser) { u.Login = "x5"; u.Roles = []tally.Role{"king"} }, tally.EInvalid},
		"no role":        {func(u *tally.NewUser) { u.Login = "x6"; u.Roles = nil }, tally.EInvalid},
		"bad login":      {func(u *tally.NewUser) { u.Login = "a b" }, tally.EInvalid},
		"short password": {func(u *tally.NewUser) { u.Login = "x7"; u.Password = "abc" }, tally.EInvalid},
		"observer clerk": {func(u *tally.NewUser) { u.Login = "x8"; u.OrgCode = "OBS"; u.OrgKind = tally.OrgObserver }, tally.EInvalid},
		"no name":        {func(u *tally.NewUser) { u.Login = "x9"; u.Name = " " }, tally.EInvalid},
	} {
		u := ok
		c.edit(&u)
		if _, err := svc.AddUser(ctx, u); tally.ErrorCodeOf(err) != c.want {
			t.Errorf("%s: %v, want %s", name, err, c.want)
		}
	}
}
