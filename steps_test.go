package tally_test

import (
	"context"
	"errors"
	"golang.org/x/mod/sumdb/note"
	"path/filepath"
	"strings"
	"testing"

	"tally"
	"tally/ledger"
	"tally/listfile"
)

// counter is a Process that takes any step but "refused", and counts.
type counter struct{ applied []string }

func (c *counter) Apply(entry int64, kind, by string, payload []byte) error {
	if kind == "refused" {
		return tally.Errorf(tally.EInvalid, "%s may not do that now", by)
	}
	c.applied = append(c.applied, kind+":"+string(payload))
	return nil
}

func TestRecordSteps(t *testing.T) {
	ctx := context.Background()
	svc, ua, dir := serviceWithUAKey(t)

	step := func(kind, payload string) tally.StepInput {
		return tally.StepInput{Kind: kind, By: "UA", Payload: []byte(payload), Signer: ua}
	}
	entries, err := svc.RecordSteps(ctx, "t", []tally.StepInput{step("handed-over", "a"), step("handed-over", "b")}, &counter{})
	if err != nil || len(entries) != 2 || entries[0] != 0 || entries[1] != 1 {
		t.Fatalf("entries %v, %v", entries, err)
	}
	// A batch with a step the process refuses stores nothing of it.
	_, err = svc.RecordSteps(ctx, "t", []tally.StepInput{step("handed-over", "c"), step("refused", "d")}, &counter{})
	if err == nil || !strings.Contains(err.Error(), "step 2 of 2: UA may not do that now") {
		t.Fatalf("err = %v", err)
	}
	// The stored steps replay, in order; the refused batch left nothing.
	var c counter
	if _, err := svc.ReplaySteps(ctx, "t", &c, false); err != nil {
		t.Fatal(err)
	}
	if strings.Join(c.applied, ",") != "handed-over:a,handed-over:b" {
		t.Fatalf("replayed %v", c.applied)
	}
	status, _ := svc.LogStatus(ctx)
	if status.Size != 2 {
		t.Fatalf("log size %d, want 2", status.Size)
	}
	// A step signed by another party's key is refused.
	ru := mustSigner(t, mustKeyFile(t, dir, "RU"))
	_, err = svc.RecordStep(ctx, "t", "handed-over", "UA", []byte("x"), ru, &counter{})
	if err == nil || !strings.Contains(err.Error(), "a party signs only for itself") {
		t.Fatalf("err = %v", err)
	}
	// Without a log, no step.
	_, err = newService(t).RecordStep(ctx, "istanbul-2025-06-02", "handed-over", "UA", []byte("x"), ua, &counter{})
	var e *tally.Error
	if !errors.As(err, &e) || !strings.Contains(e.Message, "recorded in the shared record") {
		t.Fatalf("err = %v", err)
	}
}

func mustKeyFile(t *testing.T, dir, party string) string {
	t.Helper()
	sub := filepath.Join(dir, party)
	if err := mkdir(sub); err != nil {
		t.Fatal(err)
	}
	skey, _, err := ledger.WriteKeyFiles(sub, ledger.RoleParty, party)
	if err != nil {
		t.Fatal(err)
	}
	return skey
}

// TestSignedAwaySteps takes steps as a party whose key the service does not
// hold: prepared by the service, signed by the party (ledger.SignChain),
// recorded — and refuses what the party did not sign for.
func TestSignedAwaySteps(t *testing.T) {
	ctx := context.Background()
	svc, ua, _ := serviceWithUAKey(t)

	sign := func(t *testing.T, payloads ...string) []tally.StepInput {
		t.Helper()
		var in []tally.StepInput
		for _, p := range payloads {
			in = append(in, tally.StepInput{Kind: "handed-over", By: "UA", Payload: []byte(p)})
		}
		prep, err := svc.PrepareSteps(ctx, "t", in, &counter{})
		if err != nil {
			t.Fatal(err)
		}
		var chain []ledger.Step
		for i, p := range prep.Steps {
			// The party computes the commitment itself, from its payload.
			chain = append(chain, ledger.Step{Kind: p.Kind, Commitment: ledger.Commit(p.Salt, []byte(payloads[i]))})
		}
		signed, err := ledger.SignChain(prep.Entry, chain, ua)
		if err != nil {
			t.Fatal(err)
		}
		for i := range in {
			in[i].Salt, in[i].Entry = prep.Steps[i].Salt, signed[i]
		}
		return in
	}

	in := sign(t, "a", "b", "c")
	entries, err := svc.RecordSteps(ctx, "t", in, &counter{})
	if err != nil || len(entries) != 3 || entries[2] != 2 {
		t.Fatalf("entries %v, %v", entries, err)
	}
	// A retry of the same signed steps records nothing twice.
	again, err := svc.RecordSteps(ctx, "t", in, &counter{})
	if err != nil || len(again) != 3 || again[0] != entries[0] || again[2] != entries[2] {
		t.Fatalf("retried: entries %v, %v", again, err)
	}
	var c counter
	if _, err := svc.ReplaySteps(ctx, "t", &c, false); err != nil || len(c.applied) != 3 {
		t.Fatalf("replayed %v, %v", c.applied, err)
	}

	// Two steps prepared at once: the one signed second meets a conflict.
	first, second := sign(t, "d"), sign(t, "e")
	if _, err := svc.RecordSteps(ctx, "t", first, &counter{}); err != nil {
		t.Fatal(err)
	}
	_, err = svc.RecordSteps(ctx, "t", second, &counter{})
	if tally.ErrorCodeOf(err) != tally.EConflict || !strings.Contains(err.Error(), "prepare the step and sign it again") {
		t.Fatalf("err = %v", err)
	}

	// A signed entry that does not commit to the payload sent is refused.
	in = sign(t, "f")
	in[0].Payload = []byte("something else")
	if _, err := svc.RecordSteps(ctx, "t", in, &counter{}); err == nil || !strings.Contains(err.Error(), "does not commit to what was sent") {
		t.Fatalf("err = %v", err)
	}
	// Nor is an entry made out to another kind or party.
	in = sign(t, "f")
	in[0].Kind = "acknowledged"
	if _, err := svc.RecordSteps(ctx, "t", in, &counter{}); err == nil || !strings.Contains(err.Error(), "not acknowledged") {
		t.Fatalf("err = %v", err)
	}
	in = sign(t, "f")
	in[0].By = "RU"
	if _, err := svc.RecordSteps(ctx, "t", in, &counter{}); err == nil || !strings.Contains(err.Error(), "a party signs only for itself") {
		t.Fatalf("err = %v", err)
	}

	// The party refuses to sign an entry that is not what it asked for.
	prep, err := svc.PrepareSteps(ctx, "t", []tally.StepInput{{Kind: "handed-over", By: "UA", Payload: []byte("g")}}, &counter{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = ledger.SignChain(prep.Entry, []ledger.Step{{Kind: "handed-over", Commitment: ledger.Commit(prep.Steps[0].Salt, []byte("h"))}}, ua)
	if err == nil || !strings.Contains(err.Error(), "refusing to sign") {
		t.Fatalf("err = %v", err)
	}
	// A step the process refuses is refused when prepared.
	_, err = svc.PrepareSteps(ctx, "t", []tally.StepInput{{Kind: "refused", By: "UA", Payload: []byte("x")}}, &counter{})
	if err == nil || !strings.Contains(err.Error(), "may not do that now") {
		t.Fatalf("err = %v", err)
	}
}

// TestSignedAwayImport imports a list whose entry the party signed away
// from the service, committing to its file with its own salt; a file other
// than the one signed for stores nothing.
func TestSignedAwayImport(t *testing.T) {
	ctx := context.Background()
	svc, ua, _ := serviceWithUAKey(t)
	csv := "ref,surname,given name,birth date,category\nUA-1,Петренко,Іван,2001-01-01,aged-18-25\n"
	signedFor := func(file string) (salt, entry []byte) {
		salt = ledger.NewSalt()
		c := ledger.Commit(salt, []byte(file))
		text, err := svc.PrepareListEntryFor(ctx, tally.Actor{User: tally.User{ID: 1, Login: "ua-clerk", Roles: []tally.Role{tally.RoleClerk},
			Org: tally.Organization{Kind: tally.OrgParty, Code: "UA"}}, Via: tally.ViaToken}, "t", "UA", c)
		if err != nil {
			t.Fatal(err)
		}
		signed, err := ledger.SignChain(text, []ledger.Step{{Kind: ledger.KindListVersion, Commitment: c}}, ua)
		if err != nil {
			t.Fatal(err)
		}
		return salt, signed[0]
	}
	imp := func(file string, salt, entry []byte) (tally.ListVersion, error) {
		rows, err := listfile.NewReader("l.csv", strings.NewReader(file), listfile.Options{})
		if err != nil {
			t.Fatal(err)
		}
		v, _, err := svc.ImportList(ctx, tally.Import{AgreementID: "t", Party: "UA", Kind: tally.KindRequest, FileName: "l.csv",
			Original: strings.NewReader(file), Rows: rows, Salt: salt, Entry: entry})
		return v, err
	}
	salt, entry := signedFor(csv)
	// Another file than the one signed for: refused, nothing stored.
	if _, err := imp(strings.Replace(csv, "Петренко", "Коваль", 1), salt, entry); err == nil || !strings.Contains(err.Error(), "does not commit to what was sent") {
		t.Fatalf("another file: %v", err)
	}
	if vs, _ := svc.Lists(ctx, "t"); len(vs) != 0 {
		t.Fatalf("stored after a refusal: %v", vs)
	}
	v, err := imp(csv, salt, entry)
	if err != nil || v.Entry < 0 || v.Version != 1 {
		t.Fatalf("the file signed for: %+v %v", v, err)
	}
	// The same signed entry again: a conflict, not a second version.
	if _, err := imp(csv, salt, entry); tally.ErrorCodeOf(err) != tally.EConflict {
		t.Fatalf("the entry again: %v", err)
	}
}

// serviceWithUAKey is a service over a new store of agreement "t" with a
// signed log whose UA key signs, and the directory of the key files.
func serviceWithUAKey(t *testing.T) (*tally.Service, note.Signer, string) {
	t.Helper()
	dir := t.TempDir()
	partyKey, _, err := ledger.WriteKeyFiles(dir, ledger.RoleParty, "UA")
	if err != nil {
		t.Fatal(err)
	}
	logKey, _, err := ledger.WriteKeyFiles(dir, ledger.RoleLog, "TR")
	if err != nil {
		t.Fatal(err)
	}
	svc, st := serviceWithLog(t, filepath.Join(dir, "s.db"), dir, logKey)
	t.Cleanup(func() { st.Close() })
	return svc, mustSigner(t, partyKey), dir
}
