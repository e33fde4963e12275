package tally

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"strings"
	"time"

	"filippo.io/age"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"tally/ledger"
)

// The shared record. Every submission is signed by the party that makes it
// and appended to the log of package ledger in the same store transaction
// as the submission itself: both are committed, or neither is, whatever
// happens to the process in between. The log's rules (signatures, chains,
// dates, checkpoints) are package ledger's; this file only decides what is
// recorded and by whom.

// UseLogKey gives the service the log's (mediator's) private key, with
// which it signs a checkpoint after each change, so that every submission
// comes back with a receipt. Without it, entries are appended and wait for
// the mediator to publish (tally log publish).
func (s *Service) UseLogKey(signer note.Signer) { s.logSigner = signer }

// SetUpLog registers the log's keys — the log's own (the mediator's), each
// party's, each witness's — and signs the first checkpoint. It is done once
// per store; registered keys are never replaced.
func (s *Service) SetUpLog(ctx context.Context, keys ledger.Keys, logSigner note.Signer) error {
	if logSigner == nil {
		return Errorf(EInvalid, "setting up the log needs the log's private key")
	}
	return s.store.Update(ctx, func(tx Tx) error {
		_, err := tx.LogKeys(ctx)
		switch {
		case err == nil:
			return &Error{Code: EConflict, Message: "this store keeps a signed log already", Hint: "its keys are registered for good; see tally log show"}
		case ErrorCodeOf(err) != ENotFound:
			return err
		}
		if _, err := ledger.OpenLog(ledger.Config{Keys: keys, Signer: logSigner, Now: s.now}, tx.LogState(ctx)); err != nil {
			return &Error{Code: EInvalid, Message: strings.TrimPrefix(err.Error(), "ledger: "), Err: err}
		}
		if err := tx.AddLogKey(ctx, ledger.RoleLog, keyID(keys.Log), keys.Log); err != nil {
			return err
		}
		for code, vkey := range keys.Parties {
			if err := tx.AddLogKey(ctx, ledger.RoleParty, code, vkey); err != nil {
				return err
			}
		}
		for _, vkey := range keys.Witnesses {
			if err := tx.AddLogKey(ctx, ledger.RoleWitness, keyID(vkey), vkey); err != nil {
				return err
			}
		}
		return nil
	})
}

// keyID returns the id in a key's name: UA in tally-party-UA.
func keyID(vkey string) string {
	name, _, _ := strings.Cut(strings.TrimSpace(vkey), "+")
	_, id, _ := ledger.RoleOf(name)
	return id
}

// LogKeys returns the keys registered for the log.
func (s *Service) LogKeys(ctx context.Context) (k ledger.Keys, err error) {
	err = s.store.View(ctx, func(tx Tx) error {
		k, err = tx.LogKeys(ctx)
		return err
	})
	return k, err
}

// commitment is SHA-256(salt ‖ payload) (ledger.Commit), computed as the
// payload streams past, so that a large file is never held whole.
type commitment struct {
	salt []byte
	h    interface {
		Write([]byte) (int, error)
		Sum([]byte) []byte
	}
}

func newCommitment() (*commitment, error) {
	salt := make([]byte, 32)
	if _, err := rand.Read(salt); err != nil {
		return nil, err
	}
	h := sha256.New()
	h.Write(salt)
	return &commitment{salt: salt, h: h}, nil
}

func (c *commitment) Write(p []byte) (int, error) { return c.h.Write(p) }

func (c *commitment) hash() ledger.Hash {
	var h ledger.Hash
	copy(h[:], c.h.Sum(nil))
	return h
}

// record makes the entry of kind for party, committing to a payload, signs
// it with the party's key, and appends it to the log in tx. It returns the
// entry's index, or -1 when the store keeps no log. When the service holds
// the log's key it also signs a checkpoint holding the entry.
func (s *Service) record(ctx context.Context, tx Tx, kind, party string, signer note.Signer, c ledger.Hash) (int64, error) {
	keys, err := tx.LogKeys(ctx)
	switch {
	case ErrorCodeOf(err) == ENotFound && signer == nil:
		return -1, nil
	case ErrorCodeOf(err) == ENotFound:
		return -1, &Error{Code: EInvalid, Key: "--key", Message: "this store keeps no signed log yet, so there is nothing to sign into",
			Hint: "the mediator sets one up with tally log init; or leave out --key"}
	case err != nil:
		return -1, err
	}
	if signer == nil {
		return -1, &Error{Code: EInvalid, Key: "--key",
			Message: fmt.Sprintf("this store keeps a signed log: %s's submissions must be signed with %s's private key", party, party),
			Hint:    fmt.Sprintf("give --key %s.key", ledger.PartyKeyName(party))}
	}
	if want := ledger.PartyKeyName(party); signer.Name() != want {
		return -1, &Error{Code: EInvalid, Key: "--key",
			Message: fmt.Sprintf("the key given is %s, not %s: a party signs only for itself", signer.Name(), want)}
	}
	log, err := ledger.OpenLog(ledger.Config{Keys: keys, Signer: s.logSigner, Now: s.now}, tx.LogState(ctx))
	if err != nil {
		return -1, err
	}
	e, err := log.NextEntry(kind, party, c, s.now())
	if err != nil {
		return -1, err
	}
	b, err := e.Sign(signer)
	if err != nil {
		return -1, &Error{Code: EInvalid, Key: "--key", Message: strings.TrimPrefix(err.Error(), "ledger: "), Err: err}
	}
	idx, err := log.Append(b)
	if errors.Is(err, ledger.ErrRejected) {
		return -1, &Error{Code: EInvalid, Message: "the log refused the entry: " + strings.TrimPrefix(err.Error(), "ledger: "), Err: err}
	}
	if err != nil {
		return -1, err
	}
	if err := s.publishNow(log); err != nil {
		return -1, err
	}
	return idx, nil
}

// appendSigned appends an entry the party signed away from the service
// (see PrepareSteps), once it is seen to record what it is said to: the
// kind, the party, and the commitment c to the payload stored beside it.
// An entry for a seq the party has used meanwhile — a step it took
// elsewhere between preparing and signing this one — is a conflict: the
// step must be prepared and signed again. An entry already in the log,
// byte for byte — a retry after an answer that was lost — is not appended
// again: its index is returned with again set.
func (s *Service) appendSigned(ctx context.Context, tx Tx, kind, party string, c ledger.Hash, signed []byte) (idx int64, again bool, err error) {
	e, err := ledger.DecodeEntry(signed)
	if err != nil {
		return -1, false, &Error{Code: EInvalid, Key: "entry", Message: "the signed entry cannot be read: " + strings.TrimPrefix(err.Error(), "ledger: "), Err: err}
	}
	switch {
	case e.Party != party:
		return -1, false, &Error{Code: EInvalid, Key: "entry", Message: fmt.Sprintf("the signed entry is %s's, not %s's: a party signs only for itself", e.Party, party)}
	case e.Kind != kind:
		return -1, false, &Error{Code: EInvalid, Key: "entry", Message: fmt.Sprintf("the signed entry records a step of kind %s, not %s", e.Kind, kind)}
	case e.Commitment != c:
		return -1, false, &Error{Code: EInvalid, Key: "entry", Message: "the signed entry does not commit to what was sent with it (the step's payload, or the list's file, and the salt)",
			Hint: "sign the entry prepared for this very step or file"}
	}
	log, err := s.openLog(ctx, tx)
	if err != nil {
		return -1, false, err
	}
	before, err := log.Party(party)
	if err != nil {
		return -1, false, err
	}
	size, err := log.Size()
	if err != nil {
		return -1, false, err
	}
	idx, err = log.Append(signed)
	if errors.Is(err, ledger.ErrRejected) {
		if e.Seq <= before.Seq {
			return -1, false, &Error{Code: EConflict, Message: fmt.Sprintf("%s recorded another step after this one was prepared", party),
				Hint: "prepare the step and sign it again", Err: err}
		}
		return -1, false, &Error{Code: EInvalid, Key: "entry", Message: "the log refused the entry: " + strings.TrimPrefix(err.Error(), "ledger: "), Err: err}
	}
	if err != nil {
		return -1, false, err
	}
	if idx < size {
		return idx, true, nil
	}
	if err := s.publishNow(log); err != nil {
		return -1, false, err
	}
	return idx, false, nil
}

// publishNow signs a checkpoint of log in the transaction of the change
// just appended, when the service holds the log's key and no periodic
// publisher runs (RunPublisher): every submission then comes back with a
// receipt.
func (s *Service) publishNow(log *ledger.Log) error {
	if s.logSigner == nil || s.publisher.Load() {
		return nil
	}
	_, err := log.Publish()
	return err
}

// Receipt returns the receipt of log entry i: the entry, its inclusion
// proof and the checkpoint that holds it, verified. It fails while no
// checkpoint with the cosignatures the policy requires holds the entry.
func (s *Service) Receipt(ctx context.Context, i int64) (r *ledger.Receipt, err error) {
	err = s.store.View(ctx, func(tx Tx) error {
		keys, err := tx.LogKeys(ctx)
		if err != nil {
			return err
		}
		log, err := ledger.OpenLog(ledger.Config{Keys: keys, Now: s.now}, tx.LogState(ctx))
		if err != nil {
			return err
		}
		r, err = log.Receipt(i)
		return err
	})
	return r, err
}

// Publish signs a checkpoint of the log as it stands, with the log's key
// (UseLogKey), and returns it.
func (s *Service) Publish(ctx context.Context) (cp []byte, err error) {
	if s.logSigner == nil {
		return nil, &Error{Code: EInvalid, Key: "--log-key", Message: "publishing a checkpoint needs the log's private key", Hint: "give --log-key with the mediator's tally-log-*.key"}
	}
	err = s.store.Update(ctx, func(tx Tx) error {
		log, err := s.openLog(ctx, tx)
		if err != nil {
			return err
		}
		cp, err = log.Publish()
		return err
	})
	return cp, err
}

func (s *Service) openLog(ctx context.Context, tx Tx) (*ledger.Log, error) {
	keys, err := tx.LogKeys(ctx)
	if err != nil {
		return nil, err
	}
	return ledger.OpenLog(ledger.Config{Keys: keys, Signer: s.logSigner, Now: s.now}, tx.LogState(ctx))
}

// ExportLog writes the shared record as static files: the C2SP tlog-tiles
// layout plus the keys and the history of checkpoints (see package ledger).
func (s *Service) ExportLog(ctx context.Context, w ledger.Writer) error {
	return s.store.View(ctx, func(tx Tx) error {
		log, err := s.openLog(ctx, tx)
		if err != nil {
			return err
		}
		// An export ends with a checkpoint of all its entries: say so
		// before a file is written, rather than fail half-way.
		n, err := log.Size()
		if err != nil {
			return err
		}
		size := int64(-1)
		if b, err := tx.LogState(ctx).LatestCheckpoint(); err != nil {
			return err
		} else if b != nil {
			if size, err = checkpointSize(b, log.Keys()); err != nil {
				return err
			}
		}
		if size != n {
			return &Error{Code: EConflict, Message: fmt.Sprintf("the log has %d entries, and no signed checkpoint holds them all yet", n),
				Hint: "a checkpoint is signed within seconds of a change (tally log publish, where the log's key is): export again then"}
		}
		return ledger.Export(w, log)
	})
}

// checkpointSize returns the size of a signed checkpoint.
func checkpointSize(b []byte, keys ledger.Keys) (int64, error) {
	cp, err := ledger.OpenCheckpoint(b, keys)
	if err != nil {
		return 0, err
	}
	return cp.Size, nil
}

// LogStatus is where the shared record stands.
type LogStatus struct {
	Keys       ledger.Keys
	Size       int64
	Checkpoint []byte // the latest signed checkpoint
}

// LogStatus returns where the shared record stands.
func (s *Service) LogStatus(ctx context.Context) (st LogStatus, err error) {
	err = s.store.View(ctx, func(tx Tx) error {
		if st.Keys, err = tx.LogKeys(ctx); err != nil {
			return err
		}
		state := tx.LogState(ctx)
		if st.Size, err = state.Size(); err != nil {
			return err
		}
		st.Checkpoint, err = state.LatestCheckpoint()
		return err
	})
	return st, err
}

// ListProof returns the proof that list version v is in the log: its
// receipt and, when disclose is true, the salt and the original file, so
// that anyone can check the file is the one submitted.
func (s *Service) ListProof(ctx context.Context, v ListVersion, disclose bool, identities ...age.Identity) (*ledger.Proof, error) {
	var idx int64
	var salt []byte
	err := s.store.View(ctx, func(tx Tx) (err error) {
		idx, salt, err = tx.ListVersionEntry(ctx, v.ID)
		return err
	})
	if err != nil {
		return nil, err
	}
	r, err := s.Receipt(ctx, idx)
	if err != nil {
		return nil, err
	}
	p := &ledger.Proof{Receipt: *r}
	if disclose {
		var buf strings.Builder
		if err := s.WriteListFile(ctx, v, &buf, identities...); err != nil {
			return nil, err
		}
		p.Salt, p.Payload = salt, []byte(buf.String())
	}
	return p, nil
}

// Submit appends entries that parties signed themselves, as a client
// holding its own key sends them, in one transaction, and signs a
// checkpoint after them when the service holds the log's key. It returns
// each entry's index. An entry already in the log — the same party, seq and
// bytes — is not appended again: its index is returned, so a retried
// submission never makes a duplicate. An entry the log refuses (a bad
// signature, a broken chain, a date out of order) fails the whole batch.
func (s *Service) Submit(ctx context.Context, entries [][]byte) (idx []int64, err error) {
	err = s.store.Update(ctx, func(tx Tx) error {
		log, err := s.openLog(ctx, tx)
		if err != nil {
			return err
		}
		if idx, err = log.AppendBatch(entries); err != nil {
			if errors.Is(err, ledger.ErrRejected) {
				return &Error{Code: EInvalid, Message: fmt.Sprintf("entry %d of the batch: %s", len(idx)+1, strings.TrimPrefix(err.Error(), "ledger: ")), Err: err}
			}
			return err
		}
		return s.publishNow(log)
	})
	return idx, err
}

// Cosigner gets a checkpoint cosigned by the log's witnesses (C2SP
// tlog-witness), asking proofs of the log's consistency as it needs them.
// It returns the checkpoint with the cosignatures it got, and an error
// naming the witnesses that did not cosign.
type Cosigner interface {
	Cosign(ctx context.Context, checkpoint []byte, proofs Prover) ([]byte, error)
}

// Prover gives consistency proofs of the log. It is an alias of an
// interface literal, so that a cosigner written elsewhere (witness.Group)
// can name the same type without importing this package.
type Prover = interface {
	ConsistencyProof(older, newer int64) (tlog.TreeProof, error)
}

// UseWitnesses has checkpoints cosigned by the log's witnesses through c.
func (s *Service) UseWitnesses(c Cosigner) { s.cosigner = c }

// storeProver gives consistency proofs from the store, each in a read
// transaction of its own: the tree only grows, so a proof between two sizes
// never changes.
type storeProver struct {
	s   *Service
	ctx context.Context
}

func (p storeProver) ConsistencyProof(older, newer int64) (proof tlog.TreeProof, err error) {
	err = p.s.store.View(p.ctx, func(tx Tx) error {
		log, err := p.s.openLog(p.ctx, tx)
		if err != nil {
			return err
		}
		proof, err = log.ConsistencyProof(older, newer)
		return err
	})
	return proof, err
}

// Cosign has the latest checkpoint cosigned by the witnesses and keeps the
// cosignatures they give. Receipts wait for the cosignatures the log's
// policy requires (every registered witness, unless a quorum is set). An
// error names the witnesses that did not cosign; those that did are kept.
func (s *Service) Cosign(ctx context.Context) error {
	if s.cosigner == nil {
		return nil
	}
	var cp []byte
	err := s.store.View(ctx, func(tx Tx) (err error) {
		cp, err = tx.LogState(ctx).LatestCheckpoint()
		return err
	})
	if err != nil || cp == nil {
		return err
	}
	cosigned, cerr := s.cosigner.Cosign(ctx, cp, storeProver{s, ctx})
	if cosigned != nil && !bytes.Equal(cosigned, cp) {
		err = s.store.Update(ctx, func(tx Tx) error {
			log, err := s.openLog(ctx, tx)
			if err != nil {
				return err
			}
			return log.AddCosignatures(cosigned)
		})
		if err != nil {
			return err
		}
	}
	if cerr != nil {
		return &Error{Code: EInternal, Message: "the witnesses did not all cosign the checkpoint: " + cerr.Error(), Err: cerr,
			Hint: "receipts wait for their cosignatures; publish again when the witnesses are reachable"}
	}
	return nil
}

// PublishAndCosign signs a checkpoint if the log grew since the last one,
// and has it cosigned.
func (s *Service) PublishAndCosign(ctx context.Context) error {
	if _, err := s.Publish(ctx); err != nil {
		return err
	}
	return s.Cosign(ctx)
}

// RunPublisher publishes and cosigns a checkpoint every interval while the
// log grows, until ctx is done: the mediator's server runs it, so that
// submissions are batched into checkpoints rather than each signing its own.
// Errors go to report, which may be nil.
func (s *Service) RunPublisher(ctx context.Context, interval time.Duration, report func(error)) {
	s.publisher.Store(true)
	defer s.publisher.Store(false)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := s.PublishAndCosign(ctx); err != nil && report != nil && ctx.Err() == nil {
				report(err)
			}
		}
	}
}

// WaitReceipt returns the receipt of entry i as soon as a checkpoint with
// the cosignatures the policy requires holds it, or ctx's error.
func (s *Service) WaitReceipt(ctx context.Context, i int64, poll time.Duration) (*ledger.Receipt, error) {
	for {
		r, err := s.Receipt(ctx, i)
		if err == nil {
			return r, nil
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("no receipt for entry %d yet: %w (last: %v)", i, ctx.Err(), err)
		case <-time.After(poll):
		}
	}
}

// SetWitnessURL records where the witness with the given id is asked to
// cosign.
func (s *Service) SetWitnessURL(ctx context.Context, id, url string) error {
	return s.store.Update(ctx, func(tx Tx) error { return tx.SetWitnessURL(ctx, id, url) })
}

// Witnesses returns the registered witnesses' keys with their addresses.
func (s *Service) Witnesses(ctx context.Context) (vkeys []string, urls map[string]string, err error) {
	err = s.store.View(ctx, func(tx Tx) error {
		keys, err := tx.LogKeys(ctx)
		if err != nil {
			return err
		}
		vkeys = keys.Witnesses
		urls, err = tx.WitnessURLs(ctx)
		return err
	})
	return vkeys, urls, err
}

// WitnessID returns the id in a witness key's name: UA in tally-witness-UA.
func WitnessID(vkey string) string { return keyID(vkey) }
