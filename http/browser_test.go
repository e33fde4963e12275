package http

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/webauthn"
	"github.com/chromedp/chromedp"

	"tally"
	"tally/exchange"
	"tally/ledger"
)

// The browser tests drive Debian's chromium, headless, through chromedp:
// the pages as people use them, forms, uploads, redirects and cookies
// included. They skip when no chromium is installed, unless
// TALLY_TEST_BROWSER is set (CI sets it), which makes that a failure. With
// TALLY_SCREENSHOTS=1 they also write the screenshots of the main pages in
// docs/screenshots (1280×800 PNG), which are committed.

// chromiumPath finds the browser, or skips.
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("TALLY_TEST_BROWSER") != "" {
		t.Fatal("TALLY_TEST_BROWSER is set but no chromium binary is on PATH: apt-get install -y chromium")
	}
	t.Skip("no chromium binary on PATH: the browser tests skip (apt-get install -y chromium, or set TALLY_TEST_BROWSER=1 to make this a failure)")
	return ""
}

// browser is one headless Chromium for a test; each user gets their own
// browser context (their own cookies) with user().
type browser struct {
	t    *testing.T
	ctx  context.Context
	base string
}

func newBrowser(t *testing.T, base string) *browser {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		// The test server's certificate is its own: the session cookie is
		// __Host- and Secure, so the pages are served over TLS.
		chromedp.Flag("ignore-certificate-errors", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 800),
	)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	t.Cleanup(cancel)
	alloc, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(cancelAlloc)
	bctx, cancelB := chromedp.NewContext(alloc)
	t.Cleanup(cancelB)
	if err := chromedp.Do(bctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("starting chromium: %v", err)
	}
	return &browser{t: t, ctx: bctx, base: base}
}

// tab is one user's tab, in a browser context of its own.
type tab struct {
	b   *browser
	ctx context.Context
}

func (b *browser) user() *tab {
	ctx, cancel := chromedp.NewContext(b.ctx, chromedp.WithNewBrowserContext())
	b.t.Cleanup(cancel)
	// The first action makes the tab, which lives as long as the context
	// it ran with: run it with the tab's own, not one with a timeout.
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank"), chromedp.EmulateViewport(1280, 800)); err != nil {
		b.t.Fatalf("opening a tab: %v", err)
	}
	return &tab{b: b, ctx: ctx}
}

func (tb *tab) do(steps ...chromedp.Action[chromedp.Void]) {
	tb.b.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		loc, _ := chromedp.Run(tb.ctx, chromedp.Location())
		tb.b.t.Fatalf("in the browser at %s: %v", loc, err)
	}
}

func (tb *tab) text(sel string) string {
	tb.b.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 30*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		tb.b.t.Fatalf("the text of %s: %v", sel, err)
	}
	return strings.TrimSpace(s)
}

func (tb *tab) eval(js string) string {
	tb.b.t.Helper()
	s, err := chromedp.Run(tb.ctx, chromedp.Evaluate[string](js))
	if err != nil {
		tb.b.t.Fatalf("%s: %v", js, err)
	}
	return s
}

// open navigates to path and waits for the page's main heading.
func (tb *tab) open(path string) {
	tb.b.t.Helper()
	tb.do(chromedp.Navigate(tb.b.base+path), chromedp.WaitVisible(chromedp.CSS("main h1")))
}

// signIn signs in through the form.
func (tb *tab) signIn(login string) {
	tb.b.t.Helper()
	tb.do(chromedp.Navigate(tb.b.base+"/login?lang=en"),
		chromedp.WaitVisible(chromedp.CSS("#login-name")),
		chromedp.SendKeys(chromedp.CSS("#login-name"), login),
		chromedp.SendKeys(chromedp.CSS("#login-password"), testPassword),
		chromedp.Click(chromedp.CSS(`form[action="/login"] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`form[action="/logout"]`)))
}

// localhost is the test server's URL by the name localhost: a security
// key cannot be tied to an IP address, and the server ties it, unless told
// otherwise, to localhost.
func localhost(url string) string { return strings.Replace(url, "127.0.0.1", "localhost", 1) }

// securityKey gives the tab a security key: Chromium's virtual
// authenticator (DevTools' WebAuthn domain), a platform authenticator that
// verifies its user and is touched at once.
func (tb *tab) securityKey() {
	tb.b.t.Helper()
	tb.do(chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		if _, err := cdp.Call(ctx, t, webauthn.Enable, webauthn.EnableParams{}); err != nil {
			return err
		}
		_, err := cdp.Call(ctx, t, webauthn.AddVirtualAuthenticator, webauthn.AddVirtualAuthenticatorParams{Options: &webauthn.VirtualAuthenticatorOptions{
			Protocol: webauthn.AuthenticatorProtocolCtap2, Transport: webauthn.AuthenticatorTransportInternal,
			HasResidentKey: true, HasUserVerification: true, IsUserVerified: true, AutomaticPresenceSimulation: true}})
		return err
	}))
}

// waitPath waits until the tab's location is at path.
func (tb *tab) waitPath(path string) {
	tb.b.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		got := tb.eval(`location.pathname`)
		if got == path {
			return
		}
		if time.Now().After(deadline) {
			status, _ := chromedp.Run(tb.ctx, chromedp.Evaluate[string](`(document.getElementById("webauthn-status") || {}).textContent || ""`))
			tb.b.t.Fatalf("still at %s, not %s: %q", got, path, status)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// signInWithKey signs in with the password, then registers the tab's
// security key (the first time) or confirms with it, as the pages ask.
func (tb *tab) signInWithKey(login string) {
	tb.b.t.Helper()
	tb.signIn(login)
	switch p := tb.eval(`location.pathname`); p {
	case "/security-keys/enrol":
		tb.do(chromedp.SendKeys(chromedp.CSS("#key-name"), "virtual"),
			chromedp.Click(chromedp.CSS(`form#webauthn button[type="submit"]`)))
	case "/security-keys/verify":
		tb.do(chromedp.Click(chromedp.CSS(`form#webauthn button[type="submit"]`)))
	default:
		tb.b.t.Fatalf("after the password, %s was sent to %s", login, p)
	}
	tb.waitPath("/")
}

// screenshot writes docs/screenshots/name.png when TALLY_SCREENSHOTS=1.
func (tb *tab) screenshot(name string) {
	tb.b.t.Helper()
	if os.Getenv("TALLY_SCREENSHOTS") != "1" {
		return
	}
	png, err := chromedp.Run(tb.ctx, chromedp.CaptureScreenshot())
	if err != nil {
		tb.b.t.Fatal(err)
	}
	dir := filepath.Join("..", "docs", "screenshots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		tb.b.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		tb.b.t.Fatal(err)
	}
}

// setUpProcess starts the signed log and records, through the service,
// what the other pages show: each party's custody list put to the other,
// RU's request list a draft, a round planned, approved, one person handed
// over by RU.
func setUpProcess(t *testing.T, f *fixture) {
	t.Helper()
	ctx := context.Background()
	keys := ledger.Keys{Parties: map[string]string{}}
	skey, vkey, err := ledger.GenerateRoleKey(ledger.RoleLog, "TR")
	if err != nil {
		t.Fatal(err)
	}
	logSigner, err := ledger.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	keys.Log = vkey
	for _, p := range []string{"UA", "RU", "TR"} {
		skey, vkey, err := ledger.GenerateRoleKey(ledger.RoleParty, p)
		if err != nil {
			t.Fatal(err)
		}
		if f.signers[p], err = ledger.NewSigner(skey); err != nil {
			t.Fatal(err)
		}
		keys.Parties[p] = vkey
		// The key file a signer loads into the page, as tally keys new
		// writes it.
		if f.keyFiles == nil {
			f.keyFiles = map[string]string{}
		}
		f.keyFiles[p] = filepath.Join(t.TempDir(), "tally-party-"+p+".key")
		if err := os.WriteFile(f.keyFiles[p], []byte(skey+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	f.svc.UseLogKey(logSigner)
	if err := f.svc.SetUpLog(ctx, keys, logSigner); err != nil {
		t.Fatal(err)
	}
	ag, _, err := f.svc.Agreement(ctx, "a1")
	if err != nil {
		t.Fatal(err)
	}
	f.importList(t, &ag, "UA", tally.KindCustody, listCSV("UC", "Шевченко"), true)
	f.importList(t, &ag, "RU", tally.KindCustody, listCSV("RC", "Петров"), true)
	f.importList(t, &ag, "RU", tally.KindRequest, listCSV("RR", "Иванов"), false)
	ref := func(l, r string) exchange.PersonRef { return exchange.PersonRef{List: l, Ref: r} }
	for _, e := range []exchange.Event{
		{Kind: exchange.KindRoundPlanned, By: "TR", Body: exchange.RoundPlanned{Round: "1", Date: "2025-06-20", Manifests: []exchange.Manifest{
			{From: "RU", To: "UA", Category: "aged-18-25", Persons: []exchange.PersonRef{ref("ru-custody", "RC-1"), ref("ru-custody", "RC-2")}},
			{From: "UA", To: "RU", Category: "aged-18-25", Persons: []exchange.PersonRef{ref("ua-custody", "UC-1"), ref("ua-custody", "UC-2")}}}}},
		{Kind: exchange.KindRoundApproved, By: "UA", Body: exchange.RoundApproved{Round: "1"}},
		{Kind: exchange.KindRoundApproved, By: "RU", Body: exchange.RoundApproved{Round: "1"}},
		{Kind: exchange.KindHandedOver, By: "RU", Body: exchange.HandedOver{Round: "1", Person: ref("ru-custody", "RC-1")}},
	} {
		e.Actor, e.At = "Clerk (synthetic)", time.Now()
		payload, err := exchange.Encode(e)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.RecordSteps(ctx, "a1", []tally.StepInput{{Kind: e.Kind, By: e.By, Payload: payload, Signer: f.signers[e.By]}},
			exchange.NewProcess(&ag)); err != nil {
			t.Fatalf("%s by %s: %v", e.Kind, e.By, err)
		}
	}
	if _, err := f.svc.Publish(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestBrowser: a clerk of one side imports a list through the pages and
// sees its problems row by row; the other side cannot see that draft; a
// signer finds the acknowledgement at the handover point (which the server
// cannot sign: it says so); every page renders in all four languages.
func TestBrowser(t *testing.T) { eachEngine(t, testBrowser) }

func testBrowser(t *testing.T, e engine) {
	if testing.Short() {
		t.Skip("the browser tests take a few seconds")
	}
	chromiumPath(t)
	f := newFixture(t, e, Config{}, false)
	srv := httptest.NewTLSServer(NewServer(Config{Service: f.svc, Version: "test", TempDir: t.TempDir(),
		Logger: slog.New(slog.NewJSONHandler(f.logs, nil))}))
	t.Cleanup(srv.Close)
	b := newBrowser(t, localhost(srv.URL))

	// A file with faults: a row without a surname and born in the future,
	// a row too old for the category, the canary in a good row.
	csv := "ref,surname,given_name,birth_date,category\n" +
		"UA-1," + f.canary + ",Олександр,2003-04-05,aged-18-25\n" +
		"UA-2,Коваленко,Петро,2002-01-02,aged-18-25\n" +
		"UA-3,,Іван,2030-01-01,aged-18-25\n" +
		"UA-4,Мельник,Іван,1950-01-01,aged-18-25\n"
	file := filepath.Join(t.TempDir(), "ua-request.csv")
	if err := os.WriteFile(file, []byte(csv), 0o644); err != nil {
		t.Fatal(err)
	}

	clerk := b.user()
	clerk.signIn("ua-clerk")
	upload := func(lang string) {
		clerk.open("/import?lang=" + lang)
		clerk.do(chromedp.SetUploadFiles(chromedp.CSS("#import-file"), []string{file}),
			chromedp.Click(chromedp.CSS(`form[action="/import"] button[type="submit"]`)),
			chromedp.WaitVisible(chromedp.CSS("#preview-title")))
	}
	previewShot := func(name string) {
		clerk.eval(`window.scrollTo(0, document.querySelector("table.preview").getBoundingClientRect().top + window.scrollY - 20); ""`)
		clerk.screenshot(name)
	}
	upload("uk")
	previewShot("import-uk")
	upload("en")
	previewShot("import-en")
	bad := clerk.eval(`JSON.stringify([...document.querySelectorAll("table.preview tr.bad")].map(tr => tr.querySelector("th").textContent.trim() + ": " + tr.querySelector("ul.problems").textContent.replace(/\s+/g, " ").trim()))`)
	var rows []string
	if err := json.Unmarshal([]byte(bad), &rows); err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || !strings.HasPrefix(rows[0], "4: ") || !strings.HasPrefix(rows[1], "5: ") ||
		!strings.Contains(rows[0], "A required value is missing") || !strings.Contains(rows[1], "The person is not eligible") {
		t.Errorf("the rows with problems, as shown: %q", rows)
	}
	if !strings.Contains(clerk.text("table.preview"), f.canary) {
		t.Error("the clerk does not see their own file in the preview")
	}
	clerk.do(chromedp.Click(chromedp.CSS(`button[name="confirm"][value="yes"]`)), chromedp.WaitVisible(chromedp.CSS("main .flash.ok")))
	if got := clerk.text("main .flash.ok"); !strings.Contains(got, "ua-request") || !strings.Contains(got, "4 rows") {
		t.Errorf("after confirming: %q", got)
	}
	if vs, err := f.svc.Lists(context.Background(), "a1"); err != nil || len(vs) != 1 || vs[0].Rows != 4 {
		t.Fatalf("stored: %v %+v", err, vs)
	}

	// The other steps of the process, recorded with the parties' keys.
	setUpProcess(t, f)

	// RU cannot see UA's draft: it is no list under review, and no page
	// shows it.
	ru := b.user()
	ru.signIn("ru-viewer")
	ru.open("/review/ua-request?lang=en")
	if h := ru.text("main h1"); h != "Not found" {
		t.Errorf("RU opening UA's draft: %q", h)
	}
	for _, p := range []string{"/agreements", "/agreements/a1", "/review", "/rounds", "/report", "/log"} {
		ru.open(p)
		if body := ru.text("body"); strings.Contains(body, f.canary) || strings.Contains(body, "ua-request") {
			t.Errorf("RU sees UA's draft on %s", p)
		}
	}

	// A signer at the handover point: RU handed RC-1 over; UA's signer
	// finds the acknowledgement buttons, loads UA's key into the page
	// (after trying RU's by mistake) and acknowledges RC-1: signed in the
	// browser, recorded by the server.
	signer := b.user()
	signer.securityKey()
	signer.signInWithKey("ua-signer")
	signer.open("/rounds/1/handover?lang=en")
	if n := signer.eval(`String(document.querySelectorAll('#person-ru-custody-RC-1 button[value="received-identified"]').length)`); n != "1" {
		t.Fatalf("the acknowledgement button for RC-1: %s", n)
	}
	if n := signer.eval(`String(document.querySelectorAll('#person-ru-custody-RC-2 button').length)`); n != "0" {
		t.Errorf("RC-2, not handed over, has %s buttons for UA", n)
	}
	ack := `#person-ru-custody-RC-1 button[value="received-identified"]`
	signer.do(chromedp.Click(chromedp.CSS(ack)), chromedp.WaitVisible(chromedp.CSS("#person-ru-custody-RC-1 .sign-msg")))
	if msg := signer.text("#person-ru-custody-RC-1 .sign-msg"); !strings.Contains(msg, "Load your side's signing key first") {
		t.Errorf("acknowledging without a key: %q", msg)
	}
	signer.do(chromedp.SetUploadFiles(chromedp.CSS("#signing-key"), []string{f.keyFiles["RU"]}),
		chromedp.Poll[chromedp.Void](`document.getElementById("signing-state").textContent.includes("not UA")`))
	if msg := signer.text("#signing-state"); !strings.Contains(msg, "This key is not UA's") {
		t.Errorf("loading RU's key: %q", msg)
	}
	signer.do(chromedp.SetUploadFiles(chromedp.CSS("#signing-key"), []string{f.keyFiles["UA"]}),
		chromedp.WaitVisible(chromedp.CSS("#signing-state.ok")))
	if name := signer.text("#signing-name"); name != "tally-party-UA" {
		t.Errorf("the key loaded: %q", name)
	}
	signer.do(chromedp.Click(chromedp.CSS(ack)), chromedp.Poll[chromedp.Void](`document.getElementById("signing-state").textContent.includes("as entry")`))
	if msg := signer.text("#signing-state"); !strings.Contains(msg, "Signed and recorded in the log as entry") {
		t.Errorf("acknowledging: %q", msg)
	}
	if state := signer.text("#person-ru-custody-RC-1 .state"); state != "Received, identity confirmed" {
		t.Errorf("RC-1 after the acknowledgement: %q", state)
	}
	signer.screenshot("handover-acknowledged-en")
	ag, _, err := f.svc.Agreement(context.Background(), "a1")
	if err != nil {
		t.Fatal(err)
	}
	p := exchange.NewProcess(&ag)
	if _, err := f.svc.ReplaySteps(context.Background(), "a1", p, false); err != nil {
		t.Fatal(err)
	}
	var acked bool
	for _, r := range p.Rounds() {
		for _, m := range r.Manifests {
			acked = acked || (m.From == "RU" && m.Received == 1)
		}
	}
	if !acked {
		t.Error("the acknowledgement signed in the browser is not in the process")
	}

	// Every page in every language: <html lang>, and a translated heading.
	pages := []struct{ path, heading string }{
		{"/agreements", "main h1"}, {"/agreements/a1", "main h1"}, {"/import", "main h1"}, {"/review", "main h1"},
		{"/review/ru-custody", "#answer-title"}, {"/match", "main h1"}, {"/rounds", "main h1"}, {"/rounds/1/handover", "main h1"},
		{"/remains", "main h1"}, {"/children", "main h1"}, {"/log", "main h1"}, {"/report", "#rcp-title"},
	}
	shots := map[string]string{"/agreements/a1": "agreement", "/review": "review", "/rounds": "rounds", "/rounds/1/handover": "handover",
		"/log": "log", "/report": "report"}
	for _, p := range pages {
		seen := map[string]string{}
		for _, lang := range []string{"uk", "ru", "en", "tr"} {
			signer.open(p.path + "?lang=" + lang)
			if got := signer.eval("document.documentElement.lang"); got != lang {
				t.Errorf("%s?lang=%s: <html lang=%q>", p.path, lang, got)
			}
			h := signer.text(p.heading)
			for other, oh := range seen {
				if oh == h {
					t.Errorf("%s: the heading %q is the same in %s and %s", p.path, h, other, lang)
				}
			}
			seen[lang] = h
			if shots[p.path] != "" && (lang == "en" || lang == "uk") {
				signer.screenshot(shots[p.path] + "-" + lang)
			}
		}
	}
	// The login page, for the docs.
	anon := b.user()
	for _, lang := range []string{"en", "uk"} {
		anon.open("/login?lang=" + lang)
		anon.screenshot("login-" + lang)
	}
	if strings.Contains(f.logs.String(), f.canary) {
		t.Error("the canary is in the server's log")
	}
}

// TestBrowserSecurityKey: a signer signs in with the password and is sent
// to register a security key (Chromium's virtual authenticator), which
// confirms the session; signs out; signs in again and confirms with the
// key; finds it on their keys page.
func TestBrowserSecurityKey(t *testing.T) { eachEngine(t, testBrowserSecurityKey) }

func testBrowserSecurityKey(t *testing.T, e engine) {
	if testing.Short() {
		t.Skip("the browser tests take a few seconds")
	}
	chromiumPath(t)
	f := newFixture(t, e, Config{}, false)
	srv := httptest.NewTLSServer(NewServer(Config{Service: f.svc, Version: "test", TempDir: t.TempDir(),
		Logger: slog.New(slog.NewJSONHandler(f.logs, nil))}))
	t.Cleanup(srv.Close)
	b := newBrowser(t, localhost(srv.URL))
	signer := b.user()
	signer.securityKey()

	signer.signIn("ua-signer")
	if p := signer.eval(`location.pathname + location.search`); p != "/security-keys/enrol?first=1&next=%2F" {
		t.Fatalf("after the password, with no key: %s", p)
	}
	signer.screenshot("enrol-en")
	signer.do(chromedp.SendKeys(chromedp.CSS("#key-name"), "ноутбук"),
		chromedp.Click(chromedp.CSS(`form#webauthn button[type="submit"]`)))
	signer.waitPath("/")
	ctx := context.Background()
	us, err := f.svc.Users(ctx, "UA")
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range us {
		if u.Login != "ua-signer" {
			continue
		}
		ks, err := f.svc.SecurityKeysOf(ctx, tally.Actor{User: u})
		if err != nil || len(ks) != 1 || ks[0].Name != "ноутбук" || len(ks[0].PublicKey) == 0 {
			t.Errorf("the key stored: %v %+v", err, ks)
		}
	}
	signer.open("/security-keys?lang=en")
	if body := signer.text("main"); !strings.Contains(body, "ноутбук") || !strings.Contains(body, "This session is confirmed") {
		t.Errorf("the keys page after enrolling: %q", body)
	}

	// Sign out, and in again: confirm with the key.
	signer.do(chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)), chromedp.WaitVisible(chromedp.CSS("#login-name")))
	signer.signIn("ua-signer")
	if p := signer.eval(`location.pathname`); p != "/security-keys/verify" {
		t.Fatalf("after the password, with a key: %s", p)
	}
	signer.screenshot("verify-en")
	signer.open("/security-keys?lang=en")
	if body := signer.text("main"); !strings.Contains(body, "password only") {
		t.Errorf("the keys page before confirming: %q", body)
	}
	signer.open("/security-keys/verify?lang=en")
	signer.do(chromedp.Click(chromedp.CSS(`form#webauthn button[type="submit"]`)))
	signer.waitPath("/")
	signer.open("/security-keys?lang=en")
	if body := signer.text("main"); !strings.Contains(body, "This session is confirmed") || !strings.Contains(body, "1 security key") {
		t.Errorf("the keys page after confirming: %q", body)
	}
	signer.screenshot("keys-en")
}
