package tally_test

import (
	"context"
	"testing"
	"time"

	"tally"
)

// The administration an actor may do, and what it may not: each refusal
// by its code, each change by its effect.
func TestAdministration(t *testing.T) {
	ctx := context.Background()
	svc := newServiceClock(t, func() time.Time { return time.Date(2025, 6, 5, 10, 0, 0, 0, time.UTC) })
	mk := func(org string, kind tally.OrgKind, login string, roles ...tally.Role) tally.Actor {
		u, err := svc.AddUser(ctx, tally.NewUser{OrgCode: org, OrgKind: kind, Name: login, Login: login, Roles: roles, Password: "correct horse battery"})
		if err != nil {
			t.Fatal(err)
		}
		return tally.Actor{User: u, Via: tally.ViaToken}
	}
	uaAdmin := mk("UA", tally.OrgParty, "ua-admin", tally.RoleAdmin)
	uaClerk := mk("UA", tally.OrgParty, "ua-clerk", tally.RoleClerk)
	ruAdmin := mk("RU", tally.OrgParty, "ru-admin", tally.RoleAdmin)
	trAdmin := mk("TR", tally.OrgMediator, "tr-admin", tally.RoleAdmin)

	// A person is made in the admin's own organisation, of its kind.
	u, err := svc.AddUserFor(ctx, uaAdmin, "ua", tally.NewUser{OrgKind: tally.OrgObserver, OrgName: "ignored", Name: "Новий", Login: "novyi",
		Roles: []tally.Role{tally.RoleViewer}})
	if err != nil || u.Org.Code != "UA" || u.Org.Kind != tally.OrgParty {
		t.Fatalf("AddUserFor: %+v %v", u, err)
	}
	_, k, err := svc.NewTokenFor(ctx, uaAdmin, "UA", "novyi")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		err  error
		want tally.ErrorCode
	}{
		{"another organisation's account", func() error {
			_, err := svc.AddUserFor(ctx, uaAdmin, "RU", tally.NewUser{Name: "X", Login: "x1", Roles: []tally.Role{tally.RoleViewer}})
			return err
		}(), tally.EForbidden},
		{"a clerk making an account", func() error {
			_, err := svc.AddUserFor(ctx, uaClerk, "UA", tally.NewUser{Name: "X", Login: "x2", Roles: []tally.Role{tally.RoleViewer}})
			return err
		}(), tally.EForbidden},
		{"a token for another organisation's person", func() error { _, _, err := svc.NewTokenFor(ctx, ruAdmin, "RU", "novyi"); return err }(), tally.ENotFound},
		{"revoking an unknown token", svc.RevokeTokenFor(ctx, uaAdmin, "UA", "novyi", "000000000000"), tally.ENotFound},
		{"revoking another organisation's token", svc.RevokeTokenFor(ctx, ruAdmin, "UA", "novyi", k.ID()), tally.EForbidden},
		{"disabling oneself", svc.DisableUserFor(ctx, uaAdmin, "UA", "ua-admin"), tally.EConflict},
		{"a password too short", svc.SetPasswordFor(ctx, uaAdmin, "UA", "novyi", "short"), tally.EInvalid},
		{"a wrong current password", svc.ChangePassword(ctx, uaClerk, "wrong password", "a new password!"), tally.EInvalid},
		{"changing a password unknown", svc.ChangePassword(ctx, tally.Actor{}, "x", "a new password!"), tally.EUnauthorized},
		{"a party's admin adding an agreement", func() error {
			_, err := svc.AddAgreementFor(ctx, uaAdmin, testAgreement("TR"), []byte("x"))
			return err
		}(), tally.EForbidden},
		{"the mediator adding an agreement of another mediator", func() error {
			_, err := svc.AddAgreementFor(ctx, trAdmin, testAgreement("XX"), []byte("x"))
			return err
		}(), tally.EForbidden},
	} {
		if got := tally.ErrorCodeOf(c.err); got != c.want {
			t.Errorf("%s: %v, want %s", c.name, c.err, c.want)
		}
	}
	if added, err := svc.AddAgreementFor(ctx, trAdmin, testAgreement("TR"), []byte("the file")); err != nil || !added {
		t.Errorf("the mediator's admin adding an agreement: %v %v", added, err)
	}
	if added, err := svc.AddAgreementFor(ctx, trAdmin, testAgreement("TR"), []byte("the file")); err != nil || added {
		t.Errorf("the same file again: %v %v", added, err)
	}

	// Disabled: nothing authenticates the account any more.
	if err := svc.DisableUserFor(ctx, uaAdmin, "UA", "novyi"); err != nil {
		t.Fatal(err)
	}
	as, err := svc.AccountsFor(ctx, uaAdmin, "UA")
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range as {
		if a.Login == "novyi" && !a.Disabled() {
			t.Errorf("after disabling: %+v", a)
		}
		if a.Login == "ua-admin" && (a.Disabled() || !a.Password) {
			t.Errorf("the admin: %+v", a)
		}
	}
}

func testAgreement(mediator string) tally.Agreement {
	return tally.Agreement{ID: "a-" + mediator, Title: "T", Date: tally.Date{Year: 2025, Month: 6, Day: 2, Precision: tally.FullDate},
		Parties:    []tally.Party{{Code: "UA", Name: "A"}, {Code: "RU", Name: "B"}},
		Mediator:   &tally.Party{Code: mediator, Name: "M"},
		Categories: []tally.Category{{ID: "all", Subject: tally.SubjectPrisoner, Terms: tally.AllForAll}}}
}
