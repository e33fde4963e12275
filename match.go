package tally

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// PairDecision is a person's answer to a pair that matching proposed
// between two list versions: the same person on both (accepted) or not
// (rejected). Decisions are only ever added; the latest one on a pair is
// the one in force, and the earlier ones stay as the record of who changed
// their mind, and when.
type PairDecision struct {
	LeftVersion, RightVersion int64  // the list versions matched (ListVersion.ID)
	Left, Right               string // the rows' refs
	Accepted                  bool
	Score                     float64 // the model's score when the person decided
	By                        string  // who decided, as they sign
	Party                     string  // on whose behalf: a party's or the mediator's code
	At                        time.Time
	Note                      string
}

// Verdict says what the decision was, in the users' words.
func (d PairDecision) Verdict() string {
	if d.Accepted {
		return "accepted"
	}
	return "rejected"
}

// DecidePair records a person's decision on a proposed pair, after checking
// that both rows exist in their list versions and that the person named
// who they are.
func (s *Service) DecidePair(ctx context.Context, d PairDecision) error {
	d.By = strings.TrimSpace(d.By)
	if d.By == "" {
		return &Error{Code: EInvalid, Key: "--by", Message: "a decision needs the name of the person taking it", Hint: "give --by \"name\""}
	}
	d.At = s.now().UTC()
	return s.store.Update(ctx, func(tx Tx) error {
		for _, side := range []struct {
			version int64
			ref     string
		}{{d.LeftVersion, d.Left}, {d.RightVersion, d.Right}} {
			if _, err := tx.Row(ctx, side.version, side.ref); err != nil {
				return err
			}
		}
		return tx.AddPairDecision(ctx, d)
	})
}

// PairDecisions returns the decisions in force between two list versions,
// keyed by "left\x00right", and every decision in order of time.
func (s *Service) PairDecisions(ctx context.Context, left, right int64) (latest map[string]PairDecision, all []PairDecision, err error) {
	err = s.store.View(ctx, func(tx Tx) error {
		all, err = tx.PairDecisions(ctx, left, right)
		return err
	})
	latest = map[string]PairDecision{}
	for _, d := range all {
		latest[d.Left+"\x00"+d.Right] = d
	}
	return latest, all, err
}

// Row returns the stored row with the given ref of a list version.
func (s *Service) Row(ctx context.Context, version int64, ref string) (r StoredRow, err error) {
	err = s.store.View(ctx, func(tx Tx) error {
		r, err = tx.Row(ctx, version, ref)
		return err
	})
	return r, err
}

func noRow(version int64, ref string) error {
	return &Error{Code: ENotFound, Message: fmt.Sprintf("list version %d has no row with ref %q", version, ref),
		Hint: "check the ref against tally list show LIST --rows"}
}

// NoRowError is the error a Tx returns when a list version has no row with
// the given ref.
func NoRowError(version int64, ref string) error { return noRow(version, ref) }
