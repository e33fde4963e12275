package storetest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"io/fs"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"testing/cryptotest"
	"time"

	"filippo.io/age"
	"github.com/pressly/goose/v3"

	"tally"
	"tally/agreementfile"
	"tally/exchange"
	"tally/ledger"
	"tally/listfile"
	"tally/sqlstore"
)

// Upgrading from the previous release
//
// Migrations are tested from an empty database (every case of Run opens a
// fresh store) and from the schema the previous release left behind, with
// data in it: each engine's testdata/release-00008.sql holds a small store
// as release 00008 (the last migration shipped before) wrote it. The
// engine's test migrates an empty database up to ReleaseVersion only,
// loads that file with LoadRelease, migrates to the latest version through
// its ordinary Open, and hands the store to CheckRelease, which reads
// everything back through the Service. Later migrations need no change
// here: they run on top of the release's data, and CheckRelease fails if
// one loses or garbles it.
//
// The fixture was written by WriteRelease (TALLY_WRITE_RELEASE=1 in the
// engines' tests) at the commit where 00008 was the last migration, and
// dumped with sqlite3 and pg_dump, as each file's first lines say. Its people,
// keys, passwords and tokens are synthetic, made with a fixed seed.

// ReleaseVersion is the schema version of the previous release.
const ReleaseVersion = 8

// What the release's store holds, and the secrets (synthetic, fixed by
// the seed) that CheckRelease needs to read it.
const (
	releaseAgreement = "istanbul-2025-06-02"
	releasePassword  = "synthetic release password 00008"
	releaseSeed      = 8
	// The values WriteRelease made with the seed: the API token of
	// ua-clerk, the session cookie of ru-signer, the age identity that the
	// originals are encrypted to (RU's, the one recipient registered) and
	// UA's signing key.
	releaseToken    = "tally_S_Z5GxiIcc0feofnH6JK42vUuwp4d0dxracpsdtyfxI"
	releaseSession  = "il2g83doSK628t8-2TnCimUrIZIIMJp6Q-CtE5A6ar8"
	releaseIdentity = "AGE-SECRET-KEY-13KAUALSFWKG4PCV7V5K6L22UQ7ZQ68G6KLT4C7W6JFJ6VYEG9R3Q4D2SCM"
	releaseUAKey    = "PRIVATE+KEY+tally-party-UA+473b2b1a+AZEXZylfPB6oeld7a84cPfsFixVsKftG1g7VUVaNRf3e"
)

// releaseStart is the fixed time the release's data was written from, a
// minute per step.
var releaseStart = time.Date(2025, 6, 10, 9, 0, 0, 0, time.UTC)

const releaseYAML = `id: istanbul-2025-06-02
title: Istanbul, 2 June 2025 — humanitarian terms
date: 2025-06-02
parties:
  - {code: UA, name: Ukraine}
  - {code: RU, name: Russian Federation}
mediator: {code: TR, name: Türkiye}
categories:
  - id: seriously-wounded-ill
    subject: prisoner
    terms: all-for-all
    eligibility:
      condition: [seriously-wounded, seriously-ill]
  - id: aged-18-25
    subject: prisoner
    terms: all-for-all
    eligibility:
      age: {min: 18, max: 25}
`

// The lists, all persons invented: UA's request as first submitted (with
// faults), then corrected; RU's custody list, put to UA and answered.
var releaseLists = []struct {
	party string
	kind  tally.ListKind
	file  string
	csv   string
}{
	{"UA", tally.KindRequest, "ua-request.csv", "ref,surname,given_name,patronymic,birth_date,category,condition\n" +
		"UA-0001,Олійник,Олександр,Миколайович,2003-04-05,aged-18-25,\n" +
		"UA-0002,Коваленко,Петро,Іванович,2002-01-02,aged-18-25,\n" +
		"UA-0003,Бондар,Іван,Петрович,1950-01-01,aged-18-25,\n" +
		"UA-0004,,Василь,Степанович,1984-07-30,seriously-wounded-ill,seriously-wounded\n"},
	{"UA", tally.KindRequest, "ua-request-corrected.csv", "ref,surname,given_name,patronymic,birth_date,category,condition\n" +
		"UA-0001,Олійник,Олександр,Миколайович,2003-04-05,aged-18-25,\n" +
		"UA-0002,Коваленко,Петро,Іванович,2002-01-02,aged-18-25,\n" +
		"UA-0003,Бондар,Іван,Петрович,1950-01-01,seriously-wounded-ill,seriously-ill\n" +
		"UA-0004,Мельник,Василь,Степанович,1984-07-30,seriously-wounded-ill,seriously-wounded\n"},
	{"RU", tally.KindCustody, "ru-custody.csv", "ref,surname,given_name,patronymic,birth_date,category,condition,unit\n" +
		"RC-0001,Олейник,Александр,Николаевич,2003-05-04,aged-18-25,,в/ч 0001\n" +
		"RC-0002,Коваленко,Пётр,Иванович,2002-01-02,aged-18-25,,в/ч 0002\n" +
		"RC-0003,Шевченко,Тарас,Григорьевич,2001-03-09,aged-18-25,,\n"},
}

var releaseUsers = []tally.NewUser{
	{OrgCode: "UA", OrgKind: tally.OrgParty, OrgName: "Coordination HQ", Name: "Clerk O.", Login: "ua-clerk", Roles: []tally.Role{tally.RoleClerk}},
	{OrgCode: "RU", OrgKind: tally.OrgParty, Name: "Signer M.", Login: "ru-signer", Roles: []tally.Role{tally.RoleViewer, tally.RoleSigner}},
	{OrgCode: "TR", OrgKind: tally.OrgMediator, Name: "Admin T.", Login: "tr-admin", Roles: []tally.Role{tally.RoleAdmin}},
	{OrgCode: "OBS", OrgKind: tally.OrgObserver, Name: "Observer", Login: "observer", Roles: []tally.Role{tally.RoleViewer}},
}

// LoadRelease brings the empty database db to the previous release's
// schema with the migrations in d, and loads fixture, the engine's
// testdata/release-00008.sql, in one transaction.
func LoadRelease(t *testing.T, db *sql.DB, d sqlstore.Dialect, fixture []byte) {
	t.Helper()
	ctx := context.Background()
	p, err := goose.NewProvider(d.Goose, db, d.Migrations, goose.WithDisableGlobalRegistry(true))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(ctx, ReleaseVersion); err != nil {
		t.Fatalf("migrating an empty database up to %d: %v", ReleaseVersion, err)
	}
	if v, err := p.GetDBVersion(ctx); err != nil || v != ReleaseVersion {
		t.Fatalf("schema at version %d (%v), want %d", v, err, ReleaseVersion)
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, string(fixture)); err != nil {
		t.Fatalf("loading the release's data: %v", err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
}

// releaseService is a Service over st whose clock starts at start and
// moves a minute each time it is read.
func releaseService(st tally.Store, start time.Time) *tally.Service {
	now := start
	svc := tally.NewService(st, func() time.Time {
		now = now.Add(time.Minute)
		return now
	})
	svc.UseProcess(func(a *tally.Agreement) tally.Reviewing { return exchange.NewProcess(a) })
	return svc
}

// WriteRelease fills the empty store st, at schema ReleaseVersion, with the
// release's data, and logs the secrets that the constants above must
// hold. It runs only to remake the fixture, at the release's commit.
func WriteRelease(t *testing.T, st tally.Store, latest int64) {
	if latest != ReleaseVersion {
		t.Fatalf("the release fixture is of schema %d, and this tally's is %d: write it at the release's commit", ReleaseVersion, latest)
	}
	cryptotest.SetGlobalRandom(t, releaseSeed)
	ctx := context.Background()
	svc := releaseService(st, releaseStart)
	ag, err := agreementfile.Parse("istanbul.yaml", []byte(releaseYAML))
	if err != nil {
		t.Fatal(err)
	}
	must(t, svc.AddAgreement(ctx, ag, []byte(releaseYAML)))

	id, err := age.GenerateX25519Identity()
	must(t, err)
	must(t, svc.AddRecipient(ctx, "RU", id.Recipient().String()))
	t.Logf("releaseIdentity = %q", id.String())

	keys := ledger.Keys{Parties: map[string]string{}}
	skey, vkey, err := ledger.GenerateRoleKey(ledger.RoleLog, "TR")
	must(t, err)
	logSigner, err := ledger.NewSigner(skey)
	must(t, err)
	keys.Log = vkey
	signers := map[string]ledgerSigner{}
	for _, p := range []string{"UA", "RU"} {
		skey, vkey, err := ledger.GenerateRoleKey(ledger.RoleParty, p)
		must(t, err)
		signers[p], err = ledger.NewSigner(skey)
		must(t, err)
		keys.Parties[p] = vkey
		if p == "UA" {
			t.Logf("releaseUAKey = %q", skey)
		}
	}
	svc.UseLogKey(logSigner)
	must(t, svc.SetUpLog(ctx, keys, logSigner))
	must(t, svc.SetWitnessURL(ctx, "W1", "https://witness-1.example.org/"))

	var versions []tally.ListVersion
	for _, l := range releaseLists {
		rows, err := listfile.NewReader(l.file, strings.NewReader(l.csv), listfile.Options{})
		must(t, err)
		v, _, err := svc.ImportList(ctx, tally.Import{AgreementID: ag.ID, Party: l.party, Kind: l.kind, FileName: l.file,
			Original: strings.NewReader(l.csv), Rows: rows, Signer: signers[l.party]})
		must(t, err)
		versions = append(versions, v)
	}
	// RU puts its custody list to UA, which accepts two rows and objects
	// to the third.
	custody := versions[2]
	sub := exchange.ListSubmitted{List: custody.ListID, Version: custody.Version, Kind: string(custody.Kind)}
	must(t, svc.ListRows(ctx, custody, func(r tally.StoredRow) error {
		sub.Rows = append(sub.Rows, exchange.ListRow{Ref: r.Ref, Category: r.Row.Values[tally.FieldCategory]})
		return nil
	}))
	ans := exchange.ListAnswered{List: custody.ListID, Version: custody.Version, Answers: []exchange.Answer{
		{Ref: "RC-0001", Accepted: true}, {Ref: "RC-0002", Accepted: true},
		{Ref: "RC-0003", Objection: exchange.ObjectionUnknownPerson}}}
	for _, e := range []exchange.Event{
		{Kind: exchange.KindListSubmitted, By: "RU", Actor: "Signer M.", At: releaseStart.Add(time.Hour), Body: sub},
		{Kind: exchange.KindListAnswered, By: "UA", Actor: "Clerk O.", At: releaseStart.Add(2 * time.Hour), Body: ans},
	} {
		payload, err := exchange.Encode(e)
		must(t, err)
		_, err = svc.RecordSteps(ctx, ag.ID, []tally.StepInput{{Kind: e.Kind, By: e.By, Payload: payload, Signer: signers[e.By]}},
			exchange.NewProcess(&ag))
		must(t, err)
	}
	must(t, svc.DecidePair(ctx, tally.PairDecision{LeftVersion: versions[1].ID, RightVersion: custody.ID, Left: "UA-0001", Right: "RC-0001",
		Accepted: true, Score: 0.93, By: "Clerk O.", Party: "UA", At: releaseStart.Add(3 * time.Hour), Note: "birth day and month swapped"}))
	must(t, svc.EraseList(ctx, versions[0], "Clerk O.", "superseded by version 2, which corrects it"))
	_, err = svc.Publish(ctx)
	must(t, err)

	for _, u := range releaseUsers {
		u.Password = releasePassword
		_, err := svc.AddUser(ctx, u)
		must(t, err)
	}
	tok, err := svc.NewToken(ctx, "ua-clerk")
	must(t, err)
	t.Logf("releaseToken = %q", tok)
	sid, _, actor, err := svc.SignIn(ctx, "ru-signer", releasePassword, tally.SessionPolicy{Lifetime: 100 * 365 * 24 * time.Hour, IdleTimeout: 100 * 365 * 24 * time.Hour})
	must(t, err)
	t.Logf("releaseSession = %q", sid)
	// An audited read, so that the audit log holds a record.
	_, _, err = svc.RowsFor(ctx, actor, ag.ID, custody.ListID, custody.Version, 0, 10)
	must(t, err)
}

type ledgerSigner = interface {
	Name() string
	KeyHash() uint32
	Sign([]byte) ([]byte, error)
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// CheckRelease reads the previous release's data back from st, a store
// opened through the engine's Open (so migrated to the latest version),
// through the Service as the command line and the server do, and then
// writes to it: every table's ids must go on from where the release's
// left off.
func CheckRelease(t *testing.T, st tally.Store) {
	ctx := context.Background()
	svc := releaseService(st, releaseStart.Add(24*time.Hour)) // the upgrade, a day later
	// A session ends after its idle timeout: the check's policy keeps the
	// release's open.
	forever := tally.SessionPolicy{Lifetime: 100 * 365 * 24 * time.Hour, IdleTimeout: 100 * 365 * 24 * time.Hour}

	t.Run("agreement", func(t *testing.T) {
		ag, src, err := svc.Agreement(ctx, releaseAgreement)
		if err != nil {
			t.Fatal(err)
		}
		if string(src) != releaseYAML || ag.Title != "Istanbul, 2 June 2025 — humanitarian terms" || len(ag.Categories) != 2 {
			t.Errorf("agreement %+v read back differently from its source", ag)
		}
	})

	t.Run("lists", func(t *testing.T) {
		id, err := age.ParseX25519Identity(releaseIdentity)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string][]struct {
			rows, problems int
			erased         bool
		}{
			"ua-request": {{4, 2, true}, {4, 0, false}},
			"ru-custody": {{3, 0, false}},
		}
		for list, wvs := range want {
			vs, err := svc.ListVersions(ctx, releaseAgreement, list)
			if err != nil {
				t.Fatal(err)
			}
			if len(vs) != len(wvs) {
				t.Fatalf("%s: %d versions, want %d", list, len(vs), len(wvs))
			}
			for i, v := range vs {
				w := wvs[i]
				if v.Version != i+1 || v.Rows != w.rows || v.Problems != w.problems || v.Conforming != (w.problems == 0) {
					t.Errorf("%s: version %+v, want %d rows and %d problems", v.Ref(), v, w.rows, w.problems)
				}
				rep, err := svc.ListReport(ctx, v)
				if err != nil || len(rep.Problems) != w.problems {
					t.Errorf("%s: report %+v, %v; want %d problems", v.Ref(), rep, err, w.problems)
				}
				var buf bytes.Buffer
				err = svc.WriteListFile(ctx, v, &buf, id)
				if w.erased {
					if err == nil {
						t.Errorf("%s: the erased original was read back", v.Ref())
					}
					continue
				}
				sum := sha256.Sum256(buf.Bytes())
				if err != nil || hex.EncodeToString(sum[:]) != v.SHA256 || int64(buf.Len()) != v.Size {
					t.Errorf("%s: original read back as %d bytes, %v; want %d bytes of SHA-256 %s", v.Ref(), buf.Len(), err, v.Size, v.SHA256)
				}
				n := 0
				err = svc.ListRows(ctx, v, func(r tally.StoredRow) error {
					n++
					if r.Ref == "" || r.Row.Values[tally.FieldSurname] == "" {
						t.Errorf("%s: row %+v lost its ref or surname", v.Ref(), r)
					}
					return nil
				})
				if err != nil || n != w.rows {
					t.Errorf("%s: %d rows read back, %v; want %d", v.Ref(), n, err, w.rows)
				}
			}
		}
	})

	t.Run("pairs", func(t *testing.T) {
		v2, err := svc.ListVersion(ctx, releaseAgreement, "ua-request", 2)
		if err != nil {
			t.Fatal(err)
		}
		c1, err := svc.ListVersion(ctx, releaseAgreement, "ru-custody", 1)
		if err != nil {
			t.Fatal(err)
		}
		_, all, err := svc.PairDecisions(ctx, v2.ID, c1.ID)
		if err != nil || len(all) != 1 || !all[0].Accepted || all[0].Left != "UA-0001" || all[0].Right != "RC-0001" || all[0].Note == "" {
			t.Errorf("pair decisions %v, %v; want UA-0001 = RC-0001 accepted", all, err)
		}
	})

	t.Run("log", func(t *testing.T) {
		dir := t.TempDir()
		if err := svc.ExportLog(ctx, ledger.DirWriter(dir)); err != nil {
			t.Fatal(err)
		}
		keys, err := svc.LogKeys(ctx)
		if err != nil {
			t.Fatal(err)
		}
		rep, err := ledger.Verify(os.DirFS(dir), ledger.VerifyOptions{Keys: &keys})
		if err != nil {
			t.Fatalf("the release's log does not verify: %v", err)
		}
		// Three imports and two steps.
		if entries, _ := fs.Glob(os.DirFS(dir), "tile/entries/*"); rep == nil || len(entries) == 0 {
			t.Errorf("export of the release's log holds no entries: %v", rep)
		}
		st, err := svc.LogStatus(ctx)
		if err != nil || st.Size != 5 {
			t.Errorf("log status %+v, %v; want 5 entries", st, err)
		}
		ag, _, err := svc.Agreement(ctx, releaseAgreement)
		if err != nil {
			t.Fatal(err)
		}
		p := exchange.NewProcess(&ag)
		if _, err := svc.ReplaySteps(ctx, releaseAgreement, p, false); err != nil {
			t.Errorf("replaying the release's steps: %v", err)
		}
		_, urls, err := svc.Witnesses(ctx)
		if err != nil || urls["W1"] != "https://witness-1.example.org/" {
			t.Errorf("witness addresses %v, %v", urls, err)
		}
	})

	t.Run("accounts", func(t *testing.T) {
		for _, u := range releaseUsers {
			if _, _, a, err := svc.SignIn(ctx, u.Login, releasePassword, forever); err != nil || a.User.Login != u.Login || a.Org().Code != u.OrgCode {
				t.Errorf("%s signs in as %+v, %v", u.Login, a.User, err)
			}
		}
		if a, err := svc.TokenActor(ctx, releaseToken); err != nil || a.User.Login != "ua-clerk" {
			t.Errorf("the release's token is %+v, %v; want ua-clerk's", a.User, err)
		}
		if a, err := svc.SessionActor(ctx, releaseSession, forever); err != nil || a.User.Login != "ru-signer" {
			t.Errorf("the release's session is %+v, %v; want ru-signer's", a.User, err)
		}
		var records []tally.AuditRecord
		if err := svc.AuditRecords(ctx, func(r tally.AuditRecord) error { records = append(records, r); return nil }); err != nil || len(records) == 0 {
			t.Errorf("audit records %v, %v; want the release's", records, err)
		}
	})

	// Writing after the upgrade: new rows take ids past the release's
	// (SQLite's AUTOINCREMENT and PostgreSQL's identity sequences were
	// carried over), and versions go on from the release's.
	t.Run("write", func(t *testing.T) {
		l := releaseLists[1]
		rows, err := listfile.NewReader(l.file, strings.NewReader(l.csv), listfile.Options{})
		if err != nil {
			t.Fatal(err)
		}
		signer, err := ledger.NewSigner(releaseUAKey)
		if err != nil {
			t.Fatal(err)
		}
		v, _, err := svc.ImportList(ctx, tally.Import{AgreementID: releaseAgreement, Party: "UA", Kind: tally.KindRequest,
			FileName: "ua-request-3.csv", Original: strings.NewReader(l.csv), Rows: rows, Signer: signer})
		if err != nil || v.Version != 3 || v.Entry != 5 {
			t.Fatalf("importing after the upgrade: version %d, entry %d, %v; want version 3 in entry 5", v.Version, v.Entry, err)
		}
		old, err := svc.ListVersion(ctx, releaseAgreement, "ru-custody", 1)
		if err != nil || v.ID <= old.ID {
			t.Errorf("new version id %d, not past the release's %d (%v)", v.ID, old.ID, err)
		}
		u, err := svc.AddUser(ctx, tally.NewUser{OrgCode: "UA", OrgKind: tally.OrgParty, Name: "Clerk N.", Login: "ua-clerk-2",
			Roles: []tally.Role{tally.RoleClerk}, Password: releasePassword})
		if err != nil {
			t.Fatalf("adding an account after the upgrade: %v", err)
		}
		us, err := svc.Users(ctx, "UA")
		if err != nil || len(us) != 2 {
			t.Errorf("UA has %d accounts, %v; want ua-clerk and ua-clerk-2", len(us), err)
		}
		for _, o := range us {
			if o.ID == u.ID && o.Login != u.Login {
				t.Errorf("new account's id %d is %s's", u.ID, o.Login)
			}
		}
	})
}

// MigrationFiles returns the names of the *.sql migrations in d by
// version ("lists" for 00001_lists.sql), and fails t for any that is not
// forward-only: one with statements under -- +goose Down. tally never
// migrates down, since undoing a migration drops what was stored; a Down
// section would only suggest that it can.
func MigrationFiles(t *testing.T, d sqlstore.Dialect) map[int64]string {
	t.Helper()
	names, err := fs.Glob(d.Migrations, "*.sql")
	if err != nil {
		t.Fatal(err)
	}
	out := map[int64]string{}
	for _, n := range names {
		m := migrationName.FindStringSubmatch(n)
		if m == nil {
			t.Errorf("%s: migration %s is not named NNNNN_name.sql", d.Name, n)
			continue
		}
		v, _ := strconv.ParseInt(m[1], 10, 64)
		b, err := fs.ReadFile(d.Migrations, n)
		if err != nil {
			t.Fatal(err)
		}
		out[v] = m[2]
		if !upOnly(b) {
			t.Errorf("%s: migration %s has statements under -- +goose Down: migrations are forward-only (undoing one drops what was stored); delete its Down section", d.Name, n)
		}
	}
	return out
}

var migrationName = regexp.MustCompile(`^(\d+)_([a-z0-9_]+)\.sql$`)

// upOnly reports whether a migration has no statement to run down: no
// -- +goose Down annotation, or nothing but comments and blanks after it.
func upOnly(b []byte) bool {
	_, down, found := strings.Cut(string(b), "-- +goose Down")
	if !found {
		return true
	}
	for line := range strings.Lines(down) {
		line = strings.TrimSpace(line)
		if line != "" && !strings.HasPrefix(line, "--") {
			return false
		}
	}
	return true
}
