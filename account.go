package tally

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"golang.org/x/crypto/argon2"
)

// Accounts. Three organisations that distrust each other share one
// service: the two parties, the mediator, and witnesses and observers
// besides. Every person who uses the service belongs to exactly one
// organisation and holds roles in it; what they may see and do follows
// from the two together (see Authorize).

// OrgKind is what an organisation is to the exchanges.
type OrgKind string

const (
	OrgParty    OrgKind = "party"    // one side of an agreement (UA, RU)
	OrgMediator OrgKind = "mediator" // the neutral mediator (TR), who keeps the log
	OrgWitness  OrgKind = "witness"  // cosigns the log's checkpoints
	OrgObserver OrgKind = "observer" // sees the public report only
)

// ParseOrgKind returns the kind named s, or an error listing the kinds.
func ParseOrgKind(s string) (OrgKind, error) {
	switch k := OrgKind(strings.ToLower(strings.TrimSpace(s))); k {
	case OrgParty, OrgMediator, OrgWitness, OrgObserver:
		return k, nil
	}
	return "", Errorf(EInvalid, "%q is not a kind of organisation: use party, mediator, witness or observer", s)
}

// Organization is a party, the mediator, a witness or an observer. Code is
// unique among organisations; for a party or the mediator it is the code
// agreements give it (UA, RU, TR), which is how the organisation is tied to
// what it may see.
type Organization struct {
	ID   int64
	Kind OrgKind
	Code string
	Name string
}

// Role is what a person may do for their organisation. Roles add up: a
// signer who also imports lists holds clerk and signer.
type Role string

const (
	RoleViewer Role = "viewer" // reads what the organisation may read
	RoleClerk  Role = "clerk"  // prepares and imports the party's lists
	RoleSigner Role = "signer" // takes steps of the process for the party: submits, answers, acknowledges
	RoleAdmin  Role = "admin"  // manages the organisation's accounts
)

// Roles returns every role, from least to most trusted.
func Roles() []Role { return []Role{RoleViewer, RoleClerk, RoleSigner, RoleAdmin} }

// ParseRole returns the role named s, or an error listing the roles.
func ParseRole(s string) (Role, error) {
	r := Role(strings.ToLower(strings.TrimSpace(s)))
	if slices.Contains(Roles(), r) {
		return r, nil
	}
	return "", Errorf(EInvalid, "%q is not a role: use viewer, clerk, signer or admin", s)
}

// User is a person who signs in to the service, in one organisation.
type User struct {
	ID        int64
	Org       Organization
	Name      string // as they sign, "O. Petrenko"
	Login     string // unique, lower case
	Roles     []Role
	CreatedAt time.Time
}

// Has reports whether the user holds role r.
func (u User) Has(r Role) bool { return slices.Contains(u.Roles, r) }

// Actor is who is asking: an authenticated user, in their organisation,
// and how they authenticated (ViaSession, ViaToken), for the audit and
// for the second factor.
type Actor struct {
	User User
	Via  string
	// SecondFactor says the session was confirmed with a security key
	// after the password (see secondfactor.go).
	SecondFactor bool
}

// Org returns the actor's organisation.
func (a Actor) Org() Organization { return a.User.Org }

// Known reports whether the actor is an authenticated user.
func (a Actor) Known() bool { return a.User.ID != 0 }

// NormalizeLogin returns a login as stored and compared: trimmed and in
// lower case (Unicode, not only ASCII).
func NormalizeLogin(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// CheckLogin says whether s may be a login: 2 to 64 letters, digits and
// . _ - @, after NormalizeLogin.
func CheckLogin(s string) error {
	n := 0
	for _, r := range s {
		n++
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && !strings.ContainsRune("._-@", r) {
			return &Error{Code: EInvalid, Key: "--login", Message: fmt.Sprintf("login %q may hold only letters, digits and . _ - @", s)}
		}
	}
	if n < 2 || n > 64 {
		return &Error{Code: EInvalid, Key: "--login", Message: fmt.Sprintf("login %q must be 2 to 64 characters long", s)}
	}
	return nil
}

// Passwords are hashed with argon2id and kept in the PHC string format
// that other tools read: $argon2id$v=19$m=19456,t=2,p=1$SALT$HASH, salt and
// hash in unpadded standard base64. The parameters are OWASP's minimum for
// argon2id (19 MiB, two passes); a stored hash carries its own, so raising
// them later leaves old hashes valid.
const (
	argonMemory  = 19 * 1024 // KiB
	argonTime    = 2
	argonThreads = 1
	argonKeyLen  = 32
	argonSaltLen = 16
)

// MinPasswordLength is the shortest password accepted (NIST SP 800-63B).
const MinPasswordLength = 12

// HashPassword returns the argon2id hash of password in PHC string format.
func HashPassword(password string) (string, error) {
	if n := len([]rune(password)); n < MinPasswordLength {
		return "", &Error{Code: EInvalid, Key: "password", Message: fmt.Sprintf("a password needs at least %d characters (got %d)", MinPasswordLength, n)}
	}
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// CheckPassword reports whether password matches encoded, a hash that
// HashPassword wrote, comparing in constant time. A malformed hash is an
// error, not a mismatch.
func CheckPassword(encoded, password string) (bool, error) {
	parts := strings.Split(encoded, "$")
	// "", "argon2id", "v=19", "m=..,t=..,p=..", salt, hash
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" || parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return false, Errorf(EInternal, "a stored password hash is not an argon2id hash")
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil || m == 0 || t == 0 || p == 0 {
		return false, Errorf(EInternal, "a stored password hash has bad parameters %q", parts[3])
	}
	b64 := base64.RawStdEncoding
	salt, err1 := b64.DecodeString(parts[4])
	want, err2 := b64.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(want) == 0 {
		return false, Errorf(EInternal, "a stored password hash is not valid base64")
	}
	got := argon2.IDKey([]byte(password), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// dummyHash is checked against when a login does not exist, so that an
// unknown login takes as long to refuse as a wrong password.
const dummyHash = "$argon2id$v=19$m=19456,t=2,p=1$dGFsbHktZHVtbXktc2FsdA$Q7E3XUTVL9O7YQoLa0C9C9EbZ/bGVHRBaRDg4WRkOic"

// Secrets — API tokens and session ids — are 32 random bytes, given to
// their holder once and stored only as their SHA-256: whoever reads the
// store cannot sign in with what they read.

// tokenPrefix marks tally's API tokens, so that a token pasted somewhere
// it should not be is recognisable (and secret scanners can find it).
const tokenPrefix = "tally_"

// newSecret returns a new secret as its holder gets it, and its hash.
func newSecret(prefix string) (string, []byte, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", nil, err
	}
	s := prefix + base64.RawURLEncoding.EncodeToString(b)
	return s, SecretHash(s), nil
}

// SecretHash returns the SHA-256 of a token or session id, as stored.
func SecretHash(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

// Token is an API token as stored: only its hash.
type Token struct {
	Hash      []byte
	UserID    int64
	CreatedAt time.Time
}

// ID names a token where it must be listed or revoked: the first 6 bytes
// of its hash, in hex. It is no secret: the hash does not give the token.
func (t Token) ID() string { return hex.EncodeToString(t.Hash[:min(len(t.Hash), 6)]) }

// Session is a signed-in browser's session as stored: the hash of the id
// its cookie holds, whose it is, and when it ends.
type Session struct {
	Hash      []byte
	UserID    int64
	CreatedAt time.Time
	ExpiresAt time.Time // the session ends then, however active
	LastSeen  time.Time // it ends IdleTimeout after this
	// ConfirmedAt is when the session passed its second factor (a
	// security key); zero: a password only.
	ConfirmedAt time.Time
	// Ceremony is the state of the WebAuthn ceremony under way in the
	// session (its challenge), opaque to the domain; nil when none.
	Ceremony []byte
}

// SessionPolicy is how long sessions last.
type SessionPolicy struct {
	Lifetime    time.Duration // from sign-in, whatever happens
	IdleTimeout time.Duration // since the last request
}

// DefaultSessionPolicy is a working day, and half an hour idle.
var DefaultSessionPolicy = SessionPolicy{Lifetime: 12 * time.Hour, IdleTimeout: 30 * time.Minute}

// touchEvery is how stale a session's LastSeen may get before a request
// writes it again: not every request needs a write.
const touchEvery = time.Minute

// NewUser is an account to create, in an organisation created with it if
// it is not stored yet.
type NewUser struct {
	OrgCode  string
	OrgKind  OrgKind
	OrgName  string // for a new organisation; its code if empty
	Name     string
	Login    string
	Roles    []Role
	Password string // empty: the user can use API tokens only
}

// AddUser creates an account, and its organisation if need be. An
// organisation already stored must be of the kind given.
func (s *Service) AddUser(ctx context.Context, in NewUser) (User, error) {
	return s.addUser(ctx, in, nil)
}

// addUser is AddUser; then, when it is not nil, in the same transaction,
// also the user is created.
func (s *Service) addUser(ctx context.Context, in NewUser, also func(Tx, User) error) (User, error) {
	code := strings.ToUpper(strings.TrimSpace(in.OrgCode))
	if code == "" {
		return User{}, &Error{Code: EInvalid, Key: "--org", Message: "an account needs its organisation's code", Hint: "such as UA, RU or TR"}
	}
	if _, err := ParseOrgKind(string(in.OrgKind)); err != nil {
		return User{}, err
	}
	login := NormalizeLogin(in.Login)
	if err := CheckLogin(login); err != nil {
		return User{}, err
	}
	name := strings.TrimSpace(in.Name)
	if name == "" {
		return User{}, &Error{Code: EInvalid, Key: "--name", Message: "an account needs the name of the person, as they sign"}
	}
	if len(in.Roles) == 0 {
		return User{}, &Error{Code: EInvalid, Key: "--role", Message: "an account needs at least one role", Hint: "viewer, clerk, signer or admin"}
	}
	var roles []Role
	for _, r := range in.Roles {
		r, err := ParseRole(string(r))
		if err != nil {
			return User{}, err
		}
		if !slices.Contains(roles, r) {
			roles = append(roles, r)
		}
	}
	slices.SortFunc(roles, func(a, b Role) int { return slices.Index(Roles(), a) - slices.Index(Roles(), b) })
	if (slices.Contains(roles, RoleClerk) || slices.Contains(roles, RoleSigner)) && in.OrgKind != OrgParty && in.OrgKind != OrgMediator {
		return User{}, &Error{Code: EInvalid, Key: "--role", Message: fmt.Sprintf("a %s has no lists to import nor steps to sign: give its people viewer or admin", in.OrgKind)}
	}
	hash := ""
	if in.Password != "" {
		var err error
		if hash, err = HashPassword(in.Password); err != nil {
			return User{}, err
		}
	}
	u := User{Name: name, Login: login, Roles: roles, CreatedAt: s.now().UTC()}
	err := s.store.Update(ctx, func(tx Tx) error {
		org, err := tx.Organization(ctx, code)
		switch {
		case ErrorCodeOf(err) == ENotFound:
			org = Organization{Kind: in.OrgKind, Code: code, Name: strings.TrimSpace(in.OrgName)}
			if org.Name == "" {
				org.Name = code
			}
			if err := tx.AddOrganization(ctx, &org); err != nil {
				return err
			}
		case err != nil:
			return err
		case org.Kind != in.OrgKind:
			return &Error{Code: EConflict, Key: "--kind", Message: fmt.Sprintf("organisation %s is a %s, not a %s", code, org.Kind, in.OrgKind)}
		}
		u.Org = org
		if err := tx.AddUser(ctx, &u, hash); err != nil || also == nil {
			return err
		}
		return also(tx, u)
	})
	return u, err
}

// Users returns the accounts of an organisation, by login.
func (s *Service) Users(ctx context.Context, orgCode string) (us []User, err error) {
	err = s.store.View(ctx, func(tx Tx) error {
		us, err = tx.Users(ctx, strings.ToUpper(orgCode))
		return err
	})
	return us, err
}

// NewToken makes an API token for the user with login and returns it; it
// is shown this once and stored only as its hash.
func (s *Service) NewToken(ctx context.Context, login string) (string, error) {
	secret, hash, err := newSecret(tokenPrefix)
	if err != nil {
		return "", err
	}
	err = s.store.Update(ctx, func(tx Tx) error {
		u, _, err := tx.User(ctx, NormalizeLogin(login))
		if err != nil {
			return err
		}
		return tx.AddToken(ctx, Token{Hash: hash, UserID: u.ID, CreatedAt: s.now().UTC()})
	})
	if err != nil {
		return "", err
	}
	return secret, nil
}

// errSignIn is the one answer to every failed sign-in, so that it says
// nothing of which part was wrong.
func errSignIn() error {
	return &Error{Code: EUnauthorized, Message: "the login or password is wrong, or the session has ended"}
}

// TokenActor returns the actor an API token authenticates.
func (s *Service) TokenActor(ctx context.Context, token string) (Actor, error) {
	if !strings.HasPrefix(token, tokenPrefix) {
		return Actor{}, errSignIn()
	}
	var u User
	err := s.store.View(ctx, func(tx Tx) error {
		var err error
		u, err = tx.TokenUser(ctx, SecretHash(token))
		return err
	})
	if ErrorCodeOf(err) == ENotFound {
		return Actor{}, errSignIn()
	}
	if err != nil {
		return Actor{}, err
	}
	return Actor{User: u, Via: ViaToken}, nil
}

// SignIn checks a login and password and starts a session. It returns the
// session id for the cookie (shown this once, stored only as its hash) and
// the actor. A wrong login or password is EUnauthorized, the same for both.
func (s *Service) SignIn(ctx context.Context, login, password string, policy SessionPolicy) (string, Session, Actor, error) {
	var u User
	var hash string
	err := s.store.View(ctx, func(tx Tx) error {
		var err error
		u, hash, err = tx.User(ctx, NormalizeLogin(login))
		return err
	})
	switch {
	case ErrorCodeOf(err) == ENotFound:
		_, _ = CheckPassword(dummyHash, password) // take as long as a real check
		return "", Session{}, Actor{}, errSignIn()
	case err != nil:
		return "", Session{}, Actor{}, err
	case hash == "":
		_, _ = CheckPassword(dummyHash, password)
		return "", Session{}, Actor{}, errSignIn()
	}
	ok, err := CheckPassword(hash, password)
	if err != nil {
		return "", Session{}, Actor{}, err
	}
	if !ok {
		return "", Session{}, Actor{}, errSignIn()
	}
	id, idHash, err := newSecret("")
	if err != nil {
		return "", Session{}, Actor{}, err
	}
	now := s.now().UTC()
	sess := Session{Hash: idHash, UserID: u.ID, CreatedAt: now, ExpiresAt: now.Add(policy.Lifetime), LastSeen: now}
	err = s.store.Update(ctx, func(tx Tx) error {
		if _, err := tx.DeleteExpiredSessions(ctx, now.Add(-policy.IdleTimeout), now); err != nil {
			return err
		}
		return tx.AddSession(ctx, sess)
	})
	if err != nil {
		return "", Session{}, Actor{}, err
	}
	return id, sess, Actor{User: u, Via: ViaSession}, nil
}

// SessionActor returns the actor whose session id is given, if the session
// has neither expired nor been idle longer than the policy allows; an
// ended session is deleted.
func (s *Service) SessionActor(ctx context.Context, id string, policy SessionPolicy) (Actor, error) {
	if id == "" {
		return Actor{}, errSignIn()
	}
	hash := SecretHash(id)
	now := s.now().UTC()
	var sess Session
	var u User
	err := s.store.View(ctx, func(tx Tx) error {
		var err error
		if sess, err = tx.Session(ctx, hash); err != nil {
			return err
		}
		u, err = tx.UserByID(ctx, sess.UserID)
		return err
	})
	if ErrorCodeOf(err) == ENotFound {
		return Actor{}, errSignIn()
	}
	if err != nil {
		return Actor{}, err
	}
	if !now.Before(sess.ExpiresAt) || !now.Before(sess.LastSeen.Add(policy.IdleTimeout)) {
		if err := s.store.Update(ctx, func(tx Tx) error { return tx.DeleteSession(ctx, hash) }); err != nil {
			return Actor{}, err
		}
		return Actor{}, errSignIn()
	}
	if now.Sub(sess.LastSeen) >= touchEvery {
		if err := s.store.Update(ctx, func(tx Tx) error { return tx.TouchSession(ctx, hash, now) }); err != nil {
			return Actor{}, err
		}
	}
	return Actor{User: u, Via: ViaSession, SecondFactor: !sess.ConfirmedAt.IsZero()}, nil
}

// SignOut ends the session whose id is given; ending one that has ended
// already is no error.
func (s *Service) SignOut(ctx context.Context, id string) error {
	return s.store.Update(ctx, func(tx Tx) error { return tx.DeleteSession(ctx, SecretHash(id)) })
}
