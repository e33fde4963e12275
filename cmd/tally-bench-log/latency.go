package main

import (
	"context"
	"crypto/sha256"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"golang.org/x/mod/sumdb/note"

	"tally"
	"tally/ledger"
	"tally/sqlite"
	"tally/witness"
)

// runLatency measures submit → receipt as a party sees it: clients each
// submit their own entries one at a time and wait for the receipt, which
// needs a checkpoint holding the entry cosigned by every witness. A
// publisher signs a checkpoint every interval and has the witnesses, on
// loopback, cosign it.
func runLatency(clients, witnesses int, interval, duration time.Duration) error {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "tally-bench-latency-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	st, err := sqlite.Open(ctx, filepath.Join(dir, "bench.db"))
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
	signers := make([]note.Signer, clients)
	for i := range signers {
		code := fmt.Sprintf("P%02d", i+1)
		skey, vkey, err := ledger.GenerateRoleKey(ledger.RoleParty, code)
		if err != nil {
			return err
		}
		keys.Parties[code] = vkey
		if signers[i], err = ledger.NewSigner(skey); err != nil {
			return err
		}
	}
	var remotes []witness.Remote
	for i := 0; i < witnesses; i++ {
		skey, vkey, err := ledger.GenerateRoleKey(ledger.RoleWitness, fmt.Sprintf("W%d", i+1))
		if err != nil {
			return err
		}
		keys.Witnesses = append(keys.Witnesses, vkey)
		w, err := witness.New(witness.Config{Key: skey, Logs: []witness.Log{{Verifier: logVKey}},
			StatePath: filepath.Join(dir, fmt.Sprintf("w%d.json", i+1))})
		if err != nil {
			return err
		}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return err
		}
		srv := &http.Server{Handler: w.Handler()}
		go srv.Serve(ln)
		defer srv.Close()
		remotes = append(remotes, witness.Remote{URL: "http://" + ln.Addr().String(), VKey: vkey})
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
	group, err := witness.NewGroup(remotes, nil)
	if err != nil {
		return err
	}
	svc.UseWitnesses(group)
	if err := svc.Cosign(ctx); err != nil { // the first, empty checkpoint
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

	pubCtx, stopPublisher := context.WithCancel(ctx)
	defer stopPublisher()
	go svc.RunPublisher(pubCtx, interval, func(err error) { fmt.Fprintln(os.Stderr, "publisher:", err) })

	var mu sync.Mutex
	var latencies []time.Duration
	var failures int
	end := time.Now().Add(duration)
	var wg sync.WaitGroup
	for c := 0; c < clients; c++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			code := fmt.Sprintf("P%02d", c+1)
			var prev ledger.Hash
			for seq := int64(1); time.Now().Before(end); seq++ {
				e := &ledger.Entry{Kind: ledger.KindAcknowledgement, Party: code, Seq: seq, Prev: prev,
					Commitment: sha256.Sum256([]byte(fmt.Sprint(code, seq))), Time: ledger.NormalTime(time.Now()), Checkpoint: first.Ref()}
				b, err := e.Sign(signers[c])
				if err != nil {
					panic(err)
				}
				start := time.Now()
				idx, err := svc.Submit(ctx, [][]byte{b})
				if err == nil {
					wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
					_, err = svc.WaitReceipt(wctx, idx[0], 10*time.Millisecond)
					cancel()
				}
				mu.Lock()
				if err != nil {
					failures++
					fmt.Fprintln(os.Stderr, "client", code, err)
				} else {
					latencies = append(latencies, time.Since(start))
				}
				mu.Unlock()
				if err != nil {
					return
				}
				prev = ledger.EntryHash(b)
			}
		}(c)
	}
	wg.Wait()
	if len(latencies) == 0 {
		return fmt.Errorf("no receipt at all (%d failures)", failures)
	}
	slices.Sort(latencies)
	q := func(p float64) time.Duration { return latencies[min(len(latencies)-1, int(p*float64(len(latencies))))] }
	fmt.Printf("submit → receipt, %d clients, %d witnesses on loopback, checkpoint every %v, %v: %d receipts, %d failures\n",
		clients, witnesses, interval, duration, len(latencies), failures)
	fmt.Printf("  p50 %v, p95 %v, p99 %v, max %v\n", q(0.50).Round(time.Millisecond), q(0.95).Round(time.Millisecond),
		q(0.99).Round(time.Millisecond), latencies[len(latencies)-1].Round(time.Millisecond))
	return nil
}
