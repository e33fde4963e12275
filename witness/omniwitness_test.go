package witness_test

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	fnote "github.com/transparency-dev/formats/note"
	"golang.org/x/mod/sumdb/note"

	"tally/ledger"
	"tally/witness"
)

// TestOmniwitness runs tally's log and Group against an independent
// implementation of c2sp.org/tlog-witness: transparency-dev/witness's
// omniwitness, a Go tool dependency of this module (go.mod's tool line),
// on loopback, with its SQLite state. It makes no outbound calls: no
// distributor, bastion or public witness configuration is given.
//
// What it showed (witness v0.0.0-20260720115447-2e1c6971d19e):
//   - tally's checkpoints, with their "time" extension line, are accepted
//     and cosigned: omniwitness parses checkpoints with
//     transparency-dev/formats' log.ParseCheckpoint, which returns extension
//     lines as opaque "rest", and its cosignature/v1 signs the whole note
//     text, extension included, as c2sp.org/tlog-cosignature requires. No
//     change to the ledger was needed.
//   - 409 with text/x.tlog.size after a restart of the log (Group retries
//     from the size), 404 for an unknown origin, 422 for a bad consistency
//     proof: as the specification says.
//   - Where it departs from the specification (all refusals, which is what
//     matters; the test accepts either code and logs the difference):
//     a checkpoint of the size it cosigned with another root (a fork) is
//     answered 422, not 409 (witness/witness.go maps ErrRootMismatch so);
//     a checkpoint with no valid signature of the log's key is answered
//     500, not 403 (the error of formats' log.ParseCheckpoint is returned
//     unwrapped, not as ErrNoValidSignature); and, with --db_file, an
//     unknown origin is answered 500, not 404 (persistence/sqlite's Log
//     returns sql.ErrNoRows as an error instead of "not found").
//
// It skips if the tool cannot be built here, unless TALLY_TEST_OMNIWITNESS
// is set, which makes that a failure.
func TestOmniwitness(t *testing.T) {
	bin := buildOmniwitness(t)
	f := newFixture(t)
	owS, owV := mustKey(t, ledger.RoleWitness, "OW")
	f.keys.Witnesses = []string{owV}
	url := startOmniwitness(t, bin, owS, f.keys.Log)
	remote := witness.Remote{URL: url, VKey: owV}
	g := f.group(remote)
	v, err := fnote.NewVerifierForCosignatureV1(owV)
	if err != nil {
		t.Fatal(err)
	}

	a := f.newLog()
	cosign := func(g *witness.Group, l *ledger.Log, cp []byte) {
		t.Helper()
		out, err := g.Cosign(ctx(t), cp, l)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := note.Open(out, note.VerifierList(v)); err != nil {
			t.Fatalf("omniwitness's cosignature does not verify: %v\n%s", err, out)
		}
		if err := l.AddCosignatures(out); err != nil {
			t.Fatal(err)
		}
		c, err := ledger.OpenCheckpoint(out, f.keys)
		if err != nil {
			t.Fatal(err)
		}
		if err := ledger.CheckCosignatures(c, f.keys, 0); err != nil {
			t.Fatal(err)
		}
	}
	// The size-0 checkpoint, then growth with consistency proofs.
	cp0, _, _ := a.Checkpoint(0)
	cosign(g, a, cp0)
	for _, n := range []int{3, 1, 12} {
		cosign(g, a, f.grow(a, n, "a"))
	}
	if _, err := a.Receipt(sizeOf(t, a) - 1); err != nil {
		t.Fatal(err)
	}
	// A log that restarted knows nothing of the witness's size: 409, then
	// a retry with a proof from the size omniwitness named.
	cosign(f.group(remote), a, f.grow(a, 2, "a"))

	// Refusals, straight through the Client.
	c, err := witness.NewClient(url, nil)
	if err != nil {
		t.Fatal(err)
	}
	n := uint64(sizeOf(t, a))
	b := f.restore(a, 5)
	cpFork := f.grow(b, int(n)-5, "b") // same size, another root
	cpLarger := f.grow(b, 3, "b")      // larger, inconsistent
	pLarger, err := b.ConsistencyProof(int64(n), int64(n)+3)
	if err != nil {
		t.Fatal(err)
	}
	otherS, _ := mustKey(t, ledger.RoleLog, "TR")
	cpLatest, _, _ := a.Checkpoint(int64(n))
	forged := resign(t, cpLatest, mustSigner(t, otherS))
	xS, _ := mustKey(t, ledger.RoleLog, "XX")
	unknown := resign(t, bytes.Replace(cpLatest, []byte("tally-log-TR\n"), []byte("tally-log-XX\n"), 1), mustSigner(t, xS))
	for _, tt := range []struct {
		name  string
		old   uint64
		cp    []byte
		codes []witness.Code // what the spec says first, then what omniwitness says if it differs
	}{
		{"stale old size", 1, cpLatest, []witness.Code{witness.CodeConflict}},
		{"fork at the same size", n, cpFork, []witness.Code{witness.CodeConflict, witness.CodeBadProof}},
		{"rollback, larger", n, cpLarger, []witness.Code{witness.CodeBadProof}},
		{"unknown origin", n, unknown, []witness.Code{witness.CodeUnknownLog, witness.CodeInternal}},
		{"another key named as the log's", n, forged, []witness.Code{witness.CodeBadSignature, witness.CodeInternal}},
	} {
		proof := pLarger
		if tt.name != "rollback, larger" {
			proof = nil
		}
		_, err := c.AddCheckpoint(ctx(t), tt.old, proof, tt.cp)
		got := witness.CodeOf(err)
		ok := false
		for _, want := range tt.codes {
			ok = ok || got == want
		}
		if !ok {
			t.Errorf("%s: %v (code %v), want one of %v", tt.name, err, got, tt.codes)
		} else if got != tt.codes[0] {
			t.Logf("%s: omniwitness answers %v where the specification says %v", tt.name, got, tt.codes[0])
		}
	}
	// The restored log through a Group, as the mediator would run it: refused.
	if out, err := f.group(remote).Cosign(ctx(t), cpLarger, b); err == nil || !bytes.Equal(out, cpLarger) {
		t.Errorf("the rolled-back log was cosigned: %v", err)
	}
	// The original goes on.
	cosign(g, a, f.grow(a, 1, "a"))
}

// buildOmniwitness builds the omniwitness tool of this module.
func buildOmniwitness(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "omniwitness")
	cmd := exec.Command("go", "build", "-o", bin, "github.com/transparency-dev/witness/cmd/omniwitness")
	out, err := cmd.CombinedOutput()
	if err != nil {
		if os.Getenv("TALLY_TEST_OMNIWITNESS") != "" {
			t.Fatalf("building omniwitness: %v\n%s", err, out)
		}
		t.Skipf("omniwitness cannot be built here (set TALLY_TEST_OMNIWITNESS to make this a failure): %v\n%s", err, out)
	}
	return bin
}

// startOmniwitness runs omniwitness on a free loopback port, with key skey
// and the log of logVKey, and returns its URL.
func startOmniwitness(t *testing.T, bin, skey, logVKey string) string {
	t.Helper()
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "witness.key")
	logsFile := filepath.Join(dir, "logs.yaml")
	origin, _, _ := strings.Cut(logVKey, "+")
	if err := os.WriteFile(keyFile, []byte(skey), 0o600); err != nil {
		t.Fatal(err)
	}
	yaml := fmt.Sprintf("Logs:\n  - Origin: %q\n    PublicKey: %q\n    URL: \"http://127.0.0.1/\"\n", origin, logVKey)
	if err := os.WriteFile(logsFile, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	for attempt := 0; ; attempt++ {
		addr := freeAddr(t)
		var stderr syncBuffer
		cmd := exec.Command(bin,
			"--listen="+addr, "--metrics_listen=",
			"--private_key_path="+keyFile, "--additional_logs="+logsFile,
			"--db_file="+filepath.Join(dir, "omniwitness.db"))
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan struct{})
		go func() { cmd.Wait(); close(exited) }()
		stop := func() {
			cmd.Process.Kill()
			<-exited
		}
		if waitListening(addr, exited, 15*time.Second) {
			t.Cleanup(func() {
				stop()
				if t.Failed() {
					t.Logf("omniwitness's log:\n%s", stderr.String())
				}
			})
			return "http://" + addr
		}
		stop()
		if attempt == 2 {
			t.Fatalf("omniwitness did not start:\n%s", stderr.String())
		}
	}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// waitListening waits until addr accepts connections, the process exits,
// or the timeout passes.
func waitListening(addr string, exited <-chan struct{}, timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			return false
		default:
		}
		if c, err := net.DialTimeout("tcp", addr, 100*time.Millisecond); err == nil {
			c.Close()
			return true
		}
		time.Sleep(20 * time.Millisecond)
	}
	return false
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
