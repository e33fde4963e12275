package tally

import (
	"context"
	"sync"
)

// Audited reads. A read of personal data is returned only once its audit
// record is committed, so that there is no read without its record. The
// read itself runs in a read-only transaction, beside other readers; the
// records of reads made at the same time are then written together, in
// one read-write transaction (a group commit): on an engine with one
// writer (SQLite) readers no longer queue one by one behind it, each
// holding the write lock while it reads.

// auditQueue gathers the audit records waiting to be written. The first
// request to find no writer under way writes every record waiting (its own
// among them) in one transaction, and returns; records that came meanwhile
// are written by a goroutine, batch after batch, until none is left. The
// others wait for their batch. No read is returned before its record is
// committed: the goroutine only spares the first request from writing
// other requests' records for as long as they keep coming, which under
// steady load would be for ever.
type auditQueue struct {
	mu      sync.Mutex
	pending []*pendingAudit
	writers int // batches being written
}

// auditWriters is how many batches may be written at once. One would do
// if writing a batch took only its commit; but under load a batch's few
// round trips wait their turn for the processor, and a request that
// arrives just after a batch began would wait for all of it and then its
// own. With a few under way, a record waits for about one batch.
const auditWriters = 4

type pendingAudit struct {
	r    AuditRecord
	done chan error
}

// audited appends the record of what actor read and returns once it is
// committed, or with the error that kept it from being: the caller then
// returns the error, not what was read.
func (s *Service) audited(ctx context.Context, actor Actor, action Action, agreementID, resource, detail string) error {
	p := &pendingAudit{done: make(chan error, 1), r: AuditRecord{At: s.now().UTC(), UserID: actor.User.ID, Login: actor.User.Login,
		Org: actor.Org().Code, Via: actor.Via, Action: action, AgreementID: agreementID, Resource: resource, Detail: detail}}
	q := &s.audits
	q.mu.Lock()
	q.pending = append(q.pending, p)
	if q.writers >= auditWriters {
		q.mu.Unlock()
		select {
		case err := <-p.done:
			return err
		case <-ctx.Done():
			// The record may still be written; the read is not returned.
			return ctx.Err()
		}
	}
	q.writers++
	q.mu.Unlock()
	// The batch holds other requests' records: it is not abandoned when
	// this request is.
	s.drainAudits(context.WithoutCancel(ctx), true)
	return <-p.done
}

// drainAudits writes the records waiting, batch after batch, until none
// is left; with once, it writes one batch and leaves the rest to a
// goroutine.
func (s *Service) drainAudits(ctx context.Context, once bool) {
	q := &s.audits
	for {
		q.mu.Lock()
		batch := q.pending
		q.pending = nil
		if len(batch) == 0 {
			q.writers--
			q.mu.Unlock()
			return
		}
		q.mu.Unlock()
		err := s.writeAudits(ctx, batch)
		for _, b := range batch {
			if err != nil && len(batch) > 1 {
				// One record the store refuses must not fail the
				// others' reads: write each on its own.
				b.done <- s.writeAudits(ctx, []*pendingAudit{b})
				continue
			}
			b.done <- err
		}
		if once {
			go s.drainAudits(ctx, false)
			return
		}
	}
}

func (s *Service) writeAudits(ctx context.Context, batch []*pendingAudit) error {
	rs := make([]AuditRecord, len(batch))
	for i, b := range batch {
		rs[i] = b.r
	}
	return s.store.Update(ctx, func(tx Tx) error { return tx.AddAudit(ctx, rs...) })
}
