package ledger

import (
	"fmt"
	"strings"

	flog "github.com/transparency-dev/formats/log"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// Witness is the core of a witness (C2SP tlog-witness) for one log, in
// memory: it cosigns a checkpoint only if the log signed it and it extends
// the last checkpoint the witness cosigned, by a consistency proof. It is
// for tests and the demo; a deployed witness is an independent program
// (omniwitness) run by each party.
type Witness struct {
	signer note.Signer
	log    note.Verifier
	origin string
	size   int64
	root   Hash
}

// NewWitness returns a witness with private key skey (named
// tally-witness-ID) for the log whose key is logVKey.
func NewWitness(skey, logVKey string) (*Witness, error) {
	s, err := NewSigner(skey)
	if err != nil {
		return nil, err
	}
	if r, _, ok := RoleOf(s.Name()); !ok || r != RoleWitness {
		return nil, fmt.Errorf("ledger: witness key is named %q, not %sID", s.Name(), WitnessKeyPrefix)
	}
	lv, err := note.NewVerifier(strings.TrimSpace(logVKey))
	if err != nil {
		return nil, fmt.Errorf("ledger: log key: %w", err)
	}
	return &Witness{signer: s, log: lv, origin: lv.Name(), root: emptyRoot()}, nil
}

// Name returns the witness's key name.
func (w *Witness) Name() string { return w.signer.Name() }

// Size returns the size of the last checkpoint the witness cosigned.
func (w *Witness) Size() int64 { return w.size }

// Cosign checks checkpoint and proof, the consistency proof from the size
// the witness last cosigned (Size), and returns the checkpoint with the
// witness's cosignature added.
func (w *Witness) Cosign(checkpoint []byte, proof tlog.TreeProof) ([]byte, error) {
	c, _, n, err := flog.ParseCheckpoint(checkpoint, w.origin, w.log)
	if err != nil {
		return nil, fmt.Errorf("ledger: witness %s: %v", w.Name(), err)
	}
	if len(c.Hash) != tlog.HashSize || c.Size > 1<<62 {
		return nil, fmt.Errorf("ledger: witness %s: malformed checkpoint", w.Name())
	}
	size, root := int64(c.Size), Hash(c.Hash)
	switch {
	case size < w.size:
		return nil, fmt.Errorf("ledger: witness %s: checkpoint of size %d is older than the one cosigned (%d)", w.Name(), size, w.size)
	case size == w.size && root != w.root:
		return nil, fmt.Errorf("ledger: witness %s: checkpoint of size %d has another root than the one cosigned: the log forked", w.Name(), size)
	case size > w.size && w.size > 0:
		if err := tlog.CheckTree(proof, size, root, w.size, w.root); err != nil {
			return nil, fmt.Errorf("ledger: witness %s: checkpoint of size %d does not extend the one cosigned (%d): %v", w.Name(), size, w.size, err)
		}
	}
	out, err := note.Sign(n, w.signer)
	if err != nil {
		return nil, fmt.Errorf("ledger: witness %s: %w", w.Name(), err)
	}
	w.size, w.root = size, root
	return out, nil
}

func emptyRoot() Hash {
	h, _ := tlog.TreeHash(0, nil)
	return h
}
