package witness_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	fnote "github.com/transparency-dev/formats/note"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"tally/ledger"
	"tally/witness"
)

// A log grows step by step; two witnesses cosign each checkpoint, and the
// log gives receipts on the cosigned checkpoints.
func TestGrowingLog(t *testing.T) {
	f := newFixture(t)
	f.keys.Witnesses = f.keys.Witnesses[:2]
	l := f.newLog()
	wUA, urlUA := f.server("UA", statePath(t, "UA"))
	wRU, urlRU := f.server("RU", statePath(t, "RU"))
	g := f.group(witness.Remote{URL: urlUA, VKey: f.witVkeys["UA"]}, witness.Remote{URL: urlRU, VKey: f.witVkeys["RU"]})
	verifiers := map[string]note.Verifier{}
	for id, vkey := range f.witVkeys {
		v, err := fnote.NewVerifierForCosignatureV1(vkey)
		if err != nil {
			t.Fatal(err)
		}
		verifiers[id] = v
	}

	for i, n := range []int{0, 1, 1, 2, 5, 0, 13, 100} {
		cp := f.grow(l, n, "a")
		cosigned, err := g.Cosign(ctx(t), cp, l)
		if err != nil {
			t.Fatalf("step %d (size %d): %v", i, sizeOf(t, l), err)
		}
		// The cosignatures verify with formats' cosignature/v1 verifier.
		for id, v := range verifiers {
			if _, err := note.Open(cosigned, note.VerifierList(v)); err != nil {
				t.Fatalf("step %d: witness %s's cosignature: %v", i, id, err)
			}
		}
		if err := l.AddCosignatures(cosigned); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		c, err := ledger.OpenCheckpoint(cosigned, f.keys)
		if err != nil {
			t.Fatal(err)
		}
		if err := ledger.CheckCosignatures(c, f.keys, 0); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		for _, w := range []*witness.Witness{wUA, wRU} {
			if _, size, ok := w.Latest(l.Origin()); !ok || size != uint64(sizeOf(t, l)) {
				t.Fatalf("step %d: witness %s holds size %d (%v), want %d", i, w.Name(), size, ok, sizeOf(t, l))
			}
		}
	}
	if _, err := l.Receipt(sizeOf(t, l) - 1); err != nil {
		t.Fatal(err)
	}
	// Cosigning a checkpoint again is harmless: witnesses that signed it are not asked.
	cp, _, _ := l.Checkpoint(sizeOf(t, l))
	again, err := g.Cosign(ctx(t), cp, l)
	if err != nil || !bytes.Equal(again, cp) {
		t.Fatalf("cosigning a cosigned checkpoint: %v\n%s", err, again)
	}
}

// rawAdd sends an add-checkpoint request and returns the status, the
// Content-Type and the body.
func rawAdd(t *testing.T, url string, body []byte) (int, string, string) {
	t.Helper()
	resp, err := http.Post(url+"/add-checkpoint", "text/plain", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Content-Type"), string(b)
}

func body(old int64, proof tlog.TreeProof, cp []byte) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "old %d\n", old)
	for _, h := range proof {
		fmt.Fprintf(&b, "%s\n", h)
	}
	b.WriteString("\n")
	b.Write(cp)
	return b.Bytes()
}

// Every refusal of the protocol, against a witness that cosigned log A at
// size 5: the status, and that nothing was cosigned.
func TestStatusCodes(t *testing.T) {
	f := newFixture(t)
	a := f.newLog()
	w, url := f.server("UA", statePath(t, "UA"))
	cp5 := f.grow(a, 5, "a")
	if code, _, b := rawAdd(t, url, body(0, nil, cp5)); code != 200 {
		t.Fatalf("first checkpoint: %d %s", code, b)
	}
	// A, grown to 8; B, an older copy of A (2 entries) grown otherwise to 4, 5 and 7.
	cp8 := f.grow(a, 3, "a")
	p58, err := a.ConsistencyProof(5, 8)
	if err != nil {
		t.Fatal(err)
	}
	b := f.restore(a, 2)
	cpB4 := f.grow(b, 2, "b")
	cpB5 := f.grow(b, 1, "b")
	cpB7 := f.grow(b, 2, "b")
	pB57, _ := b.ConsistencyProof(5, 7)

	// Another log's key under the same name, and an unknown origin.
	otherS, _ := mustKey(t, ledger.RoleLog, "TR")
	forged := resign(t, cp8, mustSigner(t, otherS))
	unknownS, _ := mustKey(t, ledger.RoleLog, "XX")
	unknown := resign(t, bytes.Replace(cp8, []byte("tally-log-TR\n"), []byte("tally-log-XX\n"), 1), mustSigner(t, unknownS))
	tampered := bytes.Replace(cp8, []byte("\n8\n"), []byte("\n9\n"), 1)
	badProof := append(tlog.TreeProof(nil), p58...)
	badProof[0][0] ^= 1

	tests := []struct {
		name string
		body []byte
		code int
		size string // the 409 body
	}{
		{"garbage", []byte("hello\n"), 400, ""},
		{"no empty line", []byte("old 5\n"), 400, ""},
		{"leading zero", append([]byte("old 05\n\n"), cp8...), 400, ""},
		{"old larger than checkpoint", body(9, nil, cp8), 400, ""},
		{"proof line not base64", append([]byte("old 5\n!!!\n\n"), cp8...), 400, ""},
		{"unknown origin", body(5, p58, unknown), 404, ""},
		{"another key named as the log's", body(5, p58, forged), 403, ""},
		{"tampered checkpoint", body(5, p58, tampered), 403, ""},
		{"unsigned checkpoint", body(5, p58, bytes.SplitAfter(cp8, []byte("\n\n"))[0]), 400, ""},
		{"stale old size", body(3, nil, cp8), 409, "5\n"},
		{"old size zero", body(0, nil, cp8), 409, "5\n"},
		{"bad proof", body(5, badProof, cp8), 422, ""},
		{"short proof", body(5, p58[1:], cp8), 422, ""},
		{"rollback: smaller", body(4, nil, cpB4), 409, "5\n"},
		{"rollback: fork at the same size", body(5, nil, cpB5), 409, "5\n"},
		{"rollback: larger", body(5, pB57, cpB7), 422, ""},
		{"rollback: larger, no proof", body(5, nil, cpB7), 422, ""},
		{"same size, proof given", body(5, p58, cp5), 422, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, ct, got := rawAdd(t, url, tt.body)
			if code != tt.code {
				t.Fatalf("status %d (%s), want %d", code, got, tt.code)
			}
			if tt.code == 409 && (got != tt.size || ct != "text/x.tlog.size") {
				t.Errorf("409 body %q, Content-Type %q; want %q, text/x.tlog.size", got, ct, tt.size)
			}
			if _, size, _ := w.Latest(a.Origin()); size != 5 {
				t.Errorf("the witness moved to size %d", size)
			}
		})
	}
	if ev := w.Evidence(a.Origin()); len(ev) != 1 || !bytes.Equal(ev[0], cpB5) {
		t.Errorf("evidence of the fork: %q", ev)
	}

	// The same size again is cosigned again; then the real extension.
	if code, _, got := rawAdd(t, url, body(5, nil, cp5)); code != 200 {
		t.Fatalf("same checkpoint again: %d %s", code, got)
	}
	code, _, got := rawAdd(t, url, body(5, p58, cp8))
	if code != 200 || !strings.HasPrefix(got, "— tally-witness-UA ") {
		t.Fatalf("extension: %d %s", code, got)
	}

	// Methods, paths and sizes.
	resp, err := http.Get(url + "/add-checkpoint")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET: %d", resp.StatusCode)
	}
	if code, _, _ := rawAdd(t, url, bytes.Repeat([]byte("x"), witness.MaxRequestBytes+1)); code != http.StatusRequestEntityTooLarge {
		t.Errorf("oversized body: %d", code)
	}
}

// resign replaces a note's signatures by s's.
func resign(t *testing.T, cp []byte, s note.Signer) []byte {
	t.Helper()
	text := bytes.SplitAfter(cp, []byte("\n\n"))[0]
	b, err := note.Sign(&note.Note{Text: string(text[:len(text)-1])}, s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// A mediator restores an older copy of the log and appends other entries:
// whatever size the new branch reaches, the witnesses that cosigned the
// original refuse it, through the Group as a log would ask them.
func TestRollbackRefused(t *testing.T) {
	for _, tt := range []struct {
		name      string
		keep, add int
		code      witness.Code
	}{
		{"smaller", 2, 2, witness.CodeConflict},
		{"same size", 2, 3, witness.CodeConflict},
		{"larger", 2, 10, witness.CodeBadProof},
		{"empty", 0, 1, witness.CodeConflict},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			a := f.newLog()
			wUA, urlUA := f.server("UA", statePath(t, "UA"))
			wRU, urlRU := f.server("RU", statePath(t, "RU"))
			remotes := []witness.Remote{{URL: urlUA, VKey: f.witVkeys["UA"]}, {URL: urlRU, VKey: f.witVkeys["RU"]}}
			cp := f.grow(a, 5, "a")
			if _, err := f.group(remotes...).Cosign(ctx(t), cp, a); err != nil {
				t.Fatal(err)
			}

			b := f.restore(a, int64(tt.keep))
			cpB := f.grow(b, tt.add, "b")
			// The restored mediator's group knows nothing of the witnesses' sizes.
			out, err := f.group(remotes...).Cosign(ctx(t), cpB, b)
			if err == nil {
				t.Fatal("the rolled-back log was cosigned")
			}
			if !bytes.Equal(out, cpB) {
				t.Errorf("cosignatures came back:\n%s", out)
			}
			for _, id := range []string{"tally-witness-UA", "tally-witness-RU"} {
				if !strings.Contains(err.Error(), id) {
					t.Errorf("the error does not name %s: %v", id, err)
				}
			}
			if c := witness.CodeOf(err); c != tt.code {
				t.Errorf("code %v, want %v: %v", c, tt.code, err)
			}
			for _, w := range []*witness.Witness{wUA, wRU} {
				if _, size, _ := w.Latest(a.Origin()); size != 5 {
					t.Errorf("witness %s moved to %d", w.Name(), size)
				}
			}
			// The original log goes on being cosigned.
			cp = f.grow(a, 1, "a")
			if _, err := f.group(remotes...).Cosign(ctx(t), cp, a); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// The state survives a restart: a new Witness from the same file holds
// the size, refuses a fork, and cosigns the log's next checkpoint.
func TestRestart(t *testing.T) {
	f := newFixture(t)
	a := f.newLog()
	path := statePath(t, "UA")
	_, url := f.server("UA", path)
	remote := witness.Remote{URL: url, VKey: f.witVkeys["UA"]}
	cp := f.grow(a, 7, "a")
	if _, err := f.group(remote).Cosign(ctx(t), cp, a); err != nil {
		t.Fatal(err)
	}

	w2, url2 := f.server("UA", path)
	got, size, ok := w2.Latest(a.Origin())
	if !ok || size != 7 {
		t.Fatalf("after restart: size %d, %v", size, ok)
	}
	v, _ := fnote.NewVerifierForCosignatureV1(f.witVkeys["UA"])
	if _, err := note.Open(got, note.VerifierList(v)); err != nil {
		t.Errorf("the kept checkpoint's cosignature: %v", err)
	}
	remote.URL = url2
	b := f.restore(a, 3)
	cpB := f.grow(b, 4, "b")
	if _, err := f.group(remote).Cosign(ctx(t), cpB, b); witness.CodeOf(err) != witness.CodeConflict {
		t.Fatalf("fork after restart: %v", err)
	}
	cp = f.grow(a, 2, "a")
	if _, err := f.group(remote).Cosign(ctx(t), cp, a); err != nil {
		t.Fatal(err)
	}

	// No temporary file is left beside the state; a damaged state stops the witness.
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("files beside the state: %v", entries)
	}
	if err := os.WriteFile(path, []byte(`{"version":1,"logs":{"x":{"size":1,"hash":"AA=="}}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := witness.New(witness.Config{Key: f.witSkeys["UA"], Logs: []witness.Log{{Verifier: f.keys.Log}}, StatePath: path}); err == nil {
		t.Error("a damaged state was accepted")
	}
}

// Concurrent requests from the same old size: exactly one is cosigned,
// the others get 409, and the witness never goes back.
func TestConcurrentRequests(t *testing.T) {
	f := newFixture(t)
	a := f.newLog()
	w, url := f.server("UA", statePath(t, "UA"))
	c, err := witness.NewClient(url, nil)
	if err != nil {
		t.Fatal(err)
	}
	cp := f.grow(a, 3, "a")
	if _, err := c.AddCheckpoint(ctx(t), 0, nil, cp); err != nil {
		t.Fatal(err)
	}
	type req struct {
		cp    []byte
		proof tlog.TreeProof
	}
	var reqs []req
	for range 8 {
		cp := f.grow(a, 1, "a")
		p, err := a.ConsistencyProof(3, sizeOf(t, a))
		if err != nil {
			t.Fatal(err)
		}
		reqs = append(reqs, req{cp, p})
	}
	var wg sync.WaitGroup
	errs := make([]error, len(reqs))
	for i, r := range reqs {
		wg.Go(func() { _, errs[i] = c.AddCheckpoint(ctx(t), 3, r.proof, r.cp) })
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch e, _ := errors.AsType[*witness.Error](err); {
		case err == nil:
			ok++
		case e == nil || e.Code != witness.CodeConflict || e.Size <= 3:
			t.Errorf("unexpected: %v", err)
		}
	}
	if ok != 1 {
		t.Errorf("%d requests from the same old size were cosigned, want 1", ok)
	}
	if _, size, _ := w.Latest(a.Origin()); size <= 3 {
		t.Errorf("the witness holds %d", size)
	}
}

// Two witnesses answer concurrently for many checkpoints; the group's
// cosignatures always make the quorum.
func TestTwoWitnessesConcurrently(t *testing.T) {
	f := newFixture(t)
	a := f.newLog()
	_, urlUA := f.server("UA", statePath(t, "UA"))
	_, urlRU := f.server("RU", "") // in memory
	g := f.group(witness.Remote{URL: urlUA, VKey: f.witVkeys["UA"]}, witness.Remote{URL: urlRU, VKey: f.witVkeys["RU"]})
	var mu sync.Mutex // the ledger.Log is not safe for concurrent use
	locked := proverFunc(func(o, n int64) (tlog.TreeProof, error) {
		mu.Lock()
		defer mu.Unlock()
		return a.ConsistencyProof(o, n)
	})
	var wg sync.WaitGroup
	for range 4 {
		mu.Lock()
		cp := f.grow(a, 3, "a")
		mu.Unlock()
		wg.Go(func() {
			out, err := g.Cosign(ctx(t), cp, locked)
			// A checkpoint overtaken by a larger one is refused as stale; that is all.
			if err != nil && witness.CodeOf(err) != witness.CodeConflict {
				t.Errorf("cosign: %v", err)
			}
			if err == nil {
				c, err := ledger.OpenCheckpoint(out, f.keys)
				if err == nil {
					err = ledger.CheckCosignatures(c, f.keys, 0)
				}
				if err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	// The last checkpoint is always cosignable.
	cp := f.grow(a, 1, "a")
	if _, err := g.Cosign(ctx(t), cp, locked); err != nil {
		t.Fatal(err)
	}
}

type proverFunc func(older, newer int64) (tlog.TreeProof, error)

func (p proverFunc) ConsistencyProof(o, n int64) (tlog.TreeProof, error) { return p(o, n) }

func TestNewRefuses(t *testing.T) {
	f := newFixture(t)
	partyS, _ := mustKey(t, ledger.RoleParty, "UA")
	for _, tt := range []struct {
		name string
		cfg  witness.Config
	}{
		{"no key", witness.Config{Logs: []witness.Log{{Verifier: f.keys.Log}}}},
		{"a party's key", witness.Config{Key: partyS, Logs: []witness.Log{{Verifier: f.keys.Log}}}},
		{"no logs", witness.Config{Key: f.witSkeys["UA"]}},
		{"bad log key", witness.Config{Key: f.witSkeys["UA"], Logs: []witness.Log{{Verifier: "tally-log-TR+nothing"}}}},
		{"log twice", witness.Config{Key: f.witSkeys["UA"], Logs: []witness.Log{{Verifier: f.keys.Log}, {Verifier: f.keys.Log}}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := witness.New(tt.cfg); err == nil {
				t.Error("accepted")
			}
		})
	}
}
