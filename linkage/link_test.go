package linkage_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"tally"
	"tally/linkage"
	"tally/linkage/synth"
)

func records(rows []tally.Row) []linkage.Record {
	out := make([]linkage.Record, len(rows))
	for i, r := range rows {
		out[i] = linkage.FromRow("", r)
	}
	return out
}

type quality struct {
	matches, truePairs    int
	precision, recall, f1 float64
}

func measure(res *linkage.Result, truth map[string]string, withReview bool) quality {
	var q quality
	tp := 0
	for _, p := range res.Pairs {
		if p.Decision != linkage.DecisionMatch && !withReview {
			continue
		}
		q.matches++
		if truth[p.Left] == p.Right {
			tp++
		}
	}
	q.truePairs = len(truth)
	if q.matches > 0 {
		q.precision = float64(tp) / float64(q.matches)
	}
	if q.truePairs > 0 {
		q.recall = float64(tp) / float64(q.truePairs)
	}
	if q.precision+q.recall > 0 {
		q.f1 = 2 * q.precision * q.recall / (q.precision + q.recall)
	}
	return q
}

func TestLinkSynthetic(t *testing.T) {
	for _, seed := range []uint64{1, 2} {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			ds, err := synth.Generate(synth.Config{N: 2000, Seed: seed})
			if err != nil {
				t.Fatal(err)
			}
			left, right := records(ds.Left), records(ds.Right)
			res, err := linkage.Link(left, right, linkage.Options{})
			if err != nil {
				t.Fatal(err)
			}
			q := measure(res, ds.Truth, false)
			t.Logf("automatic: %d matches of %d true pairs, precision %.4f recall %.4f F1 %.4f", q.matches, q.truePairs, q.precision, q.recall, q.f1)
			if q.precision < 0.995 || q.f1 < 0.98 {
				t.Errorf("automatic matches: precision %.4f (want ≥ 0.995), F1 %.4f (want ≥ 0.98)", q.precision, q.f1)
			}
			qa := measure(res, ds.Truth, true)
			t.Logf("with review: %d pairs, precision %.4f recall %.4f", qa.matches, qa.precision, qa.recall)
			if qa.recall < 0.98 {
				t.Errorf("matches and reviews recall %.4f, want ≥ 0.98", qa.recall)
			}
			checkOneToOne(t, left, right, res)

			cands, err := linkage.Candidates(left, right, linkage.Options{})
			if err != nil {
				t.Fatal(err)
			}
			hit := 0
			for _, c := range cands {
				if ds.Truth[left[c[0]].Ref] == right[c[1]].Ref {
					hit++
				}
			}
			if br := float64(hit) / float64(len(ds.Truth)); br < 0.995 {
				t.Errorf("blocking recall %.4f, want ≥ 0.995", br)
			}
			if int64(len(cands)) != res.Stats.Candidates {
				t.Errorf("Candidates gives %d pairs, Link compared %d", len(cands), res.Stats.Candidates)
			}
		})
	}
}

// checkOneToOne checks that every row is paired at most once and is either
// paired or listed as unpaired, and that decisions and scores agree.
func checkOneToOne(t *testing.T, left, right []linkage.Record, res *linkage.Result) {
	t.Helper()
	seenL, seenR := map[string]int{}, map[string]int{}
	for _, p := range res.Pairs {
		seenL[p.Left]++
		seenR[p.Right]++
		if p.Decision != linkage.DecisionMatch && p.Decision != linkage.DecisionReview {
			t.Errorf("pair %s~%s: decision %q", p.Left, p.Right, p.Decision)
		}
		if p.Score < 0.5 && p.Fields["competitor"] != "close" || p.Score <= 0 || p.Score >= 1 {
			t.Errorf("pair %s~%s: score %v outside [review threshold, 1)", p.Left, p.Right, p.Score)
		}
		if p.Decision == linkage.DecisionMatch && p.Score < 0.99 {
			t.Errorf("pair %s~%s: match with score %v", p.Left, p.Right, p.Score)
		}
	}
	for _, r := range res.LeftOnly {
		seenL[r]++
	}
	for _, r := range res.RightOnly {
		seenR[r]++
	}
	for _, r := range left {
		if seenL[r.Ref] != 1 {
			t.Errorf("left %s appears %d times", r.Ref, seenL[r.Ref])
		}
	}
	for _, r := range right {
		if seenR[r.Ref] != 1 {
			t.Errorf("right %s appears %d times", r.Ref, seenR[r.Ref])
		}
	}
	if len(seenL) != len(left) || len(seenR) != len(right) {
		t.Errorf("result names %d left and %d right rows, lists have %d and %d", len(seenL), len(seenR), len(left), len(right))
	}
}

// background is a generated pair of lists for tests that add rows of their
// own: EM needs a population to learn from.
func background(t *testing.T, n int) (left, right []linkage.Record) {
	t.Helper()
	ds, err := synth.Generate(synth.Config{N: n, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	return records(ds.Left), records(ds.Right)
}

func linkOne(t *testing.T, left, right []linkage.Record, l string) (linkage.Pair, bool) {
	t.Helper()
	res, err := linkage.Link(left, right, linkage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	checkOneToOne(t, left, right, res)
	for _, p := range res.Pairs {
		if p.Left == l {
			return p, true
		}
	}
	return linkage.Pair{}, false
}

func TestBrothersNotMatched(t *testing.T) {
	left, right := background(t, 1000)
	d := tally.MustDate
	// The requested man is not in custody, his brother is: same surname,
	// patronymic and birth place, another given name, born three years
	// later. And twins: the same birth date.
	left = append(left,
		linkage.Record{Ref: "T-1", Surname: "Ковальчук", Given: "Андрій", Patronymic: "Петрович", BirthDate: d("1990-05-12"), BirthPlace: "м. Олешки"},
		linkage.Record{Ref: "T-2", Surname: "Гончарук", Given: "Василь", Patronymic: "Іванович", BirthDate: d("1988-09-01"), BirthPlace: "Херсон"},
	)
	right = append(right,
		linkage.Record{Ref: "T-1b", Surname: "КОВАЛЬЧУК", Given: "Дмитрий", Patronymic: "Петрович", BirthDate: d("1993-02-03"), BirthPlace: "г. Алешки"},
		linkage.Record{Ref: "T-2b", Surname: "ГОНЧАРУК", Given: "Юрий", Patronymic: "Иванович", BirthDate: d("1988-09-01"), BirthPlace: "Херсон"},
	)
	for _, ref := range []string{"T-1", "T-2"} {
		if p, ok := linkOne(t, left, right, ref); ok && p.Decision == linkage.DecisionMatch {
			t.Errorf("%s matched automatically to his brother %s: %+v", ref, p.Right, p)
		}
	}
}

func TestTheSameManMatches(t *testing.T) {
	left, right := background(t, 1000)
	d := tally.MustDate
	left = append(left, linkage.Record{Ref: "T-1", Surname: "Олійник", Given: "Олександр", Patronymic: "Миколайович",
		BirthDate: d("1999-06-03"), BirthPlace: "м. Олешки", ServiceNumber: "АВ123456"})
	right = append(right, linkage.Record{Ref: "T-1b", Surname: "ОЛЕЙНИК", Given: "Александр", Patronymic: "Николаевич",
		BirthDate: d("1999-03-06"), BirthPlace: "г. Алешки", ServiceNumber: "AB123456"})
	p, ok := linkOne(t, left, right, "T-1")
	if !ok || p.Right != "T-1b" || p.Decision != linkage.DecisionMatch {
		t.Fatalf("T-1 paired as %+v, want a match with T-1b", p)
	}
	if p.Fields["birth_date"] != "day-month-swapped" || p.Fields["service_number"] != "exact" {
		t.Errorf("fields = %v", p.Fields)
	}
}

func TestNamesakeSentToReview(t *testing.T) {
	left, right := background(t, 1000)
	d := tally.MustDate
	// Two men in custody with the requested man's name and no birth date:
	// neither can be accepted unseen.
	left = append(left, linkage.Record{Ref: "T-1", Surname: "Мельник", Given: "Іван", Patronymic: "Іванович", BirthDate: d("1980-01-01")})
	right = append(right,
		linkage.Record{Ref: "T-1a", Surname: "Мельник", Given: "Иван", Patronymic: "Иванович"},
		linkage.Record{Ref: "T-1b", Surname: "МЕЛЬНИК", Given: "Иван", Patronymic: "Иванович"},
	)
	p, ok := linkOne(t, left, right, "T-1")
	if ok && p.Decision == linkage.DecisionMatch {
		t.Errorf("T-1 matched automatically with one of two namesakes: %+v", p)
	}
	if !ok || p.Fields["competitor"] != "close" {
		t.Errorf("T-1 paired as %+v, want a review with a close competitor", p)
	}
	// With a birth date each, the one born on that day is a match.
	right[len(right)-1].BirthDate = d("1980-01-01")
	right[len(right)-2].BirthDate = d("1981-07-15")
	if p, ok := linkOne(t, left, right, "T-1"); !ok || p.Right != "T-1b" || p.Decision != linkage.DecisionMatch {
		t.Errorf("T-1 paired as %+v, want a match with T-1b", p)
	}
}

func TestEmpty(t *testing.T) {
	one := []linkage.Record{{Ref: "A"}, {Ref: "B", Surname: "Ткач"}}
	for _, tc := range []struct {
		name        string
		left, right []linkage.Record
		want        string
	}{
		{"both", nil, nil, `{"pairs":[],"left_only":[],"right_only":[]}`},
		{"right", one, nil, `{"pairs":[],"left_only":["A","B"],"right_only":[]}`},
		{"left", nil, one, `{"pairs":[],"left_only":[],"right_only":["A","B"]}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := linkage.Link(tc.left, tc.right, linkage.Options{})
			if err != nil {
				t.Fatal(err)
			}
			b, _ := json.Marshal(res)
			if string(b) != tc.want {
				t.Errorf("got %s, want %s", b, tc.want)
			}
		})
	}
	// Rows with nothing to compare pair with nothing.
	res, err := linkage.Link(one, []linkage.Record{{Ref: "X"}}, linkage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Pairs) != 0 {
		t.Errorf("pairs = %v", res.Pairs)
	}
}

func TestJSONShape(t *testing.T) {
	left, right := background(t, 300)
	res, err := linkage.Link(left, right, linkage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc) != 3 || doc["pairs"] == nil || doc["left_only"] == nil || doc["right_only"] == nil {
		t.Errorf("keys of %s", b[:min(len(b), 200)])
	}
	var pairs []map[string]any
	json.Unmarshal(doc["pairs"], &pairs)
	if len(pairs) == 0 {
		t.Fatal("no pairs")
	}
	for _, k := range []string{"left", "right", "score", "decision", "fields"} {
		if _, ok := pairs[0][k]; !ok {
			t.Errorf("pair has no %q: %v", k, pairs[0])
		}
	}
	if len(pairs[0]) != 5 {
		t.Errorf("pair has keys %v", pairs[0])
	}
}

func TestBadInput(t *testing.T) {
	rec := []linkage.Record{{Ref: "A", Surname: "Ткач"}}
	for _, tc := range []struct {
		name        string
		left, right []linkage.Record
		opt         linkage.Options
		want        string
	}{
		{"duplicate ref", []linkage.Record{{Ref: "A", Line: 2}, {Ref: "A", Line: 3}}, rec, linkage.Options{}, "appears twice"},
		{"empty ref", rec, []linkage.Record{{Surname: "Ткач", Line: 5}}, linkage.Options{}, "no ref"},
		{"review above match", rec, rec, linkage.Options{MatchThreshold: 0.9, ReviewThreshold: 0.95}, "review threshold"},
		{"match above one", rec, rec, linkage.Options{MatchThreshold: 1.5}, "match threshold"},
		{"negative block cap", rec, rec, linkage.Options{BlockCap: -1}, "block cap"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := linkage.Link(tc.left, tc.right, tc.opt)
			var te *tally.Error
			if !errors.As(err, &te) || te.Code != tally.EInvalid || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want an invalid-input error mentioning %q", err, tc.want)
			}
		})
	}
}

func TestFromRow(t *testing.T) {
	var r tally.Row
	r.Line = 7
	r.Values[tally.FieldFullName] = "Олійник Олександр Миколайович"
	r.Values[tally.FieldBirthDate] = "31.02.1999"
	r.Values[tally.FieldServiceNumber] = "АВ123456"
	rec := linkage.FromRow("", r)
	want := linkage.Record{Ref: "L7", Surname: "Олійник", Given: "Олександр", Patronymic: "Миколайович", ServiceNumber: "АВ123456", Line: 7}
	if rec != want {
		t.Errorf("FromRow = %+v, want %+v", rec, want)
	}
	r.Values[tally.FieldRef] = "UA-1"
	r.Values[tally.FieldBirthDate] = "03.06.1999"
	rec = linkage.FromRow("", r)
	if rec.Ref != "UA-1" || rec.BirthDate != tally.MustDate("1999-06-03") {
		t.Errorf("FromRow = %+v", rec)
	}
	if rec := linkage.FromRow("X", r); rec.Ref != "X" {
		t.Errorf("ref given: %q", rec.Ref)
	}
}

func TestDeterministic(t *testing.T) {
	left, right := background(t, 500)
	a, err := linkage.Link(left, right, linkage.Options{Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	b, err := linkage.Link(left, right, linkage.Options{Workers: 4})
	if err != nil {
		t.Fatal(err)
	}
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	if string(ja) != string(jb) {
		t.Error("results differ with the number of workers")
	}
}

func FuzzLink(f *testing.F) {
	f.Add("Олійник", "Олександр", "Миколайович", "м. Олешки", "АВ123456", "в/ч А1234", 1999, 6, 3, uint8(3))
	f.Add("ОЛЕЙНИК", "", "", "г.", "", "", 0, 13, 40, uint8(1))
	f.Add("\xff\xfe", "О.", "ич", ",,,", "-", "в/ч", -5, 0, 0, uint8(9))
	f.Fuzz(func(t *testing.T, sur, given, patr, place, svc, unit string, y, m, d int, prec uint8) {
		date := tally.Date{Year: y, Month: 0, Day: d, Precision: tally.Precision(prec)}
		if m >= 0 && m < 100 {
			date.Month = time.Month(m)
		}
		mk := func(ref string, i int) linkage.Record {
			r := linkage.Record{Ref: ref, Surname: sur, Given: given, Patronymic: patr, BirthDate: date,
				BirthPlace: place, ServiceNumber: svc, Unit: unit}
			switch i % 3 {
			case 1:
				r.Surname, r.Given = r.Given, strings.ToUpper(r.Surname)
			case 2:
				r.Patronymic, r.BirthDate = "", tally.Date{}
			}
			return r
		}
		var left, right []linkage.Record
		for i := range 4 {
			left = append(left, mk(fmt.Sprint("L", i), i))
			right = append(right, mk(fmt.Sprint("R", i), i+1))
		}
		res, err := linkage.Link(left, right, linkage.Options{})
		if err != nil {
			t.Fatal(err)
		}
		checkOneToOne(t, left, right, res)
	})
}

func BenchmarkLink10k(b *testing.B) {
	ds, err := synth.Generate(synth.Config{N: 10000, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	left, right := records(ds.Left), records(ds.Right)
	b.ResetTimer()
	for b.Loop() {
		if _, err := linkage.Link(left, right, linkage.Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
