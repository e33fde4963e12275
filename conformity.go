package tally

import (
	"fmt"
	"hash/maphash"
	"slices"
	"strconv"
	"strings"

	"tally/names"
)

// Checker judges the rows of one list against an agreement, one row at a
// time, so that a list of any length streams through it. It remembers a
// few bytes per row (hashes and refs) to find the same person twice.
//
// Both sides run the same Checker on the same files and get the same
// answer: the check depends on nothing but the agreement, the list and the
// category given for a list with no category column.
type Checker struct {
	agreement  *Agreement
	category   *Category // for every row, when the list has no category column
	hasCatCol  bool
	conditions map[string]bool // every condition code the agreement defines
	seed       maphash.Seed

	// What duplicate finding remembers of the rows seen so far, by index:
	// their refs, lines, patronymic keys and the chain of earlier rows with
	// the same name key. index maps hashes of (what, value) to the newest
	// row index with that value.
	refs       refArena
	lines      []int32
	patronymic []uint32 // hash of the patronymic key, 0 when none
	next       []int32  // earlier row with the same name key, -1 at the end
	index      seenIndex
}

// What a hash in Checker.index is of.
const (
	hashRef byte = iota + 1
	hashName
	hashServiceNumber
	hashTag
)

// NewChecker returns a Checker for a list with the given header. category
// is the category id for every row of a list that has no category column
// (the --category flag); it may be empty when the list has one.
func NewChecker(a *Agreement, h Header, category string) (*Checker, error) {
	c := &Checker{
		agreement:  a,
		hasCatCol:  h.Has(FieldCategory),
		conditions: map[string]bool{},
		seed:       maphash.MakeSeed(),
	}
	for _, k := range a.Conditions() {
		c.conditions[Code(k)] = true
	}
	if category != "" {
		cat, ok := a.Category(category)
		if !ok {
			return nil, &Error{Code: EInvalid, Key: "--category",
				Message: fmt.Sprintf("agreement %s has no category %q", a.ID, category),
				Hint:    "use one of: " + strings.Join(categoryIDs(a), ", ")}
		}
		c.category = cat
	}
	if !c.hasCatCol && c.category == nil {
		return nil, &Error{Code: EInvalid,
			Message: "the list has no category column, and no --category was given",
			Hint:    "add a category column, or give --category with one of: " + strings.Join(categoryIDs(a), ", ")}
	}
	return c, nil
}

func categoryIDs(a *Agreement) []string {
	ids := make([]string, len(a.Categories))
	for i, c := range a.Categories {
		ids[i] = c.ID
	}
	return ids
}

// RefOf returns the row's ref, or "L<line>" when it has none.
func RefOf(r *Row) string {
	if r.Values[FieldRef] != "" {
		return r.Values[FieldRef]
	}
	return "L" + strconv.Itoa(r.Line)
}

// Check normalizes row r in place (names in normal form, look-alike letters
// repaired, a full name split) and returns its ref, the problems that make
// it not conform, in field order, and notes on what was repaired.
func (c *Checker) Check(r *Row) (ref string, problems []Problem, notes []Note) {
	for i, v := range r.Values {
		r.Values[i] = strings.TrimSpace(v) // no copy when there is nothing to trim
	}
	ref = RefOf(r)
	repaired, before := normalizeNames(r) // as NormalizeRow, keeping what was repaired
	for i, f := range repaired {
		notes = append(notes, Note{Line: r.Line, Ref: ref, Field: f.String(),
			Detail: fmt.Sprintf("Latin look-alike letters taken as Cyrillic: %q → %q", before[i], r.Values[f])})
	}

	cat, catID := c.category, ""
	if cat != nil {
		catID = cat.ID
	}
	add := func(code ProblemCode, f Field, format string, args ...any) {
		problems = append(problems, Problem{Line: r.Line, Ref: ref, Code: code, Field: f.String(),
			Category: catID, Detail: fmt.Sprintf(format, args...)})
	}

	if c.hasCatCol {
		switch v := r.Values[FieldCategory]; {
		case v != "":
			if found, ok := c.agreement.Category(v); ok {
				cat, catID = found, found.ID
			} else {
				cat, catID = nil, v
				add(UnknownCategory, FieldCategory, "%q is not a category of agreement %s; use one of: %s",
					v, c.agreement.ID, strings.Join(categoryIDs(c.agreement), ", "))
			}
		case c.category == nil:
			add(MissingField, FieldCategory, "the category is empty; use one of: %s",
				strings.Join(categoryIDs(c.agreement), ", "))
		}
	}

	remains := cat != nil && cat.Subject == SubjectRemains
	if remains {
		if r.Values[FieldRemainsTag] == "" {
			add(MissingField, FieldRemainsTag, "every row of a remains list needs its tag (body number)")
		}
	} else {
		if r.Values[FieldSurname] == "" {
			add(MissingField, FieldSurname, "the surname is empty")
		}
		if r.Values[FieldGivenName] == "" {
			add(MissingField, FieldGivenName, "the given name is empty")
		}
	}

	// Dates: every date present must be one; a birth date is required where
	// the category has an age rule.
	var birth Date
	birthOK := false
	for _, f := range [...]Field{FieldBirthDate, FieldCaptureDate, FieldDeathDate} {
		v := r.Values[f]
		if v == "" {
			continue
		}
		d, err := ParseDate(v)
		if err != nil {
			add(BadDate, f, "%s", err.(*DateError).Reason+": "+strconv.Quote(v))
			continue
		}
		if f == FieldBirthDate {
			birth, birthOK = d, true
		}
	}
	if v := r.Values[FieldSex]; v != "" && !knownSex(v) {
		add(BadValue, FieldSex, "%q is not a sex tally knows; write M or F (Ч/Ж, М/Ж)", v)
	}
	if cat != nil && cat.Eligibility.Age != nil {
		c.checkAge(r, cat, birth, birthOK, add)
	}
	c.checkCondition(r, cat, add)
	problems = append(problems, c.checkDuplicate(r, ref, remains, birth, birthOK, catID)...)
	return ref, problems, notes
}

func (c *Checker) checkAge(r *Row, cat *Category, birth Date, ok bool, add func(ProblemCode, Field, string, ...any)) {
	if r.Values[FieldBirthDate] == "" {
		add(MissingField, FieldBirthDate, "%s has an age rule, so the birth date is required", cat.ID)
		return
	}
	if !ok {
		return // already a bad-date
	}
	rule, day := *cat.Eligibility.Age, c.agreement.AgeDay(cat)
	if day.Before(birth.First()) {
		add(BadDate, FieldBirthDate, "born %s, after %s, the day the age rule is judged on", birth, day)
		return
	}
	oldest, youngest := AgeOn(birth.First(), day), AgeOn(birth.Last(), day)
	if day.Before(birth.Last()) {
		youngest = 0
	}
	in := func(age int) bool {
		return (rule.Min == nil || age >= *rule.Min) && (rule.Max == nil || age <= *rule.Max)
	}
	ages := strconv.Itoa(oldest)
	if youngest != oldest {
		ages = fmt.Sprintf("%d or %d", youngest, oldest)
		if oldest-youngest > 1 {
			ages = fmt.Sprintf("%d to %d", youngest, oldest)
		}
	}
	// Age only grows with an earlier birth, so the two ends decide: every
	// day between them gives an age between theirs.
	switch a, b := in(oldest), in(youngest); {
	case a && b:
	case !a && !b && !(rule.Min != nil && rule.Max != nil && youngest < *rule.Min && oldest > *rule.Max):
		add(NotEligible, FieldBirthDate, "%s years old on %s; %s takes %s", ages, day, cat.ID, rule.Takes())
	default:
		add(EligibilityUnknown, FieldBirthDate, "born %s (%s): %s years old on %s; %s takes %s; give the full birth date",
			birth, precisionWords(birth.Precision), ages, day, cat.ID, rule.Takes())
	}
}

func precisionWords(p Precision) string {
	switch p {
	case YearOnly:
		return "year only"
	case YearMonth:
		return "year and month only"
	}
	return "full date"
}

func (c *Checker) checkCondition(r *Row, cat *Category, add func(ProblemCode, Field, string, ...any)) {
	v := r.Values[FieldCondition]
	rule := []string(nil)
	if cat != nil {
		rule = cat.Eligibility.Conditions
	}
	if v == "" {
		if len(rule) > 0 {
			add(MissingField, FieldCondition, "%s takes only %s, so the condition is required",
				cat.ID, strings.Join(rule, " or "))
		}
		return
	}
	if len(c.conditions) == 0 {
		return // the agreement defines no conditions: nothing to hold the cell to
	}
	var codes []string
	for _, part := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ';' }) {
		code := Code(part)
		if code == "" {
			continue
		}
		if !c.conditions[code] {
			add(BadValue, FieldCondition, "%q is not a condition the agreement defines; use %s",
				strings.TrimSpace(part), strings.Join(c.agreement.Conditions(), ", "))
			return
		}
		codes = append(codes, code)
	}
	if len(rule) == 0 {
		return
	}
	for _, code := range codes {
		for _, k := range rule {
			if Code(k) == code {
				return
			}
		}
	}
	add(NotEligible, FieldCondition, "condition %s; %s takes only %s", strings.Join(codes, ", "),
		cat.ID, strings.Join(rule, " or "))
}

func knownSex(v string) bool {
	switch strings.ToLower(strings.TrimSuffix(strings.TrimSpace(v), ".")) {
	case "m", "f", "male", "female", "man", "woman",
		"ч", "ж", "чол", "жін", "чоловіча", "жіноча", "чоловік", "жінка",
		"м", "муж", "жен", "мужской", "женский", "мужчина", "женщина":
		return true
	}
	return false
}

// checkDuplicate finds the same person earlier in the list, in any script:
// by service number, or by surname, given name and birth date compared
// through their script-neutral keys (Олійник = Олейник = Oliinyk), with
// patronymics, where both rows have one, agreeing too. It also finds a ref
// used twice and, on a remains list, a tag used twice.
func (c *Checker) checkDuplicate(r *Row, ref string, remains bool, birth Date, birthOK bool, catID string) []Problem {
	var ps []Problem
	idx := int32(len(c.lines))
	var patronymic uint32
	next := int32(-1)
	dup := func(f Field, format string, args ...any) {
		ps = append(ps, Problem{Line: r.Line, Ref: ref, Code: DuplicateInList, Field: f.String(),
			Category: catID, Detail: fmt.Sprintf(format, args...)})
	}
	// seen looks value up as a what, and remembers this row under it if no
	// earlier row has it.
	seen := func(what byte, value string) (int32, bool) {
		h := c.hash(what, value)
		if j, ok := c.index.get(h); ok {
			return j, true
		}
		c.index.put(h, idx)
		return 0, false
	}
	if r.Values[FieldRef] != "" {
		if j, ok := seen(hashRef, r.Values[FieldRef]); ok {
			ps = append(ps, Problem{Line: r.Line, Ref: ref, Code: BadValue, Field: FieldRef.String(),
				Category: catID, Detail: fmt.Sprintf("ref %s is used already on line %d; every row needs its own ref", ref, c.lines[j])})
		}
	}
	found := false
	if remains {
		if tag := foldCode(r.Values[FieldRemainsTag]); tag != "" {
			if j, ok := seen(hashTag, tag); ok {
				dup(FieldRemainsTag, "the same tag as %s (line %d)", c.refs.get(j), c.lines[j])
				found = true
			}
		}
	}
	if num := foldCode(r.Values[FieldServiceNumber]); len(num) >= 3 {
		if j, ok := seen(hashServiceNumber, num); ok && !found {
			dup(FieldServiceNumber, "the same service number as %s (line %d)", c.refs.get(j), c.lines[j])
			found = true
		}
	}
	s, g := r.Values[FieldSurname], r.Values[FieldGivenName]
	if !remains && s != "" && g != "" && birthOK {
		h := c.hash(hashName, names.Key(names.Surname, s), names.Key(names.Given, g), birth.String())
		if p := r.Values[FieldPatronymic]; p != "" {
			patronymic = uint32(c.hash(hashName, names.Key(names.Patronymic, p))) | 1
		}
		head, ok := c.index.get(h)
		for j := head; ok && j >= 0 && !found; j = c.next[j] {
			if c.patronymic[j] != 0 && patronymic != 0 && c.patronymic[j] != patronymic {
				continue // different fathers: namesakes, not one man
			}
			dup(FieldSurname, "the same person as %s (line %d): same name and birth date, in another spelling or script", c.refs.get(j), c.lines[j])
			found = true
		}
		if ok {
			next = head
		}
		c.index.put(h, idx)
	}
	c.refs.add(ref)
	c.lines = append(c.lines, int32(r.Line))
	c.patronymic = append(c.patronymic, patronymic)
	c.next = append(c.next, next)
	return ps
}

// hash returns the hash of what and the parts, kept apart so that no two
// different tuples are one string.
func (c *Checker) hash(what byte, parts ...string) uint64 {
	var h maphash.Hash
	h.SetSeed(c.seed)
	h.WriteByte(what)
	for _, p := range parts {
		h.WriteString(p)
		h.WriteByte(0)
	}
	return h.Sum64()
}

// foldCode puts a service number or tag in one form: upper case, no spaces
// or dashes, Cyrillic letters that look Latin taken as Latin (АА 123 = AA123).
func foldCode(s string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		switch {
		case r == ' ' || r == '-' || r == '/' || r == '.' || r == '\u00a0':
			continue
		}
		if l, ok := cyrillicAsLatin[r]; ok {
			r = l
		}
		b.WriteRune(r)
	}
	return b.String()
}

var cyrillicAsLatin = map[rune]rune{
	'А': 'A', 'В': 'B', 'Е': 'E', 'К': 'K', 'М': 'M', 'Н': 'H', 'О': 'O', 'Р': 'P',
	'С': 'C', 'Т': 'T', 'Х': 'X', 'І': 'I', 'У': 'Y', 'Ј': 'J', 'Ѕ': 'S',
}

// Validate reads every row of r and returns the list's report. file names
// the list in the report. Reading stops at the first error of the reader
// (an unreadable file), which is returned; rows that do not conform are
// problems in the report, not errors.
func Validate(a *Agreement, file string, r RowReader, category string) (Report, error) {
	rep := Report{File: file, Problems: []Problem{}, Notes: []Note{}, Unknown: r.Header().Unknown()}
	err := EachRow(a, r, category, func(_ string, _ *Row, ps []Problem, ns []Note) error {
		rep.Rows++
		rep.Problems = append(rep.Problems, ps...)
		rep.Notes = append(rep.Notes, ns...)
		return nil
	})
	if err != nil {
		return Report{}, InFile(err, file, 0)
	}
	if rep.Unknown == nil {
		rep.Unknown = []string{}
	}
	rep.Conforming = len(rep.Problems) == 0
	return rep, nil
}

// EachRow checks every row of r and calls fn with the row (normalized), its
// ref, problems and notes, in file order.
//
// Reading and checking overlap: a goroutine reads rows in batches while
// this one checks them, so that a long list takes about as long as the
// slower of the two, not their sum.
func EachRow(a *Agreement, r RowReader, category string, fn func(ref string, row *Row, ps []Problem, ns []Note) error) error {
	c, err := NewChecker(a, r.Header(), category)
	if err != nil {
		return err
	}
	type batch struct {
		rows []Row
		err  error // the reader's error after rows, io.EOF at the end
	}
	const batchSize = 256
	batches := make(chan batch, 4)
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		defer close(batches)
		for {
			b := batch{rows: make([]Row, 0, batchSize)}
			for len(b.rows) < batchSize && b.err == nil {
				row, err := r.Next()
				if err != nil {
					b.err = err
					break
				}
				b.rows = append(b.rows, row)
			}
			select {
			case batches <- b:
			case <-stop:
				return
			}
			if b.err != nil {
				return
			}
		}
	}()
	for b := range batches {
		for i := range b.rows {
			ref, ps, ns := c.Check(&b.rows[i])
			if err := fn(ref, &b.rows[i], ps, ns); err != nil {
				return err
			}
		}
		if b.err != nil {
			if isEOF(b.err) {
				return nil
			}
			return b.err
		}
	}
	return nil
}

// SortProblems orders problems by line, keeping each row's own order.
func SortProblems(ps []Problem) {
	slices.SortStableFunc(ps, func(a, b Problem) int { return a.Line - b.Line })
}
