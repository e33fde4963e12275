package exchange

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"tally"
)

// All persons, refs, tags and names in these tests are synthetic.

func intp(n int) *int { return &n }

func testAgreement() *tally.Agreement {
	return &tally.Agreement{
		ID:       "istanbul-2025-06-02",
		Date:     tally.MustDate("2025-06-02"),
		Parties:  []tally.Party{{Code: "UA", Name: "Ukraine"}, {Code: "RU", Name: "Russian Federation"}},
		Mediator: &tally.Party{Code: "TR", Name: "Türkiye"},
		Categories: []tally.Category{
			{ID: "seriously-wounded-ill", Subject: tally.SubjectPrisoner, Terms: tally.AllForAll,
				Eligibility: tally.Eligibility{Conditions: []string{"seriously-wounded", "seriously-ill"}}},
			{ID: "aged-18-25", Subject: tally.SubjectPrisoner, Terms: tally.AllForAll,
				Eligibility: tally.Eligibility{Age: &tally.AgeRule{Min: intp(18), Max: intp(25)}}},
			{ID: "civilians", Subject: tally.SubjectCivilian, Terms: tally.NForN, Quantity: 3},
			{ID: "remains", Subject: tally.SubjectRemains, Terms: tally.NForN, Quantity: 6000},
			{ID: "children", Subject: tally.SubjectCivilian, Terms: tally.Unilateral, From: "RU", To: "UA",
				Eligibility: tally.Eligibility{Age: &tally.AgeRule{Max: intp(17)}}},
		},
	}
}

var actors = map[string]string{
	"UA": "Olena Testenko (synthetic)",
	"RU": "Ivan Primerov (synthetic)",
	"TR": "Ayşe Örnek (synthetic)",
}

// ev is a step in a test: who takes it and its body.
type ev struct {
	by   string
	body any
}

func kindOf(body any) string {
	for _, k := range kinds {
		if reflect.TypeOf(body) == k.typ {
			return k.kind
		}
	}
	return "no-such-kind"
}

var day0 = time.Date(2025, 6, 5, 9, 0, 0, 0, time.UTC)

// fx applies steps to a State and keeps the log of the accepted ones.
type fx struct {
	t     testing.TB
	a     *tally.Agreement
	s     *State
	log   []Event
	idx   []int64
	next  int64
	at    time.Time
	check bool // after every refusal, check the state is unchanged
}

func newFx(t testing.TB) *fx {
	a := testAgreement()
	return &fx{t: t, a: a, s: NewState(a), at: day0, check: true}
}

func (f *fx) event(by string, body any) Event {
	return Event{Kind: kindOf(body), By: by, Actor: actors[by], At: f.at, Body: body}
}

// try applies a step; refused steps still use up a log index, as other
// entries of the log would.
func (f *fx) try(by string, body any) error {
	f.t.Helper()
	e := f.event(by, body)
	f.at = f.at.Add(time.Hour)
	i := f.next
	f.next++
	err := f.s.Apply(i, e)
	if err == nil {
		f.log = append(f.log, e)
		f.idx = append(f.idx, i)
		return nil
	}
	var te *tally.Error
	if !errors.As(err, &te) {
		f.t.Fatalf("%s by %s: error %v is not a *tally.Error", e.Kind, by, err)
	}
	if te.Message == "" {
		f.t.Fatalf("%s by %s: error without a message", e.Kind, by)
	}
	if f.check {
		f.unchanged()
	}
	return err
}

// unchanged checks that the state is what replaying the accepted events
// gives: a refused step changed nothing.
func (f *fx) unchanged() {
	f.t.Helper()
	r := NewState(f.a)
	for i, e := range f.log {
		if err := r.Apply(f.idx[i], e); err != nil {
			f.t.Fatalf("replaying %s: %v", e.Kind, err)
		}
	}
	if !reflect.DeepEqual(r, f.s) {
		f.t.Fatalf("a refused step changed the state")
	}
}

func (f *fx) must(steps ...ev) {
	f.t.Helper()
	for _, st := range steps {
		if err := f.try(st.by, st.body); err != nil {
			f.t.Fatalf("%s by %s: %v", kindOf(st.body), st.by, err)
		}
	}
}

func ref(list, r string) PersonRef { return PersonRef{List: list, Ref: r} }

// A small world: UA requests three wounded and two young, RU holds them;
// RU requests two of its own; each side lists civilians; RU's children
// list from UA.
func lists() []ev {
	return []ev{
		{"UA", ListSubmitted{List: "ua-request", Version: 1, Kind: "request", Rows: []ListRow{
			{"UA-0001", "seriously-wounded-ill"}, {"UA-0002", "seriously-wounded-ill"}, {"UA-0003", "aged-18-25"},
			{"UA-0004", "civilians"}, {"UA-0005", "civilians"}}}},
		{"RU", ListSubmitted{List: "ru-custody", Version: 1, Kind: "custody", Rows: []ListRow{
			{"RC-0001", ""}, {"RC-0002", ""}, {"RC-0003", "aged-18-25"}, {"RC-0004", "civilians"}, {"RC-0005", "civilians"}}}},
		{"RU", ListSubmitted{List: "ru-request", Version: 1, Kind: "request", Rows: []ListRow{
			{"RR-0001", "seriously-wounded-ill"}, {"RR-0002", "civilians"}, {"RR-0003", "civilians"}}}},
		{"UA", ListSubmitted{List: "ua-custody", Version: 1, Kind: "custody", Rows: []ListRow{
			{"UC-0001", "seriously-wounded-ill"}, {"UC-0002", "civilians"}, {"UC-0003", "civilians"}}}},
		{"UA", ListSubmitted{List: "ua-children", Version: 1, Kind: "children", Rows: []ListRow{
			{"CH-0001", "children"}, {"CH-0002", "children"}}}},
	}
}

func wantCode(t *testing.T, name string, err error, want tally.ErrorCode) {
	t.Helper()
	if got := tally.ErrorCodeOf(err); got != want {
		t.Errorf("%s: got %v (%q), want %q", name, err, got, want)
	}
}
