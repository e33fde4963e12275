package ledger

import (
	"bytes"
	"errors"
	"fmt"
	"runtime"
	"sort"
	"sync"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// ErrRejected is wrapped by every error of Log.Append that refuses an
// entry for what it says or how it is signed, as opposed to a failure of storage.
var ErrRejected = errors.New("entry rejected")

// HashStore keeps the log's stored hashes (tlog's numbering: see
// tlog.StoredHashIndex). The log only ever appends.
type HashStore interface {
	tlog.HashReader
	// WriteHashes stores hashes at indexes start, start+1, ...; start is
	// the number of hashes stored so far.
	WriteHashes(start int64, hashes []Hash) error
}

// MemHashes is a HashStore in memory.
type MemHashes []Hash

// ReadHashes implements tlog.HashReader.
func (m *MemHashes) ReadHashes(indexes []int64) ([]Hash, error) {
	out := make([]Hash, len(indexes))
	for i, x := range indexes {
		if x < 0 || x >= int64(len(*m)) {
			return nil, fmt.Errorf("ledger: stored hash %d not yet written (have %d)", x, len(*m))
		}
		out[i] = (*m)[x]
	}
	return out, nil
}

// WriteHashes implements HashStore.
func (m *MemHashes) WriteHashes(start int64, hashes []Hash) error {
	if start != int64(len(*m)) {
		return fmt.Errorf("ledger: writing stored hashes at %d, but %d are stored", start, len(*m))
	}
	*m = append(*m, hashes...)
	return nil
}

// Config sets up a Log.
type Config struct {
	Keys   Keys        // the registered keys: the log's, the parties', the witnesses'
	Signer note.Signer // the log's (mediator's) private key, matching Keys.Log; nil for a Log that only appends
	Quorum int         // witnesses that must cosign before receipts are given; 0 means all of Keys.Witnesses

	Now     func() time.Time // nil: time.Now
	MaxSkew time.Duration    // how far ahead of Now an entry may be dated; 0 means 5 minutes
}

// Log is the log's state machine: it checks and appends entries, signs
// checkpoints and collects cosignatures, and gives receipts. Everything it
// has appended and signed is in its State, which it reads and writes at
// every call and which is the only state it has: a Log may be opened over
// a store's transaction (OpenLog), used for one operation and dropped.
// A Log is not safe for concurrent use.
type Log struct {
	cfg Config
	v   *verifiers
	st  State
}

// NewLog returns an empty log kept in memory (a new MemState), and signs
// its first checkpoint, of size 0, which the first entries cite. It needs
// the log's signer.
func NewLog(cfg Config) (*Log, error) {
	return OpenLog(cfg, NewMemState())
}

// OpenLog returns the log whose state is st. If st holds no checkpoint
// yet, the log is new: OpenLog signs and stores its first checkpoint, of
// size 0, which needs cfg.Signer. Without cfg.Signer the Log can append
// entries and give receipts but not publish checkpoints.
func OpenLog(cfg Config, st State) (*Log, error) {
	v, err := cfg.Keys.verifiers()
	if err != nil {
		return nil, err
	}
	if cfg.Signer != nil && (cfg.Signer.Name() != v.origin || cfg.Signer.KeyHash() != v.log.KeyHash()) {
		return nil, errors.New("ledger: the log's signer is not the registered log key")
	}
	if st == nil {
		return nil, errors.New("ledger: no state to open the log over")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.MaxSkew == 0 {
		cfg.MaxSkew = 5 * time.Minute
	}
	l := &Log{cfg: cfg, v: v, st: st}
	latest, err := st.LatestCheckpoint()
	if err != nil {
		return nil, fmt.Errorf("ledger: reading the latest checkpoint: %w", err)
	}
	if latest == nil {
		if cfg.Signer == nil {
			return nil, fmt.Errorf("ledger: the log %s is not initialised: it has no checkpoint (open it once with the log's key)", v.origin)
		}
		n, err := l.Size()
		if err != nil {
			return nil, err
		}
		if n != 0 {
			return nil, fmt.Errorf("ledger: the state holds %d entries but no checkpoint", n)
		}
		if _, err := l.Publish(); err != nil {
			return nil, err
		}
	}
	return l, nil
}

// State returns the state the log reads and writes.
func (l *Log) State() State { return l.st }

// Origin returns the log's origin, the name of its key.
func (l *Log) Origin() string { return l.v.origin }

// Keys returns the registered keys.
func (l *Log) Keys() Keys { return l.cfg.Keys }

// Size returns the number of entries.
func (l *Log) Size() (int64, error) {
	n, err := l.st.Size()
	if err != nil {
		return 0, fmt.Errorf("ledger: reading the log's size: %w", err)
	}
	return n, nil
}

// ReadHashes implements tlog.HashReader over the log's stored hashes.
func (l *Log) ReadHashes(indexes []int64) ([]Hash, error) {
	hs, err := l.st.ReadHashes(indexes)
	if err != nil {
		return nil, fmt.Errorf("ledger: reading stored hashes: %w", err)
	}
	if len(hs) != len(indexes) {
		return nil, fmt.Errorf("ledger: read %d stored hashes, not %d", len(hs), len(indexes))
	}
	return hs, nil
}

// Entry returns the encoding of entry i.
func (l *Log) Entry(i int64) ([]byte, error) {
	es, err := l.ReadEntries(i, 1)
	if err != nil {
		return nil, err
	}
	return es[0], nil
}

// ReadEntries returns entries start to start+n-1.
func (l *Log) ReadEntries(start, n int64) ([][]byte, error) {
	size, err := l.Size()
	if err != nil {
		return nil, err
	}
	if start < 0 || n < 0 || start+n > size {
		return nil, fmt.Errorf("ledger: entries %d+%d are beyond the log's %d", start, n, size)
	}
	es, err := l.st.Entries(start, n)
	if err != nil {
		return nil, fmt.Errorf("ledger: reading entries %d+%d: %w", start, n, err)
	}
	if int64(len(es)) != n {
		return nil, fmt.Errorf("ledger: read %d entries from %d, not %d", len(es), start, n)
	}
	return es, nil
}

// Party returns where party's chain stands: the seq and hash of its last
// entry (0 and zero before its first), what its next entry must carry as
// Seq-1 and Prev, and that entry's time, which the next may not precede.
func (l *Log) Party(code string) (PartyState, error) {
	p, err := l.st.Party(code)
	if err != nil {
		return PartyState{}, fmt.Errorf("ledger: reading party %s: %w", code, err)
	}
	return p, nil
}

// NextEntry returns party's next entry, of the given kind and commitment,
// ready to be signed with the party's key (Entry.Sign) and appended: it
// follows the party's last entry (Seq and Prev), cites the latest
// checkpoint, and is dated now, or the checkpoint's time or the party's
// last entry's time if now is before either.
func (l *Log) NextEntry(kind, party string, commitment Hash, now time.Time) (*Entry, error) {
	if l.v.parties[party] == nil {
		return nil, fmt.Errorf("ledger: party %s has no registered key", party)
	}
	p, err := l.Party(party)
	if err != nil {
		return nil, err
	}
	c, err := l.latest()
	if err != nil {
		return nil, err
	}
	t := NormalTime(now)
	if t.Before(c.Time) {
		t = c.Time
	}
	if t.Before(p.Time) {
		t = p.Time
	}
	e := &Entry{Kind: kind, Party: party, Seq: p.Seq + 1, Prev: p.Last, Commitment: commitment, Time: t, Checkpoint: c.Ref()}
	if err := e.check(); err != nil {
		return nil, err
	}
	return e, nil
}

func reject(format string, args ...any) error {
	return fmt.Errorf("ledger: %w: "+format, append([]any{ErrRejected}, args...)...)
}

// Append checks an encoded, signed entry and appends it, returning its
// index. It refuses (with ErrRejected) an entry that is malformed; names a
// party that is not registered; is not signed by that party's registered
// key (a key of another party, of the log or of a witness never will do);
// does not follow the party's previous entry (Seq one more, Prev its hash);
// cites a checkpoint the log has not signed; is dated before that
// checkpoint, before the party's previous entry, or ahead of the log's
// clock by more than MaxSkew. Other errors are failures of the State.
//
// Append may be retried: an entry whose party and seq are those of an
// entry already in the log is not appended again; if it is byte for byte
// that entry, Append returns that entry's index and no error, and if it
// is not, it is refused (ErrRejected: the party already has an entry of
// that seq, with other contents).
func (l *Log) Append(b []byte) (int64, error) {
	e, err := l.checkSigned(b)
	if err != nil {
		return 0, err
	}
	return l.appendChecked(b, e)
}

// AppendBatch appends entries as Append does, one after the other, but
// checks their signatures — most of the work — in parallel first. It
// stops at the first entry refused, returning the indexes of those
// before it.
func (l *Log) AppendBatch(bs [][]byte) ([]int64, error) {
	es := make([]*Entry, len(bs))
	errs := make([]error, len(bs))
	workers := min(runtime.GOMAXPROCS(0), len(bs))
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := w; i < len(bs); i += workers {
				es[i], errs[i] = l.checkSigned(bs[i])
			}
		}(w)
	}
	wg.Wait()
	idx := make([]int64, 0, len(bs))
	for i, b := range bs {
		if errs[i] != nil {
			return idx, errs[i]
		}
		n, err := l.appendChecked(b, es[i])
		if err != nil {
			return idx, err
		}
		idx = append(idx, n)
	}
	return idx, nil
}

// checkSigned decodes entry b and checks it is signed by its party's
// registered key: what can be checked without the log's state.
func (l *Log) checkSigned(b []byte) (*Entry, error) {
	e, err := DecodeEntry(b)
	if err != nil {
		return nil, reject("%v", err)
	}
	if err := verifyEntrySig(b, e, l.v); err != nil {
		return nil, reject("%v", err)
	}
	return e, nil
}

// appendChecked appends entry b, decoded and its signature checked as e,
// after checking it against the log's state.
func (l *Log) appendChecked(b []byte, e *Entry) (int64, error) {
	e, dup, err := l.check(b, e)
	if err != nil || dup >= 0 {
		return dup, err
	}
	return l.add(b, e)
}

// check checks entry b, decoded and signature-checked as e, against the
// log's state. If b is already in the log (a retry), it returns its index
// as dup; otherwise dup is -1.
func (l *Log) check(b []byte, e *Entry) (_ *Entry, dup int64, err error) {
	p, err := l.Party(e.Party)
	if err != nil {
		return nil, 0, err
	}
	if e.Seq <= p.Seq {
		i, have, found, err := l.st.EntryOf(e.Party, e.Seq)
		if err != nil {
			return nil, 0, fmt.Errorf("ledger: reading %s entry %d: %w", e.Party, e.Seq, err)
		}
		if found && bytes.Equal(have, b) {
			return e, i, nil
		}
		if found {
			return nil, 0, reject("%s entry has seq %d, but party %s already has entry %d, with other contents", e.Party, e.Seq, e.Party, e.Seq)
		}
	}
	if e.Seq != p.Seq+1 {
		return nil, 0, reject("%s entry has seq %d, but the party's next is %d", e.Party, e.Seq, p.Seq+1)
	}
	if e.Prev != p.Last {
		return nil, 0, reject("%s entry %d has prev %s, but the party's last entry hashes to %s", e.Party, e.Seq, e.Prev, p.Last)
	}
	cb, found, err := l.st.Checkpoint(e.Checkpoint.Size)
	if err != nil {
		return nil, 0, fmt.Errorf("ledger: reading checkpoint %d: %w", e.Checkpoint.Size, err)
	}
	var cp *Checkpoint
	if found {
		if cp, err = l.v.readCheckpoint(cb); err != nil {
			return nil, 0, fmt.Errorf("ledger: stored checkpoint %d: %w", e.Checkpoint.Size, err)
		}
	}
	if cp == nil || cp.Size != e.Checkpoint.Size || cp.Hash != e.Checkpoint.Hash {
		return nil, 0, reject("%s entry %d cites checkpoint %d %s, which this log has not signed", e.Party, e.Seq, e.Checkpoint.Size, e.Checkpoint.Hash)
	}
	if e.Time.Before(cp.Time) {
		return nil, 0, reject("%s entry %d is dated %s, before the checkpoint it cites (%s)", e.Party, e.Seq, fmtTime(e.Time), fmtTime(cp.Time))
	}
	if e.Time.Before(p.Time) {
		return nil, 0, reject("%s entry %d is dated %s, before the party's previous entry (%s)", e.Party, e.Seq, fmtTime(e.Time), fmtTime(p.Time))
	}
	if now := l.cfg.Now(); e.Time.After(now.Add(l.cfg.MaxSkew)) {
		return nil, 0, reject("%s entry %d is dated %s, ahead of the log's clock (%s) by more than %v", e.Party, e.Seq, fmtTime(e.Time), fmtTime(now), l.cfg.MaxSkew)
	}
	return e, -1, nil
}

// verifyEntrySig checks that entry b (decoded as e) is signed by the key
// registered for the party it names.
func verifyEntrySig(b []byte, e *Entry, v *verifiers) error {
	pv := v.parties[e.Party]
	if pv == nil {
		return fmt.Errorf("names party %s, which has no registered key", e.Party)
	}
	_, err := note.Open(b, note.VerifierList(pv))
	if err == nil {
		return nil
	}
	by := e.Signature.Name
	if pv.Name() == by {
		by = "another key named " + by
	}
	return fmt.Errorf("signature does not verify under %s's key (signed by %s)", e.Party, by)
}

// add appends b, decoded as e, without checking it.
func (l *Log) add(b []byte, e *Entry) (int64, error) {
	n, err := l.Size()
	if err != nil {
		return 0, err
	}
	hs, err := tlog.StoredHashes(n, b, l)
	if err != nil {
		return 0, fmt.Errorf("ledger: %w", err)
	}
	if err := l.st.WriteHashes(tlog.StoredHashCount(n), hs); err != nil {
		return 0, fmt.Errorf("ledger: writing stored hashes: %w", err)
	}
	if err := l.st.AddEntry(n, b, e); err != nil {
		return 0, fmt.Errorf("ledger: adding entry %d: %w", n, err)
	}
	return n, nil
}

// latestNote returns the latest checkpoint, as stored, and parsed.
func (l *Log) latestNote() ([]byte, *Checkpoint, error) {
	b, err := l.st.LatestCheckpoint()
	if err != nil {
		return nil, nil, fmt.Errorf("ledger: reading the latest checkpoint: %w", err)
	}
	if b == nil {
		return nil, nil, errors.New("ledger: the log has signed no checkpoint")
	}
	c, err := l.v.readCheckpoint(b)
	if err != nil {
		return nil, nil, fmt.Errorf("ledger: the latest checkpoint: %w", err)
	}
	return b, c, nil
}

func (l *Log) latest() (*Checkpoint, error) {
	_, c, err := l.latestNote()
	return c, err
}

// Latest returns the latest checkpoint the log has signed, with its
// cosigners.
func (l *Log) Latest() (*Checkpoint, error) {
	b, err := l.st.LatestCheckpoint()
	if err != nil {
		return nil, fmt.Errorf("ledger: reading the latest checkpoint: %w", err)
	}
	if b == nil {
		return nil, errors.New("ledger: the log has signed no checkpoint")
	}
	c, _, err := l.v.openCheckpoint(b)
	if err != nil {
		return nil, fmt.Errorf("ledger: the latest checkpoint: %w", err)
	}
	return c, nil
}

// Publish signs a checkpoint of the log at its current size, dated by the
// log's clock (and never before an entry it holds or an earlier
// checkpoint), stores it and returns it. If the log has not grown since
// the last checkpoint, it returns that one. It needs the log's signer.
func (l *Log) Publish() ([]byte, error) {
	if l.cfg.Signer == nil {
		return nil, errors.New("ledger: publishing needs the log's key")
	}
	n, err := l.Size()
	if err != nil {
		return nil, err
	}
	last, err := l.st.LatestCheckpoint()
	if err != nil {
		return nil, fmt.Errorf("ledger: reading the latest checkpoint: %w", err)
	}
	var prev *Checkpoint
	if last != nil {
		if prev, err = l.v.readCheckpoint(last); err != nil {
			return nil, fmt.Errorf("ledger: the latest checkpoint: %w", err)
		}
		if prev.Size == n {
			return last, nil
		}
		if prev.Size > n {
			return nil, fmt.Errorf("ledger: the latest checkpoint is of size %d, but the log holds %d entries", prev.Size, n)
		}
	}
	t := NormalTime(l.cfg.Now())
	if prev != nil && t.Before(prev.Time) {
		t = prev.Time
	}
	// Entries are appended only for registered parties, each dated no
	// earlier than the party's previous one: its last is its latest.
	for code := range l.v.parties {
		p, err := l.Party(code)
		if err != nil {
			return nil, err
		}
		if t.Before(p.Time) {
			t = p.Time
		}
	}
	root, err := tlog.TreeHash(n, l)
	if err != nil {
		return nil, fmt.Errorf("ledger: %w", err)
	}
	c := &Checkpoint{Origin: l.v.origin, Size: n, Hash: root, Time: t}
	b, err := signCheckpoint(c, l.cfg.Signer)
	if err != nil {
		return nil, fmt.Errorf("ledger: signing checkpoint: %w", err)
	}
	if err := l.st.PutCheckpoint(n, b); err != nil {
		return nil, fmt.Errorf("ledger: storing checkpoint %d: %w", n, err)
	}
	return b, nil
}

// Checkpoints returns every checkpoint the log has signed, by increasing
// size, with the cosignatures collected.
func (l *Log) Checkpoints() ([][]byte, error) {
	cps, err := l.st.Checkpoints()
	if err != nil {
		return nil, fmt.Errorf("ledger: reading checkpoints: %w", err)
	}
	return cps, nil
}

// Checkpoint returns the signed checkpoint of size n, if the log signed
// one, with the cosignatures collected.
func (l *Log) Checkpoint(n int64) ([]byte, bool, error) {
	b, found, err := l.st.Checkpoint(n)
	if err != nil {
		return nil, false, fmt.Errorf("ledger: reading checkpoint %d: %w", n, err)
	}
	return b, found, nil
}

// AddCosignatures takes a checkpoint of this log as a witness returned it
// and keeps the witnesses' cosignatures (C2SP tlog-cosignature) with the
// log's copy. Every cosignature of a registered witness must verify.
func (l *Log) AddCosignatures(cosigned []byte) error {
	c, n, err := l.v.openCheckpoint(cosigned)
	if err != nil {
		return fmt.Errorf("ledger: %w", err)
	}
	stored, found, err := l.Checkpoint(c.Size)
	if err != nil {
		return err
	}
	if !found {
		return fmt.Errorf("ledger: the log signed no such checkpoint of size %d", c.Size)
	}
	_, have, err := l.v.openCheckpoint(stored)
	if err != nil {
		return fmt.Errorf("ledger: stored checkpoint %d: %w", c.Size, err)
	}
	if have.Text != n.Text {
		return fmt.Errorf("ledger: the log signed no such checkpoint of size %d", c.Size)
	}
	sigs := have.Sigs
	known := map[string]bool{}
	for _, s := range sigs {
		known[s.Name] = true
	}
	for _, s := range n.Sigs {
		if !known[s.Name] {
			sigs = append(sigs, s)
			known[s.Name] = true
		}
	}
	// Keep the log's signature first, then the witnesses' by name.
	sort.SliceStable(sigs, func(i, j int) bool {
		if (sigs[i].Name == l.v.origin) != (sigs[j].Name == l.v.origin) {
			return sigs[i].Name == l.v.origin
		}
		return sigs[i].Name < sigs[j].Name
	})
	b, err := note.Sign(&note.Note{Text: n.Text, Sigs: sigs})
	if err != nil {
		return fmt.Errorf("ledger: %w", err)
	}
	if bytes.Equal(b, stored) {
		return nil
	}
	if err := l.st.PutCheckpoint(c.Size, b); err != nil {
		return fmt.Errorf("ledger: storing checkpoint %d: %w", c.Size, err)
	}
	return nil
}

// ConsistencyProof returns the proof that the tree of size newer extends
// the tree of size older (RFC 6962 consistency proof, via tlog.ProveTree).
func (l *Log) ConsistencyProof(older, newer int64) (tlog.TreeProof, error) {
	n, err := l.Size()
	if err != nil {
		return nil, err
	}
	if older < 0 || older > newer || newer > n {
		return nil, fmt.Errorf("ledger: no consistency proof from %d to %d in a log of %d", older, newer, n)
	}
	if older == 0 || older == newer {
		return tlog.TreeProof{}, nil
	}
	p, err := tlog.ProveTree(newer, older, l)
	if err != nil {
		return nil, fmt.Errorf("ledger: %w", err)
	}
	return p, nil
}

// Receipt returns the receipt of entry i: the entry, its inclusion proof
// in the latest checkpoint that holds it and carries the cosignatures the
// policy requires, and that checkpoint. It fails if no such checkpoint
// exists yet (publish, and have the witnesses cosign). The receipt is
// verified before it is returned.
func (l *Log) Receipt(i int64) (*Receipt, error) {
	latest, err := l.st.LatestCheckpoint()
	if err != nil {
		return nil, fmt.Errorf("ledger: reading the latest checkpoint: %w", err)
	}
	if latest == nil {
		return nil, errors.New("ledger: the log has signed no checkpoint")
	}
	c, _, err := l.v.openCheckpoint(latest)
	if err != nil {
		return nil, fmt.Errorf("ledger: the latest checkpoint: %w", err)
	}
	if i < 0 || i >= c.Size {
		return nil, fmt.Errorf("ledger: entry %d is not in the latest checkpoint (size %d): publish first", i, c.Size)
	}
	// Most often the latest checkpoint is cosigned; if not, look further back.
	cpNote := latest
	why := l.v.checkCosignatures(c, l.cfg.Quorum)
	if why != nil {
		why = fmt.Errorf("ledger: checkpoint %d: %w", c.Size, why)
		cps, err := l.Checkpoints()
		if err != nil {
			return nil, err
		}
		c, cpNote = nil, nil
		for k := len(cps) - 1; k >= 0; k-- {
			ck, _, err := l.v.openCheckpoint(cps[k])
			if err != nil {
				return nil, fmt.Errorf("ledger: a stored checkpoint: %w", err)
			}
			if ck.Size <= i {
				break
			}
			if l.v.checkCosignatures(ck, l.cfg.Quorum) == nil {
				c, cpNote = ck, cps[k]
				break
			}
		}
		if c == nil {
			return nil, why
		}
	}
	proof, err := tlog.ProveRecord(c.Size, i, l)
	if err != nil {
		return nil, fmt.Errorf("ledger: %w", err)
	}
	e, err := l.Entry(i)
	if err != nil {
		return nil, err
	}
	r := &Receipt{Index: i, Entry: e, InclusionProof: proof, Checkpoint: cpNote}
	if _, _, err := l.v.verifyReceipt(r, l.cfg.Quorum); err != nil {
		return nil, fmt.Errorf("ledger: the receipt just made does not verify: %w", err)
	}
	return r, nil
}

func fmtTime(t time.Time) string { return t.UTC().Format(timeLayout) }
