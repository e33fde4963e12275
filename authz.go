package tally

import (
	"fmt"
	"slices"
	"strings"
)

// Authorization lives here, in one function over one table, and nowhere
// else: the HTTP API, the command line against a server and any page of
// the web interface ask Authorize, through the Service's methods that take
// an Actor. What no rule allows is denied.
//
// What each organisation may see:
//
//   - a party sees its own lists, every version, submitted or not (its
//     drafts and internal notes), the versions the other party put to it
//     for review (a list-submitted step names it as the receiver), the
//     process of its agreements (every step concerns both parties), the
//     log and the public report — and never a version of the other
//     party's list that was not put to it;
//   - the mediator sees what the agreement gives it: the agreement, every
//     list version put to review, the process and the log — not the
//     parties' drafts;
//   - a witness sees the log, whose checkpoints it cosigns, and the public
//     report;
//   - an observer sees the public report only.
//
// What each role may do, for its own organisation only: a clerk imports
// the party's lists; a signer takes the party's (or the mediator's) steps
// of the process; an admin manages the organisation's accounts. Every role
// reads what its organisation may read. What needs signer or admin needs,
// from a session started with a password, the person's security key too
// (secondfactor.go): Authorize asks secondFactorMissing for every action,
// and the service asks it only where no action of the rules applies
// (removing a security key).
//
// Agreements are added by the mediator's admins, and only agreements that
// name their organisation as the mediator: the mediator keeps the service
// and the log, and the agreement is the terms both parties signed off
// through it. A party cannot add an agreement over the service (the other
// party would find terms it never saw there), nor can anyone add one
// without a mediator: that stays with the command line on the server's
// store (tally agreement add).

// Action is something an actor asks to do.
type Action string

const (
	ActionReadReport    Action = "read-report"    // the public report: counts only
	ActionReadAgreement Action = "read-agreement" // an agreement's terms
	ActionReadList      Action = "read-list"      // a list version, its conformity report (names, dates: personal data)
	ActionReadRows      Action = "read-rows"      // a list version's rows (personal data)
	ActionReadProcess   Action = "read-process"   // review status and the steps of the process
	ActionReadLog       Action = "read-log"       // checkpoints and the log's export (no personal data)
	ActionImportList    Action = "import-list"    // store a new version of a party's list
	ActionTakeStep      Action = "take-step"      // a step of the process, for a party or the mediator
	ActionManageUsers   Action = "manage-users"   // an organisation's accounts and tokens
	ActionAddAgreement  Action = "add-agreement"  // store a new agreement
)

// Actions returns every action, in the order of the rules.
func Actions() []Action {
	return []Action{ActionReadReport, ActionReadAgreement, ActionReadList, ActionReadRows, ActionReadProcess,
		ActionReadLog, ActionImportList, ActionTakeStep, ActionManageUsers, ActionAddAgreement}
}

// Personal reports whether doing a is reading personal data, which is
// audited (see Service.Audit).
func (a Action) Personal() bool { return a == ActionReadList || a == ActionReadRows }

// Resource is what an action is on, with the facts the rules need. Leave
// empty what does not apply.
type Resource struct {
	// Agreement is the agreement the resource is under; nil for the log
	// and for accounts.
	Agreement *Agreement
	// Party is, for a list, the code of the party whose list it is; for
	// a step, the code of the party or mediator taking it.
	Party string
	// SubmittedTo is, for a list version, the code of the party a
	// list-submitted step put it to for review; empty if none did.
	SubmittedTo string
	// Org is, for accounts, the code of their organisation.
	Org string
}

// rule allows an action to the people of some kinds of organisation,
// holding a role (any role when empty), when a condition on the actor's
// organisation and the resource holds.
type rule struct {
	action Action
	kinds  []OrgKind
	role   Role
	when   func(org Organization, r Resource) bool
	says   string // the rule in words, for documentation and denials
}

// rules is the whole of authorization.
var rules = []rule{
	{ActionReadReport, []OrgKind{OrgParty, OrgMediator, OrgWitness, OrgObserver}, "", always,
		"anyone signed in reads the public report"},
	{ActionReadAgreement, []OrgKind{OrgParty, OrgMediator}, "", inAgreement,
		"the parties and the mediator of an agreement read its terms"},
	{ActionReadList, []OrgKind{OrgParty}, "", ownOrPutToIt,
		"a party reads its own lists, and the versions the other party put to it for review"},
	{ActionReadList, []OrgKind{OrgMediator}, "", putToReview,
		"the mediator reads every list version put to review"},
	{ActionReadRows, []OrgKind{OrgParty}, "", ownOrPutToIt,
		"a party reads the rows of its own lists, and of the versions the other party put to it for review"},
	{ActionReadRows, []OrgKind{OrgMediator}, "", putToReview,
		"the mediator reads the rows of every list version put to review"},
	{ActionReadProcess, []OrgKind{OrgParty, OrgMediator}, "", inAgreement,
		"the parties and the mediator of an agreement follow its process"},
	{ActionReadLog, []OrgKind{OrgParty, OrgMediator, OrgWitness}, "", always,
		"the parties, the mediator and the witnesses read the log"},
	{ActionImportList, []OrgKind{OrgParty}, RoleClerk, ownParty,
		"a party's clerks import its lists"},
	{ActionTakeStep, []OrgKind{OrgParty, OrgMediator}, RoleSigner, ownParty,
		"a party's (or the mediator's) signers take its steps of the process"},
	{ActionManageUsers, []OrgKind{OrgParty, OrgMediator, OrgWitness, OrgObserver}, RoleAdmin, ownOrg,
		"an organisation's admins manage its accounts"},
	{ActionAddAgreement, []OrgKind{OrgMediator}, RoleAdmin, mediatesIt,
		"the mediator's admins add the agreements that name it as the mediator"},
}

func always(Organization, Resource) bool { return true }

// inAgreement: the organisation is a party or the mediator of the
// resource's agreement.
func inAgreement(org Organization, r Resource) bool {
	if r.Agreement == nil {
		return false
	}
	switch org.Kind {
	case OrgParty:
		_, ok := r.Agreement.Party(org.Code)
		return ok
	case OrgMediator:
		return r.Agreement.Mediator != nil && strings.EqualFold(r.Agreement.Mediator.Code, org.Code)
	}
	return false
}

func ownOrPutToIt(org Organization, r Resource) bool {
	return inAgreement(org, r) && (strings.EqualFold(r.Party, org.Code) || strings.EqualFold(r.SubmittedTo, org.Code))
}

func putToReview(org Organization, r Resource) bool {
	return inAgreement(org, r) && r.SubmittedTo != ""
}

func ownParty(org Organization, r Resource) bool {
	return inAgreement(org, r) && strings.EqualFold(r.Party, org.Code)
}

func ownOrg(org Organization, r Resource) bool { return strings.EqualFold(r.Org, org.Code) }

// mediatesIt: the organisation is the mediator the resource's agreement
// names.
func mediatesIt(org Organization, r Resource) bool {
	return r.Agreement != nil && r.Agreement.Mediator != nil && strings.EqualFold(r.Agreement.Mediator.Code, org.Code)
}

// MayAddAgreements says whether actor may add any agreement at all (one
// naming its organisation as the mediator), by the same rule as adding a
// particular one: the API asks it before it reads an uploaded file.
func MayAddAgreements(actor Actor) error {
	own := Agreement{Mediator: &Party{Code: actor.Org().Code}}
	return Authorize(actor, ActionAddAgreement, Resource{Agreement: &own})
}

// Authorize says whether actor may do action on r: nil if a rule allows
// it, EUnauthorized if the actor is not signed in, ESecondFactor if a rule
// would allow it but it needs signer or admin and the actor's session
// still lacks its security key, EForbidden otherwise.
func Authorize(actor Actor, action Action, r Resource) error {
	if !actor.Known() {
		return &Error{Code: EUnauthorized, Message: "sign in first", Hint: "with a password at /api/login, or an API token"}
	}
	org := actor.Org()
	known, unconfirmed := false, false
	var missing Role // a role that would allow it: the one thing lacking
	for _, ru := range rules {
		if ru.action != action {
			continue
		}
		known = true
		if !slices.Contains(ru.kinds, org.Kind) {
			continue
		}
		if ru.role != "" && !actor.User.Has(ru.role) {
			if ru.when(org, r) {
				missing = ru.role
			}
			continue
		}
		if !ru.when(org, r) {
			continue
		}
		// What needs signer or admin needs, from a password session,
		// the security key too (secondfactor.go).
		if (ru.role == RoleSigner || ru.role == RoleAdmin) && secondFactorMissing(actor) {
			unconfirmed = true
			continue
		}
		return nil
	}
	if !known {
		return &Error{Code: EInternal, Message: fmt.Sprintf("no rule says who may %s", action)}
	}
	if unconfirmed {
		return errSecondFactor(actor, string(action))
	}
	if missing != "" {
		// Said only of what the organisation may do anyway, so it tells
		// nothing of the resource.
		return &Error{Code: EForbidden, Message: fmt.Sprintf("%s (%s %s) may not %s: that needs the %s role", actor.User.Login, org.Kind, org.Code, action, missing),
			Hint: fmt.Sprintf("an admin of %s can give it (tally users add ... --role %s)", org.Code, missing)}
	}
	return &Error{Code: EForbidden, Message: fmt.Sprintf("%s (%s %s) may not %s here", actor.User.Login, org.Kind, org.Code, action)}
}

// Rule is one rule of authorization, in words, for documentation.
type Rule struct {
	Action Action
	Kinds  []OrgKind
	Role   Role // empty: any role
	Says   string
}

// Rules returns the rules Authorize applies, in order.
func Rules() []Rule {
	out := make([]Rule, len(rules))
	for i, r := range rules {
		out[i] = Rule{Action: r.action, Kinds: slices.Clone(r.kinds), Role: r.role, Says: r.says}
	}
	return out
}
