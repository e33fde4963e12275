package ledger

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	flog "github.com/transparency-dev/formats/log"
	"golang.org/x/mod/sumdb/note"
)

// Checkpoint is a signed tree head in the C2SP tlog-checkpoint format: the
// origin line, the tree size, the base64 root hash, and one extension line
// "time 2026-11-22T04:09:00.123Z", the log's clock when it signed. The time
// lets anyone check that no entry is dated before a checkpoint it cites.
type Checkpoint struct {
	Origin string
	Size   int64
	Hash   Hash
	Time   time.Time // UTC, in milliseconds

	// Cosigners are the witnesses whose cosignatures verified, by key name,
	// sorted. Filled by OpenCheckpoint.
	Cosigners []string
}

// Ref returns the reference an entry carries to c.
func (c *Checkpoint) Ref() CheckpointRef { return CheckpointRef{Size: c.Size, Hash: c.Hash} }

// Text returns the note text of the checkpoint.
func (c *Checkpoint) Text() []byte {
	t := flog.Checkpoint{Origin: c.Origin, Size: uint64(c.Size), Hash: c.Hash[:]}.Marshal()
	return fmt.Appendf(t, "time %s\n", c.Time.UTC().Format(timeLayout))
}

func signCheckpoint(c *Checkpoint, s note.Signer) ([]byte, error) {
	return note.Sign(&note.Note{Text: string(c.Text())}, s)
}

// OpenCheckpoint parses a signed checkpoint and checks it: the log's
// signature under k.Log, the origin (the log key's name), the one time
// extension line, and every cosignature by a witness of k (a cosignature
// that does not verify is an error, not one to ignore). It does not judge
// whether enough witnesses cosigned: see CheckCosignatures.
func OpenCheckpoint(b []byte, k Keys) (*Checkpoint, error) {
	v, err := k.verifiers()
	if err != nil {
		return nil, err
	}
	c, _, err := v.openCheckpoint(b)
	return c, err
}

func (v *verifiers) openCheckpoint(b []byte) (*Checkpoint, *note.Note, error) {
	lc, ext, n, err := flog.ParseCheckpoint(b, v.origin, v.log, v.witnesses...)
	if err != nil {
		return nil, nil, fmt.Errorf("checkpoint does not verify under the log key %s: %v", v.origin, err)
	}
	c, err := checkpointOf(lc, ext)
	if err != nil {
		return nil, nil, err
	}
	if !bytes.Equal(c.Text(), []byte(n.Text)) {
		return nil, nil, errors.New("checkpoint is not in canonical form")
	}
	if err := strictSigs(n); err != nil {
		return nil, nil, err
	}
	for _, s := range n.Sigs {
		if s.Name != v.origin {
			c.Cosigners = append(c.Cosigners, s.Name)
		}
	}
	return c, n, nil
}

// checkpointOf returns the checkpoint of a parsed note text, whose
// extension lines are ext.
func checkpointOf(lc *flog.Checkpoint, ext []byte) (*Checkpoint, error) {
	if len(lc.Hash) != len(Hash{}) || lc.Size > 1<<62 {
		return nil, errors.New("checkpoint is malformed: bad hash length or size")
	}
	c := &Checkpoint{Origin: lc.Origin, Size: int64(lc.Size), Hash: Hash(lc.Hash)}
	line, ok := strings.CutPrefix(string(ext), "time ")
	line, ok2 := strings.CutSuffix(line, "\n")
	if !ok || !ok2 || strings.Contains(line, "\n") {
		return nil, errors.New("checkpoint lacks its one extension line \"time ...\"")
	}
	var err error
	if c.Time, err = time.Parse(timeLayout, line); err != nil {
		return nil, fmt.Errorf("checkpoint time: %v", err)
	}
	return c, nil
}

// readCheckpoint parses a checkpoint the log stored in its State, without
// checking signatures (the State is the log's own, and what went into it
// was checked or signed by the log): the text must be a canonical
// checkpoint of this log. Cosigners is not filled.
func (v *verifiers) readCheckpoint(b []byte) (*Checkpoint, error) {
	i := bytes.Index(b, []byte("\n\n"))
	if i < 0 {
		return nil, errors.New("checkpoint is not a signed note")
	}
	text := b[:i+1]
	var lc flog.Checkpoint
	ext, err := lc.Unmarshal(text)
	if err != nil {
		return nil, fmt.Errorf("checkpoint: %v", err)
	}
	if lc.Origin != v.origin {
		return nil, fmt.Errorf("checkpoint is of %q, not of this log (%s)", lc.Origin, v.origin)
	}
	c, err := checkpointOf(&lc, ext)
	if err != nil {
		return nil, err
	}
	if !bytes.Equal(c.Text(), text) {
		return nil, errors.New("checkpoint is not in canonical form")
	}
	return c, nil
}

// CheckCosignatures reports an error naming the first missing witness if
// fewer than quorum of k's witnesses cosigned c; quorum 0 means all of them.
func CheckCosignatures(c *Checkpoint, k Keys, quorum int) error {
	v, err := k.verifiers()
	if err != nil {
		return err
	}
	return v.checkCosignatures(c, quorum)
}

func (v *verifiers) checkCosignatures(c *Checkpoint, quorum int) error {
	if quorum <= 0 || quorum > len(v.witnesses) {
		quorum = len(v.witnesses)
	}
	have := map[string]bool{}
	for _, name := range c.Cosigners {
		have[name] = true
	}
	var missing []string
	for _, w := range v.witnesses {
		if !have[w.Name()] {
			missing = append(missing, w.Name())
		}
	}
	if got := len(v.witnesses) - len(missing); got < quorum {
		return fmt.Errorf("missing cosignature of %s (%d of %d required witnesses cosigned)", strings.Join(missing, ", "), got, quorum)
	}
	return nil
}

// strictSigs refuses signatures in non-canonical base64 (note.Open accepts
// stray padding bits), so that one checkpoint or entry has one encoding.
func strictSigs(n *note.Note) error {
	for _, l := range [][]note.Signature{n.Sigs, n.UnverifiedSigs} {
		for _, s := range l {
			if _, err := base64.StdEncoding.Strict().DecodeString(s.Base64); err != nil {
				return fmt.Errorf("signature of %s is not in canonical base64", s.Name)
			}
		}
	}
	return nil
}
