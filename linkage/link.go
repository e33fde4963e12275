package linkage

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"tally"
)

// cand is one compared candidate pair.
type cand struct {
	l, r int32
	pat  uint32  // levels, and swappedBit
	adj  float32 // term-frequency adjustment, bits
}

// maxRecords bounds each list: indices are int32.
const maxRecords = 1 << 30

// Link reconciles two lists: it proposes candidate pairs by blocking,
// compares them field by field, fits a Fellegi–Sunter model to the
// comparisons by EM, scores every candidate, and pairs each row with at most
// one row of the other list. See the package documentation for how to read
// the result.
func Link(left, right []Record, opt Options) (_ *Result, err error) {
	cr := new(crash)
	defer cr.recover(&err)
	opt, err = opt.withDefaults()
	if err != nil {
		return nil, err
	}
	if err := checkRefs("left", left); err != nil {
		return nil, err
	}
	if err := checkRefs("right", right); err != nil {
		return nil, err
	}
	res := &Result{Pairs: []Pair{}, LeftOnly: []string{}, RightOnly: []string{}}
	st := &res.Stats
	st.Left, st.Right = len(left), len(right)
	st.Durations = map[string]time.Duration{}
	clock := time.Now()
	lap := func(name string) {
		now := time.Now()
		st.Durations[name] = now.Sub(clock)
		clock = now
	}
	if len(left) == 0 || len(right) == 0 {
		for _, r := range left {
			res.LeftOnly = append(res.LeftOnly, r.Ref)
		}
		for _, r := range right {
			res.RightOnly = append(res.RightOnly, r.Ref)
		}
		return res, nil
	}

	lp, rp, t := prepare(left, right, opt.Workers, cr)
	lap("prepare")
	tf := termFrequencies(lp, rp, t)
	if opt.NoTermFrequency {
		tf = [2][]float32{}
	}

	ps := passes(t)
	st.Passes = make([]PassStats, len(ps))
	st.BlockCap = opt.BlockCap
	idx := make([]*index, len(ps))
	var wg sync.WaitGroup
	for i := range ps {
		st.Passes[i].Name = ps[i].name
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer cr.catch()
			idx[i] = buildIndex(&ps[i], lp, rp, opt.BlockCap, &st.Passes[i])
		}()
	}
	wg.Wait()
	cr.check()
	lap("block")

	cands, counts := compareAll(ps, idx, lp, rp, t, tf, opt.Workers, st, cr)
	st.Candidates = int64(len(cands))
	lap("compare")

	pats := make([]uint32, 0, len(counts))
	for p := range counts {
		pats = append(pats, p)
	}
	slices.Sort(pats) // map order is random; EM's sums should not be
	cnt := make([]float64, len(pats))
	for i, p := range pats {
		cnt[i] = float64(counts[p])
	}
	st.Patterns = len(pats)
	init := initialModel(lp, rp, t, opt.Seed, opt.Workers, cr)
	all := float64(len(lp)) * float64(len(rp))
	md, iters, conv := em(pats, cnt, init, opt.MaxIterations, opt.Tolerance, all, float64(min(len(lp), len(rp)))/all)
	md.share()
	w := md.weights()
	st.Iterations, st.Converged, st.Lambda = iters, conv, md.lambda
	for f := range numFields {
		st.Params = append(st.Params, FieldParams{Field: fieldNames[f], Levels: levelNames[f],
			M: slices.Clone(md.m[f]), U: slices.Clone(md.u[f])})
	}
	lap("em")

	prior := math.Log2(md.lambda / (1 - md.lambda))
	base := make(map[uint32]float32, len(pats))
	for _, p := range pats {
		x := prior
		for f := range numFields {
			x += w[f][levelOf(p, f)]
		}
		base[p] = float32(x)
	}
	// The score of a pair weighs its odds against those of every other
	// candidate of either row (see "How to read a score" in doc.go).
	expected := md.lambda * all
	piL := min(expected/float64(len(lp)), maxShare)
	piR := min(expected/float64(len(rp)), maxShare)
	sumL := make([]float64, len(lp))
	sumR := make([]float64, len(rp))
	for _, c := range cands {
		o := math.Exp2(float64(base[modelPattern(c.pat)]) + float64(c.adj))
		sumL[c.l] += o
		sumR[c.r] += o
	}
	reviewLogit := logit2(opt.ReviewThreshold)
	var kept []cand
	var keptLogit []float64
	var crowded []bool
	for _, c := range cands {
		o := math.Exp2(float64(base[modelPattern(c.pat)]) + float64(c.adj))
		p := min(o/(1-piL+sumL[c.l]), o/(1-piR+sumR[c.r]))
		x := math.Log2(p / (1 - p))
		if p >= 1 {
			x = math.Log2(o) // no finite odds: fall back to the pair's own
		}
		// A pair that would reach the review band on its own, but whose
		// rows have other candidates as good (namesakes, a duplicated row),
		// is kept for review: a lead is never dropped for being shared.
		alone := min(o/(1-piL+o), o/(1-piR+o))
		if x >= reviewLogit || alone >= opt.ReviewThreshold {
			kept = append(kept, c)
			keptLogit = append(keptLogit, x)
			crowded = append(crowded, x < reviewLogit)
		}
	}
	cands = nil
	assign(res, kept, keptLogit, crowded, lp, rp, left, right, opt)
	lap("assign")
	return res, nil
}

func logit2(p float64) float64 {
	if p >= 1 {
		return math.Inf(1)
	}
	return math.Log2(p / (1 - p))
}

func checkRefs(side string, recs []Record) error {
	if len(recs) > maxRecords {
		return tally.Errorf(tally.EInvalid, "linkage: the %s list has %d rows, more than %d", side, len(recs), maxRecords)
	}
	seen := make(map[string]int, len(recs))
	for i, r := range recs {
		if r.Ref == "" {
			e := tally.Errorf(tally.EInvalid, "linkage: row %d of the %s list has no ref", i+1, side)
			e.Line = r.Line
			e.Hint = "give every row a ref, or none (refs then come from line numbers)"
			return e
		}
		if j, ok := seen[r.Ref]; ok {
			e := tally.Errorf(tally.EInvalid, "linkage: ref %q appears twice in the %s list (rows %d and %d)", r.Ref, side, j+1, i+1)
			e.Line = r.Line
			e.Key = "ref"
			return e
		}
		seen[r.Ref] = i
	}
	return nil
}

// maxShare bounds the share of rows that have a partner on the other list
// used in the score: however large EM finds it, a row may have none.
const maxShare = 0.9

// tfCap bounds the term-frequency adjustment, in bits: frequencies of very
// rare or very common names are estimated from few rows.
const tfCap = 5

// termFrequencies returns, for surname and given name, the adjustment in
// bits of each key: log2(ū / p(v)), where p(v) is the key's frequency in
// both lists and ū the chance that two random rows share a key. A pair that
// agrees on a name twice as common as the average gets one bit less.
func termFrequencies(lp, rp []prepped, t *table) [2][]float32 {
	var out [2][]float32
	n := len(t.strs)
	for f := range 2 {
		cl := make([]int32, n)
		cr := make([]int32, n)
		for i := range lp {
			cl[lp[i].p[f].key]++
		}
		for i := range rp {
			cr[rp[i].p[f].key]++
		}
		nl, nr := float64(len(lp)-int(cl[0])), float64(len(rp)-int(cr[0]))
		if nl == 0 || nr == 0 {
			continue
		}
		ubar := 0.0
		for k := 1; k < n; k++ {
			if cl[k] > 0 && cr[k] > 0 {
				ubar += float64(cl[k]) / nl * float64(cr[k]) / nr
			}
		}
		if ubar == 0 {
			continue
		}
		adj := make([]float32, n)
		for k := 1; k < n; k++ {
			if c := cl[k] + cr[k]; c > 0 {
				p := float64(c) / (nl + nr)
				adj[k] = float32(min(max(math.Log2(ubar/p), -tfCap), tfCap))
			}
		}
		out[f] = adj
	}
	return out
}

// tfAdjust returns the adjustment of one compared pair: for surname and
// given name when they agree (exactly, in form or by key), the adjustment of
// the left row's key. Both lists share the key table, so the frequency is
// that of the name, not of one list's spelling.
func tfAdjust(tf [2][]float32, a *prepped, pat uint32) float32 {
	var adj float32
	for f := range 2 {
		if tf[f] == nil {
			continue
		}
		switch levelOf(pat, f) {
		case lvExact, lvEquivalent, lvSameKey:
			adj += tf[f][a.p[f].key]
		}
	}
	return adj
}

// compareAll proposes the candidates of every pass for each right record,
// de-duplicates them and compares them, in parallel over chunks of the
// right list. It returns the candidates in right-list order and the count
// of each comparison pattern.
func compareAll(ps []pass, idx []*index, lp, rp []prepped, t *table, tf [2][]float32, workers int, st *Stats, cr *crash) ([]cand, map[uint32]int64) {
	const chunk = 512
	nChunks := (len(rp) + chunk - 1) / chunk
	out := make([][]cand, nChunks)
	counts := make(map[uint32]int64)
	passPairs := make([]int64, len(ps))
	var next atomic.Int64
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer cr.catch()
			c := newComparer(t)
			local := make(map[uint32]int64)
			localPass := make([]int64, len(ps))
			var keys []uint64
			var lefts []int32
			for {
				ch := int(next.Add(1) - 1)
				if ch >= nChunks {
					break
				}
				lo, hi := ch*chunk, min((ch+1)*chunk, len(rp))
				var res []cand
				for r := lo; r < hi; r++ {
					b := &rp[r]
					lefts = lefts[:0]
					for pi := range ps {
						keys = ps[pi].right(b, keys[:0])
						for _, k := range dedupKeys(keys) {
							blk, ok := idx[pi].blocks[k]
							if !ok || idx[pi].skip[blk] {
								continue
							}
							ls := idx[pi].lefts[idx[pi].start[blk]:idx[pi].start[blk+1]]
							localPass[pi] += int64(len(ls))
							lefts = append(lefts, ls...)
						}
					}
					slices.Sort(lefts)
					lefts = slices.Compact(lefts)
					for _, l := range lefts {
						a := &lp[l]
						pat := c.compare(a, b)
						local[modelPattern(pat)]++
						res = append(res, cand{l: l, r: int32(r), pat: pat, adj: tfAdjust(tf, a, pat)})
					}
				}
				out[ch] = res
			}
			mu.Lock()
			for p, v := range local {
				counts[p] += v
			}
			for i, v := range localPass {
				passPairs[i] += v
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	cr.check()
	for i := range ps {
		st.Passes[i].Pairs = passPairs[i]
	}
	n := 0
	for _, o := range out {
		n += len(o)
	}
	all := make([]cand, 0, n)
	for _, o := range out {
		all = append(all, o...)
	}
	return all, counts
}

// randomSample is how many random pairs measure u; lists whose product
// is smaller are compared in full.
const randomSample = 400_000

// initialModel starts EM: m from priorM, λ from the expectation that half
// the rows of the shorter list have a pair, and u measured once and for
// all: the levels of random pairs (nearly all of which are two different
// persons), with the exact-agreement levels computed exactly from the
// values' frequencies in the two lists, which a sample would miss for rare
// values.
func initialModel(lp, rp []prepped, t *table, seed uint64, workers int, cr *crash) model {
	md := newModel()
	for f := range numFields {
		copy(md.m[f], priorM[f])
	}
	total := len(lp) * len(rp)
	const streams = 8 // fixed, so the sample does not depend on Workers
	var counts [streams][numFields][8]float64
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(workers, streams) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer cr.catch()
			c := newComparer(t)
			for {
				s := int(next.Add(1) - 1)
				if s >= streams {
					return
				}
				cnt := &counts[s]
				add := func(a, b *prepped) {
					p := c.compare(a, b)
					p = modelPattern(p)
					for f := range numFields {
						cnt[f][levelOf(p, f)]++
					}
				}
				if total <= randomSample {
					for i := s; i < total; i += streams {
						add(&lp[i/len(rp)], &rp[i%len(rp)])
					}
					continue
				}
				rng := rand.New(rand.NewPCG(seed, uint64(s)))
				for range randomSample / streams {
					add(&lp[rng.IntN(len(lp))], &rp[rng.IntN(len(rp))])
				}
			}
		}()
	}
	wg.Wait()
	cr.check()
	exact := exactU(lp, rp)
	for f := range numFields {
		u := md.u[f]
		for l := 1; l < len(u); l++ {
			u[l] = priorWeight * priorU[f][l] // what short lists cannot measure
			for s := range streams {
				u[l] += counts[s][f][l]
			}
		}
		if e := exact[f]; e > 0 {
			rest := 0.0
			for l := 2; l < len(u); l++ {
				rest += u[l]
			}
			for l := 2; l < len(u); l++ {
				u[l] = u[l] / rest * (1 - e)
			}
			u[1] = e
		}
		normalize(u)
	}
	md.lambda = 0.5 * float64(min(len(lp), len(rp))) / float64(total)
	return md
}

// exactU returns, per field, the chance that two random rows that both
// have the field agree on it at level 1: exactly, or for the name-like
// fields (pooled with equivalent forms) by key.
func exactU(lp, rp []prepped) [numFields]float64 {
	var out [numFields]float64
	value := func(p *prepped, f int) int64 {
		switch f {
		case fSurname, fGiven, fPatronymic:
			return int64(p.p[f].key)
		case fBirthPlace:
			return int64(p.p[3].key)
		case fServiceNumber:
			return int64(p.svc)
		case fUnit:
			return int64(p.unit)
		}
		d := p.date
		if d.Precision != tally.FullDate {
			if d.Precision == tally.NoDate {
				return 0
			}
			return -1 // present, never exactly equal
		}
		return int64(d.Year)*10000 + int64(d.Month)*100 + int64(d.Day)
	}
	for f := range numFields {
		cl := map[int64]float64{}
		nl, nr := 0.0, 0.0
		for i := range lp {
			if v := value(&lp[i], f); v != 0 {
				nl++
				if v > 0 {
					cl[v]++
				}
			}
		}
		s := 0.0
		cr := map[int64]float64{}
		for i := range rp {
			if v := value(&rp[i], f); v != 0 {
				nr++
				if v > 0 {
					cr[v]++
				}
			}
		}
		for v, c := range cr {
			s += c * cl[v]
		}
		if nl > 0 && nr > 0 {
			out[f] = (s + priorWeight*priorU[f][1]) / (nl*nr + priorWeight)
		}
	}
	return out
}

// assign pairs rows one to one, greedily by log-odds, best first (ties by
// list order), and decides each pair.
func assign(res *Result, kept []cand, logit []float64, crowded []bool, lp, rp []prepped, left, right []Record, opt Options) {
	order := make([]int, len(kept))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(i, j int) int {
		if c := cmp.Compare(logit[j], logit[i]); c != 0 {
			return c
		}
		if c := cmp.Compare(kept[i].l, kept[j].l); c != 0 {
			return c
		}
		return cmp.Compare(kept[i].r, kept[j].r)
	})
	byL := make([]int32, len(left))
	byR := make([]int32, len(right))
	for i := range byL {
		byL[i] = -1
	}
	for i := range byR {
		byR[i] = -1
	}
	chosen := make([]bool, len(kept))
	for _, i := range order {
		c := kept[i]
		if byL[c.l] < 0 && byR[c.r] < 0 {
			byL[c.l], byR[c.r] = int32(i), int32(i)
			chosen[i] = true
		}
	}
	// A close competitor: another candidate of either row, at or above the
	// review threshold, within CompetitorMargin bits of the chosen pair,
	// whose other row has no clearly better partner of its own.
	contested := slices.Clone(crowded)
	for i, c := range kept {
		if chosen[i] {
			continue
		}
		x := logit[i]
		for _, own := range [2]int32{byL[c.l], byR[c.r]} {
			if own < 0 || x < logit[own]-opt.CompetitorMargin {
				continue
			}
			// The competitor's other row, and its own pair.
			var other int32
			if own == byL[c.l] {
				other = byR[c.r]
			} else {
				other = byL[c.l]
			}
			if other >= 0 && other != own && logit[other] >= x+opt.CompetitorMargin {
				continue
			}
			contested[own] = true
		}
	}
	matchLogit := logit2(opt.MatchThreshold)
	st := &res.Stats
	pairedR := make([]bool, len(right))
	for l := range left {
		i := byL[l]
		if i < 0 {
			res.LeftOnly = append(res.LeftOnly, left[l].Ref)
			continue
		}
		c := kept[i]
		pairedR[c.r] = true
		p := Pair{Left: left[l].Ref, Right: right[c.r].Ref, LogOdds: logit[i],
			Score: displayScore(logit[i]), Decision: DecisionReview, Fields: explain(c, &lp[c.l], &rp[c.r])}
		differs := levelOf(c.pat, fSurname) == lvDifferent || levelOf(c.pat, fGiven) == lvDifferent
		switch {
		case logit[i] >= matchLogit && differs:
			// A different surname or given name is never accepted unseen,
			// however well the rest agrees: twins share everything else.
		case logit[i] >= matchLogit && contested[i]:
			p.Fields["competitor"] = "close"
			st.CompetitorHeld++
		case logit[i] >= matchLogit:
			p.Decision = DecisionMatch
		}
		if contested[i] {
			p.Fields["competitor"] = "close"
		}
		if p.Decision == DecisionMatch {
			st.Matches++
		} else {
			st.Reviews++
		}
		res.Pairs = append(res.Pairs, p)
	}
	for r := range right {
		if !pairedR[r] {
			res.RightOnly = append(res.RightOnly, right[r].Ref)
		}
	}
}

// displayScore turns log-odds into the probability shown: four decimals,
// never 0 or 1, which no comparison of two list rows can justify.
func displayScore(logit float64) float64 {
	p := 1 / (1 + math.Exp2(-logit))
	p = math.Round(p*1e4) / 1e4
	return min(max(p, 0.0001), 0.9999)
}

// explain names, for each field either row has, the level that decided it.
func explain(c cand, a, b *prepped) map[string]string {
	m := make(map[string]string, numFields+1)
	for f := range numFields {
		if a.has(f) || b.has(f) {
			m[fieldNames[f]] = levelNames[f][levelOf(c.pat, f)]
		}
	}
	if c.pat&swappedBit != 0 {
		m["name_order"] = "swapped"
	}
	return m
}

// Candidates runs only the blocking of Link and returns the distinct
// candidate pairs it would compare, as indices into left and right, in
// right-list order. It is for measuring blocking recall.
func Candidates(left, right []Record, opt Options) (_ [][2]int32, err error) {
	cr := new(crash)
	defer cr.recover(&err)
	opt, err = opt.withDefaults()
	if err != nil {
		return nil, err
	}
	if len(left) == 0 || len(right) == 0 {
		return nil, nil
	}
	lp, rp, t := prepare(left, right, opt.Workers, cr)
	ps := passes(t)
	var out [][2]int32
	var keys []uint64
	var lefts []int32
	idx := make([]*index, len(ps))
	for i := range ps {
		idx[i] = buildIndex(&ps[i], lp, rp, opt.BlockCap, &PassStats{})
	}
	for r := range rp {
		lefts = lefts[:0]
		for pi := range ps {
			keys = ps[pi].right(&rp[r], keys[:0])
			for _, k := range dedupKeys(keys) {
				if blk, ok := idx[pi].blocks[k]; ok && !idx[pi].skip[blk] {
					lefts = append(lefts, idx[pi].lefts[idx[pi].start[blk]:idx[pi].start[blk+1]]...)
				}
			}
		}
		slices.Sort(lefts)
		for _, l := range slices.Compact(lefts) {
			out = append(out, [2]int32{l, int32(r)})
		}
	}
	return out, nil
}

// crash carries the first panic of a worker goroutine to Link, which
// returns it as an error: a fault in this package or in the names package
// must not take the whole program down with it.
type crash struct{ v atomic.Value }

// catch is deferred by every worker goroutine.
func (c *crash) catch() {
	if r := recover(); r != nil {
		c.v.CompareAndSwap(nil, fmt.Sprint(r))
	}
}

// check re-raises a worker's panic in the calling goroutine.
func (c *crash) check() {
	if v := c.v.Load(); v != nil {
		panic(v)
	}
}

// recover, deferred by Link, turns a panic into an internal error.
func (c *crash) recover(err *error) {
	if r := recover(); r != nil {
		e := tally.Errorf(tally.EInternal, "linkage: internal error: %v", r)
		e.Hint = "please report it with the two lists"
		*err = e
	}
}
