package http

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"tally"
	"tally/agreementfile"
	"tally/exchange"
	"tally/ledger"
	"tally/listfile"
	"tally/postgres/postgrestest"
	"tally/sqlite"
)

// All persons in these tests are synthetic.

const agreementYAML = `id: a1
title: Synthetic exchange
date: 2025-06-02
parties: [{code: UA, name: Side A}, {code: RU, name: Side B}]
mediator: {code: TR, name: Mediator}
categories:
  - id: aged-18-25
    subject: prisoner
    terms: all-for-all
    eligibility: {age: {min: 18, max: 25}}
`

// listCSV is a list whose first row's surname is given.
func listCSV(prefix, surname string) string {
	return "ref,surname,given_name,birth_date,category\n" +
		prefix + "-1," + surname + ",Олександр,2003-04-05,aged-18-25\n" +
		prefix + "-2,Коваленко,Петро,2002-01-02,aged-18-25\n"
}

// fixture is a server over a store holding one agreement between UA and
// RU, mediated by TR, with four lists: each party's request list is a
// draft; each party's custody list was put to the other for review. UA's
// draft holds the canary, a surname nobody but UA may ever see.
type fixture struct {
	srv      *httptest.Server
	svc      *tally.Service
	logs     *syncBuffer
	canary   string
	tokens   map[string]string // actor name → API token
	actors   []actorSpec
	offset   atomic.Int64 // the clock's offset, in nanoseconds
	signers  map[string]ledgerSigner
	keyFiles map[string]string // party → its private key's file, where a test made one
	// spares are an account per organisation that no actor is, for the
	// routes that change accounts: org → the id of the API token it was
	// given; spareSecrets are those tokens, which no answer may show.
	spares       map[string]string
	spareSecrets []string
}

// spareLogin is the login of an organisation's spare account.
func spareLogin(org string) string { return strings.ToLower(org) + "-spare" }

// agreementFile is an agreement mediated by TR, to add.
func agreementFile(id string) string {
	return strings.Replace(agreementYAML, "id: a1", "id: "+id, 1)
}

type ledgerSigner = interface {
	Name() string
	KeyHash() uint32
	Sign([]byte) ([]byte, error)
}

type actorSpec struct {
	name  string // ua-viewer, tr-viewer, observer, anonymous
	org   string
	kind  tally.OrgKind
	roles []tally.Role
}

// syncBuffer is a log sink safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func allActors() []actorSpec {
	var as []actorSpec
	for _, p := range []string{"UA", "RU"} {
		for _, r := range tally.Roles() {
			as = append(as, actorSpec{strings.ToLower(p) + "-" + string(r), p, tally.OrgParty, []tally.Role{r}})
		}
	}
	return append(as,
		actorSpec{"tr-viewer", "TR", tally.OrgMediator, []tally.Role{tally.RoleViewer}},
		actorSpec{"tr-admin", "TR", tally.OrgMediator, []tally.Role{tally.RoleAdmin}},
		actorSpec{"witness", "W1", tally.OrgWitness, []tally.Role{tally.RoleViewer}},
		actorSpec{"observer", "OBS", tally.OrgObserver, []tally.Role{tally.RoleViewer}},
		actorSpec{"obs-admin", "OBS", tally.OrgObserver, []tally.Role{tally.RoleAdmin}},
		actorSpec{"anonymous", "", "", nil},
	)
}

const testPassword = "correct horse battery staple"

// engine is a store the suite runs on: open gives a test an empty one
// of its own, closed and removed when the test ends.
type engine struct {
	name string
	open func(t *testing.T) tally.Store
}

// engines are SQLite, the default, and PostgreSQL, the production store:
// what the server lets each actor see and do must not depend on the
// engine, and only production would notice if it did. The PostgreSQL runs
// skip when no server is reachable, and fail instead when
// TALLY_TEST_POSTGRES is set, as in CI (see package postgrestest).
func engines() []engine {
	return []engine{
		{"sqlite", func(t *testing.T) tally.Store {
			st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "tally.db"))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { st.Close() })
			return st
		}},
		{"postgres", func(t *testing.T) tally.Store { return postgrestest.Open(t) }},
	}
}

// eachEngine runs test once on each engine, as subtests named after it.
func eachEngine(t *testing.T, test func(*testing.T, engine)) {
	for _, e := range engines() {
		t.Run(e.name, func(t *testing.T) { test(t, e) })
	}
}

// newFixture builds the fixture on a fresh store of engine e.
func newFixture(t *testing.T, e engine, cfg Config, withLog bool) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{logs: &syncBuffer{}, tokens: map[string]string{}, actors: allActors(), signers: map[string]ledgerSigner{}, spares: map[string]string{}}
	f.canary = "КАНАРКА" + strings.ToUpper(rand.Text()[:10])
	st := e.open(t)
	f.svc = tally.NewService(st, func() time.Time { return time.Now().Add(time.Duration(f.offset.Load())) })
	f.svc.UseProcess(func(a *tally.Agreement) tally.Reviewing { return exchange.NewProcess(a) })
	ag, err := agreementfile.Parse("a.yaml", []byte(agreementYAML))
	if err != nil {
		t.Fatal(err)
	}
	if err := f.svc.AddAgreement(ctx, ag, []byte(agreementYAML)); err != nil {
		t.Fatal(err)
	}
	if withLog {
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
		for _, p := range []string{"UA", "RU"} {
			skey, vkey, err := ledger.GenerateRoleKey(ledger.RoleParty, p)
			if err != nil {
				t.Fatal(err)
			}
			if f.signers[p], err = ledger.NewSigner(skey); err != nil {
				t.Fatal(err)
			}
			keys.Parties[p] = vkey
		}
		f.svc.UseLogKey(logSigner)
		if err := f.svc.SetUpLog(ctx, keys, logSigner); err != nil {
			t.Fatal(err)
		}
		f.importList(t, &ag, "UA", tally.KindRequest, listCSV("UA", f.canary), false)
		f.importList(t, &ag, "UA", tally.KindCustody, listCSV("UC", "Шевченко"), true)
		f.importList(t, &ag, "RU", tally.KindRequest, listCSV("RR", "Иванов"), false)
		f.importList(t, &ag, "RU", tally.KindCustody, listCSV("RC", "Петров"), true)
		// UA's clerk paired a row of UA's draft with one RU put to UA.
		left, err := f.svc.ListVersion(ctx, "a1", "ua-request", 1)
		if err != nil {
			t.Fatal(err)
		}
		right, err := f.svc.ListVersion(ctx, "a1", "ru-custody", 1)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.svc.DecidePair(ctx, tally.PairDecision{LeftVersion: left.ID, RightVersion: right.ID, Left: "UA-1", Right: "RC-1",
			Accepted: true, Score: 0.97, By: "Clerk O.", Party: "UA"}); err != nil {
			t.Fatal(err)
		}
	}
	for _, a := range f.actors {
		if a.name == "anonymous" {
			continue
		}
		if _, err := f.svc.AddUser(ctx, tally.NewUser{OrgCode: a.org, OrgKind: a.kind, Name: "Person " + a.name,
			Login: a.name, Roles: a.roles, Password: testPassword}); err != nil {
			t.Fatal(err)
		}
		if f.tokens[a.name], err = f.svc.NewToken(ctx, a.name); err != nil {
			t.Fatal(err)
		}
	}
	for _, org := range []struct {
		code string
		kind tally.OrgKind
	}{{"UA", tally.OrgParty}, {"RU", tally.OrgParty}, {"TR", tally.OrgMediator}, {"OBS", tally.OrgObserver}} {
		if _, err := f.svc.AddUser(ctx, tally.NewUser{OrgCode: org.code, OrgKind: org.kind, Name: "Spare " + org.code,
			Login: spareLogin(org.code), Roles: []tally.Role{tally.RoleViewer}, Password: testPassword}); err != nil {
			t.Fatal(err)
		}
		secret, err := f.svc.NewToken(ctx, spareLogin(org.code))
		if err != nil {
			t.Fatal(err)
		}
		f.spareSecrets = append(f.spareSecrets, secret)
		actor, err := f.svc.TokenActor(ctx, secret)
		if err != nil {
			t.Fatal(err)
		}
		accounts, err := f.svc.AccountsFor(ctx, tally.Actor{User: tally.User{ID: -1, Login: "fixture", Org: actor.Org(), Roles: []tally.Role{tally.RoleAdmin}}, Via: tally.ViaToken}, org.code)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range accounts {
			if a.Login == spareLogin(org.code) {
				f.spares[org.code] = a.Tokens[0].ID()
			}
		}
	}
	cfg.Service = f.svc
	cfg.Logger = slog.New(slog.NewJSONHandler(f.logs, nil))
	cfg.Version = "test"
	cfg.TempDir = t.TempDir()
	f.srv = httptest.NewServer(NewServer(cfg))
	t.Cleanup(f.srv.Close)
	return f
}

// importList imports a list and, if submit, puts it to the other party.
func (f *fixture) importList(t *testing.T, ag *tally.Agreement, party string, kind tally.ListKind, csv string, submit bool) {
	t.Helper()
	ctx := context.Background()
	rows, err := listfile.NewReader("list.csv", strings.NewReader(csv), listfile.Options{})
	if err != nil {
		t.Fatal(err)
	}
	v, _, err := f.svc.ImportList(ctx, tally.Import{AgreementID: ag.ID, Party: party, Kind: kind, FileName: "list.csv",
		Original: strings.NewReader(csv), Rows: rows, Signer: f.signers[party]})
	if err != nil {
		t.Fatal(err)
	}
	if !submit {
		return
	}
	body := exchange.ListSubmitted{List: v.ListID, Version: v.Version, Kind: string(v.Kind)}
	if err := f.svc.ListRows(ctx, v, func(r tally.StoredRow) error {
		body.Rows = append(body.Rows, exchange.ListRow{Ref: r.Ref, Category: r.Row.Values[tally.FieldCategory]})
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	e := exchange.Event{Kind: exchange.KindListSubmitted, By: party, Actor: "Clerk", At: time.Now(), Body: body}
	payload, err := exchange.Encode(e)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.RecordSteps(ctx, ag.ID, []tally.StepInput{{Kind: e.Kind, By: party, Payload: payload, Signer: f.signers[party]}},
		exchange.NewProcess(ag)); err != nil {
		t.Fatal(err)
	}
}

// response is what a client got.
type response struct {
	status int
	header http.Header
	body   string
}

func (f *fixture) do(t *testing.T, actor, method, path, contentType string, body io.Reader, edit ...func(*http.Request)) response {
	t.Helper()
	req, err := http.NewRequest(method, f.srv.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if tok := f.tokens[actor]; tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	for _, e := range edit {
		e(req)
	}
	res, err := f.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{res.StatusCode, res.Header, string(b)}
}

// target is what a request is about: the list a route names, the party
// an import is for, the organisation whose accounts are asked for.
type target struct {
	list      string // ua-request (UA's draft), ua-custody (put to RU), ...
	owner     string // the party whose list it is, or the org
	putTo     string // the party the list was put to, "" for a draft
	org       string
	importFor string
	token     string // the id of the org's spare account's API token
	query     string // a query string
	readers   string // who may read what the query names: parties' and the mediator's codes
}

var listTargets = []target{
	{list: "ua-request", owner: "UA"},
	{list: "ua-custody", owner: "UA", putTo: "RU"},
	{list: "ru-request", owner: "RU"},
	{list: "ru-custody", owner: "RU", putTo: "UA"},
}

// expectation gives, for a route, the requests to make for each target
// and the status each actor must get.
type expectation struct {
	targets []target
	request func(a actorSpec, tg target) (method, path, contentType string, body io.Reader)
	want    func(a actorSpec, tg target) int
}

func isParty(a actorSpec) bool    { return a.kind == tally.OrgParty }
func isMediator(a actorSpec) bool { return a.kind == tally.OrgMediator }
func anonymous(a actorSpec) bool  { return a.name == "anonymous" }
func has(a actorSpec, r tally.Role) bool {
	for _, x := range a.roles {
		if x == r {
			return true
		}
	}
	return false
}

// signedIn is the status for anyone signed in, 401 for anyone else.
func signedIn(a actorSpec, ok int) int {
	if anonymous(a) {
		return http.StatusUnauthorized
	}
	return ok
}

// inAgreement: the parties and the mediator; 403 for others signed in.
func inAgreement(a actorSpec) int {
	if isParty(a) || isMediator(a) {
		return http.StatusOK
	}
	return signedIn(a, http.StatusForbidden)
}

// readList is the rule the whole issue turns on: a party reads its own
// lists and what was put to it; the mediator what was put to review; a
// list nobody may show the actor is as if it did not exist.
func readList(a actorSpec, tg target) int {
	switch {
	case anonymous(a):
		return http.StatusUnauthorized
	case isParty(a) && (a.org == tg.owner || a.org == tg.putTo):
		return http.StatusOK
	case isParty(a):
		return http.StatusNotFound
	case isMediator(a) && tg.putTo != "":
		return http.StatusOK
	case isMediator(a):
		return http.StatusNotFound
	}
	return http.StatusForbidden
}

func get(path string) func(actorSpec, target) (string, string, string, io.Reader) {
	return send("GET", path, "", "")
}

// send is a request with a body; {list}, {org}, {spare} (the org's spare
// account), {token} (its token's id) and {query} are the target's.
func send(method, path, contentType, body string) func(actorSpec, target) (string, string, string, io.Reader) {
	return func(_ actorSpec, tg target) (string, string, string, io.Reader) {
		r := strings.NewReplacer("{list}", tg.list, "{org}", tg.org, "{spare}", spareLogin(tg.org), "{token}", tg.token, "{query}", tg.query)
		var b io.Reader
		if body != "" {
			b = strings.NewReader(r.Replace(body))
		}
		return method, r.Replace(path), contentType, b
	}
}

// readsLog: the parties, the mediator and the witnesses read the log.
func readsLog(a actorSpec, ok int) int {
	if isParty(a) || isMediator(a) || a.kind == tally.OrgWitness {
		return ok
	}
	return signedIn(a, http.StatusForbidden)
}

// adminOf: an organisation's admins manage its accounts.
func adminOf(ok int) func(a actorSpec, tg target) int {
	return func(a actorSpec, tg target) int {
		if a.org == tg.org && has(a, tally.RoleAdmin) {
			return ok
		}
		return signedIn(a, http.StatusForbidden)
	}
}

// orgTargets are the organisations whose accounts the routes are asked
// for, each with its spare account's token.
func orgTargets(f *fixture) []target {
	var ts []target
	for _, org := range []string{"UA", "RU", "TR", "OBS"} {
		ts = append(ts, target{org: org, token: f.spares[org]})
	}
	return ts
}

func expectations(f *fixture) map[string]expectation {
	one := []target{{}}
	always := func(actorSpec, target) int { return http.StatusOK }
	return map[string]expectation{
		"GET /healthz":      {one, get("/healthz"), always},
		"GET /readyz":       {one, get("/readyz"), always},
		"GET /version":      {one, get("/version"), always},
		"GET /openapi.json": {one, get("/openapi.json"), always},
		"POST /api/login": {one, func(a actorSpec, _ target) (string, string, string, io.Reader) {
			return "POST", "/api/login", "application/json", strings.NewReader(`{"login":"` + a.name + `","password":"wrong password"}`)
		}, func(actorSpec, target) int { return http.StatusUnauthorized }},
		"POST /api/logout": {one, func(actorSpec, target) (string, string, string, io.Reader) { return "POST", "/api/logout", "", nil },
			func(actorSpec, target) int { return http.StatusNoContent }},
		"GET /api/me":                    {one, get("/api/me"), func(a actorSpec, _ target) int { return signedIn(a, 200) }},
		"GET /api/agreements":            {one, get("/api/agreements"), func(a actorSpec, _ target) int { return signedIn(a, 200) }},
		"GET /api/agreements/{id}":       {one, get("/api/agreements/a1"), func(a actorSpec, _ target) int { return inAgreement(a) }},
		"GET /api/agreements/{id}/lists": {one, get("/api/agreements/a1/lists"), func(a actorSpec, _ target) int { return inAgreement(a) }},
		"POST /api/agreements/{id}/lists": {[]target{{importFor: "UA"}, {importFor: "RU"}},
			func(a actorSpec, tg target) (string, string, string, io.Reader) {
				ct, body := multipartList(tg.importFor, listCSV("NEW", "Бондар"))
				return "POST", "/api/agreements/a1/lists", ct, body
			},
			func(a actorSpec, tg target) int {
				if isParty(a) && a.org == tg.importFor && has(a, tally.RoleClerk) {
					// Allowed; the store keeps a signed log and the
					// server holds no party's key: the entry must be
					// signed (TestImportWithoutLog shows a 201).
					return http.StatusUnprocessableEntity
				}
				return signedIn(a, http.StatusForbidden)
			}},
		"GET /api/agreements/{id}/lists/{list}/versions/{n}":      {listTargets, get("/api/agreements/a1/lists/{list}/versions/1"), readList},
		"GET /api/agreements/{id}/lists/{list}/versions/{n}/rows": {listTargets, get("/api/agreements/a1/lists/{list}/versions/1/rows"), readList},
		"GET /api/agreements/{id}/review":                         {one, get("/api/agreements/a1/review"), func(a actorSpec, _ target) int { return inAgreement(a) }},
		"GET /api/agreements/{id}/report":                         {one, get("/api/agreements/a1/report"), func(a actorSpec, _ target) int { return signedIn(a, 200) }},
		"GET /api/log/checkpoint": {one, get("/api/log/checkpoint"), func(a actorSpec, _ target) int {
			if isParty(a) || isMediator(a) || a.kind == tally.OrgWitness {
				return 200
			}
			return signedIn(a, http.StatusForbidden)
		}},
		"POST /api/agreements/{id}/lists/prepare": {[]target{{importFor: "UA"}, {importFor: "RU"}},
			func(a actorSpec, tg target) (string, string, string, io.Reader) {
				return "POST", "/api/agreements/a1/lists/prepare", "application/json",
					strings.NewReader(`{"party":"` + tg.importFor + `","commitment":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="}`)
			},
			func(a actorSpec, tg target) int {
				if isParty(a) && a.org == tg.importFor && has(a, tally.RoleClerk) {
					return http.StatusOK
				}
				return signedIn(a, http.StatusForbidden)
			}},
		"GET /api/agreements/{id}/steps": {one, get("/api/agreements/a1/steps"), func(a actorSpec, _ target) int { return inAgreement(a) }},
		"POST /api/agreements/{id}/steps/prepare": {[]target{listTargets[1], listTargets[3]},
			func(a actorSpec, tg target) (string, string, string, io.Reader) {
				return "POST", "/api/agreements/a1/steps/prepare", "application/json", strings.NewReader(answerStep(tg.list, strings.ToUpper(tg.list[:1])+"C-1"))
			}, takeStep(http.StatusOK)},
		"POST /api/agreements/{id}/steps": {[]target{listTargets[1], listTargets[3]},
			func(a actorSpec, tg target) (string, string, string, io.Reader) {
				// Signed by nobody: a signer gets as far as the entry.
				return "POST", "/api/agreements/a1/steps", "application/json", strings.NewReader(
					`{"steps":[{"kind":"round-approved","payload":"x","salt":"AAAA","entry":"not signed"}]}`)
			}, func(a actorSpec, tg target) int {
				if isParty(a) && has(a, tally.RoleSigner) {
					return http.StatusUnprocessableEntity
				}
				return signedIn(a, http.StatusForbidden)
			}},
		// The ceremonies run in a browser's session: a token has none
		// (webauthn_test.go has them in sessions).
		"POST /api/webauthn/register/begin":  {one, postJSON("/api/webauthn/register/begin", `{}`), func(a actorSpec, _ target) int { return signedIn(a, 422) }},
		"POST /api/webauthn/register/finish": {one, postJSON("/api/webauthn/register/finish", `{"credential":{}}`), func(a actorSpec, _ target) int { return signedIn(a, 422) }},
		"POST /api/webauthn/login/begin":     {one, postJSON("/api/webauthn/login/begin", `{}`), func(a actorSpec, _ target) int { return signedIn(a, 422) }},
		"POST /api/webauthn/login/finish":    {one, postJSON("/api/webauthn/login/finish", `{"credential":{}}`), func(a actorSpec, _ target) int { return signedIn(a, 422) }},
		"GET /api/me/keys":                   {one, get("/api/me/keys"), func(a actorSpec, _ target) int { return signedIn(a, 200) }},
		"DELETE /api/me/keys/{key}": {one, func(actorSpec, target) (string, string, string, io.Reader) {
			return "DELETE", "/api/me/keys/AQID", "", nil
		},
			func(a actorSpec, _ target) int { return signedIn(a, http.StatusNotFound) }},
		"GET /api/orgs/{org}/users": {orgTargets(f), get("/api/orgs/{org}/users"), adminOf(200)},
		"POST /api/agreements": {one, send("POST", "/api/agreements", "application/yaml", agreementFile("a2")),
			func(a actorSpec, _ target) int {
				if isMediator(a) && has(a, tally.RoleAdmin) {
					return http.StatusCreated
				}
				return signedIn(a, http.StatusForbidden)
			}},
		"GET /api/agreements/{id}/lists/{list}/versions/{n}/original": {listTargets, get("/api/agreements/a1/lists/{list}/versions/1/original"), readList},
		"GET /api/agreements/{id}/matches": {[]target{
			{query: "left=ua-request@1&right=ru-custody@1", readers: "UA"},
			{query: "left=ru-request@1&right=ua-custody@1", readers: "RU"},
			{query: "left=ua-custody@1&right=ru-custody@1", readers: "UA RU TR"}},
			get("/api/agreements/a1/matches?{query}"),
			func(a actorSpec, tg target) int {
				switch {
				case anonymous(a):
					return http.StatusUnauthorized
				case !isParty(a) && !isMediator(a):
					return http.StatusForbidden
				case strings.Contains(tg.readers, a.org):
					return 200
				}
				return http.StatusNotFound // as if the other's draft did not exist
			}},
		"GET /api/log/entries":             {one, get("/api/log/entries?start=1&n=2"), func(a actorSpec, _ target) int { return readsLog(a, 200) }},
		"GET /api/log/entries/{i}/receipt": {one, get("/api/log/entries/0/receipt"), func(a actorSpec, _ target) int { return readsLog(a, 200) }},
		"GET /api/log/export":              {one, get("/api/log/export"), func(a actorSpec, _ target) int { return readsLog(a, 200) }},
		"PUT /api/me/password": {one, send("PUT", "/api/me/password", "application/json", `{"current":"wrong password","password":"a new password of some length"}`),
			func(a actorSpec, _ target) int { return signedIn(a, http.StatusUnprocessableEntity) }},
		"POST /api/orgs/{org}/users": {orgTargets(f),
			send("POST", "/api/orgs/{org}/users", "application/json", `{"login":"new-{spare}","name":"New Person","roles":["viewer"],"password":"`+testPassword+`"}`),
			adminOf(http.StatusCreated)},
		"PUT /api/orgs/{org}/users/{login}/password": {orgTargets(f),
			send("PUT", "/api/orgs/{org}/users/{spare}/password", "application/json", `{"password":"`+testPassword+`"}`), adminOf(http.StatusNoContent)},
		"POST /api/orgs/{org}/users/{login}/tokens": {orgTargets(f), send("POST", "/api/orgs/{org}/users/{spare}/tokens", "", ""), adminOf(http.StatusCreated)},
		"DELETE /api/orgs/{org}/users/{login}/tokens/{id}": {orgTargets(f), send("DELETE", "/api/orgs/{org}/users/{spare}/tokens/{token}", "", ""),
			adminOf(http.StatusNoContent)},
		"POST /api/orgs/{org}/users/{login}/disable": {orgTargets(f), send("POST", "/api/orgs/{org}/users/{spare}/disable", "", ""), adminOf(http.StatusNoContent)},
	}
}

// answerStep is a request to prepare an answer to list, accepting refs.
func answerStep(list string, refs ...string) string {
	var answers []string
	for _, r := range refs {
		answers = append(answers, `{"ref":"`+r+`","accepted":true}`)
	}
	return `{"steps":[{"kind":"list-answered","body":{"list":"` + list + `","version":1,"answers":[` + strings.Join(answers, ",") + `]}}]}`
}

// takeStep: a party's signers take its steps — answering a list put to
// it (ok); answering its own list, the process refuses (422); 403 for
// everyone else signed in.
func takeStep(ok int) func(a actorSpec, tg target) int {
	return func(a actorSpec, tg target) int {
		switch {
		case isParty(a) && has(a, tally.RoleSigner) && a.org == tg.putTo:
			return ok
		case isParty(a) && has(a, tally.RoleSigner):
			return http.StatusUnprocessableEntity
		}
		return signedIn(a, http.StatusForbidden)
	}
}

func postJSON(path, body string) func(actorSpec, target) (string, string, string, io.Reader) {
	return func(actorSpec, target) (string, string, string, io.Reader) {
		return "POST", path, "application/json", strings.NewReader(body)
	}
}

func multipartList(party, csv string) (string, io.Reader) {
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	mw.WriteField("party", party)
	mw.WriteField("kind", "request")
	mw.WriteField("name", "new")
	fw, _ := mw.CreateFormFile("file", "new.csv")
	io.WriteString(fw, csv)
	mw.Close()
	return mw.FormDataContentType(), &b
}

// TestEveryRouteEveryRole walks every route × every actor × every target
// and checks the status; a route with no expectation fails. Then it checks
// that the canary in UA's draft reached no one but UA, and no log.
func TestEveryRouteEveryRole(t *testing.T) { eachEngine(t, testEveryRouteEveryRole) }

func testEveryRouteEveryRole(t *testing.T, e engine) {
	f := newFixture(t, e, Config{LoginBurst: 1000, LoginRate: rate.Inf}, true)
	exp := expectations(f)
	seen := map[string]bool{}
	cases := 0
	var leaks []string
	uaSawCanary := false
	for _, rt := range NewServer(Config{Service: f.svc}).routes() {
		key := rt.Method + " " + rt.Pattern
		seen[key] = true
		e, ok := exp[key]
		if !ok {
			t.Errorf("route %s has no expectation: add one to expectations()", key)
			continue
		}
		for _, a := range f.actors {
			for _, tg := range e.targets {
				method, path, ct, body := e.request(a, tg)
				res := f.do(t, a.name, method, path, ct, body)
				cases++
				if want := e.want(a, tg); res.status != want {
					t.Errorf("%s %s as %s: status %d, want %d\n%s", method, path, a.name, res.status, want, res.body)
				}
				if res.status >= 400 && !strings.HasPrefix(res.header.Get("Content-Type"), "application/problem+json") {
					t.Errorf("%s %s as %s: error %d as %q, not problem details", method, path, a.name, res.status, res.header.Get("Content-Type"))
				}
				all := res.body + fmt.Sprint(res.header)
				for _, secret := range append([]string{"$argon2id$", testPassword}, f.spareSecrets...) {
					if strings.Contains(all, secret) {
						t.Errorf("%s %s as %s: the answer holds a secret (%.12s...)", method, path, a.name, secret)
					}
				}
				if res.status < 300 && rt.Response != "" && rt.Response != "text" && rt.Response != "file" && rt.Response != "tar" {
					if err := conforms(rt.Response, res.body); err != nil {
						t.Errorf("%s %s as %s: the answer does not fit schema %s: %v", method, path, a.name, rt.Response, err)
					}
				}
				if strings.Contains(all, f.canary) {
					if a.org == "UA" {
						uaSawCanary = true
					} else {
						leaks = append(leaks, fmt.Sprintf("%s %s as %s", method, path, a.name))
					}
				}
			}
		}
	}
	for key := range exp {
		if !seen[key] {
			t.Errorf("expectation for %s, which is no route", key)
		}
	}
	t.Logf("%d requests: %d routes × %d actors × their targets", cases, len(seen), len(f.actors))
	if !uaSawCanary {
		t.Error("UA never saw its own canary: the test proves nothing")
	}
	for _, l := range leaks {
		t.Errorf("the canary leaked: %s", l)
	}
	if strings.Contains(f.logs.String(), f.canary) {
		t.Error("the canary is in the server's log")
	}
	for _, forbidden := range []string{"Олександр", "Шевченко", "Person ", testPassword, "Bearer", "tally_"} {
		if strings.Contains(f.logs.String(), forbidden) {
			t.Errorf("the server's log holds %q", forbidden)
		}
	}
	// The log export holds commitments, never rows.
	var export bytes.Buffer
	if err := f.svc.ExportLog(context.Background(), memWriter{&export}); err != nil {
		t.Fatal(err)
	}
	if export.Len() == 0 || strings.Contains(export.String(), f.canary) {
		t.Errorf("the log export (%d bytes) is empty or holds the canary", export.Len())
	}
	// Every read of UA's draft rows was audited, by whom.
	var audited []string
	if err := f.svc.AuditRecords(context.Background(), func(r tally.AuditRecord) error {
		if r.Resource == "ua-request@1" && r.Action == tally.ActionReadRows {
			audited = append(audited, r.Login)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(audited, ","); got != "ua-viewer,ua-clerk,ua-signer,ua-admin,ua-viewer,ua-clerk,ua-signer,ua-admin" {
		t.Errorf("reads of ua-request@1's rows and original audited for %s, want UA's four, twice", got)
	}
}

// conforms checks a JSON answer against the schema the OpenAPI document
// gives it: every required property there, none unknown, each of its type.
func conforms(name, body string) error {
	var v any
	if err := json.Unmarshal([]byte(body), &v); err != nil {
		return err
	}
	typ := responseTypes[name]
	if typ == nil {
		if name == "Version" || name == "OpenAPI" {
			return nil
		}
		return fmt.Errorf("no type for schema %s", name)
	}
	return checkSchema(schemaOf(typ), v, "$")
}

func checkSchema(s map[string]any, v any, at string) error {
	if alts, ok := s["anyOf"].([]any); ok {
		for _, alt := range alts {
			if checkSchema(alt.(map[string]any), v, at) == nil {
				return nil
			}
		}
		return fmt.Errorf("%s: %v fits no alternative", at, v)
	}
	var types []string
	switch t := s["type"].(type) {
	case string:
		types = []string{t}
	case []string:
		types = t
	}
	kind := "null"
	switch v.(type) {
	case string:
		kind = "string"
	case bool:
		kind = "boolean"
	case float64:
		kind = "number"
		if f := v.(float64); f == float64(int64(f)) {
			kind = "integer"
		}
	case []any:
		kind = "array"
	case map[string]any:
		kind = "object"
	}
	okType := len(types) == 0
	for _, t := range types {
		okType = okType || t == kind || (t == "number" && kind == "integer")
	}
	if !okType {
		return fmt.Errorf("%s: a %s, want %v", at, kind, types)
	}
	switch x := v.(type) {
	case []any:
		if items, ok := s["items"].(map[string]any); ok {
			for i, e := range x {
				if err := checkSchema(items, e, fmt.Sprintf("%s[%d]", at, i)); err != nil {
					return err
				}
			}
		}
	case map[string]any:
		props, _ := s["properties"].(map[string]any)
		required, _ := s["required"].([]string)
		for _, r := range required {
			if _, ok := x[r]; !ok && props != nil {
				return fmt.Errorf("%s: no %q", at, r)
			}
		}
		for k, e := range x {
			if ps, ok := props[k].(map[string]any); ok {
				if err := checkSchema(ps, e, at+"."+k); err != nil {
					return err
				}
			} else if extra, ok := s["additionalProperties"].(map[string]any); ok {
				if err := checkSchema(extra, e, at+"."+k); err != nil {
					return err
				}
			} else if s["additionalProperties"] == false {
				return fmt.Errorf("%s: %q is in no schema", at, k)
			}
		}
	}
	return nil
}

// memWriter is a ledger.Writer into one buffer.
type memWriter struct{ b *bytes.Buffer }

func (w memWriter) WriteFile(name string, data []byte) error {
	w.b.WriteString(name + "\n")
	w.b.Write(data)
	return nil
}

// A draft of the other party is answered exactly as a list that does not
// exist: not even its existence shows.
func TestDraftLooksMissing(t *testing.T) { eachEngine(t, testDraftLooksMissing) }

func testDraftLooksMissing(t *testing.T, e engine) {
	f := newFixture(t, e, Config{}, true)
	draft := f.do(t, "ru-viewer", "GET", "/api/agreements/a1/lists/ua-request/versions/1/rows", "", nil)
	missing := f.do(t, "ru-viewer", "GET", "/api/agreements/a1/lists/ua-nothing/versions/1/rows", "", nil)
	if draft.status != 404 || missing.status != 404 ||
		strings.ReplaceAll(draft.body, "ua-request", "X") != strings.ReplaceAll(missing.body, "ua-nothing", "X") {
		t.Errorf("a draft: %d %s\na missing list: %d %s", draft.status, draft.body, missing.status, missing.body)
	}
	lists := f.do(t, "ru-viewer", "GET", "/api/agreements/a1/lists", "", nil)
	if strings.Contains(lists.body, "ua-request") || !strings.Contains(lists.body, "ua-custody") || !strings.Contains(lists.body, "ru-request") {
		t.Errorf("RU's lists: %s", lists.body)
	}
	lists = f.do(t, "tr-viewer", "GET", "/api/agreements/a1/lists", "", nil)
	if strings.Contains(lists.body, "-request") || !strings.Contains(lists.body, "ua-custody") || !strings.Contains(lists.body, "ru-custody") {
		t.Errorf("the mediator's lists: %s", lists.body)
	}
}

func TestProblemDetails(t *testing.T) { eachEngine(t, testProblemDetails) }

func testProblemDetails(t *testing.T, e engine) {
	f := newFixture(t, e, Config{}, false)
	for _, c := range []struct {
		actor, method, path string
		status              int
		code                string
	}{
		{"ua-viewer", "GET", "/nothing/here", 404, "not-found"},
		{"anonymous", "GET", "/api/me", 401, "unauthorized"},
		{"observer", "GET", "/api/agreements/a1", 403, "forbidden"},
		{"ua-viewer", "GET", "/api/agreements/nope", 404, "not-found"},
		{"ua-viewer", "GET", "/api/agreements/a1/lists/ua-request/versions/x", 422, "invalid"},
		{"ua-viewer", "GET", "/api/agreements/a1/lists/ua-request/versions/1/rows?limit=0", 422, "invalid"},
		{"anonymous", "POST", "/api/login", 400, "bad-request"},
	} {
		res := f.do(t, c.actor, c.method, c.path, "", nil)
		var p map[string]any
		if err := json.Unmarshal([]byte(res.body), &p); err != nil {
			t.Errorf("%s %s: %v in %q", c.method, c.path, err, res.body)
			continue
		}
		if res.status != c.status || res.header.Get("Content-Type") != "application/problem+json" ||
			p["type"] != "about:blank" || p["title"] != http.StatusText(c.status) || p["status"] != float64(c.status) || p["code"] != c.code {
			t.Errorf("%s %s: %d %s %s", c.method, c.path, res.status, res.header.Get("Content-Type"), res.body)
		}
		if c.status == 401 && res.header.Get("WWW-Authenticate") == "" {
			t.Errorf("%s %s: 401 without WWW-Authenticate", c.method, c.path)
		}
	}
}

func login(t *testing.T, f *fixture, who, password string, edit ...func(*http.Request)) response {
	t.Helper()
	return f.do(t, "anonymous", "POST", "/api/login", "application/json",
		strings.NewReader(fmt.Sprintf(`{"login":%q,"password":%q}`, who, password)), edit...)
}

func TestLoginRateLimit(t *testing.T) { eachEngine(t, testLoginRateLimit) }

func testLoginRateLimit(t *testing.T, e engine) {
	f := newFixture(t, e, Config{LoginBurst: 3, LoginRate: rate.Every(time.Hour), TrustProxy: true}, false)
	from := func(ip string) func(*http.Request) {
		return func(r *http.Request) { r.Header.Set("X-Forwarded-For", ip) }
	}
	for i := range 3 {
		if res := login(t, f, "ua-viewer", "wrong password", from("192.0.2.1")); res.status != 401 {
			t.Fatalf("attempt %d: %d %s", i+1, res.status, res.body)
		}
	}
	res := login(t, f, "ua-viewer", testPassword, from("192.0.2.1"))
	if res.status != 429 || res.header.Get("Retry-After") == "" {
		t.Errorf("a fourth attempt from one address: %d %v", res.status, res.header)
	}
	// Per login: other addresses do not help.
	if res := login(t, f, "ua-viewer", testPassword, from("192.0.2.2")); res.status != 429 {
		t.Errorf("the same login from another address: %d", res.status)
	}
	// Another login from another address is not held back.
	if res := login(t, f, "ru-viewer", testPassword, from("192.0.2.3")); res.status != 204 {
		t.Errorf("another login: %d %s", res.status, res.body)
	}
}

func TestTokens(t *testing.T) { eachEngine(t, testTokens) }

func testTokens(t *testing.T, e engine) {
	f := newFixture(t, e, Config{}, false)
	res := f.do(t, "ua-clerk", "GET", "/api/me", "", nil)
	if res.status != 200 || !strings.Contains(res.body, `"login":"ua-clerk"`) || !strings.Contains(res.body, `"code":"UA"`) {
		t.Errorf("me by token: %d %s", res.status, res.body)
	}
	for _, h := range []string{"Bearer tally_wrong", "Bearer " + f.tokens["ua-clerk"] + "x", "Basic dTpw", "Bearer"} {
		res := f.do(t, "anonymous", "GET", "/api/me", "", nil, func(r *http.Request) { r.Header.Set("Authorization", h) })
		if res.status != 401 {
			t.Errorf("Authorization %q: %d", h, res.status)
		}
	}
}

func TestSessions(t *testing.T) { eachEngine(t, testSessions) }

func testSessions(t *testing.T, e engine) {
	f := newFixture(t, e, Config{Sessions: tally.SessionPolicy{Lifetime: time.Hour, IdleTimeout: 10 * time.Minute}}, false)
	res := login(t, f, "ua-admin", testPassword)
	if res.status != 204 {
		t.Fatalf("login: %d %s", res.status, res.body)
	}
	c := (&http.Response{Header: res.header}).Cookies()
	if len(c) != 1 || c[0].Name != SessionCookie || !c[0].Secure || !c[0].HttpOnly || c[0].SameSite != http.SameSiteLaxMode || c[0].Path != "/" {
		t.Fatalf("cookie %+v", c)
	}
	withCookie := func(r *http.Request) { r.AddCookie(&http.Cookie{Name: SessionCookie, Value: c[0].Value}) }
	if res := f.do(t, "anonymous", "GET", "/api/me", "", nil, withCookie); res.status != 200 {
		t.Errorf("with the cookie: %d %s", res.status, res.body)
	}
	// An admin's password session does not manage accounts until confirmed
	// with a security key (webauthn_test.go).
	if res := f.do(t, "anonymous", "GET", "/api/orgs/UA/users", "", nil, withCookie); res.status != 403 || !strings.Contains(res.body, "second-factor-required") {
		t.Errorf("with the cookie, password only: %d %s", res.status, res.body)
	}
	// CSRF: an unsafe request a browser sends from another site.
	res = f.do(t, "anonymous", "POST", "/api/logout", "", nil, withCookie, func(r *http.Request) { r.Header.Set("Sec-Fetch-Site", "cross-site") })
	if res.status != 403 {
		t.Errorf("a cross-site logout: %d", res.status)
	}
	f.offset.Store(int64(11 * time.Minute))
	if res := f.do(t, "anonymous", "GET", "/api/me", "", nil, withCookie); res.status != 401 {
		t.Errorf("after 11 idle minutes: %d", res.status)
	}
	f.offset.Store(0)
	res = login(t, f, "ua-admin", testPassword)
	c = (&http.Response{Header: res.header}).Cookies()
	withCookie = func(r *http.Request) { r.AddCookie(&http.Cookie{Name: SessionCookie, Value: c[0].Value}) }
	if res := f.do(t, "anonymous", "POST", "/api/logout", "", nil, withCookie, func(r *http.Request) { r.Header.Set("Sec-Fetch-Site", "same-origin") }); res.status != 204 {
		t.Errorf("logout: %d %s", res.status, res.body)
	}
	if res := f.do(t, "anonymous", "GET", "/api/me", "", nil, withCookie); res.status != 401 {
		t.Errorf("after logout: %d", res.status)
	}
}

// Without a signed log, a clerk's upload is stored, and read back.
func TestImportWithoutLog(t *testing.T) { eachEngine(t, testImportWithoutLog) }

func testImportWithoutLog(t *testing.T, e engine) {
	f := newFixture(t, e, Config{}, false)
	ct, body := multipartList("UA", listCSV("UA", "Бондаренко"))
	res := f.do(t, "ua-clerk", "POST", "/api/agreements/a1/lists", ct, body)
	if res.status != 201 || res.header.Get("Location") != "/api/agreements/a1/lists/ua-request-new/versions/1" {
		t.Fatalf("import: %d %v %s", res.status, res.header, res.body)
	}
	res = f.do(t, "ua-viewer", "GET", "/api/agreements/a1/lists/ua-request-new/versions/1/rows?limit=1", "", nil)
	var page struct {
		Rows []struct {
			Ref    string            `json:"ref"`
			Fields map[string]string `json:"fields"`
		} `json:"rows"`
		Next *int `json:"next_after"`
	}
	if err := json.Unmarshal([]byte(res.body), &page); err != nil || len(page.Rows) != 1 || page.Rows[0].Fields["surname"] != "Бондаренко" || page.Next == nil {
		t.Fatalf("first page: %v %s", err, res.body)
	}
	res = f.do(t, "ua-viewer", "GET", fmt.Sprintf("/api/agreements/a1/lists/ua-request-new/versions/1/rows?after=%d", *page.Next), "", nil)
	if !strings.Contains(res.body, "UA-2") || !strings.Contains(res.body, `"next_after":null`) {
		t.Errorf("second page: %s", res.body)
	}
	if res := f.do(t, "ru-viewer", "GET", "/api/agreements/a1/lists/ua-request-new/versions/1", "", nil); res.status != 404 {
		t.Errorf("RU reading UA's draft: %d", res.status)
	}
}
