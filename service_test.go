package tally_test

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"tally"
	"tally/agreementfile"
	"tally/listfile"
	"tally/sqlite"
)

const agreementYAML = `id: istanbul-2025-06-02
date: 2025-06-02
parties: [{code: UA, name: Ukraine}, {code: RU, name: Russian Federation}]
categories:
  - id: aged-18-25
    subject: prisoner
    terms: all-for-all
    eligibility: {age: {min: 18, max: 25}}
`

func newService(t *testing.T) *tally.Service {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	clock := time.Date(2025, 6, 5, 10, 0, 0, 0, time.UTC)
	svc := tally.NewService(st, func() time.Time { return clock })
	ag, err := agreementfile.Parse("a.yaml", []byte(agreementYAML))
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.AddAgreement(context.Background(), ag, []byte(agreementYAML)); err != nil {
		t.Fatal(err)
	}
	return svc
}

func importCSV(svc *tally.Service, name, csv string) (tally.ListVersion, tally.Report, error) {
	r, err := listfile.NewReader(name, strings.NewReader(csv), listfile.Options{})
	if err != nil {
		return tally.ListVersion{}, tally.Report{}, err
	}
	return svc.ImportList(context.Background(), tally.Import{AgreementID: "istanbul-2025-06-02", Party: "UA",
		Kind: tally.KindRequest, FileName: name, Original: strings.NewReader(csv), Rows: r})
}

func TestImportVersionsAndOriginal(t *testing.T) {
	ctx := context.Background()
	svc := newService(t)
	v1csv := "ref,surname,given name,birth date,category\nUA-1,Петренко,Іван,1999-06-02,aged-18-25\n"
	v1, rep, err := importCSV(svc, "v1.csv", v1csv)
	if err != nil {
		t.Fatal(err)
	}
	if v1.Version != 1 || v1.ListID != "ua-request" || rep.Conforming || len(rep.Problems) != 1 {
		t.Fatalf("v1 = %+v, report = %+v", v1, rep)
	}
	v2, rep, err := importCSV(svc, "v2.csv", strings.Replace(v1csv, "1999-06-02", "1999-06-03", 1))
	if err != nil || v2.Version != 2 || !rep.Conforming {
		t.Fatalf("v2 = %+v, %+v, %v", v2, rep, err)
	}
	// The first version is kept, byte for byte, with its report.
	got, err := svc.ListVersion(ctx, "istanbul-2025-06-02", "ua-request", 1)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := svc.WriteListFile(ctx, got, &buf); err != nil || buf.String() != v1csv {
		t.Fatalf("original = %q, %v", buf.String(), err)
	}
	stored, err := svc.ListReport(ctx, got)
	if err != nil || len(stored.Problems) != 1 || stored.Problems[0].Code != tally.NotEligible {
		t.Fatalf("stored report = %+v, %v", stored, err)
	}
	if got.SHA256 != "" && len(got.SHA256) != 64 {
		t.Fatalf("sha256 = %q", got.SHA256)
	}
}

func TestFailedImportStoresNothing(t *testing.T) {
	ctx := context.Background()
	svc := newService(t)
	var b strings.Builder
	b.WriteString("ref,surname,given name,birth date,category\n")
	for i := 0; i < 2500; i++ { // more than one batch of rows reaches the store first
		b.WriteString("UA-1,Петренко,Іван,1999-06-03,aged-18-25\n")
	}
	b.WriteString("UA-2,Коваль,Петро,2001-01-15,aged-18-25,oops\n")
	if _, _, err := importCSV(svc, "ragged.csv", b.String()); err == nil || !strings.Contains(err.Error(), "ragged.csv:2502") {
		t.Fatalf("err = %v, want an error on ragged.csv:2502", err)
	}
	vs, err := svc.ListVersions(ctx, "istanbul-2025-06-02", "ua-request")
	if err != nil || len(vs) != 0 {
		t.Fatalf("versions after a failed import = %v, %v", vs, err)
	}
	v, _, err := importCSV(svc, "ok.csv", "ref,surname,given name,birth date,category\nUA-1,Петренко,Іван,1999-06-03,aged-18-25\n")
	if err != nil || v.Version != 1 {
		t.Fatalf("the next import is version %d (%v), want 1", v.Version, err)
	}
}

func TestAddAgreementTwice(t *testing.T) {
	ctx := context.Background()
	svc := newService(t)
	ag, _ := agreementfile.Parse("a.yaml", []byte(agreementYAML))
	if err := svc.AddAgreement(ctx, ag, []byte(agreementYAML)); err != nil {
		t.Fatalf("the same file again: %v", err)
	}
	other := strings.Replace(agreementYAML, "max: 25", "max: 30", 1)
	ag2, _ := agreementfile.Parse("b.yaml", []byte(other))
	if err := svc.AddAgreement(ctx, ag2, []byte(other)); tally.ErrorCodeOf(err) != tally.EConflict {
		t.Fatalf("other terms under the same id: %v, want a conflict", err)
	}
}

func TestImportRefusesStranger(t *testing.T) {
	svc := newService(t)
	r, _ := listfile.NewReader("l.csv", strings.NewReader("surname,given name,category\nA,B,aged-18-25\n"), listfile.Options{})
	_, _, err := svc.ImportList(context.Background(), tally.Import{AgreementID: "istanbul-2025-06-02", Party: "PL",
		Kind: tally.KindRequest, FileName: "l.csv", Original: strings.NewReader(""), Rows: r})
	if err == nil || !strings.Contains(err.Error(), `"PL" is not a party`) {
		t.Fatalf("err = %v", err)
	}
}

func mustAgreement(t *testing.T, yaml string) tally.Agreement {
	t.Helper()
	ag, err := agreementfile.Parse("a.yaml", []byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	return ag
}
