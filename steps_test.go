package tally_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"tally"
	"tally/ledger"
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
	defer st.Close()
	ua := mustSigner(t, partyKey)

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
