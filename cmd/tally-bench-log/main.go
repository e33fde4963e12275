// Command tally-bench-log measures the shared record as the issue asks:
// entries appended and published per second at the default batching, on
// the embedded store (or PostgreSQL with -db), and, with -verify, the time
// to export the log and verify the export offline.
//
// Entries are made and signed beforehand by two parties, as their clients
// would, then submitted in batches of -batch through Service.Submit: one
// transaction per batch, checked entry by entry (signature, chain, dates),
// with a checkpoint signed after each batch.
//
//	go run ./cmd/tally-bench-log -n 100000
//	go run ./cmd/tally-bench-log -n 1000000 -verify
//	go run ./cmd/tally-bench-log -latency -witnesses 2 -interval 500ms
package main

import (
	"context"
	"crypto/sha256"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"

	"tally"
	"tally/ledger"
	"tally/postgres"
	"tally/sqlite"
	"tally/sqlstore"
)

// DefaultBatch is the batch the service's clients use by default.
const DefaultBatch = 256

func main() {
	n := flag.Int("n", 100_000, "entries to append")
	batch := flag.Int("batch", DefaultBatch, "entries per submission (one transaction, one checkpoint)")
	db := flag.String("db", "", "the store: a SQLite path or postgres:// URL (default: a new SQLite file in a temporary directory)")
	verify := flag.Bool("verify", false, "also export the log and verify the export offline")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the appends to this file")
	latency := flag.Bool("latency", false, "measure submit → receipt with witnesses instead")
	clients := flag.Int("clients", 8, "with -latency: parties submitting at once, each waiting for its receipt")
	witnesses := flag.Int("witnesses", 2, "with -latency: witnesses on loopback")
	interval := flag.Duration("interval", 500*time.Millisecond, "with -latency: the checkpoint interval")
	duration := flag.Duration("duration", 10*time.Second, "with -latency: how long clients submit")
	flag.Parse()
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "tally-bench-log:", err)
			os.Exit(1)
		}
		defer pprof.StopCPUProfile()
	}
	run := func() error { return run(*n, *batch, *db, *verify) }
	if *latency {
		run = func() error { return runLatency(*clients, *witnesses, *interval, *duration) }
	}
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "tally-bench-log:", err)
		pprof.StopCPUProfile()
		os.Exit(1)
	}
}

func run(n, batch int, db string, verify bool) error {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "tally-bench-log-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	var st *sqlstore.DB
	if strings.HasPrefix(db, "postgres") {
		st, err = postgres.Open(ctx, db)
	} else {
		if db == "" {
			db = filepath.Join(dir, "bench.db")
		}
		st, err = sqlite.Open(ctx, db)
	}
	if err != nil {
		return err
	}
	defer st.Close()

	keys := ledger.Keys{Parties: map[string]string{}}
	logSKey, logVKey, err := ledger.GenerateRoleKey(ledger.RoleLog, "TR")
	if err != nil {
		return err
	}
	keys.Log = logVKey
	signers := map[string]note.Signer{}
	for _, p := range []string{"UA", "RU"} {
		skey, vkey, err := ledger.GenerateRoleKey(ledger.RoleParty, p)
		if err != nil {
			return err
		}
		keys.Parties[p] = vkey
		if signers[p], err = ledger.NewSigner(skey); err != nil {
			return err
		}
	}
	logSigner, err := ledger.NewSigner(logSKey)
	if err != nil {
		return err
	}
	svc := tally.NewService(st, nil)
	svc.UseLogKey(logSigner)
	if err := svc.SetUpLog(ctx, keys, logSigner); err != nil {
		return err
	}
	status, err := svc.LogStatus(ctx)
	if err != nil {
		return err
	}
	first, err := ledger.OpenCheckpoint(status.Checkpoint, keys)
	if err != nil {
		return err
	}

	fmt.Printf("go: %s, GOMAXPROCS %d, store %s\n", runtime.Version(), runtime.GOMAXPROCS(0), db)
	start := time.Now()
	entries := make([][]byte, n)
	prev := map[string]ledger.Hash{}
	seq := map[string]int64{}
	t0 := ledger.NormalTime(time.Now())
	for i := range entries {
		p := []string{"UA", "RU"}[i%2]
		seq[p]++
		e := &ledger.Entry{Kind: ledger.KindListVersion, Party: p, Seq: seq[p], Prev: prev[p],
			Commitment: sha256.Sum256([]byte(fmt.Sprint(i))), Time: t0, Checkpoint: first.Ref()}
		b, err := e.Sign(signers[p])
		if err != nil {
			return err
		}
		entries[i], prev[p] = b, ledger.EntryHash(b)
	}
	fmt.Printf("signed %d entries as the parties' clients would, in %.1f s\n", n, time.Since(start).Seconds())

	start = time.Now()
	for i := 0; i < n; i += batch {
		if _, err := svc.Submit(ctx, entries[i:min(i+batch, n)]); err != nil {
			return err
		}
	}
	wall := time.Since(start)
	fmt.Printf("appended and published %d entries in batches of %d: %.1f s, %.0f entries/s\n", n, batch, wall.Seconds(), float64(n)/wall.Seconds())

	// A retried batch returns the original entries and appends nothing.
	again, err := svc.Submit(ctx, entries[:min(batch, n)])
	if err != nil {
		return err
	}
	if st2, _ := svc.LogStatus(ctx); st2.Size != int64(n) || again[0] != 0 {
		return fmt.Errorf("a retried batch changed the log: size %d, first index %d", st2.Size, again[0])
	}
	if !verify {
		return nil
	}
	out := filepath.Join(dir, "export")
	start = time.Now()
	if err := svc.ExportLog(ctx, ledger.DirWriter(out)); err != nil {
		return err
	}
	fmt.Printf("exported in %.1f s\n", time.Since(start).Seconds())
	start = time.Now()
	rep, err := ledger.Verify(os.DirFS(out), ledger.VerifyOptions{})
	if err != nil {
		return err
	}
	fmt.Printf("verified the export of %d entries offline in %.1f s (%.0f entries/s)\n", rep.Size, time.Since(start).Seconds(), float64(rep.Size)/time.Since(start).Seconds())
	return nil
}
