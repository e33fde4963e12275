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

// rawPart and rawRecord hold the strings computed in parallel before
// interning.
type rawPart struct {
	norm, key, canon, skel string
	initial                bool
}

type rawRecord struct {
	p         [numNameParts]rawPart
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
	for i, s := range texts {
		s = names.Normalize(clip(s))
		s, _ = names.RepairLookalikes(s)
		if partOf[i] == names.Place {
			s = cleanPlace(s)
		}
		s = strings.Trim(s, " .,;:-'\"")
		if s == "" {
			continue
		}
		low := strings.ToLower(s)
		p := rawPart{norm: low, key: names.Key(partOf[i], s), canon: canonical(s)}
		p.skel = skeleton(p.canon)
		p.initial = utf8.RuneCountInString(strings.TrimRight(low, ".")) == 1
		if p.key == "" {
			p.key = low
		}
		rr.p[i] = p
	}
	rr.svc = foldID(clip(r.ServiceNumber))
	rr.unit = foldUnit(clip(r.Unit))
	return rr
}

// prepare computes every record's forms, in parallel, then interns them.
func prepare(left, right []Record, workers int) (lp, rp []prepped, t *table) {
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
	t = newTable(len(all))
	pp := make([]prepped, len(all))
	for i := range all {
		rr := &all[i]
		q := &pp[i]
		for k := range rr.p {
			rp := &rr.p[k]
			if rp.norm == "" {
				continue
			}
			q.p[k] = part{
				norm:    t.intern(rp.norm, true),
				key:     t.intern(rp.key, false),
				canon:   t.intern(rp.canon, true),
				skel:    t.intern(rp.skel, false),
				initial: rp.initial,
			}
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
