package tally_test

import (
	"strings"
	"testing"

	"tally"
)

func TestAuthorize(t *testing.T) {
	ag := &tally.Agreement{ID: "a", Parties: []tally.Party{{Code: "UA"}, {Code: "RU"}}, Mediator: &tally.Party{Code: "TR"}}
	other := &tally.Agreement{ID: "b", Parties: []tally.Party{{Code: "UA"}, {Code: "XX"}}}
	actor := func(kind tally.OrgKind, code string, roles ...tally.Role) tally.Actor {
		return tally.Actor{User: tally.User{ID: 1, Login: "x", Org: tally.Organization{ID: 1, Kind: kind, Code: code}, Roles: roles},
			Via: tally.ViaSession, SecondFactor: true}
	}
	uaViewer := actor(tally.OrgParty, "UA", tally.RoleViewer)
	uaClerk := actor(tally.OrgParty, "UA", tally.RoleClerk)
	uaSigner := actor(tally.OrgParty, "UA", tally.RoleSigner)
	uaAdmin := actor(tally.OrgParty, "UA", tally.RoleAdmin)
	ruViewer := actor(tally.OrgParty, "RU", tally.RoleViewer)
	trViewer := actor(tally.OrgMediator, "TR", tally.RoleViewer)
	trSigner := actor(tally.OrgMediator, "TR", tally.RoleSigner)
	observer := actor(tally.OrgObserver, "OBS", tally.RoleViewer, tally.RoleAdmin)
	witness := actor(tally.OrgWitness, "W1", tally.RoleViewer)

	uaDraft := tally.Resource{Agreement: ag, Party: "UA"}
	uaPut := tally.Resource{Agreement: ag, Party: "UA", SubmittedTo: "RU"}
	cases := []struct {
		name   string
		actor  tally.Actor
		action tally.Action
		r      tally.Resource
		want   tally.ErrorCode // "" allowed
	}{
		{"anonymous reads nothing", tally.Actor{}, tally.ActionReadReport, tally.Resource{Agreement: ag}, tally.EUnauthorized},
		{"observer reads the report", observer, tally.ActionReadReport, tally.Resource{Agreement: ag}, ""},
		{"observer reads no terms", observer, tally.ActionReadAgreement, tally.Resource{Agreement: ag}, tally.EForbidden},
		{"observer reads no list", observer, tally.ActionReadList, uaPut, tally.EForbidden},
		{"observer reads no log", observer, tally.ActionReadLog, tally.Resource{}, tally.EForbidden},
		{"observer reads no process", observer, tally.ActionReadProcess, tally.Resource{Agreement: ag}, tally.EForbidden},
		{"witness reads the log", witness, tally.ActionReadLog, tally.Resource{}, ""},
		{"witness reads no list", witness, tally.ActionReadRows, uaPut, tally.EForbidden},
		{"viewer reads own draft", uaViewer, tally.ActionReadRows, uaDraft, ""},
		{"other party does not read a draft", ruViewer, tally.ActionReadRows, uaDraft, tally.EForbidden},
		{"other party does not read a draft's summary", ruViewer, tally.ActionReadList, uaDraft, tally.EForbidden},
		{"other party reads what was put to it", ruViewer, tally.ActionReadRows, uaPut, ""},
		{"put to someone else", ruViewer, tally.ActionReadRows, tally.Resource{Agreement: ag, Party: "UA", SubmittedTo: "XX"}, tally.EForbidden},
		{"mediator does not read a draft", trViewer, tally.ActionReadRows, uaDraft, tally.EForbidden},
		{"mediator reads what was put to review", trViewer, tally.ActionReadRows, uaPut, ""},
		{"mediator of another agreement", trViewer, tally.ActionReadRows, tally.Resource{Agreement: other, Party: "UA", SubmittedTo: "XX"}, tally.EForbidden},
		{"party outside the agreement", ruViewer, tally.ActionReadAgreement, tally.Resource{Agreement: other}, tally.EForbidden},
		{"party reads its agreement", ruViewer, tally.ActionReadAgreement, tally.Resource{Agreement: ag}, ""},
		{"no agreement, no terms", ruViewer, tally.ActionReadAgreement, tally.Resource{}, tally.EForbidden},
		{"clerk imports for own party", uaClerk, tally.ActionImportList, tally.Resource{Agreement: ag, Party: "UA"}, ""},
		{"clerk imports not for the other", uaClerk, tally.ActionImportList, tally.Resource{Agreement: ag, Party: "RU"}, tally.EForbidden},
		{"clerk imports not outside the agreement", actor(tally.OrgParty, "RU", tally.RoleClerk), tally.ActionImportList, tally.Resource{Agreement: other, Party: "RU"}, tally.EForbidden},
		{"viewer imports nothing", uaViewer, tally.ActionImportList, tally.Resource{Agreement: ag, Party: "UA"}, tally.EForbidden},
		{"signer imports nothing", uaSigner, tally.ActionImportList, tally.Resource{Agreement: ag, Party: "UA"}, tally.EForbidden},
		{"admin imports nothing", uaAdmin, tally.ActionImportList, tally.Resource{Agreement: ag, Party: "UA"}, tally.EForbidden},
		{"signer steps for own party", uaSigner, tally.ActionTakeStep, tally.Resource{Agreement: ag, Party: "UA"}, ""},
		{"signer steps not for the other", uaSigner, tally.ActionTakeStep, tally.Resource{Agreement: ag, Party: "RU"}, tally.EForbidden},
		{"clerk takes no step", uaClerk, tally.ActionTakeStep, tally.Resource{Agreement: ag, Party: "UA"}, tally.EForbidden},
		{"mediator signer steps for the mediator", trSigner, tally.ActionTakeStep, tally.Resource{Agreement: ag, Party: "TR"}, ""},
		{"mediator never steps for a party", trSigner, tally.ActionTakeStep, tally.Resource{Agreement: ag, Party: "UA"}, tally.EForbidden},
		{"admin manages own org", uaAdmin, tally.ActionManageUsers, tally.Resource{Org: "UA"}, ""},
		{"admin manages no other org", uaAdmin, tally.ActionManageUsers, tally.Resource{Org: "RU"}, tally.EForbidden},
		{"viewer manages nobody", uaViewer, tally.ActionManageUsers, tally.Resource{Org: "UA"}, tally.EForbidden},
		{"mediator admin adds an agreement it mediates", actor(tally.OrgMediator, "TR", tally.RoleAdmin), tally.ActionAddAgreement, tally.Resource{Agreement: ag}, ""},
		{"mediator admin adds none it does not mediate", actor(tally.OrgMediator, "XX", tally.RoleAdmin), tally.ActionAddAgreement, tally.Resource{Agreement: ag}, tally.EForbidden},
		{"mediator admin adds none without a mediator", actor(tally.OrgMediator, "TR", tally.RoleAdmin), tally.ActionAddAgreement, tally.Resource{Agreement: other}, tally.EForbidden},
		{"mediator signer adds no agreement", trSigner, tally.ActionAddAgreement, tally.Resource{Agreement: ag}, tally.EForbidden},
		{"party admin adds no agreement", uaAdmin, tally.ActionAddAgreement, tally.Resource{Agreement: ag}, tally.EForbidden},
		{"an unknown action", uaAdmin, tally.Action("fly"), tally.Resource{}, tally.EInternal},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := tally.Authorize(c.actor, c.action, c.r)
			if got := tally.ErrorCodeOf(err); got != c.want {
				t.Errorf("Authorize(%s %s, %s) = %v, want code %q", c.actor.Org().Code, c.actor.User.Roles, c.action, err, c.want)
			}
		})
	}
}

// Every action has a rule, and every rule an action: a new action without
// a rule would deny everyone, silently.
func TestEveryActionHasARule(t *testing.T) {
	has := map[tally.Action]bool{}
	for _, r := range tally.Rules() {
		has[r.Action] = true
		if r.Says == "" {
			t.Errorf("a rule for %s says nothing", r.Action)
		}
	}
	for _, a := range tally.Actions() {
		if !has[a] {
			t.Errorf("no rule for action %s", a)
		}
		delete(has, a)
	}
	for a := range has {
		t.Errorf("rule for %s, which Actions does not list", a)
	}
}

// TestAuthorizeSecondFactor: what needs signer or admin needs, from a
// password session, the security key too; reading does not, nor do
// viewers and clerks, nor API tokens; what Authorize does not know of how
// the actor signed in is refused.
func TestAuthorizeSecondFactor(t *testing.T) {
	ag := &tally.Agreement{ID: "a", Parties: []tally.Party{{Code: "UA"}, {Code: "RU"}}, Mediator: &tally.Party{Code: "TR"}}
	actor := func(via string, confirmed bool, roles ...tally.Role) tally.Actor {
		return tally.Actor{User: tally.User{ID: 1, Login: "x", Org: tally.Organization{ID: 1, Kind: tally.OrgParty, Code: "UA"}, Roles: roles},
			Via: via, SecondFactor: confirmed}
	}
	signer := actor(tally.ViaSession, false, tally.RoleSigner)
	admin := actor(tally.ViaSession, false, tally.RoleAdmin)
	clerkSigner := actor(tally.ViaSession, false, tally.RoleClerk, tally.RoleSigner)
	step := tally.Resource{Agreement: ag, Party: "UA"}
	cases := []struct {
		name   string
		actor  tally.Actor
		action tally.Action
		r      tally.Resource
		want   tally.ErrorCode
	}{
		{"password signer takes no step", signer, tally.ActionTakeStep, step, tally.ESecondFactor},
		{"password signer reads", signer, tally.ActionReadProcess, tally.Resource{Agreement: ag}, ""},
		{"password signer reads own rows", signer, tally.ActionReadRows, step, ""},
		{"confirmed signer takes a step", actor(tally.ViaSession, true, tally.RoleSigner), tally.ActionTakeStep, step, ""},
		{"token signer takes a step", actor(tally.ViaToken, false, tally.RoleSigner), tally.ActionTakeStep, step, ""},
		{"unknown way in takes no step", actor("", true, tally.RoleSigner), tally.ActionTakeStep, step, tally.ESecondFactor},
		{"cli is no way in", actor("cli", true, tally.RoleSigner), tally.ActionTakeStep, step, tally.ESecondFactor},
		{"password signer: the other party's step is forbidden", signer, tally.ActionTakeStep, tally.Resource{Agreement: ag, Party: "RU"}, tally.EForbidden},
		{"password admin manages no users", admin, tally.ActionManageUsers, tally.Resource{Org: "UA"}, tally.ESecondFactor},
		{"password admin: another org is forbidden", admin, tally.ActionManageUsers, tally.Resource{Org: "RU"}, tally.EForbidden},
		{"token admin manages users", actor(tally.ViaToken, false, tally.RoleAdmin), tally.ActionManageUsers, tally.Resource{Org: "UA"}, ""},
		{"password clerk imports", actor(tally.ViaSession, false, tally.RoleClerk), tally.ActionImportList, step, ""},
		{"password clerk who signs too imports", clerkSigner, tally.ActionImportList, step, ""},
		{"password clerk who signs too takes no step", clerkSigner, tally.ActionTakeStep, step, tally.ESecondFactor},
		{"password viewer reads", actor(tally.ViaSession, false, tally.RoleViewer), tally.ActionReadList, step, ""},
		{"password viewer takes no step: forbidden, not a key", actor(tally.ViaSession, false, tally.RoleViewer), tally.ActionTakeStep, step, tally.EForbidden},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := tally.Authorize(c.actor, c.action, c.r)
			if got := tally.ErrorCodeOf(err); got != c.want {
				t.Errorf("Authorize = %v, want code %q", err, c.want)
			}
			if c.want == tally.ESecondFactor && !strings.Contains(err.Error(), "security key") {
				t.Errorf("the refusal does not say what to do: %v", err)
			}
		})
	}
}
