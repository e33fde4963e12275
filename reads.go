package tally

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"tally/ledger"
)

// More reads on behalf of an actor, as access.go's: the shared record a
// page of entries at a time and the receipt of one entry; the original
// file of a list version; and the decisions taken on the pairs between
// two list versions. The last two are personal data: audited, and
// returned only once the record is committed.

// MaxEntriesPerRead is the most log entries one LogEntriesFor returns.
const MaxEntriesPerRead = 1000

// LogEntry is one entry of the shared record: its index, its encoding (a
// signed note, as the log stores it) and what it says. An entry holds no
// personal data, only a commitment to what was submitted.
type LogEntry struct {
	Index   int64
	Encoded []byte
	Entry   *ledger.Entry
}

// LogEntriesFor returns up to n entries of the log (at most
// MaxEntriesPerRead) from index start, and the log's size, if actor may
// read the log.
func (s *Service) LogEntriesFor(ctx context.Context, actor Actor, start, n int64) (size int64, es []LogEntry, err error) {
	if err := Authorize(actor, ActionReadLog, Resource{}); err != nil {
		return 0, nil, err
	}
	if start < 0 {
		return 0, nil, &Error{Code: EInvalid, Key: "start", Message: "start is an entry's index: a number from 0"}
	}
	if n <= 0 || n > MaxEntriesPerRead {
		n = MaxEntriesPerRead
	}
	err = s.store.View(ctx, func(tx Tx) error {
		log, err := s.openLog(ctx, tx)
		if err != nil {
			return err
		}
		if size, err = log.Size(); err != nil {
			return err
		}
		if start >= size {
			return nil
		}
		bs, err := log.ReadEntries(start, min(n, size-start))
		if err != nil {
			return err
		}
		for i, b := range bs {
			e, err := ledger.DecodeEntry(b)
			if err != nil {
				return fmt.Errorf("log entry %d: %w", start+int64(i), err)
			}
			es = append(es, LogEntry{Index: start + int64(i), Encoded: b, Entry: e})
		}
		return nil
	})
	return size, es, err
}

// ReceiptFor returns the receipt of log entry i — the entry, its inclusion
// proof and the cosigned checkpoint that holds it — if actor may read the
// log. An entry no checkpoint holds yet is ENotFound; one whose
// checkpoints the witnesses have not all cosigned yet is EConflict.
func (s *Service) ReceiptFor(ctx context.Context, actor Actor, i int64) (r *ledger.Receipt, err error) {
	if err := Authorize(actor, ActionReadLog, Resource{}); err != nil {
		return nil, err
	}
	if i < 0 {
		return nil, &Error{Code: EInvalid, Key: "i", Message: "an entry's index is a number from 0"}
	}
	err = s.store.View(ctx, func(tx Tx) error {
		keys, err := tx.LogKeys(ctx)
		if err != nil {
			return err
		}
		log, err := ledger.OpenLog(ledger.Config{Keys: keys, Now: s.now}, tx.LogState(ctx))
		if err != nil {
			return err
		}
		size := int64(0)
		if b, err := tx.LogState(ctx).LatestCheckpoint(); err != nil {
			return err
		} else if b != nil {
			cp, err := ledger.OpenCheckpoint(b, keys)
			if err != nil {
				return err
			}
			size = cp.Size
		}
		if i >= size {
			return &Error{Code: ENotFound, Message: fmt.Sprintf("no signed checkpoint holds entry %d yet (the latest holds %d entries)", i, size),
				Hint: "an entry just made is in the next checkpoint, within seconds; ask again then"}
		}
		r, err = log.Receipt(i)
		var e *Error
		if err != nil && !errors.As(err, &e) {
			return &Error{Code: EConflict, Message: fmt.Sprintf("no receipt can be given for entry %d yet: %s", i, strings.TrimPrefix(err.Error(), "ledger: ")),
				Hint: "a receipt needs a checkpoint every witness cosigned: ask again once they have", Err: err}
		}
		return err
	})
	return r, err
}

// OriginalFor authorizes actor to read the original file of version n of
// a list — the rows of its list, as submitted (ActionReadRows) — and
// records the read. It returns the version (its SHA256 and Size are the
// file's) and a function that writes the file, byte for byte, to w: the
// record is committed before a byte is written. A file kept encrypted to
// the parties is EConflict: the server holds no party's age key.
func (s *Service) OriginalFor(ctx context.Context, actor Actor, agreementID, listID string, n int) (ListVersion, func(w io.Writer) error, error) {
	var v ListVersion
	err := s.store.View(ctx, func(tx Tx) error {
		var err error
		if v, err = s.listVersionFor(ctx, tx, actor, ActionReadRows, agreementID, listID, n); err != nil {
			return err
		}
		p, err := tx.Payload(ctx, v.ID)
		switch {
		case err != nil:
			return err
		case !p.ErasedAt.IsZero():
			return &Error{Code: ENotFound, Message: fmt.Sprintf("the file of %s was erased on %s by %s (%s)", v.Ref(), p.ErasedAt.Format("2006-01-02"), p.ErasedBy, p.Reason),
				Hint: "its entry in the shared record and its report remain"}
		case p.Encrypted:
			return &Error{Code: EConflict, Message: fmt.Sprintf("the file of %s is kept encrypted to the parties, and the server holds no party's key: it cannot decrypt it", v.Ref()),
				Hint: fmt.Sprintf("on a machine with your party's age key: tally list show %s --original --identity tally-party-CODE.agekey", v.Ref())}
		}
		return nil
	})
	if err == nil {
		err = s.audited(ctx, actor, ActionReadRows, agreementID, v.Ref(), fmt.Sprintf("original file, %d bytes", v.Size))
	}
	if err != nil {
		return ListVersion{}, nil, err
	}
	return v, func(w io.Writer) error { return s.WriteListFile(ctx, v, w) }, nil
}

// PairDecisionsFor returns every decision taken on the pairs between two
// list versions (refs such as ua-request@2), oldest first, if actor may
// read both versions; the read is audited on both.
func (s *Service) PairDecisionsFor(ctx context.Context, actor Actor, agreementID, leftRef, rightRef string) (left, right ListVersion, ds []PairDecision, err error) {
	var refs [2]struct {
		list string
		n    int
	}
	for i, ref := range []string{leftRef, rightRef} {
		key := [2]string{"left", "right"}[i]
		list, n, err := ParseVersionRef(ref)
		var e *Error
		if errors.As(err, &e) {
			c := *e
			c.Key = key
			return ListVersion{}, ListVersion{}, nil, &c
		}
		if n == 0 {
			return ListVersion{}, ListVersion{}, nil, &Error{Code: EInvalid, Key: key, Message: fmt.Sprintf("%q names no version", ref),
				Hint: "write the list and its version, such as ua-request@2"}
		}
		refs[i].list, refs[i].n = list, n
	}
	err = s.store.View(ctx, func(tx Tx) error {
		var err error
		if left, err = s.listVersionFor(ctx, tx, actor, ActionReadList, agreementID, refs[0].list, refs[0].n); err != nil {
			return err
		}
		if right, err = s.listVersionFor(ctx, tx, actor, ActionReadList, agreementID, refs[1].list, refs[1].n); err != nil {
			return err
		}
		ds, err = tx.PairDecisions(ctx, left.ID, right.ID)
		return err
	})
	if err == nil {
		detail := fmt.Sprintf("%d pair decisions with ", len(ds))
		if err = s.audited(ctx, actor, ActionReadList, agreementID, left.Ref(), detail+right.Ref()); err == nil {
			err = s.audited(ctx, actor, ActionReadList, agreementID, right.Ref(), detail+left.Ref())
		}
	}
	if err != nil {
		return ListVersion{}, ListVersion{}, nil, err
	}
	return left, right, ds, nil
}
