package ledger

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/transparency-dev/tessera/api"
	"golang.org/x/mod/sumdb/note"
)

func TestVerifyExport(t *testing.T) {
	f := newFixture(t)
	f.grow(300, 64)
	trusted, _ := f.checkpoint(128)
	fsys := f.export()
	rep, err := Verify(fsys, VerifyOptions{Keys: &f.keys, Trusted: trusted})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Size != 300 || rep.Parties["UA"] != 150 || rep.Parties["RU"] != 150 || len(rep.Cosigners) != 2 ||
		rep.Origin != "tally-log-TR" || rep.TrustedSize == nil || *rep.TrustedSize != 128 || rep.Checkpoints != 6 {
		t.Fatalf("report %+v", rep)
	}
	for _, p := range []string{"checkpoint", "checkpoints/0", "checkpoints/300", "tile/0/000", "tile/0/001.p/44",
		"tile/1/000.p/1", "tile/entries/000", "tile/entries/001.p/44", "keys/log.vkey", "keys/parties/UA.vkey",
		"keys/parties/RU.vkey", "keys/witnesses/UA.vkey", "keys/witnesses/RU.vkey"} {
		if fsys[p] == nil {
			t.Errorf("export lacks %s", p)
		}
	}
	// Bundles are what tessera reads.
	var b api.EntryBundle
	if err := b.UnmarshalText(fsys["tile/entries/000"].Data); err != nil || len(b.Entries) != 256 || !bytes.Equal(b.Entries[5], f.entryAt(5)) {
		t.Fatalf("bundle: %v, %d entries", err, len(b.Entries))
	}
}

func TestVerifyEmptyAndOnDisk(t *testing.T) {
	f := newFixture(t)
	if _, err := Verify(f.export(), VerifyOptions{}); err != nil {
		t.Fatalf("empty log: %v", err)
	}
	f.grow(3, 3)
	dir := t.TempDir()
	if err := Export(DirWriter(dir), f.log); err != nil {
		t.Fatal(err)
	}
	if _, err := Verify(os.DirFS(dir), VerifyOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := Verify(os.DirFS(t.TempDir()), VerifyOptions{}); err == nil || errors.As(err, new(*VerifyError)) {
		t.Fatalf("an empty directory: %v; want an error that is not a VerifyError", err)
	}
}

// editEntry returns fsys with entry i of bundle path p replaced by edit(entry).
func editBundle(t *testing.T, fsys fstest.MapFS, p string, edit func(entries [][]byte)) {
	t.Helper()
	var b api.EntryBundle
	if err := b.UnmarshalText(fsys[p].Data); err != nil {
		t.Fatal(err)
	}
	edit(b.Entries)
	fsys[p] = &fstest.MapFile{Data: marshalBundle(b.Entries)}
}

func removeSig(cp []byte, name string) []byte {
	var out []string
	for _, l := range strings.SplitAfter(string(cp), "\n") {
		if !strings.HasPrefix(l, "— "+name+" ") {
			out = append(out, l)
		}
	}
	return []byte(strings.Join(out, ""))
}

// truncate makes f's log a copy of its first n entries and the checkpoints
// up to n, as a mediator would who rewrites the log from there.
func (f *fixture) truncate(n int64) {
	f.t.Helper()
	f.now() // as NewLog would read the clock
	st := NewMemState()
	for _, b := range f.checkpoints() {
		c, err := OpenCheckpoint(b, f.keys)
		if err != nil {
			f.t.Fatal(err)
		}
		if c.Size <= n {
			if err := st.PutCheckpoint(c.Size, b); err != nil {
				f.t.Fatal(err)
			}
		}
	}
	g, err := OpenLog(f.log.cfg, st)
	if err != nil {
		f.t.Fatal(err)
	}
	for _, b := range f.entries()[:n] {
		e, _ := DecodeEntry(b)
		if _, err := g.add(b, e); err != nil {
			f.t.Fatal(err)
		}
	}
	f.log = g
}

func TestVerifyCatchesTampering(t *testing.T) {
	cases := []struct {
		name    string
		tamper  func(t *testing.T, f *fixture, fsys fstest.MapFS) // edits the export; f is grown to 40 entries, published every 10
		rebuild func(t *testing.T, f *fixture)                    // or rewrites the log before the export
		trusted int64                                             // size of a trusted checkpoint, taken before rebuild
		want    string
	}{
		{
			name: "an entry changed",
			tamper: func(t *testing.T, f *fixture, fsys fstest.MapFS) {
				editBundle(t, fsys, "tile/entries/000.p/40", func(es [][]byte) {
					es[17] = bytes.Replace(es[17], []byte("kind list-version"), []byte("kind list-versiom"), 1)
				})
			},
			want: "entry 17: signature does not verify under RU's key",
		},
		{
			name: "entries reordered in the bundle",
			tamper: func(t *testing.T, f *fixture, fsys fstest.MapFS) {
				editBundle(t, fsys, "tile/entries/000.p/40", func(es [][]byte) { es[4], es[5] = es[5], es[4] })
			},
			want: "entry 4: its leaf hash differs from the one in tile/0/000.p/40",
		},
		{
			name: "entries reordered and the tree rebuilt and re-signed by the mediator",
			rebuild: func(t *testing.T, f *fixture) {
				es := f.entries()
				f.truncate(0)
				es[4], es[6] = es[6], es[4] // both UA's
				for _, b := range es {
					f.appendUnchecked(b)
				}
				f.witnesses = f.newWitnesses() // witnesses that never saw the log
				f.publish()
			},
			want: "entry 4: UA's seq is 4, but its previous entry had 2",
		},
		{
			name: "a payload byte changed in the log's entry commitment",
			tamper: func(t *testing.T, f *fixture, fsys fstest.MapFS) {
				editBundle(t, fsys, "tile/entries/000.p/40", func(es [][]byte) {
					e, _ := DecodeEntry(es[9])
					e.Commitment[0] ^= 1
					es[9], _ = e.Encode()
				})
			},
			want: "entry 9: signature does not verify under RU's key",
		},
		{
			name:    "truncated and rewritten: a fork of a trusted checkpoint",
			trusted: 40,
			rebuild: func(t *testing.T, f *fixture) {
				f.truncate(30)
				f.witnesses = f.newWitnesses() // colluding, or never told
				f.grow(15, 15)
			},
			want: "trusted checkpoint: not an extension of the trusted checkpoint at size 40: consistency proof fails",
		},
		{
			name:    "truncated below a trusted checkpoint",
			trusted: 40,
			rebuild: func(t *testing.T, f *fixture) { f.truncate(30) },
			want:    "trusted checkpoint: the log has 30 entries, fewer than the 40 of the trusted checkpoint: it was truncated",
		},
		{
			name: "an entry naming UA signed by RU's key",
			rebuild: func(t *testing.T, f *fixture) {
				b, _ := f.entry("UA", []byte("x"), f.party["RU"])
				f.appendUnchecked(b)
				f.publish()
			},
			want: "entry 40: signature does not verify under UA's key (signed by tally-party-RU)",
		},
		{
			name: "an entry naming UA signed by the mediator's key",
			rebuild: func(t *testing.T, f *fixture) {
				b, _ := f.entry("UA", []byte("x"), f.logSigner)
				f.appendUnchecked(b)
				f.publish()
			},
			want: "entry 40: signature does not verify under UA's key (signed by tally-log-TR)",
		},
		{
			name: "a back-dated entry",
			rebuild: func(t *testing.T, f *fixture) {
				seq, last := f.chain("UA")
				cp := f.latest()
				e := &Entry{Kind: KindListVersion, Party: "UA", Seq: seq + 1, Prev: last, Time: cp.Time.Add(-time.Millisecond), Checkpoint: cp.Ref()}
				b, _ := e.Sign(f.party["UA"])
				f.appendUnchecked(b)
				f.publish()
			},
			want: "entry 40: back-dated: dated 2026-11-22T04:01:24.999Z, before the checkpoint it cites (size 40, 2026-11-22T04:01:25.000Z)",
		},
		{
			name: "an entry citing a checkpoint the log never signed",
			rebuild: func(t *testing.T, f *fixture) {
				seq, last := f.chain("UA")
				ref := f.latest().Ref()
				ref.Hash[0] ^= 1
				e := &Entry{Kind: KindListVersion, Party: "UA", Seq: seq + 1, Prev: last, Time: NormalTime(f.now()), Checkpoint: ref}
				b, _ := e.Sign(f.party["UA"])
				f.appendUnchecked(b)
				f.publish()
			},
			want: "entry 40: cites a checkpoint of size 40 with root",
		},
		{
			name: "a missing cosignature",
			tamper: func(t *testing.T, f *fixture, fsys fstest.MapFS) {
				fsys["checkpoint"].Data = removeSig(fsys["checkpoint"].Data, "tally-witness-UA")
			},
			want: "checkpoint: missing cosignature of tally-witness-UA",
		},
		{
			name: "a forged cosignature",
			tamper: func(t *testing.T, f *fixture, fsys fstest.MapFS) {
				d := fsys["checkpoint"].Data
				i := bytes.Index(d, []byte("— tally-witness-RU ")) + len("— tally-witness-RU ") + 20
				d[i] ^= 1
			},
			want: "checkpoint: checkpoint does not verify under the log key tally-log-TR",
		},
		{
			name: "a checkpoint signed by another key",
			tamper: func(t *testing.T, f *fixture, fsys fstest.MapFS) {
				c, _ := OpenCheckpoint(fsys["checkpoint"].Data, f.keys)
				b, _ := note.Sign(&note.Note{Text: string(c.Text())}, f.party["UA"])
				fsys["checkpoint"].Data = b
			},
			want: "checkpoint: checkpoint does not verify under the log key tally-log-TR",
		},
		{
			name: "a tile changed",
			tamper: func(t *testing.T, f *fixture, fsys fstest.MapFS) {
				fsys["tile/0/000.p/40"].Data[32*39] ^= 1
			},
			want: "entry 39: its leaf hash differs",
		},
		{
			name:   "a bundle removed",
			tamper: func(t *testing.T, f *fixture, fsys fstest.MapFS) { delete(fsys, "tile/entries/000.p/40") },
			want:   "entry 0: its bundle tile/entries/000.p/40 is missing",
		},
		{
			name: "a past checkpoint replaced by one of another tree",
			tamper: func(t *testing.T, f *fixture, fsys fstest.MapFS) {
				c, _ := OpenCheckpoint(fsys["checkpoints/10"].Data, f.keys)
				c.Hash[5] ^= 1
				fsys["checkpoints/10"].Data, _ = signCheckpoint(c, f.logSigner)
			},
			want: "entry 10: cites a checkpoint of size 10 with root",
		},
		{
			name: "a past checkpoint signed later than a larger one",
			tamper: func(t *testing.T, f *fixture, fsys fstest.MapFS) {
				c, _ := OpenCheckpoint(fsys["checkpoints/10"].Data, f.keys)
				c.Time = c.Time.Add(time.Hour)
				fsys["checkpoints/10"].Data, _ = signCheckpoint(c, f.logSigner)
			},
			want: "checkpoints/20: dated",
		},
		{
			name: "a party's key replaced in the export",
			tamper: func(t *testing.T, f *fixture, fsys fstest.MapFS) {
				_, v := mustKey(t, RoleParty, "UA")
				fsys["keys/parties/UA.vkey"].Data = keyFile(v)
			},
			want: "keys: the export's key of party UA differs from the trusted one",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			f.grow(40, 10)
			var trusted []byte
			if c.trusted > 0 {
				trusted, _ = f.checkpoint(c.trusted)
			}
			if c.rebuild != nil {
				c.rebuild(t, f)
			}
			fsys := f.export()
			if c.tamper != nil {
				c.tamper(t, f, fsys)
			}
			_, err := Verify(fsys, VerifyOptions{Keys: &f.keys, Trusted: trusted})
			var ve *VerifyError
			if !errors.As(err, &ve) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("Verify: %v\nwant a VerifyError containing %q", err, c.want)
			}
			if c.rebuild != nil && c.trusted > 0 {
				// Without the trusted checkpoint the rewritten log is self-consistent:
				// only what a party kept can catch the rewrite.
				if _, err := Verify(fsys, VerifyOptions{Keys: &f.keys}); err != nil {
					t.Fatalf("rewritten log without a trusted checkpoint: %v", err)
				}
			}
		})
	}
}
