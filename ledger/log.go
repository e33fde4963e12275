package ledger

import (
	"errors"
	"fmt"
	"sort"
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
	Signer note.Signer // the log's (mediator's) private key, matching Keys.Log
	Quorum int         // witnesses that must cosign before receipts are given; 0 means all of Keys.Witnesses

	Hashes  HashStore        // nil: in memory
	Now     func() time.Time // nil: time.Now
	MaxSkew time.Duration    // how far ahead of Now an entry may be dated; 0 means 5 minutes
}

// Log is the log's state machine: it checks and appends entries, signs
// checkpoints and collects cosignatures, and gives receipts. It keeps
// entries and checkpoints in memory; stored hashes go to Config.Hashes.
// A Log is not safe for concurrent use.
type Log struct {
	cfg     Config
	v       *verifiers
	hashes  HashStore
	entries [][]byte
	parties map[string]*partyState
	cps     []*published // by increasing size
	bySize  map[int64]*published
}

type partyState struct {
	seq  int64
	last Hash
	time time.Time
}

type published struct {
	c    *Checkpoint
	note []byte // signed, with the cosignatures collected so far
}

// NewLog returns an empty log, and signs its first checkpoint, of size 0,
// which the first entries cite.
func NewLog(cfg Config) (*Log, error) {
	v, err := cfg.Keys.verifiers()
	if err != nil {
		return nil, err
	}
	if cfg.Signer == nil || cfg.Signer.Name() != v.origin || cfg.Signer.KeyHash() != v.log.KeyHash() {
		return nil, errors.New("ledger: the log's signer is not the registered log key")
	}
	if cfg.Hashes == nil {
		cfg.Hashes = new(MemHashes)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.MaxSkew == 0 {
		cfg.MaxSkew = 5 * time.Minute
	}
	l := &Log{cfg: cfg, v: v, hashes: cfg.Hashes, parties: map[string]*partyState{}, bySize: map[int64]*published{}}
	if _, err := l.Publish(); err != nil {
		return nil, err
	}
	return l, nil
}

// Origin returns the log's origin, the name of its key.
func (l *Log) Origin() string { return l.v.origin }

// Size returns the number of entries.
func (l *Log) Size() int64 { return int64(len(l.entries)) }

// Keys returns the registered keys.
func (l *Log) Keys() Keys { return l.cfg.Keys }

// ReadHashes implements tlog.HashReader over the log's stored hashes.
func (l *Log) ReadHashes(indexes []int64) ([]Hash, error) { return l.hashes.ReadHashes(indexes) }

// Entry returns the encoding of entry i.
func (l *Log) Entry(i int64) ([]byte, error) {
	if i < 0 || i >= l.Size() {
		return nil, fmt.Errorf("ledger: no entry %d in a log of %d", i, l.Size())
	}
	return l.entries[i], nil
}

// ReadEntries returns entries start to start+n-1.
func (l *Log) ReadEntries(start, n int64) ([][]byte, error) {
	if start < 0 || n < 0 || start+n > l.Size() {
		return nil, fmt.Errorf("ledger: entries %d+%d are beyond the log's %d", start, n, l.Size())
	}
	return l.entries[start : start+n], nil
}

// Party returns the sequence number and hash of party's last entry (0 and
// zero before its first): what its next entry must carry as Seq-1 and Prev.
func (l *Log) Party(code string) (seq int64, last Hash) {
	if p := l.parties[code]; p != nil {
		return p.seq, p.last
	}
	return 0, Hash{}
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
// clock by more than MaxSkew.
func (l *Log) Append(b []byte) (int64, error) {
	e, err := l.check(b)
	if err != nil {
		return 0, err
	}
	return l.add(b, e)
}

func (l *Log) check(b []byte) (*Entry, error) {
	e, err := DecodeEntry(b)
	if err != nil {
		return nil, reject("%v", err)
	}
	if err := verifyEntrySig(b, e, l.v); err != nil {
		return nil, reject("%v", err)
	}
	p := l.parties[e.Party]
	if p == nil {
		p = &partyState{}
	}
	if e.Seq != p.seq+1 {
		return nil, reject("%s entry has seq %d, but the party's next is %d", e.Party, e.Seq, p.seq+1)
	}
	if e.Prev != p.last {
		return nil, reject("%s entry %d has prev %s, but the party's last entry hashes to %s", e.Party, e.Seq, e.Prev, p.last)
	}
	cp := l.bySize[e.Checkpoint.Size]
	if cp == nil || cp.c.Hash != e.Checkpoint.Hash {
		return nil, reject("%s entry %d cites checkpoint %d %s, which this log has not signed", e.Party, e.Seq, e.Checkpoint.Size, e.Checkpoint.Hash)
	}
	if e.Time.Before(cp.c.Time) {
		return nil, reject("%s entry %d is dated %s, before the checkpoint it cites (%s)", e.Party, e.Seq, fmtTime(e.Time), fmtTime(cp.c.Time))
	}
	if e.Time.Before(p.time) {
		return nil, reject("%s entry %d is dated %s, before the party's previous entry (%s)", e.Party, e.Seq, fmtTime(e.Time), fmtTime(p.time))
	}
	if now := l.cfg.Now(); e.Time.After(now.Add(l.cfg.MaxSkew)) {
		return nil, reject("%s entry %d is dated %s, ahead of the log's clock (%s) by more than %v", e.Party, e.Seq, fmtTime(e.Time), fmtTime(now), l.cfg.MaxSkew)
	}
	return e, nil
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

func (l *Log) add(b []byte, e *Entry) (int64, error) {
	n := l.Size()
	hs, err := tlog.StoredHashes(n, b, l.hashes)
	if err != nil {
		return 0, fmt.Errorf("ledger: %w", err)
	}
	if err := l.hashes.WriteHashes(tlog.StoredHashCount(n), hs); err != nil {
		return 0, fmt.Errorf("ledger: %w", err)
	}
	l.entries = append(l.entries, b)
	p := l.parties[e.Party]
	if p == nil {
		p = &partyState{}
		l.parties[e.Party] = p
	}
	p.seq, p.last = e.Seq, EntryHash(b)
	if e.Time.After(p.time) {
		p.time = e.Time
	}
	return n, nil
}

// Latest returns the latest checkpoint the log has signed.
func (l *Log) Latest() *Checkpoint { return l.cps[len(l.cps)-1].c }

// Publish signs a checkpoint of the log at its current size, dated by the
// log's clock (and never before an entry it holds or an earlier
// checkpoint), and returns it. If the log has not grown since the last
// checkpoint, it returns that one.
func (l *Log) Publish() ([]byte, error) {
	n := l.Size()
	if len(l.cps) > 0 && l.Latest().Size == n {
		return l.cps[len(l.cps)-1].note, nil
	}
	t := NormalTime(l.cfg.Now())
	if len(l.cps) > 0 && t.Before(l.Latest().Time) {
		t = l.Latest().Time
	}
	for _, p := range l.parties {
		if t.Before(p.time) {
			t = p.time
		}
	}
	root, err := tlog.TreeHash(n, l.hashes)
	if err != nil {
		return nil, fmt.Errorf("ledger: %w", err)
	}
	c := &Checkpoint{Origin: l.v.origin, Size: n, Hash: root, Time: t}
	b, err := signCheckpoint(c, l.cfg.Signer)
	if err != nil {
		return nil, fmt.Errorf("ledger: signing checkpoint: %w", err)
	}
	p := &published{c: c, note: b}
	l.cps = append(l.cps, p)
	l.bySize[n] = p
	return b, nil
}

// Checkpoints returns every checkpoint the log has signed, by increasing
// size, with the cosignatures collected.
func (l *Log) Checkpoints() [][]byte {
	out := make([][]byte, len(l.cps))
	for i, p := range l.cps {
		out[i] = p.note
	}
	return out
}

// Checkpoint returns the signed checkpoint of size n, if the log signed one.
func (l *Log) Checkpoint(n int64) ([]byte, bool) {
	p := l.bySize[n]
	if p == nil {
		return nil, false
	}
	return p.note, true
}

// AddCosignatures takes a checkpoint of this log as a witness returned it
// and keeps the witnesses' cosignatures (C2SP tlog-cosignature) with the
// log's copy. Every cosignature of a registered witness must verify.
func (l *Log) AddCosignatures(cosigned []byte) error {
	c, n, err := l.v.openCheckpoint(cosigned)
	if err != nil {
		return fmt.Errorf("ledger: %w", err)
	}
	p := l.bySize[c.Size]
	if p == nil || string(p.c.Text()) != n.Text {
		return fmt.Errorf("ledger: the log signed no such checkpoint of size %d", c.Size)
	}
	_, have, err := l.v.openCheckpoint(p.note)
	if err != nil {
		return fmt.Errorf("ledger: %w", err)
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
	p.note = b
	p.c.Cosigners = nil
	for _, s := range sigs {
		if s.Name != l.v.origin {
			p.c.Cosigners = append(p.c.Cosigners, s.Name)
		}
	}
	return nil
}

// ConsistencyProof returns the proof that the tree of size newer extends
// the tree of size older (RFC 6962 consistency proof, via tlog.ProveTree).
func (l *Log) ConsistencyProof(older, newer int64) (tlog.TreeProof, error) {
	if older < 0 || older > newer || newer > l.Size() {
		return nil, fmt.Errorf("ledger: no consistency proof from %d to %d in a log of %d", older, newer, l.Size())
	}
	if older == 0 || older == newer {
		return tlog.TreeProof{}, nil
	}
	return tlog.ProveTree(newer, older, l.hashes)
}

// Receipt returns the receipt of entry i: the entry, its inclusion proof
// in the latest checkpoint that holds it and carries the cosignatures the
// policy requires, and that checkpoint. It fails if no such checkpoint
// exists yet (publish, and have the witnesses cosign). The receipt is
// verified before it is returned.
func (l *Log) Receipt(i int64) (*Receipt, error) {
	if i < 0 || i >= l.Latest().Size {
		return nil, fmt.Errorf("ledger: entry %d is not in the latest checkpoint (size %d): publish first", i, l.Latest().Size)
	}
	var p *published
	var why error
	for k := len(l.cps) - 1; k >= 0 && l.cps[k].c.Size > i; k-- {
		err := l.v.checkCosignatures(l.cps[k].c, l.cfg.Quorum)
		if err == nil {
			p = l.cps[k]
			break
		}
		if why == nil {
			why = fmt.Errorf("ledger: checkpoint %d: %w", l.cps[k].c.Size, err)
		}
	}
	if p == nil {
		return nil, why
	}
	proof, err := tlog.ProveRecord(p.c.Size, i, l.hashes)
	if err != nil {
		return nil, fmt.Errorf("ledger: %w", err)
	}
	r := &Receipt{Index: i, Entry: l.entries[i], InclusionProof: proof, Checkpoint: p.note}
	if _, _, err := l.v.verifyReceipt(r, l.cfg.Quorum); err != nil {
		return nil, fmt.Errorf("ledger: the receipt just made does not verify: %w", err)
	}
	return r, nil
}

func fmtTime(t time.Time) string { return t.UTC().Format(timeLayout) }
