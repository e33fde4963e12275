package exchange

import (
	"slices"
	"time"

	"tally"
)

type discrepancy struct {
	id                  int
	stage, from, to     string
	sent, received      int
	sentEntry, ackEntry int64
	sentBy, sentActor   string
	ackBy, ackActor     string
	status              string
	opened              time.Time
	agreed              map[string]bool // parties that agreed it is resolved
	history             []StatusChange
}

// StatusChange is one step on a discrepancy.
type StatusChange struct {
	Status string
	By     string
	Actor  string
	At     time.Time
	Text   string
	Entry  int64
}

// Discrepancy is a difference between the count of remains a party handed
// over and the count the other acknowledged, with both figures and the
// entries (and so the signatures) that gave them.
type Discrepancy struct {
	ID              int
	Stage, From, To string
	Sent, Received  int
	SentEntry       int64 // the transfer's entry, signed by From
	AckEntry        int64 // the acknowledgement's entry, signed by To
	SentBy          string
	SentActor       string
	AckBy           string
	AckActor        string
	Status          string
	Opened          time.Time
	AgreedResolved  []string // parties that agreed it is resolved, while not both
	History         []StatusChange
}

func (s *State) discrepancyStatus(st step, b DiscrepancyStatusSet) (func(), error) {
	if st.by == s.mediator {
		return nil, invalid("the mediator cannot set a discrepancy's status: the parties explain, dispute and resolve their own figures")
	}
	if b.Discrepancy < 1 || b.Discrepancy > len(s.discrepancies) {
		return nil, notFound("there is no discrepancy %d", b.Discrepancy)
	}
	d := s.discrepancies[b.Discrepancy-1]
	if d.status == Resolved {
		return nil, conflict("discrepancy %d is resolved", d.id)
	}
	if err := checkText("a discrepancy's "+b.Status, b.Text, b.Status == Explained || b.Status == Disputed); err != nil {
		return nil, err
	}
	switch b.Status {
	case Explained:
	case Disputed:
		if d.status == Disputed {
			return nil, conflict("discrepancy %d is disputed already", d.id)
		}
		if d.status == Explained && d.history[len(d.history)-1].By == st.by {
			return nil, conflict("%s cannot dispute its own explanation of discrepancy %d: explain it again instead", st.by, d.id)
		}
	case Resolved:
		if d.agreed[st.by] {
			return nil, conflict("%s has agreed that discrepancy %d is resolved already; %s has not", st.by, d.id, s.other(st.by))
		}
	case Open:
		return nil, invalid("a discrepancy is opened by tally when two counts differ, not by a party")
	default:
		return nil, invalid("%q is not a status of a discrepancy: use explained, disputed or resolved", b.Status)
	}
	return func() {
		d.history = append(d.history, StatusChange{Status: b.Status, By: st.by, Actor: st.actor, At: st.at, Text: b.Text, Entry: st.index})
		if b.Status != Resolved {
			d.status = b.Status
			clear(d.agreed)
			return
		}
		d.agreed[st.by] = true
		if len(d.agreed) == 2 {
			d.status = Resolved
		}
	}, nil
}

// Discrepancies returns every discrepancy, by id.
func (s *State) Discrepancies() []Discrepancy {
	out := make([]Discrepancy, 0, len(s.discrepancies))
	for _, d := range s.discrepancies {
		x := Discrepancy{ID: d.id, Stage: d.stage, From: d.from, To: d.to, Sent: d.sent, Received: d.received,
			SentEntry: d.sentEntry, AckEntry: d.ackEntry, SentBy: d.sentBy, SentActor: d.sentActor, AckBy: d.ackBy,
			AckActor: d.ackActor, Status: d.status, Opened: d.opened, History: slices.Clone(d.history)}
		if d.status != Resolved {
			for _, p := range s.parties {
				if d.agreed[p] {
					x.AgreedResolved = append(x.AgreedResolved, p)
				}
			}
		}
		out = append(out, x)
	}
	return out
}

type childCase struct {
	id      string
	child   PersonRef
	list    *list
	step    string
	reason  string
	entry   int64
	history []CaseStep
}

// CaseStep is one recorded step of a child's case.
type CaseStep struct {
	Step   string
	By     string
	Actor  string
	At     time.Time
	Reason string
	Entry  int64
}

// ChildCase is where a child's case stands.
type ChildCase struct {
	Case    string
	Child   PersonRef
	Step    string // the current step
	Reason  string // for not-found and declined
	Entry   int64  // the entry that opened the case
	History []CaseStep
}

// next lists the steps that may follow each step of a child's case.
var next = map[string][]string{
	StepOpened:             {StepLocated, StepNotFound},
	StepLocated:            {StepIdentityVerified, StepDeclined},
	StepIdentityVerified:   {StepGuardianConsenting, StepDeclined},
	StepGuardianConsenting: {StepReturnArranged, StepDeclined},
	StepReturnArranged:     {StepReturned, StepDeclined},
}

// Steps returns the steps of a child's case in order, the last three ends.
func Steps() []string {
	return []string{StepOpened, StepLocated, StepIdentityVerified, StepGuardianConsenting, StepReturnArranged,
		StepReturned, StepNotFound, StepDeclined}
}

func (s *State) childCaseOpened(st step, b ChildCaseOpened) (func(), error) {
	if err := checkID("case", b.Case); err != nil {
		return nil, err
	}
	if s.cases[b.Case] != nil {
		return nil, conflict("case %s is open already", b.Case)
	}
	l, _, err := s.row(b.Child)
	if err != nil {
		return nil, err
	}
	if l.kind != string(tally.KindChildren) {
		return nil, invalid("list %s is a %s list: a child's case is opened from a children list", l.id, l.kind)
	}
	if !s.accepted(b.Child) {
		return nil, conflict("%s has not accepted %s on list %s: a case is opened only from the verified list", l.receiver, b.Child.Ref, l.id)
	}
	for _, id := range s.caseOrder {
		if c := s.cases[id]; c.child == b.Child {
			return nil, conflict("%s has a case already: %s", b.Child.Ref, id)
		}
	}
	return func() {
		c := &childCase{id: b.Case, child: b.Child, list: l, step: StepOpened, entry: st.index,
			history: []CaseStep{{Step: StepOpened, By: st.by, Actor: st.actor, At: st.at, Entry: st.index}}}
		s.cases[b.Case] = c
		s.caseOrder = append(s.caseOrder, b.Case)
	}, nil
}

func (s *State) childCaseStep(st step, b ChildCaseStep) (func(), error) {
	c := s.cases[b.Case]
	if c == nil {
		return nil, notFound("there is no case %q", b.Case)
	}
	if !slices.Contains(Steps(), b.Step) || b.Step == StepOpened {
		return nil, invalid("%q is not a step of a child's case: use located, identity-verified, guardian-consenting, return-arranged, returned, not-found or declined", b.Step)
	}
	if !slices.Contains(next[c.step], b.Step) {
		if len(next[c.step]) == 0 {
			return nil, conflict("case %s is closed (%s)", c.id, c.step)
		}
		return nil, conflict("case %s is at %s: the next step is %s, not %s", c.id, c.step, orList(next[c.step]), b.Step)
	}
	if err := checkText("step "+b.Step, b.Reason, b.Step == StepNotFound || b.Step == StepDeclined); err != nil {
		return nil, err
	}
	if b.Step == StepReturned && st.by != c.list.submitter && st.by != s.mediator {
		return nil, invalid("%s cannot record %s as returned: only %s, to whom the child returns, or the mediator can", st.by, b.Case, c.list.submitter)
	}
	return func() {
		c.step, c.reason = b.Step, b.Reason
		c.history = append(c.history, CaseStep{Step: b.Step, By: st.by, Actor: st.actor, At: st.at, Reason: b.Reason, Entry: st.index})
	}, nil
}

func orList(xs []string) string {
	switch len(xs) {
	case 0:
		return ""
	case 1:
		return xs[0]
	}
	out := xs[0]
	for _, x := range xs[1 : len(xs)-1] {
		out += ", " + x
	}
	return out + " or " + xs[len(xs)-1]
}

// ChildCases returns every child's case, in the order opened.
func (s *State) ChildCases() []ChildCase {
	out := make([]ChildCase, 0, len(s.caseOrder))
	for _, id := range s.caseOrder {
		c := s.cases[id]
		out = append(out, ChildCase{Case: c.id, Child: c.child, Step: c.step, Reason: c.reason, Entry: c.entry,
			History: slices.Clone(c.history)})
	}
	return out
}
