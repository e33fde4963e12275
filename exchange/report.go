package exchange

import (
	"slices"

	"tally"
)

// Report is the public report: counts only. It holds no name, no ref, no
// tag and no other detail of a person (Third Geneva Convention, art. 13),
// nor the names of those who signed; only category ids, party codes, stage
// ids and numbers. Entries says how many log entries it covers; whoever
// publishes it adds the checkpoint (size and root hash) it was computed
// at, so that anyone can check each figure against the log.
type Report struct {
	Agreement     string            `json:"agreement"`
	Entries       int64             `json:"entries"`
	Categories    []CategoryReport  `json:"categories"`
	Remains       []StageReport     `json:"remains"`
	RemainsTotals []RemainsTotal    `json:"remains_totals"`
	Children      ChildrenReport    `json:"children"`
	Discrepancies DiscrepancyReport `json:"discrepancies"`
}

// CategoryReport counts persons of one category going one way.
//
//   - Requested: rows of the receiving party's request (or children) lists,
//     latest versions, in the category.
//   - Confirmed: those of them the holding party accepted in review, or
//     that are in a confirmed pair, or that the commission found eligible.
//   - HandedOver: handovers recorded by the sending party in rounds.
//   - Acknowledged, Disputed, NotDelivered: the receiving party's
//     acknowledgements (received and identified; received, identity
//     disputed; not delivered).
//   - Unlisted: persons delivered who were on no manifest.
type CategoryReport struct {
	Category     string `json:"category"`
	From         string `json:"from"`
	To           string `json:"to"`
	Requested    int    `json:"requested"`
	Confirmed    int    `json:"confirmed"`
	HandedOver   int    `json:"handed_over"`
	Acknowledged int    `json:"acknowledged"`
	Disputed     int    `json:"disputed"`
	NotDelivered int    `json:"not_delivered"`
	Unlisted     int    `json:"unlisted"`
}

// StageReport counts one stage's transfer of remains in one direction.
type StageReport struct {
	Stage        string `json:"stage"`
	Category     string `json:"category"`
	From         string `json:"from"`
	To           string `json:"to"`
	Mutual       bool   `json:"mutual"`
	HandedOver   int    `json:"handed_over"`
	Acknowledged int    `json:"acknowledged"` // 0 while awaiting acknowledgement
	Awaiting     bool   `json:"awaiting_acknowledgement"`
	Identified   int    `json:"identified"`
	Unidentified int    `json:"unidentified"`
}

// RemainsTotal sums the stages of one category going one way.
type RemainsTotal struct {
	Category     string `json:"category"`
	From         string `json:"from"`
	To           string `json:"to"`
	HandedOver   int    `json:"handed_over"`
	Acknowledged int    `json:"acknowledged"`
	Identified   int    `json:"identified"`
}

// ChildrenReport counts the children on verified lists and their cases,
// by the step each case is at.
type ChildrenReport struct {
	OnList             int `json:"on_list"`  // rows of the latest versions of children lists
	Verified           int `json:"verified"` // of them, accepted by the other party
	Cases              int `json:"cases"`
	Opened             int `json:"opened"`
	Located            int `json:"located"`
	IdentityVerified   int `json:"identity_verified"`
	GuardianConsenting int `json:"guardian_consenting"`
	ReturnArranged     int `json:"return_arranged"`
	Returned           int `json:"returned"`
	NotFound           int `json:"not_found"`
	Declined           int `json:"declined"`
}

// DiscrepancyReport counts discrepancies by status and gives each one's
// two figures and the entries that gave them.
type DiscrepancyReport struct {
	Open      int                  `json:"open"`
	Explained int                  `json:"explained"`
	Disputed  int                  `json:"disputed"`
	Resolved  int                  `json:"resolved"`
	Items     []DiscrepancyFigures `json:"items"`
}

// DiscrepancyFigures is one discrepancy in the report.
type DiscrepancyFigures struct {
	ID               int    `json:"id"`
	Stage            string `json:"stage"`
	From             string `json:"from"`
	To               string `json:"to"`
	Sent             int    `json:"sent"`
	Received         int    `json:"received"`
	Status           string `json:"status"`
	TransferEntry    int64  `json:"transfer_entry"`
	AcknowledgeEntry int64  `json:"acknowledgement_entry"`
}

// directions returns the ways category c goes: both for all-for-all and
// n-for-n, the one named for unilateral terms.
func (s *State) directions(c *tally.Category) [][2]string {
	if c.Terms == tally.Unilateral {
		return [][2]string{{c.From, c.To}}
	}
	a, b := s.parties[0], s.parties[1]
	return [][2]string{{a, b}, {b, a}}
}

// Report returns the public report of the state. A frozen state counts it
// once and returns a copy of it to every caller.
func (s *State) Report() Report {
	if !s.frozen {
		return s.report()
	}
	s.reportOnce.Do(func() { s.frozenReport = s.report() })
	r := s.frozenReport
	r.Categories = slices.Clone(r.Categories)
	r.Remains = slices.Clone(r.Remains)
	r.RemainsTotals = slices.Clone(r.RemainsTotals)
	r.Discrepancies.Items = slices.Clone(r.Discrepancies.Items)
	return r
}

func (s *State) report() Report {
	r := Report{Agreement: s.a.ID, Entries: s.Entries(), Categories: []CategoryReport{}, Remains: []StageReport{},
		RemainsTotals: []RemainsTotal{}, Discrepancies: DiscrepancyReport{Items: []DiscrepancyFigures{}}}
	type dir struct{ c, from string }
	cr := map[dir]*CategoryReport{}
	for i := range s.a.Categories {
		c := &s.a.Categories[i]
		if c.Subject == tally.SubjectRemains {
			continue
		}
		for _, d := range s.directions(c) {
			r.Categories = append(r.Categories, CategoryReport{Category: c.ID, From: d[0], To: d[1]})
		}
	}
	for i := range r.Categories {
		cr[dir{r.Categories[i].Category, r.Categories[i].From}] = &r.Categories[i]
	}
	for _, id := range s.listOrder {
		l := s.lists[id]
		v := l.latest()
		switch l.kind {
		case string(tally.KindChildren):
			r.Children.OnList += len(v.rows)
			for _, a := range v.answers {
				if a.Accepted {
					r.Children.Verified++
				}
			}
		}
		if l.kind != string(tally.KindRequest) && l.kind != string(tally.KindChildren) {
			continue
		}
		for _, row := range v.rows {
			c := cr[dir{row.Category, l.receiver}]
			if c == nil {
				continue // no category, or one that does not go this way
			}
			c.Requested++
			p := PersonRef{l.id, row.Ref}
			if a, ok := v.answers[row.Ref]; (ok && a.Accepted) || s.pairs[p] != nil || s.eligible(p, row.Category) {
				c.Confirmed++
			}
		}
	}
	for _, id := range s.roundOrder {
		rd := s.rounds[id]
		for _, p := range rd.slotOrder {
			sl := rd.slots[p]
			c := cr[dir{sl.category, sl.from}]
			if c == nil {
				continue
			}
			if sl.handed {
				c.HandedOver++
			}
			switch sl.ack {
			case ReceivedIdentified:
				c.Acknowledged++
			case ReceivedDisputed:
				c.Disputed++
			case NotDelivered:
				c.NotDelivered++
			}
		}
		for _, u := range rd.unlisted {
			if c := cr[dir{u.category, u.from}]; c != nil {
				c.Unlisted++
			}
		}
	}
	type tdir struct{ c, from, to string }
	totals := map[tdir]int{} // index in r.RemainsTotals
	for _, k := range s.transferOrder {
		t := s.transfers[k]
		sr := StageReport{Stage: t.stage, Category: t.category, From: t.from, To: t.to, Mutual: t.mutual,
			HandedOver: t.count, Acknowledged: t.ackCount, Awaiting: !t.acked}
		for _, id := range t.ident {
			if id.result == Identified {
				sr.Identified++
			} else {
				sr.Unidentified++
			}
		}
		r.Remains = append(r.Remains, sr)
		td := tdir{t.category, t.from, t.to}
		i, ok := totals[td]
		if !ok {
			i = len(r.RemainsTotals)
			totals[td] = i
			r.RemainsTotals = append(r.RemainsTotals, RemainsTotal{Category: t.category, From: t.from, To: t.to})
		}
		tt := &r.RemainsTotals[i]
		tt.HandedOver += sr.HandedOver
		tt.Acknowledged += sr.Acknowledged
		tt.Identified += sr.Identified
	}
	for _, id := range s.caseOrder {
		c := s.cases[id]
		r.Children.Cases++
		switch c.step {
		case StepOpened:
			r.Children.Opened++
		case StepLocated:
			r.Children.Located++
		case StepIdentityVerified:
			r.Children.IdentityVerified++
		case StepGuardianConsenting:
			r.Children.GuardianConsenting++
		case StepReturnArranged:
			r.Children.ReturnArranged++
		case StepReturned:
			r.Children.Returned++
		case StepNotFound:
			r.Children.NotFound++
		case StepDeclined:
			r.Children.Declined++
		}
	}
	for _, d := range s.discrepancies {
		switch d.status {
		case Open:
			r.Discrepancies.Open++
		case Explained:
			r.Discrepancies.Explained++
		case Disputed:
			r.Discrepancies.Disputed++
		case Resolved:
			r.Discrepancies.Resolved++
		}
		r.Discrepancies.Items = append(r.Discrepancies.Items, DiscrepancyFigures{ID: d.id, Stage: d.stage, From: d.from,
			To: d.to, Sent: d.sent, Received: d.received, Status: d.status, TransferEntry: d.sentEntry, AcknowledgeEntry: d.ackEntry})
	}
	return r
}
