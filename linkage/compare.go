package linkage

import (
	"tally"
	"tally/names"
)

// The compared fields, in pattern order.
const (
	fSurname = iota
	fGiven
	fPatronymic
	fBirthDate
	fBirthPlace
	fServiceNumber
	fUnit
	numFields
)

// fieldNames are the fields' names in Pair.Fields, as tally.Field writes them.
var fieldNames = [numFields]string{
	"surname", "given_name", "patronymic", "birth_date", "birth_place", "service_number", "unit",
}

// Levels of the name-like fields (surname, given name, patronymic, birth
// place). Level 0 is always "missing": a field empty on either side is
// neither evidence for nor against.
const (
	lvMissing = iota
	lvExact
	lvEquivalent
	lvSameKey
	lvClose
	lvSimilar
	lvInitial
	lvDifferent
)

var nameLevels = []string{"missing", "exact", "equivalent-form", "same-key", "close", "similar", "initial", "different"}

// Levels of the birth date.
const (
	dMissing = iota
	dExact
	dSwapped
	dOneOff
	dPartial
	dDifferent
)

var dateLevels = []string{"missing", "exact", "day-month-swapped", "one-component-off", "partial-agrees", "different"}

// Levels of service number and unit.
const (
	idMissing = iota
	idExact
	idClose
	idDifferent
)

var idLevels = []string{"missing", "exact", "close", "different"}

var levelNames = [numFields][]string{nameLevels, nameLevels, nameLevels, dateLevels, nameLevels, idLevels, idLevels}

// Patterns pack one level per field in 3 bits; bit 21 marks a pair compared
// with surname and given name crossed over.
const (
	levelBits   = 3
	patternBits = levelBits * numFields
	swappedBit  = 1 << patternBits
	patternMask = swappedBit - 1
)

// pooled are the fields whose exact and equivalent-form levels the model
// takes as one: which of the two a true pair shows depends on the language
// each list is written in, the same for every name on a row, and modelling
// them apart would count the language several times over as evidence
// against. Pair.Fields still tells them apart.
var pooled = [...]int{fSurname, fGiven, fPatronymic, fBirthPlace}

// modelPattern returns the pattern as the model sees it: without the
// swapped mark, equivalent forms pooled with exact agreement.
func modelPattern(pat uint32) uint32 {
	pat &= patternMask
	for _, f := range pooled {
		if levelOf(pat, f) == lvEquivalent {
			pat ^= uint32(lvEquivalent^lvExact) << (levelBits * f)
		}
	}
	return pat
}

func levelOf(pat uint32, f int) int { return int(pat>>(levelBits*f)) & (1<<levelBits - 1) }

// closeJW and similarJW are the Jaro–Winkler similarities of canon forms
// from which two spellings count as close and as similar.
const (
	closeJW   = 0.9
	similarJW = 0.8
)

// comparer compares prepared records. Each goroutine has its own: the memo
// of name-pair levels is not shared.
type comparer struct {
	t    *table
	memo [numNameParts]map[uint64]uint8
}

func newComparer(t *table) *comparer {
	c := &comparer{t: t}
	for i := range c.memo {
		c.memo[i] = make(map[uint64]uint8, 1024)
	}
	return c
}

// nameLevel compares one name-like part.
func (c *comparer) nameLevel(k int, a, b *part) int {
	switch {
	case a.norm == 0 || b.norm == 0:
		return lvMissing
	case a.norm == b.norm:
		return lvExact
	case a.initial || b.initial:
		ra, rb := c.t.runes[a.canon], c.t.runes[b.canon]
		if len(ra) > 0 && len(rb) > 0 && ra[0] == rb[0] {
			return lvInitial
		}
		return lvDifferent
	}
	x, y := a.norm, b.norm
	if x > y {
		x, y = y, x
	}
	mk := uint64(x)<<32 | uint64(y)
	if lv, ok := c.memo[k][mk]; ok {
		return int(lv)
	}
	lv := c.nameLevelSlow(k, a, b)
	if len(c.memo[k]) > 1<<20 {
		clear(c.memo[k])
	}
	c.memo[k][mk] = uint8(lv)
	return lv
}

func (c *comparer) nameLevelSlow(k int, a, b *part) int {
	sa, sb := c.t.strs[a.norm], c.t.strs[b.norm]
	if a.key == b.key {
		if names.Equivalent(partOf[k], sa, sb) {
			return lvEquivalent
		}
		return lvSameKey
	}
	alike := a.skel == b.skel && len(c.t.strs[a.skel]) >= 2
	if !alike && a.canon == b.canon {
		alike = true
	}
	jw := 0.0
	if !alike {
		jw = jaroWinkler(c.t.runes[a.canon], c.t.runes[b.canon])
	}
	if alike || jw >= 0.8 {
		// Only names that already look alike are put to names.Equivalent:
		// it may be costly, and forms of one name share their sound.
		if names.Equivalent(partOf[k], sa, sb) {
			return lvEquivalent
		}
	}
	if alike || jw >= closeJW {
		return lvClose
	}
	// One typing error in the name as written (a neighbouring key, a
	// letter dropped, doubled or transposed) is close too.
	if ra, rb := c.t.runes[a.norm], c.t.runes[b.norm]; len(ra) >= 4 && len(rb) >= 4 && osaWithin(ra, rb, 1) {
		return lvClose
	}
	if jw >= similarJW {
		return lvSimilar
	}
	return lvDifferent
}

func dateLevel(a, b tally.Date) int {
	if a.Precision == tally.NoDate || b.Precision == tally.NoDate {
		return dMissing
	}
	if a.Precision == tally.FullDate && b.Precision == tally.FullDate {
		if a == b {
			return dExact
		}
		if a.Year == b.Year && int(a.Month) == b.Day && a.Day == int(b.Month) {
			return dSwapped
		}
		diff := 0
		if a.Year != b.Year {
			diff++
		}
		if a.Month != b.Month {
			diff++
		}
		if a.Day != b.Day {
			diff++
		}
		if diff == 1 || daysApart(a, b) == 1 || a.Day == b.Day && monthsApart(a, b) == 1 {
			return dOneOff
		}
		return dDifferent
	}
	if a.Year != b.Year {
		return dDifferent
	}
	if a.Precision >= tally.YearMonth && b.Precision >= tally.YearMonth && a.Month != b.Month {
		return dDifferent
	}
	return dPartial
}

func monthsApart(a, b tally.Date) int {
	d := (a.Year*12 + int(a.Month)) - (b.Year*12 + int(b.Month))
	if d < 0 {
		d = -d
	}
	return d
}

// daysApart returns |a − b| in days for two full dates, capped at 2.
func daysApart(a, b tally.Date) int {
	da := civilDays(a)
	db := civilDays(b)
	d := da - db
	if d < 0 {
		d = -d
	}
	return min(d, 2)
}

// civilDays counts days from a fixed epoch (Howard Hinnant's algorithm).
func civilDays(d tally.Date) int {
	y, m := d.Year, int(d.Month)
	if m <= 2 {
		y--
	}
	era := y / 400
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d.Day - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe
}

func (c *comparer) idLevel(a, b int32) int {
	switch {
	case a == 0 || b == 0:
		return idMissing
	case a == b:
		return idExact
	}
	ra, rb := c.t.runes[a], c.t.runes[b]
	if len(ra) >= 4 && len(rb) >= 4 && osaWithin(ra, rb, 1) {
		return idClose
	}
	return idDifferent
}

// rank orders name levels by how much they say the two are one name.
var rank = [...]int{lvMissing: 0, lvExact: 5, lvEquivalent: 4, lvSameKey: 3, lvClose: 2, lvSimilar: 1, lvInitial: 1, lvDifferent: 0}

// compare returns the comparison pattern of a and b.
func (c *comparer) compare(a, b *prepped) uint32 {
	s := c.nameLevel(fSurname, &a.p[0], &b.p[0])
	g := c.nameLevel(fGiven, &a.p[1], &b.p[1])
	var swapped uint32
	if rank[s] < 2 && rank[g] < 2 && a.p[0].norm != 0 && a.p[1].norm != 0 {
		// Surname and given name written in each other's columns?
		s2 := c.nameLevel(fSurname, &a.p[0], &b.x[0])
		g2 := c.nameLevel(fGiven, &a.p[1], &b.x[1])
		if rank[s2] >= 2 && rank[g2] >= 2 {
			s, g, swapped = s2, g2, swappedBit
		}
	}
	pat := uint32(s) | uint32(g)<<levelBits
	pat |= uint32(c.nameLevel(fPatronymic, &a.p[2], &b.p[2])) << (2 * levelBits)
	pat |= uint32(dateLevel(a.date, b.date)) << (3 * levelBits)
	pat |= uint32(c.nameLevel(3, &a.p[3], &b.p[3])) << (4 * levelBits)
	pat |= uint32(c.idLevel(a.svc, b.svc)) << (5 * levelBits)
	pat |= uint32(c.idLevel(a.unit, b.unit)) << (6 * levelBits)
	return pat | swapped
}

// has reports whether a record has field f.
func (p *prepped) has(f int) bool {
	switch f {
	case fSurname, fGiven, fPatronymic:
		return p.p[f].norm != 0
	case fBirthPlace:
		return p.p[3].norm != 0
	case fBirthDate:
		return p.date.Precision != tally.NoDate
	case fServiceNumber:
		return p.svc != 0
	}
	return p.unit != 0
}
