package http

import (
	"bytes"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/time/rate"

	"tally"
)

// doPage is do without following redirects: a page's answer as it is.
func (f *fixture) doPage(t *testing.T, actor, method, path, contentType string, body io.Reader, edit ...func(*http.Request)) response {
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
	c := *f.srv.Client()
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	res, err := c.Do(req)
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

// importForm is the import page's multipart form for party's list.
func importFormBody(party, csv string) (string, io.Reader) {
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	mw.WriteField("csrf", "")
	mw.WriteField("agreement", "a1")
	mw.WriteField("party", party)
	mw.WriteField("kind", "request")
	mw.WriteField("category", "")
	fw, _ := mw.CreateFormFile("file", "list.csv")
	io.WriteString(fw, csv)
	mw.Close()
	return mw.FormDataContentType(), &b
}

// fileForm is a form of the pages with one file.
func fileForm(name, content string) (string, io.Reader) {
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	mw.WriteField("csrf", "")
	fw, _ := mw.CreateFormFile("file", name)
	io.WriteString(fw, content)
	mw.Close()
	return mw.FormDataContentType(), &b
}

// pageExpectations gives, for each route of the web interface, the
// requests and the status each actor must get: the same rules as the API,
// pages that need a session sending a browser without one to /login.
func pageExpectations(canary string, spares map[string]string) map[string]expectation {
	one := []target{{}}
	always := func(int) func(actorSpec, target) int {
		return func(actorSpec, target) int { return 200 }
	}
	// page: a GET page; a visitor without a session is sent to sign in.
	page := func(ok func(actorSpec) int) func(actorSpec, target) int {
		return func(a actorSpec, _ target) int {
			if anonymous(a) {
				return http.StatusSeeOther
			}
			return ok(a)
		}
	}
	signed := func(status int) func(actorSpec) int { return func(actorSpec) int { return status } }
	readsLog := func(a actorSpec) int {
		if isParty(a) || isMediator(a) || a.kind == tally.OrgWitness {
			return 200
		}
		return http.StatusForbidden
	}
	post := func(path string) func(actorSpec, target) (string, string, string, io.Reader) {
		return func(actorSpec, target) (string, string, string, io.Reader) {
			return "POST", path, "application/x-www-form-urlencoded", strings.NewReader("csrf=")
		}
	}
	// step: a step of the process, signed in the browser by the page's
	// script; posted without it (as here), 400 for those who may take
	// it, refused for the others.
	step := func(a actorSpec, _ target) int {
		switch {
		case anonymous(a):
			return http.StatusUnauthorized
		case (isParty(a) || isMediator(a)) && has(a, tally.RoleSigner):
			return http.StatusBadRequest
		}
		return http.StatusForbidden
	}
	inAgreementPage := page(inAgreement)
	exp := map[string]expectation{
		"GET /{$}":        {one, get("/"), page(signed(200))},
		"GET /login":      {one, get("/login?next=/review"), always(200)},
		"GET /static/":    {one, get("/static/app.css"), always(200)},
		"GET /agreements": {one, get("/agreements"), page(signed(200))},
		"POST /login": {one, func(a actorSpec, _ target) (string, string, string, io.Reader) {
			return "POST", "/login", "application/x-www-form-urlencoded",
				strings.NewReader(url.Values{"name": {a.name}, "password": {"wrong password"}}.Encode())
		}, func(actorSpec, target) int { return http.StatusUnauthorized }},
		"POST /logout":         {one, post("/logout"), func(actorSpec, target) int { return http.StatusSeeOther }},
		"GET /agreements/{id}": {one, get("/agreements/a1"), inAgreementPage},
		"GET /import":          {one, get("/import"), inAgreementPage},
		"GET /review":          {one, get("/review"), inAgreementPage},
		"GET /match":           {one, get("/match"), inAgreementPage},
		"GET /rounds":          {one, get("/rounds"), inAgreementPage},
		"GET /remains":         {one, get("/remains"), inAgreementPage},
		"GET /children":        {one, get("/children"), inAgreementPage},
		"GET /log":             {one, get("/log"), page(readsLog)},
		"GET /report":          {one, get("/report"), page(signed(200))},
		"GET /report.pdf":      {one, get("/report.pdf"), page(signed(200))},
		"GET /report.txt":      {one, get("/report.txt"), page(signed(200))},
		"GET /report.json":     {one, get("/report.json"), page(signed(200))},
		"GET /review/{list}": {listTargets, get("/review/{list}"), func(a actorSpec, tg target) int {
			// Only lists put to review are reviewed: a draft is no
			// list under review, for its own party too.
			if anonymous(a) {
				return http.StatusSeeOther
			}
			if st := inAgreement(a); st != 200 || tg.putTo != "" {
				return st
			}
			return http.StatusNotFound
		}},
		"GET /rounds/{round}/handover": {one, get("/rounds/1/handover"), page(func(a actorSpec) int {
			if st := inAgreement(a); st != 200 {
				return st
			}
			return http.StatusNotFound // no round approved
		})},
		"POST /import": {[]target{{importFor: "UA"}, {importFor: "RU"}},
			func(a actorSpec, tg target) (string, string, string, io.Reader) {
				surname := "Бондар"
				if tg.importFor == "UA" {
					surname = canary
				}
				ct, body := importFormBody(tg.importFor, listCSV("NEW", surname)+"NEW-3,,Іван,2030-01-01,aged-18-25\n")
				return "POST", "/import", ct, body
			},
			func(a actorSpec, tg target) int {
				switch {
				case anonymous(a):
					return http.StatusUnauthorized
				case isParty(a) && a.org == tg.importFor && has(a, tally.RoleClerk):
					return 200
				}
				return http.StatusForbidden
			}},
		"POST /import/confirm": {one, func(actorSpec, target) (string, string, string, io.Reader) {
			return "POST", "/import/confirm", "application/x-www-form-urlencoded", strings.NewReader("token=nothing&confirm=yes")
		}, func(a actorSpec, _ target) int {
			if anonymous(a) {
				return http.StatusUnauthorized
			}
			return http.StatusNotFound
		}},
		"POST /agreements": {one, func(actorSpec, target) (string, string, string, io.Reader) {
			ct, body := fileForm("a3.yaml", agreementFile("a3"))
			return "POST", "/agreements", ct, body
		}, func(a actorSpec, _ target) int {
			switch {
			case anonymous(a):
				return http.StatusUnauthorized
			case isMediator(a) && has(a, tally.RoleAdmin):
				return http.StatusSeeOther // to the agreement added
			}
			return http.StatusForbidden
		}},
		"POST /log/verify": {one, post("/log/verify"), func(a actorSpec, _ target) int {
			if anonymous(a) {
				return http.StatusUnauthorized
			}
			return readsLog(a)
		}},
		"GET /admin": {one, get("/admin"), page(func(a actorSpec) int {
			if has(a, tally.RoleAdmin) {
				return 200
			}
			return http.StatusForbidden
		})},
	}
	exp["GET /security-keys"] = expectation{one, get("/security-keys"), page(signed(200))}
	exp["GET /security-keys/enrol"] = expectation{one, get("/security-keys/enrol?next=/review"), page(signed(200))}
	exp["GET /security-keys/verify"] = expectation{one, get("/security-keys/verify?next=/review"), page(signed(200))}
	exp["POST /security-keys/remove"] = expectation{one, func(actorSpec, target) (string, string, string, io.Reader) {
		return "POST", "/security-keys/remove", "application/x-www-form-urlencoded", strings.NewReader("csrf=&key=AQID")
	}, func(a actorSpec, _ target) int {
		if anonymous(a) {
			return http.StatusUnauthorized
		}
		return http.StatusNotFound // no such key of theirs
	}}
	// The admin forms act on the admin's own organisation: each admin on
	// its organisation's spare account.
	adminForm := func(path string, fields func(a actorSpec) url.Values) func(actorSpec, target) (string, string, string, io.Reader) {
		return func(a actorSpec, _ target) (string, string, string, io.Reader) {
			v := fields(a)
			v.Set("csrf", "")
			return "POST", path, "application/x-www-form-urlencoded", strings.NewReader(v.Encode())
		}
	}
	byAdmin := func(ok int) func(actorSpec, target) int {
		return func(a actorSpec, _ target) int {
			switch {
			case anonymous(a):
				return http.StatusUnauthorized
			case has(a, tally.RoleAdmin):
				return ok
			}
			return http.StatusForbidden
		}
	}
	spare := func(a actorSpec) url.Values { return url.Values{"login": {spareLogin(a.org)}} }
	exp["POST /admin/users"] = expectation{one, adminForm("/admin/users", func(a actorSpec) url.Values {
		return url.Values{"login": {"new-" + a.name}, "name": {"New Person"}, "role": {"viewer"}, "password": {testPassword}}
	}), byAdmin(http.StatusSeeOther)}
	exp["POST /admin/tokens"] = expectation{one, adminForm("/admin/tokens", spare), byAdmin(200)}
	exp["POST /admin/tokens/revoke"] = expectation{one, adminForm("/admin/tokens/revoke", func(a actorSpec) url.Values {
		return url.Values{"login": {spareLogin(a.org)}, "id": {spares[a.org]}}
	}), byAdmin(http.StatusSeeOther)}
	exp["POST /admin/password"] = expectation{one, adminForm("/admin/password", func(a actorSpec) url.Values {
		return url.Values{"login": {spareLogin(a.org)}, "password": {testPassword}}
	}), byAdmin(http.StatusSeeOther)}
	exp["POST /admin/disable"] = expectation{one, adminForm("/admin/disable", spare), byAdmin(http.StatusSeeOther)}
	for _, p := range []string{"/review/answer", "/match/decide", "/rounds/plan", "/rounds/approve", "/rounds/handover", "/rounds/ack",
		"/remains/transfer", "/remains/ack", "/remains/discrepancy", "/children/open", "/children/step"} {
		exp["POST "+p] = expectation{one, post(p), step}
	}
	// The signed steps come as JSON: a form is a bad request, once the
	// actor is seen to be allowed to send any.
	exp["POST /steps"] = expectation{one, post("/steps"), step}
	return exp
}

// TestEveryPageEveryRole is TestEveryRouteEveryRole for the web
// interface: every page × every actor × every target gets the status the
// rules give, every answer but a redirect or an asset is an HTML page, and
// the canary in UA's draft (and in a file UA's clerk checks) reaches no one
// but UA, nor the log.
func TestEveryPageEveryRole(t *testing.T) { eachEngine(t, testEveryPageEveryRole) }

func testEveryPageEveryRole(t *testing.T, e engine) {
	f := newFixture(t, e, Config{LoginBurst: 1000, LoginRate: rate.Inf}, true)
	exp := pageExpectations(f.canary, f.spares)
	seen := map[string]bool{}
	var leaks []string
	uaSawCanary := false
	htmlLang := regexp.MustCompile(`<html lang="(uk|ru|en|tr)"`)
	for _, rt := range NewServer(Config{Service: f.svc}).pageRoutes() {
		key := rt.Method + " " + rt.Pattern
		seen[key] = true
		e, ok := exp[key]
		if !ok {
			t.Errorf("page %s has no expectation: add one to pageExpectations()", key)
			continue
		}
		for _, a := range f.actors {
			for _, tg := range e.targets {
				method, path, ct, body := e.request(a, tg)
				res := f.doPage(t, a.name, method, path, ct, body)
				if want := e.want(a, tg); res.status != want {
					t.Errorf("%s %s as %s: status %d, want %d\n%.600s", method, path, a.name, res.status, want, res.body)
				}
				ctype := res.header.Get("Content-Type")
				// /steps answers the pages' script, in JSON.
				isPage := !strings.HasPrefix(path, "/static/") && !strings.HasPrefix(path, "/report.") && path != "/steps" &&
					res.status != http.StatusSeeOther
				if isPage && (!strings.HasPrefix(ctype, "text/html") || !htmlLang.MatchString(res.body)) {
					t.Errorf("%s %s as %s: %d %s is not a page of the interface", method, path, a.name, res.status, ctype)
				}
				if res.status == http.StatusSeeOther && !strings.HasPrefix(res.header.Get("Location"), "/login") &&
					!strings.HasPrefix(res.header.Get("Location"), "/admin?done=") && !strings.HasPrefix(res.header.Get("Location"), "/agreements/a3?added=1") {
					t.Errorf("%s %s as %s: sent to %q", method, path, a.name, res.header.Get("Location"))
				}
				for _, secret := range append([]string{"$argon2id$", testPassword}, f.spareSecrets...) {
					if strings.Contains(res.body+fmt.Sprint(res.header), secret) {
						t.Errorf("%s %s as %s: the answer holds a secret (%.12s...)", method, path, a.name, secret)
					}
				}
				if strings.Contains(res.body+fmt.Sprint(res.header), f.canary) {
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
			t.Errorf("expectation for %s, which is no page", key)
		}
	}
	if !uaSawCanary {
		t.Error("UA never saw its own canary: the test proves nothing")
	}
	for _, l := range leaks {
		t.Errorf("the canary leaked: %s", l)
	}
	if strings.Contains(f.logs.String(), f.canary) {
		t.Error("the canary is in the server's log")
	}
}

// sessionOf signs in through the form and returns the session cookie.
func sessionOf(t *testing.T, f *fixture, login string) func(*http.Request) {
	t.Helper()
	res := f.doPage(t, "anonymous", "POST", "/login", "application/x-www-form-urlencoded",
		strings.NewReader(url.Values{"name": {login}, "password": {testPassword}, "next": {"/review"}}.Encode()))
	if res.status != http.StatusSeeOther || res.header.Get("Location") != "/review" {
		t.Fatalf("sign in as %s: %d %v %.400s", login, res.status, res.header, res.body)
	}
	cs := (&http.Response{Header: res.header}).Cookies()
	if len(cs) != 1 || cs[0].Name != SessionCookie || !cs[0].Secure || !cs[0].HttpOnly {
		t.Fatalf("cookies %+v", cs)
	}
	return func(r *http.Request) { r.AddCookie(&http.Cookie{Name: SessionCookie, Value: cs[0].Value}) }
}

// A clerk signs in through the form, checks a file with faults, sees each
// row's problems, confirms, and the version is stored; RU never sees it.
func TestImportThroughPages(t *testing.T) { eachEngine(t, testImportThroughPages) }

func testImportThroughPages(t *testing.T, e engine) {
	f := newFixture(t, e, Config{}, false)
	ua := sessionOf(t, f, "ua-clerk")
	sameOrigin := func(r *http.Request) { r.Header.Set("Sec-Fetch-Site", "same-origin") }
	csv := listCSV("UA", "Бондаренко") + "UA-3,,Іван,2030-01-01,aged-18-25\nUA-4,Мельник,Іван,1950-01-01,aged-18-25\n"
	ct, body := importFormBody("UA", csv)
	res := f.doPage(t, "anonymous", "POST", "/import?lang=en", ct, body, ua, sameOrigin)
	if res.status != 200 {
		t.Fatalf("preview: %d %.800s", res.status, res.body)
	}
	for _, want := range []string{`<tr class="bad">`, "A required value is missing", "The person is not eligible", "Бондаренко", `name="token" value="`} {
		if !strings.Contains(res.body, want) {
			t.Errorf("the preview lacks %q", want)
		}
	}
	if n := strings.Count(res.body, `<tr class="bad">`); n != 2 {
		t.Errorf("%d rows marked with problems, want 2 (lines 4 and 5)", n)
	}
	token := regexp.MustCompile(`name="token" value="([^"]+)"`).FindStringSubmatch(res.body)[1]
	// The preview stored nothing.
	if vs, _ := f.svc.Lists(t.Context(), "a1"); len(vs) != 0 {
		t.Fatalf("the preview stored %d lists", len(vs))
	}
	// Another user cannot confirm UA's file.
	ru := sessionOf(t, f, "ru-clerk")
	form := "token=" + url.QueryEscape(token) + "&confirm=yes"
	if res := f.doPage(t, "anonymous", "POST", "/import/confirm", "application/x-www-form-urlencoded", strings.NewReader(form), ru, sameOrigin); res.status != 404 {
		t.Errorf("RU confirming UA's file: %d", res.status)
	}
	// A cross-site form is refused.
	if res := f.doPage(t, "anonymous", "POST", "/import/confirm", "application/x-www-form-urlencoded", strings.NewReader(form), ua,
		func(r *http.Request) { r.Header.Set("Sec-Fetch-Site", "cross-site") }); res.status != 403 {
		t.Errorf("a cross-site confirmation: %d", res.status)
	}
	res = f.doPage(t, "anonymous", "POST", "/import/confirm?lang=uk", "application/x-www-form-urlencoded", strings.NewReader(form), ua, sameOrigin)
	if res.status != 200 || !strings.Contains(res.body, "ua-request") || !strings.Contains(res.body, `<html lang="uk"`) {
		t.Fatalf("confirm: %d %.800s", res.status, res.body)
	}
	vs, err := f.svc.Lists(t.Context(), "a1")
	if err != nil || len(vs) != 1 || vs[0].ListID != "ua-request" || vs[0].Rows != 4 || vs[0].Conforming {
		t.Fatalf("stored: %v %+v", err, vs)
	}
	// A token is used once.
	if res := f.doPage(t, "anonymous", "POST", "/import/confirm", "application/x-www-form-urlencoded", strings.NewReader(form), ua, sameOrigin); res.status != 404 {
		t.Errorf("confirming twice: %d", res.status)
	}
	// RU does not see UA's draft anywhere: not in the agreements' counts,
	// not under review.
	res = f.doPage(t, "anonymous", "GET", "/review/ua-request", "", nil, ru)
	if res.status != 404 || strings.Contains(res.body, "Бондаренко") {
		t.Errorf("RU opening UA's draft: %d", res.status)
	}
}

func TestLoginPage(t *testing.T) { eachEngine(t, testLoginPage) }

func testLoginPage(t *testing.T, e engine) {
	f := newFixture(t, e, Config{LoginBurst: 2, LoginRate: rate.Every(1e12)}, false)
	// Without a session a page sends the browser to sign in, and back.
	res := f.doPage(t, "anonymous", "GET", "/review?lang=tr", "", nil)
	if res.status != 303 || res.header.Get("Location") != "/login?next=%2Freview%3Flang%3Dtr" {
		t.Errorf("GET /review without a session: %d %q", res.status, res.header.Get("Location"))
	}
	// ?lang sets the cookie; the cookie then chooses.
	res = f.doPage(t, "anonymous", "GET", "/login?lang=ru", "", nil)
	if !strings.Contains(res.body, `<html lang="ru"`) || !strings.Contains(fmt.Sprint(res.header["Set-Cookie"]), langCookie+"=ru") {
		t.Errorf("?lang=ru: %v", res.header)
	}
	res = f.doPage(t, "anonymous", "GET", "/login", "", nil, func(r *http.Request) {
		r.AddCookie(&http.Cookie{Name: langCookie, Value: "tr"})
		r.Header.Set("Accept-Language", "uk")
	})
	if !strings.Contains(res.body, `<html lang="tr"`) {
		t.Errorf("the cookie did not choose Turkish")
	}
	res = f.doPage(t, "anonymous", "GET", "/login", "", nil, func(r *http.Request) { r.Header.Set("Accept-Language", "uk-UA,uk;q=0.9") })
	if !strings.Contains(res.body, `<html lang="uk"`) {
		t.Errorf("Accept-Language uk did not choose Ukrainian")
	}
	// Only this server's paths are where sign-in leads.
	for _, next := range []string{"https://evil.example/", "//evil.example/", `/\evil.example`, "javascript:alert(1)"} {
		if got := safeNext(next); got != "/" {
			t.Errorf("safeNext(%q) = %q", next, got)
		}
	}
	// The form shares the API's rate limits.
	bad := url.Values{"name": {"ua-viewer"}, "password": {"wrong"}}.Encode()
	for range 2 {
		if res := f.doPage(t, "anonymous", "POST", "/login", "application/x-www-form-urlencoded", strings.NewReader(bad)); res.status != 401 ||
			!strings.Contains(res.body, `id="login-error"`) {
			t.Errorf("a wrong password: %d", res.status)
		}
	}
	if res := f.doPage(t, "anonymous", "POST", "/login", "application/x-www-form-urlencoded", strings.NewReader(bad)); res.status != 429 {
		t.Errorf("a third attempt: %d", res.status)
	}
	if res := login(t, f, "ua-viewer", testPassword); res.status != 429 {
		t.Errorf("the API after the form's attempts: %d", res.status)
	}
}

// Every page renders in every language, with its heading translated.
func TestPagesInEveryLanguage(t *testing.T) { eachEngine(t, testPagesInEveryLanguage) }

func testPagesInEveryLanguage(t *testing.T, e engine) {
	f := newFixture(t, e, Config{}, true)
	headings := map[string]map[string]string{}
	for _, path := range []string{"/agreements", "/agreements/a1", "/import", "/review", "/review/ua-custody", "/match", "/rounds", "/remains",
		"/children", "/log", "/report", "/login"} {
		headings[path] = map[string]string{}
		for _, lang := range []string{"uk", "ru", "en", "tr"} {
			res := f.doPage(t, "ru-signer", "GET", path+"?lang="+lang, "", nil)
			if res.status != 200 || !strings.Contains(res.body, `<html lang="`+lang+`"`) || res.header.Get("Content-Language") != lang {
				t.Errorf("%s in %s: %d %s", path, lang, res.status, res.header.Get("Content-Language"))
				continue
			}
			m := regexp.MustCompile(`<h1[^>]*>(.*?)</h1>`).FindStringSubmatch(res.body)
			if m == nil {
				t.Errorf("%s in %s: no heading", path, lang)
				continue
			}
			headings[path][lang] = m[1]
		}
		if h := headings[path]; h["en"] == h["uk"] && path != "/report" {
			t.Errorf("%s: the heading %q is not translated", path, h["en"])
		}
	}
}

// A step posted without the page's script says what is needed.
func TestStepWithoutScript(t *testing.T) { eachEngine(t, testStepWithoutScript) }

func testStepWithoutScript(t *testing.T, e engine) {
	f := newFixture(t, e, Config{}, true)
	res := f.doPage(t, "ua-signer", "POST", "/rounds/ack?lang=en", "application/x-www-form-urlencoded", strings.NewReader("round=1"))
	if res.status != 400 || !strings.Contains(res.body, "tally round ack") || !strings.Contains(res.body, "script did not run") {
		t.Errorf("ack: %d %.1000s", res.status, res.body)
	}
	// htmx swaps only 2xx answers: the error page comes as 200, told where.
	res = f.doPage(t, "ua-signer", "POST", "/rounds/ack", "application/x-www-form-urlencoded", strings.NewReader("round=1"),
		func(r *http.Request) { r.Header.Set("HX-Request", "true") })
	if res.status != 200 || res.header.Get("X-Tally-Status") != "400" || res.header.Get("HX-Retarget") != "#main" ||
		!strings.Contains(res.body, `id="main"`) {
		t.Errorf("ack by htmx: %d %v", res.status, res.header)
	}
}
