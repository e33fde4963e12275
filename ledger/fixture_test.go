package ledger

import (
	"fmt"
	"testing"
	"testing/fstest"
	"time"

	"golang.org/x/mod/sumdb/note"
)

// fixture is a log between UA and RU, run by TR, with a witness for each party.
type fixture struct {
	t         testing.TB
	keys      Keys
	logSkey   string
	logSigner note.Signer
	party     map[string]note.Signer
	witSkeys  []string
	witnesses []*Witness
	log       *Log
	clock     time.Time
	salts     map[int64][]byte
	payloads  map[int64][]byte
}

var start = time.Date(2026, 11, 22, 4, 0, 0, 0, time.UTC)

func mustKey(t testing.TB, r Role, id string) (string, string) {
	t.Helper()
	s, v, err := GenerateRoleKey(r, id)
	if err != nil {
		t.Fatal(err)
	}
	return s, v
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	f := &fixture{t: t, party: map[string]note.Signer{}, clock: start, salts: map[int64][]byte{}, payloads: map[int64][]byte{}}
	var logV string
	f.logSkey, logV = mustKey(t, RoleLog, "TR")
	f.keys = Keys{Log: logV, Parties: map[string]string{}}
	for _, p := range []string{"UA", "RU"} {
		s, v := mustKey(t, RoleParty, p)
		f.keys.Parties[p] = v
		f.party[p] = mustSigner(t, s)
	}
	for _, w := range []string{"UA", "RU"} {
		s, v := mustKey(t, RoleWitness, w)
		f.keys.Witnesses = append(f.keys.Witnesses, v)
		f.witSkeys = append(f.witSkeys, s)
	}
	f.logSigner = mustSigner(t, f.logSkey)
	f.log = f.newLog()
	f.witnesses = f.newWitnesses()
	f.publish()
	return f
}

func (f *fixture) newLog() *Log {
	l, err := NewLog(Config{Keys: f.keys, Signer: f.logSigner, Now: f.now})
	if err != nil {
		f.t.Fatal(err)
	}
	return l
}

func (f *fixture) newWitnesses() []*Witness {
	var ws []*Witness
	for _, s := range f.witSkeys {
		w, err := NewWitness(s, f.keys.Log)
		if err != nil {
			f.t.Fatal(err)
		}
		ws = append(ws, w)
	}
	return ws
}

func mustSigner(t testing.TB, skey string) note.Signer {
	t.Helper()
	s, err := NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// now is the fixture's clock: a second later at every reading.
func (f *fixture) now() time.Time {
	f.clock = f.clock.Add(time.Second)
	return f.clock
}

// entry makes party's next entry for payload, signed with signer (nil: the party's own).
func (f *fixture) entry(party string, payload []byte, signer note.Signer) ([]byte, []byte) {
	f.t.Helper()
	seq, last := f.chain(party)
	salt := NewSalt()
	e := &Entry{Kind: KindListVersion, Party: party, Seq: seq + 1, Prev: last,
		Commitment: Commit(salt, payload), Time: NormalTime(f.now()), Checkpoint: f.latest().Ref()}
	if signer == nil {
		signer = f.party[party]
	}
	b, err := signEntryAnyKey(e, signer)
	if err != nil {
		f.t.Fatal(err)
	}
	return b, salt
}

// signEntryAnyKey signs e with any key, as a forger would (Entry.Sign refuses).
func signEntryAnyKey(e *Entry, s note.Signer) ([]byte, error) {
	text, err := e.Text()
	if err != nil {
		return nil, err
	}
	return note.Sign(&note.Note{Text: string(text)}, s)
}

// append appends a valid entry of party and returns its index.
func (f *fixture) append(party string) int64 {
	f.t.Helper()
	payload := fmt.Appendf(nil, "list of %s, version %d", party, f.size())
	b, salt := f.entry(party, payload, nil)
	i, err := f.log.Append(b)
	if err != nil {
		f.t.Fatal(err)
	}
	f.salts[i], f.payloads[i] = salt, payload
	return i
}

// appendUnchecked appends b as a dishonest log would, without checks.
func (f *fixture) appendUnchecked(b []byte) int64 {
	f.t.Helper()
	e, err := DecodeEntry(b)
	if err != nil {
		f.t.Fatal(err)
	}
	i, err := f.log.add(b, e)
	if err != nil {
		f.t.Fatal(err)
	}
	return i
}

// publish signs a checkpoint and has every witness cosign it.
func (f *fixture) publish() []byte {
	f.t.Helper()
	cp, err := f.log.Publish()
	if err != nil {
		f.t.Fatal(err)
	}
	for _, w := range f.witnesses {
		proof, err := f.log.ConsistencyProof(w.Size(), f.size())
		if err != nil {
			f.t.Fatal(err)
		}
		co, err := w.Cosign(cp, proof)
		if err != nil {
			f.t.Fatal(err)
		}
		if err := f.log.AddCosignatures(co); err != nil {
			f.t.Fatal(err)
		}
	}
	cp, _ = f.checkpoint(f.size())
	return cp
}

// grow appends n entries alternating between the parties, publishing every `every`.
func (f *fixture) grow(n, every int) {
	f.t.Helper()
	for i := 0; i < n; i++ {
		f.append([]string{"UA", "RU"}[i%2])
		if (i+1)%every == 0 {
			f.publish()
		}
	}
	f.publish()
}

// mapWriter writes an export into a MapFS.
type mapWriter fstest.MapFS

func (m mapWriter) WriteFile(name string, data []byte) error {
	m[name] = &fstest.MapFile{Data: append([]byte(nil), data...), Mode: 0o644}
	return nil
}

func (f *fixture) export() fstest.MapFS {
	f.t.Helper()
	m := fstest.MapFS{}
	if err := Export(mapWriter(m), f.log); err != nil {
		f.t.Fatal(err)
	}
	return m
}

// The log's accessors, failing the test on an error of the State.

func (f *fixture) size() int64 {
	f.t.Helper()
	n, err := f.log.Size()
	if err != nil {
		f.t.Fatal(err)
	}
	return n
}

func (f *fixture) latest() *Checkpoint {
	f.t.Helper()
	c, err := f.log.Latest()
	if err != nil {
		f.t.Fatal(err)
	}
	return c
}

// chain returns the seq and hash of party's last entry.
func (f *fixture) chain(party string) (int64, Hash) {
	f.t.Helper()
	p, err := f.log.Party(party)
	if err != nil {
		f.t.Fatal(err)
	}
	return p.Seq, p.Last
}

func (f *fixture) checkpoint(n int64) ([]byte, bool) {
	f.t.Helper()
	b, ok, err := f.log.Checkpoint(n)
	if err != nil {
		f.t.Fatal(err)
	}
	return b, ok
}

func (f *fixture) checkpoints() [][]byte {
	f.t.Helper()
	cps, err := f.log.Checkpoints()
	if err != nil {
		f.t.Fatal(err)
	}
	return cps
}

func (f *fixture) entryAt(i int64) []byte {
	f.t.Helper()
	b, err := f.log.Entry(i)
	if err != nil {
		f.t.Fatal(err)
	}
	return b
}

// entries returns every entry of the log.
func (f *fixture) entries() [][]byte {
	f.t.Helper()
	es, err := f.log.ReadEntries(0, f.size())
	if err != nil {
		f.t.Fatal(err)
	}
	return es
}
