package exchange

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"tally"
)

type transition struct {
	name  string
	setup []ev
	step  ev
	want  tally.ErrorCode // "" for allowed
	msg   string          // a part of the message, when it matters
}

func walk(t *testing.T, table []transition) {
	t.Helper()
	for _, tc := range table {
		t.Run(tc.name, func(t *testing.T) {
			f := newFx(t)
			f.must(tc.setup...)
			err := f.try(tc.step.by, tc.step.body)
			wantCode(t, tc.name, err, tc.want)
			if tc.msg != "" && (err == nil || !strings.Contains(err.Error(), tc.msg)) {
				t.Errorf("%s: error %v does not say %q", tc.name, err, tc.msg)
			}
		})
	}
}

func cat(steps ...[]ev) []ev       { return slices.Concat(steps...) }
func one(by string, body any) []ev { return []ev{{by, body}} }

var (
	v1 = ListSubmitted{List: "ua-request", Version: 1, Kind: "request", Rows: []ListRow{{"UA-0001", "seriously-wounded-ill"}, {"UA-0002", ""}}}
	v2 = ListSubmitted{List: "ua-request", Version: 2, Kind: "request", Rows: []ListRow{{"UA-0001", "seriously-wounded-ill"}, {"UA-0009", ""}}}
)

func answer(version int, as ...Answer) ListAnswered {
	return ListAnswered{List: "ua-request", Version: version, Answers: as}
}

func TestReviewTransitions(t *testing.T) {
	sub := one("UA", v1)
	acc1 := Answer{Ref: "UA-0001", Accepted: true}
	obj2 := Answer{Ref: "UA-0002", Objection: ObjectionNotInCustody}
	answered := cat(sub, one("RU", answer(1, acc1, obj2)))
	walk(t, []transition{
		{"submit v1 by the submitter", nil, ev{"UA", v1}, "", ""},
		{"submit v1 by the other party", nil, ev{"RU", ListSubmitted{List: "ru-request", Version: 1, Kind: "request", Rows: v1.Rows}}, "", ""},
		{"submit by the mediator", nil, ev{"TR", v1}, tally.EInvalid, "the mediator cannot submit a list"},
		{"submit v2 first", nil, ev{"UA", v2}, tally.EConflict, ""},
		{"submit a bad kind", nil, ev{"UA", ListSubmitted{List: "x", Version: 1, Kind: "Request", Rows: v1.Rows}}, tally.EInvalid, ""},
		{"submit a bad list id", nil, ev{"UA", ListSubmitted{List: "UA Request", Version: 1, Kind: "request", Rows: v1.Rows}}, tally.EInvalid, ""},
		{"submit no rows", nil, ev{"UA", ListSubmitted{List: "x", Version: 1, Kind: "request"}}, tally.EInvalid, ""},
		{"submit a row twice", nil, ev{"UA", ListSubmitted{List: "x", Version: 1, Kind: "request", Rows: []ListRow{{"A", ""}, {"A", ""}}}}, tally.EInvalid, ""},
		{"submit an unknown category", nil, ev{"UA", ListSubmitted{List: "x", Version: 1, Kind: "request", Rows: []ListRow{{"A", "elderly"}}}}, tally.EInvalid, ""},
		{"submit an empty ref", nil, ev{"UA", ListSubmitted{List: "x", Version: 1, Kind: "request", Rows: []ListRow{{" ", ""}}}}, tally.EInvalid, ""},
		{"submit v1 again", sub, ev{"UA", v1}, tally.EConflict, ""},
		{"submit v3 after v1", sub, ev{"UA", ListSubmitted{List: "ua-request", Version: 3, Kind: "request", Rows: v1.Rows}}, tally.EConflict, ""},
		{"submit v2 by the receiver", sub, ev{"RU", v2}, tally.EInvalid, "RU cannot act for UA"},
		{"submit v2 by the mediator", sub, ev{"TR", v2}, tally.EInvalid, ""},
		{"submit v2 of another kind", sub, ev{"UA", ListSubmitted{List: "ua-request", Version: 2, Kind: "custody", Rows: v1.Rows}}, tally.EConflict, ""},
		{"submit v2 before any answer", sub, ev{"UA", v2}, "", ""},
		{"submit v2 after objections", answered, ev{"UA", v2}, "", ""},
		{"answer by the receiver", sub, ev{"RU", answer(1, acc1)}, "", ""},
		{"answer by the submitter", sub, ev{"UA", answer(1, acc1)}, tally.EInvalid, "UA cannot act for RU"},
		{"answer by the mediator", sub, ev{"TR", answer(1, acc1)}, tally.EInvalid, "the mediator cannot act for RU"},
		{"answer an unknown list", sub, ev{"RU", ListAnswered{List: "ua-custody", Version: 1, Answers: []Answer{acc1}}}, tally.ENotFound, ""},
		{"answer an unknown version", sub, ev{"RU", answer(2, acc1)}, tally.ENotFound, ""},
		{"answer a replaced version", cat(sub, one("UA", v2)), ev{"RU", answer(1, acc1)}, tally.EConflict, "answer version 2"},
		{"answer an unknown row", sub, ev{"RU", answer(1, Answer{Ref: "UA-0404", Accepted: true})}, tally.ENotFound, ""},
		{"answer a row twice in one", sub, ev{"RU", answer(1, acc1, acc1)}, tally.EInvalid, ""},
		{"answer a row again", answered, ev{"RU", answer(1, Answer{Ref: "UA-0002", Accepted: true})}, tally.EConflict, ""},
		{"answer nothing", sub, ev{"RU", answer(1)}, tally.EInvalid, ""},
		{"answer neither", sub, ev{"RU", answer(1, Answer{Ref: "UA-0001"})}, tally.EInvalid, ""},
		{"answer both", sub, ev{"RU", answer(1, Answer{Ref: "UA-0001", Accepted: true, Objection: ObjectionDuplicate})}, tally.EInvalid, ""},
		{"answer an unknown objection", sub, ev{"RU", answer(1, Answer{Ref: "UA-0001", Objection: "fake"})}, tally.EInvalid, ""},
		{"answer other without text", sub, ev{"RU", answer(1, Answer{Ref: "UA-0001", Objection: ObjectionOther})}, tally.EInvalid, ""},
		{"answer other with text", sub, ev{"RU", answer(1, Answer{Ref: "UA-0001", Objection: ObjectionOther, Text: "held elsewhere"})}, "", ""},
		{"answer v2", cat(answered, one("UA", v2)), ev{"RU", answer(2, acc1)}, "", ""},
	})
	for _, o := range Objections() {
		text := ""
		if o == ObjectionOther {
			text = "why"
		}
		walk(t, []transition{{"objection " + o, sub, ev{"RU", answer(1, Answer{Ref: "UA-0002", Objection: o, Text: text})}, "", ""}})
	}
}

func TestWhoseMove(t *testing.T) {
	f := newFx(t)
	move := func(want string) {
		t.Helper()
		ls := f.s.Lists()
		if len(ls) != 1 || ls[0].Move() != want {
			t.Fatalf("got %+v, want %q", ls, want)
		}
	}
	f.must(ev{"UA", v1})
	move("waiting for RU since 2025-06-05")
	f.at = f.at.Add(24 * time.Hour)
	f.must(ev{"RU", answer(1, Answer{Ref: "UA-0001", Accepted: true})})
	move("waiting for RU since 2025-06-05")
	f.must(ev{"RU", answer(1, Answer{Ref: "UA-0002", Objection: ObjectionUnknownPerson})})
	move("waiting for UA since 2025-06-06")
	ls := f.s.Lists()[0]
	if ls.Accepted != 1 || ls.Objections != 1 || ls.Unanswered != 0 || ls.Version != 1 || ls.Submitter != "UA" || ls.Receiver != "RU" {
		t.Errorf("status %+v", ls)
	}
	f.at = f.at.Add(48 * time.Hour)
	f.must(ev{"UA", v2})
	move("waiting for RU since 2025-06-08")
	f.must(ev{"RU", answer(2, Answer{Ref: "UA-0001", Accepted: true}, Answer{Ref: "UA-0009", Accepted: true})})
	move("agreed since 2025-06-08")
}

var (
	memUA = MemberAppointed{Member: "Dr Petrenko (synthetic)", Side: "UA"}
	memRU = MemberAppointed{Member: "Dr Sidorov (synthetic)", Side: "RU"}
	memTR = MemberAppointed{Member: "Dr Yilmaz (synthetic)", Side: "TR"}
	swi   = "seriously-wounded-ill"
	p1    = ref("ua-request", "UA-0001")
)

func vote(m MemberAppointed, d string) ev {
	return ev{m.Side, Vote{Person: p1, Category: swi, Decision: d, Member: m.Member}}
}

func decide(by, d string) ev {
	return ev{by, CommissionDecided{Person: p1, Category: swi, Decision: d}}
}

func TestCommissionTransitions(t *testing.T) {
	members := cat(lists(), []ev{{"UA", memUA}, {"RU", memRU}, {"TR", memTR}})
	voted := cat(members, []ev{vote(memUA, Eligible), vote(memRU, Eligible), vote(memTR, NotEligible)})
	decided := cat(voted, []ev{decide("TR", Eligible)})
	reexamine := cat(members, []ev{vote(memUA, Reexamine), vote(memRU, Reexamine), vote(memTR, Eligible), decide("UA", Reexamine)})
	walk(t, []transition{
		{"appoint own member", nil, ev{"UA", memUA}, "", ""},
		{"appoint the other's member", nil, ev{"RU", memUA}, tally.EInvalid, "RU cannot act for UA"},
		{"mediator appoints a party's member", nil, ev{"TR", memUA}, tally.EInvalid, "the mediator cannot act for UA"},
		{"mediator appoints a neutral member", nil, ev{"TR", memTR}, "", ""},
		{"party appoints a neutral member", nil, ev{"UA", memTR}, tally.EInvalid, ""},
		{"appoint for nobody", nil, ev{"UA", MemberAppointed{Member: "X", Side: "PL"}}, tally.EInvalid, ""},
		{"appoint a nameless member", nil, ev{"UA", MemberAppointed{Side: "UA"}}, tally.EInvalid, ""},
		{"appoint twice", members, ev{"UA", memUA}, tally.EConflict, ""},
		{"vote by the member's side", members, vote(memUA, Eligible), "", ""},
		{"vote by the other side", members, ev{"RU", Vote{Person: p1, Category: swi, Decision: Eligible, Member: memUA.Member}}, tally.EInvalid, "RU cannot act for UA"},
		{"vote by the mediator for a party's member", members, ev{"TR", Vote{Person: p1, Category: swi, Decision: Eligible, Member: memUA.Member}}, tally.EInvalid, "the mediator cannot act for UA"},
		{"vote by a party for a neutral member", members, ev{"UA", Vote{Person: p1, Category: swi, Decision: Eligible, Member: memTR.Member}}, tally.EInvalid, ""},
		{"vote by a stranger", members, ev{"UA", Vote{Person: p1, Category: swi, Decision: Eligible, Member: "Dr Who"}}, tally.ENotFound, ""},
		{"vote in a non-medical category", members, ev{"UA", Vote{Person: ref("ua-request", "UA-0003"), Category: "aged-18-25", Decision: Eligible, Member: memUA.Member}}, tally.EInvalid, ""},
		{"vote on a row of another category", members, ev{"UA", Vote{Person: ref("ua-request", "UA-0004"), Category: swi, Decision: Eligible, Member: memUA.Member}}, tally.EInvalid, ""},
		{"vote on an unknown row", members, ev{"UA", Vote{Person: ref("ua-request", "UA-0404"), Category: swi, Decision: Eligible, Member: memUA.Member}}, tally.ENotFound, ""},
		{"vote a non-decision", members, vote(memUA, "maybe"), tally.EInvalid, ""},
		{"vote twice", cat(members, []ev{vote(memUA, Eligible)}), vote(memUA, NotEligible), tally.EConflict, ""},
		{"decide without votes", members, decide("TR", Eligible), tally.EConflict, ""},
		{"decide without the other side", cat(members, []ev{vote(memUA, Eligible), vote(memTR, Eligible)}), decide("TR", Eligible), tally.EConflict, "no member for RU"},
		{"decide without a neutral member", cat(members, []ev{vote(memUA, Eligible), vote(memRU, Eligible)}), decide("TR", Eligible), tally.EConflict, "neutral"},
		{"decide against the majority", voted, decide("TR", NotEligible), tally.EConflict, "2 eligible, 1 not-eligible"},
		{"decide by the mediator", voted, decide("TR", Eligible), "", ""},
		{"decide by a party", voted, decide("RU", Eligible), "", ""},
		{"decide on a tie", cat(members, []ev{vote(memUA, Eligible), vote(memRU, NotEligible)}), decide("TR", Eligible), tally.EConflict, ""},
		{"decide twice", decided, decide("TR", Eligible), tally.EConflict, ""},
		{"vote after the decision", cat(decided, []ev{{"UA", MemberAppointed{Member: "Dr Late", Side: "UA"}}}), ev{"UA", Vote{Person: p1, Category: swi, Decision: NotEligible, Member: "Dr Late"}}, tally.EConflict, ""},
		{"vote again after re-examine", reexamine, vote(memUA, Eligible), "", ""},
		{"decide after re-examine without new votes", reexamine, decide("TR", Eligible), tally.EConflict, ""},
	})
}

func TestCommissionDecisions(t *testing.T) {
	f := newFx(t)
	f.must(cat(lists(), []ev{{"UA", memUA}, {"RU", memRU}, {"TR", memTR}, vote(memUA, Reexamine), vote(memRU, Reexamine),
		vote(memTR, Reexamine), decide("TR", Reexamine), vote(memUA, Eligible), vote(memRU, Eligible), vote(memTR, NotEligible), decide("TR", Eligible)})...)
	ex := f.s.Examinations()
	if len(ex) != 1 || ex[0].Decision != Eligible || ex[0].Reexamined != 1 || len(ex[0].Votes) != 3 || ex[0].Entry < 0 {
		t.Fatalf("examinations %+v", ex)
	}
	if ms := f.s.Members(); len(ms) != 3 || !ms[2].Neutral || ms[0].Neutral {
		t.Fatalf("members %+v", ms)
	}
}

var (
	civPlan = RoundPlanned{Round: "round-1", Date: "2025-06-14", Manifests: []Manifest{
		{From: "RU", To: "UA", Category: "civilians", Persons: []PersonRef{ref("ru-custody", "RC-0004"), ref("ru-custody", "RC-0005")}},
		{From: "UA", To: "RU", Category: "civilians", Persons: []PersonRef{ref("ua-custody", "UC-0002"), ref("ua-custody", "UC-0003")}}}}
	rc4   = ref("ru-custody", "RC-0004")
	pairW = PairConfirmed{Request: ref("ua-request", "UA-0001"), Custody: ref("ru-custody", "RC-0001")}
)

func plan(id string, ms ...Manifest) RoundPlanned {
	return RoundPlanned{Round: id, Date: "2025-06-20", Manifests: ms}
}

func mf(from, to, c string, ps ...PersonRef) Manifest {
	return Manifest{From: from, To: to, Category: c, Persons: ps}
}

func approve(id string) []ev {
	return []ev{{"UA", RoundApproved{Round: id}}, {"RU", RoundApproved{Round: id}}}
}

func TestRoundTransitions(t *testing.T) {
	planned := cat(lists(), one("TR", civPlan))
	approved := cat(planned, approve("round-1"))
	handed := cat(approved, one("RU", HandedOver{Round: "round-1", Person: rc4}))
	ack := func(by, status string) ev {
		return ev{by, Acknowledged{Round: "round-1", Person: rc4, Status: status}}
	}
	wounded := cat(lists(), one("UA", pairW))
	swiPlan := plan("round-2", mf("RU", "UA", swi, ref("ru-custody", "RC-0002")))
	withOmission := swiPlan
	withOmission.Omissions = []Omission{{From: "RU", Category: swi, Person: ref("ru-custody", "RC-0001"), Reason: "not fit to travel"}}
	walk(t, []transition{
		{"plan by the mediator", lists(), ev{"TR", civPlan}, "", ""},
		{"plan by a party", lists(), ev{"UA", civPlan}, "", ""},
		{"plan without manifests", lists(), ev{"UA", RoundPlanned{Round: "r", Date: "2025-06-14"}}, tally.EInvalid, ""},
		{"plan with a bad date", lists(), ev{"UA", RoundPlanned{Round: "r", Date: "14.06.2025", Manifests: civPlan.Manifests}}, tally.EInvalid, ""},
		{"plan remains on a manifest", lists(), ev{"UA", plan("r", mf("RU", "UA", "remains", rc4))}, tally.EInvalid, "stages"},
		{"plan children the wrong way", cat(lists()), ev{"UA", plan("r", mf("UA", "RU", "children", ref("ua-custody", "UC-0002")))}, tally.EInvalid, "one way only"},
		{"plan a person from the wrong list", lists(), ev{"UA", plan("r", mf("RU", "UA", "civilians", ref("ua-custody", "UC-0002")))}, tally.EInvalid, ""},
		{"plan a person of another category", lists(), ev{"UA", plan("r", mf("RU", "UA", "civilians", ref("ru-custody", "RC-0003")))}, tally.EInvalid, ""},
		{"plan a person twice", lists(), ev{"UA", plan("r", mf("RU", "UA", "civilians", rc4, rc4))}, tally.EInvalid, ""},
		{"plan a pair twice", wounded, ev{"UA", plan("r", mf("RU", "UA", swi, ref("ru-custody", "RC-0001"), ref("ua-request", "UA-0001")))}, tally.EInvalid, "confirmed pair"},
		{"plan from one party to itself", lists(), ev{"UA", plan("r", mf("RU", "RU", "civilians", rc4))}, tally.EInvalid, ""},
		{"plan an unknown person", lists(), ev{"UA", plan("r", mf("RU", "UA", "civilians", ref("ru-custody", "RC-0404")))}, tally.ENotFound, ""},
		{"plan an omission under n-for-n", lists(), ev{"UA", RoundPlanned{Round: "r", Date: "2025-06-14", Manifests: civPlan.Manifests,
			Omissions: []Omission{{From: "RU", Category: "civilians", Person: rc4, Reason: "x"}}}}, tally.EInvalid, ""},
		{"plan an omission without reason", wounded, ev{"UA", RoundPlanned{Round: "r", Date: "2025-06-14", Manifests: swiPlan.Manifests,
			Omissions: []Omission{{From: "RU", Category: swi, Person: ref("ru-custody", "RC-0001")}}}}, tally.EInvalid, ""},
		{"replan after one approval", cat(planned, one("UA", RoundApproved{Round: "round-1"})), ev{"RU", civPlan}, "", ""},
		{"replan after both approvals", approved, ev{"UA", civPlan}, tally.EConflict, ""},
		{"approve by a party", planned, ev{"UA", RoundApproved{Round: "round-1"}}, "", ""},
		{"approve by the mediator", planned, ev{"TR", RoundApproved{Round: "round-1"}}, tally.EInvalid, "mediator"},
		{"approve twice", cat(planned, one("UA", RoundApproved{Round: "round-1"})), ev{"UA", RoundApproved{Round: "round-1"}}, tally.EConflict, ""},
		{"approve an unplanned round", lists(), ev{"UA", RoundApproved{Round: "round-9"}}, tally.ENotFound, ""},
		{"approve an unbalanced n-for-n", cat(lists(), one("UA", plan("r", mf("RU", "UA", "civilians", rc4), mf("UA", "RU", "civilians", ref("ua-custody", "UC-0002"), ref("ua-custody", "UC-0003"))))),
			ev{"RU", RoundApproved{Round: "r"}}, tally.EConflict, "RU 1"},
		{"approve leaving out an eligible person", cat(wounded, one("UA", swiPlan)), ev{"RU", RoundApproved{Round: "round-2"}}, tally.EConflict, "RC-0001"},
		{"approve with a reason for them", cat(wounded, one("UA", withOmission)), ev{"RU", RoundApproved{Round: "round-2"}}, "", ""},
		{"approve with them on the manifest by their request row", cat(wounded, one("UA", plan("round-2", mf("RU", "UA", swi, ref("ua-request", "UA-0001"))))), ev{"RU", RoundApproved{Round: "round-2"}}, "", ""},
		{"handover before approval", cat(planned, one("UA", RoundApproved{Round: "round-1"})), ev{"RU", HandedOver{Round: "round-1", Person: rc4}}, tally.EConflict, "RU has not approved"},
		{"handover by the sender", approved, ev{"RU", HandedOver{Round: "round-1", Person: rc4}}, "", ""},
		{"handover by the receiver", approved, ev{"UA", HandedOver{Round: "round-1", Person: rc4}}, tally.EInvalid, "UA cannot act for RU"},
		{"handover by the mediator", approved, ev{"TR", HandedOver{Round: "round-1", Person: rc4}}, tally.EInvalid, "the mediator cannot act for RU"},
		{"handover off the manifest", approved, ev{"RU", HandedOver{Round: "round-1", Person: ref("ru-custody", "RC-0001")}}, tally.EConflict, "delivered-unlisted"},
		{"handover twice", handed, ev{"RU", HandedOver{Round: "round-1", Person: rc4}}, tally.EConflict, ""},
		{"handover after not-delivered", cat(approved, []ev{ack("UA", NotDelivered)}), ev{"RU", HandedOver{Round: "round-1", Person: rc4}}, tally.EConflict, ""},
		{"acknowledge by the receiver", handed, ack("UA", ReceivedIdentified), "", ""},
		{"acknowledge disputed", handed, ack("UA", ReceivedDisputed), "", ""},
		{"acknowledge by the sender", handed, ack("RU", ReceivedIdentified), tally.EInvalid, "RU cannot act for UA"},
		{"acknowledge by the mediator", handed, ack("TR", ReceivedIdentified), tally.EInvalid, "the mediator cannot act for UA"},
		{"acknowledge before handover", approved, ack("UA", ReceivedIdentified), tally.EConflict,
			"UA cannot acknowledge round round-1's handover of RC-0004: RU has not recorded handing them over"},
		{"acknowledge not delivered before handover", approved, ack("UA", NotDelivered), "", ""},
		{"acknowledge not delivered after handover", handed, ack("UA", NotDelivered), "", ""},
		{"acknowledge a bad status", handed, ack("UA", "received"), tally.EInvalid, ""},
		{"acknowledge before approval", planned, ack("UA", NotDelivered), tally.EConflict, ""},
		{"acknowledge twice", cat(handed, []ev{ack("UA", ReceivedIdentified)}), ack("UA", ReceivedIdentified), tally.EConflict, ""},
		{"identity confirmed after dispute", cat(handed, []ev{ack("UA", ReceivedDisputed)}), ack("UA", ReceivedIdentified), "", ""},
		{"dispute after identified", cat(handed, []ev{ack("UA", ReceivedIdentified)}), ack("UA", ReceivedDisputed), tally.EConflict, ""},
		{"unlisted by the receiver", approved, ev{"UA", DeliveredUnlisted{Round: "round-1", From: "RU", Category: "civilians", Ref: "U-1"}}, "", ""},
		{"unlisted by the sender", approved, ev{"RU", DeliveredUnlisted{Round: "round-1", From: "RU", Category: "civilians", Ref: "U-1"}}, "", ""},
		{"unlisted by the mediator", approved, ev{"TR", DeliveredUnlisted{Round: "round-1", From: "RU", Category: "civilians", Ref: "U-1"}}, tally.EInvalid, ""},
		{"unlisted before approval", planned, ev{"UA", DeliveredUnlisted{Round: "round-1", From: "RU", Category: "civilians", Ref: "U-1"}}, tally.EConflict, ""},
		{"unlisted twice", cat(approved, one("UA", DeliveredUnlisted{Round: "round-1", From: "RU", Category: "civilians", Ref: "U-1"})),
			ev{"RU", DeliveredUnlisted{Round: "round-1", From: "RU", Category: "civilians", Ref: "U-1"}}, tally.EConflict, ""},
		{"plan someone handed over before", cat(handed, []ev{ack("UA", ReceivedIdentified)}), ev{"UA", plan("r", mf("RU", "UA", "civilians", rc4))}, tally.EConflict, "round-1"},
		{"plan someone not delivered before", cat(approved, []ev{ack("UA", NotDelivered)}), ev{"UA", plan("r", mf("RU", "UA", "civilians", rc4))}, "", ""},
	})
}

func TestRoundQuantity(t *testing.T) {
	f := newFx(t)
	// Three each way is the agreed quantity: two in round 1, two more is one too many.
	f.must(cat(lists(), one("TR", civPlan), approve("round-1"),
		one("UA", ListSubmitted{List: "ua-more", Version: 1, Kind: "custody", Rows: []ListRow{{"X1", "civilians"}, {"X2", "civilians"}}}))...)
	f.must(ev{"RU", ListSubmitted{List: "ru-more", Version: 1, Kind: "custody", Rows: []ListRow{{"Y1", "civilians"}, {"Y2", "civilians"}}}})
	f.must(ev{"UA", plan("r2", mf("RU", "UA", "civilians", ref("ru-more", "Y1"), ref("ru-more", "Y2")), mf("UA", "RU", "civilians", ref("ua-more", "X1"), ref("ua-more", "X2")))})
	err := f.try("UA", RoundApproved{Round: "r2"})
	wantCode(t, "over the quantity", err, tally.EConflict)
	if err == nil || !strings.Contains(err.Error(), "over the agreed 3") {
		t.Errorf("message: %v", err)
	}
	f.must(ev{"UA", plan("r2", mf("RU", "UA", "civilians", ref("ru-more", "Y1")), mf("UA", "RU", "civilians", ref("ua-more", "X1")))})
	f.must(approve("r2")...)
	rs := f.s.Rounds()
	if len(rs) != 2 || !rs[1].Approved || len(rs[1].ApprovedBy) != 2 {
		t.Fatalf("rounds %+v", rs)
	}
}

func TestReplanClearsApprovals(t *testing.T) {
	f := newFx(t)
	f.must(cat(lists(), one("TR", civPlan), one("UA", RoundApproved{Round: "round-1"}), one("RU", civPlan))...)
	if r := f.s.Rounds()[0]; len(r.ApprovedBy) != 0 || r.PlannedBy != "RU" {
		t.Fatalf("round %+v", r)
	}
}

var (
	tags3 = []string{"BODY-U1", "BODY-U2", "BODY-U3"}
	tr1   = RemainsTransferred{Stage: "stage-1", Category: "remains", From: "UA", To: "RU", Count: 3, Tags: tags3}
	miss  = ref("ru-request", "RR-0001")
)

func ident(by, tag, result string, m *PersonRef, method string) ev {
	return ev{by, RemainsIdentified{Stage: "stage-1", From: "UA", Tag: tag, Result: result, Missing: m, Method: method}}
}

func TestRemainsTransitions(t *testing.T) {
	sent := cat(lists(), one("UA", tr1))
	acked := cat(sent, one("RU", RemainsAcknowledged{Stage: "stage-1", From: "UA", Count: 3}))
	mutual := tr1
	mutual.Mutual = true
	back := RemainsTransferred{Stage: "stage-1", Category: "remains", From: "RU", To: "UA", Count: 2, Mutual: true}
	walk(t, []transition{
		{"transfer by the sender", lists(), ev{"UA", tr1}, "", ""},
		{"transfer by the receiver", lists(), ev{"RU", tr1}, tally.EInvalid, "RU cannot act for UA"},
		{"transfer by the mediator", lists(), ev{"TR", tr1}, tally.EInvalid, "the mediator cannot act for UA"},
		{"transfer without tags", lists(), ev{"UA", RemainsTransferred{Stage: "s", Category: "remains", From: "UA", To: "RU", Count: 1212}}, "", ""},
		{"transfer persons as remains", lists(), ev{"UA", RemainsTransferred{Stage: "s", Category: "civilians", From: "UA", To: "RU", Count: 1}}, tally.EInvalid, ""},
		{"transfer nothing", lists(), ev{"UA", RemainsTransferred{Stage: "s", Category: "remains", From: "UA", To: "RU"}}, tally.EInvalid, ""},
		{"transfer with too few tags", lists(), ev{"UA", RemainsTransferred{Stage: "s", Category: "remains", From: "UA", To: "RU", Count: 4, Tags: tags3}}, tally.EInvalid, ""},
		{"transfer a tag twice", lists(), ev{"UA", RemainsTransferred{Stage: "s", Category: "remains", From: "UA", To: "RU", Count: 2, Tags: []string{"B", "B"}}}, tally.EInvalid, ""},
		{"transfer over the quantity", lists(), ev{"UA", RemainsTransferred{Stage: "s", Category: "remains", From: "UA", To: "RU", Count: 6001}}, tally.EConflict, "6000"},
		{"transfer a stage again", sent, ev{"UA", tr1}, tally.EConflict, ""},
		{"transfer a tag again", sent, ev{"UA", RemainsTransferred{Stage: "stage-2", Category: "remains", From: "UA", To: "RU", Count: 1, Tags: []string{"BODY-U2"}}}, tally.EConflict, ""},
		{"transfer back in a unilateral stage", sent, ev{"RU", back}, tally.EConflict, "not mutual"},
		{"transfer back in a mutual stage", cat(lists(), one("UA", mutual)), ev{"RU", back}, "", ""},
		{"acknowledge by the receiver", sent, ev{"RU", RemainsAcknowledged{Stage: "stage-1", From: "UA", Count: 3}}, "", ""},
		{"acknowledge fewer", sent, ev{"RU", RemainsAcknowledged{Stage: "stage-1", From: "UA", Count: 2}}, "", ""},
		{"acknowledge by the sender", sent, ev{"UA", RemainsAcknowledged{Stage: "stage-1", From: "UA", Count: 3}}, tally.EInvalid, "UA cannot act for RU"},
		{"acknowledge by the mediator", sent, ev{"TR", RemainsAcknowledged{Stage: "stage-1", From: "UA", Count: 3}}, tally.EInvalid, "the mediator cannot act for RU"},
		{"acknowledge an unknown stage", sent, ev{"RU", RemainsAcknowledged{Stage: "stage-9", From: "UA", Count: 3}}, tally.ENotFound, ""},
		{"acknowledge a negative count", sent, ev{"RU", RemainsAcknowledged{Stage: "stage-1", From: "UA", Count: -1}}, tally.EInvalid, ""},
		{"acknowledge twice", acked, ev{"RU", RemainsAcknowledged{Stage: "stage-1", From: "UA", Count: 3}}, tally.EConflict, ""},
		{"identify before acknowledging", sent, ident("RU", "BODY-U1", Identified, &miss, "dna"), tally.EConflict, "acknowledge the count first"},
		{"identify", acked, ident("RU", "BODY-U1", Identified, &miss, "dna"), "", ""},
		{"identify by the sender", acked, ident("UA", "BODY-U1", Identified, &miss, "dna"), tally.EInvalid, ""},
		{"identify by the mediator", acked, ident("TR", "BODY-U1", Identified, &miss, "dna"), tally.EInvalid, ""},
		{"identify an unknown tag", acked, ident("RU", "BODY-X", Identified, &miss, "dna"), tally.ENotFound, ""},
		{"identify as nobody", acked, ident("RU", "BODY-U1", Identified, nil, "dna"), tally.EInvalid, ""},
		{"identify by no method", acked, ident("RU", "BODY-U1", Identified, &miss, ""), tally.EInvalid, ""},
		{"identify an unknown missing person", acked, ident("RU", "BODY-U1", Identified, &PersonRef{"ru-request", "RR-404"}, "dna"), tally.ENotFound, ""},
		{"identify twice", cat(acked, []ev{ident("RU", "BODY-U1", Identified, &miss, "dna")}), ident("RU", "BODY-U1", Identified, &PersonRef{"ru-request", "RR-0002"}, "dna"), tally.EConflict, ""},
		{"identify one person twice", cat(acked, []ev{ident("RU", "BODY-U1", Identified, &miss, "dna")}), ident("RU", "BODY-U2", Identified, &miss, "dna"), tally.EConflict, ""},
		{"still unidentified", acked, ident("RU", "BODY-U1", Unidentified, nil, ""), "", ""},
		{"unidentified with a method", acked, ident("RU", "BODY-U1", Unidentified, nil, "dna"), tally.EInvalid, ""},
		{"unidentified twice", cat(acked, []ev{ident("RU", "BODY-U1", Unidentified, nil, "")}), ident("RU", "BODY-U1", Unidentified, nil, ""), tally.EConflict, ""},
		{"identified after unidentified", cat(acked, []ev{ident("RU", "BODY-U1", Unidentified, nil, "")}), ident("RU", "BODY-U1", Identified, &miss, "dental"), "", ""},
		{"unidentified after identified", cat(acked, []ev{ident("RU", "BODY-U1", Identified, &miss, "dna")}), ident("RU", "BODY-U1", Unidentified, nil, ""), tally.EConflict, ""},
		{"a bad result", acked, ident("RU", "BODY-U1", "maybe", nil, ""), tally.EInvalid, ""},
	})
}

func dstatus(by, status, text string) ev {
	return ev{by, DiscrepancyStatusSet{Discrepancy: 1, Status: status, Text: text}}
}

func TestDiscrepancyTransitions(t *testing.T) {
	open := cat(lists(), one("UA", tr1), one("RU", RemainsAcknowledged{Stage: "stage-1", From: "UA", Count: 2}))
	explainedByUA := cat(open, []ev{dstatus("UA", Explained, "one was counted twice")})
	disputed := cat(explainedByUA, []ev{dstatus("RU", Disputed, "three were not received")})
	agreedUA := cat(open, []ev{dstatus("UA", Resolved, "")})
	resolved := cat(agreedUA, []ev{dstatus("RU", Resolved, "")})
	walk(t, []transition{
		{"explain by the sender", open, dstatus("UA", Explained, "x"), "", ""},
		{"explain by the receiver", open, dstatus("RU", Explained, "x"), "", ""},
		{"explain by the mediator", open, dstatus("TR", Explained, "x"), tally.EInvalid, "mediator"},
		{"explain without text", open, dstatus("UA", Explained, ""), tally.EInvalid, ""},
		{"explain an unknown discrepancy", open, ev{"UA", DiscrepancyStatusSet{Discrepancy: 2, Status: Explained, Text: "x"}}, tally.ENotFound, ""},
		{"reopen", open, dstatus("UA", Open, "x"), tally.EInvalid, ""},
		{"a bad status", open, dstatus("UA", "closed", "x"), tally.EInvalid, ""},
		{"dispute an open one", open, dstatus("RU", Disputed, "x"), "", ""},
		{"dispute the other's explanation", explainedByUA, dstatus("RU", Disputed, "x"), "", ""},
		{"dispute one's own explanation", explainedByUA, dstatus("UA", Disputed, "x"), tally.EConflict, ""},
		{"dispute twice", disputed, dstatus("UA", Disputed, "x"), tally.EConflict, ""},
		{"explain a disputed one", disputed, dstatus("UA", Explained, "y"), "", ""},
		{"explain again", explainedByUA, dstatus("UA", Explained, "better"), "", ""},
		{"agree resolved", open, dstatus("UA", Resolved, ""), "", ""},
		{"agree resolved twice", agreedUA, dstatus("UA", Resolved, ""), tally.EConflict, ""},
		{"both agree", agreedUA, dstatus("RU", Resolved, ""), "", ""},
		{"mediator resolves", agreedUA, dstatus("TR", Resolved, ""), tally.EInvalid, ""},
		{"explain a resolved one", resolved, dstatus("UA", Explained, "x"), tally.EConflict, ""},
		{"dispute a resolved one", resolved, dstatus("RU", Disputed, "x"), tally.EConflict, ""},
	})
}

func TestDiscrepancyLifecycle(t *testing.T) {
	f := newFx(t)
	f.must(cat(lists(), one("UA", RemainsTransferred{Stage: "stage-1", Category: "remains", From: "UA", To: "RU", Count: 1212}),
		one("RU", RemainsAcknowledged{Stage: "stage-1", From: "UA", Count: 1200}))...)
	ds := f.s.Discrepancies()
	if len(ds) != 1 {
		t.Fatalf("discrepancies %+v", ds)
	}
	d := ds[0]
	if d.Sent != 1212 || d.Received != 1200 || d.Status != Open || d.SentBy != "UA" || d.AckBy != "RU" ||
		d.SentEntry != f.idx[len(f.idx)-2] || d.AckEntry != f.idx[len(f.idx)-1] || d.SentActor != actors["UA"] || d.AckActor != actors["RU"] {
		t.Fatalf("discrepancy %+v", d)
	}
	f.must(dstatus("UA", Resolved, ""), dstatus("RU", Explained, "twelve arrived on a second truck"))
	if d := f.s.Discrepancies()[0]; d.Status != Explained || len(d.AgreedResolved) != 0 {
		t.Fatalf("an explanation clears agreement: %+v", d)
	}
	f.must(dstatus("UA", Resolved, ""))
	if d := f.s.Discrepancies()[0]; d.Status != Explained || !slices.Equal(d.AgreedResolved, []string{"UA"}) {
		t.Fatalf("%+v", d)
	}
	f.must(dstatus("RU", Resolved, ""))
	if d := f.s.Discrepancies()[0]; d.Status != Resolved || len(d.History) != 4 {
		t.Fatalf("%+v", d)
	}
}

func verified() []ev {
	return cat(lists(), one("RU", ListAnswered{List: "ua-children", Version: 1, Answers: []Answer{
		{Ref: "CH-0001", Accepted: true}, {Ref: "CH-0002", Objection: ObjectionUnknownPerson}}}))
}

var ch1 = ref("ua-children", "CH-0001")

func TestChildCaseOpening(t *testing.T) {
	opened := cat(verified(), one("TR", ChildCaseOpened{Case: "case-1", Child: ch1}))
	walk(t, []transition{
		{"open by the asking party", verified(), ev{"UA", ChildCaseOpened{Case: "case-1", Child: ch1}}, "", ""},
		{"open by the other party", verified(), ev{"RU", ChildCaseOpened{Case: "case-1", Child: ch1}}, "", ""},
		{"open by the mediator", verified(), ev{"TR", ChildCaseOpened{Case: "case-1", Child: ch1}}, "", ""},
		{"open from an unverified row", verified(), ev{"UA", ChildCaseOpened{Case: "case-1", Child: ref("ua-children", "CH-0002")}}, tally.EConflict, "verified"},
		{"open from an unanswered list", lists(), ev{"UA", ChildCaseOpened{Case: "case-1", Child: ch1}}, tally.EConflict, ""},
		{"open from a request list", verified(), ev{"UA", ChildCaseOpened{Case: "case-1", Child: ref("ua-request", "UA-0001")}}, tally.EInvalid, ""},
		{"open a case twice", opened, ev{"UA", ChildCaseOpened{Case: "case-1", Child: ch1}}, tally.EConflict, ""},
		{"open a second case for a child", opened, ev{"UA", ChildCaseOpened{Case: "case-2", Child: ch1}}, tally.EConflict, ""},
		{"open with a bad id", verified(), ev{"UA", ChildCaseOpened{Case: "Case 1", Child: ch1}}, tally.EInvalid, ""},
		{"step an unknown case", opened, ev{"UA", ChildCaseStep{Case: "case-9", Step: StepLocated}}, tally.ENotFound, ""},
		{"step to opened", opened, ev{"UA", ChildCaseStep{Case: "case-1", Step: StepOpened}}, tally.EInvalid, ""},
		{"step to nowhere", opened, ev{"UA", ChildCaseStep{Case: "case-1", Step: "found"}}, tally.EInvalid, ""},
		{"not found without a reason", opened, ev{"UA", ChildCaseStep{Case: "case-1", Step: StepNotFound}}, tally.EInvalid, ""},
	})
}

// TestChildCaseSteps walks every step from every step, by each side.
func TestChildCaseSteps(t *testing.T) {
	path := []string{StepOpened, StepLocated, StepIdentityVerified, StepGuardianConsenting, StepReturnArranged}
	ends := map[string][]string{StepReturned: path, StepNotFound: path[:1], StepDeclined: path[:4]}
	reach := func(to string) []ev {
		var p []string
		if i := slices.Index(path, to); i >= 0 {
			p = path[1 : i+1]
		} else {
			p = ends[to][1:]
			p = append(slices.Clone(p), to)
		}
		steps := cat(verified(), one("TR", ChildCaseOpened{Case: "case-1", Child: ch1}))
		for _, s := range p {
			steps = append(steps, ev{"TR", ChildCaseStep{Case: "case-1", Step: s, Reason: "recorded"}})
		}
		return steps
	}
	var table []transition
	for _, from := range Steps() {
		for _, to := range Steps()[1:] {
			for _, by := range []string{"UA", "RU", "TR"} {
				want := tally.ErrorCode("")
				switch {
				case !slices.Contains(next[from], to):
					want = tally.EConflict
				case to == StepReturned && by == "RU":
					want = tally.EInvalid // only UA, to whom the child returns, or the mediator
				}
				table = append(table, transition{from + " to " + to + " by " + by, reach(from),
					ev{by, ChildCaseStep{Case: "case-1", Step: to, Reason: "a reason"}}, want, ""})
			}
		}
	}
	walk(t, table)
	f := newFx(t)
	f.must(reach(StepReturned)...)
	cs := f.s.ChildCases()
	if len(cs) != 1 || cs[0].Step != StepReturned || len(cs[0].History) != 6 || cs[0].History[0].By != "TR" {
		t.Fatalf("cases %+v", cs)
	}
}

func TestReportNumbers(t *testing.T) {
	f := newFx(t)
	f.must(cat(verified(), one("UA", RemainsTransferred{Stage: "stage-1", Category: "remains", From: "UA", To: "RU", Count: 1212}),
		one("RU", RemainsAcknowledged{Stage: "stage-1", From: "UA", Count: 1200}),
		one("TR", civPlan), approve("round-1"),
		one("RU", HandedOver{Round: "round-1", Person: rc4}),
		one("UA", Acknowledged{Round: "round-1", Person: rc4, Status: ReceivedIdentified}),
		one("TR", ChildCaseOpened{Case: "case-1", Child: ch1}))...)
	r := f.s.Report()
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	j := string(b)
	for _, want := range []string{
		`{"stage":"stage-1","category":"remains","from":"UA","to":"RU","mutual":false,"handed_over":1212,"acknowledged":1200,`,
		`"sent":1212,"received":1200,"status":"open"`,
		`{"category":"civilians","from":"RU","to":"UA","requested":2,"confirmed":0,"handed_over":1,"acknowledged":1,`,
		`"children":{"on_list":2,"verified":1,"cases":1,"opened":1,`,
		`"discrepancies":{"open":1,"explained":0,"disputed":0,"resolved":0,`,
		fmt.Sprintf(`"entries":%d`, f.idx[len(f.idx)-1]+1),
	} {
		if !strings.Contains(j, want) {
			t.Errorf("report lacks %s:\n%s", want, j)
		}
	}
	for _, x := range private(f.log) {
		if strings.Contains(j, x) {
			t.Errorf("report holds %q", x)
		}
	}
}
