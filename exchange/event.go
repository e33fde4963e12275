package exchange

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"time"

	"tally"
)

// The kinds of event, as they are written in the shared record: each is
// also the kind of the ledger entry that commits to the event.
const (
	KindListSubmitted       = "list-submitted"
	KindListAnswered        = "list-answered"
	KindMemberAppointed     = "commission-member-appointed"
	KindVote                = "commission-vote"
	KindCommissionDecided   = "commission-decided"
	KindPairConfirmed       = "pair-confirmed"
	KindPairRejected        = "pair-rejected"
	KindRoundPlanned        = "round-planned"
	KindRoundApproved       = "round-approved"
	KindHandedOver          = "handed-over"
	KindAcknowledged        = "acknowledged"
	KindDeliveredUnlisted   = "delivered-unlisted"
	KindRemainsTransferred  = "remains-transferred"
	KindRemainsAcknowledged = "remains-acknowledged"
	KindRemainsIdentified   = "remains-identified"
	KindDiscrepancyStatus   = "discrepancy-status"
	KindChildCaseOpened     = "child-case-opened"
	KindChildCaseStep       = "child-case-step"
)

// Kinds returns every event kind, in the order of the process.
func Kinds() []string {
	ks := make([]string, len(kinds))
	for i, k := range kinds {
		ks[i] = k.kind
	}
	return ks
}

var kinds = []struct {
	kind string
	typ  reflect.Type
}{
	{KindListSubmitted, reflect.TypeFor[ListSubmitted]()},
	{KindListAnswered, reflect.TypeFor[ListAnswered]()},
	{KindMemberAppointed, reflect.TypeFor[MemberAppointed]()},
	{KindVote, reflect.TypeFor[Vote]()},
	{KindCommissionDecided, reflect.TypeFor[CommissionDecided]()},
	{KindPairConfirmed, reflect.TypeFor[PairConfirmed]()},
	{KindPairRejected, reflect.TypeFor[PairRejected]()},
	{KindRoundPlanned, reflect.TypeFor[RoundPlanned]()},
	{KindRoundApproved, reflect.TypeFor[RoundApproved]()},
	{KindHandedOver, reflect.TypeFor[HandedOver]()},
	{KindAcknowledged, reflect.TypeFor[Acknowledged]()},
	{KindDeliveredUnlisted, reflect.TypeFor[DeliveredUnlisted]()},
	{KindRemainsTransferred, reflect.TypeFor[RemainsTransferred]()},
	{KindRemainsAcknowledged, reflect.TypeFor[RemainsAcknowledged]()},
	{KindRemainsIdentified, reflect.TypeFor[RemainsIdentified]()},
	{KindDiscrepancyStatus, reflect.TypeFor[DiscrepancyStatusSet]()},
	{KindChildCaseOpened, reflect.TypeFor[ChildCaseOpened]()},
	{KindChildCaseStep, reflect.TypeFor[ChildCaseStep]()},
}

func kindType(kind string) reflect.Type {
	for _, k := range kinds {
		if k.kind == kind {
			return k.typ
		}
	}
	return nil
}

// Event is one step of the process, taken by a party or the mediator (By,
// its code) and signed by a person (Actor, their name as they sign). Body
// is one of the body types below, the one Kind names (a value, not a
// pointer). An event carries refs and tags, never a name or a personal
// detail of the persons exchanged: those stay in the lists.
type Event struct {
	Kind  string
	By    string
	Actor string
	At    time.Time
	Body  any
}

// PersonRef names a person by a row of a list: ref "UA-0017" in list
// "ua-request".
type PersonRef struct {
	List string `json:"list,omitempty"`
	Ref  string `json:"ref,omitempty"`
}

func (p PersonRef) String() string { return p.Ref + " (" + p.List + ")" }

// ListSubmitted is a party's list, or a new version of it, put to the other
// party for review. By is the submitting party. Rows name the rows by ref
// and, where the row gives one, the agreement's category.
type ListSubmitted struct {
	List    string    `json:"list,omitempty"`
	Version int       `json:"version,omitempty"`
	Kind    string    `json:"kind,omitempty"` // request, custody, remains or children
	Rows    []ListRow `json:"rows,omitempty"`
}

// ListRow is one row of a submitted list.
type ListRow struct {
	Ref      string `json:"ref,omitempty"`
	Category string `json:"category,omitempty"`
}

// ListAnswered is the receiving party's answer to rows of a list version:
// each accepted, or objected to with a code.
type ListAnswered struct {
	List    string   `json:"list,omitempty"`
	Version int      `json:"version,omitempty"`
	Answers []Answer `json:"answers,omitempty"`
}

// Answer is the answer to one row.
type Answer struct {
	Ref       string `json:"ref,omitempty"`
	Accepted  bool   `json:"accepted,omitempty"`
	Objection string `json:"objection,omitempty"` // an Objection code when not accepted
	Text      string `json:"text,omitempty"`      // required with objection "other"
}

// The objections a receiving party may raise against a row.
const (
	ObjectionNotEligible      = "not-eligible"
	ObjectionNotInCustody     = "not-in-custody"
	ObjectionUnknownPerson    = "unknown-person"
	ObjectionAlreadyExchanged = "already-exchanged"
	ObjectionDuplicate        = "duplicate"
	ObjectionOther            = "other"
)

// Objections returns the objection codes.
func Objections() []string {
	return []string{ObjectionNotEligible, ObjectionNotInCustody, ObjectionUnknownPerson,
		ObjectionAlreadyExchanged, ObjectionDuplicate, ObjectionOther}
}

// MemberAppointed appoints a member of the medical commission. Side is the
// party the member sits for, or the mediator's code for a neutral member;
// only that side may appoint them (By == Side).
type MemberAppointed struct {
	Member string `json:"member,omitempty"` // the member's name, as they sign
	Side   string `json:"side,omitempty"`
}

// The commission's decisions on a person.
const (
	Eligible    = "eligible"
	NotEligible = "not-eligible"
	Reexamine   = "re-examine"
)

// Vote is a commission member's vote on a person's eligibility for a
// medical category. By is the member's side.
type Vote struct {
	Person   PersonRef `json:"person"`
	Category string    `json:"category,omitempty"`
	Decision string    `json:"decision,omitempty"`
	Member   string    `json:"member,omitempty"`
}

// CommissionDecided records the commission's decision on a person, which
// must be the one a majority of the votes cast carries.
type CommissionDecided struct {
	Person   PersonRef `json:"person"`
	Category string    `json:"category,omitempty"`
	Decision string    `json:"decision,omitempty"`
}

// PairConfirmed confirms that a row of a request list and a row of the
// other party's custody list are the same person, as matching proposed.
type PairConfirmed struct {
	Request PersonRef `json:"request"`
	Custody PersonRef `json:"custody"`
}

// PairRejected records that the two rows are not the same person; it
// withdraws the pair if it was confirmed.
type PairRejected struct {
	Request PersonRef `json:"request"`
	Custody PersonRef `json:"custody"`
	Text    string    `json:"text,omitempty"`
}

// RoundPlanned plans an exchange round, or replans it until both parties
// have approved it. Date is the planned day, YYYY-MM-DD.
type RoundPlanned struct {
	Round     string     `json:"round,omitempty"`
	Date      string     `json:"date,omitempty"`
	Manifests []Manifest `json:"manifests,omitempty"`
	Omissions []Omission `json:"omissions,omitempty"`
}

// Manifest is who one party hands over to the other in one category.
type Manifest struct {
	From     string      `json:"from,omitempty"`
	To       string      `json:"to,omitempty"`
	Category string      `json:"category,omitempty"`
	Persons  []PersonRef `json:"persons,omitempty"`
}

// Omission is the recorded reason why a person confirmed eligible under
// all-for-all terms is on no manifest of the round.
type Omission struct {
	From     string    `json:"from,omitempty"`
	Category string    `json:"category,omitempty"`
	Person   PersonRef `json:"person"`
	Reason   string    `json:"reason,omitempty"`
}

// RoundApproved is one party's approval of a round's plan.
type RoundApproved struct {
	Round string `json:"round,omitempty"`
}

// HandedOver records, on the day, that the sending party handed a person
// on its manifest over.
type HandedOver struct {
	Round  string    `json:"round,omitempty"`
	Person PersonRef `json:"person"`
}

// The receiving party's acknowledgement of a person of a round.
const (
	ReceivedIdentified = "received-identified"
	ReceivedDisputed   = "received-disputed"
	NotDelivered       = "not-delivered"
)

// Acknowledged is the receiving party's acknowledgement of one person of a
// round's manifest.
type Acknowledged struct {
	Round  string    `json:"round,omitempty"`
	Person PersonRef `json:"person"`
	Status string    `json:"status,omitempty"`
	Note   string    `json:"note,omitempty"`
}

// DeliveredUnlisted records a person delivered in a round but on no
// manifest. Ref points at a description kept off the record.
type DeliveredUnlisted struct {
	Round    string `json:"round,omitempty"`
	From     string `json:"from,omitempty"`
	Category string `json:"category,omitempty"`
	Ref      string `json:"ref,omitempty"`
}

// RemainsTransferred is one stage of remains handed over From → To: a
// count and, where known, the tags (body numbers). A mutual stage has a
// transfer each way under the same Stage, both marked Mutual.
type RemainsTransferred struct {
	Stage    string   `json:"stage,omitempty"`
	Category string   `json:"category,omitempty"`
	From     string   `json:"from,omitempty"`
	To       string   `json:"to,omitempty"`
	Count    int      `json:"count,omitempty"`
	Tags     []string `json:"tags,omitempty"`
	Mutual   bool     `json:"mutual,omitempty"`
}

// RemainsAcknowledged is the receiving party's count of what it received
// of the transfer of stage Stage from From.
type RemainsAcknowledged struct {
	Stage string `json:"stage,omitempty"`
	From  string `json:"from,omitempty"`
	Count int    `json:"count,omitempty"`
}

// The results of identifying remains.
const (
	Identified   = "identified"
	Unidentified = "unidentified"
)

// RemainsIdentified records the receiving party's identification result for
// one tag: identified as a missing person (a row of a list), by a method;
// or still unidentified.
type RemainsIdentified struct {
	Stage   string     `json:"stage,omitempty"`
	From    string     `json:"from,omitempty"`
	Tag     string     `json:"tag,omitempty"`
	Result  string     `json:"result,omitempty"`
	Missing *PersonRef `json:"missing,omitempty"`
	Method  string     `json:"method,omitempty"`
}

// The statuses of a discrepancy.
const (
	Open      = "open"
	Explained = "explained"
	Disputed  = "disputed"
	Resolved  = "resolved"
)

// DiscrepancyStatusSet is a party's step on a discrepancy: explaining it,
// disputing the explanation, or agreeing that it is resolved (it is
// resolved once both parties have agreed).
type DiscrepancyStatusSet struct {
	Discrepancy int    `json:"discrepancy,omitempty"`
	Status      string `json:"status,omitempty"`
	Text        string `json:"text,omitempty"`
}

// ChildCaseOpened opens the case of a child on a verified children list.
type ChildCaseOpened struct {
	Case  string    `json:"case,omitempty"`
	Child PersonRef `json:"child"`
}

// The steps of a child's case, in order, and the two ends short of return.
const (
	StepOpened             = "opened"
	StepLocated            = "located"
	StepIdentityVerified   = "identity-verified"
	StepGuardianConsenting = "guardian-consenting"
	StepReturnArranged     = "return-arranged"
	StepReturned           = "returned"
	StepNotFound           = "not-found"
	StepDeclined           = "declined"
)

// ChildCaseStep is one step of a child's case, recorded by the side or the
// mediator that took it. Reason is required for not-found and declined.
type ChildCaseStep struct {
	Case   string `json:"case,omitempty"`
	Step   string `json:"step,omitempty"`
	Reason string `json:"reason,omitempty"`
}

// wire is the canonical form of an event.
type wire struct {
	Kind  string          `json:"kind"`
	By    string          `json:"by"`
	Actor string          `json:"actor"`
	At    string          `json:"at"`
	Body  json.RawMessage `json:"body"`
}

const timeLayout = "2006-01-02T15:04:05.000Z"

// Encode writes e in its canonical form: JSON with the fields in a fixed
// order (kind, by, actor, at, body), empty fields left out of the body, the
// time in UTC to the millisecond, and no HTML escaping. Equal events encode
// to equal bytes. At is truncated to the millisecond.
func Encode(e Event) ([]byte, error) {
	t := kindType(e.Kind)
	if t == nil {
		return nil, tally.Errorf(tally.EInvalid, "%q is not a kind of event", e.Kind)
	}
	if e.Body == nil || reflect.TypeOf(e.Body) != t {
		return nil, tally.Errorf(tally.EInvalid, "an event of kind %s needs a body of type exchange.%s, not %T", e.Kind, t.Name(), e.Body)
	}
	if e.At.IsZero() {
		return nil, tally.Errorf(tally.EInvalid, "an event needs the time it was taken")
	}
	at := e.At.UTC()
	if at.Year() < 1 || at.Year() > 9999 {
		return nil, tally.Errorf(tally.EInvalid, "the time %s is out of range", at)
	}
	body, err := marshal(e.Body)
	if err != nil {
		return nil, err
	}
	return marshal(wire{Kind: e.Kind, By: e.By, Actor: e.Actor, At: at.Format(timeLayout), Body: body})
}

func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, &tally.Error{Code: tally.EInvalid, Message: "cannot encode the event", Err: err}
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// Decode reads an event in the canonical form Encode writes, and nothing
// else: unknown kinds and fields, missing fields, other spacing, field
// order or escapes are all refused, so that one event has one encoding.
func Decode(b []byte) (Event, error) {
	bad := func(format string, args ...any) (Event, error) {
		return Event{}, tally.Errorf(tally.EInvalid, "not an event: "+format, args...)
	}
	var w wire
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	if err := d.Decode(&w); err != nil {
		return bad("%v", err)
	}
	if d.More() {
		return bad("data after the event")
	}
	t := kindType(w.Kind)
	if t == nil {
		return bad("%q is not a kind of event", w.Kind)
	}
	at, err := time.Parse(timeLayout, w.At)
	if err != nil {
		return bad("the time %q is not in the form 2006-01-02T15:04:05.000Z", w.At)
	}
	if at.IsZero() {
		return bad("an event needs the time it was taken")
	}
	body := reflect.New(t)
	bd := json.NewDecoder(bytes.NewReader(w.Body))
	bd.DisallowUnknownFields()
	if err := bd.Decode(body.Interface()); err != nil {
		return bad("the body of %s: %v", w.Kind, err)
	}
	if bd.More() {
		return bad("data after the body")
	}
	e := Event{Kind: w.Kind, By: w.By, Actor: w.Actor, At: at, Body: body.Elem().Interface()}
	again, err := Encode(e)
	if err != nil {
		return Event{}, err
	}
	if !bytes.Equal(again, b) {
		return bad("it is not in canonical form (tally writes it as %s)", shorten(again))
	}
	return e, nil
}

// DecodeBody reads the JSON body of an event of kind, as a client of the
// server's API sends it, into the kind's body type (a value): unknown
// kinds and fields are refused, so that a misspelt field is an error and
// not a step taken without it.
func DecodeBody(kind string, b []byte) (any, error) {
	t := kindType(kind)
	if t == nil {
		return nil, &tally.Error{Code: tally.EInvalid, Key: "kind", Message: fmt.Sprintf("%q is not a kind of step", kind),
			Hint: "one of " + strings.Join(Kinds(), ", ")}
	}
	body := reflect.New(t)
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	if err := d.Decode(body.Interface()); err != nil {
		return nil, &tally.Error{Code: tally.EInvalid, Key: "body", Message: fmt.Sprintf("the body of a %s step: %v", kind, err)}
	}
	if d.More() {
		return nil, &tally.Error{Code: tally.EInvalid, Key: "body", Message: fmt.Sprintf("the body of a %s step has data after it", kind)}
	}
	return body.Elem().Interface(), nil
}

func shorten(b []byte) string {
	if len(b) > 200 {
		return fmt.Sprintf("%s…", b[:200])
	}
	return string(b)
}
