package exchange

import (
	"fmt"
	"slices"
	"time"

	"tally"
)

type list struct {
	id, kind            string
	submitter, receiver string
	versions            []*version
}

type version struct {
	n          int
	rows       []ListRow
	byRef      map[string]int
	answers    map[string]Answer
	objections int
	entry      int64
	at         time.Time
	answeredAt time.Time // when the last unanswered row was answered
}

func (l *list) latest() *version { return l.versions[len(l.versions)-1] }

func (s *State) listSubmitted(st step, b ListSubmitted) (func(), error) {
	if err := s.notMediator(st.by, "submit a list"); err != nil {
		return nil, err
	}
	if err := checkID("list", b.List); err != nil {
		return nil, err
	}
	kind, err := tally.ParseListKind(b.Kind)
	if err != nil || string(kind) != b.Kind {
		return nil, invalid("%q is not a kind of list: use request, custody, remains or children", b.Kind)
	}
	l := s.lists[b.List]
	if l == nil {
		if b.Version != 1 {
			return nil, conflict("list %s has no version yet: the first one is version 1, not %d", b.List, b.Version)
		}
	} else {
		if err := s.forParty(st.by, l.submitter, "submit new versions of list "+l.id); err != nil {
			return nil, err
		}
		if b.Kind != l.kind {
			return nil, conflict("list %s is a %s list; a new version cannot make it a %s list", l.id, l.kind, b.Kind)
		}
		if want := l.latest().n + 1; b.Version != want {
			return nil, conflict("the next version of list %s is %d, not %d", l.id, want, b.Version)
		}
	}
	if len(b.Rows) == 0 {
		return nil, invalid("version %d of list %s has no rows", b.Version, b.List)
	}
	v := &version{n: b.Version, byRef: map[string]int{}, answers: map[string]Answer{}, entry: st.index, at: st.at}
	for i, r := range b.Rows {
		if err := checkRef("row ref", r.Ref); err != nil {
			return nil, err
		}
		if _, dup := v.byRef[r.Ref]; dup {
			return nil, invalid("list %s names row %s twice", b.List, r.Ref)
		}
		if r.Category != "" {
			c, err := s.category(r.Category)
			if err != nil {
				return nil, err
			}
			r.Category = c.ID
		}
		v.byRef[r.Ref] = i
		v.rows = append(v.rows, r)
	}
	return func() {
		if l == nil {
			l = &list{id: b.List, kind: b.Kind, submitter: st.by, receiver: s.other(st.by)}
			s.lists[b.List] = l
			s.listOrder = append(s.listOrder, b.List)
		}
		l.versions = append(l.versions, v)
	}, nil
}

func (s *State) listAnswered(st step, b ListAnswered) (func(), error) {
	l := s.lists[b.List]
	if l == nil {
		return nil, notFound("there is no list %q", b.List)
	}
	if err := s.forParty(st.by, l.receiver, "answer list "+l.id); err != nil {
		return nil, err
	}
	v := l.latest()
	if b.Version != v.n {
		if b.Version < v.n && b.Version > 0 {
			return nil, conflict("version %d of list %s was replaced by version %d: answer version %d", b.Version, l.id, v.n, v.n)
		}
		return nil, notFound("list %s has no version %d", l.id, b.Version)
	}
	if len(b.Answers) == 0 {
		return nil, invalid("an answer to list %s needs at least one row's answer", l.id)
	}
	seen := map[string]bool{}
	objections := 0
	for _, a := range b.Answers {
		if _, ok := v.byRef[a.Ref]; !ok {
			return nil, notFound("version %d of list %s has no row %q", v.n, l.id, a.Ref)
		}
		if seen[a.Ref] {
			return nil, invalid("the answer names row %s twice", a.Ref)
		}
		seen[a.Ref] = true
		if prev, ok := v.answers[a.Ref]; ok {
			return nil, conflict("%s has already answered row %s of %s@%d (%s)", l.receiver, a.Ref, l.id, v.n, verdict(prev))
		}
		switch {
		case a.Accepted && a.Objection != "":
			return nil, invalid("row %s is both accepted and objected to (%s)", a.Ref, a.Objection)
		case a.Accepted:
		case a.Objection == "":
			return nil, invalid("row %s is neither accepted nor objected to", a.Ref)
		case !slices.Contains(Objections(), a.Objection):
			return nil, &tally.Error{Code: tally.EInvalid, Message: fmt.Sprintf("%q is not an objection", a.Objection),
				Hint: "use not-eligible, not-in-custody, unknown-person, already-exchanged, duplicate or other with a text"}
		default:
			objections++
		}
		if err := checkText("objection \"other\" to row "+a.Ref, a.Text, a.Objection == ObjectionOther); err != nil {
			return nil, err
		}
	}
	return func() {
		for _, a := range b.Answers {
			v.answers[a.Ref] = a
		}
		v.objections += objections
		if len(v.answers) == len(v.rows) {
			v.answeredAt = st.at
		}
	}, nil
}

func verdict(a Answer) string {
	if a.Accepted {
		return "accepted"
	}
	return "objection " + a.Objection
}

// ListStatus is where the review of one list stands: its latest version,
// how its rows were answered, and whose move it is, since when.
type ListStatus struct {
	List       string
	Kind       string
	Version    int
	Submitter  string
	Receiver   string
	Rows       int
	Accepted   int
	Objections int
	Unanswered int
	// WaitingFor is the party whose move it is: the receiver while rows
	// are unanswered, the submitter when every row is answered and some
	// were objected to; empty when every row is accepted.
	WaitingFor string
	Since      time.Time // when it became WaitingFor's move (or the list was agreed)
	Entry      int64     // the log index of the latest version
}

// Move says whose move it is, in the users' words: "waiting for RU since
// 2025-06-05", or "agreed since 2025-06-07".
func (l ListStatus) Move() string {
	day := l.Since.UTC().Format(time.DateOnly)
	if l.WaitingFor == "" {
		return "agreed since " + day
	}
	return "waiting for " + l.WaitingFor + " since " + day
}

// Lists returns the review status of every list, in the order they were
// first submitted.
func (s *State) Lists() []ListStatus {
	out := make([]ListStatus, 0, len(s.listOrder))
	for _, id := range s.listOrder {
		l := s.lists[id]
		v := l.latest()
		ls := ListStatus{List: l.id, Kind: l.kind, Version: v.n, Submitter: l.submitter, Receiver: l.receiver,
			Rows: len(v.rows), Objections: v.objections, Unanswered: len(v.rows) - len(v.answers), Entry: v.entry}
		ls.Accepted = len(v.answers) - v.objections
		switch {
		case ls.Unanswered > 0:
			ls.WaitingFor, ls.Since = l.receiver, v.at
		case ls.Objections > 0:
			ls.WaitingFor, ls.Since = l.submitter, v.answeredAt
		default:
			ls.Since = v.answeredAt
		}
		out = append(out, ls)
	}
	return out
}

// Answers returns the answers given to the latest version of a list, in
// row order, with Ref set and no answer for unanswered rows.
func (s *State) Answers(listID string) ([]Answer, error) {
	l := s.lists[listID]
	if l == nil {
		return nil, notFound("there is no list %q", listID)
	}
	v := l.latest()
	var out []Answer
	for _, r := range v.rows {
		if a, ok := v.answers[r.Ref]; ok {
			out = append(out, a)
		}
	}
	return out, nil
}

// row finds a person's row on the latest version of its list.
func (s *State) row(p PersonRef) (*list, ListRow, error) {
	l := s.lists[p.List]
	if l == nil {
		return nil, ListRow{}, notFound("there is no list %q (for %s)", p.List, p.Ref)
	}
	v := l.latest()
	i, ok := v.byRef[p.Ref]
	if !ok {
		return nil, ListRow{}, notFound("the latest version of list %s (%d) has no row %q", l.id, v.n, p.Ref)
	}
	return l, v.rows[i], nil
}

// accepted reports whether the receiving party accepted a person's row on
// the latest version of its list.
func (s *State) accepted(p PersonRef) bool {
	l := s.lists[p.List]
	if l == nil {
		return false
	}
	a, ok := l.latest().answers[p.Ref]
	return ok && a.Accepted
}
