package tally_test

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"tally"
	"tally/ledger"
	"tally/listfile"
	"tally/sqlite"
)

// TestKillNineLosesNothing imports signed lists in a child process and
// kills it with SIGKILL at random moments, a hundred times. Every import the
// child acknowledged (after its transaction committed) must be there
// afterwards, with its entry in the shared record; no list version may
// exist without its entry, nor an entry without its version; and the log
// must verify.
func TestKillNineLosesNothing(t *testing.T) {
	if os.Getenv("TALLY_KILL_CHILD") != "" {
		t.Skip("the child's own run")
	}
	ctx := context.Background()
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "kill.db")
	partyKey, _, err := ledger.WriteKeyFiles(dir, ledger.RoleParty, "UA")
	if err != nil {
		t.Fatal(err)
	}
	logKey, _, err := ledger.WriteKeyFiles(dir, ledger.RoleLog, "TR")
	if err != nil {
		t.Fatal(err)
	}
	svc, st := serviceWithLog(t, dbPath, dir, logKey)
	st.Close()
	_ = svc

	const kills = 100
	acked := map[int64]int64{} // log entry → list version id
	rng := rand.New(rand.NewPCG(9, 9))
	for k := 0; k < kills; k++ {
		cmd := exec.Command(os.Args[0], "-test.run=^TestKillChild$", "-test.v")
		cmd.Env = append(os.Environ(), "TALLY_KILL_CHILD=1", "TALLY_KILL_DB="+dbPath,
			"TALLY_KILL_PARTY_KEY="+partyKey, "TALLY_KILL_LOG_KEY="+logKey)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Kill after the first acknowledgement plus a random while, so the
		// kill lands at any point of an import: reading, writing rows,
		// appending the entry, publishing, committing.
		delay := time.Duration(rng.IntN(40)) * time.Millisecond
		sc := bufio.NewScanner(out)
		first := make(chan struct{})
		done := make(chan struct{})
		go func() {
			defer close(done)
			once := false
			for sc.Scan() {
				var entry, version int64
				if n, _ := fmt.Sscanf(sc.Text(), "ack %d %d", &entry, &version); n == 2 {
					acked[entry] = version
					if !once {
						once = true
						close(first)
					}
				}
			}
			if !once {
				close(first)
			}
		}()
		select {
		case <-first:
		case <-time.After(60 * time.Second):
			t.Fatal("the child acknowledged nothing in a minute")
		}
		time.Sleep(delay)
		cmd.Process.Signal(syscall.SIGKILL)
		<-done
		cmd.Wait()
	}
	if len(acked) < kills {
		t.Fatalf("only %d imports acknowledged over %d runs", len(acked), kills)
	}

	st, err = sqlite.Open(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	svc = tally.NewService(st, nil)
	vs, err := svc.ListVersions(ctx, "t", "ua-request")
	if err != nil {
		t.Fatal(err)
	}
	status, err := svc.LogStatus(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if int64(len(vs)) != status.Size {
		t.Errorf("%d list versions but %d log entries: a change and its entry must exist together", len(vs), status.Size)
	}
	for entry, version := range acked {
		found := false
		for _, v := range vs {
			if v.ID == version {
				got, err := svc.ListVersion(ctx, "t", "ua-request", v.Version)
				if err != nil || got.Entry != entry {
					t.Errorf("acknowledged version %d: entry %d, %v; want entry %d", version, got.Entry, err, entry)
				}
				found = true
			}
		}
		if !found {
			t.Errorf("acknowledged list version %d (entry %d) is lost", version, entry)
		}
	}
	out := filepath.Join(dir, "export")
	if err := svc.ExportLog(ctx, ledger.DirWriter(out)); err != nil {
		t.Fatal(err)
	}
	if _, err := ledger.Verify(os.DirFS(out), ledger.VerifyOptions{}); err != nil {
		t.Fatalf("after %d kills the log does not verify: %v", kills, err)
	}
	t.Logf("%d kills, %d imports acknowledged, %d entries, all there, log verifies", kills, len(acked), status.Size)
}

// TestKillChild is the child of TestKillNineLosesNothing: it imports a
// small signed list again and again, printing "ack ENTRY VERSION" after
// each committed import, until it is killed.
func TestKillChild(t *testing.T) {
	if os.Getenv("TALLY_KILL_CHILD") == "" {
		t.Skip("run by TestKillNineLosesNothing")
	}
	ctx := context.Background()
	svc, st := serviceWithLog(t, os.Getenv("TALLY_KILL_DB"), "", os.Getenv("TALLY_KILL_LOG_KEY"))
	defer st.Close()
	signer := mustSigner(t, os.Getenv("TALLY_KILL_PARTY_KEY"))
	var csv strings.Builder
	csv.WriteString("ref,surname,given name,birth date,category\n")
	for i := 0; i < 200; i++ {
		csv.WriteString("UA-" + strconv.Itoa(i) + ",Петренко,Іван,1999-06-03,aged-18-25\n")
	}
	for {
		r, err := listfile.NewReader("l.csv", strings.NewReader(csv.String()), listfile.Options{})
		if err != nil {
			t.Fatal(err)
		}
		v, _, err := svc.ImportList(ctx, tally.Import{AgreementID: "t", Party: "UA", Kind: tally.KindRequest,
			FileName: "l.csv", Original: strings.NewReader(csv.String()), Rows: r, Signer: signer})
		if err != nil {
			t.Fatal(err)
		}
		fmt.Printf("ack %d %d\n", v.Entry, v.ID)
	}
}

// serviceWithLog opens the store at dbPath; when keyDir is set, it also
// adds the agreement and sets up the log with the keys in keyDir.
func serviceWithLog(t *testing.T, dbPath, keyDir, logKeyPath string) (*tally.Service, tally.Store) {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	logSigner := mustSigner(t, logKeyPath)
	svc := tally.NewService(st, nil)
	svc.UseLogKey(logSigner)
	if keyDir == "" {
		return svc, st
	}
	yaml := strings.Replace(agreementYAML, "id: istanbul-2025-06-02", "id: t", 1)
	ag := mustAgreement(t, yaml)
	if err := svc.AddAgreement(ctx, ag, []byte(yaml)); err != nil {
		t.Fatal(err)
	}
	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join(keyDir, name))
		if err != nil {
			t.Fatal(err)
		}
		return strings.TrimSpace(string(b))
	}
	keys := ledger.Keys{Log: read("tally-log-TR.vkey"), Parties: map[string]string{"UA": read("tally-party-UA.vkey"), "RU": mustRUKey(t)}}
	if err := svc.SetUpLog(ctx, keys, logSigner); err != nil {
		t.Fatal(err)
	}
	return svc, st
}

func mustRUKey(t *testing.T) string {
	_, vkey, err := ledger.GenerateRoleKey(ledger.RoleParty, "RU")
	if err != nil {
		t.Fatal(err)
	}
	return vkey
}

// mustSigner reads a private key file.
func mustSigner(t *testing.T, path string) note.Signer {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s, err := ledger.NewSigner(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func mkdir(dir string) error { return os.MkdirAll(dir, 0o755) }
