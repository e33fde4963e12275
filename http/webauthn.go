package http

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"tally"
)

// The second factor's ceremonies (WebAuthn), with go-webauthn: register a
// security key, confirm a session with one. The challenge of a ceremony
// under way is kept in the session's row in the store, not in this
// process's memory, so that two server processes behind one address
// answer alike; it is taken (read and cleared) at the finish, so that a
// challenge is answered once. The rules — who must confirm, who may add
// or remove a key — are the domain's (tally.Service, tally.Authorize).

// ceremonyTimeout is how long a person has to touch their key.
const ceremonyTimeout = 5 * time.Minute

// CheckRelyingParty says whether rpID and origins can serve WebAuthn:
// origins over HTTPS, or http://localhost, on rpID or a name under it.
// tally serve calls it on its flags.
func CheckRelyingParty(rpID string, origins []string) error {
	if rpID == "" {
		return &tally.Error{Code: tally.EInvalid, Key: "--rp-id", Message: "security keys need the server's name, its relying party ID",
			Hint: "such as --rp-id tally.example.org"}
	}
	if err := protocol.ValidateRPID(rpID); err != nil || net.ParseIP(rpID) != nil {
		return &tally.Error{Code: tally.EInvalid, Key: "--rp-id", Message: fmt.Sprintf("%q is not a domain name a security key can be tied to (an IP address cannot be)", rpID),
			Hint: "use the host name people type, such as tally.example.org, or localhost"}
	}
	if len(origins) == 0 {
		return &tally.Error{Code: tally.EInvalid, Key: "--origin", Message: "security keys need the address people open the service at",
			Hint: "such as --origin https://" + rpID}
	}
	for _, o := range origins {
		u, err := url.Parse(o)
		if err != nil || u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" {
			return &tally.Error{Code: tally.EInvalid, Key: "--origin", Message: fmt.Sprintf("%q is not an origin: scheme, host and port only", o),
				Hint: "such as https://" + rpID}
		}
		if err := secureContext(u.Scheme, u.Hostname()); err != nil {
			return &tally.Error{Code: tally.EInvalid, Key: "--origin", Message: fmt.Sprintf("%s: %s", o, err.(*tally.Error).Message), Hint: err.(*tally.Error).Hint}
		}
		if h := u.Hostname(); h != rpID && !strings.HasSuffix(h, "."+rpID) {
			return &tally.Error{Code: tally.EInvalid, Key: "--origin", Message: fmt.Sprintf("%s is not on %s, the relying party ID", o, rpID),
				Hint: "the origin's host must be the relying party ID or a name under it"}
		}
	}
	return nil
}

// secureContext: WebAuthn works only in a browser's secure context.
func secureContext(scheme, host string) error {
	if scheme == "https" || (scheme == "http" && host == "localhost") {
		return nil
	}
	return &tally.Error{Code: codeBadRequest,
		Message: "security keys work only over HTTPS (or at http://localhost): a browser offers them nowhere else",
		Hint:    "open the service at its https:// address; its operator sets tally serve --tls-cert/--tls-key or a TLS proxy, and --rp-id and --origin"}
}

// relyingParty is WebAuthn as this request's server is: the configured
// relying party, or, when none is, localhost as the request reached it (a
// server on a workstation, or a test).
func (s *Server) relyingParty(r *http.Request) (*webauthn.WebAuthn, error) {
	rpID, origins := s.cfg.RPID, s.cfg.Origins
	if rpID == "" {
		scheme := "http"
		if r.TLS != nil || (s.cfg.TrustProxy && strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https")) {
			scheme = "https"
		}
		host := r.Host
		if h, _, err := net.SplitHostPort(r.Host); err == nil {
			host = h
		}
		if host != "localhost" {
			if err := secureContext(scheme, host); err != nil {
				return nil, err
			}
			return nil, &tally.Error{Code: codeBadRequest,
				Message: fmt.Sprintf("this server was not told its name, so it cannot tie security keys to %s", host),
				Hint:    "its operator starts tally serve with --rp-id " + host + " --origin " + scheme + "://" + r.Host}
		}
		if err := secureContext(scheme, host); err != nil {
			return nil, err
		}
		rpID, origins = "localhost", []string{scheme + "://" + r.Host}
	}
	return webauthn.New(&webauthn.Config{
		RPID: rpID, RPDisplayName: "tally", RPOrigins: origins,
		AttestationPreference: protocol.PreferNoAttestation,
		AuthenticatorSelection: protocol.AuthenticatorSelection{
			ResidentKey:      protocol.ResidentKeyRequirementDiscouraged,
			UserVerification: protocol.VerificationPreferred,
		},
		Timeouts: webauthn.TimeoutsConfig{
			Login:        webauthn.TimeoutConfig{Enforce: true, Timeout: ceremonyTimeout, TimeoutUVD: ceremonyTimeout},
			Registration: webauthn.TimeoutConfig{Enforce: true, Timeout: ceremonyTimeout, TimeoutUVD: ceremonyTimeout},
		},
	})
}

// waUser is a person as go-webauthn sees them.
type waUser struct {
	u    tally.User
	keys []tally.SecurityKey
}

// WebAuthnID is the user handle: the account's number, which says nothing
// of the person, and never changes.
func (w waUser) WebAuthnID() []byte          { return binary.BigEndian.AppendUint64(nil, uint64(w.u.ID)) }
func (w waUser) WebAuthnName() string        { return w.u.Login }
func (w waUser) WebAuthnDisplayName() string { return w.u.Name }
func (w waUser) WebAuthnCredentials() []webauthn.Credential {
	cs := make([]webauthn.Credential, len(w.keys))
	for i, k := range w.keys {
		ts := make([]protocol.AuthenticatorTransport, len(k.Transports))
		for j, t := range k.Transports {
			ts[j] = protocol.AuthenticatorTransport(t)
		}
		cs[i] = webauthn.Credential{ID: k.CredentialID, PublicKey: k.PublicKey, Transport: ts,
			Flags:         webauthn.CredentialFlagsFromMsgpByte(k.Flags),
			Authenticator: webauthn.Authenticator{AAGUID: k.AAGUID, SignCount: k.SignCount}}
	}
	return cs
}

// sessionID is the id the request's session cookie holds, "" for none.
func sessionID(r *http.Request) string {
	if c, err := r.Cookie(SessionCookie); err == nil && r.Header.Get("Authorization") == "" {
		return c.Value
	}
	return ""
}

// ceremonySession: a ceremony runs in a browser's session, where its
// challenge is kept; an API token has none (and needs none: see
// tally.ViaToken). The service says the same; saying it first spares the
// relying party's checks.
func ceremonySession(r *http.Request, actor tally.Actor) error {
	if actor.Via != tally.ViaSession || sessionID(r) == "" {
		return &tally.Error{Code: tally.EInvalid, Message: "security keys are enrolled and confirmed in a browser's session",
			Hint: "sign in with your password on the service's pages first"}
	}
	return nil
}

// ceremonyUser is the actor with their keys.
func (s *Server) ceremonyUser(r *http.Request, actor tally.Actor) (waUser, error) {
	ks, err := s.svc.SecurityKeysOf(r.Context(), actor)
	return waUser{u: actor.User, keys: ks}, err
}

// beginCeremony keeps the ceremony's state in the session.
func (s *Server) beginCeremony(r *http.Request, actor tally.Actor, enrol bool, sd *webauthn.SessionData) error {
	state, err := json.Marshal(sd)
	if err != nil {
		return err
	}
	return s.svc.BeginCeremony(r.Context(), actor, sessionID(r), enrol, state)
}

// takeCeremony returns the ceremony under way in the session, forgetting it.
func (s *Server) takeCeremony(r *http.Request, actor tally.Actor) (webauthn.SessionData, error) {
	var sd webauthn.SessionData
	state, err := s.svc.TakeCeremony(r.Context(), actor, sessionID(r))
	if err != nil {
		return sd, err
	}
	if err := json.Unmarshal(state, &sd); err != nil {
		return sd, fmt.Errorf("a session's ceremony is not the JSON this server writes: %w", err)
	}
	return sd, nil
}

// ceremonyError turns what go-webauthn refuses into words for the person.
func ceremonyError(what string, err error) error {
	detail := err.Error()
	var pe *protocol.Error
	if errors.As(err, &pe) && pe.Details != "" {
		detail = pe.Details
	}
	return &tally.Error{Code: tally.EInvalid, Key: "credential", Err: err,
		Message: fmt.Sprintf("%s: the security key's answer could not be verified (%s)", what, strings.TrimSuffix(detail, ".")),
		Hint:    "try again: reload the page and touch the key once; if it fails again, ask your administrator"}
}

func (s *Server) registerBegin(w http.ResponseWriter, r *http.Request, actor tally.Actor) error {
	if err := ceremonySession(r, actor); err != nil {
		return err
	}
	rp, err := s.relyingParty(r)
	if err != nil {
		return err
	}
	u, err := s.ceremonyUser(r, actor)
	if err != nil {
		return err
	}
	exclude := webauthn.Credentials(u.WebAuthnCredentials()).CredentialDescriptors()
	creation, sd, err := rp.BeginRegistration(u, webauthn.WithExclusions(exclude))
	if err != nil {
		return err
	}
	if err := s.beginCeremony(r, actor, true, sd); err != nil {
		return err
	}
	return writeJSON(w, creation)
}

// keyJSON is a security key as the API gives it.
type keyJSON struct {
	ID         string   `json:"id"` // the credential id, base64url
	Name       string   `json:"name"`
	Transports []string `json:"transports"`
	CreatedAt  string   `json:"created_at"`
	LastUsed   string   `json:"last_used_at,omitempty"`
}

func toKeyJSON(k tally.SecurityKey) keyJSON {
	j := keyJSON{ID: base64.RawURLEncoding.EncodeToString(k.CredentialID), Name: k.Name, Transports: k.Transports,
		CreatedAt: k.CreatedAt.UTC().Format(time.RFC3339)}
	if j.Transports == nil {
		j.Transports = []string{}
	}
	if !k.LastUsed.IsZero() {
		j.LastUsed = k.LastUsed.UTC().Format(time.RFC3339)
	}
	return j
}

// ceremonyBody is what a finish sends: the browser's PublicKeyCredential
// as JSON, and for a registration the key's name.
type ceremonyBody struct {
	Name       string          `json:"name"`
	Credential json.RawMessage `json:"credential"`
}

// finishing is what both finishes have read before they check the
// browser's answer: the body, the relying party, the ceremony begun (taken
// from the session, so an answer cannot be replayed) and the person.
type finishing struct {
	body    ceremonyBody
	rp      *webauthn.WebAuthn
	session webauthn.SessionData
	user    waUser
}

func (s *Server) finishCeremony(w http.ResponseWriter, r *http.Request, actor tally.Actor) (f finishing, err error) {
	if err := ceremonySession(r, actor); err != nil {
		return f, err
	}
	if err := readJSON(w, r, &f.body); err != nil {
		return f, err
	}
	if len(f.body.Credential) == 0 {
		return f, &tally.Error{Code: tally.EInvalid, Key: "credential", Message: "send the security key's answer in the field credential"}
	}
	if f.rp, err = s.relyingParty(r); err != nil {
		return f, err
	}
	if f.session, err = s.takeCeremony(r, actor); err != nil {
		return f, err
	}
	f.user, err = s.ceremonyUser(r, actor)
	return f, err
}

func (s *Server) registerFinish(w http.ResponseWriter, r *http.Request, actor tally.Actor) error {
	f, err := s.finishCeremony(w, r, actor)
	if err != nil {
		return err
	}
	parsed, err := protocol.ParseCredentialCreationResponseBytes(f.body.Credential)
	if err != nil {
		return ceremonyError("registering a security key", err)
	}
	cred, err := f.rp.CreateCredential(f.user, f.session, parsed)
	if err != nil {
		return ceremonyError("registering a security key", err)
	}
	k := tally.SecurityKey{CredentialID: cred.ID, PublicKey: cred.PublicKey, SignCount: cred.Authenticator.SignCount,
		AAGUID: cred.Authenticator.AAGUID, Flags: cred.Flags.MsgpByte(), Name: f.body.Name}
	for _, t := range cred.Transport {
		k.Transports = append(k.Transports, string(t))
	}
	k, err = s.svc.EnrolSecurityKey(r.Context(), actor, sessionID(r), k)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/me/keys/"+toKeyJSON(k).ID)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	return writeJSON(w, toKeyJSON(k))
}

func (s *Server) loginBegin(w http.ResponseWriter, r *http.Request, actor tally.Actor) error {
	if err := ceremonySession(r, actor); err != nil {
		return err
	}
	rp, err := s.relyingParty(r)
	if err != nil {
		return err
	}
	u, err := s.ceremonyUser(r, actor)
	if err != nil {
		return err
	}
	if len(u.keys) == 0 {
		return &tally.Error{Code: tally.ENotFound, Message: "you have no security key to confirm with yet",
			Hint: "enrol one at /security-keys/enrol"}
	}
	assertion, sd, err := rp.BeginLogin(u)
	if err != nil {
		return err
	}
	if err := s.beginCeremony(r, actor, false, sd); err != nil {
		return err
	}
	return writeJSON(w, assertion)
}

func (s *Server) loginFinish(w http.ResponseWriter, r *http.Request, actor tally.Actor) error {
	f, err := s.finishCeremony(w, r, actor)
	if err != nil {
		return err
	}
	parsed, err := protocol.ParseCredentialRequestResponseBytes(f.body.Credential)
	if err != nil {
		return ceremonyError("confirming with a security key", err)
	}
	cred, err := f.rp.ValidateLogin(f.user, f.session, parsed)
	if err != nil {
		return ceremonyError("confirming with a security key", err)
	}
	if cred.Authenticator.CloneWarning {
		// The key's counter went back: two copies of its private key
		// may be in use. Refuse, and leave the counter as it was.
		return &tally.Error{Code: tally.EForbidden, Message: "this security key's counter went backwards: the key may have been copied",
			Hint: "use another of your keys, and tell your administrator, who can remove this one with tally users reset-2fa"}
	}
	if err := s.svc.ConfirmSession(r.Context(), actor, sessionID(r), cred.ID, cred.Authenticator.SignCount, cred.Flags.MsgpByte()); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) keys(w http.ResponseWriter, r *http.Request, actor tally.Actor) error {
	ks, err := s.svc.SecurityKeysOf(r.Context(), actor)
	if err != nil {
		return err
	}
	out := []keyJSON{}
	for _, k := range ks {
		out = append(out, toKeyJSON(k))
	}
	return writeJSON(w, out)
}

func (s *Server) removeKey(w http.ResponseWriter, r *http.Request, actor tally.Actor) error {
	id, err := base64.RawURLEncoding.DecodeString(r.PathValue("key"))
	if err != nil || len(id) == 0 {
		return &tally.Error{Code: tally.EInvalid, Key: "key", Message: "a security key is named by its id, in base64url, as GET /api/me/keys gives it"}
	}
	if err := s.svc.RemoveSecurityKey(r.Context(), actor, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
