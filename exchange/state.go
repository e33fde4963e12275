package exchange

import (
	"fmt"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"time"

	"tally"
)

// State is what the events applied so far add up to under one agreement.
// It is built only by Apply, one event at a time, in the order of the log;
// the queries and the report read it. A State is not safe for concurrent
// use, unless frozen (see Freeze).
type State struct {
	a        *tally.Agreement
	parties  [2]string
	mediator string
	last     int64 // the log index of the last applied event, -1 before any
	frozen   bool  // see Freeze

	reportOnce   sync.Once // a frozen state's report, counted once
	frozenReport Report

	lists     map[string]*list
	listOrder []string

	members     map[string]*member
	memberOrder []string
	exams       map[examKey]*exam
	examOrder   []examKey

	pairs     map[PersonRef]*pair // by request and by custody row, both
	pairOrder []*pair

	rounds     map[string]*round
	roundOrder []string

	transfers     map[transferKey]*transfer
	transferOrder []transferKey
	discrepancies []*discrepancy

	cases     map[string]*childCase
	caseOrder []string
}

// NewState returns the empty state of agreement a, which must have two
// parties (as a checked agreement has).
func NewState(a *tally.Agreement) *State {
	s := &State{
		a:         a,
		last:      -1,
		lists:     map[string]*list{},
		members:   map[string]*member{},
		exams:     map[examKey]*exam{},
		pairs:     map[PersonRef]*pair{},
		rounds:    map[string]*round{},
		transfers: map[transferKey]*transfer{},
		cases:     map[string]*childCase{},
	}
	for i := 0; i < len(a.Parties) && i < 2; i++ {
		s.parties[i] = a.Parties[i].Code
	}
	if a.Mediator != nil {
		s.mediator = a.Mediator.Code
	}
	return s
}

// Entries returns how many log entries the state covers: the index after
// the last applied event's.
func (s *State) Entries() int64 { return s.last + 1 }

// Freeze makes the state read only: Apply refuses every event after it.
// The queries and the report only read, so a frozen state may be read from
// several goroutines at once; the service shares a replayed process
// between requests so.
func (s *State) Freeze() { s.frozen = true }

// step is the event being applied, with its place in the log.
type step struct {
	index int64
	by    string // the agreement's spelling of the acting code
	actor string
	at    time.Time
}

// Apply checks that the event at log index index may be taken — by whom
// it names, in the present state — and, if so, applies it. It is all or
// nothing: an event it refuses leaves the state as it was. Indexes must
// increase (the log holds other entries too, so they may skip).
func (s *State) Apply(index int64, e Event) error {
	if s.frozen {
		return tally.Errorf(tally.EInternal, "the state of agreement %s is frozen, shared between readers: no event may be applied to it", s.a.ID)
	}
	if index <= s.last {
		return tally.Errorf(tally.EInvalid, "entry %d comes after entry %d, not before", index, s.last)
	}
	if t := kindType(e.Kind); t == nil {
		return tally.Errorf(tally.EInvalid, "%q is not a kind of event", e.Kind)
	} else if e.Body == nil || reflect.TypeOf(e.Body) != t {
		return tally.Errorf(tally.EInvalid, "an event of kind %s needs a body of type exchange.%s, not %T", e.Kind, t.Name(), e.Body)
	}
	if e.At.IsZero() {
		return tally.Errorf(tally.EInvalid, "an event needs the time it was taken")
	}
	if strings.TrimSpace(e.Actor) == "" {
		return tally.Errorf(tally.EInvalid, "an event needs the name of the person taking it, as they sign")
	}
	by, ok := s.who(e.By)
	if !ok {
		return tally.Errorf(tally.EInvalid, "%q is neither a party to agreement %s nor its mediator", e.By, s.a.ID)
	}
	st := step{index: index, by: by, actor: e.Actor, at: e.At.UTC().Truncate(time.Millisecond)} // as Encode writes it
	var commit func()
	var err error
	switch b := e.Body.(type) {
	case ListSubmitted:
		commit, err = s.listSubmitted(st, b)
	case ListAnswered:
		commit, err = s.listAnswered(st, b)
	case MemberAppointed:
		commit, err = s.memberAppointed(st, b)
	case Vote:
		commit, err = s.vote(st, b)
	case CommissionDecided:
		commit, err = s.commissionDecided(st, b)
	case PairConfirmed:
		commit, err = s.pairConfirmed(st, b)
	case PairRejected:
		commit, err = s.pairRejected(st, b)
	case RoundPlanned:
		commit, err = s.roundPlanned(st, b)
	case RoundApproved:
		commit, err = s.roundApproved(st, b)
	case HandedOver:
		commit, err = s.handedOver(st, b)
	case Acknowledged:
		commit, err = s.acknowledged(st, b)
	case DeliveredUnlisted:
		commit, err = s.deliveredUnlisted(st, b)
	case RemainsTransferred:
		commit, err = s.remainsTransferred(st, b)
	case RemainsAcknowledged:
		commit, err = s.remainsAcknowledged(st, b)
	case RemainsIdentified:
		commit, err = s.remainsIdentified(st, b)
	case DiscrepancyStatusSet:
		commit, err = s.discrepancyStatus(st, b)
	case ChildCaseOpened:
		commit, err = s.childCaseOpened(st, b)
	case ChildCaseStep:
		commit, err = s.childCaseStep(st, b)
	default:
		return tally.Errorf(tally.EInvalid, "%T is not an event body", e.Body)
	}
	if err != nil {
		return err
	}
	commit()
	s.last = index
	return nil
}

// who returns the agreement's spelling of a party's or the mediator's code.
func (s *State) who(code string) (string, bool) {
	code = strings.TrimSpace(code)
	if code == "" {
		return "", false
	}
	for _, p := range s.parties {
		if p != "" && strings.EqualFold(p, code) {
			return p, true
		}
	}
	if s.mediator != "" && strings.EqualFold(s.mediator, code) {
		return s.mediator, true
	}
	return "", false
}

func (s *State) isParty(code string) bool { return code != "" && code != s.mediator }

// party returns the agreement's spelling of a party's code (not the
// mediator's).
func (s *State) party(code string) (string, bool) {
	c, ok := s.who(code)
	return c, ok && s.isParty(c)
}

// other returns the other party.
func (s *State) other(p string) string {
	if p == s.parties[0] {
		return s.parties[1]
	}
	return s.parties[0]
}

// category returns a category of the agreement by id.
func (s *State) category(id string) (*tally.Category, error) {
	if strings.TrimSpace(id) == "" {
		return nil, tally.Errorf(tally.EInvalid, "a category is needed")
	}
	c, ok := s.a.Category(id)
	if !ok {
		ids := make([]string, len(s.a.Categories))
		for i, c := range s.a.Categories {
			ids[i] = c.ID
		}
		return nil, &tally.Error{Code: tally.EInvalid, Message: fmt.Sprintf("agreement %s has no category %q", s.a.ID, id),
			Hint: "use one of " + strings.Join(ids, ", ")}
	}
	return c, nil
}

// forParty checks that the actor by acts for party p: "the mediator
// cannot act for UA", "RU cannot act for UA".
func (s *State) forParty(by, p, what string) error {
	if by == p {
		return nil
	}
	if by == s.mediator {
		return tally.Errorf(tally.EInvalid, "the mediator cannot act for %s: only %s can %s", p, p, what)
	}
	return tally.Errorf(tally.EInvalid, "%s cannot act for %s: only %s can %s", by, p, p, what)
}

// notMediator refuses a party's step taken by the mediator.
func (s *State) notMediator(by, what string) error {
	if by == s.mediator {
		return tally.Errorf(tally.EInvalid, "the mediator cannot %s: only a party can", what)
	}
	return nil
}

var idPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,63}$`)

// checkID checks an identifier the users choose: a list, round, stage or
// case id.
func checkID(what, id string) error {
	if !idPattern.MatchString(id) {
		return tally.Errorf(tally.EInvalid, "%q is not a valid %s id: use 1 to 64 lower-case letters, digits and '-'", id, what)
	}
	return nil
}

// checkRef checks a row ref or a tag: not empty, one line, not long.
func checkRef(what, ref string) error {
	switch {
	case strings.TrimSpace(ref) == "":
		return tally.Errorf(tally.EInvalid, "a %s cannot be empty", what)
	case ref != strings.TrimSpace(ref):
		return tally.Errorf(tally.EInvalid, "the %s %q has spaces around it", what, ref)
	case len(ref) > 128:
		return tally.Errorf(tally.EInvalid, "the %s %q is longer than 128 bytes", what, ref[:32]+"…")
	case strings.ContainsAny(ref, "\n\r\t"):
		return tally.Errorf(tally.EInvalid, "the %s %q has a line break or tab", what, ref)
	}
	return nil
}

func checkText(what, text string, required bool) error {
	if required && strings.TrimSpace(text) == "" {
		return tally.Errorf(tally.EInvalid, "%s needs a text saying why", what)
	}
	if len(text) > 4000 {
		return tally.Errorf(tally.EInvalid, "the text of %s is longer than 4000 bytes", what)
	}
	return nil
}

func conflict(format string, args ...any) error {
	return tally.Errorf(tally.EConflict, format, args...)
}

func notFound(format string, args ...any) error {
	return tally.Errorf(tally.ENotFound, format, args...)
}

func invalid(format string, args ...any) error {
	return tally.Errorf(tally.EInvalid, format, args...)
}
