// Package statetest checks an implementation of ledger.State: that what is
// written reads back as the ledger expects, and that a ledger.Log run over
// it, opened afresh for every operation as tally's stores do, gives
// receipts and an export that verify.
//
// A store's tests run it over their State:
//
//	func TestLedgerState(t *testing.T) {
//		statetest.TestState(t, func(t *testing.T) ledger.State { return newTestState(t) })
//	}
package statetest

import (
	"bytes"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"tally/ledger"
)

// TestState runs the checks, each as a subtest over a new, empty State
// from newState.
func TestState(t *testing.T, newState func(t *testing.T) ledger.State) {
	t.Run("Empty", func(t *testing.T) { testEmpty(t, newState(t)) })
	t.Run("Entries", func(t *testing.T) { testEntries(t, newState(t)) })
	t.Run("Hashes", func(t *testing.T) { testHashes(t, newState(t)) })
	t.Run("Checkpoints", func(t *testing.T) { testCheckpoints(t, newState(t)) })
	t.Run("Log", func(t *testing.T) { testLog(t, newState(t)) })
}

var start = time.Date(2026, 11, 22, 4, 0, 0, 0, time.UTC)

func check(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// world is a log TR between parties UA and RU, with a witness for each.
type world struct {
	keys      ledger.Keys
	logSigner note.Signer
	parties   map[string]note.Signer
	witSkeys  []string
}

func newWorld(t *testing.T) *world {
	t.Helper()
	w := &world{parties: map[string]note.Signer{}}
	skey, vkey, err := ledger.GenerateRoleKey(ledger.RoleLog, "TR")
	check(t, err)
	w.logSigner, err = ledger.NewSigner(skey)
	check(t, err)
	w.keys = ledger.Keys{Log: vkey, Parties: map[string]string{}}
	for _, p := range []string{"UA", "RU"} {
		skey, vkey, err := ledger.GenerateRoleKey(ledger.RoleParty, p)
		check(t, err)
		w.keys.Parties[p] = vkey
		w.parties[p], err = ledger.NewSigner(skey)
		check(t, err)
		skey, vkey, err = ledger.GenerateRoleKey(ledger.RoleWitness, p)
		check(t, err)
		w.keys.Witnesses = append(w.keys.Witnesses, vkey)
		w.witSkeys = append(w.witSkeys, skey)
	}
	return w
}

func testEmpty(t *testing.T, st ledger.State) {
	n, err := st.Size()
	check(t, err)
	if n != 0 {
		t.Fatalf("Size of a new State = %d", n)
	}
	p, err := st.Party("UA")
	check(t, err)
	if p.Seq != 0 || p.Last != (ledger.Hash{}) || !p.Time.IsZero() {
		t.Fatalf("Party(UA) of a new State = %+v; want the zero PartyState", p)
	}
	if _, _, found, err := st.EntryOf("UA", 1); err != nil || found {
		t.Fatalf("EntryOf(UA, 1) of a new State: found %v, %v", found, err)
	}
	es, err := st.Entries(0, 0)
	check(t, err)
	if len(es) != 0 {
		t.Fatalf("Entries(0, 0) = %d entries", len(es))
	}
	cp, err := st.LatestCheckpoint()
	check(t, err)
	if cp != nil {
		t.Fatalf("LatestCheckpoint of a new State = %q; want nil", cp)
	}
	cps, err := st.Checkpoints()
	check(t, err)
	if len(cps) != 0 {
		t.Fatalf("Checkpoints of a new State: %d", len(cps))
	}
	if _, found, err := st.Checkpoint(0); err != nil || found {
		t.Fatalf("Checkpoint(0) of a new State: found %v, %v", found, err)
	}
}

// signed returns party's entry number seq, chained to prev, at time tm.
func signed(t *testing.T, w *world, party string, seq int64, prev ledger.Hash, tm time.Time) ([]byte, *ledger.Entry) {
	t.Helper()
	e := &ledger.Entry{Kind: ledger.KindListVersion, Party: party, Seq: seq, Prev: prev,
		Commitment: ledger.Commit(make([]byte, ledger.SaltSize), fmt.Appendf(nil, "%s %d", party, seq)),
		Time:       tm, Checkpoint: ledger.CheckpointRef{Size: 0, Hash: ledger.Hash{1}}}
	b, err := e.Sign(w.parties[party])
	check(t, err)
	return b, e
}

func testEntries(t *testing.T, st ledger.State) {
	w := newWorld(t)
	const n = 20
	var all [][]byte
	last := map[string]ledger.PartyState{}
	type at struct {
		party string
		seq   int64
	}
	index := map[at]int64{}
	for i := int64(0); i < n; i++ {
		party := []string{"UA", "RU"}[i%3%2] // UA RU UA UA RU UA ...
		p := last[party]
		tm := start.Add(time.Duration(i) * 1001 * time.Millisecond)
		b, e := signed(t, w, party, p.Seq+1, p.Last, tm)
		if err := st.AddEntry(i, b, e); err != nil {
			t.Fatalf("AddEntry(%d): %v", i, err)
		}
		all = append(all, b)
		last[party] = ledger.PartyState{Seq: e.Seq, Last: ledger.EntryHash(b), Time: e.Time}
		index[at{party, e.Seq}] = i
		size, err := st.Size()
		check(t, err)
		if size != i+1 {
			t.Fatalf("Size after %d entries = %d", i+1, size)
		}
	}
	for _, r := range [][2]int64{{0, n}, {0, 1}, {3, 4}, {n - 1, 1}, {7, 0}, {n, 0}} {
		es, err := st.Entries(r[0], r[1])
		if err != nil {
			t.Fatalf("Entries(%d, %d): %v", r[0], r[1], err)
		}
		if int64(len(es)) != r[1] {
			t.Fatalf("Entries(%d, %d) returned %d entries", r[0], r[1], len(es))
		}
		for k, b := range es {
			if !bytes.Equal(b, all[r[0]+int64(k)]) {
				t.Fatalf("Entries(%d, %d)[%d] = %q; want %q", r[0], r[1], k, b, all[r[0]+int64(k)])
			}
		}
	}
	for party, want := range last {
		got, err := st.Party(party)
		check(t, err)
		if got.Seq != want.Seq || got.Last != want.Last || !got.Time.Equal(want.Time) {
			t.Fatalf("Party(%s) = %+v; want %+v", party, got, want)
		}
	}
	if p, err := st.Party("XX"); err != nil || p.Seq != 0 || p.Last != (ledger.Hash{}) || !p.Time.IsZero() {
		t.Fatalf("Party(XX) = %+v, %v; want the zero PartyState", p, err)
	}
	for k, i := range index {
		got, b, found, err := st.EntryOf(k.party, k.seq)
		if err != nil || !found || got != i || !bytes.Equal(b, all[i]) {
			t.Fatalf("EntryOf(%s, %d) = %d, %q, %v, %v; want %d, %q", k.party, k.seq, got, b, found, err, i, all[i])
		}
	}
	for _, k := range []at{{"UA", 0}, {"UA", last["UA"].Seq + 1}, {"XX", 1}} {
		if _, _, found, err := st.EntryOf(k.party, k.seq); err != nil || found {
			t.Fatalf("EntryOf(%s, %d): found %v, %v; want not found", k.party, k.seq, found, err)
		}
	}
}

func testHashes(t *testing.T, st ledger.State) {
	hs := make([]ledger.Hash, 10)
	for i := range hs {
		hs[i] = ledger.Hash{byte(i), 0xAB, byte(i * 7)}
	}
	check(t, st.WriteHashes(0, hs[:3]))
	check(t, st.WriteHashes(3, hs[3:4]))
	check(t, st.WriteHashes(4, hs[4:]))
	idx := []int64{9, 2, 0, 3, 4, 2, 8}
	got, err := st.ReadHashes(idx)
	check(t, err)
	if len(got) != len(idx) {
		t.Fatalf("ReadHashes(%v) returned %d hashes", idx, len(got))
	}
	for k, i := range idx {
		if got[k] != hs[i] {
			t.Fatalf("ReadHashes(%v)[%d] = %v; want %v", idx, k, got[k], hs[i])
		}
	}
	if got, err := st.ReadHashes(nil); err != nil || len(got) != 0 {
		t.Fatalf("ReadHashes(nil) = %v, %v", got, err)
	}
	if _, err := st.ReadHashes([]int64{3, 10}); err == nil {
		t.Fatal("ReadHashes of a hash never written did not fail")
	}
}

func testCheckpoints(t *testing.T, st ledger.State) {
	cp := func(n int64, v string) []byte {
		return fmt.Appendf(nil, "tally-log-TR\n%d\nROOT%s=\ntime 2026-11-22T04:00:00.000Z\n\n— tally-log-TR SIG%s\n", n, v, v)
	}
	wantList := func(want ...[]byte) {
		t.Helper()
		got, err := st.Checkpoints()
		check(t, err)
		if len(got) != len(want) {
			t.Fatalf("Checkpoints: %d; want %d", len(got), len(want))
		}
		for k := range want {
			if !bytes.Equal(got[k], want[k]) {
				t.Fatalf("Checkpoints()[%d] = %q; want %q", k, got[k], want[k])
			}
		}
		latest, err := st.LatestCheckpoint()
		check(t, err)
		if !bytes.Equal(latest, want[len(want)-1]) {
			t.Fatalf("LatestCheckpoint = %q; want %q", latest, want[len(want)-1])
		}
	}
	wantCP := func(n int64, want []byte) {
		t.Helper()
		got, found, err := st.Checkpoint(n)
		check(t, err)
		if want == nil && found {
			t.Fatalf("Checkpoint(%d) found %q; want none", n, got)
		}
		if want != nil && (!found || !bytes.Equal(got, want)) {
			t.Fatalf("Checkpoint(%d) = %q, %v; want %q", n, got, found, want)
		}
	}
	check(t, st.PutCheckpoint(0, cp(0, "a")))
	wantList(cp(0, "a"))
	check(t, st.PutCheckpoint(5, cp(5, "a")))
	check(t, st.PutCheckpoint(12, cp(12, "a")))
	wantList(cp(0, "a"), cp(5, "a"), cp(12, "a"))
	// Cosignatures added: the checkpoint of size 5 is replaced.
	check(t, st.PutCheckpoint(5, cp(5, "b")))
	wantList(cp(0, "a"), cp(5, "b"), cp(12, "a"))
	check(t, st.PutCheckpoint(12, cp(12, "c")))
	wantList(cp(0, "a"), cp(5, "b"), cp(12, "c"))
	wantCP(0, cp(0, "a"))
	wantCP(5, cp(5, "b"))
	wantCP(12, cp(12, "c"))
	wantCP(6, nil)
	wantCP(13, nil)
	check(t, st.PutCheckpoint(130, cp(130, "a")))
	wantList(cp(0, "a"), cp(5, "b"), cp(12, "c"), cp(130, "a"))
}

// testLog runs a log over st, opening a Log for every operation: the
// mediator's with the log's key, the parties' without. 300 entries of UA
// and RU, a checkpoint cosigned by both witnesses every 37; then every
// receipt verifies and so does the export.
func testLog(t *testing.T, st ledger.State) {
	w := newWorld(t)
	clock := start
	now := func() time.Time { clock = clock.Add(time.Second); return clock }
	mediator := func() *ledger.Log {
		t.Helper()
		l, err := ledger.OpenLog(ledger.Config{Keys: w.keys, Signer: w.logSigner, Now: now}, st)
		check(t, err)
		return l
	}
	party := func() *ledger.Log {
		t.Helper()
		l, err := ledger.OpenLog(ledger.Config{Keys: w.keys, Now: now}, st)
		check(t, err)
		return l
	}
	if _, err := ledger.OpenLog(ledger.Config{Keys: w.keys, Now: now}, st); err == nil || !strings.Contains(err.Error(), "not initialised") {
		t.Fatalf("OpenLog without the log's key over an empty State: %v; want \"not initialised\"", err)
	}
	mediator() // signs the checkpoint of size 0
	var witnesses []*ledger.Witness
	for _, s := range w.witSkeys {
		wt, err := ledger.NewWitness(s, w.keys.Log)
		check(t, err)
		witnesses = append(witnesses, wt)
	}
	publish := func() {
		t.Helper()
		cp, err := mediator().Publish()
		check(t, err)
		for _, wt := range witnesses {
			l := mediator()
			size, err := l.Size()
			check(t, err)
			proof, err := l.ConsistencyProof(wt.Size(), size)
			check(t, err)
			co, err := wt.Cosign(cp, proof)
			check(t, err)
			check(t, mediator().AddCosignatures(co))
		}
	}
	publish()
	const n, every = 300, 37
	var entries [][]byte
	for i := int64(0); i < n; i++ {
		code := []string{"UA", "RU"}[i%2]
		payload := fmt.Appendf(nil, "list of %s, version %d", code, i)
		e, err := party().NextEntry(ledger.KindListVersion, code, ledger.Commit(ledger.NewSalt(), payload), now())
		check(t, err)
		b, err := e.Sign(w.parties[code])
		check(t, err)
		got, err := party().Append(b)
		if err != nil || got != i {
			t.Fatalf("Append of entry %d: %d, %v", i, got, err)
		}
		entries = append(entries, b)
		if (i+1)%every == 0 {
			publish()
		}
	}
	publish()
	// A retried append is not appended again.
	if got, err := party().Append(entries[100]); err != nil || got != 100 {
		t.Fatalf("Append retried: %d, %v; want 100, nil", got, err)
	}
	if _, err := party().Publish(); err == nil {
		t.Fatal("a Log without the log's key published")
	}
	l := party()
	size, err := l.Size()
	check(t, err)
	if size != n {
		t.Fatalf("size %d; want %d", size, n)
	}
	got, err := l.ReadEntries(0, n)
	check(t, err)
	if !slices.EqualFunc(got, entries, bytes.Equal) {
		t.Fatal("the entries read back differ from those appended")
	}
	cps, err := l.Checkpoints()
	check(t, err)
	if want := 1 + n/every + 1; len(cps) != want { // 0, every 37th, and 300
		t.Fatalf("%d checkpoints; want %d", len(cps), want)
	}
	for i := int64(0); i < n; i++ {
		r, err := party().Receipt(i)
		if err != nil {
			t.Fatalf("Receipt(%d): %v", i, err)
		}
		back, err := ledger.DecodeReceipt(r.Encode())
		check(t, err)
		e, c, err := ledger.VerifyReceipt(back, w.keys, 0)
		if err != nil {
			t.Fatalf("receipt %d: %v", i, err)
		}
		if c.Size != n || !bytes.Equal(back.Entry, entries[i]) || e.Party != []string{"UA", "RU"}[i%2] {
			t.Fatalf("receipt %d: checkpoint of size %d, entry of %s", i, c.Size, e.Party)
		}
	}
	dir := t.TempDir()
	check(t, ledger.Export(ledger.DirWriter(dir), party()))
	rep, err := ledger.Verify(os.DirFS(dir), ledger.VerifyOptions{Keys: &w.keys, Trusted: cps[3]})
	check(t, err)
	if rep.Size != n || rep.Parties["UA"] != n/2 || rep.Parties["RU"] != n/2 || rep.Checkpoints != len(cps) || len(rep.Cosigners) != 2 {
		t.Fatalf("Verify: %+v", rep)
	}
}
