package storetest

import (
	"context"

	"tally"
	"tally/ledger"
)

// LogState returns a ledger.State over store s in which every call runs in
// a transaction of its own, so that package ledger's statetest suite
// checks what a store's log tables keep across transactions, not what one
// transaction caches.
func LogState(s tally.Store) ledger.State { return txState{s} }

type txState struct{ s tally.Store }

func (x txState) update(fn func(ledger.State) error) error {
	ctx := context.Background()
	return x.s.Update(ctx, func(tx tally.Tx) error { return fn(tx.LogState(ctx)) })
}

func (x txState) view(fn func(ledger.State) error) error {
	ctx := context.Background()
	return x.s.View(ctx, func(tx tally.Tx) error { return fn(tx.LogState(ctx)) })
}

func (x txState) ReadHashes(indexes []int64) (hs []ledger.Hash, err error) {
	err = x.view(func(s ledger.State) error { hs, err = s.ReadHashes(indexes); return err })
	return hs, err
}

func (x txState) WriteHashes(start int64, hashes []ledger.Hash) error {
	return x.update(func(s ledger.State) error { return s.WriteHashes(start, hashes) })
}

func (x txState) Size() (n int64, err error) {
	err = x.view(func(s ledger.State) error { n, err = s.Size(); return err })
	return n, err
}

func (x txState) Entries(start, n int64) (es [][]byte, err error) {
	err = x.view(func(s ledger.State) error { es, err = s.Entries(start, n); return err })
	return es, err
}

func (x txState) Party(code string) (p ledger.PartyState, err error) {
	err = x.view(func(s ledger.State) error { p, err = s.Party(code); return err })
	return p, err
}

func (x txState) EntryOf(party string, seq int64) (i int64, b []byte, found bool, err error) {
	err = x.view(func(s ledger.State) error { i, b, found, err = s.EntryOf(party, seq); return err })
	return i, b, found, err
}

func (x txState) AddEntry(i int64, b []byte, e *ledger.Entry) error {
	return x.update(func(s ledger.State) error { return s.AddEntry(i, b, e) })
}

func (x txState) Checkpoint(n int64) (b []byte, found bool, err error) {
	err = x.view(func(s ledger.State) error { b, found, err = s.Checkpoint(n); return err })
	return b, found, err
}

func (x txState) LatestCheckpoint() (b []byte, err error) {
	err = x.view(func(s ledger.State) error { b, err = s.LatestCheckpoint(); return err })
	return b, err
}

func (x txState) Checkpoints() (bs [][]byte, err error) {
	err = x.view(func(s ledger.State) error { bs, err = s.Checkpoints(); return err })
	return bs, err
}

func (x txState) PutCheckpoint(n int64, note []byte) error {
	return x.update(func(s ledger.State) error { return s.PutCheckpoint(n, note) })
}
