package witness

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	flog "github.com/transparency-dev/formats/log"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"tally/ledger"
)

// Log is a log the witness cosigns for.
type Log struct {
	// Origin is the checkpoints' origin line; empty means the name of
	// Verifier's key (tally-log-TR: a tally log's origin is its key's name).
	Origin string
	// Verifier is the log's public key in signed-note vkey form.
	Verifier string
}

// Config sets up a Witness.
type Config struct {
	// Key is the witness's private key in signed-note form, named
	// tally-witness-ID (ledger.WriteKeyFiles writes one). It signs
	// cosignature/v1 cosignatures (c2sp.org/tlog-cosignature).
	Key string
	// Logs are the logs the witness knows; a checkpoint of any other
	// origin is refused.
	Logs []Log
	// StatePath is the JSON file that keeps, for each log, the latest
	// checkpoint cosigned. It is created if missing and replaced
	// atomically after each cosignature. Losing it lets the witness be
	// rolled back: keep it, back it up. Empty means in memory only, for
	// tests.
	StatePath string
	// Now is the witness's clock, recorded in the state; nil means time.Now.
	// (The cosignature's own timestamp is the system clock's, set by
	// github.com/transparency-dev/formats/note.)
	Now func() time.Time
	// Logger receives one line per refusal (the evidence of a fork
	// among them); nil discards.
	Logger *slog.Logger
}

// Witness cosigns checkpoints of the logs it knows, each only if it is
// consistent with the latest one it cosigned of that log (see the package
// documentation). It is safe for concurrent use: checks and the state's
// update happen under one lock, as the protocol requires.
type Witness struct {
	signer note.Signer
	logs   map[string]note.Verifier // by origin
	path   string
	now    func() time.Time
	logger *slog.Logger

	mu    sync.Mutex
	state *state
}

// New returns a witness with the state read from cfg.StatePath, or an
// empty state if the file does not exist.
func New(cfg Config) (*Witness, error) {
	s, err := ledger.NewSigner(cfg.Key)
	if err != nil {
		return nil, fmt.Errorf("witness: %w", err)
	}
	if r, _, ok := ledger.RoleOf(s.Name()); !ok || r != ledger.RoleWitness {
		return nil, fmt.Errorf("witness: the key is named %q: a witness key's name must be %sID (see tally keys)", s.Name(), ledger.WitnessKeyPrefix)
	}
	w := &Witness{signer: s, logs: map[string]note.Verifier{}, path: cfg.StatePath, now: cfg.Now, logger: cfg.Logger}
	if w.now == nil {
		w.now = time.Now
	}
	if w.logger == nil {
		w.logger = slog.New(slog.DiscardHandler)
	}
	if len(cfg.Logs) == 0 {
		return nil, errors.New("witness: no logs configured: name at least one log's origin and key")
	}
	for _, l := range cfg.Logs {
		v, err := note.NewVerifier(strings.TrimSpace(l.Verifier))
		if err != nil {
			return nil, fmt.Errorf("witness: log key %q: %v", l.Verifier, err)
		}
		origin := l.Origin
		if origin == "" {
			origin = v.Name()
		}
		if origin == "" || strings.ContainsAny(origin, "\n") {
			return nil, fmt.Errorf("witness: log origin %q is not one line", origin)
		}
		if _, dup := w.logs[origin]; dup {
			return nil, fmt.Errorf("witness: log %s is configured twice", origin)
		}
		w.logs[origin] = v
	}
	if w.state, err = loadState(w.path); err != nil {
		return nil, err
	}
	return w, nil
}

// Name returns the name of the witness's key, the name its cosignatures carry.
func (w *Witness) Name() string { return w.signer.Name() }

// Latest returns the latest checkpoint of the log of origin that the
// witness cosigned, with its cosignature, and its size; ok is false if it
// has cosigned none.
func (w *Witness) Latest(origin string) (checkpoint []byte, size uint64, ok bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	l := w.state.Logs[origin]
	if l == nil {
		return nil, 0, false
	}
	return []byte(l.Checkpoint), l.Size, true
}

// maxProof is the most consistency proof lines a request may carry (c2sp.org/tlog-witness).
const maxProof = 63

// AddCheckpoint is the add-checkpoint call without HTTP: it checks
// checkpoint (a signed note) against the log's key and, by proof, against
// the latest checkpoint of size oldSize the witness cosigned, records it,
// and returns the witness's cosignature line(s). A refusal is an *Error.
func (w *Witness) AddCheckpoint(oldSize uint64, proof [][]byte, checkpoint []byte) ([]byte, error) {
	origin, _, ok := bytes.Cut(checkpoint, []byte("\n"))
	if !ok {
		return nil, errorf(CodeMalformed, "the checkpoint has no origin line")
	}
	v := w.logs[string(origin)]
	if v == nil {
		return nil, errorf(CodeUnknownLog, "no log of origin %q is known to this witness", truncate(origin))
	}
	n, err := note.Open(checkpoint, note.VerifierList(v))
	if err != nil {
		var unverified *note.UnverifiedNoteError
		var invalid *note.InvalidSignatureError
		if errors.As(err, &unverified) || errors.As(err, &invalid) {
			return nil, errorf(CodeBadSignature, "the checkpoint carries no valid signature of %s's key", origin)
		}
		return nil, errorf(CodeMalformed, "the checkpoint is not a signed note: %v", err)
	}
	var c flog.Checkpoint
	if _, err := c.Unmarshal([]byte(n.Text)); err != nil {
		return nil, errorf(CodeMalformed, "the checkpoint is malformed: %v", err)
	}
	if len(c.Hash) != tlog.HashSize {
		return nil, errorf(CodeMalformed, "the checkpoint's root hash is %d bytes, not %d", len(c.Hash), tlog.HashSize)
	}
	if c.Size >= 1<<62 {
		return nil, errorf(CodeMalformed, "the checkpoint's size %d is too large", c.Size)
	}
	root := tlog.Hash(c.Hash)
	if c.Size == 0 && root != emptyRoot {
		return nil, errorf(CodeBadProof, "a checkpoint of size 0 must have the empty tree's root hash")
	}
	if oldSize > c.Size {
		return nil, errorf(CodeMalformed, "old size %d is larger than the checkpoint's size %d", oldSize, c.Size)
	}
	if len(proof) > maxProof {
		return nil, errorf(CodeMalformed, "%d consistency proof lines: at most %d are allowed", len(proof), maxProof)
	}
	tp := make(tlog.TreeProof, len(proof))
	for i, h := range proof {
		if len(h) != tlog.HashSize {
			return nil, errorf(CodeMalformed, "consistency proof hash %d is %d bytes, not %d", i, len(h), tlog.HashSize)
		}
		tp[i] = tlog.Hash(h)
	}

	w.mu.Lock()
	defer w.mu.Unlock()
	prev := w.state.Logs[c.Origin]
	var prevSize uint64
	var prevRoot tlog.Hash
	if prev != nil {
		prevSize, prevRoot = prev.Size, prev.root()
	}
	switch {
	case oldSize != prevSize:
		w.logger.Info("witness: stale old size", "origin", c.Origin, "old", oldSize, "size", c.Size, "have", prevSize)
		return nil, &Error{Code: CodeConflict, Size: prevSize,
			Msg: fmt.Sprintf("old size %d is not the size of the latest checkpoint cosigned, %d: send a consistency proof from %d", oldSize, prevSize, prevSize)}
	case oldSize == 0 && len(tp) != 0:
		return nil, errorf(CodeBadProof, "old size is 0, so the consistency proof must be empty")
	case prev != nil && c.Size == prevSize:
		if root != prevRoot {
			w.logger.Error("witness: FORK: a checkpoint signed by the log has the size of the latest cosigned but another root",
				"origin", c.Origin, "size", c.Size, "cosigned", prev.Checkpoint, "refused", string(checkpoint))
			w.keepEvidence(c.Origin, checkpoint)
			return nil, &Error{Code: CodeConflict, Size: prevSize,
				Msg: fmt.Sprintf("the checkpoint of size %d has another root hash than the one cosigned: the log has forked", c.Size)}
		}
		if len(tp) != 0 {
			return nil, errorf(CodeBadProof, "old size is the checkpoint's size, so the consistency proof must be empty")
		}
	case prevSize > 0:
		if err := tlog.CheckTree(tp, int64(c.Size), root, int64(prevSize), prevRoot); err != nil {
			w.logger.Warn("witness: bad consistency proof", "origin", c.Origin, "old", prevSize, "size", c.Size, "checkpoint", string(checkpoint))
			return nil, errorf(CodeBadProof, "the checkpoint of size %d is not proved consistent with the one cosigned, of size %d: %v", c.Size, prevSize, err)
		}
	}

	line, err := w.cosign(n.Text)
	if err != nil {
		return nil, errorf(CodeInternal, "signing: %v", err)
	}
	next := w.state.clone()
	next.Logs[c.Origin] = &logState{
		Size:       c.Size,
		Hash:       base64.StdEncoding.EncodeToString(c.Hash),
		Checkpoint: string(checkpoint) + string(line),
		Time:       w.now().UTC(),
		Evidence:   evidenceOf(prev),
	}
	if err := saveState(w.path, next); err != nil {
		return nil, errorf(CodeInternal, "%v", err)
	}
	w.state = next
	return line, nil
}

// cosign returns the witness's signature line over the note text.
func (w *Witness) cosign(text string) ([]byte, error) {
	sig, err := w.signer.Sign([]byte(text))
	if err != nil {
		return nil, err
	}
	var b []byte
	b = binary.BigEndian.AppendUint32(b, w.signer.KeyHash())
	b = append(b, sig...)
	return fmt.Appendf(nil, "— %s %s\n", w.signer.Name(), base64.StdEncoding.EncodeToString(b)), nil
}

// maxEvidence is how many forked checkpoints are kept for each log.
const maxEvidence = 16

// keepEvidence records a checkpoint signed by the log that forks from the
// one cosigned: with it, anyone can show the log's misbehaviour. Failing to
// write it is logged, not returned: the refusal stands either way.
func (w *Witness) keepEvidence(origin string, checkpoint []byte) {
	prev := w.state.Logs[origin]
	if len(prev.Evidence) >= maxEvidence {
		return
	}
	for _, e := range prev.Evidence {
		if e == string(checkpoint) {
			return
		}
	}
	next := w.state.clone()
	l := *prev
	l.Evidence = append(evidenceOf(prev), string(checkpoint))
	next.Logs[origin] = &l
	if err := saveState(w.path, next); err != nil {
		w.logger.Error("witness: keeping the evidence of a fork", "origin", origin, "err", err)
		return
	}
	w.state = next
}

// Evidence returns the checkpoints of the log of origin that the witness
// refused because they forked from one it had cosigned: each is signed by
// the log, and has the size of a checkpoint the witness cosigned but
// another root hash.
func (w *Witness) Evidence(origin string) [][]byte {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out [][]byte
	if l := w.state.Logs[origin]; l != nil {
		for _, e := range l.Evidence {
			out = append(out, []byte(e))
		}
	}
	return out
}

func evidenceOf(l *logState) []string {
	if l == nil {
		return nil
	}
	return append([]string(nil), l.Evidence...)
}

var emptyRoot, _ = tlog.TreeHash(0, nil)

// truncate shortens untrusted text for an error message.
func truncate(b []byte) string {
	if len(b) > 80 {
		return string(b[:80]) + "…"
	}
	return string(b)
}
