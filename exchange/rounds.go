package exchange

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"tally"
)

type pair struct {
	request, custody PersonRef
	by, actor        string
	entry            int64
}

// Pair is a confirmed pair: a request row and a custody row that a person
// confirmed are the same person.
type Pair struct {
	Request, Custody PersonRef
	By               string // the party that confirmed it
	Entry            int64
}

func (s *State) pairRows(req, cus PersonRef) error {
	rl, _, err := s.row(req)
	if err != nil {
		return err
	}
	cl, _, err := s.row(cus)
	if err != nil {
		return err
	}
	if rl.kind != string(tally.KindRequest) {
		return invalid("list %s is a %s list, not a request list", rl.id, rl.kind)
	}
	if cl.kind != string(tally.KindCustody) {
		return invalid("list %s is a %s list, not a custody list", cl.id, cl.kind)
	}
	if rl.submitter == cl.submitter {
		return invalid("%s's request list %s cannot be paired with its own custody list %s", rl.submitter, rl.id, cl.id)
	}
	return nil
}

func (s *State) pairConfirmed(st step, b PairConfirmed) (func(), error) {
	if err := s.notMediator(st.by, "confirm a pair"); err != nil {
		return nil, err
	}
	if err := s.pairRows(b.Request, b.Custody); err != nil {
		return nil, err
	}
	if p := s.pairs[b.Request]; p != nil {
		if p.custody == b.Custody {
			return nil, conflict("%s and %s are confirmed as a pair already", b.Request.Ref, b.Custody.Ref)
		}
		return nil, conflict("%s is paired with %s already: reject that pair first", b.Request.Ref, p.custody.Ref)
	}
	if p := s.pairs[b.Custody]; p != nil {
		return nil, conflict("%s is paired with %s already: reject that pair first", b.Custody.Ref, p.request.Ref)
	}
	return func() {
		p := &pair{request: b.Request, custody: b.Custody, by: st.by, actor: st.actor, entry: st.index}
		s.pairs[b.Request], s.pairs[b.Custody] = p, p
		s.pairOrder = append(s.pairOrder, p)
	}, nil
}

func (s *State) pairRejected(st step, b PairRejected) (func(), error) {
	if err := s.notMediator(st.by, "reject a pair"); err != nil {
		return nil, err
	}
	if err := s.pairRows(b.Request, b.Custody); err != nil {
		return nil, err
	}
	if err := checkText("a rejection", b.Text, false); err != nil {
		return nil, err
	}
	p := s.pairs[b.Request]
	if p == nil || p.custody != b.Custody {
		// A rejected proposal: recorded in the log, nothing to undo here.
		return func() {}, nil
	}
	if s.handedAnywhere(b.Custody) != "" || s.handedAnywhere(b.Request) != "" {
		return nil, conflict("%s was handed over already; the pair with %s stands", b.Custody.Ref, b.Request.Ref)
	}
	return func() {
		delete(s.pairs, b.Request)
		delete(s.pairs, b.Custody)
		s.pairOrder = slices.DeleteFunc(s.pairOrder, func(q *pair) bool { return q == p })
	}, nil
}

// Pairs returns the confirmed pairs in force, in the order confirmed.
func (s *State) Pairs() []Pair {
	out := make([]Pair, 0, len(s.pairOrder))
	for _, p := range s.pairOrder {
		out = append(out, Pair{Request: p.request, Custody: p.custody, By: p.by, Entry: p.entry})
	}
	return out
}

// canonical returns the ref a person is known by across lists: the custody
// row of a confirmed pair, otherwise the ref itself.
func (s *State) canonical(p PersonRef) PersonRef {
	if q := s.pairs[p]; q != nil {
		return q.custody
	}
	return p
}

type slot struct {
	person             PersonRef
	from, to, category string
	handed             bool
	handEntry          int64
	ack                string
	ackEntry           int64
	note               string
}

type unlisted struct {
	from, to, category, ref string
	by                      string
	entry                   int64
}

type round struct {
	id, date  string
	plannedBy string
	entry     int64
	at        time.Time
	manifests []Manifest
	omissions []Omission
	approvals map[string]int64
	slots     map[PersonRef]*slot
	slotOrder []PersonRef
	unlisted  []unlisted
}

func (r *round) approved(s *State) bool {
	_, a := r.approvals[s.parties[0]]
	_, b := r.approvals[s.parties[1]]
	return a && b
}

// handedAnywhere returns the round in which the person (by any of their
// refs) was handed over and not acknowledged as not delivered, or "".
func (s *State) handedAnywhere(p PersonRef) string {
	return s.handed()[s.canonical(p)]
}

// handed maps each person handed over and not acknowledged as not
// delivered, by canonical ref, to the round.
func (s *State) handed() map[PersonRef]string {
	m := map[PersonRef]string{}
	for _, id := range s.roundOrder {
		for _, sl := range s.rounds[id].slots {
			if sl.handed && sl.ack != NotDelivered {
				m[s.canonical(sl.person)] = id
			}
		}
	}
	return m
}

func (s *State) roundPlanned(st step, b RoundPlanned) (func(), error) {
	if err := checkID("round", b.Round); err != nil {
		return nil, err
	}
	if d, err := tally.ParseDate(b.Date); err != nil || d.Precision != tally.FullDate || d.String() != b.Date {
		return nil, invalid("round %s needs the planned day as YYYY-MM-DD, not %q", b.Round, b.Date)
	}
	old := s.rounds[b.Round]
	if old != nil && len(old.approvals) == 2 {
		return nil, conflict("round %s was approved by both parties; it cannot be planned again", b.Round)
	}
	if len(b.Manifests) == 0 {
		return nil, invalid("round %s has no manifests", b.Round)
	}
	r := &round{id: b.Round, date: b.Date, plannedBy: st.by, entry: st.index, at: st.at,
		approvals: map[string]int64{}, slots: map[PersonRef]*slot{}}
	canon := map[PersonRef]PersonRef{} // canonical ref → ref on the manifest
	handed := s.handed()
	type mkey struct{ from, category string }
	seen := map[mkey]bool{}
	for _, m := range b.Manifests {
		from, ok1 := s.party(m.From)
		to, ok2 := s.party(m.To)
		if !ok1 || !ok2 || from == to {
			return nil, invalid("a manifest goes from one party to the other, not %q to %q", m.From, m.To)
		}
		c, err := s.category(m.Category)
		if err != nil {
			return nil, err
		}
		if c.Subject == tally.SubjectRemains {
			return nil, invalid("remains (%s) are transferred in stages, not on a round's manifest", c.ID)
		}
		if c.Terms == tally.Unilateral && (from != c.From || to != c.To) {
			return nil, invalid("category %s goes one way only, %s to %s", c.ID, c.From, c.To)
		}
		if seen[mkey{from, c.ID}] {
			return nil, invalid("round %s has two manifests from %s in %s", b.Round, from, c.ID)
		}
		seen[mkey{from, c.ID}] = true
		if len(m.Persons) == 0 {
			return nil, invalid("the manifest from %s in %s names no one", from, c.ID)
		}
		nm := Manifest{From: from, To: to, Category: c.ID}
		for _, p := range m.Persons {
			l, row, err := s.row(p)
			if err != nil {
				return nil, err
			}
			switch {
			case l.kind == string(tally.KindCustody) && l.submitter == from:
			case (l.kind == string(tally.KindRequest) || l.kind == string(tally.KindChildren)) && l.submitter == to:
			default:
				return nil, invalid("%s is on %s's %s list %s: a manifest from %s names persons on %s's custody list or on %s's request list",
					p.Ref, l.submitter, l.kind, l.id, from, from, to)
			}
			if row.Category != "" && row.Category != c.ID {
				return nil, invalid("%s is on list %s in category %s, not %s", p.Ref, l.id, row.Category, c.ID)
			}
			k := s.canonical(p)
			if q, dup := canon[k]; dup {
				if q == p {
					return nil, invalid("round %s names %s twice", b.Round, p.Ref)
				}
				return nil, invalid("round %s names the same person twice: %s and %s are a confirmed pair", b.Round, q.Ref, p.Ref)
			}
			canon[k] = p
			if rid := handed[k]; rid != "" && rid != b.Round {
				return nil, conflict("%s was handed over in round %s already", p.Ref, rid)
			}
			nm.Persons = append(nm.Persons, p)
			r.slots[p] = &slot{person: p, from: from, to: to, category: c.ID, handEntry: -1, ackEntry: -1}
			r.slotOrder = append(r.slotOrder, p)
		}
		r.manifests = append(r.manifests, nm)
	}
	for _, o := range b.Omissions {
		from, ok := s.party(o.From)
		if !ok {
			return nil, invalid("an omission names the party holding the person, not %q", o.From)
		}
		c, err := s.category(o.Category)
		if err != nil {
			return nil, err
		}
		if c.Terms != tally.AllForAll {
			return nil, invalid("omissions are recorded for all-for-all categories; %s is %s", c.ID, c.Terms)
		}
		if _, _, err := s.row(o.Person); err != nil {
			return nil, err
		}
		if _, on := canon[s.canonical(o.Person)]; on {
			return nil, invalid("%s is on a manifest of round %s and cannot also be omitted", o.Person.Ref, b.Round)
		}
		if err := checkText("the omission of "+o.Person.Ref, o.Reason, true); err != nil {
			return nil, err
		}
		r.omissions = append(r.omissions, Omission{From: from, Category: c.ID, Person: o.Person, Reason: o.Reason})
	}
	return func() {
		if old == nil {
			s.roundOrder = append(s.roundOrder, b.Round)
		}
		s.rounds[b.Round] = r
	}, nil
}

func (s *State) roundApproved(st step, b RoundApproved) (func(), error) {
	if st.by == s.mediator {
		return nil, invalid("the mediator cannot approve a round for a party: each party approves it itself")
	}
	r := s.rounds[b.Round]
	if r == nil {
		return nil, notFound("round %q has not been planned", b.Round)
	}
	if _, ok := r.approvals[st.by]; ok {
		return nil, conflict("%s has approved round %s already", st.by, b.Round)
	}
	if err := s.balance(r); err != nil {
		return nil, err
	}
	return func() { r.approvals[st.by] = st.index }, nil
}

// balance checks a round's plan against the terms.
func (s *State) balance(r *round) error {
	count := map[string]map[string]int{} // category → from → persons
	for _, m := range r.manifests {
		if count[m.Category] == nil {
			count[m.Category] = map[string]int{}
		}
		count[m.Category][m.From] += len(m.Persons)
	}
	cats := map[string]bool{}
	for _, m := range r.manifests {
		cats[m.Category] = true
	}
	for _, o := range r.omissions {
		cats[o.Category] = true
	}
	for _, c := range s.a.Categories {
		if !cats[c.ID] {
			continue
		}
		a, b := s.parties[0], s.parties[1]
		switch c.Terms {
		case tally.NForN:
			na, nb := count[c.ID][a], count[c.ID][b]
			ra, rb := c.RatioOf()
			if na*rb != nb*ra {
				if ra == rb {
					return conflict("round %s does not balance in %s: %s hands over %d, %s %d; n-for-n terms need equal numbers", r.id, c.ID, a, na, b, nb)
				}
				return conflict("round %s does not balance in %s: %s hands over %d, %s %d; the agreed ratio is %d for %d", r.id, c.ID, a, na, b, nb, ra, rb)
			}
			for _, p := range s.parties {
				done := s.plannedBefore(r.id, c.ID, p)
				if n := count[c.ID][p]; done+n > c.Quantity {
					return conflict("round %s would take %s's handovers in %s to %d, over the agreed %d (%d in earlier rounds)", r.id, p, c.ID, done+n, c.Quantity, done)
				}
			}
		case tally.AllForAll:
			for _, from := range s.parties {
				if missing := s.uncovered(r, c.ID, from); len(missing) > 0 {
					refs := make([]string, 0, 5)
					for i, p := range missing {
						if i == 5 {
							refs = append(refs, fmt.Sprintf("and %d more", len(missing)-5))
							break
						}
						refs = append(refs, p.Ref)
					}
					return &tally.Error{Code: tally.EConflict,
						Message: fmt.Sprintf("round %s leaves out %d persons %s holds who are confirmed eligible for %s: %s", r.id, len(missing), from, c.ID, strings.Join(refs, ", ")),
						Hint:    "all-for-all terms take every one of them: put them on a manifest or record the reason"}
				}
			}
		}
	}
	return nil
}

// plannedBefore counts the persons party from hands over in category c in
// approved rounds other than round id.
func (s *State) plannedBefore(id, c, from string) int {
	n := 0
	for _, rid := range s.roundOrder {
		r := s.rounds[rid]
		if rid == id || !r.approved(s) {
			continue
		}
		for _, m := range r.manifests {
			if m.Category == c && m.From == from {
				n += len(m.Persons)
			}
		}
	}
	return n
}

// uncovered returns the persons party from holds who are confirmed
// eligible for all-for-all category c, were not handed over in another
// round, and are on none of round r's manifests and have no reason.
func (s *State) uncovered(r *round, c, from string) []PersonRef {
	covered := map[PersonRef]bool{}
	for _, sl := range r.slots {
		covered[s.canonical(sl.person)] = true
	}
	for _, o := range r.omissions {
		covered[s.canonical(o.Person)] = true
	}
	var out []PersonRef
	handed := s.handed()
	for _, id := range s.listOrder {
		l := s.lists[id]
		if l.kind != string(tally.KindCustody) || l.submitter != from {
			continue
		}
		for _, row := range l.latest().rows {
			p := PersonRef{l.id, row.Ref}
			if covered[p] || !s.confirmedEligible(p, c) {
				continue
			}
			if rid := handed[p]; rid != "" && rid != r.id {
				continue
			}
			out = append(out, p)
		}
	}
	return out
}

// confirmedEligible reports whether the person on custody row p is
// confirmed eligible for category c: the commission decided them eligible
// (on either of their rows), or a confirmed pair ties them to a request in
// c that the commission did not find not eligible.
func (s *State) confirmedEligible(p PersonRef, c string) bool {
	q := s.pairs[p]
	if s.eligible(p, c) || (q != nil && s.eligible(q.request, c)) {
		return true
	}
	if q == nil {
		return false
	}
	_, req, err := s.row(q.request)
	if err != nil || req.Category != c {
		return false
	}
	for _, r := range []PersonRef{p, q.request} {
		if e := s.exams[examKey{r, c}]; e != nil && e.decision == NotEligible {
			return false
		}
	}
	return true
}

func (s *State) approvedRound(id, what string) (*round, error) {
	r := s.rounds[id]
	if r == nil {
		return nil, notFound("round %q has not been planned", id)
	}
	if !r.approved(s) {
		var not []string
		for _, p := range s.parties {
			if _, ok := r.approvals[p]; !ok {
				not = append(not, p)
			}
		}
		return nil, conflict("round %s is not approved by both parties yet (%s has not approved it): no %s before", id, strings.Join(not, " and "), what)
	}
	return r, nil
}

func (s *State) handedOver(st step, b HandedOver) (func(), error) {
	r, err := s.approvedRound(b.Round, "handover")
	if err != nil {
		return nil, err
	}
	sl := r.slots[b.Person]
	if sl == nil {
		return nil, conflict("%s is not on round %s's manifests: record a delivery off the manifest as delivered-unlisted", b.Person.Ref, b.Round)
	}
	if err := s.forParty(st.by, sl.from, "record handing over the persons it hands over"); err != nil {
		return nil, err
	}
	if sl.handed {
		return nil, conflict("%s has recorded handing over %s in round %s already", sl.from, b.Person.Ref, b.Round)
	}
	if sl.ack == NotDelivered {
		return nil, conflict("%s has acknowledged %s as not delivered in round %s", sl.to, b.Person.Ref, b.Round)
	}
	return func() { sl.handed, sl.handEntry = true, st.index }, nil
}

func (s *State) acknowledged(st step, b Acknowledged) (func(), error) {
	r, err := s.approvedRound(b.Round, "acknowledgement")
	if err != nil {
		return nil, err
	}
	sl := r.slots[b.Person]
	if sl == nil {
		return nil, conflict("%s is not on round %s's manifests: record a delivery off the manifest as delivered-unlisted", b.Person.Ref, b.Round)
	}
	if err := s.forParty(st.by, sl.to, "acknowledge the persons it receives"); err != nil {
		return nil, err
	}
	switch b.Status {
	case ReceivedIdentified, ReceivedDisputed, NotDelivered:
	default:
		return nil, invalid("%q is not an acknowledgement: use received-identified, received-disputed or not-delivered", b.Status)
	}
	if err := checkText("an acknowledgement", b.Note, false); err != nil {
		return nil, err
	}
	if b.Status != NotDelivered && !sl.handed {
		return nil, conflict("%s cannot acknowledge round %s's handover of %s: %s has not recorded handing them over", st.by, b.Round, b.Person.Ref, sl.from)
	}
	if sl.ack != "" && (sl.ack != ReceivedDisputed || b.Status != ReceivedIdentified) {
		return nil, conflict("%s has acknowledged %s in round %s already (%s)", sl.to, b.Person.Ref, b.Round, sl.ack)
	}
	return func() { sl.ack, sl.ackEntry, sl.note = b.Status, st.index, b.Note }, nil
}

func (s *State) deliveredUnlisted(st step, b DeliveredUnlisted) (func(), error) {
	r, err := s.approvedRound(b.Round, "delivery")
	if err != nil {
		return nil, err
	}
	from, ok := s.party(b.From)
	if !ok {
		return nil, invalid("a delivery names the party that delivered, not %q", b.From)
	}
	if err := s.notMediator(st.by, "record a delivery"); err != nil {
		return nil, err
	}
	c, err := s.category(b.Category)
	if err != nil {
		return nil, err
	}
	if c.Subject == tally.SubjectRemains {
		return nil, invalid("remains (%s) are transferred in stages, not delivered in rounds", c.ID)
	}
	if err := checkRef("delivery ref", b.Ref); err != nil {
		return nil, err
	}
	for _, u := range r.unlisted {
		if u.ref == b.Ref {
			return nil, conflict("round %s has a delivery %s already", b.Round, b.Ref)
		}
	}
	return func() {
		r.unlisted = append(r.unlisted, unlisted{from: from, to: s.other(from), category: c.ID, ref: b.Ref, by: st.by, entry: st.index})
	}, nil
}

// RoundStatus is where a round stands.
type RoundStatus struct {
	Round      string
	Date       string
	PlannedBy  string
	Entry      int64    // the entry of the plan in force
	ApprovedBy []string // the parties that approved the plan in force
	Approved   bool     // by both parties
	Manifests  []ManifestStatus
	Persons    []PersonStatus
	Omissions  []Omission
	Unlisted   int  // persons delivered off the manifests
	Complete   bool // approved, and every person on the manifests acknowledged
}

// ManifestStatus is the progress of one manifest.
type ManifestStatus struct {
	From, To, Category string
	Persons            int
	HandedOver         int
	Received           int // received and identified
	Disputed           int // received, identity disputed
	NotDelivered       int
}

// PersonStatus is the progress of one person on a manifest.
type PersonStatus struct {
	Person             PersonRef
	From, To, Category string
	HandedOver         bool
	HandedOverEntry    int64 // -1 when not handed over
	Acknowledgement    string
	AcknowledgedEntry  int64 // -1 when not acknowledged
}

// Rounds returns every round in the order first planned.
func (s *State) Rounds() []RoundStatus {
	out := make([]RoundStatus, 0, len(s.roundOrder))
	for _, id := range s.roundOrder {
		r := s.rounds[id]
		rs := RoundStatus{Round: r.id, Date: r.date, PlannedBy: r.plannedBy, Entry: r.entry, Approved: r.approved(s),
			Omissions: append([]Omission(nil), r.omissions...), Unlisted: len(r.unlisted)}
		for _, p := range s.parties {
			if _, ok := r.approvals[p]; ok {
				rs.ApprovedBy = append(rs.ApprovedBy, p)
			}
		}
		acked := 0
		for _, m := range r.manifests {
			ms := ManifestStatus{From: m.From, To: m.To, Category: m.Category, Persons: len(m.Persons)}
			for _, p := range m.Persons {
				sl := r.slots[p]
				if sl.handed {
					ms.HandedOver++
				}
				switch sl.ack {
				case ReceivedIdentified:
					ms.Received++
				case ReceivedDisputed:
					ms.Disputed++
				case NotDelivered:
					ms.NotDelivered++
				}
				if sl.ack != "" {
					acked++
				}
				rs.Persons = append(rs.Persons, PersonStatus{Person: p, From: sl.from, To: sl.to, Category: sl.category,
					HandedOver: sl.handed, HandedOverEntry: sl.handEntry, Acknowledgement: sl.ack, AcknowledgedEntry: sl.ackEntry})
			}
			rs.Manifests = append(rs.Manifests, ms)
		}
		rs.Complete = rs.Approved && acked == len(r.slots)
		out = append(out, rs)
	}
	return out
}
