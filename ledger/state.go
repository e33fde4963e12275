package ledger

import "time"

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
