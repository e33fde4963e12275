package tally

import (
	"fmt"
	"strings"
	"time"
)

// Field is a column of a list that tally understands. Columns it does not
// understand are kept with the row as they are (see Row.Extra).
type Field uint8

const (
	FieldUnknown Field = iota
	FieldRef
	FieldSurname
	FieldGivenName
	FieldPatronymic
	FieldFullName
	FieldBirthDate
	FieldBirthPlace
	FieldSex
	FieldCitizenship
	FieldRank
	FieldServiceNumber
	FieldUnit
	FieldCaptureDate
	FieldCapturePlace
	FieldCondition
	FieldCategory
	FieldDeathDate
	FieldRemainsTag
	FieldGuardian
	FieldNotes
	NumFields // the number of fields, for arrays indexed by Field
)

var fieldNames = [NumFields]string{
	"", "ref", "surname", "given_name", "patronymic", "full_name", "birth_date",
	"birth_place", "sex", "citizenship", "rank", "service_number", "unit",
	"capture_date", "capture_place", "condition", "category", "death_date",
	"remains_tag", "guardian", "notes",
}

// String returns the field's name as the list spec and JSON reports write it.
func (f Field) String() string {
	if f < NumFields {
		return fieldNames[f]
	}
	return fmt.Sprintf("field(%d)", f)
}

// FieldNamed returns the field with the given spec name, or FieldUnknown.
func FieldNamed(name string) Field {
	for f := FieldRef; f < NumFields; f++ {
		if fieldNames[f] == name {
			return f
		}
	}
	return FieldUnknown
}

// Column is one column of a list's header: its text as the file has it, and
// the field it was recognised as (FieldUnknown if none).
type Column struct {
	Name  string
	Field Field
}

// Header is the first non-empty row of a list.
type Header struct {
	Columns []Column
}

// Has reports whether the header has a column for f.
func (h Header) Has(f Field) bool {
	for _, c := range h.Columns {
		if c.Field == f {
			return true
		}
	}
	return false
}

// Unknown returns the names of the columns tally did not recognise, in order.
func (h Header) Unknown() []string {
	var u []string
	for _, c := range h.Columns {
		if c.Field == FieldUnknown {
			u = append(u, c.Name)
		}
	}
	return u
}

// Row is one data row of a list, its cells as read (trimmed, NFC), by field.
type Row struct {
	Line   int               // line in the file (header is 1); for XLSX the sheet row
	Values [NumFields]string // recognised cells
	Extra  []string          // cells of unknown columns, in Header.Unknown order
}

// Get returns the value of field f.
func (r *Row) Get(f Field) string { return r.Values[f] }

// RowReader yields the rows of one list in file order. Next returns io.EOF
// after the last row. Readers stream: a list of a million rows is never
// held whole. An error that is not io.EOF stops the list (the file is
// unreadable); a row that merely does not conform is not an error.
type RowReader interface {
	Header() Header
	Next() (Row, error)
}

// ListKind is what a list holds.
type ListKind string

const (
	KindRequest  ListKind = "request"  // persons a party asks to have returned
	KindCustody  ListKind = "custody"  // persons a party holds
	KindRemains  ListKind = "remains"  // remains a party hands over
	KindChildren ListKind = "children" // children a party asks for
)

// ParseListKind returns the kind named s, or an error listing the kinds.
func ParseListKind(s string) (ListKind, error) {
	switch k := ListKind(strings.ToLower(strings.TrimSpace(s))); k {
	case KindRequest, KindCustody, KindRemains, KindChildren:
		return k, nil
	}
	return "", Errorf(EInvalid, "%q is not a kind of list: use request, custody, remains or children", s)
}

// ProblemCode is the closed set of reasons a row does not conform.
type ProblemCode string

const (
	MissingField       ProblemCode = "missing-field"
	BadDate            ProblemCode = "bad-date"
	BadValue           ProblemCode = "bad-value"
	UnknownCategory    ProblemCode = "unknown-category"
	NotEligible        ProblemCode = "not-eligible"
	EligibilityUnknown ProblemCode = "eligibility-unknown"
	DuplicateInList    ProblemCode = "duplicate"
)

// Problem is one reason one row does not conform.
type Problem struct {
	Line     int         `json:"line"`
	Ref      string      `json:"ref"`
	Code     ProblemCode `json:"code"`
	Field    string      `json:"field"`
	Category string      `json:"category"`
	Detail   string      `json:"detail"`
}

// Note is something tally changed or noticed in a row that is not a
// problem: a Latin look-alike letter repaired inside a Cyrillic name.
type Note struct {
	Line   int    `json:"line"`
	Ref    string `json:"ref"`
	Field  string `json:"field"`
	Detail string `json:"detail"`
}

// Report is the conformity report of one list.
type Report struct {
	File       string    `json:"file"`
	Rows       int       `json:"rows"`
	Conforming bool      `json:"conforming"`
	Problems   []Problem `json:"problems"`
	Notes      []Note    `json:"notes"`
	Unknown    []string  `json:"unknown_columns"`
}

// ListVersion is one stored version of a list: a party's list of one kind
// under one agreement. A corrected file is a new version; none is ever
// overwritten.
type ListVersion struct {
	ID          int64 // assigned by the store; unique across lists
	AgreementID string
	ListID      string // the list, unique within the agreement: "ua-request"
	Party       string
	Kind        ListKind
	Version     int // 1, 2, ... per list
	FileName    string
	SHA256      string // hex of the original file's bytes
	Size        int64  // bytes of the original file
	Category    string // the --category given at import, if any
	ImportedAt  time.Time
	Rows        int
	Problems    int
	Conforming  bool
	Header      Header
	// Entry is the index of the log entry that recorded this version, or
	// -1 when none did (no log was kept when it was imported). The store
	// keeps it apart; Service.ImportList and Service.ListVersion fill it.
	Entry int64
}

// Ref names the version for people: "ua-request@2".
func (v ListVersion) Ref() string { return fmt.Sprintf("%s@%d", v.ListID, v.Version) }
