package ledger

import (
	"errors"
	"testing"
)

// chainOf makes n entries of party chained on each other, as its client
// would before submitting them in one batch.
func (f *fixture) chainOf(party string, n int) [][]byte {
	f.t.Helper()
	seq, last := f.chain(party)
	var bs [][]byte
	for i := 0; i < n; i++ {
		e := &Entry{Kind: KindAcknowledgement, Party: party, Seq: seq + 1, Prev: last,
			Commitment: Commit(NewSalt(), []byte{byte(i)}), Time: NormalTime(f.now()), Checkpoint: f.latest().Ref()}
		b, err := e.Sign(f.party[party])
		if err != nil {
			f.t.Fatal(err)
		}
		bs = append(bs, b)
		seq, last = seq+1, EntryHash(b)
	}
	return bs
}

func TestAppendBatch(t *testing.T) {
	f := newFixture(t)
	f.append("UA")
	batch := f.chainOf("RU", 40)
	idx, err := f.log.AppendBatch(batch)
	if err != nil {
		t.Fatal(err)
	}
	for i, n := range idx {
		if n != int64(i+1) {
			t.Fatalf("entry %d of the batch went to %d, want %d", i, n, i+1)
		}
		if got := f.entryAt(n); string(got) != string(batch[i]) {
			t.Fatalf("entry %d stored differently", n)
		}
	}
	// A retried batch appends nothing and returns the same indexes.
	again, err := f.log.AppendBatch(batch)
	if err != nil || len(again) != len(idx) || again[0] != idx[0] || f.size() != 41 {
		t.Fatalf("retry: %v, %v; size %d", again, err, f.size())
	}
	// A forged entry stops the batch where it stands; those before it are in.
	more := f.chainOf("UA", 5)
	forged := f.chainOf("UA", 1)[0]
	forged[len(forged)-3] ^= 1
	more[3] = forged
	got, err := f.log.AppendBatch(more)
	if !errors.Is(err, ErrRejected) || len(got) != 3 || f.size() != 44 {
		t.Fatalf("batch with a forged entry: %v, %v; size %d", got, err, f.size())
	}
}
