package http

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"tally/ledger"
)

// signPrepared signs what prepare answered, as a client holding the
// party's key does: it computes each commitment from the payload and salt
// itself, and refuses an entry that does not record them.
func signPrepared(t *testing.T, f *fixture, party, body string) string {
	t.Helper()
	var prep preparedJSON
	if strings.Contains(body, `"status"`) {
		t.Fatalf("prepare failed: %s", body)
	}
	if err := json.Unmarshal([]byte(body), &prep); err != nil {
		t.Fatal(err)
	}
	var chain []ledger.Step
	for _, st := range prep.Steps {
		salt, err := base64.StdEncoding.DecodeString(st.Salt)
		if err != nil {
			t.Fatal(err)
		}
		chain = append(chain, ledger.Step{Kind: st.Kind, Commitment: ledger.Commit(salt, []byte(st.Payload))})
	}
	signed, err := ledger.SignChain([]byte(prep.Entry), chain, f.signers[party])
	if err != nil {
		t.Fatal(err)
	}
	var out []signedStepJSON
	for i, st := range prep.Steps {
		out = append(out, signedStepJSON{Kind: st.Kind, Payload: st.Payload, Salt: st.Salt, Entry: string(signed[i])})
	}
	b, err := json.Marshal(map[string]any{"steps": out})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestStepsThroughTheAPI takes a step as a client of the API: prepared by
// the server, signed by the client with the party's key, recorded.
func TestStepsThroughTheAPI(t *testing.T) { eachEngine(t, testStepsThroughTheAPI) }

func testStepsThroughTheAPI(t *testing.T, e engine) {
	f := newFixture(t, e, Config{}, true)
	prepare := func(who, body string) response {
		return f.do(t, who, "POST", "/api/agreements/a1/steps/prepare", "application/json", strings.NewReader(body))
	}
	submit := func(who, body string) response {
		return f.do(t, who, "POST", "/api/agreements/a1/steps", "application/json", strings.NewReader(body))
	}

	// UA answers RU's custody list, two steps at once: both entries chain.
	// The same steps are prepared twice, by two signers at two desks.
	both := `{"steps":[` +
		`{"kind":"list-answered","body":{"list":"ru-custody","version":1,"answers":[{"ref":"RC-1","accepted":true}]}},` +
		`{"kind":"list-answered","body":{"list":"ru-custody","version":1,"answers":[{"ref":"RC-2","objection":"not-in-custody"}]}}]}`
	res := prepare("ua-signer", both)
	if res.status != 200 || !strings.Contains(res.body, `"key":"tally-party-UA"`) || !strings.Contains(res.body, `\"actor\":\"Person ua-signer\"`) {
		t.Fatalf("prepare: %d %s", res.status, res.body)
	}
	signed := signPrepared(t, f, "UA", res.body)
	other := signPrepared(t, f, "UA", prepare("ua-signer", both).body)
	// RU may not send UA's signed steps.
	if res := submit("ru-signer", signed); res.status != 403 {
		t.Fatalf("RU submitting UA's steps: %d %s", res.status, res.body)
	}
	res = submit("ua-signer", signed)
	if res.status != 201 {
		t.Fatalf("submit: %d %s", res.status, res.body)
	}
	first := res.body
	// A retry (an answer lost on the way) records nothing twice.
	if res := submit("ua-signer", signed); res.status != 201 || res.body != first {
		t.Fatalf("retry: %d %s, want %s", res.status, res.body, first)
	}
	res = f.do(t, "ru-viewer", "GET", "/api/agreements/a1/steps", "", nil)
	if res.status != 200 || strings.Count(res.body, `"kind":"list-answered"`) != 2 {
		t.Fatalf("steps: %d %s", res.status, res.body)
	}
	// The steps prepared at the other desk meet a conflict: UA's chain
	// moved on.
	if res := submit("ua-signer", other); res.status != 409 || !strings.Contains(res.body, "prepare the step and sign it again") {
		t.Fatalf("submit other: %d %s", res.status, res.body)
	}

	// What the process refuses is refused when prepared, saying why.
	res = prepare("ua-signer", answerStep("ua-custody", "UC-1"))
	if res.status != 422 || !strings.Contains(res.body, "application/problem+json") && !strings.Contains(res.body, "detail") {
		t.Fatalf("own list: %d %s", res.status, res.body)
	}
	// A misspelt field is an error, not a step taken without it.
	res = prepare("ua-signer", `{"steps":[{"kind":"round-approved","body":{"rund":"1"}}]}`)
	if res.status != 422 || !strings.Contains(res.body, "rund") {
		t.Fatalf("misspelt: %d %s", res.status, res.body)
	}
}

// TestStepsThroughThePages takes a step as the pages' script does: the
// form posted to be prepared, the entry signed (here in Go, in the
// browser by sign.js), the signed steps posted to /steps.
func TestStepsThroughThePages(t *testing.T) { eachEngine(t, testStepsThroughThePages) }

func testStepsThroughThePages(t *testing.T, e engine) {
	f := newFixture(t, e, Config{RPID: testRPID, Origins: []string{testOrigin}}, true)
	signer := confirmedSessionOf(t, f, "ua-signer")
	script := func(r *http.Request) {
		r.Header.Set("Sec-Fetch-Site", "same-origin")
		r.Header.Set(signHeader, "prepare")
	}
	form := "application/x-www-form-urlencoded"
	answer := url.Values{"csrf": {""}, "list": {"ru-custody"}, "version": {"1"}, "answer.RC-2": {"not-in-custody"}, "text.RC-2": {"not held"},
		"answer.RC-1": {"accept"}}.Encode()
	res := f.doPage(t, "anonymous", "POST", "/review/answer?agreement=a1", form, strings.NewReader(answer), signer, script)
	if res.status != 200 || !strings.Contains(res.body, `"kind":"list-answered"`) {
		t.Fatalf("prepare: %d %s", res.status, res.body)
	}
	// The answers are in the order of the refs, whatever the form's.
	if i, j := strings.Index(res.body, `RC-1`), strings.Index(res.body, `RC-2`); i < 0 || j < i {
		t.Errorf("answers out of order: %s", res.body)
	}
	signed := signPrepared(t, f, "UA", res.body)
	res = f.doPage(t, "anonymous", "POST", "/steps?agreement=a1", "application/json", strings.NewReader(signed), signer, script)
	if res.status != 201 || !strings.Contains(res.body, `"entries"`) {
		t.Fatalf("submit: %d %s", res.status, res.body)
	}
	// Problems come back as problem details the script shows: an empty
	// answer, a field missing, a form the process refuses.
	for _, c := range []struct{ path, form, want string }{
		{"/review/answer", "csrf=&list=ru-custody&version=1", "no row has an answer"},
		{"/rounds/ack", "csrf=&round=1&status=received-identified", "the field person is empty"},
		{"/rounds/approve", "csrf=&round=9", `round \"9\" has not been planned`},
	} {
		res := f.doPage(t, "anonymous", "POST", c.path+"?agreement=a1", form, strings.NewReader(c.form), signer, script)
		if res.status < 400 || !strings.HasPrefix(res.header.Get("Content-Type"), "application/problem+json") || !strings.Contains(res.body, c.want) {
			t.Errorf("%s %s: %d %s", c.path, c.form, res.status, res.body)
		}
	}
	// A viewer is refused before the form is read.
	viewer := sessionOf(t, f, "ua-viewer")
	res = f.doPage(t, "anonymous", "POST", "/rounds/approve?agreement=a1", form, strings.NewReader("csrf=&round=1"), viewer, script)
	if res.status != 403 || !strings.Contains(res.body, "signer") {
		t.Errorf("a viewer: %d %s", res.status, res.body)
	}
}
