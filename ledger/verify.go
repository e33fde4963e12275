package ledger

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/transparency-dev/tessera/api"
	"github.com/transparency-dev/tessera/api/layout"
	"golang.org/x/mod/sumdb/tlog"
)

// VerifyOptions adjust Verify.
type VerifyOptions struct {
	// Keys, if set, are the keys the verifier trusts (from the agreement,
	// or its own); the export's keys/ must then hold the same ones. If nil,
	// the keys in the export are used: the report's Keys then says which,
	// to be compared with the parties' own.
	Keys *Keys
	// Quorum is how many witnesses must cosign the checkpoint; 0 means all.
	Quorum int
	// Trusted is an earlier signed checkpoint of the log that the verifier
	// holds; the log must be an append-only extension of it.
	Trusted []byte
	// Workers check signatures in parallel; 0 means GOMAXPROCS.
	Workers int
}

// VerifyReport says what Verify found, when everything held.
type VerifyReport struct {
	Origin      string           `json:"origin"`
	Size        int64            `json:"size"`
	RootHash    string           `json:"root_hash"`
	Time        time.Time        `json:"time"`
	Cosigners   []string         `json:"cosigners"`
	Checkpoints int              `json:"checkpoints"`            // checkpoints in the history, all consistent with the tree
	Parties     map[string]int64 `json:"parties"`                // party code → entries (its last seq)
	Keys        Keys             `json:"keys"`                   // the keys checked against
	TrustedSize *int64           `json:"trusted_size,omitempty"` // size of the trusted checkpoint the log extends
}

// VerifyError is a failed check: the log does not verify. Step is what
// failed ("entry", "checkpoint", "checkpoints/120", "tile/0/001", "tree",
// "keys", "trusted checkpoint"); Index is the entry's index when Step is
// "entry", and -1 otherwise. Any other error of Verify means it could not
// run (a file it needs first could not be read).
type VerifyError struct {
	Step  string
	Index int64
	Err   error
}

func (e *VerifyError) Error() string {
	if e.Step == "entry" {
		return fmt.Sprintf("entry %d: %v", e.Index, e.Err)
	}
	return e.Step + ": " + e.Err.Error()
}

func (e *VerifyError) Unwrap() error { return e.Err }

func failStep(step string, format string, args ...any) error {
	return &VerifyError{Step: step, Index: -1, Err: fmt.Errorf(format, args...)}
}

func failEntry(i int64, format string, args ...any) error {
	return &VerifyError{Step: "entry", Index: i, Err: fmt.Errorf(format, args...)}
}

// ReadKeys reads the keys of an export (see Export for the layout).
func ReadKeys(fsys fs.FS) (Keys, error) {
	var k Keys
	b, err := fs.ReadFile(fsys, LogKeyFile)
	if err != nil {
		return k, fmt.Errorf("ledger: %w", err)
	}
	k.Log = strings.TrimSpace(string(b))
	k.Parties = map[string]string{}
	read := func(dir string, f func(id, vkey string)) error {
		ents, err := fs.ReadDir(fsys, dir)
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("ledger: %w", err)
		}
		for _, e := range ents {
			id, ok := strings.CutSuffix(e.Name(), ".vkey")
			if !ok || e.IsDir() {
				continue
			}
			b, err := fs.ReadFile(fsys, path.Join(dir, e.Name()))
			if err != nil {
				return fmt.Errorf("ledger: %w", err)
			}
			f(id, strings.TrimSpace(string(b)))
		}
		return nil
	}
	if err := read(PartyKeyDir, func(id, vkey string) { k.Parties[id] = vkey }); err != nil {
		return k, err
	}
	err = read(WitnessKeyDir, func(id, vkey string) { k.Witnesses = append(k.Witnesses, vkey) })
	return k, err
}

func sameKeys(a, b Keys) error {
	if !sameKey(a.Log, b.Log) {
		return errors.New("the export's log key differs from the trusted one")
	}
	for code, vk := range b.Parties {
		if !sameKey(a.Parties[code], vk) {
			return fmt.Errorf("the export's key of party %s differs from the trusted one", code)
		}
	}
	for code := range a.Parties {
		if _, ok := b.Parties[code]; !ok {
			return fmt.Errorf("the export has a key for party %s, which the trusted keys lack", code)
		}
	}
	set := func(l []string) string {
		c := make([]string, len(l))
		for i, s := range l {
			c[i] = strings.TrimSpace(s)
		}
		sort.Strings(c)
		return strings.Join(c, "\n")
	}
	if set(a.Witnesses) != set(b.Witnesses) {
		return errors.New("the export's witness keys differ from the trusted ones")
	}
	return nil
}

// Verify checks an exported log offline, needing nothing but its files
// and the public keys. It returns a *VerifyError naming the first entry or
// step that fails, in this order:
//
//  1. keys: the keys are well formed, each named for its role, none
//     registered twice; with opts.Keys, the export holds the same ones.
//  2. checkpoint: signed by the log's key, its origin the key's name, in
//     canonical form with its time line; every cosignature by a known
//     witness verifies, and the quorum of witnesses cosigned.
//  3. checkpoints/<size>: each is signed by the log, no larger than the
//     checkpoint, dated no earlier than a smaller one; the checkpoint is
//     among them.
//  4. entry i, in order, reading the bundles: it decodes (canonical
//     encoding); it is signed by the registered key of the party it names;
//     its leaf hash is the one in the level-0 tile; it is the party's next
//     (seq one more, prev the hash of the party's previous entry, dated no
//     earlier); it cites a checkpoint that exists, with that root hash, of
//     a size at most i; it is dated no earlier than that checkpoint and
//     no later than the first checkpoint that holds it.
//  5. tree: the root hash of all entries is the checkpoint's.
//  6. tile/...: every tile is the one the entries give.
//  7. checkpoints/<size>: each one's root hash is that of the first size
//     entries, so the log was only ever appended to.
//  8. trusted checkpoint (opts.Trusted): signed by the log, and the
//     consistency proof from it to the checkpoint verifies.
//
// Only the stored hashes (two per entry) are kept in memory; entries are
// read a few bundles at a time.
func Verify(fsys fs.FS, opts VerifyOptions) (*VerifyReport, error) {
	// 1. Keys.
	k, err := ReadKeys(fsys)
	if err != nil {
		return nil, err
	}
	if opts.Keys != nil {
		if err := sameKeys(k, *opts.Keys); err != nil {
			return nil, failStep("keys", "%v", err)
		}
		k = *opts.Keys
	}
	v, err := k.verifiers()
	if err != nil {
		return nil, failStep("keys", "%v", err)
	}

	// 2. The checkpoint.
	cpBytes, err := fs.ReadFile(fsys, layout.CheckpointPath)
	if err != nil {
		return nil, fmt.Errorf("ledger: %w", err)
	}
	cp, _, err := v.openCheckpoint(cpBytes)
	if err != nil {
		return nil, failStep("checkpoint", "%v", err)
	}
	if err := v.checkCosignatures(cp, opts.Quorum); err != nil {
		return nil, failStep("checkpoint", "%v", err)
	}
	n := cp.Size

	// 3. The history of checkpoints.
	hist, err := readHistory(fsys, v, cp, cpBytes)
	if err != nil {
		return nil, err
	}

	// 4. The entries.
	hashes := make(MemHashes, 0, 2*n+64)
	parties, err := verifyEntries(fsys, v, n, hist, &hashes, opts.Workers)
	if err != nil {
		return nil, err
	}

	// 5. The tree.
	root, err := tlog.TreeHash(n, &hashes)
	if err != nil {
		return nil, fmt.Errorf("ledger: %w", err)
	}
	if root != cp.Hash {
		return nil, failStep("tree", "the root hash of the %d entries is %s, but the checkpoint says %s", n, root, cp.Hash)
	}

	// 6. Every tile.
	for _, t := range tlog.NewTiles(tileHeight, 0, n) {
		want, err := tlog.ReadTileData(t, &hashes)
		if err != nil {
			return nil, fmt.Errorf("ledger: %w", err)
		}
		p := tilePath(t)
		got, err := fs.ReadFile(fsys, p)
		if err != nil {
			return nil, failStep(p, "missing: %v", err)
		}
		if !bytes.Equal(got, want) {
			return nil, failStep(p, "differs from the hashes of the entries")
		}
	}

	// 7. Every checkpoint ever signed is of a prefix of this tree.
	for _, h := range hist {
		th, err := tlog.TreeHash(h.Size, &hashes)
		if err != nil {
			return nil, fmt.Errorf("ledger: %w", err)
		}
		if th != h.Hash {
			return nil, failStep(checkpointHistoryPath(h.Size), "its root hash %s is not that of the first %d entries (%s): the log was rewritten after it was signed", h.Hash, h.Size, th)
		}
	}

	rep := &VerifyReport{
		Origin: cp.Origin, Size: n, RootHash: cp.Hash.String(), Time: cp.Time,
		Cosigners: cp.Cosigners, Checkpoints: len(hist), Parties: parties, Keys: k,
	}

	// 8. The trusted checkpoint.
	if opts.Trusted != nil {
		t, _, err := v.openCheckpoint(opts.Trusted)
		if err != nil {
			return nil, failStep("trusted checkpoint", "%v", err)
		}
		if t.Size > n {
			return nil, failStep("trusted checkpoint", "the log has %d entries, fewer than the %d of the trusted checkpoint: it was truncated", n, t.Size)
		}
		proof, err := tlog.ProveTree(n, t.Size, &hashes)
		if err == nil {
			err = tlog.CheckTree(proof, n, cp.Hash, t.Size, t.Hash)
		}
		if err != nil {
			return nil, failStep("trusted checkpoint", "not an extension of the trusted checkpoint at size %d: consistency proof fails", t.Size)
		}
		rep.TrustedSize = &t.Size
	}
	return rep, nil
}

// readHistory reads checkpoints/, returning the checkpoints by size.
func readHistory(fsys fs.FS, v *verifiers, cp *Checkpoint, cpBytes []byte) ([]*Checkpoint, error) {
	ents, err := fs.ReadDir(fsys, CheckpointsDir)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("ledger: %w", err)
	}
	var hist []*Checkpoint
	haveCurrent := false
	for _, e := range ents {
		name := path.Join(CheckpointsDir, e.Name())
		size, err := strconv.ParseInt(e.Name(), 10, 64)
		if err != nil || strconv.FormatInt(size, 10) != e.Name() || e.IsDir() {
			return nil, failStep(name, "not a checkpoint's name (its decimal size)")
		}
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("ledger: %w", err)
		}
		c, _, err := v.openCheckpoint(b)
		if err != nil {
			return nil, failStep(name, "%v", err)
		}
		if c.Size != size {
			return nil, failStep(name, "holds a checkpoint of size %d", c.Size)
		}
		if c.Size > cp.Size {
			return nil, failStep(name, "is larger than the checkpoint (%d)", cp.Size)
		}
		if c.Size == cp.Size {
			if !bytes.Equal(c.Text(), cp.Text()) {
				return nil, failStep(name, "differs from the checkpoint of the same size")
			}
			haveCurrent = true
		}
		hist = append(hist, c)
	}
	if !haveCurrent {
		return nil, failStep(checkpointHistoryPath(cp.Size), "missing: the checkpoint is not in the history")
	}
	sort.Slice(hist, func(i, j int) bool { return hist[i].Size < hist[j].Size })
	for i := 1; i < len(hist); i++ {
		if hist[i].Time.Before(hist[i-1].Time) {
			return nil, failStep(checkpointHistoryPath(hist[i].Size), "dated %s, before the smaller checkpoint %d (%s)", fmtTime(hist[i].Time), hist[i-1].Size, fmtTime(hist[i-1].Time))
		}
	}
	return hist, nil
}

// checked is what the parallel stage learns of one entry.
type checked struct {
	e    *Entry
	err  error // decoding or signature
	leaf Hash  // RFC 6962 leaf hash
	hash Hash  // EntryHash, for the party's next Prev
}

// verifyEntries streams the bundles, checks every entry and fills hashes.
func verifyEntries(fsys fs.FS, v *verifiers, n int64, hist []*Checkpoint, hashes *MemHashes, workers int) (map[string]int64, error) {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	bySize := make(map[int64]*Checkpoint, len(hist))
	for _, h := range hist {
		bySize[h.Size] = h
	}
	type party struct {
		seq  int64
		last Hash
		time time.Time
	}
	parties := map[string]*party{}
	next := 0 // hist[next] is the first checkpoint with Size > the current entry's index

	width := int64(layout.EntryBundleWidth)
	stop := make(chan struct{})
	defer close(stop) // stops the loader if we return early
	chunks := loadChunks(fsys, v, n, workers, stop)
	for ch := range chunks {
		<-ch.done
		if ch.err != nil {
			return nil, ch.err
		}
		first, res, tiles := ch.first, ch.res, ch.tiles
		// Check the rest in order.
		for j := range res {
			i := first + int64(j)
			r := &res[j]
			if r.err != nil {
				return nil, failEntry(i, "%v", strings.TrimPrefix(r.err.Error(), "ledger: "))
			}
			tile := tiles[j/int(width)]
			off := (j % int(width)) * tlog.HashSize
			if !bytes.Equal(tile[off:off+tlog.HashSize], r.leaf[:]) {
				return nil, failEntry(i, "its leaf hash differs from the one in %s: entries changed, removed or reordered",
					tilePath(tlog.Tile{H: tileHeight, L: 0, N: i / width, W: int(min(width, n-i/width*width))}))
			}
			hs, err := tlog.StoredHashesForRecordHash(i, r.leaf, hashes)
			if err != nil {
				return nil, fmt.Errorf("ledger: %w", err)
			}
			*hashes = append(*hashes, hs...)

			e := r.e
			p := parties[e.Party]
			if p == nil {
				p = &party{}
				parties[e.Party] = p
			}
			if e.Seq != p.seq+1 {
				return nil, failEntry(i, "%s's seq is %d, but its previous entry had %d: entries removed or reordered", e.Party, e.Seq, p.seq)
			}
			if e.Prev != p.last {
				return nil, failEntry(i, "prev is not the hash of %s's previous entry (seq %d)", e.Party, p.seq)
			}
			if e.Time.Before(p.time) {
				return nil, failEntry(i, "dated %s, before %s's previous entry (%s)", fmtTime(e.Time), e.Party, fmtTime(p.time))
			}
			ref := bySize[e.Checkpoint.Size]
			switch {
			case e.Checkpoint.Size > i:
				return nil, failEntry(i, "cites a checkpoint of size %d, which could not exist before it", e.Checkpoint.Size)
			case ref == nil:
				return nil, failEntry(i, "cites a checkpoint of size %d, which is not in %s/", e.Checkpoint.Size, CheckpointsDir)
			case ref.Hash != e.Checkpoint.Hash:
				return nil, failEntry(i, "cites a checkpoint of size %d with root %s, but the log's has %s", e.Checkpoint.Size, e.Checkpoint.Hash, ref.Hash)
			case e.Time.Before(ref.Time):
				return nil, failEntry(i, "back-dated: dated %s, before the checkpoint it cites (size %d, %s)", fmtTime(e.Time), ref.Size, fmtTime(ref.Time))
			}
			for next < len(hist) && hist[next].Size <= i {
				next++
			}
			if hold := hist[next]; e.Time.After(hold.Time) { // hist holds the checkpoint of size n > i
				return nil, failEntry(i, "dated %s, after the first checkpoint that holds it (size %d, %s)", fmtTime(e.Time), hold.Size, fmtTime(hold.Time))
			}
			p.seq, p.last, p.time = e.Seq, r.hash, e.Time
		}
	}
	out := make(map[string]int64, len(parties))
	for code, p := range parties {
		out[code] = p.seq
	}
	return out, nil
}

// chunk is a run of bundles read and checked together.
type chunk struct {
	first int64     // index of its first entry
	tiles [][]byte  // the level-0 tile of each bundle
	res   []checked // one per entry, ready when done is closed
	err   error     // reading failed (set before done is closed)
	done  chan struct{}
}

// loadChunks reads the bundles a chunk at a time and starts checking each
// chunk's entries on `workers` goroutines, while the caller works through
// the chunks before it in order. At most two chunks wait ahead; closing
// stop ends it.
func loadChunks(fsys fs.FS, v *verifiers, n int64, workers int, stop <-chan struct{}) <-chan *chunk {
	const bundles = 32 // bundles a chunk
	width := int64(layout.EntryBundleWidth)
	out := make(chan *chunk, 2)
	go func() {
		defer close(out)
		for first := int64(0); first < n; first += bundles * width {
			ch := &chunk{first: first, done: make(chan struct{})}
			var entries [][]byte
			for b := first; b < n && b < first+bundles*width && ch.err == nil; b += width {
				var es [][]byte
				var tile []byte
				es, tile, ch.err = readBundle(fsys, b, n)
				entries = append(entries, es...)
				ch.tiles = append(ch.tiles, tile)
			}
			if ch.err != nil {
				close(ch.done)
				select {
				case out <- ch:
				case <-stop:
				}
				return
			}
			ch.res = make([]checked, len(entries))
			var wg sync.WaitGroup
			for w := 0; w < workers; w++ {
				wg.Add(1)
				go func(w int) {
					defer wg.Done()
					for i := w; i < len(entries); i += workers {
						b := entries[i]
						r := &ch.res[i]
						r.leaf = tlog.RecordHash(b)
						r.hash = EntryHash(b)
						if r.e, r.err = DecodeEntry(b); r.err == nil {
							r.err = verifyEntrySig(b, r.e, v)
						}
					}
				}(w)
			}
			go func() { wg.Wait(); close(ch.done) }()
			select {
			case out <- ch:
			case <-stop:
				return
			}
		}
	}()
	return out
}

// readBundle reads the entry bundle that starts at entry b, and its level-0 tile.
func readBundle(fsys fs.FS, b, n int64) ([][]byte, []byte, error) {
	width := int64(layout.EntryBundleWidth)
	p := bundlePath(b, n)
	raw, err := fs.ReadFile(fsys, p)
	if err != nil {
		return nil, nil, failEntry(b, "its bundle %s is missing: %v", p, err)
	}
	var bundle api.EntryBundle
	if err := bundle.UnmarshalText(raw); err != nil {
		return nil, nil, failEntry(b, "its bundle %s is malformed: %v", p, err)
	}
	want := min(width, n-b)
	if int64(len(bundle.Entries)) != want {
		return nil, nil, failEntry(b+min(int64(len(bundle.Entries)), want), "its bundle %s holds %d entries, not %d", p, len(bundle.Entries), want)
	}
	tp := tilePath(tlog.Tile{H: tileHeight, L: 0, N: b / width, W: int(want)})
	tile, err := fs.ReadFile(fsys, tp)
	if err != nil {
		return nil, nil, failEntry(b, "its tile %s is missing: %v", tp, err)
	}
	if int64(len(tile)) != want*tlog.HashSize {
		return nil, nil, failEntry(b, "its tile %s is %d bytes, not %d", tp, len(tile), want*tlog.HashSize)
	}
	return bundle.Entries, tile, nil
}
