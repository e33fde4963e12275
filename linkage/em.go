package linkage

import "math"

// model is a Fellegi–Sunter model: for each field and level, m = P(level |
// same person) and u = P(level | different persons), and λ, the chance that
// two rows taken at random, one from each list, are one person. Level 0
// (missing) is left out of both: it is neither evidence for nor against.
type model struct {
	m, u   [numFields][]float64
	lambda float64
}

const (
	probFloor = 1e-6
	lamFloor  = 1e-7
	// mFloor keeps every level possible for a true pair, so that one
	// field's disagreement (a mistyped service number, a unit changed) can
	// never alone outweigh all the rest, however clean the lists EM saw.
	mFloor = 0.005
)

// priorM is where EM starts for m: most true pairs agree exactly, some
// differ in form, few disagree.
var priorM = [numFields][]float64{
	fSurname:       {0, .45, .30, .05, .10, .03, .01, .06},
	fGiven:         {0, .45, .30, .05, .08, .02, .04, .06},
	fPatronymic:    {0, .45, .30, .05, .08, .02, .04, .06},
	fBirthDate:     {0, .75, .05, .08, .07, .05},
	fBirthPlace:    {0, .40, .30, .05, .10, .02, .01, .12},
	fServiceNumber: {0, .85, .05, .10},
	fUnit:          {0, .70, .05, .25},
}

// priorU is the u assumed before any pair is seen: two persons' names,
// dates and numbers mostly differ. It and priorM weigh as much as
// priorWeight pairs, which is nothing beside the candidates of real lists
// and keeps a list of five rows from teaching EM nonsense.
var priorU = [numFields][]float64{
	fSurname:       {0, .002, .002, .001, .005, .01, .001, .979},
	fGiven:         {0, .02, .02, .005, .01, .03, .005, .91},
	fPatronymic:    {0, .02, .02, .005, .01, .05, .005, .89},
	fBirthDate:     {0, .0001, .0001, .005, .002, .9928},
	fBirthPlace:    {0, .02, .02, .005, .01, .01, .001, .934},
	fServiceNumber: {0, .0001, .001, .9989},
	fUnit:          {0, .005, .05, .945},
}

const priorWeight = 20

func newModel() model {
	var md model
	for f := range numFields {
		md.m[f] = make([]float64, len(levelNames[f]))
		md.u[f] = make([]float64, len(levelNames[f]))
	}
	return md
}

func (md *model) clone() model {
	c := newModel()
	for f := range numFields {
		copy(c.m[f], md.m[f])
		copy(c.u[f], md.u[f])
	}
	c.lambda = md.lambda
	return c
}

// normalize makes each field's probabilities over its non-missing levels
// sum to one, none below probFloor.
func normalize(p []float64) {
	p[0] = 1
	s := 0.0
	for l := 1; l < len(p); l++ {
		p[l] = max(p[l], 0)
		s += p[l]
	}
	if s <= 0 || math.IsNaN(s) || math.IsInf(s, 0) {
		for l := 1; l < len(p); l++ {
			p[l] = 1 / float64(len(p)-1)
		}
		return
	}
	s2 := 0.0
	for l := 1; l < len(p); l++ {
		p[l] = max(p[l]/s, probFloor)
		s2 += p[l]
	}
	for l := 1; l < len(p); l++ {
		p[l] /= s2
	}
	p[0] = 1
}

// floorM raises m of the field's "different" level (its last) to mFloor.
func floorM(p []float64) {
	s := 0.0
	p[len(p)-1] = max(p[len(p)-1], mFloor)
	for l := 1; l < len(p); l++ {
		s += p[l]
	}
	for l := 1; l < len(p); l++ {
		p[l] /= s
	}
}

// em fits m and λ to the counts of distinct comparison patterns of the
// candidate pairs by expectation–maximisation, starting from md, with u
// held fixed (u is measured on random pairs, which candidates are not).
// totalPairs is the number of all pairs, left × right: blocking is (nearly)
// a function of the comparison pattern, so the posterior of a candidate is
// the posterior of the same pattern among all pairs, and λ is the expected
// number of true pairs over all pairs. maxLambda bounds λ: no list pairs
// more rows than the shorter one has. It returns the fitted model, the
// iterations run and whether it converged.
func em(pats []uint32, cnt []float64, md model, maxIter int, tol, totalPairs, maxLambda float64) (model, int, bool) {
	md = md.clone()
	for f := range numFields {
		normalize(md.m[f])
		normalize(md.u[f])
	}
	md.lambda = min(max(md.lambda, lamFloor/totalPairs), maxLambda)
	if len(pats) == 0 {
		return md, 0, true
	}
	acc := newModel()
	var lw [numFields][]float64
	for f := range numFields {
		lw[f] = make([]float64, len(md.m[f]))
	}
	for it := 1; it <= maxIter; it++ {
		for f := range numFields {
			clear(acc.m[f])
			for l := 1; l < len(md.m[f]); l++ {
				lw[f][l] = math.Log(md.m[f][l] / md.u[f][l])
			}
		}
		prior := math.Log(md.lambda / (1 - md.lambda))
		sg := 0.0
		for i, p := range pats {
			x := prior
			for f := range numFields {
				x += lw[f][levelOf(p, f)]
			}
			g := 1 / (1 + math.Exp(-x))
			cg := cnt[i] * g
			sg += cg
			for f := range numFields {
				acc.m[f][levelOf(p, f)] += cg
			}
		}
		next := md.clone()
		for f := range numFields {
			for l := 1; l < len(acc.m[f]); l++ {
				next.m[f][l] = acc.m[f][l] + priorWeight*priorM[f][l]
			}
			normalize(next.m[f])
			floorM(next.m[f])
		}
		next.lambda = min(max(sg/totalPairs, lamFloor/totalPairs), maxLambda)
		delta := math.Abs(math.Log(next.lambda / md.lambda))
		for f := range numFields {
			for l := range next.m[f] {
				delta = max(delta, math.Abs(next.m[f][l]-md.m[f][l]))
			}
		}
		md = next
		if delta < tol {
			return md, it, true
		}
	}
	return md, maxIter, false
}

// share gives the equivalent-form level of pooled fields the exact
// level's probabilities, which the model estimated for both together.
func (md *model) share() {
	for _, f := range pooled {
		md.m[f][lvEquivalent] = md.m[f][lvExact]
		md.u[f][lvEquivalent] = md.u[f][lvExact]
	}
}

// weights returns the match weight of each field's levels, in bits, with
// the guards that keep a degenerate fit from saying something absurd:
// agreement is never evidence against, and disagreement never evidence for.
func (md *model) weights() [numFields][]float64 {
	var w [numFields][]float64
	for f := range numFields {
		w[f] = make([]float64, len(md.m[f]))
		for l := 1; l < len(md.m[f]); l++ {
			w[f][l] = math.Log2(md.m[f][l] / md.u[f][l])
		}
		switch f {
		case fBirthDate:
			w[f][dExact] = max(w[f][dExact], 0)
			w[f][dDifferent] = min(w[f][dDifferent], 0)
		case fServiceNumber, fUnit:
			w[f][idExact] = max(w[f][idExact], 0)
			w[f][idDifferent] = min(w[f][idDifferent], 0)
		default:
			w[f][lvExact] = max(w[f][lvExact], 0)
			w[f][lvDifferent] = min(w[f][lvDifferent], 0)
		}
	}
	return w
}
