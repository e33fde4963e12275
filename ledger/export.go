package ledger

import (
	"encoding/binary"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/transparency-dev/tessera/api/layout"
	"golang.org/x/mod/sumdb/tlog"
)

// Files of an export, besides the C2SP tlog-tiles ones (layout.CheckpointPath,
// layout.TilePath, layout.EntriesPath).
const (
	LogKeyFile     = "keys/log.vkey"  // the log's (mediator's) verifier key
	PartyKeyDir    = "keys/parties"   // CODE.vkey for each party
	WitnessKeyDir  = "keys/witnesses" // ID.vkey, a cosignature/v1 key, for each witness
	CheckpointsDir = "checkpoints"    // every checkpoint the log signed, named by its decimal size
)

// tileHeight is fixed at 8 by C2SP tlog-tiles: 256 hashes a tile, 256
// entries a bundle.
const tileHeight = layout.TileHeight

// Source is what Export reads: a Log (over any State), or a store.
type Source interface {
	tlog.HashReader
	Size() (int64, error)
	ReadEntries(start, n int64) ([][]byte, error)
	Checkpoints() ([][]byte, error) // every signed checkpoint, by increasing size; the last is of size Size()
	Keys() Keys
}

// Writer receives the files of an export, named by slash-separated paths.
type Writer interface {
	WriteFile(name string, data []byte) error
}

// DirWriter writes an export's files under a directory, creating
// directories as needed. Each file is written to a temporary name and
// renamed into place, so a reader never sees half a file.
type DirWriter string

// WriteFile implements Writer.
func (d DirWriter) WriteFile(name string, data []byte) error {
	p := filepath.Join(string(d), filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return fmt.Errorf("ledger: export: %w", err)
	}
	f, err := os.CreateTemp(filepath.Dir(p), ".tmp-*")
	if err != nil {
		return fmt.Errorf("ledger: export: %w", err)
	}
	_, err = f.Write(data)
	if err2 := f.Close(); err == nil {
		err = err2
	}
	if err == nil {
		err = os.Chmod(f.Name(), 0o644)
	}
	if err == nil {
		err = os.Rename(f.Name(), p)
	}
	if err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("ledger: export: %w", err)
	}
	return nil
}

// Export writes the log in the C2SP tlog-tiles layout, with the keys and
// the history of checkpoints that Verify needs:
//
//	checkpoint                  the latest checkpoint, signed and cosigned
//	checkpoints/<size>          every checkpoint the log signed (the latest too)
//	tile/<L>/<N>[.p/<W>]        Merkle tree tiles (RFC 6962 hashes, 256 a tile)
//	tile/entries/<N>[.p/<W>]    entry bundles: each entry with a big-endian uint16 length before it
//	keys/log.vkey               the log's key (its name is the origin)
//	keys/parties/<CODE>.vkey    each party's key
//	keys/witnesses/<ID>.vkey    each witness's cosignature/v1 key
//
// The checkpoint file is written last. The latest checkpoint must be of
// the log's current size: publish before exporting.
func Export(w Writer, src Source) error {
	k := src.Keys()
	v, err := k.verifiers()
	if err != nil {
		return err
	}
	n, err := src.Size()
	if err != nil {
		return fmt.Errorf("ledger: export: %w", err)
	}
	cps, err := src.Checkpoints()
	if err != nil {
		return fmt.Errorf("ledger: export: %w", err)
	}
	if len(cps) == 0 {
		return fmt.Errorf("ledger: export: the log has signed no checkpoint")
	}
	last, _, err := v.openCheckpoint(cps[len(cps)-1])
	if err != nil {
		return fmt.Errorf("ledger: export: %w", err)
	}
	if last.Size != n {
		return fmt.Errorf("ledger: export: the latest checkpoint is of size %d but the log has %d entries: publish first", last.Size, n)
	}

	if err := w.WriteFile(LogKeyFile, keyFile(k.Log)); err != nil {
		return err
	}
	codes := make([]string, 0, len(k.Parties))
	for code := range k.Parties {
		codes = append(codes, code)
	}
	sort.Strings(codes)
	for _, code := range codes {
		if err := w.WriteFile(path.Join(PartyKeyDir, code+".vkey"), keyFile(k.Parties[code])); err != nil {
			return err
		}
	}
	for _, vkey := range k.Witnesses {
		name, _, _ := strings.Cut(strings.TrimSpace(vkey), "+")
		_, id, _ := RoleOf(name) // checked by verifiers
		if err := w.WriteFile(path.Join(WitnessKeyDir, id+".vkey"), keyFile(vkey)); err != nil {
			return err
		}
	}

	for _, t := range tlog.NewTiles(tileHeight, 0, n) {
		data, err := tlog.ReadTileData(t, src)
		if err != nil {
			return fmt.Errorf("ledger: export: %w", err)
		}
		if err := w.WriteFile(tilePath(t), data); err != nil {
			return err
		}
	}
	for start := int64(0); start < n; start += layout.EntryBundleWidth {
		count := min(n-start, layout.EntryBundleWidth)
		entries, err := src.ReadEntries(start, count)
		if err != nil {
			return fmt.Errorf("ledger: export: %w", err)
		}
		if err := w.WriteFile(bundlePath(start, n), marshalBundle(entries)); err != nil {
			return err
		}
	}
	for _, b := range cps {
		c, _, err := v.openCheckpoint(b)
		if err != nil {
			return fmt.Errorf("ledger: export: %w", err)
		}
		if err := w.WriteFile(checkpointHistoryPath(c.Size), b); err != nil {
			return err
		}
	}
	return w.WriteFile(layout.CheckpointPath, cps[len(cps)-1])
}

// tilePath is the C2SP tlog-tiles path of tlog tile t.
func tilePath(t tlog.Tile) string {
	return layout.TilePath(uint64(t.L), uint64(t.N), partialWidth(t.W))
}

func partialWidth(w int) uint8 {
	if w == 1<<tileHeight {
		return 0
	}
	return uint8(w)
}

// bundlePath is the path of the entry bundle holding entry start in a tree of size n.
func bundlePath(start, n int64) string {
	return layout.EntriesPathForLogIndex(uint64(start), uint64(n))
}

// marshalBundle encodes entries as a C2SP tlog-tiles entry bundle: each
// entry preceded by its length as a big-endian uint16. (tessera/api's
// EntryBundle reads this; tessera writes it in its storage, which we do not
// use here.)
func marshalBundle(entries [][]byte) []byte {
	size := 0
	for _, e := range entries {
		size += 2 + len(e)
	}
	b := make([]byte, 0, size)
	for _, e := range entries {
		b = binary.BigEndian.AppendUint16(b, uint16(len(e)))
		b = append(b, e...)
	}
	return b
}

func checkpointHistoryPath(size int64) string {
	return CheckpointsDir + "/" + strconv.FormatInt(size, 10)
}
