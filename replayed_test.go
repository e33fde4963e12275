package tally_test

import (
	"context"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"tally"
	"tally/agreementfile"
	"tally/exchange"
	"tally/ledger"
	"tally/listfile"
	"tally/sqlite"
)

// All persons in this test are synthetic.

const mediatedYAML = `id: m1
date: 2025-06-02
parties: [{code: UA, name: Side A}, {code: RU, name: Side B}]
mediator: {code: TR, name: Mediator}
categories:
  - id: aged-18-25
    subject: prisoner
    terms: all-for-all
    eligibility: {age: {min: 18, max: 25}}
`

// TestSharedProcessNeverStale reads lists and the process through a
// service that keeps replayed processes, while steps are recorded by it
// and by another service over the same store (as the command line would):
// what a party may read, and what the process says, follow every step at
// once, and the report stays tied to its checkpoint.
func TestSharedProcessNeverStale(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "t.db")
	st, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	other, err := sqlite.Open(ctx, path) // another process's view of the same file
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	newProcess := func(a *tally.Agreement) tally.Reviewing { return exchange.NewProcess(a) }
	svc := tally.NewService(st, nil)
	svc.UseProcess(newProcess)
	cli := tally.NewService(other, nil) // holds no log key: its entries wait for a checkpoint
	cli.UseProcess(newProcess)

	keys := ledger.Keys{Parties: map[string]string{}}
	logSKey, logVKey, err := ledger.GenerateRoleKey(ledger.RoleLog, "TR")
	if err != nil {
		t.Fatal(err)
	}
	keys.Log = logVKey
	signers := map[string]note.Signer{}
	for _, p := range []string{"UA", "RU"} {
		skey, vkey, err := ledger.GenerateRoleKey(ledger.RoleParty, p)
		if err != nil {
			t.Fatal(err)
		}
		keys.Parties[p] = vkey
		if signers[p], err = ledger.NewSigner(skey); err != nil {
			t.Fatal(err)
		}
	}
	logSigner, err := ledger.NewSigner(logSKey)
	if err != nil {
		t.Fatal(err)
	}
	svc.UseLogKey(logSigner)
	if err := svc.SetUpLog(ctx, keys, logSigner); err != nil {
		t.Fatal(err)
	}
	ag, err := agreementfile.Parse("m.yaml", []byte(mediatedYAML))
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.AddAgreement(ctx, ag, []byte(mediatedYAML)); err != nil {
		t.Fatal(err)
	}
	actor := func(code string, kind tally.OrgKind) tally.Actor {
		u, err := svc.AddUser(ctx, tally.NewUser{OrgCode: code, OrgKind: kind, Name: code + " viewer",
			Login: strings.ToLower(code) + "-viewer", Roles: []tally.Role{tally.RoleViewer}})
		if err != nil {
			t.Fatal(err)
		}
		return tally.Actor{User: u, Via: "token"}
	}
	ru, tr := actor("RU", tally.OrgParty), actor("TR", tally.OrgMediator)

	importUA := func(s *tally.Service, surname string) tally.ListVersion {
		t.Helper()
		csv := "ref,surname,given_name,birth_date,category\nUA-1," + surname + ",Петро,2002-01-02,aged-18-25\n"
		rows, err := listfile.NewReader("l.csv", strings.NewReader(csv), listfile.Options{})
		if err != nil {
			t.Fatal(err)
		}
		v, _, err := s.ImportList(ctx, tally.Import{AgreementID: ag.ID, Party: "UA", Kind: tally.KindRequest, FileName: "l.csv",
			Original: strings.NewReader(csv), Rows: rows, Signer: signers["UA"]})
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	submit := func(s *tally.Service, v tally.ListVersion) {
		t.Helper()
		e := exchange.Event{Kind: exchange.KindListSubmitted, By: "UA", Actor: "Clerk", At: time.Now(),
			Body: exchange.ListSubmitted{List: v.ListID, Version: v.Version, Kind: string(v.Kind), Rows: []exchange.ListRow{{Ref: "UA-1", Category: "aged-18-25"}}}}
		payload, err := exchange.Encode(e)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.RecordSteps(ctx, ag.ID, []tally.StepInput{{Kind: e.Kind, By: "UA", Payload: payload, Signer: signers["UA"]}},
			exchange.NewProcess(&ag)); err != nil {
			t.Fatal(err)
		}
	}
	canRead := func(who tally.Actor, n int) bool {
		t.Helper()
		_, _, err := svc.RowsFor(ctx, who, ag.ID, "ua-request", n, 0, 10)
		switch tally.ErrorCodeOf(err) {
		case "":
			return true
		case tally.ENotFound:
			return false
		}
		t.Fatal(err)
		return false
	}
	lists := func(who tally.Actor) (out []string) {
		t.Helper()
		vs, err := svc.ListsFor(ctx, who, ag.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range vs {
			out = append(out, v.Ref())
		}
		return out
	}
	reviewed := func(action tally.Action) (int, int64) {
		t.Helper()
		p, _, err := svc.ProcessFor(ctx, ru, action, ag.ID)
		if err != nil {
			t.Fatal(err)
		}
		ep := p.(exchange.Process)
		ls := ep.Lists()
		if len(ls) == 0 {
			return 0, ep.Entries()
		}
		return ls[0].Version, ep.Entries()
	}

	// A draft: the cache now holds a process without steps.
	v1 := importUA(svc, "Шевченко")
	if canRead(ru, 1) || canRead(tr, 1) || len(lists(ru)) != 0 || len(lists(tr)) != 0 {
		t.Fatal("a draft was readable by the other party or the mediator")
	}
	if n, _ := reviewed(tally.ActionReadProcess); n != 0 {
		t.Fatalf("the process has version %d under review before any step", n)
	}
	// Submitted by this service: readable at once.
	submit(svc, v1)
	if !canRead(ru, 1) || !canRead(tr, 1) || strings.Join(lists(ru), ",") != "ua-request@1" {
		t.Fatalf("a submitted version is not readable: ru %v, lists %v", canRead(ru, 1), lists(ru))
	}
	// A second version, a draft made elsewhere: not readable; the first
	// still is, and is the latest RU may read.
	v2 := importUA(cli, "Коваленко")
	if canRead(ru, 2) || strings.Join(lists(ru), ",") != "ua-request@1" {
		t.Fatalf("a draft made by another process was readable: lists %v", lists(ru))
	}
	n1, entries1 := reviewed(tally.ActionReadReport)
	// Submitted by the other process, which holds no log key: the process
	// follows at once; the report waits for a checkpoint that holds it.
	submit(cli, v2)
	if !canRead(ru, 2) || strings.Join(lists(ru), ",") != "ua-request@2" {
		t.Fatalf("a version submitted by another process is not readable: lists %v", lists(ru))
	}
	if n, _ := reviewed(tally.ActionReadProcess); n != 2 {
		t.Fatalf("the process has version %d under review, want 2", n)
	}
	if n, entries := reviewed(tally.ActionReadReport); n != n1 || entries != entries1 || n != 1 {
		t.Fatalf("the report's process moved past its checkpoint: version %d, %d entries; want 1, %d", n, entries, entries1)
	}
	if _, err := svc.Publish(ctx); err != nil {
		t.Fatal(err)
	}
	if n, _ := reviewed(tally.ActionReadReport); n != 2 {
		t.Fatalf("after a checkpoint the report's process has version %d, want 2", n)
	}

	// The shared process refuses steps, and many readers may share it.
	p, _, err := svc.ProcessFor(ctx, ru, tally.ActionReadProcess, ag.ID)
	if err != nil {
		t.Fatal(err)
	}
	payload, err := exchange.Encode(exchange.Event{Kind: exchange.KindListSubmitted, By: "UA", Actor: "Clerk", At: time.Now(),
		Body: exchange.ListSubmitted{List: "ua-request", Version: 3, Kind: "request", Rows: []exchange.ListRow{{Ref: "UA-1"}}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Apply(1<<40, exchange.KindListSubmitted, "UA", payload); tally.ErrorCodeOf(err) != tally.EInternal || !strings.Contains(err.Error(), "frozen") {
		t.Fatalf("a step applied to the shared process: %v", err)
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if q, _, err := svc.ProcessFor(ctx, tr, tally.ActionReadProcess, ag.ID); err != nil || q.SubmittedTo("ua-request", 2) != "RU" {
				t.Errorf("concurrent reader: %v, %v", q, err)
			}
		})
	}
	wg.Wait()
	// Who may not read the process still may not, cached or not.
	if _, _, err := svc.ProcessFor(ctx, tally.Actor{}, tally.ActionReadProcess, ag.ID); tally.ErrorCodeOf(err) != tally.EUnauthorized {
		t.Fatalf("anonymous: %v", err)
	}

	// A server that warms up replays before it serves (the latest steps
	// and the checkpoint's: two processes, a step being past the
	// checkpoint), and its first requests replay nothing.
	submit(cli, importUA(cli, "Бондаренко"))
	var replays atomic.Int32
	warm := tally.NewService(other, nil)
	warm.UseProcess(func(a *tally.Agreement) tally.Reviewing { replays.Add(1); return exchange.NewProcess(a) })
	if err := warm.WarmUp(ctx); err != nil {
		t.Fatal(err)
	}
	if n := replays.Load(); n != 2 {
		t.Fatalf("warming up replayed %d processes, want 2", n)
	}
	var cps []*ledger.Checkpoint
	for _, action := range []tally.Action{tally.ActionReadProcess, tally.ActionReadReport, tally.ActionReadReport} {
		_, cp, err := warm.ProcessFor(ctx, ru, action, ag.ID)
		if err != nil {
			t.Fatal(err)
		}
		cps = append(cps, cp)
	}
	// Each caller gets a checkpoint of its own, the same as the first.
	want := *cps[0]
	cps[0].Size, cps[1].Cosigners = -1, append(cps[1].Cosigners, "tampered")
	if cp := cps[2]; cp.Size != want.Size || cp.Hash != want.Hash || len(cp.Cosigners) != len(want.Cosigners) {
		t.Fatalf("the checkpoint opened again is %+v, want %+v", cp, want)
	}
	if vs, err := warm.ListsFor(ctx, tr, ag.ID); err != nil || len(vs) != 1 || vs[0].Version != 3 {
		t.Fatalf("lists after warming up: %v, %v", vs, err)
	}
	if n := replays.Load(); n != 2 {
		t.Fatalf("the first requests after warming up replayed %d processes more", n-2)
	}
}
