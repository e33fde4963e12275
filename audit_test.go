package tally_test

import (
	"context"
	"sync"
	"testing"

	"tally"
)

// All persons in this test are synthetic.

// TestAuditedReadsConcurrent: reads made at once are each returned with
// their record committed, and a read whose record cannot be written is not
// returned, without failing the reads audited beside it.
func TestAuditedReadsConcurrent(t *testing.T) {
	ctx := context.Background()
	svc := newService(t)
	v, _, err := importCSV(svc, "l.csv", "ref,surname,given_name,birth_date,category\nUA-1,Шевченко,Петро,2002-01-02,aged-18-25\n")
	if err != nil {
		t.Fatal(err)
	}
	u, err := svc.AddUser(ctx, tally.NewUser{OrgCode: "UA", OrgKind: tally.OrgParty, Name: "Viewer", Login: "ua-viewer",
		Roles: []tally.Role{tally.RoleViewer}})
	if err != nil {
		t.Fatal(err)
	}
	reader := tally.Actor{User: u, Via: "token"}
	ghost := reader // an account the store does not hold: its record is refused
	ghost.User.ID, ghost.User.Login = 1<<40, "ghost"

	const n = 40
	var wg sync.WaitGroup
	errs := make([]error, n)
	got := make([]int, n)
	for i := range n {
		wg.Go(func() {
			who := reader
			if i%10 == 0 {
				who = ghost
			}
			_, rows, err := svc.RowsFor(ctx, who, v.AgreementID, v.ListID, v.Version, 0, 10)
			errs[i], got[i] = err, len(rows)
		})
	}
	wg.Wait()
	for i := range n {
		switch {
		case i%10 == 0 && (errs[i] == nil || got[i] != 0):
			t.Errorf("read %d, whose record was refused, returned %d rows, %v", i, got[i], errs[i])
		case i%10 != 0 && (errs[i] != nil || got[i] != 1):
			t.Errorf("read %d: %d rows, %v", i, got[i], errs[i])
		}
	}
	records := 0
	if err := svc.AuditRecords(ctx, func(r tally.AuditRecord) error {
		if r.Login != "ua-viewer" || r.Action != tally.ActionReadRows || r.Resource != "ua-request@1" || r.Detail != "1 rows, lines 2 to 2" {
			t.Errorf("record %+v", r)
		}
		records++
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if records != n-n/10 {
		t.Errorf("%d records, want %d", records, n-n/10)
	}
	// The version and its report: audited the same way.
	if _, _, err := svc.ListVersionFor(ctx, ghost, v.AgreementID, v.ListID, v.Version); err == nil {
		t.Error("a version was returned without its record")
	}
	if _, _, err := svc.ListVersionFor(ctx, reader, v.AgreementID, v.ListID, v.Version); err != nil {
		t.Error(err)
	}
}
