package http

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"os"

	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"filippo.io/age"
	"golang.org/x/time/rate"

	"tally"
	"tally/ledger"
	"tally/listfile"
)

// The routes beyond reading: administration, agreements, the log, and
// the audited downloads, each followed through what a user does with it.

func decode[T any](t *testing.T, res response) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(res.body), &v); err != nil {
		t.Fatalf("%v in %.300s", err, res.body)
	}
	return v
}

func TestAccountsOverAPI(t *testing.T) { eachEngine(t, testAccountsOverAPI) }

func testAccountsOverAPI(t *testing.T, e engine) {
	f := newFixture(t, e, Config{LoginBurst: 100, LoginRate: rate.Inf}, false)
	body := `{"login":"Новий.Клерк","name":"Новий Клерк","roles":["clerk","viewer"],"password":"` + testPassword + `"}`
	res := f.do(t, "ua-admin", "POST", "/api/orgs/ua/users", "application/json", strings.NewReader(body))
	if res.status != 201 {
		t.Fatalf("create: %d %s", res.status, res.body)
	}
	if a := decode[accountJSON](t, res); a.Login != "новий.клерк" || !a.Password || a.Disabled || !slices.Equal(a.Roles, []string{"viewer", "clerk"}) {
		t.Errorf("created %+v", a)
	}
	if res := login(t, f, "новий.клерк", testPassword); res.status != 204 {
		t.Errorf("the new person signs in: %d %s", res.status, res.body)
	}
	for _, c := range []struct {
		name, actor, path, body string
		status                  int
		key                     string
	}{
		{"a login taken", "ua-admin", "/api/orgs/UA/users", body, 409, "login"},
		{"a short password", "ua-admin", "/api/orgs/UA/users", `{"login":"x2","name":"X","roles":["viewer"],"password":"short"}`, 422, "password"},
		{"no role", "ua-admin", "/api/orgs/UA/users", `{"login":"x3","name":"X","roles":[]}`, 422, "roles"},
		{"a role an observer has no use for", "obs-admin", "/api/orgs/OBS/users", `{"login":"x4","name":"X","roles":["clerk"]}`, 422, "roles"},
		{"an unknown field", "ua-admin", "/api/orgs/UA/users", `{"login":"x5","name":"X","roles":["viewer"],"org":"RU"}`, 400, ""},
		{"another organisation", "ua-admin", "/api/orgs/RU/users", `{"login":"x6","name":"X","roles":["admin"]}`, 403, ""},
		{"not an admin", "ua-signer", "/api/orgs/UA/users", `{"login":"x7","name":"X","roles":["admin"]}`, 403, ""},
	} {
		res := f.do(t, c.actor, "POST", c.path, "application/json", strings.NewReader(c.body))
		p := decode[Problem](t, res)
		if res.status != c.status || p.Key != c.key {
			t.Errorf("%s: %d key %q, want %d key %q: %s", c.name, res.status, p.Key, c.status, c.key, res.body)
		}
	}

	// A token for a script: shown once, works, listed by id only, revoked.
	res = f.do(t, "ua-admin", "POST", "/api/orgs/UA/users/новий.клерк/tokens", "", nil)
	tok := decode[newTokenJSON](t, res)
	if res.status != 201 || !strings.HasPrefix(tok.Token, "tally_") || len(tok.ID) != 12 {
		t.Fatalf("token: %d %s", res.status, res.body)
	}
	f.tokens["new"] = tok.Token
	if res := f.do(t, "new", "GET", "/api/me", "", nil); res.status != 200 || !strings.Contains(res.body, "новий.клерк") {
		t.Errorf("me with the new token: %d %s", res.status, res.body)
	}
	res = f.do(t, "ua-admin", "GET", "/api/orgs/UA/users", "", nil)
	if strings.Contains(res.body, tok.Token) || !strings.Contains(res.body, tok.ID) {
		t.Errorf("the list shows the token, or not its id: %s", res.body)
	}
	if res := f.do(t, "ru-admin", "DELETE", "/api/orgs/UA/users/новий.клерк/tokens/"+tok.ID, "", nil); res.status != 403 {
		t.Errorf("RU's admin revoking UA's token: %d", res.status)
	}
	if res := f.do(t, "ua-admin", "DELETE", "/api/orgs/UA/users/ru-admin/tokens/"+tok.ID, "", nil); res.status != 404 {
		t.Errorf("UA's admin naming RU's account: %d", res.status)
	}
	if res := f.do(t, "ua-admin", "DELETE", "/api/orgs/UA/users/новий.клерк/tokens/"+tok.ID, "", nil); res.status != 204 {
		t.Errorf("revoke: %d %s", res.status, res.body)
	}
	if res := f.do(t, "new", "GET", "/api/me", "", nil); res.status != 401 {
		t.Errorf("me with a revoked token: %d", res.status)
	}
	if res := f.do(t, "ua-admin", "DELETE", "/api/orgs/UA/users/новий.клерк/tokens/"+tok.ID, "", nil); res.status != 404 {
		t.Errorf("revoking twice: %d", res.status)
	}

	// The person changes the password the admin gave.
	cookie := sessionOf(t, f, "новий.клерк")
	newPassword := "a password only I know"
	change := func(current string, edit ...func(*http.Request)) response {
		return f.do(t, "anonymous", "PUT", "/api/me/password", "application/json",
			strings.NewReader(`{"current":"`+current+`","password":"`+newPassword+`"}`), append(edit, cookie)...)
	}
	if res := change("wrong password"); res.status != 422 || !strings.Contains(res.body, `"key":"current"`) {
		t.Errorf("a wrong current password: %d %s", res.status, res.body)
	}
	if res := change(testPassword, func(r *http.Request) { r.Header.Set("Sec-Fetch-Site", "cross-site") }); res.status != 403 {
		t.Errorf("a cross-site change: %d", res.status)
	}
	if res := change(testPassword); res.status != 204 {
		t.Fatalf("change: %d %s", res.status, res.body)
	}
	if res := f.do(t, "anonymous", "GET", "/api/me", "", nil, cookie); res.status != 401 {
		t.Errorf("the session after the change: %d", res.status)
	}
	if res := login(t, f, "новий.клерк", testPassword); res.status != 401 {
		t.Errorf("the old password: %d", res.status)
	}
	if res := login(t, f, "новий.клерк", newPassword); res.status != 204 {
		t.Errorf("the new password: %d", res.status)
	}

	// Disabled: no password, no token, no session; then enabled again.
	res = f.do(t, "ua-admin", "POST", "/api/orgs/UA/users/новий.клерк/tokens", "", nil)
	f.tokens["new"] = decode[newTokenJSON](t, res).Token
	res = login(t, f, "новий.клерк", newPassword)
	cs := (&http.Response{Header: res.header}).Cookies()
	if len(cs) != 1 {
		t.Fatalf("sign in: %d %v", res.status, res.header)
	}
	cookie = func(r *http.Request) { r.AddCookie(cs[0]) }
	if res := f.do(t, "ua-admin", "POST", "/api/orgs/UA/users/ua-admin/disable", "", nil); res.status != 409 {
		t.Errorf("disabling oneself: %d %s", res.status, res.body)
	}
	if res := f.do(t, "ua-admin", "POST", "/api/orgs/UA/users/новий.клерк/disable", "", nil); res.status != 204 {
		t.Fatalf("disable: %d %s", res.status, res.body)
	}
	for name, res := range map[string]response{
		"token":    f.do(t, "new", "GET", "/api/me", "", nil),
		"session":  f.do(t, "anonymous", "GET", "/api/me", "", nil, cookie),
		"password": login(t, f, "новий.клерк", newPassword),
	} {
		if res.status != 401 {
			t.Errorf("the %s of a disabled account: %d", name, res.status)
		}
	}
	res = f.do(t, "ua-admin", "GET", "/api/orgs/UA/users", "", nil)
	for _, a := range decode[[]accountJSON](t, res) {
		if a.Login == "новий.клерк" && (!a.Disabled || a.Password || len(a.Tokens) != 0) {
			t.Errorf("listed as %+v", a)
		}
	}
	if res := f.do(t, "ua-admin", "PUT", "/api/orgs/UA/users/новий.клерк/password", "application/json",
		strings.NewReader(`{"password":"`+testPassword+`"}`)); res.status != 204 {
		t.Errorf("set a password: %d %s", res.status, res.body)
	}
	if res := login(t, f, "новий.клерк", testPassword); res.status != 204 {
		t.Errorf("signing in once enabled again: %d", res.status)
	}

	// Every change is audited, by whom; no secret is in the audit.
	var changes []string
	if err := f.svc.AuditRecords(context.Background(), func(r tally.AuditRecord) error {
		if r.Action == tally.ActionManageUsers && r.Resource == "account:новий.клерк" {
			changes = append(changes, r.Login+": "+r.Detail)
		}
		if strings.Contains(r.Detail, "tally_") || strings.Contains(r.Detail, testPassword) {
			t.Errorf("the audit holds a secret: %+v", r)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(changes) != 7 || !strings.HasPrefix(changes[0], "ua-admin: created with roles viewer,clerk") ||
		!strings.HasPrefix(changes[4], "ua-admin: token") || !strings.HasPrefix(changes[5], "ua-admin: disabled: password removed, 1 tokens revoked, 2 sessions ended") {
		t.Errorf("audited changes:\n%s", strings.Join(changes, "\n"))
	}
}

func TestAddAgreementOverAPI(t *testing.T) { eachEngine(t, testAddAgreementOverAPI) }

func testAddAgreementOverAPI(t *testing.T, e engine) {
	f := newFixture(t, e, Config{}, false)
	yaml := agreementFile("a2")
	res := f.do(t, "tr-admin", "POST", "/api/agreements", "application/yaml", strings.NewReader(yaml))
	if res.status != 201 || res.header.Get("Location") != "/api/agreements/a2" || decode[agreementJSON](t, res).ID != "a2" {
		t.Fatalf("add: %d %v %s", res.status, res.header, res.body)
	}
	if res := f.do(t, "tr-admin", "POST", "/api/agreements", "application/yaml", strings.NewReader(yaml)); res.status != 200 {
		t.Errorf("the same file again: %d %s", res.status, res.body)
	}
	if res := f.do(t, "ua-viewer", "GET", "/api/agreements/a2", "", nil); res.status != 200 {
		t.Errorf("a party reading the agreement added: %d", res.status)
	}
	other := strings.Replace(yaml, "title: Synthetic exchange", "title: Other terms", 1)
	if res := f.do(t, "tr-admin", "POST", "/api/agreements", "application/yaml", strings.NewReader(other)); res.status != 409 {
		t.Errorf("other terms under the same id: %d %s", res.status, res.body)
	}
	json := `{"id":"a4","title":"JSON","date":"2025-06-02","parties":[{"code":"UA","name":"A"},{"code":"RU","name":"B"}],"mediator":{"code":"TR","name":"M"},
"categories":[{"id":"all","subject":"prisoner","terms":"all-for-all"}]}`
	if res := f.do(t, "tr-admin", "POST", "/api/agreements", "application/json", strings.NewReader(json)); res.status != 201 {
		t.Errorf("a JSON agreement: %d %s", res.status, res.body)
	}
	ct, body := fileForm("a5.yaml", agreementFile("a5"))
	if res := f.do(t, "tr-admin", "POST", "/api/agreements", ct, body); res.status != 201 {
		t.Errorf("as a form's file: %d %s", res.status, res.body)
	}
	// Another mediator's agreement, a party's admin: refused.
	if res := f.do(t, "tr-admin", "POST", "/api/agreements", "application/yaml",
		strings.NewReader(strings.Replace(agreementFile("a6"), "code: TR", "code: XX", 1))); res.status != 403 {
		t.Errorf("an agreement TR does not mediate: %d %s", res.status, res.body)
	}
	// Every fault, with its line.
	bad := strings.Replace(strings.Replace(agreementFile("a7"), "date: 2025-06-02", "date: 2025-13-02", 1), "subject: prisoner", "subjekt: prisoner", 1)
	res = f.do(t, "tr-admin", "POST", "/api/agreements", "application/yaml", strings.NewReader(bad))
	p := decode[Problem](t, res)
	if res.status != 422 || len(p.Problems) != 2 || p.Problems[0].Line != 3 || p.Problems[1].Line == 0 || p.Problems[1].Key == "" {
		t.Errorf("a file with two faults: %d %s", res.status, res.body)
	}
	if res := f.do(t, "tr-admin", "POST", "/api/agreements", "text/csv", strings.NewReader(yaml)); res.status != 400 {
		t.Errorf("a CSV body: %d", res.status)
	}
	if res := f.do(t, "tr-admin", "POST", "/api/agreements", "application/yaml", strings.NewReader(strings.Repeat("# x\n", 300_000))); res.status != 422 {
		t.Errorf("a file too large: %d %s", res.status, res.body)
	}
}

// readTar extracts a tar archive into dir, as tar -xf does.
func readTar(t *testing.T, data []byte, dir string) {
	t.Helper()
	tr := tar.NewReader(bytes.NewReader(data))
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, filepath.FromSlash(h.Name))
		if !strings.HasPrefix(p, dir+string(filepath.Separator)) {
			t.Fatalf("%q leads out of the directory", h.Name)
		}
		switch h.Typeflag {
		case tar.TypeDir:
			if err := os.MkdirAll(p, 0o755); err != nil {
				t.Fatal(err)
			}
		case tar.TypeReg:
			b, err := io.ReadAll(tr)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, b, 0o644); err != nil {
				t.Fatal(err)
			}
		default:
			t.Fatalf("%s: type %c", h.Name, h.Typeflag)
		}
	}
}

// files lists the files under dir with their contents.
func files(t *testing.T, dir string) map[string]string {
	t.Helper()
	m := map[string]string{}
	err := fs.WalkDir(os.DirFS(dir), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(os.DirFS(dir), p)
		m[p] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// The log downloaded through the API is the directory tally log export
// writes, and verifies; its entries and receipts agree with it.
func TestLogOverAPI(t *testing.T) { eachEngine(t, testLogOverAPI) }

func testLogOverAPI(t *testing.T, e engine) {
	f := newFixture(t, e, Config{}, true)
	res := f.do(t, "witness", "GET", "/api/log/export", "", nil)
	if res.status != 200 || res.header.Get("Content-Type") != "application/x-tar" {
		t.Fatalf("export: %d %v", res.status, res.header)
	}
	got := t.TempDir()
	readTar(t, []byte(res.body), got)
	want := t.TempDir()
	if err := f.svc.ExportLog(context.Background(), ledger.DirWriter(want)); err != nil {
		t.Fatal(err)
	}
	gotFiles, wantFiles := files(t, filepath.Join(got, exportDir)), files(t, want)
	if len(gotFiles) != len(wantFiles) || len(wantFiles) < 5 {
		t.Errorf("the archive holds %d files, the export %d", len(gotFiles), len(wantFiles))
	}
	for name, b := range wantFiles {
		if gotFiles[name] != b {
			t.Errorf("%s differs from the export's", name)
		}
	}
	rep, err := ledger.Verify(os.DirFS(filepath.Join(got, exportDir)), ledger.VerifyOptions{})
	if err != nil {
		t.Fatalf("the extracted archive does not verify: %v", err)
	}
	// A range of it, as a resumed download asks.
	part := f.do(t, "ua-viewer", "GET", "/api/log/export", "", nil, func(r *http.Request) { r.Header.Set("Range", "bytes=0-511") })
	if part.status != 206 || len(part.body) != 512 {
		t.Errorf("a range: %d, %d bytes", part.status, len(part.body))
	}

	page := decode[logEntriesJSON](t, f.do(t, "ua-viewer", "GET", "/api/log/entries?n=3", "", nil))
	if page.Size != rep.Size || len(page.Entries) != 3 || page.NextStart == nil || *page.NextStart != 3 || page.Entries[1].Index != 1 {
		t.Fatalf("first page: %+v", page)
	}
	last := decode[logEntriesJSON](t, f.do(t, "ua-viewer", "GET", "/api/log/entries?start=3", "", nil))
	if int64(len(last.Entries))+3 != rep.Size || last.NextStart != nil {
		t.Errorf("the rest: %d entries, next %v", len(last.Entries), last.NextStart)
	}
	for _, e := range append(page.Entries, last.Entries...) {
		if _, err := ledger.DecodeEntry([]byte(e.Note)); err != nil || e.Party == "" || e.Kind == "" {
			t.Errorf("entry %d: %v %+v", e.Index, err, e)
		}
	}
	if res := f.do(t, "ua-viewer", "GET", "/api/log/entries?n=0", "", nil); res.status != 422 {
		t.Errorf("n=0: %d", res.status)
	}

	keys, err := f.svc.LogKeys(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	rc := decode[receiptJSON](t, f.do(t, "ru-viewer", "GET", "/api/log/entries/2/receipt", "", nil))
	p, err := ledger.DecodeProof([]byte(rc.Proof))
	if err != nil {
		t.Fatal(err)
	}
	entry, cp, err := ledger.VerifyProof(p, keys, 0)
	if err != nil || p.Index != 2 || rc.Entry != page.Entries[2].Note || cp.Size != rep.Size || entry.Party == "" {
		t.Errorf("the receipt's proof: %v, index %d, checkpoint %d", err, p.Index, cp.Size)
	}
	if res := f.do(t, "ru-viewer", "GET", "/api/log/entries/999/receipt", "", nil); res.status != 404 {
		t.Errorf("the receipt of an entry not in the log: %d %s", res.status, res.body)
	}
}

// Exporting a store that keeps no log, or whose last entries no
// checkpoint holds yet, says so before anything is sent.
func TestLogExportRefused(t *testing.T) { eachEngine(t, testLogExportRefused) }

func testLogExportRefused(t *testing.T, e engine) {
	f := newFixture(t, e, Config{}, false)
	if res := f.do(t, "ua-viewer", "GET", "/api/log/export", "", nil); res.status != 404 ||
		!strings.HasPrefix(res.header.Get("Content-Type"), "application/problem+json") {
		t.Errorf("export without a log: %d %s", res.status, res.body)
	}
}

func TestOriginalDownload(t *testing.T) { eachEngine(t, testOriginalDownload) }

func testOriginalDownload(t *testing.T, e engine) {
	f := newFixture(t, e, Config{}, true)
	res := f.do(t, "ua-clerk", "GET", "/api/agreements/a1/lists/ua-request/versions/1/original", "", nil)
	want := listCSV("UA", f.canary)
	sum := sha256.Sum256([]byte(want))
	if res.status != 200 || res.body != want || res.header.Get("X-Tally-SHA256") != hex.EncodeToString(sum[:]) ||
		!strings.HasPrefix(res.header.Get("Repr-Digest"), "sha-256=:") || res.header.Get("Content-Disposition") != "attachment; filename=list.csv" {
		t.Fatalf("the original: %d %v %q", res.status, res.header, res.body)
	}
	// Audited, with the bytes.
	found := false
	f.svc.AuditRecords(context.Background(), func(r tally.AuditRecord) error {
		found = found || (r.Login == "ua-clerk" && r.Resource == "ua-request@1" && strings.HasPrefix(r.Detail, "original file"))
		return nil
	})
	if !found {
		t.Error("the download was not audited")
	}

	// A file kept encrypted: the server cannot read it, and says so.
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	if err := f.svc.AddRecipient(context.Background(), "UA", id.Recipient().String()); err != nil {
		t.Fatal(err)
	}
	csv := listCSV("UA", "Зашифрований")
	rows, err := listfile.NewReader("enc.csv", strings.NewReader(csv), listfile.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.svc.ImportList(context.Background(), tally.Import{AgreementID: "a1", Party: "UA", Kind: tally.KindRequest,
		Name: "enc", FileName: "enc.csv", Original: strings.NewReader(csv), Rows: rows, Signer: f.signers["UA"]}); err != nil {
		t.Fatal(err)
	}
	res = f.do(t, "ua-clerk", "GET", "/api/agreements/a1/lists/ua-request-enc/versions/1/original", "", nil)
	if p := decode[Problem](t, res); res.status != 409 || !strings.Contains(p.Detail, "cannot decrypt") || !strings.Contains(p.Hint, "--identity") {
		t.Errorf("an encrypted original: %d %s", res.status, res.body)
	}
}

func TestMatchesOverAPI(t *testing.T) { eachEngine(t, testMatchesOverAPI) }

func testMatchesOverAPI(t *testing.T, e engine) {
	f := newFixture(t, e, Config{}, true)
	m := decode[matchesJSON](t, f.do(t, "ua-signer", "GET", "/api/agreements/a1/matches?left=ua-request@1&right=ru-custody@1", "", nil))
	if m.Left.List != "ua-request" || m.Right.List != "ru-custody" || len(m.Decisions) != 1 ||
		m.Decisions[0].Left != "UA-1" || m.Decisions[0].Right != "RC-1" || m.Decisions[0].Verdict != "accepted" || m.Decisions[0].Replaced {
		t.Errorf("matches: %+v", m)
	}
	for _, q := range []string{"left=ua-request&right=ru-custody@1", "left=ua-request@1", "left=@1&right=ru-custody@1"} {
		if res := f.do(t, "ua-signer", "GET", "/api/agreements/a1/matches?"+q, "", nil); res.status != 422 {
			t.Errorf("?%s: %d %s", q, res.status, res.body)
		}
	}
	var audited []string
	f.svc.AuditRecords(context.Background(), func(r tally.AuditRecord) error {
		if r.Login == "ua-signer" {
			audited = append(audited, r.Resource+": "+r.Detail)
		}
		return nil
	})
	if !slices.Equal(audited, []string{"ua-request@1: 1 pair decisions with ru-custody@1", "ru-custody@1: 1 pair decisions with ua-request@1"}) {
		t.Errorf("audited: %q", audited)
	}
}

// The people page: an admin adds a person, issues a token that is shown
// once, revokes it, and disables the account.
func TestAdminPage(t *testing.T) { eachEngine(t, testAdminPage) }

func testAdminPage(t *testing.T, e engine) {
	f := newFixture(t, e, Config{RPID: testRPID, Origins: []string{testOrigin}}, false)
	admin := confirmedSessionOf(t, f, "ru-admin")
	sameOrigin := func(r *http.Request) { r.Header.Set("Sec-Fetch-Site", "same-origin") }
	post := func(path string, form string) response {
		return f.doPage(t, "anonymous", "POST", path+"?lang=ru", "application/x-www-form-urlencoded", strings.NewReader(form), admin, sameOrigin)
	}
	res := post("/admin/users", "csrf=&login=ru-new&name=Новый+Человек&role=clerk&role=signer&password="+strings.ReplaceAll(testPassword, " ", "+"))
	if res.status != 303 || res.header.Get("Location") != "/admin?done=added&login=ru-new" {
		t.Fatalf("add: %d %v %.500s", res.status, res.header, res.body)
	}
	res = f.doPage(t, "anonymous", "GET", "/admin?done=added&login=ru-new&lang=ru", "", nil, admin)
	for _, want := range []string{"Учётная запись ru-new добавлена.", "Новый Человек", "делопроизводитель, подписант", `href="/admin" aria-current="page"`} {
		if !strings.Contains(res.body, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	res = post("/admin/tokens", "csrf=&login=ru-new")
	token := regexp.MustCompile(`tally_[A-Za-z0-9_-]+`).FindString(res.body)
	if res.status != 200 || token == "" || !strings.Contains(res.body, "показывается только этот раз") {
		t.Fatalf("issue: %d %.600s", res.status, res.body)
	}
	if again := f.doPage(t, "anonymous", "GET", "/admin", "", nil, admin); strings.Contains(again.body, token) {
		t.Error("the token is shown again")
	}
	id := regexp.MustCompile(`name="login" value="ru-new">\s*<input type="hidden" name="id" value="([0-9a-f]{12})"`).FindStringSubmatch(res.body)
	if id == nil {
		t.Fatal("no token to revoke on the page")
	}
	if res := post("/admin/tokens/revoke", "csrf=&login=ru-new&id="+id[1]); res.status != 303 {
		t.Errorf("revoke: %d", res.status)
	}
	if res := post("/admin/disable", "csrf=&login=ru-new"); res.status != 303 {
		t.Errorf("disable: %d", res.status)
	}
	res = f.doPage(t, "anonymous", "GET", "/admin?lang=en", "", nil, admin)
	if !strings.Contains(res.body, "disabled: no password, no token") {
		t.Errorf("the disabled account is not shown so")
	}
	// An error says what, where and what to do.
	res = post("/admin/users", "csrf=&login=x&name=X&role=viewer")
	if res.status != 422 || !strings.Contains(res.body, "2 to 64 characters") {
		t.Errorf("a login too short: %d %.400s", res.status, res.body)
	}
	// Only admins see the link.
	if res := f.doPage(t, "ru-signer", "GET", "/review", "", nil); strings.Contains(res.body, `href="/admin"`) {
		t.Error("a signer sees the link to the people page")
	}
}

func TestAgreementAndVerifyPages(t *testing.T) { eachEngine(t, testAgreementAndVerifyPages) }

func testAgreementAndVerifyPages(t *testing.T, e engine) {
	f := newFixture(t, e, Config{}, true)
	ct, body := fileForm("bad.yaml", strings.Replace(agreementFile("a9"), "terms: all-for-all", "terms: all-for-some", 1))
	res := f.doPage(t, "tr-admin", "POST", "/agreements?lang=en", ct, body)
	if res.status != 422 || !strings.Contains(res.body, `id="agreement-problems"`) || !strings.Contains(res.body, "bad.yaml:") {
		t.Errorf("a bad file: %d %.1500s", res.status, res.body)
	}
	ct, body = fileForm("a9.yaml", agreementFile("a9"))
	res = f.doPage(t, "tr-admin", "POST", "/agreements", ct, body)
	if res.status != 303 || res.header.Get("Location") != "/agreements/a9?added=1" {
		t.Fatalf("add: %d %v", res.status, res.header)
	}
	res = f.doPage(t, "tr-admin", "GET", "/agreements/a9?added=1&lang=uk", "", nil)
	if !strings.Contains(res.body, "Домовленість a9 додано.") || !strings.Contains(res.body, `id="agreement-add"`) {
		t.Errorf("after adding: %.600s", res.body)
	}
	if res := f.doPage(t, "ua-admin", "GET", "/agreements", "", nil); strings.Contains(res.body, `id="agreement-add"`) {
		t.Error("a party's admin is offered the form")
	}

	res = f.doPage(t, "ua-viewer", "POST", "/log/verify?lang=en", "application/x-www-form-urlencoded", strings.NewReader("csrf="))
	if res.status != 200 || !regexp.MustCompile(`The log verifies: \d+ entries checked`).MatchString(res.body) || !strings.Contains(res.body, "Real assurance") {
		t.Errorf("verify: %d %.3000s", res.status, res.body)
	}
}
