// Package synth generates pairs of synthetic lists for measuring record
// linkage: a Ukrainian request list and an overlapping custody list on
// which the other side's registers write the same men their own way. Every
// person is invented: names are random combinations of common name parts,
// dates and numbers are random. The generator is deterministic: a Config
// gives the same lists on every machine.
//
// # The request list (left)
//
// N men in Ukrainian: surname, given name and patronymic in Ukrainian
// Cyrillic, birth date DD.MM.YYYY, birth place ("м. Олешки"), and for some
// a service number and a unit. Its own noise: a typo in a name part
// (LeftTypo), a birth date given as a year only (LeftYearOnly) or missing
// (LeftDateMissing). Some men are brothers requested together
// (BrothersOnLeft).
//
// # The custody list (right)
//
// Overlap × N of the requested men, as the other side writes them, plus
// distractors: namesakes of requested men (Namesake: same three names,
// another birth date and place), brothers of requested men (Brother: same
// surname, patronymic and birth place, another given name, born one to six
// years apart), and other men, up to N rows, shuffled. A requested man is
// written:
//
//   - in Russian forms (Russian): given name and patronymic translated
//     (Олександр Миколайович → Александр Николаевич), surname converted
//     letter by letter (і→и, ї→и, є→е, ґ→г, the apostrophe dropped) and
//     often russified (-ійник → -ейник, -ський → -ский, и → ы by sound), birth
//     place in its Russian name (Олешки → Алешки); ё for е at random;
//   - in Latin (Latin) by one of four romanizations: the Ukrainian national
//     system of 2010, ICAO for the Russian form, BGN/PCGN for the Russian
//     form, or an older loose Ukrainian spelling (j, ch, c);
//   - otherwise in Ukrainian, as requested;
//   - surname in capitals (UpperSurname);
//   - with a typo in a name part (Typo): a neighbouring key on the ЙЦУКЕН
//     keyboard, a dropped, doubled or transposed letter;
//   - without patronymic (MissingPatronymic; MissingPatronymicLatin for
//     Latin rows);
//   - with surname and given name in each other's columns (SwappedNames);
//   - with the birth date's day and month swapped (DateSwapped, where the
//     day is 12 or less), one component slipped by one (DateSlipped), only
//     the year (DateYearOnly), year and month (DateYearMonth) or nothing
//     (DateMissing); full dates are written YYYY-MM-DD at ISODates;
//   - without birth place (PlaceMissing), with a service number copied
//     (ServiceNumberKept) in Latin look-alike letters half of the time, and
//     the unit copied (UnitKept).
package synth

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"tally"
)

// Noise rates, as probabilities per row (or per name part where said).
const (
	LeftTypo        = 0.01 // per name part of the request list
	LeftYearOnly    = 0.01
	LeftDateMissing = 0.01
	BrothersOnLeft  = 0.01 // requested men who have a brother requested too

	Russian                = 0.60
	Latin                  = 0.20 // the rest stay Ukrainian
	UpperSurname           = 0.50
	Typo                   = 0.04 // per name part
	MissingPatronymic      = 0.08
	MissingPatronymicLatin = 0.50
	SwappedNames           = 0.02
	DateSwapped            = 0.05
	DateSlipped            = 0.05
	DateYearOnly           = 0.03
	DateYearMonth          = 0.02
	DateMissing            = 0.04
	ISODates               = 0.30
	PlaceMissing           = 0.20
	ServiceNumberKept      = 0.50
	UnitKept               = 0.40

	Namesake = 0.03 // requested men who have a namesake in custody
	Brother  = 0.03 // requested men who have a brother in custody
)

// Config says what to generate.
type Config struct {
	N       int     // rows of the request list, and of the custody list
	Seed    uint64  // the same seed gives the same lists
	Overlap float64 // share of requested men in custody; 0 means 0.6
}

// Dataset is a generated pair of lists with the truth about them.
type Dataset struct {
	Left  []tally.Row // the request list, refs UA-000001…
	Right []tally.Row // the custody list, refs RU-000001…
	// Truth maps the ref of every requested man in custody to his custody
	// ref. Distractors have no entry.
	Truth map[string]string
}

type person struct {
	root, suf, given, father, place int
	born                            time.Time
	svc, unit                       string
}

type gen struct {
	rng                         *rand.Rand
	rootW, sufW, givenW, placeW []float64
	neighbours                  map[rune][]rune
}

// Generate makes a Dataset.
func Generate(c Config) (*Dataset, error) {
	if c.N < 0 || c.N > 10_000_000 {
		return nil, fmt.Errorf("synth: n = %d is not in 0…10,000,000", c.N)
	}
	if c.Overlap == 0 {
		c.Overlap = 0.6
	}
	if c.Overlap < 0 || c.Overlap > 1 || math.IsNaN(c.Overlap) {
		return nil, fmt.Errorf("synth: overlap %v is not in 0…1", c.Overlap)
	}
	g := &gen{rng: rand.New(rand.NewPCG(c.Seed, 0x5e7a11))}
	g.rootW = zipf(len(surnameRoots), 0.3)
	g.givenW = zipf(len(givenNames), 0.9)
	g.placeW = zipf(len(places), 0.8)
	for _, s := range surnameSuffixes {
		g.sufW = append(g.sufW, s.weight)
	}
	g.neighbours = map[rune][]rune{}
	for _, row := range keyRows {
		rs := []rune(row)
		for i, r := range rs {
			if i > 0 {
				g.neighbours[r] = append(g.neighbours[r], rs[i-1])
			}
			if i+1 < len(rs) {
				g.neighbours[r] = append(g.neighbours[r], rs[i+1])
			}
		}
	}

	ds := &Dataset{Truth: map[string]string{}}
	left := make([]person, 0, c.N)
	for len(left) < c.N {
		p := g.person()
		left = append(left, p)
		if len(left) < c.N && g.rng.Float64() < BrothersOnLeft {
			left = append(left, g.brother(p))
		}
	}
	type rightRow struct {
		p       person
		leftRef string
	}
	var right []rightRow
	for i, p := range left {
		ref := fmt.Sprintf("UA-%06d", i+1)
		ds.Left = append(ds.Left, g.renderLeft(ref, p, i+2))
		if len(right) < c.N && g.rng.Float64() < c.Overlap {
			right = append(right, rightRow{p, ref})
		}
	}
	for _, p := range left {
		if len(right) < c.N && g.rng.Float64() < Namesake {
			q := g.person()
			q.root, q.suf, q.given, q.father = p.root, p.suf, p.given, p.father
			right = append(right, rightRow{q, ""})
		}
		if len(right) < c.N && g.rng.Float64() < Brother {
			right = append(right, rightRow{g.brother(p), ""})
		}
	}
	for len(right) < c.N {
		right = append(right, rightRow{g.person(), ""})
	}
	g.rng.Shuffle(len(right), func(i, j int) { right[i], right[j] = right[j], right[i] })
	for i, rr := range right {
		ref := fmt.Sprintf("RU-%06d", i+1)
		ds.Right = append(ds.Right, g.renderRight(ref, rr.p, i+2))
		if rr.leftRef != "" {
			ds.Truth[rr.leftRef] = ref
		}
	}
	return ds, nil
}

func zipf(n int, s float64) []float64 {
	w := make([]float64, n)
	for i := range w {
		w[i] = 1 / math.Pow(float64(i+1), s)
	}
	return w
}

func (g *gen) pick(w []float64) int {
	t := 0.0
	for _, x := range w {
		t += x
	}
	r := g.rng.Float64() * t
	for i, x := range w {
		r -= x
		if r < 0 {
			return i
		}
	}
	return len(w) - 1
}

func (g *gen) chance(p float64) bool { return g.rng.Float64() < p }

var epoch = time.Date(1965, 1, 1, 0, 0, 0, 0, time.UTC)

func (g *gen) person() person {
	p := person{
		root: g.pick(g.rootW), suf: g.pick(g.sufW), given: g.pick(g.givenW),
		father: g.pick(g.givenW), place: g.pick(g.placeW),
		born: epoch.AddDate(0, 0, g.rng.IntN(40*365)),
	}
	if g.chance(0.7) {
		const letters = "АВЕКМНОРСТ"
		l := []rune(letters)
		p.svc = fmt.Sprintf("%c%c%06d", l[g.rng.IntN(len(l))], l[g.rng.IntN(len(l))], g.rng.IntN(1000000))
	}
	if g.chance(0.6) {
		p.unit = fmt.Sprintf("А%04d", 1000+g.rng.IntN(400))
	}
	return p
}

// brother shares surname, father and birth place, not the given name.
func (g *gen) brother(p person) person {
	q := g.person()
	q.root, q.suf, q.father, q.place = p.root, p.suf, p.father, p.place
	for q.given == p.given {
		q.given = g.pick(g.givenW)
	}
	years := 1 + g.rng.IntN(6)
	if g.chance(0.5) {
		years = -years
	}
	q.born = p.born.AddDate(years, g.rng.IntN(11)-5, g.rng.IntN(29)-14)
	return q
}

func (g *gen) ukSurname(p person) string {
	root := surnameRoots[p.root]
	suf := surnameSuffixes[p.suf].uk
	if suf == "ій" && strings.HasSuffix(root, "ч") {
		suf = "ук"
	}
	return root + suf
}

func (g *gen) renderLeft(ref string, p person, line int) tally.Row {
	var r tally.Row
	r.Line = line
	r.Values[tally.FieldRef] = ref
	gn := givenNames[p.given]
	r.Values[tally.FieldSurname] = g.maybeTypo(g.ukSurname(p), LeftTypo)
	r.Values[tally.FieldGivenName] = g.maybeTypo(gn.uk, LeftTypo)
	r.Values[tally.FieldPatronymic] = g.maybeTypo(givenNames[p.father].ukPatr, LeftTypo)
	switch {
	case g.chance(LeftDateMissing):
	case g.chance(LeftYearOnly):
		r.Values[tally.FieldBirthDate] = fmt.Sprintf("%04d", p.born.Year())
	default:
		r.Values[tally.FieldBirthDate] = p.born.Format("02.01.2006")
	}
	pl := places[p.place].uk
	switch g.rng.IntN(3) {
	case 0:
		pl = "м. " + pl
	case 1:
		pl = pl + ", " + "Україна"
	}
	r.Values[tally.FieldBirthPlace] = pl
	r.Values[tally.FieldServiceNumber] = p.svc
	if p.unit != "" {
		r.Values[tally.FieldUnit] = "в/ч " + p.unit
	}
	return r
}

func (g *gen) renderRight(ref string, p person, line int) tally.Row {
	var r tally.Row
	r.Line = line
	r.Values[tally.FieldRef] = ref
	gn, fa := givenNames[p.given], givenNames[p.father]
	sur, given, patr, pl := g.ukSurname(p), gn.uk, fa.ukPatr, places[p.place].uk
	u := g.rng.Float64()
	lang := "uk"
	switch {
	case u < Russian:
		lang = "ru"
		sur, given, patr, pl = g.russianSurname(sur), g.yo(gn.ru), g.yo(fa.ruPatr), places[p.place].ru
	case u < Russian+Latin:
		lang = "lat"
		var s scheme
		switch g.rng.IntN(4) {
		case 0:
			s = ukNational
		case 1:
			s = ruICAO
			sur, given, patr, pl = g.russianSurname(sur), gn.ru, fa.ruPatr, places[p.place].ru
		case 2:
			s = ruBGN
			sur, given, patr, pl = g.russianSurname(sur), gn.ru, fa.ruPatr, places[p.place].ru
		default:
			s = ukOld
		}
		sur, given, patr, pl = romanize(s, sur), romanize(s, given), romanize(s, patr), romanize(s, pl)
	}
	sur = g.maybeTypo(sur, Typo)
	given = g.maybeTypo(given, Typo)
	patr = g.maybeTypo(patr, Typo)
	if g.chance(UpperSurname) {
		sur = strings.ToUpper(sur)
	}
	if g.chance(MissingPatronymic) || lang == "lat" && g.chance(MissingPatronymicLatin) {
		patr = ""
	}
	if g.chance(SwappedNames) {
		sur, given = given, sur
	}
	r.Values[tally.FieldSurname] = sur
	r.Values[tally.FieldGivenName] = given
	r.Values[tally.FieldPatronymic] = patr
	r.Values[tally.FieldBirthDate] = g.renderDate(p.born)
	if !g.chance(PlaceMissing) {
		switch {
		case lang == "ru" && g.chance(0.5):
			pl = "г. " + pl
		case lang == "lat" && g.chance(0.3):
			pl = pl + ", Ukraine"
		}
		r.Values[tally.FieldBirthPlace] = pl
	}
	if p.svc != "" && g.chance(ServiceNumberKept) {
		s := p.svc
		if g.chance(0.5) {
			s = strings.Map(func(r rune) rune {
				if l, ok := toLatinLookalike[r]; ok {
					return l
				}
				return r
			}, s)
		}
		r.Values[tally.FieldServiceNumber] = s
	}
	if p.unit != "" && g.chance(UnitKept) {
		if lang == "lat" {
			r.Values[tally.FieldUnit] = "military unit A" + p.unit[len("А"):]
		} else {
			r.Values[tally.FieldUnit] = "в/ч " + p.unit
		}
	}
	return r
}

var toLatinLookalike = map[rune]rune{
	'А': 'A', 'В': 'B', 'Е': 'E', 'К': 'K', 'М': 'M', 'Н': 'H', 'О': 'O', 'Р': 'P', 'С': 'C', 'Т': 'T',
}

func (g *gen) renderDate(t time.Time) string {
	y, m, d := t.Date()
	u := g.rng.Float64()
	switch {
	case u < DateMissing:
		return ""
	case u < DateMissing+DateYearOnly:
		return fmt.Sprintf("%04d", y)
	case u < DateMissing+DateYearOnly+DateYearMonth:
		return fmt.Sprintf("%02d.%04d", int(m), y)
	case u < DateMissing+DateYearOnly+DateYearMonth+DateSwapped:
		if d <= 12 {
			t = time.Date(y, time.Month(d), int(m), 0, 0, 0, 0, time.UTC)
		}
	case u < DateMissing+DateYearOnly+DateYearMonth+DateSwapped+DateSlipped:
		switch g.rng.IntN(3) {
		case 0:
			t = t.AddDate(0, 0, 1-2*g.rng.IntN(2))
		case 1:
			t = t.AddDate(0, 1-2*g.rng.IntN(2), 0)
		default:
			t = t.AddDate(1-2*g.rng.IntN(2), 0, 0)
		}
	}
	if g.chance(ISODates) {
		return t.Format("2006-01-02")
	}
	return t.Format("02.01.2006")
}

// russianSurname writes a Ukrainian surname as a Russian register would:
// letter by letter, often russified.
func (g *gen) russianSurname(s string) string {
	low := strings.ToLower(s)
	if g.chance(0.6) {
		for _, r := range [][2]string{{"ійн", "ейн"}, {"ський", "ский"}, {"цький", "цкий"}, {"ець", "ец"}, {"ій", "ий"}} {
			low = strings.ReplaceAll(low, r[0], r[1])
		}
		if g.chance(0.5) {
			low = strings.ReplaceAll(low, "и", "ы")
			low = strings.ReplaceAll(low, "ыч", "ич") // -ич stays
		}
	}
	low = strings.NewReplacer("і", "и", "ї", "и", "є", "е", "ґ", "г", "'", "", "’", "").Replace(low)
	return capitalize(low)
}

func (g *gen) yo(s string) string {
	if g.chance(0.2) {
		for _, r := range [][2]string{{"Артем", "Артём"}, {"Федор", "Фёдор"}, {"Семен", "Семён"}, {"Петр", "Пётр"}} {
			s = strings.Replace(s, r[0], r[1], 1)
		}
	}
	return s
}

func capitalize(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}

func romanize(sc scheme, s string) string {
	var b strings.Builder
	start := true
	for _, r := range s {
		up := unicode.IsUpper(r)
		lr := unicode.ToLower(r)
		t, ok := sc.table[lr]
		if f, fok := sc.first[lr]; fok && start {
			t, ok = f, true
		}
		if !ok {
			b.WriteRune(r)
			start = !unicode.IsLetter(r) && r != '\''
			continue
		}
		if up && t != "" {
			t = capitalize(t)
		}
		b.WriteString(t)
		start = false
	}
	return b.String()
}

// maybeTypo puts one typing error in s with probability p.
func (g *gen) maybeTypo(s string, p float64) string {
	if s == "" || !g.chance(p) {
		return s
	}
	rs := []rune(s)
	if len(rs) < 3 {
		return s
	}
	i := 1 + g.rng.IntN(len(rs)-1) // clerks get the first letter right
	switch u := g.rng.Float64(); {
	case u < 0.55:
		lr := unicode.ToLower(rs[i])
		if nb := g.neighbours[lr]; len(nb) > 0 {
			n := nb[g.rng.IntN(len(nb))]
			if unicode.IsUpper(rs[i]) {
				n = unicode.ToUpper(n)
			}
			rs[i] = n
		} else if lr >= 'a' && lr <= 'z' {
			rs[i] = rune('a' + g.rng.IntN(26))
		}
	case u < 0.75:
		rs = append(rs[:i], rs[i+1:]...)
	case u < 0.85:
		rs = append(rs[:i+1], rs[i:]...)
	default:
		if i+1 < len(rs) {
			rs[i], rs[i+1] = rs[i+1], rs[i]
		} else {
			rs[i-1], rs[i] = rs[i], rs[i-1]
		}
	}
	return string(rs)
}
