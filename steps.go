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
// mediator taking it, its payload as the process encodes it, and the key
// of the one taking it.
type StepInput struct {
	Kind    string
	By      string
	Payload []byte
	Signer  note.Signer
}

// RecordStep takes a step of the exchange process for by (a party's or
// the mediator's code), signed with by's key: it replays the agreement's
// steps into p, checks the new step against them, and stores it with its
// entry in the shared record, in one transaction. It returns the entry's
// index. Every step is an entry: without a log, no step can be taken.
func (s *Service) RecordStep(ctx context.Context, agreementID, kind, by string, payload []byte, signer note.Signer, p Process) (int64, error) {
	entries, err := s.RecordSteps(ctx, agreementID, []StepInput{{kind, by, payload, signer}}, p)
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
			c, err := newCommitment()
			if err != nil {
				return err
			}
			c.Write(st.Payload)
			entry, err := s.record(ctx, tx, st.Kind, st.By, st.Signer, c.hash())
			if err != nil {
				return stepError(i, len(steps), err)
			}
			if err := p.Apply(entry, st.Kind, st.By, st.Payload); err != nil {
				return stepError(i, len(steps), err)
			}
			if err := tx.AddStep(ctx, Step{AgreementID: agreementID, Entry: entry, Kind: st.Kind, By: st.By,
				Payload: st.Payload, Salt: c.salt, At: s.now().UTC()}); err != nil {
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
