package witness_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"tally/ledger"
	"tally/witness"
)

// fixture is a log run by TR with entries by UA, and the keys of witnesses
// UA and RU.
type fixture struct {
	t         testing.TB
	keys      ledger.Keys
	logSigner note.Signer
	ua        note.Signer
	witSkeys  map[string]string // witness id → skey
	witVkeys  map[string]string // witness id → cosignature/v1 vkey
	start     time.Time         // before any log's first checkpoint
	clock     time.Time
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	f := &fixture{t: t, witSkeys: map[string]string{}, witVkeys: map[string]string{},
		start: time.Date(2026, 11, 22, 4, 0, 0, 0, time.UTC)}
	f.clock = f.start
	logS, logV := mustKey(t, ledger.RoleLog, "TR")
	uaS, uaV := mustKey(t, ledger.RoleParty, "UA")
	f.keys = ledger.Keys{Log: logV, Parties: map[string]string{"UA": uaV}}
	for _, id := range []string{"UA", "RU"} {
		s, v := mustKey(t, ledger.RoleWitness, id)
		f.witSkeys[id], f.witVkeys[id] = s, v
		f.keys.Witnesses = append(f.keys.Witnesses, v)
	}
	f.logSigner = mustSigner(t, logS)
	f.ua = mustSigner(t, uaS)
	return f
}

func mustKey(t testing.TB, r ledger.Role, id string) (string, string) {
	t.Helper()
	s, v, err := ledger.GenerateRoleKey(r, id)
	if err != nil {
		t.Fatal(err)
	}
	return s, v
}

func mustSigner(t testing.TB, skey string) note.Signer {
	t.Helper()
	s, err := ledger.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func (f *fixture) now() time.Time {
	f.clock = f.clock.Add(time.Second)
	return f.clock
}

// newLog returns an empty log (its size-0 checkpoint signed).
func (f *fixture) newLog() *ledger.Log { return f.newLogAt(f.now()) }

// newLogAt returns an empty log whose size-0 checkpoint is dated t.
func (f *fixture) newLogAt(t time.Time) *ledger.Log {
	f.t.Helper()
	first := true
	now := func() time.Time {
		if first {
			first = false
			return t
		}
		return f.now()
	}
	l, err := ledger.NewLog(ledger.Config{Keys: f.keys, Signer: f.logSigner, Now: now, Quorum: 1})
	if err != nil {
		f.t.Fatal(err)
	}
	return l
}

// grow appends n entries by UA to l, each with the given tag in its
// payload, citing the size-0 checkpoint (which every copy of the log
// shares), and publishes a checkpoint.
func (f *fixture) grow(l *ledger.Log, n int, tag string) []byte {
	f.t.Helper()
	empty, ok, err := l.Checkpoint(0)
	if !ok || err != nil {
		f.t.Fatal("no checkpoint of size 0", err)
	}
	c0, err := ledger.OpenCheckpoint(empty, f.keys)
	if err != nil {
		f.t.Fatal(err)
	}
	for range n {
		p, err := l.Party("UA")
		if err != nil {
			f.t.Fatal(err)
		}
		e := &ledger.Entry{Kind: ledger.KindListVersion, Party: "UA", Seq: p.Seq + 1, Prev: p.Last,
			Commitment: ledger.Commit([]byte("salt"), fmt.Appendf(nil, "%s %d", tag, p.Seq+1)),
			Time:       ledger.NormalTime(f.now()), Checkpoint: c0.Ref()}
		b, err := e.Sign(f.ua)
		if err != nil {
			f.t.Fatal(err)
		}
		if _, err := l.Append(b); err != nil {
			f.t.Fatal(err)
		}
	}
	cp, err := l.Publish()
	if err != nil {
		f.t.Fatal(err)
	}
	return cp
}

// restore returns a copy of l with its first n entries: an older copy of the
// log, restored.
func (f *fixture) restore(l *ledger.Log, n int64) *ledger.Log {
	f.t.Helper()
	r := f.newLogAt(f.start)
	es, err := l.ReadEntries(0, n)
	if err != nil {
		f.t.Fatal(err)
	}
	for _, e := range es {
		if _, err := r.Append(e); err != nil {
			f.t.Fatal(err)
		}
	}
	return r
}

// server starts witness id for the fixture's log, keeping its state in
// statePath, and returns it with its URL.
func (f *fixture) server(id, statePath string) (*witness.Witness, string) {
	f.t.Helper()
	w := f.witness(id, statePath)
	srv := httptest.NewServer(w.Handler())
	f.t.Cleanup(srv.Close)
	return w, srv.URL
}

func (f *fixture) witness(id, statePath string) *witness.Witness {
	f.t.Helper()
	w, err := witness.New(witness.Config{Key: f.witSkeys[id], Logs: []witness.Log{{Verifier: f.keys.Log}}, StatePath: statePath})
	if err != nil {
		f.t.Fatal(err)
	}
	return w
}

func statePath(t testing.TB, id string) string {
	return filepath.Join(t.TempDir(), "witness-"+id+".json")
}

func (f *fixture) group(remotes ...witness.Remote) *witness.Group {
	f.t.Helper()
	g, err := witness.NewGroup(remotes, nil)
	if err != nil {
		f.t.Fatal(err)
	}
	return g
}

func ctx(t testing.TB) context.Context {
	c, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	t.Cleanup(cancel)
	return c
}

// sizeOf returns l's size.
func sizeOf(t testing.TB, l *ledger.Log) int64 {
	t.Helper()
	n, err := l.Size()
	if err != nil {
		t.Fatal(err)
	}
	return n
}
