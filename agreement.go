package tally

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// Agreement holds the humanitarian terms two parties reached through a
// mediator: which categories of people (or remains) are exchanged, on what
// terms, and who is eligible.
type Agreement struct {
	ID         string
	Title      string
	Date       Date // the day it was reached; the default day for age rules
	Parties    []Party
	Mediator   *Party
	Categories []Category
	// Commission is how the medical commission is made up, if the
	// agreement sets it: members from each party and neutral members.
	Commission *Commission
}

// Commission is the make-up of the medical commission: how many members
// each party appoints, and how many neutral members the mediator does.
type Commission struct {
	PerParty int
	Neutral  int
}

// Party is one side of an agreement, or its mediator.
type Party struct {
	Code string // short code such as UA or RU, as used on the command line
	Name string
}

// Subject is what a category exchanges.
type Subject string

const (
	SubjectPrisoner Subject = "prisoner"
	SubjectCivilian Subject = "civilian"
	SubjectRemains  Subject = "remains"
)

// Terms is how a category is exchanged.
type Terms string

const (
	AllForAll  Terms = "all-for-all" // every eligible person, both ways
	NForN      Terms = "n-for-n"     // up to Quantity each way, in equal numbers
	Unilateral Terms = "unilateral"  // one way only, From → To
)

// Category is one class of the agreement, such as "aged 18 to 25".
type Category struct {
	ID          string
	Title       string
	Subject     Subject
	Terms       Terms
	Quantity    int    // for n-for-n
	Ratio       [2]int // for n-for-n: the first party hands over Ratio[0] for every Ratio[1] of the second; zero means 1 for 1
	From, To    string // party codes, for unilateral terms
	Eligibility Eligibility
}

// Eligibility is who a category takes. An empty Eligibility takes everyone
// of the category's subject.
type Eligibility struct {
	Conditions []string // the row's condition must be one of these codes
	Age        *AgeRule
}

// AgeRule bounds age in completed years on a day, inclusive at both ends.
type AgeRule struct {
	Min, Max *int
	On       Date // zero: the agreement's date
}

// Takes says what range an age rule takes, for messages: "18 to 25".
func (r AgeRule) Takes() string {
	switch {
	case r.Min != nil && r.Max != nil:
		return fmt.Sprintf("%d to %d", *r.Min, *r.Max)
	case r.Min != nil:
		return fmt.Sprintf("%d and older", *r.Min)
	case r.Max != nil:
		return fmt.Sprintf("up to %d", *r.Max)
	}
	return "any age"
}

// Category returns the category with the given id, matched as codes are
// (see [Code]), or false.
func (a *Agreement) Category(id string) (*Category, bool) {
	c := Code(id)
	for i := range a.Categories {
		if a.Categories[i].ID == c {
			return &a.Categories[i], true
		}
	}
	return nil, false
}

// Party returns the party (not the mediator) with the given code, or false.
func (a *Agreement) Party(code string) (Party, bool) {
	for _, p := range a.Parties {
		if strings.EqualFold(p.Code, code) {
			return p, true
		}
	}
	return Party{}, false
}

// Conditions returns every condition code any category names, sorted.
func (a *Agreement) Conditions() []string {
	var cs []string
	for _, c := range a.Categories {
		for _, k := range c.Eligibility.Conditions {
			if !slices.Contains(cs, k) {
				cs = append(cs, k)
			}
		}
	}
	slices.Sort(cs)
	return cs
}

// Code normalizes a code as clerks type it: "Seriously wounded" and
// "seriously_wounded" are the code seriously-wounded.
func Code(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool {
		return r == ' ' || r == '_' || r == '-' || r == '\t'
	}), "-")
}

// AgreementProblem is one broken rule of an agreement, at Path: the keys
// leading to the fault, such as "categories[2].quantity", so that a loader
// can name the line.
type AgreementProblem struct {
	Path    string
	Message string
}

var idPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9-]*$`)

// Check returns every rule a decoded agreement breaks, in file order. An
// agreement with problems must not be stored.
func (a *Agreement) Check() []AgreementProblem {
	var ps []AgreementProblem
	add := func(path, format string, args ...any) {
		ps = append(ps, AgreementProblem{path, fmt.Sprintf(format, args...)})
	}
	switch {
	case a.ID == "":
		add("id", "the agreement needs an id (letters, digits and '-')")
	case !idPattern.MatchString(a.ID):
		add("id", "%q is not a valid id: use only letters, digits and '-'", a.ID)
	}
	if a.Date.IsZero() {
		add("date", "the agreement needs the date it was reached (YYYY-MM-DD)")
	} else if a.Date.Precision != FullDate {
		add("date", "the agreement's date must be a full day (YYYY-MM-DD), not %s", a.Date)
	}
	if len(a.Parties) != 2 {
		add("parties", "an agreement has exactly two parties; this one has %d", len(a.Parties))
	}
	codes := map[string]bool{}
	for i, p := range a.Parties {
		path := fmt.Sprintf("parties[%d]", i)
		if p.Code == "" {
			add(path+".code", "every party needs a code, such as UA")
		} else if codes[strings.ToUpper(p.Code)] {
			add(path+".code", "two parties have the code %q; codes must differ", p.Code)
		}
		codes[strings.ToUpper(p.Code)] = true
	}
	if a.Mediator != nil && a.Mediator.Code != "" && codes[strings.ToUpper(a.Mediator.Code)] {
		add("mediator.code", "the mediator %q cannot also be a party", a.Mediator.Code)
	}
	if len(a.Categories) == 0 {
		add("categories", "the agreement needs at least one category")
	}
	if m := a.Commission; m != nil {
		if m.PerParty < 1 {
			add("commission.per_party", "each party appoints at least one member of the commission")
		}
		if m.Neutral < 0 {
			add("commission.neutral", "the number of neutral members cannot be negative")
		}
		if m.Neutral > 0 && a.Mediator == nil {
			add("commission.neutral", "neutral members are appointed by the mediator, and this agreement has none")
		}
	}
	ids := map[string]bool{}
	for i, c := range a.Categories {
		path := fmt.Sprintf("categories[%d]", i)
		switch {
		case c.ID == "":
			add(path+".id", "every category needs an id")
		case !idPattern.MatchString(c.ID):
			add(path+".id", "%q is not a valid category id: use only letters, digits and '-'", c.ID)
		case ids[Code(c.ID)]:
			add(path+".id", "the category id %q is used twice; ids must be unique", c.ID)
		}
		ids[Code(c.ID)] = true
		switch c.Subject {
		case SubjectPrisoner, SubjectCivilian, SubjectRemains:
		case "":
			add(path+".subject", "category %q needs a subject: prisoner, civilian or remains", c.ID)
		default:
			add(path+".subject", "%q is not a subject: use prisoner, civilian or remains", c.Subject)
		}
		switch c.Terms {
		case AllForAll:
		case NForN:
			if c.Quantity <= 0 {
				add(path+".quantity", "terms n-for-n need a positive quantity, such as 6000")
			}
		case Unilateral:
			if c.From == "" {
				add(path+".from", "unilateral terms need from: the party that hands over")
			} else if !codes[strings.ToUpper(c.From)] {
				add(path+".from", "%q is not one of the agreement's parties", c.From)
			}
			if c.To == "" {
				add(path+".to", "unilateral terms need to: the party that receives")
			} else if !codes[strings.ToUpper(c.To)] {
				add(path+".to", "%q is not one of the agreement's parties", c.To)
			}
			if c.From != "" && strings.EqualFold(c.From, c.To) {
				add(path+".to", "from and to are the same party %q", c.From)
			}
		case "":
			add(path+".terms", "category %q needs terms: all-for-all, n-for-n or unilateral", c.ID)
		default:
			add(path+".terms", "%q is not a kind of terms: use all-for-all, n-for-n or unilateral", c.Terms)
		}
		if c.Quantity < 0 {
			add(path+".quantity", "quantity cannot be negative")
		}
		if c.Ratio != [2]int{} {
			switch {
			case c.Terms != NForN:
				add(path+".ratio", "a ratio belongs to n-for-n terms only")
			case c.Ratio[0] < 1 || c.Ratio[1] < 1:
				add(path+".ratio", "a ratio is two whole numbers from 1, such as 1:2")
			}
		}
		if r := c.Eligibility.Age; r != nil {
			if r.Min != nil && *r.Min < 0 {
				add(path+".eligibility.age.min", "age.min cannot be negative")
			}
			if r.Max != nil && *r.Max < 0 {
				add(path+".eligibility.age.max", "age.max cannot be negative")
			}
			if r.Min != nil && r.Max != nil && *r.Min > *r.Max {
				add(path+".eligibility.age", "age.min (%d) is greater than age.max (%d)", *r.Min, *r.Max)
			}
			if r.Min == nil && r.Max == nil {
				add(path+".eligibility.age", "an age rule needs min, max or both")
			}
			if !r.On.IsZero() && r.On.Precision != FullDate {
				add(path+".eligibility.age.on", "age.on must be a full day (YYYY-MM-DD)")
			}
		}
		for j, k := range c.Eligibility.Conditions {
			if Code(k) == "" {
				add(fmt.Sprintf("%s.eligibility.condition[%d]", path, j), "a condition code cannot be empty")
			}
		}
	}
	return ps
}

// AgeDay returns the day category c's age rule is judged on.
func (a *Agreement) AgeDay(c *Category) Date {
	if c.Eligibility.Age != nil && !c.Eligibility.Age.On.IsZero() {
		return c.Eligibility.Age.On
	}
	return a.Date
}

// RatioOf returns the exchange ratio of category c: how many the first and
// the second party hand over for each other's, 1 for 1 unless the
// agreement says otherwise.
func (c *Category) RatioOf() (first, second int) {
	if c.Ratio == [2]int{} {
		return 1, 1
	}
	return c.Ratio[0], c.Ratio[1]
}

// Clone returns a deep copy of a: changing the copy, its slices or what its
// pointers point to leaves a untouched. A store that keeps agreements in
// memory gives each caller a clone.
func (a Agreement) Clone() Agreement {
	c := a
	c.Parties = slices.Clone(a.Parties)
	if a.Mediator != nil {
		m := *a.Mediator
		c.Mediator = &m
	}
	if a.Commission != nil {
		cm := *a.Commission
		c.Commission = &cm
	}
	if a.Categories != nil {
		c.Categories = make([]Category, len(a.Categories))
		for i, cat := range a.Categories {
			cat.Eligibility.Conditions = slices.Clone(cat.Eligibility.Conditions)
			if r := cat.Eligibility.Age; r != nil {
				rc := *r
				if r.Min != nil {
					v := *r.Min
					rc.Min = &v
				}
				if r.Max != nil {
					v := *r.Max
					rc.Max = &v
				}
				cat.Eligibility.Age = &rc
			}
			c.Categories[i] = cat
		}
	}
	return c
}
