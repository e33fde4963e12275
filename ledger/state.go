package ledger

import (
	"bytes"
	"cmp"
	"fmt"
	"slices"
	"sync"
	"time"
)

// State is where a Log keeps what it has appended and signed. MemState
// keeps it in memory (tests, the demo's witnesses); tally's stores keep it
// in their tables, inside the transaction of the change an entry records,
// so that the change and its entry are stored together or not at all.
//
// A Log reads and writes its State only through these methods, and holds
// no other state between calls: a Log opened over a store's transaction
// is as good as one that has been running all along.
type State interface {
	// ReadHashes and WriteHashes keep the stored hashes (tlog numbering).
	HashStore
	// Size returns the number of entries appended.
	Size() (int64, error)
	// Entries returns the encodings of entries start, ..., start+n-1.
	Entries(start, n int64) ([][]byte, error)
	// Party returns the state of a party's chain: its last entry's seq
	// and hash, and that entry's time; the zero PartyState when the party
	// has no entry.
	Party(code string) (PartyState, error)
	// EntryOf returns the index and encoding of the party's entry with
	// the given seq, or found false.
	EntryOf(party string, seq int64) (index int64, b []byte, found bool, err error)
	// AddEntry stores entry b, decoded as e, at index i, which is Size().
	AddEntry(i int64, b []byte, e *Entry) error
	// Checkpoint returns the signed checkpoint of size n, with the
	// cosignatures collected, or found false.
	Checkpoint(n int64) (note []byte, found bool, err error)
	// LatestCheckpoint returns the signed checkpoint of the largest size,
	// or nil when none has been signed.
	LatestCheckpoint() ([]byte, error)
	// Checkpoints returns every signed checkpoint, by increasing size.
	Checkpoints() ([][]byte, error)
	// PutCheckpoint stores the signed checkpoint of size n, replacing the
	// one stored for that size (as cosignatures are added).
	PutCheckpoint(n int64, note []byte) error
}

// PartyState is where a party's chain of entries stands.
type PartyState struct {
	Seq  int64     // the last entry's seq; 0 before the first
	Last Hash      // the last entry's hash (EntryHash); zero before the first
	Time time.Time // the last entry's time
}

// MemState is a State in memory. The zero value is not ready: use
// NewMemState. It is safe for concurrent use (a Log over it is not).
type MemState struct {
	mu      sync.Mutex
	hashes  MemHashes
	entries [][]byte
	parties map[string]PartyState
	bySeq   map[partySeq]int64
	cps     []memCheckpoint // by increasing size
}

type partySeq struct {
	party string
	seq   int64
}

type memCheckpoint struct {
	size int64
	note []byte
}

// NewMemState returns an empty State in memory.
func NewMemState() *MemState {
	return &MemState{parties: map[string]PartyState{}, bySeq: map[partySeq]int64{}}
}

// ReadHashes implements tlog.HashReader.
func (m *MemState) ReadHashes(indexes []int64) ([]Hash, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.hashes.ReadHashes(indexes)
}

// WriteHashes implements HashStore.
func (m *MemState) WriteHashes(start int64, hashes []Hash) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.hashes.WriteHashes(start, hashes)
}

// Size implements State.
func (m *MemState) Size() (int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return int64(len(m.entries)), nil
}

// Entries implements State.
func (m *MemState) Entries(start, n int64) ([][]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if start < 0 || n < 0 || start+n > int64(len(m.entries)) {
		return nil, fmt.Errorf("ledger: entries %d+%d are beyond the %d stored", start, n, len(m.entries))
	}
	return slices.Clone(m.entries[start : start+n]), nil
}

// Party implements State.
func (m *MemState) Party(code string) (PartyState, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.parties[code], nil
}

// EntryOf implements State.
func (m *MemState) EntryOf(party string, seq int64) (int64, []byte, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	i, ok := m.bySeq[partySeq{party, seq}]
	if !ok {
		return 0, nil, false, nil
	}
	return i, m.entries[i], true, nil
}

// AddEntry implements State.
func (m *MemState) AddEntry(i int64, b []byte, e *Entry) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if i != int64(len(m.entries)) {
		return fmt.Errorf("ledger: adding entry %d, but %d are stored", i, len(m.entries))
	}
	b = bytes.Clone(b)
	m.entries = append(m.entries, b)
	m.parties[e.Party] = PartyState{Seq: e.Seq, Last: EntryHash(b), Time: e.Time}
	if k := (partySeq{e.Party, e.Seq}); !hasKey(m.bySeq, k) {
		m.bySeq[k] = i
	}
	return nil
}

func hasKey[K comparable, V any](m map[K]V, k K) bool {
	_, ok := m[k]
	return ok
}

func (m *MemState) find(n int64) (int, bool) {
	return slices.BinarySearchFunc(m.cps, n, func(c memCheckpoint, n int64) int { return cmp.Compare(c.size, n) })
}

// Checkpoint implements State.
func (m *MemState) Checkpoint(n int64) ([]byte, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	k, ok := m.find(n)
	if !ok {
		return nil, false, nil
	}
	return m.cps[k].note, true, nil
}

// LatestCheckpoint implements State.
func (m *MemState) LatestCheckpoint() ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.cps) == 0 {
		return nil, nil
	}
	return m.cps[len(m.cps)-1].note, nil
}

// Checkpoints implements State.
func (m *MemState) Checkpoints() ([][]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([][]byte, len(m.cps))
	for k, c := range m.cps {
		out[k] = c.note
	}
	return out, nil
}

// PutCheckpoint implements State.
func (m *MemState) PutCheckpoint(n int64, note []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	c := memCheckpoint{size: n, note: bytes.Clone(note)}
	if k, ok := m.find(n); ok {
		m.cps[k] = c
	} else {
		m.cps = slices.Insert(m.cps, k, c)
	}
	return nil
}
