package exchange

import (
	"fmt"
	"strings"
	"time"
)

type member struct {
	name, side string
	entry      int64
}

type examKey struct {
	person   PersonRef
	category string
}

type exam struct {
	key      examKey
	votes    []VoteRecord // of the current examination
	decision string       // the decision in force: "" while none, or after re-examine
	entry    int64        // the decision's entry
	at       time.Time
	rounds   int // how many times the commission sent it back for re-examination
}

// Member is a member of the medical commission.
type Member struct {
	Name    string
	Side    string // a party's code, or the mediator's for a neutral member
	Neutral bool
	Entry   int64
}

// VoteRecord is one member's vote.
type VoteRecord struct {
	Member   string
	Side     string
	Decision string
	Entry    int64
}

// Examination is the commission's work on one person in one category.
type Examination struct {
	Person     PersonRef
	Category   string
	Decision   string // eligible, not-eligible; "" while undecided (also after re-examine)
	Entry      int64  // the entry of the decision, -1 while undecided
	At         time.Time
	Votes      []VoteRecord // of the current examination
	Reexamined int          // how many times it was sent back for re-examination
}

func (s *State) memberAppointed(st step, b MemberAppointed) (func(), error) {
	name := strings.TrimSpace(b.Member)
	if name == "" || name != b.Member || len(name) > 200 {
		return nil, invalid("a commission member needs a name, as they sign, without spaces around it")
	}
	side, ok := s.who(b.Side)
	if !ok {
		return nil, invalid("%q is neither a party nor the mediator: a member sits for one of them", b.Side)
	}
	if side == s.mediator {
		if st.by != s.mediator {
			return nil, invalid("%s cannot appoint a neutral member: only the mediator %s can", st.by, s.mediator)
		}
	} else if err := s.forParty(st.by, side, "appoint its commission members"); err != nil {
		return nil, err
	}
	if m := s.members[name]; m != nil {
		return nil, conflict("%s is already a member of the commission, for %s", name, m.side)
	}
	if c := s.a.Commission; c != nil {
		seats, what := c.PerParty, side+"'s"
		if side == s.mediator {
			seats, what = c.Neutral, "the neutral"
		}
		taken := 0
		for _, m := range s.members {
			if m.side == side {
				taken++
			}
		}
		if taken >= seats {
			return nil, conflict("the agreement gives %s seats on the commission to %d members, and %d sit already", what, seats, taken)
		}
	}
	return func() {
		s.members[name] = &member{name: name, side: side, entry: st.index}
		s.memberOrder = append(s.memberOrder, name)
	}, nil
}

func (s *State) examFor(person PersonRef, category string) (examKey, *exam, error) {
	c, err := s.category(category)
	if err != nil {
		return examKey{}, nil, err
	}
	if len(c.Eligibility.Conditions) == 0 {
		return examKey{}, nil, invalid("the commission decides only medical categories; %s names no conditions", c.ID)
	}
	_, r, err := s.row(person)
	if err != nil {
		return examKey{}, nil, err
	}
	if r.Category != "" && r.Category != c.ID {
		return examKey{}, nil, invalid("%s is on list %s in category %s, not %s", person.Ref, person.List, r.Category, c.ID)
	}
	k := examKey{person, c.ID}
	return k, s.exams[k], nil
}

func validDecision(d string) error {
	switch d {
	case Eligible, NotEligible, Reexamine:
		return nil
	}
	return invalid("%q is not a decision of the commission: use eligible, not-eligible or re-examine", d)
}

func (s *State) vote(st step, b Vote) (func(), error) {
	m := s.members[b.Member]
	if m == nil {
		return nil, notFound("%q is not a member of the commission", b.Member)
	}
	if m.side == s.mediator {
		if st.by != s.mediator {
			return nil, invalid("%s cannot vote for %s, a neutral member", st.by, m.name)
		}
	} else if err := s.forParty(st.by, m.side, "record the votes of its members"); err != nil {
		return nil, err
	}
	if err := validDecision(b.Decision); err != nil {
		return nil, err
	}
	k, e, err := s.examFor(b.Person, b.Category)
	if err != nil {
		return nil, err
	}
	if e != nil {
		if e.decision != "" {
			return nil, conflict("the commission has decided %s %s for %s already", b.Person.Ref, e.decision, k.category)
		}
		for _, v := range e.votes {
			if v.Member == m.name {
				return nil, conflict("%s has voted on %s for %s already (%s)", m.name, b.Person.Ref, k.category, v.Decision)
			}
		}
	}
	return func() {
		if e == nil {
			e = &exam{key: k, entry: -1}
			s.exams[k] = e
			s.examOrder = append(s.examOrder, k)
		}
		e.votes = append(e.votes, VoteRecord{Member: m.name, Side: m.side, Decision: b.Decision, Entry: st.index})
	}, nil
}

func (s *State) commissionDecided(st step, b CommissionDecided) (func(), error) {
	if err := validDecision(b.Decision); err != nil {
		return nil, err
	}
	k, e, err := s.examFor(b.Person, b.Category)
	if err != nil {
		return nil, err
	}
	if e == nil || len(e.votes) == 0 {
		return nil, conflict("no member has voted on %s for %s yet", b.Person.Ref, k.category)
	}
	if e.decision != "" {
		return nil, conflict("the commission has decided %s %s for %s already", b.Person.Ref, e.decision, k.category)
	}
	voted := map[string]bool{}
	count := map[string]int{}
	for _, v := range e.votes {
		voted[v.Side] = true
		count[v.Decision]++
	}
	for _, p := range s.parties {
		if !voted[p] {
			return nil, conflict("no member for %s has voted on %s yet: the commission decides with members of both sides", p, b.Person.Ref)
		}
	}
	if s.mediator != "" && !voted[s.mediator] {
		for _, m := range s.members {
			if m.side == s.mediator {
				return nil, conflict("no neutral member has voted on %s yet", b.Person.Ref)
			}
		}
	}
	for d, n := range count {
		if d != b.Decision && n >= count[b.Decision] {
			return nil, conflict("the votes on %s do not carry %s: %s", b.Person.Ref, b.Decision, voteCount(count))
		}
	}
	return func() {
		if b.Decision == Reexamine {
			e.votes = nil
			e.rounds++
			return
		}
		e.decision, e.entry, e.at = b.Decision, st.index, st.at
	}, nil
}

func voteCount(t map[string]int) string {
	var parts []string
	for _, d := range []string{Eligible, NotEligible, Reexamine} {
		if t[d] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", t[d], d))
		}
	}
	return strings.Join(parts, ", ")
}

// Members returns the commission's members in the order appointed.
func (s *State) Members() []Member {
	out := make([]Member, 0, len(s.memberOrder))
	for _, n := range s.memberOrder {
		m := s.members[n]
		out = append(out, Member{Name: m.name, Side: m.side, Neutral: m.side == s.mediator, Entry: m.entry})
	}
	return out
}

// Examinations returns the commission's work on each person, in the order
// the first vote on them was cast.
func (s *State) Examinations() []Examination {
	out := make([]Examination, 0, len(s.examOrder))
	for _, k := range s.examOrder {
		e := s.exams[k]
		out = append(out, Examination{Person: k.person, Category: k.category, Decision: e.decision, Entry: e.entry,
			At: e.at, Votes: append([]VoteRecord(nil), e.votes...), Reexamined: e.rounds})
	}
	return out
}

// eligible reports whether the commission decided person p eligible for
// category c.
func (s *State) eligible(p PersonRef, c string) bool {
	e := s.exams[examKey{p, c}]
	return e != nil && e.decision == Eligible
}
