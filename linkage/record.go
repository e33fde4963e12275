package linkage

import (
	"fmt"
	"math"
	"runtime"
	"strings"
	"time"

	"tally"
	"tally/names"
)

// Record is one row of a list as the linker sees it. Ref names it in the
// result; every other field may be empty (or, for BirthDate, zero).
type Record struct {
	Ref           string
	Surname       string
	Given         string
	Patronymic    string
	BirthDate     tally.Date
	BirthPlace    string
	ServiceNumber string
	Unit          string
	Line          int // line in the file, for messages; 0 if unknown
}

// FromRow makes a Record from a row of a list. ref is the row's ref; when it
// is empty the row's ref cell, then "L<line>" is used, as lists.md says for
// lists without a ref column. A birth date that does not parse counts as
// missing: the conformity check reports it, the linker just does not use it.
// A full_name cell fills the name parts the row leaves empty, split as
// lists.md describes (surname, given name, patronymic; a trailing
// patronymic is recognised by its ending).
func FromRow(ref string, r tally.Row) Record {
	if ref == "" {
		ref = strings.TrimSpace(r.Get(tally.FieldRef))
	}
	if ref == "" && r.Line > 0 {
		ref = fmt.Sprintf("L%d", r.Line)
	}
	rec := Record{
		Ref:           ref,
		Surname:       r.Get(tally.FieldSurname),
		Given:         r.Get(tally.FieldGivenName),
		Patronymic:    r.Get(tally.FieldPatronymic),
		BirthPlace:    r.Get(tally.FieldBirthPlace),
		ServiceNumber: r.Get(tally.FieldServiceNumber),
		Unit:          r.Get(tally.FieldUnit),
		Line:          r.Line,
	}
	if full := strings.Fields(r.Get(tally.FieldFullName)); len(full) > 0 && rec.Surname == "" && rec.Given == "" {
		rec.Surname, rec.Given, rec.Patronymic = splitFullName(full, rec.Patronymic)
	}
	if s := strings.TrimSpace(r.Get(tally.FieldBirthDate)); s != "" {
		if d, err := tally.ParseDate(s); err == nil {
			rec.BirthDate = d
		}
	}
	return rec
}

// splitFullName splits "Surname Given Patronymic". With two words and a
// patronymic-looking last word (no surname given), it is Given Patronymic.
func splitFullName(w []string, patr string) (sur, given, pat string) {
	pat = patr
	switch {
	case len(w) == 1:
		return w[0], "", pat
	case len(w) == 2:
		return w[0], w[1], pat
	}
	last := w[len(w)-1]
	if pat == "" && names.IsPatronymic(last) {
		pat = last
		w = w[:len(w)-1]
	}
	return strings.Join(w[:len(w)-1], " "), w[len(w)-1], pat
}

// Decision is what Link decided about a pair.
const (
	DecisionMatch  = "match"  // accepted without review
	DecisionReview = "review" // a person must look
)

// Pair is two rows Link paired, one from each list.
type Pair struct {
	Left     string            `json:"left"`
	Right    string            `json:"right"`
	Score    float64           `json:"score"`
	Decision string            `json:"decision"`
	Fields   map[string]string `json:"fields"`

	// LogOdds is Score before rounding, as log2(p/(1−p)): the match weight
	// and the prior, weighed against the other candidates of both rows.
	LogOdds float64 `json:"-"`
}

// Result is the outcome of Link. Pairs are in the order of the left list;
// LeftOnly and RightOnly hold the refs paired with nothing, in list order.
// Stats is not part of the JSON document cli.md defines.
type Result struct {
	Pairs     []Pair   `json:"pairs"`
	LeftOnly  []string `json:"left_only"`
	RightOnly []string `json:"right_only"`
	Stats     Stats    `json:"-"`
}

// Stats says what Link did and what it learned, for the bench command and
// for anyone who wants to check the model.
type Stats struct {
	Left, Right    int
	Candidates     int64       // distinct candidate pairs compared
	Passes         []PassStats // one per blocking pass, in order
	BlockCap       int         // Options.BlockCap in force
	Patterns       int         // distinct comparison vectors
	Iterations     int         // EM iterations run
	Converged      bool        // EM stopped by tolerance, not by the cap
	Lambda         float64     // EM's chance that two random rows are one person
	Params         []FieldParams
	Matches        int
	Reviews        int
	CompetitorHeld int // would-be matches sent to review for a close competitor
	Durations      map[string]time.Duration
}

// PassStats describes one blocking pass.
type PassStats struct {
	Name           string
	Pairs          int64 // pairs the pass proposed (before de-duplication)
	OversizeBlocks int   // blocks whose left×right size exceeded Options.BlockCap
	SkippedPairs   int64 // pairs in those blocks, not proposed by this pass
}

// FieldParams holds the estimated probabilities of one field's levels.
type FieldParams struct {
	Field  string
	Levels []string
	M, U   []float64
}

// Options tune Link. The zero value means every default.
type Options struct {
	// MatchThreshold: a pair whose score is at least this is a "match".
	// Default 0.99.
	MatchThreshold float64
	// ReviewThreshold: a pair whose score is at least this (and below
	// MatchThreshold, or held back for a competitor) is a "review"; below it
	// the rows are not paired. Default 0.5.
	ReviewThreshold float64
	// CompetitorMargin, in bits of log-odds: a would-be match is sent to
	// review when another candidate of either row, at or above
	// ReviewThreshold, comes within this many bits of it. Default 8
	// (a competitor at most 256 times less likely).
	CompetitorMargin float64
	// BlockCap is the largest number of pairs (left rows × right rows) one
	// block of one blocking pass may propose; larger blocks are left to the
	// other, finer passes and counted in Stats. Default 20000.
	BlockCap int
	// MaxIterations caps EM. Default 200.
	MaxIterations int
	// Tolerance stops EM when no probability moves by more. Default 1e-7.
	Tolerance float64
	// Workers is the number of goroutines comparing pairs. Default
	// GOMAXPROCS.
	Workers int
	// Seed seeds the sample of random pairs; the result depends on nothing
	// else random. Default 1.
	Seed uint64
	// NoTermFrequency turns off the term-frequency adjustment (for
	// experiments).
	NoTermFrequency bool
}

func (o Options) withDefaults() (Options, error) {
	if o.MatchThreshold == 0 {
		o.MatchThreshold = 0.99
	}
	if o.ReviewThreshold == 0 {
		o.ReviewThreshold = 0.5
	}
	if o.CompetitorMargin == 0 {
		o.CompetitorMargin = 8
	}
	if o.BlockCap == 0 {
		o.BlockCap = 20000
	}
	if o.MaxIterations == 0 {
		o.MaxIterations = 200
	}
	if o.Tolerance == 0 {
		o.Tolerance = 1e-7
	}
	if o.Workers <= 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	if o.Seed == 0 {
		o.Seed = 1
	}
	bad := func(f string, a ...any) (Options, error) {
		return o, tally.Errorf(tally.EInvalid, "linkage: "+f, a...)
	}
	switch {
	case !(o.MatchThreshold > 0 && o.MatchThreshold <= 1):
		return bad("match threshold %v is not in (0, 1]", o.MatchThreshold)
	case !(o.ReviewThreshold > 0 && o.ReviewThreshold <= o.MatchThreshold):
		return bad("review threshold %v is not in (0, match threshold %v]", o.ReviewThreshold, o.MatchThreshold)
	case o.CompetitorMargin < 0 || math.IsNaN(o.CompetitorMargin) || math.IsInf(o.CompetitorMargin, 0):
		return bad("competitor margin %v is not a finite number ≥ 0", o.CompetitorMargin)
	case o.BlockCap < 1:
		return bad("block cap %d is below 1", o.BlockCap)
	case o.MaxIterations < 1:
		return bad("max iterations %d is below 1", o.MaxIterations)
	case !(o.Tolerance > 0):
		return bad("tolerance %v is not positive", o.Tolerance)
	}
	return o, nil
}
