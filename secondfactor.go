package tally

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// The second factor. A password can be guessed, phished or read over a
// shoulder; the people who take a party's steps (signers) and manage its
// accounts (admins) must also hold a security key or a platform
// authenticator (WebAuthn). A session they start with a password is
// "password only" until they confirm it with such a key; until then they
// may read what their organisation may read, and nothing that needs
// signer or admin (see Authorize, the one place this is checked).
//
// The cryptography of WebAuthn is the HTTP adapter's (package http, with
// go-webauthn); the domain keeps what the ceremonies leave behind — the
// keys, each session's state — and the rules: who must confirm, who may
// add or remove a key.

// SecurityKey is a WebAuthn credential of a person: a security key or a
// platform authenticator (a laptop's or phone's), as its registration
// left it.
type SecurityKey struct {
	ID           int64
	UserID       int64
	CredentialID []byte   // as the authenticator names it; unique
	PublicKey    []byte   // COSE_Key, as the authenticator gave it
	SignCount    uint32   // the authenticator's counter at its last use
	AAGUID       []byte   // the authenticator's model (16 bytes; zeros when it does not say)
	Transports   []string // usb, nfc, ble, internal, hybrid: how the browser reaches it
	// Flags are the credential's flags as WebAuthn records them (user
	// present, verified, backup eligible, backed up), opaque here: a key
	// backed up in a cloud must keep saying so.
	Flags     uint8
	Name      string // the person's name for it, "blue key"
	CreatedAt time.Time
	LastUsed  time.Time // zero: never used since it was added
}

// MaxKeyName is the longest name of a security key, in characters.
const MaxKeyName = 64

// ESecondFactor: who is asking is known but signed in with a password
// only, and what they ask needs their security key too.
const ESecondFactor ErrorCode = "second-factor-required"

// How an actor authenticated (Actor.Via).
const (
	ViaSession = "session" // a browser's session, started with a password
	ViaToken   = "token"   // an API token
)

// NeedsSecondFactor reports whether u must confirm a password session with
// a security key before acting as signer or admin.
func (u User) NeedsSecondFactor() bool { return u.Has(RoleSigner) || u.Has(RoleAdmin) }

// secondFactorMissing reports whether actor must still confirm their
// session with a security key before doing what needs signer or admin.
// What it does not know is refused: only a confirmed session, or a token,
// passes.
func secondFactorMissing(actor Actor) bool {
	if !actor.User.NeedsSecondFactor() {
		return false // viewers and clerks are not asked
	}
	switch actor.Via {
	case ViaSession:
		return !actor.SecondFactor
	case ViaToken:
		// An API token is a bearer secret that an admin issued on the
		// server's store for a script; it is not typed on a page, so it
		// cannot be phished as a password can, and it is revoked with
		// the account. The steps a script takes are signed besides with
		// the party's private key, which the server never holds.
		return false
	}
	return true
}

// errSecondFactor is the one refusal for want of the second factor.
func errSecondFactor(actor Actor, what string) error {
	return &Error{Code: ESecondFactor,
		Message: fmt.Sprintf("%s has not confirmed this session with a security key, which %s needs", actor.User.Login, what),
		Hint:    "confirm with your security key at /security-keys/verify, or, if you have none yet, enrol one at /security-keys/enrol"}
}

// SecondFactorTx is the part of Tx that keeps security keys and what a
// session knows of them.
type SecondFactorTx interface {
	// AddSecurityKey stores a key and sets its ID; a credential id taken
	// already is EConflict.
	AddSecurityKey(ctx context.Context, k *SecurityKey) error
	// SecurityKeys returns the keys of a user, oldest first.
	SecurityKeys(ctx context.Context, userID int64) ([]SecurityKey, error)
	// UseSecurityKey records a key's use: its counter, flags and when.
	UseSecurityKey(ctx context.Context, id int64, signCount uint32, flags uint8, at time.Time) error
	// DeleteSecurityKey deletes a key of the user; none is ENotFound.
	DeleteSecurityKey(ctx context.Context, userID, id int64) error
	// DeleteSecurityKeys deletes every key of the user and returns how
	// many.
	DeleteSecurityKeys(ctx context.Context, userID int64) (int64, error)

	// SetSessionCeremony keeps the state of a WebAuthn ceremony under way
	// (nil: none) in a session; no such session is ENotFound.
	SetSessionCeremony(ctx context.Context, hash []byte, state []byte) error
	// ConfirmSession records that a session passed its second factor.
	ConfirmSession(ctx context.Context, hash []byte, at time.Time) error
	// DeleteUserSessions ends every session of the user and returns how
	// many.
	DeleteUserSessions(ctx context.Context, userID int64) (int64, error)
}

// sessionOf returns the session whose id is given and which belongs to
// actor, signed in through it.
func sessionOf(ctx context.Context, tx Tx, actor Actor, sessionID string) (Session, error) {
	if actor.Via != ViaSession || sessionID == "" {
		return Session{}, &Error{Code: EInvalid, Message: "security keys are enrolled and confirmed in a browser's session",
			Hint: "sign in with your password on the service's pages first"}
	}
	sess, err := tx.Session(ctx, SecretHash(sessionID))
	if ErrorCodeOf(err) == ENotFound || (err == nil && sess.UserID != actor.User.ID) {
		return Session{}, errSignIn()
	}
	return sess, err
}

// SecurityKeysOf returns the actor's own security keys, oldest first.
func (s *Service) SecurityKeysOf(ctx context.Context, actor Actor) (ks []SecurityKey, err error) {
	if !actor.Known() {
		return nil, errSignIn()
	}
	err = s.store.View(ctx, func(tx Tx) error {
		ks, err = tx.SecurityKeys(ctx, actor.User.ID)
		return err
	})
	return ks, err
}

// BeginCeremony keeps state, the challenge of a WebAuthn ceremony the
// actor begins, in their session, in place of any ceremony begun before:
// kept in the store, it is found by whichever server process the answer
// reaches. Adding a key to a person who has some needs the session
// confirmed with one of them already, lest a stolen password add the
// thief's key; enrol says the ceremony is a registration.
func (s *Service) BeginCeremony(ctx context.Context, actor Actor, sessionID string, enrol bool, state []byte) error {
	return s.store.Update(ctx, func(tx Tx) error {
		sess, err := sessionOf(ctx, tx, actor, sessionID)
		if err != nil {
			return err
		}
		if enrol {
			if err := s.mayEnrol(ctx, tx, actor, sess); err != nil {
				return err
			}
		}
		return tx.SetSessionCeremony(ctx, sess.Hash, state)
	})
}

func (s *Service) mayEnrol(ctx context.Context, tx Tx, actor Actor, sess Session) error {
	ks, err := tx.SecurityKeys(ctx, actor.User.ID)
	if err != nil {
		return err
	}
	if len(ks) > 0 && sess.ConfirmedAt.IsZero() {
		return &Error{Code: ESecondFactor, Message: "adding another security key needs the session confirmed with one you have",
			Hint: "confirm with your security key at /security-keys/verify first; if you lost it, an administrator runs tally users reset-2fa"}
	}
	if len(ks) >= maxKeys {
		return &Error{Code: EConflict, Message: fmt.Sprintf("you have %d security keys, the most one person may have", len(ks)),
			Hint: "remove one you no longer use first"}
	}
	return nil
}

// maxKeys bounds a person's security keys.
const maxKeys = 20

// TakeCeremony returns the state of the ceremony under way in the actor's
// session and forgets it: a challenge is answered once.
func (s *Service) TakeCeremony(ctx context.Context, actor Actor, sessionID string) (state []byte, err error) {
	err = s.store.Update(ctx, func(tx Tx) error {
		sess, err := sessionOf(ctx, tx, actor, sessionID)
		if err != nil {
			return err
		}
		if len(sess.Ceremony) == 0 {
			return &Error{Code: EInvalid, Message: "no confirmation with a security key is under way in this session",
				Hint: "begin again: reload the page and press the button once"}
		}
		state = sess.Ceremony
		return tx.SetSessionCeremony(ctx, sess.Hash, nil)
	})
	return state, err
}

// EnrolSecurityKey stores a key the actor has just registered in their
// session, which the registration confirms: the person has shown both the
// password and the key. The first key is trusted on first use, after the
// password; another needs the session confirmed already.
func (s *Service) EnrolSecurityKey(ctx context.Context, actor Actor, sessionID string, k SecurityKey) (SecurityKey, error) {
	k.Name = strings.TrimSpace(k.Name)
	if n := utf8.RuneCountInString(k.Name); n > MaxKeyName {
		return SecurityKey{}, &Error{Code: EInvalid, Key: "name", Message: fmt.Sprintf("a security key's name may be %d characters long at most (got %d)", MaxKeyName, n)}
	}
	if len(k.CredentialID) == 0 || len(k.PublicKey) == 0 {
		return SecurityKey{}, &Error{Code: EInvalid, Message: "the security key gave no credential"}
	}
	now := s.now().UTC()
	err := s.store.Update(ctx, func(tx Tx) error {
		sess, err := sessionOf(ctx, tx, actor, sessionID)
		if err != nil {
			return err
		}
		if err := s.mayEnrol(ctx, tx, actor, sess); err != nil {
			return err
		}
		ks, err := tx.SecurityKeys(ctx, actor.User.ID)
		if err != nil {
			return err
		}
		if k.Name == "" {
			k.Name = fmt.Sprintf("key %d", len(ks)+1)
		}
		if slices.ContainsFunc(ks, func(o SecurityKey) bool { return o.Name == k.Name }) {
			return &Error{Code: EConflict, Key: "name", Message: fmt.Sprintf("you have a security key named %q already", k.Name),
				Hint: "give this one another name"}
		}
		k.ID, k.UserID, k.CreatedAt, k.LastUsed = 0, actor.User.ID, now, time.Time{}
		if err := tx.AddSecurityKey(ctx, &k); err != nil {
			return err
		}
		return tx.ConfirmSession(ctx, sess.Hash, now)
	})
	if err != nil {
		return SecurityKey{}, err
	}
	return k, nil
}

// ConfirmSession records that the actor's session passed its second factor
// with key credentialID, whose counter and flags are now those given.
func (s *Service) ConfirmSession(ctx context.Context, actor Actor, sessionID string, credentialID []byte, signCount uint32, flags uint8) error {
	now := s.now().UTC()
	return s.store.Update(ctx, func(tx Tx) error {
		sess, err := sessionOf(ctx, tx, actor, sessionID)
		if err != nil {
			return err
		}
		ks, err := tx.SecurityKeys(ctx, actor.User.ID)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(ks, func(k SecurityKey) bool { return string(k.CredentialID) == string(credentialID) })
		if i < 0 {
			return &Error{Code: ENotFound, Message: "that security key is not one of yours", Hint: "use a key you enrolled"}
		}
		if err := tx.UseSecurityKey(ctx, ks[i].ID, signCount, flags, now); err != nil {
			return err
		}
		return tx.ConfirmSession(ctx, sess.Hash, now)
	})
}

// RemoveSecurityKey removes one of the actor's own keys. A person who must
// confirm their sessions needs a confirmed one for this: else a stolen
// password could remove the keys, then enrol the thief's.
func (s *Service) RemoveSecurityKey(ctx context.Context, actor Actor, credentialID []byte) error {
	if !actor.Known() {
		return errSignIn()
	}
	if secondFactorMissing(actor) {
		return errSecondFactor(actor, "removing a security key")
	}
	return s.store.Update(ctx, func(tx Tx) error {
		ks, err := tx.SecurityKeys(ctx, actor.User.ID)
		if err != nil {
			return err
		}
		for _, k := range ks {
			if string(k.CredentialID) == string(credentialID) {
				return tx.DeleteSecurityKey(ctx, actor.User.ID, k.ID)
			}
		}
		return &Error{Code: ENotFound, Message: "you have no such security key", Hint: "see your keys at /security-keys"}
	})
}

// ResetSecondFactor removes every security key of the account with login
// in organisation orgCode and ends its sessions, for a person who lost
// their key, so that a lost key does not lock a party out: after their
// password they enrol a new one. It is the command line's, on the
// server's store (tally users reset-2fa). It returns how many keys went.
func (s *Service) ResetSecondFactor(ctx context.Context, orgCode, login string) (n int64, err error) {
	err = s.store.Update(ctx, func(tx Tx) error {
		u, _, err := tx.User(ctx, NormalizeLogin(login))
		if err != nil {
			return err
		}
		if !strings.EqualFold(u.Org.Code, strings.TrimSpace(orgCode)) {
			return &Error{Code: ENotFound, Message: fmt.Sprintf("there is no account %s in organisation %s", u.Login, strings.ToUpper(orgCode)),
				Hint: fmt.Sprintf("%s is in %s", u.Login, u.Org.Code)}
		}
		if n, err = tx.DeleteSecurityKeys(ctx, u.ID); err != nil {
			return err
		}
		_, err = tx.DeleteUserSessions(ctx, u.ID)
		return err
	})
	return n, err
}
