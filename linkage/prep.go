package linkage

import (
	"strings"
	"sync"
	"unicode/utf8"

	"tally"
	"tally/names"
)

// The name-like fields, indexed as names.Part is: surname, given,
// patronymic, place.
const numNameParts = 4

var partOf = [numNameParts]names.Part{names.Surname, names.Given, names.Patronymic, names.Place}

// maxRunes bounds the text of one field the linker looks at: no real name
// is longer, and it keeps hostile input from costing quadratic time.
const maxRunes = 120

// part is one name-like field of one record, as interned ids (0 = empty).
type part struct {
	norm    int32 // the text, normalized and lower-cased: the "exact" level
	key     int32 // names.Key
	canon   int32 // canon form (sound.go)
	skel    int32 // skeleton of canon
	initial bool  // the text is a single letter, with or without a dot
}

// prepped is a record made ready for comparison: computed once per record,
// never per pair.
type prepped struct {
	p    [numNameParts]part
	x    [2]part // given name keyed as a surname, surname as a given name
	date tally.Date
	svc  int32 // folded service number
	unit int32 // folded unit
}

// table interns strings to small integers; id 0 is the empty string.
type table struct {
	ids   map[string]int32
	strs  []string
	runes [][]rune // of canon forms and folded identifiers, for distances
}

func newTable(hint int) *table {
	t := &table{ids: make(map[string]int32, hint), strs: []string{""}, runes: [][]rune{nil}}
	t.ids[""] = 0
	return t
}

func (t *table) intern(s string, withRunes bool) int32 {
	if id, ok := t.ids[s]; ok {
		if withRunes && t.runes[id] == nil && s != "" {
			t.runes[id] = []rune(s)
		}
		return id
	}
	id := int32(len(t.strs))
	t.ids[s] = id
	t.strs = append(t.strs, s)
	var r []rune
	if withRunes {
		r = []rune(s)
	}
	t.runes = append(t.runes, r)
	return id
}

func (t *table) part(rp *rawPart) part {
	if rp.norm == "" {
		return part{}
	}
	return part{
		norm:    t.intern(rp.norm, true),
		key:     t.intern(rp.key, false),
		canon:   t.intern(rp.canon, true),
		skel:    t.intern(rp.skel, false),
		initial: rp.initial,
	}
}

// rawPart and rawRecord hold the strings computed in parallel before
// interning.
type rawPart struct {
	norm, key, canon, skel string
	initial                bool
}

type rawRecord struct {
	p         [numNameParts]rawPart
	x         [2]rawPart // given name as a surname, surname as a given name
	svc, unit string
}

func clip(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	if len(s) > maxRunes { // bytes ≥ runes: only long strings need counting
		n := 0
		for i := range s {
			if n == maxRunes {
				return s[:i]
			}
			n++
		}
	}
	return s
}

func rawOf(r *Record) rawRecord {
	var rr rawRecord
	texts := [numNameParts]string{r.Surname, r.Given, r.Patronymic, r.BirthPlace}
	var clean [numNameParts]string
	for i, s := range texts {
		s = names.Normalize(clip(s))
		s, _ = names.RepairLookalikes(s)
		if partOf[i] == names.Place {
			s = cleanPlace(s)
		}
		clean[i] = strings.Trim(s, " .,;:-'\"")
		rr.p[i] = rawPartOf(partOf[i], clean[i])
	}
	// The given name read as a surname and the surname as a given name,
	// for rows that have them in each other's columns.
	rr.x[0] = rawPartOf(names.Surname, clean[1])
	rr.x[1] = rawPartOf(names.Given, clean[0])
	rr.svc = foldID(clip(r.ServiceNumber))
	rr.unit = foldUnit(clip(r.Unit))
	return rr
}

func rawPartOf(pt names.Part, s string) rawPart {
	if s == "" {
		return rawPart{}
	}
	low := strings.ToLower(s)
	p := rawPart{norm: low, key: names.Key(pt, s)}
	// The sound forms start from the names package's key where it has
	// one: it already folds the forms it knows (Микола, Николай →
	// mikola), so the skeleton and the close level see them as one.
	p.canon = canonical(p.key)
	if p.canon == "" {
		p.canon = canonical(s)
	}
	p.skel = skeleton(p.canon)
	p.initial = utf8.RuneCountInString(strings.TrimRight(low, ".")) == 1
	if p.key == "" {
		p.key = low
	}
	return p
}

// prepare computes every record's forms, in parallel, then interns them.
func prepare(left, right []Record, workers int, cr *crash) (lp, rp []prepped, t *table) {
	all := make([]rawRecord, len(left)+len(right))
	var wg sync.WaitGroup
	chunk := (len(all) + workers - 1) / workers
	for w := 0; w < workers; w++ {
		lo, hi := w*chunk, min((w+1)*chunk, len(all))
		if lo >= hi {
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer cr.catch()
			for i := lo; i < hi; i++ {
				if i < len(left) {
					all[i] = rawOf(&left[i])
				} else {
					all[i] = rawOf(&right[i-len(left)])
				}
			}
		}()
	}
	wg.Wait()
	cr.check()
	t = newTable(len(all))
	pp := make([]prepped, len(all))
	for i := range all {
		rr := &all[i]
		q := &pp[i]
		for k := range rr.p {
			q.p[k] = t.part(&rr.p[k])
		}
		for k := range rr.x {
			q.x[k] = t.part(&rr.x[k])
		}
		q.svc = t.intern(rr.svc, true)
		q.unit = t.intern(rr.unit, true)
		if i < len(left) {
			q.date = left[i].BirthDate
		} else {
			q.date = right[i-len(left)].BirthDate
		}
		q.date = sane(q.date)
	}
	return pp[:len(left)], pp[len(left):], t
}

// sane drops a date whose fields contradict its precision: Records can be
// built by hand, not only by tally.ParseDate.
func sane(d tally.Date) tally.Date {
	switch {
	case d.Precision == tally.NoDate || d.Precision > tally.FullDate:
		return tally.Date{}
	case d.Year < 1 || d.Year > 9999:
		return tally.Date{}
	case d.Precision >= tally.YearMonth && (d.Month < 1 || d.Month > 12):
		return tally.Date{}
	case d.Precision == tally.FullDate && (d.Day < 1 || d.Day > 31):
		return tally.Date{}
	}
	if d.Precision < tally.FullDate {
		d.Day = 0
	}
	if d.Precision < tally.YearMonth {
		d.Month = 0
	}
	return d
}
