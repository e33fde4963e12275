// Command tally-bench-match measures package linkage on synthetic lists
// from package linkage/synth: it generates a request list and a custody
// list of -n rows each, links them, and prints precision, recall and F1 of
// the automatic matches (and of matches and reviews together), blocking
// recall, the candidate pairs compared, wall time and peak memory.
//
//	go run ./cmd/tally-bench-match -n 100000
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"tally/linkage"
	"tally/linkage/synth"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "tally-bench-match:", err)
		os.Exit(2)
	}
}

func run(args []string, w io.Writer) error {
	fs := flag.NewFlagSet("tally-bench-match", flag.ContinueOnError)
	n := fs.Int("n", 10000, "rows of each list")
	seed := fs.Uint64("seed", 1, "generator seed")
	overlap := fs.Float64("overlap", 0.6, "share of requested men in custody")
	blocking := fs.Bool("blocking", true, "also measure blocking recall (a second, untimed blocking run)")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the link to this file")
	errors := fs.Int("errors", 0, "print up to this many wrong matches and missed pairs")
	if err := fs.Parse(args); err != nil {
		return err
	}
	t0 := time.Now()
	ds, err := synth.Generate(synth.Config{N: *n, Seed: *seed, Overlap: *overlap})
	if err != nil {
		return err
	}
	left := make([]linkage.Record, len(ds.Left))
	for i, r := range ds.Left {
		left[i] = linkage.FromRow("", r)
	}
	right := make([]linkage.Record, len(ds.Right))
	for i, r := range ds.Right {
		right[i] = linkage.FromRow("", r)
	}
	fmt.Fprintf(w, "generated %d × %d rows, %d true pairs, seed %d, in %v\n",
		len(left), len(right), len(ds.Truth), *seed, time.Since(t0).Round(time.Millisecond))

	runtime.GC()
	debug.FreeOSMemory()
	resetPeak()
	var peakHeap atomic.Uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // sample the heap: MemStats has no peak of its own
		defer wg.Done()
		var ms runtime.MemStats
		tk := time.NewTicker(20 * time.Millisecond)
		defer tk.Stop()
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peakHeap.Load() {
				peakHeap.Store(ms.HeapInuse)
			}
			select {
			case <-stop:
				return
			case <-tk.C:
			}
		}
	}()
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			return err
		}
		defer f.Close()
		pprof.StartCPUProfile(f)
	}
	start := time.Now()
	res, err := linkage.Link(left, right, linkage.Options{})
	wall := time.Since(start)
	if *cpuprofile != "" {
		pprof.StopCPUProfile()
	}
	close(stop)
	wg.Wait()
	if err != nil {
		return err
	}
	hwm := vmHWM()

	var tpM, nM, tpA, nA int
	var wrong, seen []string
	found := map[string]bool{}
	for _, p := range res.Pairs {
		ok := ds.Truth[p.Left] == p.Right
		nA++
		if ok {
			tpA++
			found[p.Left] = true
		}
		if p.Decision == linkage.DecisionReview && ok && len(seen) < *errors/2 {
			seen = append(seen, fmt.Sprintf("  true review %s ~ %s %.4f %v", p.Left, p.Right, p.Score, p.Fields))
		}
		if p.Decision == linkage.DecisionMatch {
			nM++
			if ok {
				tpM++
			} else {
				wrong = append(wrong, fmt.Sprintf("  wrong %s ~ %s (truth %q) %.4f %v", p.Left, p.Right, ds.Truth[p.Left], p.Score, p.Fields))
			}
		}
	}
	truth := len(ds.Truth)
	defer printCalibration(w, res, ds.Truth)
	fmt.Fprintf(w, "linked in %v (wall), GOMAXPROCS %d\n", wall.Round(time.Millisecond), runtime.GOMAXPROCS(0))
	st := res.Stats
	for _, k := range []string{"prepare", "block", "compare", "em", "assign"} {
		fmt.Fprintf(w, "  %-8s %v\n", k, st.Durations[k].Round(time.Millisecond))
	}
	fmt.Fprintf(w, "peak memory: VmHWM %s during link; heap in use peak %s\n", mib(hwm), mib(peakHeap.Load()))
	fmt.Fprintf(w, "candidate pairs compared: %d (%.1f per right row), %d comparison patterns, EM %d iterations (converged %v), λ = %.4g\n",
		st.Candidates, float64(st.Candidates)/float64(max(1, len(right))), st.Patterns, st.Iterations, st.Converged, st.Lambda)
	for _, p := range st.Passes {
		fmt.Fprintf(w, "  pass %-28s proposed %10d, oversize blocks %d (%d pairs left to other passes)\n", p.Name, p.Pairs, p.OversizeBlocks, p.SkippedPairs)
	}
	pr, rc, f1 := prf(tpM, nM, truth)
	fmt.Fprintf(w, "automatic matches: %d; precision %.4f recall %.4f F1 %.4f\n", nM, pr, rc, f1)
	pr, rc, f1 = prf(tpA, nA, truth)
	fmt.Fprintf(w, "matches + reviews: %d (%d reviews, %d held for a close competitor); precision %.4f recall %.4f F1 %.4f\n",
		nA, st.Reviews, st.CompetitorHeld, pr, rc, f1)

	if *blocking {
		cands, err := linkage.Candidates(left, right, linkage.Options{})
		if err != nil {
			return err
		}
		lref := func(i int32) string { return left[i].Ref }
		hit := 0
		for _, c := range cands {
			if ds.Truth[lref(c[0])] == right[c[1]].Ref {
				hit++
			}
		}
		fmt.Fprintf(w, "blocking recall: %.5f (%d of %d true pairs among candidates)\n", float64(hit)/float64(max(1, truth)), hit, truth)
	}
	if *errors > 0 {
		for i, s := range wrong {
			if i >= *errors {
				break
			}
			fmt.Fprintln(w, s)
		}
		li := map[string]int{}
		for i, r := range left {
			li[r.Ref] = i
		}
		ri := map[string]int{}
		for i, r := range right {
			ri[r.Ref] = i
		}
		byL, byR := map[string]linkage.Pair{}, map[string]linkage.Pair{}
		for _, p := range res.Pairs {
			byL[p.Left], byR[p.Right] = p, p
		}
		for l, r := range ds.Truth {
			if !found[l] && len(seen) < *errors {
				seen = append(seen, fmt.Sprintf("  missed %s %v\n      ~ %s %v\n      left paired %v\n      right paired %v", l, left[li[l]], r, right[ri[r]], byL[l], byR[r]))
			}
		}
		for _, s := range seen {
			fmt.Fprintln(w, s)
		}
	}
	return nil
}

func prf(tp, n, truth int) (p, r, f float64) {
	if n > 0 {
		p = float64(tp) / float64(n)
	}
	if truth > 0 {
		r = float64(tp) / float64(truth)
	}
	if p+r > 0 {
		f = 2 * p * r / (p + r)
	}
	return
}

func mib(b uint64) string { return fmt.Sprintf("%.0f MiB", float64(b)/(1<<20)) }

// resetPeak resets the kernel's peak resident size of this process, so that
// VmHWM measures the link and not the generation before it.
func resetPeak() { _ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

// vmHWM reads the peak resident size from /proc/self/status (0 elsewhere).
func vmHWM() uint64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, _ := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// printCalibration shows, by band of score, how many paired rows are truly
// one person: a calibrated score is near the band's share.
func printCalibration(w io.Writer, res *linkage.Result, truth map[string]string) {
	bands := []float64{0.5, 0.8, 0.9, 0.95, 0.97, 0.98, 0.99, 0.995, 0.999, 1.01}
	n := make([]int, len(bands))
	ok := make([]int, len(bands))
	for _, p := range res.Pairs {
		for i := len(bands) - 2; i >= 0; i-- {
			if p.Score >= bands[i] {
				n[i]++
				if truth[p.Left] == p.Right {
					ok[i]++
				}
				break
			}
		}
	}
	fmt.Fprintln(w, "calibration (score band: pairs, share true):")
	for i := 0; i < len(bands)-1; i++ {
		if n[i] > 0 {
			fmt.Fprintf(w, "  [%.3f, %.3f): %6d  %.4f\n", bands[i], min(bands[i+1], 1), n[i], float64(ok[i])/float64(n[i]))
		}
	}
}
