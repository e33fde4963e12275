package sqlite_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"tally"
)

// Writers of one process queue in the store instead of polling SQLite's
// lock: many at once all commit, readers go on meanwhile, and one whose
// context ends while it waits gives up without writing.
func TestWritersQueue(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	const n = 64
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			errs[i] = s.Update(ctx, func(tx tally.Tx) error {
				o := tally.Organization{Kind: tally.OrgObserver, Code: fmt.Sprintf("O%02d", i), Name: "Observer"}
				return tx.AddOrganization(ctx, &o)
			})
		})
		wg.Go(func() {
			if err := s.View(ctx, func(tx tally.Tx) error { _, err := tx.Agreements(ctx); return err }); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("writer %d: %v", i, err)
		}
	}

	// One writer holds the turn; another's context ends while it waits.
	hold, release := make(chan struct{}), make(chan struct{})
	go s.Update(ctx, func(tx tally.Tx) error { close(hold); <-release; return nil })
	<-hold
	wctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	err := s.Update(wctx, func(tx tally.Tx) error {
		o := tally.Organization{Kind: tally.OrgObserver, Code: "LATE", Name: "Observer"}
		return tx.AddOrganization(ctx, &o)
	})
	close(release)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("a writer whose context ended while waiting: %v", err)
	}
	if err := s.View(ctx, func(tx tally.Tx) error { _, err := tx.Organization(ctx, "LATE"); return err }); tally.ErrorCodeOf(err) != tally.ENotFound {
		t.Fatalf("the late writer wrote: %v", err)
	}
}
