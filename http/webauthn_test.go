package http

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/go-webauthn/webauthn/protocol/webauthncbor"
	"github.com/go-webauthn/webauthn/protocol/webauthncose"
)

// softKey is a security key in software: an ECDSA P-256 key pair that
// answers WebAuthn's create and get as an authenticator and browser
// together would, with attestation "none". It lets the ceremonies be
// tested without a browser; the browser test uses Chromium's virtual
// authenticator instead.
type softKey struct {
	t      *testing.T
	priv   *ecdsa.PrivateKey
	id     []byte
	count  uint32
	origin string // what the browser would put in clientDataJSON
}

func newSoftKey(t *testing.T, origin string) *softKey {
	t.Helper()
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	id := make([]byte, 16)
	rand.Read(id)
	return &softKey{t: t, priv: priv, id: id, origin: origin}
}

var b64u = base64.RawURLEncoding

// options reads the challenge and RP ID of begin's answer.
func (k *softKey) options(body string) (challenge, rpID string) {
	k.t.Helper()
	var o struct {
		PublicKey struct {
			Challenge string `json:"challenge"`
			RP        struct {
				ID string `json:"id"`
			} `json:"rp"`
			RPID string `json:"rpId"`
		} `json:"publicKey"`
	}
	if err := json.Unmarshal([]byte(body), &o); err != nil || o.PublicKey.Challenge == "" {
		k.t.Fatalf("the ceremony's options: %v in %s", err, body)
	}
	rpID = o.PublicKey.RP.ID
	if rpID == "" {
		rpID = o.PublicKey.RPID
	}
	return o.PublicKey.Challenge, rpID
}

func (k *softKey) clientData(typ, challenge string) []byte {
	b, _ := json.Marshal(map[string]any{"type": typ, "challenge": challenge, "origin": k.origin, "crossOrigin": false})
	return b
}

// authData is the authenticator data: flags UP|UV (and AT with the key).
func (k *softKey) authData(rpID string, attested bool) []byte {
	k.t.Helper()
	h := sha256.Sum256([]byte(rpID))
	d := append([]byte{}, h[:]...)
	flags := byte(0x01 | 0x04)
	if attested {
		flags |= 0x40
	}
	d = append(d, flags)
	d = binary.BigEndian.AppendUint32(d, k.count)
	if attested {
		pub, err := k.priv.PublicKey.ECDH()
		if err != nil {
			k.t.Fatal(err)
		}
		point := pub.Bytes() // 0x04 || X || Y
		cose, err := webauthncbor.Marshal(webauthncose.EC2PublicKeyData{
			PublicKeyData: webauthncose.PublicKeyData{KeyType: int64(webauthncose.EllipticKey), Algorithm: int64(webauthncose.AlgES256)},
			Curve:         int64(webauthncose.P256), XCoord: point[1:33], YCoord: point[33:]})
		if err != nil {
			k.t.Fatal(err)
		}
		d = append(d, make([]byte, 16)...) // AAGUID: none
		d = binary.BigEndian.AppendUint16(d, uint16(len(k.id)))
		d = append(d, k.id...)
		d = append(d, cose...)
	}
	return d
}

// create answers registration options as navigator.credentials.create.
func (k *softKey) create(options string) json.RawMessage {
	k.t.Helper()
	challenge, rpID := k.options(options)
	cd := k.clientData("webauthn.create", challenge)
	att, err := webauthncbor.Marshal(map[string]any{"fmt": "none", "attStmt": map[string]any{}, "authData": k.authData(rpID, true)})
	if err != nil {
		k.t.Fatal(err)
	}
	b, _ := json.Marshal(map[string]any{"id": b64u.EncodeToString(k.id), "rawId": b64u.EncodeToString(k.id), "type": "public-key",
		"clientExtensionResults": map[string]any{},
		"response": map[string]any{"clientDataJSON": b64u.EncodeToString(cd), "attestationObject": b64u.EncodeToString(att),
			"transports": []string{"usb"}}})
	return b
}

// get answers assertion options as navigator.credentials.get.
func (k *softKey) get(options string) json.RawMessage {
	k.t.Helper()
	challenge, rpID := k.options(options)
	k.count++
	cd := k.clientData("webauthn.get", challenge)
	ad := k.authData(rpID, false)
	h := sha256.Sum256(cd)
	digest := sha256.Sum256(append(append([]byte{}, ad...), h[:]...))
	sig, err := ecdsa.SignASN1(rand.Reader, k.priv, digest[:])
	if err != nil {
		k.t.Fatal(err)
	}
	b, _ := json.Marshal(map[string]any{"id": b64u.EncodeToString(k.id), "rawId": b64u.EncodeToString(k.id), "type": "public-key",
		"clientExtensionResults": map[string]any{},
		"response": map[string]any{"clientDataJSON": b64u.EncodeToString(cd), "authenticatorData": b64u.EncodeToString(ad),
			"signature": b64u.EncodeToString(sig)}})
	return b
}

// browserSession is a signed-in session, as a browser holds its cookie.
type browserSession struct {
	f      *fixture
	cookie string
}

// passwordSession signs in with the password through the API.
func passwordSession(t *testing.T, f *fixture, who string) *browserSession {
	t.Helper()
	res := login(t, f, who, testPassword)
	if res.status != 204 {
		t.Fatalf("sign in as %s: %d %s", who, res.status, res.body)
	}
	c := (&http.Response{Header: res.header}).Cookies()
	return &browserSession{f: f, cookie: c[0].Value}
}

func (b *browserSession) do(t *testing.T, method, path, contentType, body string) response {
	t.Helper()
	return b.f.doPage(t, "anonymous", method, path, contentType, strings.NewReader(body), func(req *http.Request) {
		req.AddCookie(&http.Cookie{Name: SessionCookie, Value: b.cookie})
		req.Header.Set("Sec-Fetch-Site", "same-origin")
	})
}

func (b *browserSession) post(t *testing.T, path string, body any) response {
	t.Helper()
	j, _ := json.Marshal(body)
	return b.do(t, "POST", path, "application/json", string(j))
}

// enrol registers key in the session; it must succeed.
func (b *browserSession) enrol(t *testing.T, key *softKey, name string) {
	t.Helper()
	res := b.post(t, "/api/webauthn/register/begin", map[string]any{})
	if res.status != 200 {
		t.Fatalf("register/begin: %d %s", res.status, res.body)
	}
	res = b.post(t, "/api/webauthn/register/finish", map[string]any{"name": name, "credential": key.create(res.body)})
	if res.status != 201 {
		t.Fatalf("register/finish: %d %s", res.status, res.body)
	}
}

// confirm confirms the session with key; it must succeed.
func (b *browserSession) confirm(t *testing.T, key *softKey) {
	t.Helper()
	res := b.post(t, "/api/webauthn/login/begin", map[string]any{})
	if res.status != 200 {
		t.Fatalf("login/begin: %d %s", res.status, res.body)
	}
	if res = b.post(t, "/api/webauthn/login/finish", map[string]any{"credential": key.get(res.body)}); res.status != 204 {
		t.Fatalf("login/finish: %d %s", res.status, res.body)
	}
}

// problemCode is the code of a problem details body.
func problemCode(body string) string {
	var p Problem
	json.Unmarshal([]byte(body), &p)
	return p.Code
}

const (
	testRPID   = "tally.test"
	testOrigin = "https://tally.test"
)

// TestSecondFactorCeremonies: a signer signs in with the password (a
// session that may read but not act), registers a key (which confirms the
// session), signs in again and confirms with it; what a browser could get
// wrong — a replayed answer, another origin, another challenge, another
// person's key — is refused; keys are listed and removed.
func TestSecondFactorCeremonies(t *testing.T) { eachEngine(t, testSecondFactorCeremonies) }

func testSecondFactorCeremonies(t *testing.T, e engine) {
	f := newFixture(t, e, Config{RPID: testRPID, Origins: []string{testOrigin}, LoginBurst: 100, LoginRate: 1000}, true)
	key := newSoftKey(t, testOrigin)
	s := passwordSession(t, f, "ua-signer")

	// Password only: reading is allowed, a step is not.
	if res := s.do(t, "GET", "/api/agreements/a1/review", "", ""); res.status != 200 {
		t.Errorf("reading with a password: %d %s", res.status, res.body)
	}
	form := "application/x-www-form-urlencoded"
	res := s.do(t, "POST", "/rounds/ack?lang=en", form, "csrf=&round=1")
	if res.status != 403 || !strings.Contains(res.body, "security key") || !strings.Contains(res.body, `href="/security-keys/verify"`) {
		t.Errorf("a step with a password only: %d %.2000s", res.status, res.body)
	}
	// Nothing to confirm with yet.
	if res := s.post(t, "/api/webauthn/login/begin", map[string]any{}); res.status != 404 || !strings.Contains(res.body, "enrol") {
		t.Errorf("login/begin with no key: %d %s", res.status, res.body)
	}
	// Finish without begin.
	if res := s.post(t, "/api/webauthn/register/finish", map[string]any{"credential": map[string]any{"id": "x"}}); res.status != 422 {
		t.Errorf("register/finish without begin: %d %s", res.status, res.body)
	}
	// An answer from another origin is refused, and the challenge is spent.
	res = s.post(t, "/api/webauthn/register/begin", map[string]any{})
	phished := newSoftKey(t, "https://tally.test.evil.example")
	if res := s.post(t, "/api/webauthn/register/finish", map[string]any{"credential": phished.create(res.body)}); res.status != 422 || problemCode(res.body) != "invalid" {
		t.Errorf("a registration from another origin: %d %s", res.status, res.body)
	}
	// Trust on first use, after the password.
	s.enrol(t, key, "синій ключ")
	// Past authorization, a step posted without the pages' script.
	if res := s.do(t, "POST", "/rounds/ack?lang=en", form, "csrf=&round=1"); res.status != 400 {
		t.Errorf("a step once the key is registered: %d", res.status)
	}
	res = s.do(t, "GET", "/api/me/keys", "", "")
	var keys []keyJSON
	if err := json.Unmarshal([]byte(res.body), &keys); err != nil || len(keys) != 1 || keys[0].Name != "синій ключ" ||
		keys[0].ID != b64u.EncodeToString(key.id) || len(keys[0].Transports) != 1 || keys[0].Transports[0] != "usb" {
		t.Fatalf("my keys: %v %s", err, res.body)
	}

	// Signing in again: password only until confirmed.
	s2 := passwordSession(t, f, "ua-signer")
	if res := s2.do(t, "POST", "/rounds/ack", form, "csrf=&round=1"); res.status != 403 {
		t.Errorf("a new session, a step: %d", res.status)
	}
	// Another key cannot be added, nor this one removed, password only.
	if res := s2.post(t, "/api/webauthn/register/begin", map[string]any{}); res.status != 403 || problemCode(res.body) != "second-factor-required" {
		t.Errorf("adding a key, password only: %d %s", res.status, res.body)
	}
	if res := s2.do(t, "DELETE", "/api/me/keys/"+keys[0].ID, "", ""); res.status != 403 || problemCode(res.body) != "second-factor-required" {
		t.Errorf("removing a key, password only: %d %s", res.status, res.body)
	}
	// Another challenge: an answer to the first begin after a second.
	first := s2.post(t, "/api/webauthn/login/begin", map[string]any{})
	second := s2.post(t, "/api/webauthn/login/begin", map[string]any{})
	if first.status != 200 || second.status != 200 || first.body == second.body {
		t.Fatalf("two begins: %d %d", first.status, second.status)
	}
	if res := s2.post(t, "/api/webauthn/login/finish", map[string]any{"credential": key.get(first.body)}); res.status != 422 {
		t.Errorf("an answer to an earlier challenge: %d %s", res.status, res.body)
	}
	// Another person's key.
	other := passwordSession(t, f, "ru-signer")
	otherKey := newSoftKey(t, testOrigin)
	other.enrol(t, otherKey, "")
	res = s2.post(t, "/api/webauthn/login/begin", map[string]any{})
	if res := s2.post(t, "/api/webauthn/login/finish", map[string]any{"credential": otherKey.get(res.body)}); res.status != 422 {
		t.Errorf("another person's key: %d %s", res.status, res.body)
	}
	// The right key, once; a replay finds no ceremony.
	res = s2.post(t, "/api/webauthn/login/begin", map[string]any{})
	answer := key.get(res.body)
	if res := s2.post(t, "/api/webauthn/login/finish", map[string]any{"credential": answer}); res.status != 204 {
		t.Fatalf("confirming: %d %s", res.status, res.body)
	}
	if res := s2.post(t, "/api/webauthn/login/finish", map[string]any{"credential": answer}); res.status != 422 {
		t.Errorf("a replayed answer: %d %s", res.status, res.body)
	}
	if res := s2.do(t, "POST", "/rounds/ack", form, "csrf=&round=1"); res.status != 400 {
		t.Errorf("a step once confirmed: %d", res.status)
	}
	// A cloned key: its counter goes back.
	s3 := passwordSession(t, f, "ua-signer")
	key.count = 0
	res = s3.post(t, "/api/webauthn/login/begin", map[string]any{})
	if res := s3.post(t, "/api/webauthn/login/finish", map[string]any{"credential": key.get(res.body)}); res.status != 403 || !strings.Contains(res.body, "copied") {
		t.Errorf("a key whose counter went back: %d %s", res.status, res.body)
	}
	key.count = 100

	// Confirmed: a second key, then the first removed through the page.
	spare := newSoftKey(t, testOrigin)
	s2.enrol(t, spare, "spare")
	res = s2.do(t, "POST", "/security-keys/remove?lang=en", form, url.Values{"csrf": {""}, "key": {keys[0].ID}}.Encode())
	if res.status != 200 || !strings.Contains(res.body, "синій ключ was removed") || !strings.Contains(res.body, "spare") {
		t.Errorf("removing through the page: %d %.1500s", res.status, res.body)
	}
	if res := s2.do(t, "GET", "/api/me/keys", "", ""); strings.Contains(res.body, keys[0].ID) || !strings.Contains(res.body, `"spare"`) {
		t.Errorf("my keys after removing one: %s", res.body)
	}
	// The removed key confirms nothing any more.
	s4 := passwordSession(t, f, "ua-signer")
	res = s4.post(t, "/api/webauthn/login/begin", map[string]any{})
	if res := s4.post(t, "/api/webauthn/login/finish", map[string]any{"credential": key.get(res.body)}); res.status != 422 {
		t.Errorf("a removed key: %d %s", res.status, res.body)
	}
}

// TestSecondFactorPolicy: a signer's or admin's password session may read
// and not act (second-factor-required, saying what to do); a clerk's is
// not asked; API tokens are not asked.
func TestSecondFactorPolicy(t *testing.T) { eachEngine(t, testSecondFactorPolicy) }

func testSecondFactorPolicy(t *testing.T, e engine) {
	f := newFixture(t, e, Config{RPID: testRPID, Origins: []string{testOrigin}, LoginBurst: 100, LoginRate: 1000}, true)
	form := "application/x-www-form-urlencoded"
	admin := passwordSession(t, f, "ua-admin")
	res := admin.do(t, "GET", "/api/orgs/UA/users", "", "")
	if res.status != 403 || problemCode(res.body) != "second-factor-required" || !strings.Contains(res.body, "confirm with your security key") {
		t.Errorf("an admin's password session managing users: %d %s", res.status, res.body)
	}
	if res := admin.do(t, "GET", "/api/orgs/RU/users", "", ""); res.status != 403 || problemCode(res.body) != "forbidden" {
		t.Errorf("another organisation's users: %d %s", res.status, res.body)
	}
	if res := admin.do(t, "GET", "/api/agreements/a1/lists/ua-request/versions/1/rows", "", ""); res.status != 200 {
		t.Errorf("an admin reading with a password: %d", res.status)
	}
	adminKey := newSoftKey(t, testOrigin)
	admin.enrol(t, adminKey, "")
	if res := admin.do(t, "GET", "/api/orgs/UA/users", "", ""); res.status != 200 {
		t.Errorf("a confirmed admin managing users: %d %s", res.status, res.body)
	}
	signer := passwordSession(t, f, "ua-signer")
	if res := signer.do(t, "POST", "/review/answer", form, "csrf="); res.status != 403 || !strings.Contains(res.body, "security key") {
		t.Errorf("a signer's password session answering a list: %d", res.status)
	}
	for _, p := range []string{"/review", "/rounds", "/log", "/report", "/api/agreements/a1/review"} {
		if res := signer.do(t, "GET", p, "", ""); res.status != 200 {
			t.Errorf("a signer's password session reading %s: %d", p, res.status)
		}
	}
	// A clerk is not asked: the import is refused only for want of the
	// party's signature on the log, as for a token.
	clerk := passwordSession(t, f, "ua-clerk")
	ct, body := multipartList("UA", listCSV("NEW", "Бондар"))
	raw, _ := io.ReadAll(body)
	if res := clerk.do(t, "POST", "/api/agreements/a1/lists", ct, string(raw)); res.status != 422 || problemCode(res.body) == "second-factor-required" {
		t.Errorf("a clerk's password session importing: %d %s", res.status, res.body)
	}
	// Tokens are not asked.
	if res := f.do(t, "ua-admin", "GET", "/api/orgs/UA/users", "", nil); res.status != 200 {
		t.Errorf("an admin's token: %d", res.status)
	}
	if res := f.doPage(t, "ua-signer", "POST", "/review/answer", form, strings.NewReader("csrf=")); res.status != 400 {
		t.Errorf("a signer's token: %d", res.status)
	}
}

// TestSignInFlow: after the password, the web interface sends a signer
// with no key to enrol one, with keys to confirm, a clerk straight on.
func TestSignInFlow(t *testing.T) { eachEngine(t, testSignInFlow) }

func testSignInFlow(t *testing.T, e engine) {
	f := newFixture(t, e, Config{RPID: testRPID, Origins: []string{testOrigin}, LoginBurst: 100, LoginRate: 1000}, false)
	signIn := func(login string) response {
		return f.doPage(t, "anonymous", "POST", "/login", "application/x-www-form-urlencoded",
			strings.NewReader(url.Values{"name": {login}, "password": {testPassword}, "next": {"/rounds"}}.Encode()))
	}
	if res := signIn("ua-clerk"); res.status != 303 || res.header.Get("Location") != "/rounds" {
		t.Errorf("a clerk: %d %q", res.status, res.header.Get("Location"))
	}
	res := signIn("ua-signer")
	if res.status != 303 || res.header.Get("Location") != "/security-keys/enrol?first=1&next=%2Frounds" {
		t.Fatalf("a signer with no key: %d %q", res.status, res.header.Get("Location"))
	}
	c := (&http.Response{Header: res.header}).Cookies()[0].Value
	s := &browserSession{f: f, cookie: c}
	page := s.do(t, "GET", "/security-keys/enrol?first=1&next=%2Frounds&lang=en", "", "")
	for _, want := range []string{`data-ceremony="register"`, `data-next="/rounds"`, `src="/static/webauthn.js"`, `id="key-name"`, "Not now"} {
		if !strings.Contains(page.body, want) {
			t.Errorf("the enrolment page lacks %s", want)
		}
	}
	s.enrol(t, newSoftKey(t, testOrigin), "laptop")
	if res := signIn("ua-signer"); res.status != 303 || res.header.Get("Location") != "/security-keys/verify?next=%2Frounds" {
		t.Errorf("a signer with a key: %d %q", res.status, res.header.Get("Location"))
	}
	page = s.do(t, "GET", "/security-keys?lang=uk", "", "")
	if page.status != 200 || !strings.Contains(page.body, "laptop") || !strings.Contains(page.body, "У вас 1 ключ безпеки.") {
		t.Errorf("the keys page in Ukrainian: %d %.2000s", page.status, page.body)
	}
	if js := f.doPage(t, "anonymous", "GET", "/static/webauthn.js", "", nil); js.status != 200 || !strings.Contains(js.body, "navigator.credentials.create") {
		t.Errorf("the script: %d", js.status)
	}
}

// TestRelyingParty: without --rp-id the server ties keys to localhost
// only, and says what to do elsewhere; WebAuthn needs a secure context.
func TestRelyingParty(t *testing.T) { eachEngine(t, testRelyingParty) }

func testRelyingParty(t *testing.T, e engine) {
	f := newFixture(t, e, Config{LoginBurst: 100, LoginRate: 1000}, false)
	s := passwordSession(t, f, "ua-signer")
	res := s.post(t, "/api/webauthn/register/begin", map[string]any{})
	if res.status != 400 || !strings.Contains(res.body, "HTTPS") {
		t.Errorf("begin at http://127.0.0.1: %d %s", res.status, res.body)
	}
	localhost := f.doPage(t, "anonymous", "POST", "/api/webauthn/register/begin", "application/json", strings.NewReader("{}"), func(r *http.Request) {
		r.AddCookie(&http.Cookie{Name: SessionCookie, Value: s.cookie})
		r.Host = "localhost:8080"
	})
	if localhost.status != 200 || !strings.Contains(localhost.body, `"id":"localhost"`) {
		t.Errorf("begin at http://localhost: %d %s", localhost.status, localhost.body)
	}
	for _, c := range []struct {
		rpID    string
		origins []string
		ok      bool
	}{
		{"tally.example.org", []string{"https://tally.example.org"}, true},
		{"example.org", []string{"https://tally.example.org", "https://tally.example.org:8443"}, true},
		{"localhost", []string{"http://localhost:8080"}, true},
		{"tally.example.org", []string{"http://tally.example.org"}, false},
		{"tally.example.org", []string{"https://evil.example"}, false},
		{"tally.example.org", nil, false},
		{"", []string{"https://tally.example.org"}, false},
		{"192.0.2.1", []string{"https://192.0.2.1"}, false},
		{"tally.example.org", []string{"https://tally.example.org/path"}, false},
	} {
		err := CheckRelyingParty(c.rpID, c.origins)
		if (err == nil) != c.ok {
			t.Errorf("CheckRelyingParty(%q, %q) = %v", c.rpID, c.origins, err)
		}
	}
	if err := CheckRelyingParty("tally.example.org", []string{"http://tally.example.org"}); err == nil || !strings.Contains(err.Error(), "HTTPS") {
		t.Errorf("an http origin: %v", err)
	}
}

// confirmedSessionOf signs login in with the password and confirms the
// session with a new software key, as a signer or an admin does before
// acting: the fixture must be made with RPID testRPID and origin
// testOrigin.
func confirmedSessionOf(t *testing.T, f *fixture, login string) func(*http.Request) {
	t.Helper()
	s := passwordSession(t, f, login)
	s.enrol(t, newSoftKey(t, testOrigin), "test key")
	return func(r *http.Request) { r.AddCookie(&http.Cookie{Name: SessionCookie, Value: s.cookie}) }
}
