package ledger

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// signChain makes the entries of one party for indexes idx, all citing
// ref, chained by seq and prev from (seq, last).
func signChain(f *fixture, party string, idx []int64, ref *Checkpoint, seq int64, last Hash, base time.Time) ([][]byte, error) {
	out := make([][]byte, len(idx))
	for k, i := range idx {
		payload := fmt.Appendf(nil, "%s list version %d", party, i)
		e := &Entry{Kind: KindListVersion, Party: party, Seq: seq + 1, Prev: last,
			Commitment: Commit(NewSalt(), payload), Time: entryTime(base, i), Checkpoint: ref.Ref()}
		b, err := e.Sign(f.party[party])
		if err != nil {
			return nil, err
		}
		out[k], seq, last = b, seq+1, EntryHash(b)
	}
	return out, nil
}

// entryTime is the date of entry i in generated logs; the log's clock at
// size n is entryTime(base, n) - 5ms, so that every entry follows the
// checkpoint it cites and precedes the one that holds it.
func entryTime(base time.Time, i int64) time.Time {
	return base.Add(time.Duration(i)*10*time.Millisecond + 5*time.Millisecond)
}

// generate grows f's log to n entries of UA and RU alternately, a
// checkpoint (cosigned) every `every`, signing the parties' chains in parallel.
func generate(tb testing.TB, f *fixture, n, every int64) {
	base := f.latest().Time.Add(time.Second)
	var clock time.Time
	f.log.cfg.Now = func() time.Time { return clock }
	for s := f.size(); s < n; s += every {
		end := min(s+every, n)
		ref := f.latest()
		chains := map[string][]int64{}
		for i := s; i < end; i++ {
			p := []string{"UA", "RU"}[i%2]
			chains[p] = append(chains[p], i)
		}
		signed := map[string][][]byte{}
		var mu sync.Mutex
		var wg sync.WaitGroup
		for p, idx := range chains {
			seq, last := f.chain(p)
			wg.Add(1)
			go func() {
				defer wg.Done()
				out, err := signChain(f, p, idx, ref, seq, last, base)
				if err != nil {
					panic(err)
				}
				mu.Lock()
				signed[p] = out
				mu.Unlock()
			}()
		}
		wg.Wait()
		next := map[string]int{}
		for i := s; i < end; i++ {
			p := []string{"UA", "RU"}[i%2]
			b := signed[p][next[p]]
			next[p]++
			e, _ := DecodeEntry(b)
			if _, err := f.log.add(b, e); err != nil {
				tb.Fatal(err)
			}
		}
		clock = entryTime(base, end).Add(-5 * time.Millisecond)
		f.publish()
	}
}

type made struct {
	dir  string
	keys Keys
}

// exportOf generates an export of n entries on disk, once per benchmark.
func exportOf(b *testing.B, exports map[int64]made, n int64) (string, Keys) {
	if m, ok := exports[n]; ok {
		return m.dir, m.keys
	}
	t0 := time.Now()
	f := newFixture(b)
	generate(b, f, n, 1000)
	dir, err := os.MkdirTemp("", "ledger-bench-")
	if err != nil {
		b.Fatal(err)
	}
	if err := Export(DirWriter(dir), f.log); err != nil {
		b.Fatal(err)
	}
	b.Logf("generated and exported %d entries to %s in %v", n, dir, time.Since(t0).Round(time.Millisecond))
	exports[n] = made{dir, f.keys}
	return dir, f.keys
}

// BenchmarkVerify verifies an export from disk. The 1M case is the
// requirement (≤ 60 s); generating it takes a while, once per run:
//
//	go test ./ledger -run '^$' -bench 'Verify/1M' -benchtime 1x
func BenchmarkVerify(b *testing.B) {
	exports := map[int64]made{}
	defer func() {
		for _, m := range exports {
			os.RemoveAll(m.dir)
		}
	}()
	for _, c := range []struct {
		name string
		n    int64
	}{{"10k", 10_000}, {"1M", 1_000_000}} {
		b.Run(c.name, func(b *testing.B) {
			dir, keys := exportOf(b, exports, c.n)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				rep, err := Verify(os.DirFS(dir), VerifyOptions{Keys: &keys})
				if err != nil {
					b.Fatal(err)
				}
				if rep.Size != c.n {
					b.Fatalf("size %d", rep.Size)
				}
			}
			b.ReportMetric(float64(c.n)*float64(b.N)/b.Elapsed().Seconds(), "entries/s")
		})
	}
}

// BenchmarkAppend appends pre-signed entries one by one, with every check
// (signature, chain, checkpoint, time) and the tree's hashing.
func BenchmarkAppend(b *testing.B) {
	b.Run("one Log", func(b *testing.B) { benchmarkAppend(b, false) })
	b.Run("a Log each", func(b *testing.B) { benchmarkAppend(b, true) })
}

// benchmarkAppend appends with one Log, or with a Log opened over the
// same State for each entry, as a store does in each transaction.
func benchmarkAppend(b *testing.B, fresh bool) {
	f := newFixture(b)
	ref := f.latest()
	base := ref.Time
	f.log.cfg.Now = func() time.Time { return entryTime(base, int64(b.N)) }
	var ua, ru []int64
	for i := int64(0); i < int64(b.N); i++ {
		if i%2 == 0 {
			ua = append(ua, i)
		} else {
			ru = append(ru, i)
		}
	}
	uaE, err := signChain(f, "UA", ua, ref, 0, Hash{}, base)
	if err != nil {
		b.Fatal(err)
	}
	ruE, err := signChain(f, "RU", ru, ref, 0, Hash{}, base)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		e := uaE
		if i%2 == 1 {
			e = ruE
		}
		l := f.log
		if fresh {
			var err error
			if l, err = OpenLog(f.log.cfg, f.log.State()); err != nil {
				b.Fatal(err)
			}
		}
		if _, err := l.Append(e[i/2]); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "entries/s")
}

func TestGeneratedExportVerifies(t *testing.T) {
	f := newFixture(t)
	generate(t, f, 2500, 1000)
	dir := filepath.Join(t.TempDir(), "export")
	if err := Export(DirWriter(dir), f.log); err != nil {
		t.Fatal(err)
	}
	rep, err := Verify(os.DirFS(dir), VerifyOptions{Keys: &f.keys})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Size != 2500 || rep.Checkpoints != 4 {
		t.Fatalf("report %+v", rep)
	}
}
