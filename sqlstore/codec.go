package sqlstore

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"

	"tally"
)

// The agreement document. Its field names are the stored format: change
// them only with a migration.
type agreementDoc struct {
	ID         string        `json:"id"`
	Title      string        `json:"title"`
	Date       string        `json:"date"`
	Parties    []partyDoc    `json:"parties"`
	Mediator   *partyDoc     `json:"mediator,omitempty"`
	Categories []categoryDoc `json:"categories"`
}

type partyDoc struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

type categoryDoc struct {
	ID          string         `json:"id"`
	Title       string         `json:"title"`
	Subject     string         `json:"subject"`
	Terms       string         `json:"terms"`
	Quantity    int            `json:"quantity"`
	From        string         `json:"from"`
	To          string         `json:"to"`
	Eligibility eligibilityDoc `json:"eligibility"`
}

type eligibilityDoc struct {
	Conditions []string `json:"conditions"`
	Age        *ageDoc  `json:"age,omitempty"`
}

type ageDoc struct {
	Min *int   `json:"min"`
	Max *int   `json:"max"`
	On  string `json:"on"`
}

func encodeAgreement(a tally.Agreement) ([]byte, error) {
	d := agreementDoc{ID: a.ID, Title: a.Title, Date: a.Date.String()}
	if a.Parties != nil {
		d.Parties = make([]partyDoc, len(a.Parties))
		for i, p := range a.Parties {
			d.Parties[i] = partyDoc(p)
		}
	}
	if a.Mediator != nil {
		d.Mediator = &partyDoc{Code: a.Mediator.Code, Name: a.Mediator.Name}
	}
	if a.Categories != nil {
		d.Categories = make([]categoryDoc, len(a.Categories))
	}
	for i, c := range a.Categories {
		cd := categoryDoc{
			ID: c.ID, Title: c.Title, Subject: string(c.Subject), Terms: string(c.Terms),
			Quantity: c.Quantity, From: c.From, To: c.To,
			Eligibility: eligibilityDoc{Conditions: c.Eligibility.Conditions},
		}
		if r := c.Eligibility.Age; r != nil {
			cd.Eligibility.Age = &ageDoc{Min: r.Min, Max: r.Max, On: r.On.String()}
		}
		d.Categories[i] = cd
	}
	return json.Marshal(d)
}

func decodeAgreement(b []byte) (tally.Agreement, error) {
	var d agreementDoc
	if err := json.Unmarshal(b, &d); err != nil {
		return tally.Agreement{}, err
	}
	date, err := decodeDate(d.Date)
	if err != nil {
		return tally.Agreement{}, err
	}
	a := tally.Agreement{ID: d.ID, Title: d.Title, Date: date}
	if d.Parties != nil {
		a.Parties = make([]tally.Party, len(d.Parties))
		for i, p := range d.Parties {
			a.Parties[i] = tally.Party(p)
		}
	}
	if d.Mediator != nil {
		a.Mediator = &tally.Party{Code: d.Mediator.Code, Name: d.Mediator.Name}
	}
	if d.Categories != nil {
		a.Categories = make([]tally.Category, len(d.Categories))
	}
	for i, cd := range d.Categories {
		c := tally.Category{
			ID: cd.ID, Title: cd.Title, Subject: tally.Subject(cd.Subject), Terms: tally.Terms(cd.Terms),
			Quantity: cd.Quantity, From: cd.From, To: cd.To,
			Eligibility: tally.Eligibility{Conditions: cd.Eligibility.Conditions},
		}
		if r := cd.Eligibility.Age; r != nil {
			on, err := decodeDate(r.On)
			if err != nil {
				return tally.Agreement{}, err
			}
			c.Eligibility.Age = &tally.AgeRule{Min: r.Min, Max: r.Max, On: on}
		}
		a.Categories[i] = c
	}
	return a, nil
}

// decodeDate reads a date as Date.String wrote it, keeping its precision.
func decodeDate(s string) (tally.Date, error) {
	if s == "" {
		return tally.Date{}, nil
	}
	return tally.ParseDate(s)
}

type columnDoc struct {
	Name  string `json:"name"`
	Field string `json:"field,omitempty"`
}

func encodeHeader(h tally.Header) (string, error) {
	cs := make([]columnDoc, len(h.Columns))
	for i, c := range h.Columns {
		if c.Field >= tally.NumFields {
			return "", fmt.Errorf("column %q has no such field %d", c.Name, c.Field)
		}
		cs[i] = columnDoc{Name: c.Name, Field: c.Field.String()}
	}
	b, err := json.Marshal(cs)
	return string(b), err
}

func decodeHeader(s string) (tally.Header, error) {
	var cs []columnDoc
	if err := json.Unmarshal([]byte(s), &cs); err != nil {
		return tally.Header{}, err
	}
	var h tally.Header
	if len(cs) > 0 {
		h.Columns = make([]tally.Column, len(cs))
	}
	for i, c := range cs {
		f := tally.FieldNamed(c.Field)
		if f == tally.FieldUnknown && c.Field != "" {
			return tally.Header{}, fmt.Errorf("column %q has an unknown field %q", c.Name, c.Field)
		}
		h.Columns[i] = tally.Column{Name: c.Name, Field: f}
	}
	return h, nil
}

// appendFields appends the non-empty values of r as a compact JSON object
// keyed by field name, in field order: {"surname":"…","birth_date":"…"}.
func appendFields(b []byte, vs *[tally.NumFields]string) []byte {
	b = append(b, '{')
	first := true
	for f := tally.FieldRef; f < tally.NumFields; f++ {
		v := vs[f]
		if v == "" {
			continue
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = append(b, '"')
		b = append(b, f.String()...) // names are plain ASCII
		b = append(b, '"', ':')
		b = appendString(b, v)
	}
	return append(b, '}')
}

// appendStrings appends ss as a JSON array of strings.
func appendStrings(b []byte, ss []string) []byte {
	b = append(b, '[')
	for i, s := range ss {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, s)
	}
	return append(b, ']')
}

const hex = "0123456789abcdef"

// appendString appends s as a JSON string. Invalid UTF-8 becomes U+FFFD, as
// with encoding/json; PostgreSQL would refuse it anyway.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i++
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

var errSyntax = errors.New("malformed JSON")

// decodeFields reads an object written by appendFields into vs.
func decodeFields(s string, vs *[tally.NumFields]string) error {
	d := decoder{s: s}
	if !d.eat('{') {
		return errSyntax
	}
	if d.eat('}') {
		return d.end()
	}
	for {
		k, err := d.str()
		if err != nil {
			return err
		}
		f := tally.FieldNamed(k)
		if f == tally.FieldUnknown {
			return fmt.Errorf("unknown field %q", k)
		}
		if !d.eat(':') {
			return errSyntax
		}
		if vs[f], err = d.str(); err != nil {
			return err
		}
		if d.eat('}') {
			return d.end()
		}
		if !d.eat(',') {
			return errSyntax
		}
	}
}

// decodeStrings reads an array written by appendStrings.
func decodeStrings(s string) ([]string, error) {
	d := decoder{s: s}
	if !d.eat('[') {
		return nil, errSyntax
	}
	ss := []string{}
	if d.eat(']') {
		return ss, d.end()
	}
	for {
		v, err := d.str()
		if err != nil {
			return nil, err
		}
		ss = append(ss, v)
		if d.eat(']') {
			return ss, d.end()
		}
		if !d.eat(',') {
			return nil, errSyntax
		}
	}
}

// decoder reads the subset of JSON the encoders above write (and any
// whitespace a database might add around it).
type decoder struct {
	s string
	i int
}

func (d *decoder) space() {
	for d.i < len(d.s) {
		switch d.s[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

func (d *decoder) eat(c byte) bool {
	d.space()
	if d.i < len(d.s) && d.s[d.i] == c {
		d.i++
		return true
	}
	return false
}

func (d *decoder) end() error {
	d.space()
	if d.i != len(d.s) {
		return errSyntax
	}
	return nil
}

// str reads a string. Without escapes it is a substring of the input.
func (d *decoder) str() (string, error) {
	if !d.eat('"') {
		return "", errSyntax
	}
	start := d.i
	for d.i < len(d.s) {
		switch d.s[d.i] {
		case '"':
			v := d.s[start:d.i]
			d.i++
			return v, nil
		case '\\':
			return d.escaped(start)
		}
		if d.s[d.i] < 0x20 {
			return "", errSyntax
		}
		d.i++
	}
	return "", errSyntax
}

func (d *decoder) escaped(start int) (string, error) {
	b := []byte(d.s[start:d.i])
	for d.i < len(d.s) {
		c := d.s[d.i]
		switch {
		case c == '"':
			d.i++
			return string(b), nil
		case c < 0x20:
			return "", errSyntax
		case c != '\\':
			b = append(b, c)
			d.i++
			continue
		}
		if d.i+1 >= len(d.s) {
			return "", errSyntax
		}
		e := d.s[d.i+1]
		d.i += 2
		switch e {
		case '"', '\\', '/':
			b = append(b, e)
		case 'b':
			b = append(b, '\b')
		case 'f':
			b = append(b, '\f')
		case 'n':
			b = append(b, '\n')
		case 'r':
			b = append(b, '\r')
		case 't':
			b = append(b, '\t')
		case 'u':
			r, ok := d.hex4()
			if !ok {
				return "", errSyntax
			}
			if utf16.IsSurrogate(r) {
				r2 := utf8.RuneError
				if d.i+1 < len(d.s) && d.s[d.i] == '\\' && d.s[d.i+1] == 'u' {
					save := d.i
					d.i += 2
					if x, ok := d.hex4(); ok {
						r2 = x
					}
					if dr := utf16.DecodeRune(r, r2); dr != utf8.RuneError {
						r = dr
					} else {
						d.i = save
						r = utf8.RuneError
					}
				} else {
					r = utf8.RuneError
				}
			}
			b = utf8.AppendRune(b, r)
		default:
			return "", errSyntax
		}
	}
	return "", errSyntax
}

func (d *decoder) hex4() (rune, bool) {
	if d.i+4 > len(d.s) {
		return 0, false
	}
	n, err := strconv.ParseUint(d.s[d.i:d.i+4], 16, 16)
	if err != nil {
		return 0, false
	}
	d.i += 4
	return rune(n), true
}
