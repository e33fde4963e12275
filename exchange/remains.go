package exchange

import (
	"time"

	"tally"
)

type transferKey struct{ stage, from string }

type identification struct {
	result  string
	missing *PersonRef
	method  string
	entry   int64
}

type transfer struct {
	stage, category, from, to string
	count                     int
	tags                      []string
	tagSet                    map[string]bool
	mutual                    bool
	entry                     int64
	by, actor                 string
	at                        time.Time

	acked             bool
	ackCount          int
	ackEntry          int64
	ackBy, ackActor   string
	ident             map[string]identification
	identifiedMissing map[PersonRef]string // missing person → tag
}

func (s *State) remainsTransferred(st step, b RemainsTransferred) (func(), error) {
	if err := checkID("stage", b.Stage); err != nil {
		return nil, err
	}
	from, ok1 := s.party(b.From)
	to, ok2 := s.party(b.To)
	if !ok1 || !ok2 || from == to {
		return nil, invalid("remains go from one party to the other, not %q to %q", b.From, b.To)
	}
	if err := s.forParty(st.by, from, "record the remains it hands over"); err != nil {
		return nil, err
	}
	c, err := s.category(b.Category)
	if err != nil {
		return nil, err
	}
	if c.Subject != tally.SubjectRemains {
		return nil, invalid("category %s is not of remains", c.ID)
	}
	if c.Terms == tally.Unilateral && (from != c.From || to != c.To) {
		return nil, invalid("category %s goes one way only, %s to %s", c.ID, c.From, c.To)
	}
	if b.Count <= 0 {
		return nil, invalid("a transfer of remains needs a positive count, not %d", b.Count)
	}
	if len(b.Tags) > 0 && len(b.Tags) != b.Count {
		return nil, invalid("stage %s counts %d remains but gives %d tags: give a tag for each or none", b.Stage, b.Count, len(b.Tags))
	}
	k := transferKey{b.Stage, from}
	if s.transfers[k] != nil {
		return nil, conflict("%s has recorded stage %s already", from, b.Stage)
	}
	if o := s.transfers[transferKey{b.Stage, to}]; o != nil {
		if !o.mutual || !b.Mutual {
			return nil, conflict("stage %s is not mutual: only %s hands over in it", b.Stage, to)
		}
		if o.category != c.ID {
			return nil, conflict("stage %s is in category %s, not %s", b.Stage, o.category, c.ID)
		}
	}
	used := map[string]string{}
	sent := 0
	for _, tk := range s.transferOrder {
		t := s.transfers[tk]
		if t.from != from {
			continue
		}
		if t.category == c.ID {
			sent += t.count
		}
		for _, tag := range t.tags {
			used[tag] = t.stage
		}
	}
	if c.Terms == tally.NForN && sent+b.Count > c.Quantity {
		return nil, conflict("stage %s would take %s's remains in %s to %d, over the agreed %d (%d before)", b.Stage, from, c.ID, sent+b.Count, c.Quantity, sent)
	}
	t := &transfer{stage: b.Stage, category: c.ID, from: from, to: to, count: b.Count, tagSet: map[string]bool{},
		mutual: b.Mutual, entry: st.index, by: st.by, actor: st.actor, at: st.at, ackEntry: -1,
		ident: map[string]identification{}, identifiedMissing: map[PersonRef]string{}}
	for _, tag := range b.Tags {
		if err := checkRef("tag", tag); err != nil {
			return nil, err
		}
		if t.tagSet[tag] {
			return nil, invalid("stage %s gives tag %s twice", b.Stage, tag)
		}
		if prev, ok := used[tag]; ok {
			return nil, conflict("%s gave tag %s in stage %s already", from, tag, prev)
		}
		t.tagSet[tag] = true
		t.tags = append(t.tags, tag)
	}
	return func() {
		s.transfers[k] = t
		s.transferOrder = append(s.transferOrder, k)
	}, nil
}

func (s *State) transfer(stage, from string) (*transfer, error) {
	f, ok := s.party(from)
	if !ok {
		return nil, invalid("a stage's transfer is named by the party that handed over, not %q", from)
	}
	t := s.transfers[transferKey{stage, f}]
	if t == nil {
		return nil, notFound("%s has recorded no stage %q", f, stage)
	}
	return t, nil
}

func (s *State) remainsAcknowledged(st step, b RemainsAcknowledged) (func(), error) {
	t, err := s.transfer(b.Stage, b.From)
	if err != nil {
		return nil, err
	}
	if err := s.forParty(st.by, t.to, "acknowledge the remains it receives"); err != nil {
		return nil, err
	}
	if t.acked {
		return nil, conflict("%s has acknowledged stage %s from %s already (%d)", t.to, t.stage, t.from, t.ackCount)
	}
	if b.Count < 0 {
		return nil, invalid("a count cannot be negative")
	}
	return func() {
		t.acked, t.ackCount, t.ackEntry, t.ackBy, t.ackActor = true, b.Count, st.index, st.by, st.actor
		if b.Count != t.count {
			s.discrepancies = append(s.discrepancies, &discrepancy{
				id: len(s.discrepancies) + 1, stage: t.stage, from: t.from, to: t.to, sent: t.count, received: b.Count,
				sentEntry: t.entry, ackEntry: st.index, sentBy: t.by, sentActor: t.actor, ackBy: st.by, ackActor: st.actor,
				status: Open, opened: st.at, agreed: map[string]bool{}})
		}
	}, nil
}

func (s *State) remainsIdentified(st step, b RemainsIdentified) (func(), error) {
	t, err := s.transfer(b.Stage, b.From)
	if err != nil {
		return nil, err
	}
	if err := s.forParty(st.by, t.to, "identify the remains it received"); err != nil {
		return nil, err
	}
	if !t.acked {
		return nil, conflict("%s has not acknowledged stage %s from %s yet: acknowledge the count first", t.to, t.stage, t.from)
	}
	if !t.tagSet[b.Tag] {
		return nil, notFound("stage %s from %s has no tag %q", t.stage, t.from, b.Tag)
	}
	prev, had := t.ident[b.Tag]
	switch b.Result {
	case Identified:
		if b.Missing == nil {
			return nil, invalid("identified remains need the missing person they were identified as (a row of a list)")
		}
		if _, _, err := s.row(*b.Missing); err != nil {
			return nil, err
		}
		if err := checkRef("method", b.Method); err != nil {
			return nil, invalid("identified remains need the method of identification, such as dna")
		}
		for _, tk := range s.transferOrder {
			if tag, ok := s.transfers[tk].identifiedMissing[*b.Missing]; ok {
				return nil, conflict("%s was identified already, as tag %s of stage %s", b.Missing.Ref, tag, tk.stage)
			}
		}
		if had && prev.result == Identified {
			return nil, conflict("tag %s of stage %s was identified already", b.Tag, t.stage)
		}
	case Unidentified:
		if b.Missing != nil || b.Method != "" {
			return nil, invalid("unidentified remains name neither a missing person nor a method")
		}
		if had {
			return nil, conflict("tag %s of stage %s was recorded as %s already", b.Tag, t.stage, prev.result)
		}
	default:
		return nil, invalid("%q is not a result of identification: use identified or unidentified", b.Result)
	}
	return func() {
		id := identification{result: b.Result, method: b.Method, entry: st.index}
		if b.Missing != nil {
			m := *b.Missing
			id.missing = &m
			t.identifiedMissing[m] = b.Tag
		}
		t.ident[b.Tag] = id
	}, nil
}

// Transfer is one stage's transfer of remains in one direction.
type Transfer struct {
	Stage, Category, From, To string
	Mutual                    bool
	Count                     int   // as the sending party counted them
	Tags                      int   // how many tags it gave
	Entry                     int64 // the transfer's entry
	Acknowledged              bool
	AckCount                  int   // as the receiving party counted them
	AckEntry                  int64 // -1 when not acknowledged
	Identified                int
	Unidentified              int // recorded as still unidentified
}

// Transfers returns every transfer of remains, in the order recorded.
func (s *State) Transfers() []Transfer {
	out := make([]Transfer, 0, len(s.transferOrder))
	for _, k := range s.transferOrder {
		t := s.transfers[k]
		tr := Transfer{Stage: t.stage, Category: t.category, From: t.from, To: t.to, Mutual: t.mutual, Count: t.count,
			Tags: len(t.tags), Entry: t.entry, Acknowledged: t.acked, AckCount: t.ackCount, AckEntry: t.ackEntry}
		for _, id := range t.ident {
			if id.result == Identified {
				tr.Identified++
			} else {
				tr.Unidentified++
			}
		}
		out = append(out, tr)
	}
	return out
}

// Identification is the result recorded for one tag.
type Identification struct {
	Tag     string
	Result  string
	Missing *PersonRef
	Method  string
	Entry   int64
}

// Identifications returns the results recorded for the tags of a stage's
// transfer from party from, in tag order.
func (s *State) Identifications(stage, from string) ([]Identification, error) {
	t, err := s.transfer(stage, from)
	if err != nil {
		return nil, err
	}
	var out []Identification
	for _, tag := range t.tags {
		if id, ok := t.ident[tag]; ok {
			x := Identification{Tag: tag, Result: id.result, Method: id.method, Entry: id.entry}
			if id.missing != nil {
				m := *id.missing
				x.Missing = &m
			}
			out = append(out, x)
		}
	}
	return out, nil
}
