package tally

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"

	"tally/ledger"
)

// Replayed processes. Every read of a list asks which versions were put to
// review, and every read of the review or the report needs the process:
// both come from replaying the agreement's steps, whose list-submitted
// steps name every row of every list submitted. Replayed on every request
// that is the server's whole cost, so the service keeps the processes it
// replays and shares them between requests, read only.
//
// A kept process is used only when the store, in the transaction of the
// request, says the steps it would replay are those the process was built
// from: as many, and the same last entry (Tx.StepsMark). Steps are only
// ever appended, each in a new log entry at the log's end, so the steps up
// to an entry never change once that entry is committed: a count and a
// last entry that match name the same steps. A step recorded by this
// process, by another server or by the command line changes the mark, and
// the next request replays again. Nothing is trusted that the store did
// not confirm in the same transaction: authorization never rests on a
// stale answer.

// keptPerAgreement is how many replayed processes are kept per agreement:
// the latest, and the one the latest checkpoint holds while they differ.
const keptPerAgreement = 2

// replayCache keeps replayed processes by agreement, newest first.
type replayCache struct {
	mu sync.Mutex
	m  map[string][]*replayedProcess
}

// replayedProcess is an agreement's process with count steps applied, the
// last of entry last. ready is closed once p (or err) is set.
type replayedProcess struct {
	count, last int64
	ready       chan struct{}
	p           Reviewing
	err         error
}

// replayed returns the agreement's process with the steps of entries below
// upTo applied (all of them when upTo is negative), shared and read only:
// the caller must never apply a step to it. It reads, in tx, where the
// steps stand, and replays them in tx unless a process built from the same
// steps is kept. Requests that miss at once wait for one replay.
func (s *Service) replayed(ctx context.Context, tx Tx, a *Agreement, upTo int64) (Reviewing, error) {
	count, last, err := tx.StepsMark(ctx, a.ID, upTo)
	if err != nil {
		return nil, err
	}
	for {
		c := &s.replays
		c.mu.Lock()
		var hit *replayedProcess
		for _, r := range c.m[a.ID] {
			if r.count == count && r.last == last {
				hit = r
				break
			}
		}
		if hit == nil {
			hit = &replayedProcess{count: count, last: last, ready: make(chan struct{})}
			if c.m == nil {
				c.m = map[string][]*replayedProcess{}
			}
			kept := append([]*replayedProcess{hit}, c.m[a.ID]...)
			c.m[a.ID] = kept[:min(len(kept), keptPerAgreement)]
			c.mu.Unlock()
			hit.p, hit.err = s.replayMark(ctx, tx, a, count, last)
			if hit.err != nil {
				c.forget(a.ID, hit)
			}
			close(hit.ready)
			return hit.p, hit.err
		}
		c.mu.Unlock()
		select {
		case <-hit.ready:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		if hit.err == nil {
			return hit.p, nil
		}
		// The replay failed, perhaps only because its request was
		// cancelled; it was forgotten, so try again.
		if err := ctx.Err(); err != nil {
			return nil, err
		}
	}
}

// replayMark replays, in tx, the steps up to entry last, which the store
// said are count steps, into a new process, and freezes it.
func (s *Service) replayMark(ctx context.Context, tx Tx, a *Agreement, count, last int64) (Reviewing, error) {
	p := s.newProcess(a)
	n := &countingProcess{Process: p}
	// Up to last, not to the caller's upTo: a transaction that sees each
	// statement's own snapshot (PostgreSQL's read committed) may see steps
	// recorded since the mark was read; those must not be in the process
	// kept for the mark.
	if err := replay(ctx, tx, a.ID, n, last+1); err != nil {
		return nil, err
	}
	if n.n != count {
		return nil, Errorf(EInternal, "the store said agreement %s has %d steps up to entry %d, but %d were read", a.ID, count, last, n.n)
	}
	if f, ok := p.(interface{ Freeze() }); ok {
		f.Freeze()
	}
	return p, nil
}

// countingProcess counts the steps applied to a process.
type countingProcess struct {
	Process
	n int64
}

func (c *countingProcess) Apply(entry int64, kind, by string, payload []byte) error {
	c.n++
	return c.Process.Apply(entry, kind, by, payload)
}

// forget drops r from the processes kept for an agreement.
func (c *replayCache) forget(agreementID string, r *replayedProcess) {
	c.mu.Lock()
	defer c.mu.Unlock()
	kept := c.m[agreementID]
	for i, x := range kept {
		if x == r {
			c.m[agreementID] = append(kept[:i:i], kept[i+1:]...)
			return
		}
	}
}

// ProcessFor returns an agreement's process as ReplayFor would replay it
// for actor — all the steps for ActionReadProcess, those the latest
// checkpoint holds for ActionReadReport, with that checkpoint — but shared
// with other requests: the caller only reads it (package exchange's
// process refuses any step once shared). It needs UseProcess.
func (s *Service) ProcessFor(ctx context.Context, actor Actor, action Action, agreementID string) (p Reviewing, checkpoint *ledger.Checkpoint, err error) {
	if action != ActionReadProcess && action != ActionReadReport {
		return nil, nil, Errorf(EInternal, "replaying steps is not how to %s", action)
	}
	if s.newProcess == nil {
		return nil, nil, Errorf(EInternal, "the service has no exchange process to replay (see UseProcess)")
	}
	err = s.store.View(ctx, func(tx Tx) error {
		a, _, err := tx.Agreement(ctx, agreementID)
		if err != nil {
			return err
		}
		if err := Authorize(actor, action, Resource{Agreement: &a}); err != nil {
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
			if checkpoint, err = s.openCheckpoint(b, keys); err != nil {
				return err
			}
			if action == ActionReadReport {
				upTo = checkpoint.Size
			}
		}
		p, err = s.replayed(ctx, tx, &a, upTo)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	return p, checkpoint, nil
}

// WarmUp replays now the processes the first requests would otherwise
// replay — every agreement's, with all its steps and with those the latest
// checkpoint holds — so that no request pays for a cold replay (seconds on
// a store whose steps name a hundred thousand persons). A server calls it
// before it takes requests. Requests that come while a replay is under
// way wait for it rather than replaying again (see replayed). An
// agreement whose steps no longer replay is reported in the error; the
// others are warmed all the same.
func (s *Service) WarmUp(ctx context.Context) error {
	if s.newProcess == nil {
		return nil
	}
	as, err := s.Agreements(ctx)
	if err != nil {
		return err
	}
	var errs []error
	for i := range as {
		err := s.store.View(ctx, func(tx Tx) error {
			a, _, err := tx.Agreement(ctx, as[i].ID)
			if err != nil {
				return err
			}
			if _, err := s.replayed(ctx, tx, &a, -1); err != nil {
				return err
			}
			keys, err := tx.LogKeys(ctx)
			switch {
			case ErrorCodeOf(err) == ENotFound:
				return nil
			case err != nil:
				return err
			}
			b, err := tx.LogState(ctx).LatestCheckpoint()
			if err != nil || b == nil {
				return err
			}
			cp, err := s.openCheckpoint(b, keys)
			if err != nil {
				return err
			}
			_, err = s.replayed(ctx, tx, &a, cp.Size)
			return err
		})
		if err != nil {
			errs = append(errs, fmt.Errorf("replaying the steps of agreement %s: %w", as[i].ID, err))
		}
	}
	return errors.Join(errs...)
}

// openedCheckpoint is a checkpoint opened, with the bytes and keys it was
// opened from.
type openedCheckpoint struct {
	mu   sync.Mutex
	note []byte
	keys ledger.Keys
	cp   *ledger.Checkpoint
}

// openCheckpoint is ledger.OpenCheckpoint, remembering the checkpoint it
// opened last: every read of the review or the report opens the log's
// latest checkpoint, the same until the next is published, and checking
// its signatures again each time cost more than the rest of such a read.
// The same bytes under the same keys open to the same checkpoint. The
// caller gets a copy of its own.
func (s *Service) openCheckpoint(b []byte, keys ledger.Keys) (*ledger.Checkpoint, error) {
	o := &s.opened
	o.mu.Lock()
	if o.cp != nil && bytes.Equal(o.note, b) && o.keys.Log == keys.Log && slices.Equal(o.keys.Witnesses, keys.Witnesses) &&
		maps.Equal(o.keys.Parties, keys.Parties) {
		cp := *o.cp
		o.mu.Unlock()
		cp.Cosigners = slices.Clone(cp.Cosigners)
		return &cp, nil
	}
	o.mu.Unlock()
	cp, err := ledger.OpenCheckpoint(b, keys)
	if err != nil {
		return nil, err
	}
	kept := *cp
	kept.Cosigners = slices.Clone(cp.Cosigners)
	o.mu.Lock()
	o.note, o.cp = bytes.Clone(b), &kept
	o.keys = ledger.Keys{Log: keys.Log, Parties: maps.Clone(keys.Parties), Witnesses: slices.Clone(keys.Witnesses)}
	o.mu.Unlock()
	return cp, nil
}
