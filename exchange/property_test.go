package exchange

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"

	"tally"
)

// gen proposes random steps, many of them not allowed: by the wrong side,
// in the wrong state, about things that do not exist. It peeks at the
// state only to make allowed steps likely enough to get deep.
type gen struct {
	r    *rand.Rand
	s    *State
	tags int
}

func (g *gen) pick(xs ...string) string { return xs[g.r.IntN(len(xs))] }

func (g *gen) by(right string) string {
	if g.r.IntN(10) < 7 && right != "" {
		return right
	}
	return g.pick("UA", "RU", "TR")
}

// row picks a row of a random list of one of the kinds, or a made-up one.
func (g *gen) row(kinds ...string) (PersonRef, *list) {
	var ls []*list
	for _, id := range g.s.listOrder {
		if l := g.s.lists[id]; slices.Contains(kinds, l.kind) {
			ls = append(ls, l)
		}
	}
	if len(ls) == 0 || g.r.IntN(20) == 0 {
		return ref("ua-request", "UA-9999"), nil
	}
	l := ls[g.r.IntN(len(ls))]
	v := l.latest()
	return ref(l.id, v.rows[g.r.IntN(len(v.rows))].Ref), l
}

func (g *gen) category() string {
	return g.pick(swi, "aged-18-25", "civilians", "children", "remains")
}

func (g *gen) text() string {
	if g.r.IntN(4) == 0 {
		return ""
	}
	return fmt.Sprintf("note-%04d-qx", g.r.IntN(10000))
}

var memberNames = []string{"Member Alpha (synthetic)", "Member Beta (synthetic)", "Member Gamma (synthetic)", "Member Delta (synthetic)"}

func (g *gen) next() ev {
	s := g.s
	switch g.r.IntN(17) {
	case 0: // a new version of a list
		if len(s.listOrder) == 0 {
			return ev{"UA", lists()[0].body}
		}
		l := s.lists[s.listOrder[g.r.IntN(len(s.listOrder))]]
		v := l.latest()
		var rows []ListRow
		for _, r := range v.rows {
			if g.r.IntN(5) > 0 {
				rows = append(rows, r)
			}
		}
		rows = append(rows, ListRow{Ref: fmt.Sprintf("%s-NEW-%d", strings.ToUpper(l.id[:2]), g.r.IntN(100)), Category: v.rows[0].Category})
		return ev{g.by(l.submitter), ListSubmitted{List: l.id, Version: v.n + g.r.IntN(2), Kind: l.kind, Rows: rows}}
	case 1, 2: // answers
		if len(s.listOrder) == 0 {
			break
		}
		l := s.lists[s.listOrder[g.r.IntN(len(s.listOrder))]]
		v := l.latest()
		var as []Answer
		for _, r := range v.rows {
			switch g.r.IntN(4) {
			case 0:
				as = append(as, Answer{Ref: r.Ref, Accepted: true})
			case 1:
				o := g.pick(Objections()...)
				as = append(as, Answer{Ref: r.Ref, Objection: o, Text: g.text()})
			}
		}
		return ev{g.by(l.receiver), ListAnswered{List: l.id, Version: v.n, Answers: as}}
	case 3:
		side := g.pick("UA", "RU", "TR")
		return ev{g.by(side), MemberAppointed{Member: g.pick(memberNames...), Side: side}}
	case 4:
		p, _ := g.row("request", "custody")
		if len(s.examOrder) > 0 && g.r.IntN(2) == 0 {
			p = s.examOrder[g.r.IntN(len(s.examOrder))].person
		}
		m := g.pick(memberNames...)
		side := ""
		if x := s.members[m]; x != nil {
			side = x.side
		}
		return ev{g.by(side), Vote{Person: p, Category: swi, Decision: g.pick(Eligible, Eligible, NotEligible, Reexamine), Member: m}}
	case 5:
		var p PersonRef
		if len(s.examOrder) > 0 {
			p = s.examOrder[g.r.IntN(len(s.examOrder))].person
		}
		d := g.pick(Eligible, NotEligible, Reexamine)
		if e := s.exams[examKey{p, swi}]; e != nil && len(e.votes) > 0 && g.r.IntN(4) > 0 {
			d = e.votes[0].Decision // often the majority, when the members agree
		}
		return ev{g.pick("UA", "RU", "TR"), CommissionDecided{Person: p, Category: swi, Decision: d}}
	case 6:
		req, _ := g.row("request")
		cus, _ := g.row("custody")
		if g.r.IntN(4) == 0 {
			return ev{g.by("UA"), PairRejected{Request: req, Custody: cus, Text: g.text()}}
		}
		return ev{g.by("UA"), PairConfirmed{Request: req, Custody: cus}}
	case 7: // plan
		if g.r.IntN(3) > 0 {
			return g.plan()
		}
		rp := RoundPlanned{Round: g.pick("r1", "r2", "r3"), Date: "2025-06-14"}
		for range 1 + g.r.IntN(3) {
			from := g.pick("UA", "RU")
			m := Manifest{From: from, To: s.other(from), Category: g.category()}
			for range 1 + g.r.IntN(3) {
				p, _ := g.row("custody", "request", "children")
				m.Persons = append(m.Persons, p)
			}
			rp.Manifests = append(rp.Manifests, m)
		}
		return ev{g.pick("UA", "RU", "TR"), rp}
	case 8:
		return ev{g.pick("UA", "RU", "UA", "RU", "TR"), RoundApproved{Round: g.pick("r1", "r2", "r3")}}
	case 9, 10: // handover or acknowledgement
		if len(s.roundOrder) == 0 {
			break
		}
		r := s.rounds[s.roundOrder[g.r.IntN(len(s.roundOrder))]]
		if len(r.slotOrder) == 0 {
			break
		}
		sl := r.slots[r.slotOrder[g.r.IntN(len(r.slotOrder))]]
		if g.r.IntN(2) == 0 {
			return ev{g.by(sl.from), HandedOver{Round: r.id, Person: sl.person}}
		}
		return ev{g.by(sl.to), Acknowledged{Round: r.id, Person: sl.person, Status: g.pick(ReceivedIdentified, ReceivedIdentified, ReceivedDisputed, NotDelivered), Note: g.text()}}
	case 11:
		from := g.pick("UA", "RU")
		return ev{g.by(s.other(from)), DeliveredUnlisted{Round: g.pick("r1", "r2", "r3"), From: from, Category: g.category(), Ref: fmt.Sprintf("unlisted-%d-zz", g.r.IntN(50))}}
	case 12: // remains
		from := g.pick("UA", "RU")
		n := 1 + g.r.IntN(4)
		var tags []string
		if g.r.IntN(3) > 0 {
			for range n {
				g.tags++
				tags = append(tags, fmt.Sprintf("TAG-%s-%04d", from, g.tags))
			}
		}
		return ev{g.by(from), RemainsTransferred{Stage: g.pick("stage-a", "stage-b", "stage-c", "stage-d"), Category: g.pick("remains", "remains", "civilians"),
			From: from, To: s.other(from), Count: n, Tags: tags, Mutual: g.r.IntN(2) == 0}}
	case 13, 14:
		if len(s.transferOrder) == 0 {
			break
		}
		t := s.transfers[s.transferOrder[g.r.IntN(len(s.transferOrder))]]
		if g.r.IntN(2) == 0 {
			return ev{g.by(t.to), RemainsAcknowledged{Stage: t.stage, From: t.from, Count: t.count + g.r.IntN(3) - 1}}
		}
		if len(t.tags) == 0 {
			break
		}
		tag := t.tags[g.r.IntN(len(t.tags))]
		if g.r.IntN(3) == 0 {
			return ev{g.by(t.to), RemainsIdentified{Stage: t.stage, From: t.from, Tag: tag, Result: Unidentified}}
		}
		p, _ := g.row("request")
		return ev{g.by(t.to), RemainsIdentified{Stage: t.stage, From: t.from, Tag: tag, Result: Identified, Missing: &p, Method: g.pick("dna", "dental")}}
	case 15:
		return ev{g.pick("UA", "RU", "TR"), DiscrepancyStatusSet{Discrepancy: 1 + g.r.IntN(len(s.discrepancies)+1),
			Status: g.pick(Explained, Disputed, Resolved, Resolved), Text: g.text()}}
	case 16:
		c := g.pick("case-1", "case-2", "case-3")
		if g.r.IntN(3) == 0 || s.cases[c] == nil {
			p, _ := g.row("children")
			return ev{g.pick("UA", "RU", "TR"), ChildCaseOpened{Case: c, Child: p}}
		}
		st := g.pick(Steps()...)
		if ns := next[s.cases[c].step]; len(ns) > 0 && g.r.IntN(3) > 0 {
			st = g.pick(ns...)
		}
		return ev{g.pick("UA", "RU", "TR"), ChildCaseStep{Case: c, Step: st, Reason: g.text()}}
	}
	return ev{g.pick("UA", "RU", "TR", "PL"), RoundApproved{Round: "r9"}}
}

// plan proposes a round likely to be approved: persons of the category
// the sender holds or the receiver asks for, equal numbers under n-for-n,
// reasons for everyone left out under all-for-all.
func (g *gen) plan() ev {
	s := g.s
	c := g.pick(swi, "aged-18-25", "civilians", "children")
	cat, _ := s.a.Category(c)
	rp := RoundPlanned{Round: g.pick("r1", "r2", "r3"), Date: "2025-06-14"}
	if r := s.rounds[rp.Round]; r != nil && r.approved(s) {
		rp.Round = fmt.Sprintf("r%d", 4+g.r.IntN(20))
	}
	taken := map[PersonRef]bool{}
	candidates := func(from string) []PersonRef {
		var ps []PersonRef
		for _, id := range s.listOrder {
			l := s.lists[id]
			ok := (l.kind == "custody" && l.submitter == from) || ((l.kind == "request" || l.kind == "children") && l.submitter == s.other(from))
			if !ok {
				continue
			}
			for _, r := range l.latest().rows {
				p := ref(l.id, r.Ref)
				k := s.canonical(p)
				if (r.Category == "" || r.Category == c) && !taken[k] && s.handedAnywhere(p) == "" && g.r.IntN(3) > 0 {
					taken[k] = true
					ps = append(ps, p)
				}
			}
		}
		return ps
	}
	dirs := s.directions(cat)
	var per [][]PersonRef
	for _, d := range dirs {
		per = append(per, candidates(d[0]))
	}
	if cat.Terms == tally.NForN && len(per) == 2 {
		n := min(len(per[0]), len(per[1]))
		per[0], per[1] = per[0][:n], per[1][:n]
	}
	for i, d := range dirs {
		if len(per[i]) > 0 {
			rp.Manifests = append(rp.Manifests, Manifest{From: d[0], To: d[1], Category: c, Persons: per[i]})
		}
	}
	if cat.Terms == tally.AllForAll {
		r := &round{id: rp.Round, slots: map[PersonRef]*slot{}}
		for _, ps := range per {
			for _, p := range ps {
				r.slots[p] = &slot{person: p}
			}
		}
		for _, from := range s.parties {
			for _, p := range s.uncovered(r, c, from) {
				rp.Omissions = append(rp.Omissions, Omission{From: from, Category: c, Person: p, Reason: "reason-" + p.Ref})
			}
		}
	}
	return ev{g.pick("UA", "RU", "TR"), rp}
}

// model counts the report's figures from the accepted events alone,
// without the State.
func model(a *tally.Agreement, log []Event, idx []int64) Report {
	type lst struct {
		kind, submitter string
		rows            []ListRow
		answers         map[string]Answer
	}
	ls := map[string]*lst{}
	paired := map[PersonRef]bool{}
	pairOf := map[PersonRef]PersonRef{}
	eligible := map[PersonRef]bool{} // in seriously-wounded-ill
	type slotm struct {
		from, category string
		handed         bool
		ack            string
	}
	rounds := map[string]map[PersonRef]*slotm{}
	type unl struct{ from, category string }
	var unlisted []unl
	type trm struct {
		key           string
		cat, from, to string
		mutual        bool
		count, ack    int
		acked         bool
		ident         map[string]string
	}
	var trs []*trm
	trByKey := map[string]*trm{}
	type dm struct {
		status          string
		agreed          map[string]bool
		sent, received  int
		stage, from, to string
		se, ae          int64
	}
	var ds []*dm
	cases := map[string]string{}
	var caseOrder []string
	for i, e := range log {
		switch b := e.Body.(type) {
		case ListSubmitted:
			ls[b.List] = &lst{kind: b.Kind, submitter: e.By, rows: b.Rows, answers: map[string]Answer{}}
		case ListAnswered:
			for _, x := range b.Answers {
				ls[b.List].answers[x.Ref] = x
			}
		case CommissionDecided:
			if b.Decision == Eligible {
				eligible[b.Person] = true
			}
		case PairConfirmed:
			paired[b.Request], paired[b.Custody] = true, true
			pairOf[b.Request] = b.Custody
		case PairRejected:
			if pairOf[b.Request] == b.Custody && paired[b.Request] {
				delete(paired, b.Request)
				delete(paired, b.Custody)
				delete(pairOf, b.Request)
			}
		case RoundPlanned:
			m := map[PersonRef]*slotm{}
			for _, mf := range b.Manifests {
				for _, p := range mf.Persons {
					m[p] = &slotm{from: mf.From, category: mf.Category}
				}
			}
			rounds[b.Round] = m
		case HandedOver:
			rounds[b.Round][b.Person].handed = true
		case Acknowledged:
			rounds[b.Round][b.Person].ack = b.Status
		case DeliveredUnlisted:
			unlisted = append(unlisted, unl{b.From, b.Category})
		case RemainsTransferred:
			t := &trm{key: b.Stage + "/" + b.From, cat: b.Category, from: b.From, to: b.To, mutual: b.Mutual, count: b.Count, ident: map[string]string{}}
			trs = append(trs, t)
			trByKey[t.key] = t
		case RemainsAcknowledged:
			t := trByKey[b.Stage+"/"+b.From]
			t.acked, t.ack = true, b.Count
			if b.Count != t.count {
				var se int64
				for j := i - 1; j >= 0; j-- {
					if x, ok := log[j].Body.(RemainsTransferred); ok && x.Stage == b.Stage && x.From == b.From {
						se = idx[j]
						break
					}
				}
				ds = append(ds, &dm{status: Open, agreed: map[string]bool{}, sent: t.count, received: b.Count, stage: b.Stage, from: t.from, to: t.to, se: se, ae: idx[i]})
			}
		case RemainsIdentified:
			trByKey[b.Stage+"/"+b.From].ident[b.Tag] = b.Result
		case DiscrepancyStatusSet:
			d := ds[b.Discrepancy-1]
			if b.Status == Resolved {
				d.agreed[e.By] = true
				if len(d.agreed) == 2 {
					d.status = Resolved
				}
			} else {
				d.status = b.Status
				d.agreed = map[string]bool{}
			}
		case ChildCaseOpened:
			cases[b.Case] = StepOpened
			caseOrder = append(caseOrder, b.Case)
		case ChildCaseStep:
			cases[b.Case] = b.Step
		}
	}
	rep := Report{Agreement: a.ID, Entries: 0, Categories: []CategoryReport{}, Remains: []StageReport{}, RemainsTotals: []RemainsTotal{},
		Discrepancies: DiscrepancyReport{Items: []DiscrepancyFigures{}}}
	if len(idx) > 0 {
		rep.Entries = idx[len(idx)-1] + 1
	}
	for _, c := range a.Categories {
		if c.Subject == tally.SubjectRemains {
			continue
		}
		dirs := [][2]string{{"UA", "RU"}, {"RU", "UA"}}
		if c.Terms == tally.Unilateral {
			dirs = [][2]string{{c.From, c.To}}
		}
		for _, d := range dirs {
			cr := CategoryReport{Category: c.ID, From: d[0], To: d[1]}
			for id, l := range ls {
				if (l.kind != "request" && l.kind != "children") || l.submitter != d[1] {
					continue
				}
				for _, r := range l.rows {
					if r.Category != c.ID {
						continue
					}
					cr.Requested++
					p := ref(id, r.Ref)
					if l.answers[r.Ref].Accepted || paired[p] || (c.ID == swi && eligible[p]) {
						cr.Confirmed++
					}
				}
			}
			for _, m := range rounds {
				for _, sl := range m {
					if sl.from != d[0] || sl.category != c.ID {
						continue
					}
					if sl.handed {
						cr.HandedOver++
					}
					switch sl.ack {
					case ReceivedIdentified:
						cr.Acknowledged++
					case ReceivedDisputed:
						cr.Disputed++
					case NotDelivered:
						cr.NotDelivered++
					}
				}
			}
			for _, u := range unlisted {
				if u.from == d[0] && u.category == c.ID {
					cr.Unlisted++
				}
			}
			rep.Categories = append(rep.Categories, cr)
		}
	}
	for _, t := range trs {
		sr := StageReport{Stage: strings.Split(t.key, "/")[0], Category: t.cat, From: t.from, To: t.to, Mutual: t.mutual,
			HandedOver: t.count, Acknowledged: t.ack, Awaiting: !t.acked}
		for _, r := range t.ident {
			if r == Identified {
				sr.Identified++
			} else {
				sr.Unidentified++
			}
		}
		rep.Remains = append(rep.Remains, sr)
		found := false
		for i := range rep.RemainsTotals {
			x := &rep.RemainsTotals[i]
			if x.Category == t.cat && x.From == t.from {
				x.HandedOver += sr.HandedOver
				x.Acknowledged += sr.Acknowledged
				x.Identified += sr.Identified
				found = true
			}
		}
		if !found {
			rep.RemainsTotals = append(rep.RemainsTotals, RemainsTotal{Category: t.cat, From: t.from, To: t.to,
				HandedOver: sr.HandedOver, Acknowledged: sr.Acknowledged, Identified: sr.Identified})
		}
	}
	for id, l := range ls {
		_ = id
		if l.kind != "children" {
			continue
		}
		rep.Children.OnList += len(l.rows)
		for _, x := range l.answers {
			if x.Accepted {
				rep.Children.Verified++
			}
		}
	}
	for _, c := range caseOrder {
		rep.Children.Cases++
		switch cases[c] {
		case StepOpened:
			rep.Children.Opened++
		case StepLocated:
			rep.Children.Located++
		case StepIdentityVerified:
			rep.Children.IdentityVerified++
		case StepGuardianConsenting:
			rep.Children.GuardianConsenting++
		case StepReturnArranged:
			rep.Children.ReturnArranged++
		case StepReturned:
			rep.Children.Returned++
		case StepNotFound:
			rep.Children.NotFound++
		case StepDeclined:
			rep.Children.Declined++
		}
	}
	for i, d := range ds {
		switch d.status {
		case Open:
			rep.Discrepancies.Open++
		case Explained:
			rep.Discrepancies.Explained++
		case Disputed:
			rep.Discrepancies.Disputed++
		case Resolved:
			rep.Discrepancies.Resolved++
		}
		rep.Discrepancies.Items = append(rep.Discrepancies.Items, DiscrepancyFigures{ID: i + 1, Stage: d.stage, From: d.from, To: d.to,
			Sent: d.sent, Received: d.received, Status: d.status, TransferEntry: d.se, AcknowledgeEntry: d.ae})
	}
	return rep
}

// private collects every string of the accepted events that must never
// appear in the report: refs, tags, names, texts.
func private(log []Event) []string {
	var out []string
	add := func(xs ...string) {
		for _, x := range xs {
			if x != "" {
				out = append(out, x)
			}
		}
	}
	for _, e := range log {
		add(e.Actor)
		switch b := e.Body.(type) {
		case ListSubmitted:
			for _, r := range b.Rows {
				add(r.Ref)
			}
		case ListAnswered:
			for _, a := range b.Answers {
				add(a.Ref, a.Text)
			}
		case MemberAppointed:
			add(b.Member)
		case Vote:
			add(b.Person.Ref, b.Member)
		case PairConfirmed:
			add(b.Request.Ref, b.Custody.Ref)
		case PairRejected:
			add(b.Request.Ref, b.Custody.Ref, b.Text)
		case RoundPlanned:
			for _, o := range b.Omissions {
				add(o.Person.Ref, o.Reason)
			}
		case Acknowledged:
			add(b.Person.Ref, b.Note)
		case DeliveredUnlisted:
			add(b.Ref)
		case RemainsTransferred:
			add(b.Tags...)
		case RemainsIdentified:
			add(b.Tag)
			if b.Missing != nil {
				add(b.Missing.Ref)
			}
		case DiscrepancyStatusSet:
			add(b.Text)
		case ChildCaseOpened:
			add(b.Child.Ref)
		case ChildCaseStep:
			add(b.Reason)
		}
	}
	return out
}

func TestRandomSequences(t *testing.T) {
	seeds := 40
	steps := 400
	if testing.Short() {
		seeds = 8
	}
	kindsSeen := map[string]int{}
	for seed := range seeds {
		f := newFx(t)
		f.check = seed%4 == 0 // the replay check is slow; every refusal in a quarter of the runs
		g := &gen{r: rand.New(rand.NewPCG(uint64(seed), 7)), s: f.s}
		f.must(lists()...)
		for range steps {
			st := g.next()
			if err := f.try(st.by, st.body); err == nil {
				kindsSeen[kindOf(st.body)]++
			}
		}
		got := f.s.Report()
		want := model(f.a, f.log, f.idx)
		if !reflect.DeepEqual(got, want) {
			gj, _ := json.MarshalIndent(got, "", " ")
			wj, _ := json.MarshalIndent(want, "", " ")
			t.Fatalf("seed %d: report\n%s\nmodel\n%s", seed, gj, wj)
		}
		j, err := json.Marshal(got)
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range private(f.log) {
			if strings.Contains(string(j), x) {
				t.Fatalf("seed %d: the report holds %q: %s", seed, x, j)
			}
		}
		// Replaying the log through the canonical encoding gives the same state.
		r := NewState(f.a)
		for i, e := range f.log {
			b, err := Encode(e)
			if err != nil {
				t.Fatal(err)
			}
			d, err := Decode(b)
			if err != nil {
				t.Fatal(err)
			}
			if err := r.Apply(f.idx[i], d); err != nil {
				t.Fatalf("seed %d: replaying %s: %v", seed, e.Kind, err)
			}
		}
		if !reflect.DeepEqual(r, f.s) {
			t.Fatalf("seed %d: replay differs", seed)
		}
	}
	for _, k := range Kinds() {
		if kindsSeen[k] == 0 {
			t.Errorf("no %s was ever accepted: the generator does not reach it", k)
		}
	}
	t.Logf("accepted: %v", kindsSeen)
}
