package tally

import (
	"context"
	"errors"
	"fmt"

	"golang.org/x/mod/sumdb/note"

	"tally/ledger"
)

// Process is the state of an agreement's exchange process — list reviews,
// the commission's votes, rounds, handovers and acknowledgements, remains,
// children's cases — fed one step at a time. Package exchange implements
// it; the service only replays the stored steps into it and records new
// ones, so the rules of the process live in one place.
type Process interface {
	// Apply checks a step — the log entry recording it, its kind, the
	// code of the party or mediator taking it, and its payload — against
	// the steps applied so far and, if it may be taken now, applies it.
	// Otherwise it returns why not and changes nothing.
	Apply(entry int64, kind, by string, payload []byte) error
}

// StepInput is a step to record: its kind, the code of the party or
// mediator taking it, its payload as the process encodes it, and either
// the key of the one taking it (Signer: the service signs, as the command
// line holding the key does) or, when the party signed away from the
// service (a browser, the command line against a server), the salt the
// entry commits to the payload with and the signed entry (see
// PrepareSteps).
type StepInput struct {
	Kind    string
	By      string
	Payload []byte
	Signer  note.Signer

	Salt  []byte
	Entry []byte
}

// PreparedSteps are steps made ready to be signed away from the service,
// by the party taking them, whose key the service does not hold. Each
// step's entry commits to its payload with its salt (ledger.Commit); Entry
// is the unsigned text of the first step's entry. The party checks that
// the entry names it, the step's kind and the commitment of the payload it
// means to sign; signs it; makes each following entry with ledger.Entry's
// Next and signs it; and sends the steps back with their signed entries
// (StepInput's Salt and Entry) to RecordSteps.
type PreparedSteps struct {
	Steps []PreparedStep
	Entry []byte
}

// PreparedStep is one step of PreparedSteps.
type PreparedStep struct {
	Kind       string
	By         string
	Payload    []byte
	Salt       []byte
	Commitment ledger.Hash
}

// PrepareSteps checks steps as RecordSteps would — the agreement, the
// shared record, each step against the process as it stands — and, if
// they may be taken, returns them ready to be signed by the party taking
// them. Nothing is stored: the party sends them back signed to
// RecordSteps, which checks everything again. All the steps must be taken
// by one party or the mediator, whose entries chain one after the other.
func (s *Service) PrepareSteps(ctx context.Context, agreementID string, steps []StepInput, p Process) (out PreparedSteps, err error) {
	if len(steps) == 0 {
		return out, Errorf(EInvalid, "there is no step to prepare")
	}
	for _, st := range steps[1:] {
		if st.By != steps[0].By {
			return out, Errorf(EInvalid, "steps prepared together are taken by one side: %s, not also %s", steps[0].By, st.By)
		}
	}
	err = s.store.View(ctx, func(tx Tx) error {
		if _, _, err := tx.Agreement(ctx, agreementID); err != nil {
			return err
		}
		keys, err := tx.LogKeys(ctx)
		if ErrorCodeOf(err) == ENotFound {
			return &Error{Code: EInvalid, Message: "every step of an exchange is recorded in the shared record, and this store keeps none yet",
				Hint: "the mediator sets it up with tally log init"}
		}
		if err != nil {
			return err
		}
		if _, ok := keys.Parties[steps[0].By]; !ok {
			return &Error{Code: EInvalid, Message: fmt.Sprintf("%s has no key registered in the shared record, so it cannot sign a step", steps[0].By),
				Hint: "the mediator registers each side's public key with tally log init"}
		}
		if err := replay(ctx, tx, agreementID, p, -1); err != nil {
			return err
		}
		log, err := ledger.OpenLog(ledger.Config{Keys: keys, Now: s.now}, tx.LogState(ctx))
		if err != nil {
			return err
		}
		size, err := log.Size()
		if err != nil {
			return err
		}
		out.Steps = out.Steps[:0]
		for i, st := range steps {
			// The entries are not yet in the log: the process is told the
			// indexes they would have if recorded now, and then forgotten.
			if err := p.Apply(size+int64(i), st.Kind, st.By, st.Payload); err != nil {
				return stepError(i, len(steps), err)
			}
			salt := ledger.NewSalt()
			out.Steps = append(out.Steps, PreparedStep{Kind: st.Kind, By: st.By, Payload: st.Payload, Salt: salt,
				Commitment: ledger.Commit(salt, st.Payload)})
		}
		e, err := log.NextEntry(steps[0].Kind, steps[0].By, out.Steps[0].Commitment, s.now())
		if err != nil {
			return err
		}
		out.Entry, err = e.Text()
		return err
	})
	return out, err
}

// RecordStep takes a step of the exchange process for by (a party's or
// the mediator's code), signed with by's key: it replays the agreement's
// steps into p, checks the new step against them, and stores it with its
// entry in the shared record, in one transaction. It returns the entry's
// index. Every step is an entry: without a log, no step can be taken.
func (s *Service) RecordStep(ctx context.Context, agreementID, kind, by string, payload []byte, signer note.Signer, p Process) (int64, error) {
	entries, err := s.RecordSteps(ctx, agreementID, []StepInput{{Kind: kind, By: by, Payload: payload, Signer: signer}}, p)
	if err != nil {
		return -1, err
	}
	return entries[0], nil
}

// RecordSteps records several steps, in order, in one transaction: all of
// them, or, if one may not be taken, none. A clerk at the exchange point
// records a round's handovers this way, a batch at a time.
func (s *Service) RecordSteps(ctx context.Context, agreementID string, steps []StepInput, p Process) (entries []int64, err error) {
	err = s.store.Update(ctx, func(tx Tx) error {
		entries = entries[:0]
		if _, _, err := tx.Agreement(ctx, agreementID); err != nil {
			return err
		}
		if _, err := tx.LogKeys(ctx); ErrorCodeOf(err) == ENotFound {
			return &Error{Code: EInvalid, Message: "every step of an exchange is recorded in the shared record, and this store keeps none yet",
				Hint: "the mediator sets it up with tally log init"}
		}
		if err := replay(ctx, tx, agreementID, p, -1); err != nil {
			return err
		}
		for i, st := range steps {
			var entry int64
			salt := st.Salt
			if st.Entry != nil {
				var again bool
				entry, again, err = s.appendSigned(ctx, tx, st.Kind, st.By, ledger.Commit(st.Salt, st.Payload), st.Entry)
				if err == nil && again {
					// Recorded before, with this very payload (the entry
					// commits to it), and replayed into p above.
					entries = append(entries, entry)
					continue
				}
			} else {
				var c *commitment
				if c, err = newCommitment(); err != nil {
					return err
				}
				c.Write(st.Payload)
				salt = c.salt
				entry, err = s.record(ctx, tx, st.Kind, st.By, st.Signer, c.hash())
			}
			if err != nil {
				return stepError(i, len(steps), err)
			}
			if err := p.Apply(entry, st.Kind, st.By, st.Payload); err != nil {
				return stepError(i, len(steps), err)
			}
			if err := tx.AddStep(ctx, Step{AgreementID: agreementID, Entry: entry, Kind: st.Kind, By: st.By,
				Payload: st.Payload, Salt: salt, At: s.now().UTC()}); err != nil {
				return err
			}
			entries = append(entries, entry)
		}
		return nil
	})
	return entries, err
}

// stepError says which step of a batch failed, when there are several.
func stepError(i, n int, err error) error {
	if n == 1 {
		return err
	}
	var e *Error
	if errors.As(err, &e) {
		c := *e
		c.Message = fmt.Sprintf("step %d of %d: %s", i+1, n, e.Message)
		return &c
	}
	return fmt.Errorf("step %d of %d: %w", i+1, n, err)
}

// replay applies an agreement's stored steps to p, those of entries below
// upTo only when upTo is not negative.
func replay(ctx context.Context, tx Tx, agreementID string, p Process, upTo int64) error {
	errStop := errors.New("stop")
	err := tx.Steps(ctx, agreementID, func(st Step) error {
		if upTo >= 0 && st.Entry >= upTo {
			return errStop
		}
		if err := p.Apply(st.Entry, st.Kind, st.By, st.Payload); err != nil {
			return &Error{Code: EInternal, Message: fmt.Sprintf("the stored step of entry %d (%s by %s) no longer applies: %v", st.Entry, st.Kind, st.By, err), Err: err}
		}
		return nil
	})
	if errors.Is(err, errStop) {
		return nil
	}
	return err
}

// ReplaySteps applies the agreement's stored steps to p: all of them, or,
// with atCheckpoint, only those the latest checkpoint holds, so that what p
// computes (the public report) is tied to a checkpoint anyone can check. It
// returns that checkpoint (nil when the store keeps no log).
func (s *Service) ReplaySteps(ctx context.Context, agreementID string, p Process, atCheckpoint bool) (checkpoint *ledger.Checkpoint, err error) {
	err = s.store.View(ctx, func(tx Tx) error {
		if _, _, err := tx.Agreement(ctx, agreementID); err != nil {
			return err
		}
		upTo := int64(-1)
		keys, err := tx.LogKeys(ctx)
		switch {
		case ErrorCodeOf(err) == ENotFound:
		case err != nil:
			return err
		default:
			b, err := tx.LogState(ctx).LatestCheckpoint()
			if err != nil {
				return err
			}
			if checkpoint, err = ledger.OpenCheckpoint(b, keys); err != nil {
				return err
			}
			if atCheckpoint {
				upTo = checkpoint.Size
			}
		}
		return replay(ctx, tx, agreementID, p, upTo)
	})
	return checkpoint, err
}
