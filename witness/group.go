package witness

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"

	flog "github.com/transparency-dev/formats/log"
	fnote "github.com/transparency-dev/formats/note"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// Remote names a witness a log asks for cosignatures.
type Remote struct {
	URL  string // the witness's submission prefix
	VKey string // its cosignature/v1 verifier key, as registered in ledger.Keys.Witnesses
}

// Prover gives consistency proofs of the log; *ledger.Log is one. It is
// an alias of an interface literal, as tally.Prover is, so that the two are
// one type and a *Group serves as a tally.Cosigner as it is.
type Prover = interface {
	ConsistencyProof(older, newer int64) (tlog.TreeProof, error)
}

// Group is the set of witnesses a log asks, all at once, to cosign each
// checkpoint. It remembers the size each witness last cosigned, so that
// one round trip usually does (two after a restart: the first is answered
// 409 with the witness's size). It is safe for concurrent use.
type Group struct {
	members []*member
	proofMu sync.Mutex // Prover is called by one goroutine at a time
}

type member struct {
	name   string
	client *Client
	v      note.Verifier

	mu   sync.Mutex // one request at a time to a witness, so old sizes do not race
	size uint64     // the size it last cosigned, as far as we know (0: unknown)
}

// NewGroup returns the group of witnesses remotes; hc is shared by their
// clients (nil: NewHTTPClient()).
func NewGroup(remotes []Remote, hc *http.Client) (*Group, error) {
	if hc == nil {
		hc = NewHTTPClient()
	}
	g := &Group{}
	seen := map[string]bool{}
	for _, r := range remotes {
		v, err := fnote.NewVerifierForCosignatureV1(strings.TrimSpace(r.VKey))
		if err != nil {
			return nil, fmt.Errorf("witness: key %q: %v (a witness key is a cosignature/v1 vkey)", r.VKey, err)
		}
		if seen[v.Name()] {
			return nil, fmt.Errorf("witness: witness %s is named twice", v.Name())
		}
		seen[v.Name()] = true
		c, err := NewClient(r.URL, hc)
		if err != nil {
			return nil, err
		}
		g.members = append(g.members, &member{name: v.Name(), client: c, v: v})
	}
	sort.Slice(g.members, func(i, j int) bool { return g.members[i].name < g.members[j].name })
	return g, nil
}

// CosignError is a witness's failure to cosign a checkpoint.
type CosignError struct {
	Witness string // its key name
	Err     error  // often an *Error
}

func (e *CosignError) Error() string {
	return fmt.Sprintf("witness %s did not cosign: %v", e.Witness, e.Err)
}
func (e *CosignError) Unwrap() error { return e.Err }

// Cosign sends checkpoint, signed by the log, to every witness of the group
// at once, each with a consistency proof from the size it last cosigned
// (asked of p), and returns the checkpoint with every cosignature it got
// and verified, appended after the signatures it had (ledger's
// AddCosignatures takes it as it is). The error, if any, joins a
// *CosignError for each witness that did not cosign: the caller judges
// whether the ones that did make its quorum.
//
// p must not change the tree of size up to the checkpoint's while Cosign
// runs; appending to it is fine, since proofs between sizes up to the
// checkpoint's do not change.
func (g *Group) Cosign(ctx context.Context, checkpoint []byte, p Prover) ([]byte, error) {
	size, err := checkpointSize(checkpoint)
	if err != nil {
		return nil, err
	}
	lines := make([][]byte, len(g.members))
	errs := make([]error, len(g.members))
	var wg sync.WaitGroup
	for i, m := range g.members {
		if hasSignature(checkpoint, m.v) {
			continue
		}
		wg.Go(func() {
			lines[i], errs[i] = g.cosign(ctx, m, size, checkpoint, p)
			if errs[i] != nil {
				errs[i] = &CosignError{Witness: m.name, Err: errs[i]}
			}
		})
	}
	wg.Wait()
	out := append([]byte(nil), checkpoint...)
	for _, l := range lines {
		out = append(out, l...)
	}
	return out, errors.Join(errs...)
}

// maxAttempts bounds the requests to one witness for one checkpoint: the
// first, and one retry from the size a 409 reports (and one more, in case
// the witness moved on in between).
const maxAttempts = 3

func (g *Group) cosign(ctx context.Context, m *member, size uint64, checkpoint []byte, p Prover) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	old := m.size
	for range maxAttempts {
		if old > size {
			// Known from an earlier 409, or just learned.
			return nil, &Error{Code: CodeConflict, Size: old,
				Msg: fmt.Sprintf("it has cosigned a checkpoint of size %d, larger than this one (%d): the log was rolled back, or this checkpoint is stale", old, size)}
		}
		proof, err := g.proof(p, old, size)
		if err != nil {
			return nil, err
		}
		sigs, err := m.client.AddCheckpoint(ctx, old, proof, checkpoint)
		if e, ok := errors.AsType[*Error](err); ok && e.Code == CodeConflict {
			if e.Size == old {
				// Same size as sent: the witness holds another tree of that size.
				return nil, fmt.Errorf("%w: the witness holds another tree of size %d than this log: the log forked, or was rolled back", e, old)
			}
			old = e.Size
			m.size = e.Size
			continue
		}
		if err != nil {
			return nil, err
		}
		line, err := verifyCosignature(checkpoint, sigs, m.v)
		if err != nil {
			return nil, err
		}
		m.size = size
		return line, nil
	}
	return nil, fmt.Errorf("the witness's size kept changing (now %d): another log process may be talking to it", old)
}

func (g *Group) proof(p Prover, old, size uint64) (tlog.TreeProof, error) {
	if old == 0 || old == size {
		return nil, nil
	}
	g.proofMu.Lock()
	defer g.proofMu.Unlock()
	proof, err := p.ConsistencyProof(int64(old), int64(size))
	if err != nil {
		return nil, fmt.Errorf("consistency proof from %d to %d: %w", old, size, err)
	}
	return proof, nil
}

// verifyCosignature returns the signature lines of sigs that verify under
// v over checkpoint's text (ignoring others, as the protocol says), and
// an error if there is none.
func verifyCosignature(checkpoint, sigs []byte, v note.Verifier) ([]byte, error) {
	n, err := note.Open(append(append([]byte(nil), checkpoint...), sigs...), note.VerifierList(v))
	if err != nil {
		return nil, fmt.Errorf("the cosignature does not verify under the witness's key %s: %v", v.Name(), err)
	}
	var out []byte
	for _, s := range n.Sigs {
		out = fmt.Appendf(out, "— %s %s\n", s.Name, s.Base64)
	}
	return out, nil
}

// checkpointSize returns the tree size of a signed checkpoint, unverified.
func checkpointSize(checkpoint []byte) (uint64, error) {
	i := bytes.LastIndex(checkpoint, []byte("\n\n"))
	if i < 0 {
		return 0, errors.New("witness: the checkpoint is not a signed note")
	}
	var c flog.Checkpoint
	if _, err := c.Unmarshal(checkpoint[:i+1]); err != nil {
		return 0, fmt.Errorf("witness: the checkpoint is malformed: %v", err)
	}
	return c.Size, nil
}

// hasSignature reports whether the signed note b already carries a valid
// signature under v.
func hasSignature(b []byte, v note.Verifier) bool {
	n, err := note.Open(b, note.VerifierList(v))
	return err == nil && len(n.Sigs) > 0
}
