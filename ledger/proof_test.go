package ledger

import (
	"crypto/sha256"
	"math/rand/v2"
	"sort"
	"testing"
	"testing/fstest"

	"golang.org/x/mod/sumdb/tlog"
)

// mth is RFC 6962's Merkle Tree Hash written from section 2.1, as an
// independent check of what tlog computes.
func mth(leaves [][]byte) Hash {
	switch len(leaves) {
	case 0:
		return sha256.Sum256(nil)
	case 1:
		return sha256.Sum256(append([]byte{0}, leaves[0]...))
	}
	k := 1
	for k*2 < len(leaves) {
		k *= 2
	}
	l, r := mth(leaves[:k]), mth(leaves[k:])
	return sha256.Sum256(append(append([]byte{1}, l[:]...), r[:]...))
}

// TestProofsEverySize checks, for every tree size up to 300 of a real log,
// the root against RFC 6962, every inclusion proof and every consistency
// proof; and that one flipped bit in a proof, a root or a leaf is refused.
func TestProofsEverySize(t *testing.T) {
	const max = 300
	f := newFixture(t)
	for i := 0; i < max; i++ {
		f.append([]string{"UA", "RU"}[i%2])
	}
	l := f.log
	leaves := f.entries()
	roots := make([]Hash, max+1)
	for n := int64(0); n <= max; n++ {
		r, err := tlog.TreeHash(n, l)
		if err != nil {
			t.Fatal(err)
		}
		if want := mth(leaves[:n]); r != want {
			t.Fatalf("size %d: root %s, RFC 6962 says %s", n, r, want)
		}
		roots[n] = r
	}
	rng := rand.New(rand.NewPCG(1, 2))
	flip := func(h Hash, bit int) Hash { h[bit/8] ^= 1 << (bit % 8); return h }
	exhaustive := map[int64]bool{1: true, 2: true, 3: true, 7: true, 8: true, 9: true, 255: true, 256: true, 257: true, 300: true}
	for n := int64(1); n <= max; n++ {
		for i := int64(0); i < n; i++ {
			p, err := tlog.ProveRecord(n, i, l)
			if err != nil {
				t.Fatal(err)
			}
			leaf := tlog.RecordHash(leaves[i])
			if err := tlog.CheckRecord(p, n, roots[n], i, leaf); err != nil {
				t.Fatalf("inclusion of %d in %d: %v", i, n, err)
			}
			bits := []int{rng.IntN(256)}
			if exhaustive[n] && (i == 0 || i == n/2 || i == n-1) {
				bits = bits[:0]
				for b := 0; b < 256; b++ {
					bits = append(bits, b)
				}
			}
			for _, b := range bits {
				for k := range p {
					q := append(tlog.RecordProof(nil), p...)
					q[k] = flip(q[k], b)
					if tlog.CheckRecord(q, n, roots[n], i, leaf) == nil {
						t.Fatalf("inclusion of %d in %d: proof hash %d with bit %d flipped accepted", i, n, k, b)
					}
				}
				if tlog.CheckRecord(p, n, flip(roots[n], b), i, leaf) == nil {
					t.Fatalf("inclusion of %d in %d: root with bit %d flipped accepted", i, n, b)
				}
				if tlog.CheckRecord(p, n, roots[n], i, flip(leaf, b)) == nil {
					t.Fatalf("inclusion of %d in %d: leaf with bit %d flipped accepted", i, n, b)
				}
			}
			if n > 1 && tlog.CheckRecord(p, n, roots[n], (i+1)%n, leaf) == nil {
				t.Fatalf("inclusion of %d in %d accepted at index %d", i, n, (i+1)%n)
			}
		}
		for m := int64(1); m <= n; m++ {
			p, err := l.ConsistencyProof(m, n)
			if err != nil {
				t.Fatal(err)
			}
			if err := tlog.CheckTree(p, n, roots[n], m, roots[m]); err != nil {
				t.Fatalf("consistency %d→%d: %v", m, n, err)
			}
			if m == n {
				continue
			}
			bits := []int{rng.IntN(256)}
			if exhaustive[n] && m%7 == 1 {
				bits = bits[:0]
				for b := 0; b < 256; b++ {
					bits = append(bits, b)
				}
			}
			for _, b := range bits {
				for k := range p {
					q := append(tlog.TreeProof(nil), p...)
					q[k] = flip(q[k], b)
					if tlog.CheckTree(q, n, roots[n], m, roots[m]) == nil {
						t.Fatalf("consistency %d→%d: proof hash %d with bit %d flipped accepted", m, n, k, b)
					}
				}
				if tlog.CheckTree(p, n, flip(roots[n], b), m, roots[m]) == nil {
					t.Fatalf("consistency %d→%d: new root with bit %d flipped accepted", m, n, b)
				}
				if tlog.CheckTree(p, n, roots[n], m, flip(roots[m], b)) == nil {
					t.Fatalf("consistency %d→%d: old root with bit %d flipped accepted", m, n, b)
				}
			}
		}
	}
}

// TestTilesMatchRFC6962 checks the exported tiles against the C2SP
// definition: tile n at level l holds MTH of consecutive 256**l leaves.
func TestTilesMatchRFC6962(t *testing.T) {
	f := newFixture(t)
	f.grow(300, 100)
	fsys := f.export()
	leaves := f.entries()
	for _, c := range []struct {
		path string
		l, n int
		w    int
	}{
		{"tile/0/000", 0, 0, 256},
		{"tile/0/001.p/44", 0, 1, 44},
		{"tile/1/000.p/1", 1, 0, 1},
	} {
		got := fsys[c.path]
		if got == nil {
			t.Fatalf("%s missing; have %v", c.path, keysOf(fsys))
		}
		span := 1 << (8 * c.l)
		for i := 0; i < c.w; i++ {
			lo := (c.n*256 + i) * span
			want := mth(leaves[lo : lo+span])
			if string(got.Data[i*32:(i+1)*32]) != string(want[:]) {
				t.Fatalf("%s hash %d differs from RFC 6962", c.path, i)
			}
		}
	}
	if fsys["tile/entries/001.p/44"] == nil || fsys["tile/entries/000"] == nil {
		t.Fatalf("entry bundles missing: %v", keysOf(fsys))
	}
}

func keysOf(m fstest.MapFS) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
