package tally

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// Administration on behalf of an actor: an organisation's admins manage
// its accounts (ActionManageUsers), and the mediator's admins add
// agreements (ActionAddAgreement). Every change is audited in the
// transaction that makes it, so that no change is without its record.
//
// Passwords: an admin gives a new person a first password, hands it over
// in person (or through the organisation's own channel), and the person
// changes it (ChangePassword). An account made without a password signs
// in with API tokens only, as scripts do. There are no e-mailed links:
// the service knows no one's address, and a link is one more secret in
// transit. Disabling an account takes its password, its tokens and its
// sessions away at once; the account itself, and what the audit says it
// did, stay. An admin enables it again by setting a new password or
// issuing a token.

// Account is a user as an admin sees it: whether a password is set, and
// the API tokens it holds (their ids and dates, never the tokens).
type Account struct {
	User
	Password bool
	Tokens   []Token
}

// Disabled reports whether the account can no longer authenticate at all.
func (a Account) Disabled() bool { return !a.Password && len(a.Tokens) == 0 }

// orgUser returns the account with login in the organisation with code;
// an account of another organisation is answered as one that does not
// exist, so that an admin learns nothing of the others' logins.
func orgUser(ctx context.Context, tx Tx, code, login string) (User, string, error) {
	u, hash, err := tx.User(ctx, NormalizeLogin(login))
	if ErrorCodeOf(err) == ENotFound || (err == nil && !strings.EqualFold(u.Org.Code, code)) {
		return User{}, "", &Error{Code: ENotFound, Key: "login", Message: fmt.Sprintf("organisation %s has no account %s", code, NormalizeLogin(login)),
			Hint: "see the organisation's accounts for the logins"}
	}
	return u, hash, err
}

// manage authorizes actor to manage the accounts of the organisation with
// code, and returns the code as stored (upper case).
func manage(actor Actor, orgCode string) (string, error) {
	code := strings.ToUpper(strings.TrimSpace(orgCode))
	return code, Authorize(actor, ActionManageUsers, Resource{Org: code})
}

// AddUserFor creates an account in an organisation that actor administers.
// The organisation is the actor's own: its kind and name are taken from
// it, not from in.
func (s *Service) AddUserFor(ctx context.Context, actor Actor, orgCode string, in NewUser) (User, error) {
	code, err := manage(actor, orgCode)
	if err != nil {
		return User{}, err
	}
	org := actor.Org()
	in.OrgCode, in.OrgKind, in.OrgName = code, org.Kind, org.Name
	return s.addUser(ctx, in, func(tx Tx, u User) error {
		roles := make([]string, len(u.Roles))
		for i, r := range u.Roles {
			roles[i] = string(r)
		}
		detail := "created with roles " + strings.Join(roles, ",")
		if in.Password == "" {
			detail += ", no password"
		}
		return s.audit(ctx, tx, actor, ActionManageUsers, "", "account:"+u.Login, detail)
	})
}

// AccountsFor returns the accounts of an organisation with their
// credentials' state, if actor administers it.
func (s *Service) AccountsFor(ctx context.Context, actor Actor, orgCode string) (as []Account, err error) {
	code, err := manage(actor, orgCode)
	if err != nil {
		return nil, err
	}
	err = s.store.View(ctx, func(tx Tx) error {
		us, err := tx.Users(ctx, code)
		if err != nil {
			return err
		}
		for _, u := range us {
			_, hash, err := tx.User(ctx, u.Login)
			if err != nil {
				return err
			}
			ks, err := tx.Tokens(ctx, u.ID)
			if err != nil {
				return err
			}
			as = append(as, Account{User: u, Password: hash != "", Tokens: ks})
		}
		return nil
	})
	return as, err
}

// NewTokenFor issues an API token to the account with login in an
// organisation actor administers. The token is returned this once, with
// what is stored of it; the service keeps only its hash.
func (s *Service) NewTokenFor(ctx context.Context, actor Actor, orgCode, login string) (string, Token, error) {
	code, err := manage(actor, orgCode)
	if err != nil {
		return "", Token{}, err
	}
	secret, hash, err := newSecret(tokenPrefix)
	if err != nil {
		return "", Token{}, err
	}
	var k Token
	err = s.store.Update(ctx, func(tx Tx) error {
		u, _, err := orgUser(ctx, tx, code, login)
		if err != nil {
			return err
		}
		k = Token{Hash: hash, UserID: u.ID, CreatedAt: s.now().UTC()}
		if err := tx.AddToken(ctx, k); err != nil {
			return err
		}
		return s.audit(ctx, tx, actor, ActionManageUsers, "", "account:"+u.Login, "token "+k.ID()+" issued")
	})
	if err != nil {
		return "", Token{}, err
	}
	return secret, k, nil
}

// RevokeTokenFor revokes the API token with the given id (Token.ID) of the
// account with login, in an organisation actor administers. A request made
// with it afterwards is refused.
func (s *Service) RevokeTokenFor(ctx context.Context, actor Actor, orgCode, login, id string) error {
	code, err := manage(actor, orgCode)
	if err != nil {
		return err
	}
	return s.store.Update(ctx, func(tx Tx) error {
		u, _, err := orgUser(ctx, tx, code, login)
		if err != nil {
			return err
		}
		ks, err := tx.Tokens(ctx, u.ID)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(ks, func(k Token) bool { return k.ID() == strings.ToLower(strings.TrimSpace(id)) })
		if i < 0 {
			return &Error{Code: ENotFound, Key: "id", Message: fmt.Sprintf("account %s has no API token %s", u.Login, id),
				Hint: "see the account's tokens for their ids; a token revoked already is gone"}
		}
		if err := tx.DeleteToken(ctx, ks[i].Hash); err != nil {
			return err
		}
		return s.audit(ctx, tx, actor, ActionManageUsers, "", "account:"+u.Login, "token "+ks[i].ID()+" revoked")
	})
}

// SetPasswordFor sets a new password on the account with login, in an
// organisation actor administers, and ends its sessions: a reset after a
// lost password, or enabling a disabled account again.
func (s *Service) SetPasswordFor(ctx context.Context, actor Actor, orgCode, login, password string) error {
	code, err := manage(actor, orgCode)
	if err != nil {
		return err
	}
	hash, err := HashPassword(password)
	if err != nil {
		return err
	}
	return s.store.Update(ctx, func(tx Tx) error {
		u, _, err := orgUser(ctx, tx, code, login)
		if err != nil {
			return err
		}
		if err := tx.SetPassword(ctx, u.ID, hash); err != nil {
			return err
		}
		if _, err := tx.DeleteUserSessions(ctx, u.ID); err != nil {
			return err
		}
		return s.audit(ctx, tx, actor, ActionManageUsers, "", "account:"+u.Login, "password set by an admin; sessions ended")
	})
}

// DisableUserFor takes every credential of the account with login away —
// its password, its API tokens, its sessions — in an organisation actor
// administers. An admin cannot disable their own account: another admin
// must, so that an organisation is not locked out by a slip.
func (s *Service) DisableUserFor(ctx context.Context, actor Actor, orgCode, login string) error {
	code, err := manage(actor, orgCode)
	if err != nil {
		return err
	}
	return s.store.Update(ctx, func(tx Tx) error {
		u, _, err := orgUser(ctx, tx, code, login)
		if err != nil {
			return err
		}
		if u.ID == actor.User.ID {
			return &Error{Code: EConflict, Key: "login", Message: "you cannot disable your own account",
				Hint: "ask another admin of your organisation"}
		}
		if err := tx.SetPassword(ctx, u.ID, ""); err != nil {
			return err
		}
		ks, err := tx.Tokens(ctx, u.ID)
		if err != nil {
			return err
		}
		for _, k := range ks {
			if err := tx.DeleteToken(ctx, k.Hash); err != nil {
				return err
			}
		}
		n, err := tx.DeleteUserSessions(ctx, u.ID)
		if err != nil {
			return err
		}
		return s.audit(ctx, tx, actor, ActionManageUsers, "", "account:"+u.Login,
			fmt.Sprintf("disabled: password removed, %d tokens revoked, %d sessions ended", len(ks), n))
	})
}

// ChangePassword replaces the password of actor's own account, once the
// current one is checked; the actor's sessions end (this one too). A wrong
// current password is EInvalid, keyed "current"; callers limit how often
// it may be tried, as they limit sign-ins.
func (s *Service) ChangePassword(ctx context.Context, actor Actor, current, password string) error {
	if !actor.Known() {
		return Authorize(actor, ActionReadReport, Resource{})
	}
	hash, err := HashPassword(password)
	if err != nil {
		return err
	}
	var old string
	if err := s.store.View(ctx, func(tx Tx) (err error) {
		_, old, err = tx.User(ctx, actor.User.Login)
		return err
	}); err != nil {
		return err
	}
	wrong := &Error{Code: EInvalid, Key: "current", Message: "the current password is wrong",
		Hint: "an account made without a password gets one from an admin of its organisation"}
	if old == "" {
		_, _ = CheckPassword(dummyHash, current)
		return wrong
	}
	ok, err := CheckPassword(old, current)
	if err != nil {
		return err
	}
	if !ok {
		return wrong
	}
	return s.store.Update(ctx, func(tx Tx) error {
		if err := tx.SetPassword(ctx, actor.User.ID, hash); err != nil {
			return err
		}
		if _, err := tx.DeleteUserSessions(ctx, actor.User.ID); err != nil {
			return err
		}
		return s.audit(ctx, tx, actor, ActionManageUsers, "", "account:"+actor.User.Login, "own password changed; sessions ended")
	})
}

// AddAgreementFor stores a checked agreement and the file it came from, if
// actor is an admin of the mediator it names (see authz.go). Adding the
// same file again is harmless; it reports whether the agreement was
// stored now.
func (s *Service) AddAgreementFor(ctx context.Context, actor Actor, a Agreement, source []byte) (added bool, err error) {
	if err := Authorize(actor, ActionAddAgreement, Resource{Agreement: &a}); err != nil {
		return false, err
	}
	if ps := a.Check(); len(ps) > 0 {
		return false, &Error{Code: EInvalid, Key: ps[0].Path, Message: ps[0].Message}
	}
	err = s.store.Update(ctx, func(tx Tx) error {
		if added, err = s.addAgreement(ctx, tx, a, source); err != nil || !added {
			return err
		}
		return s.audit(ctx, tx, actor, ActionAddAgreement, a.ID, "agreement:"+a.ID, fmt.Sprintf("%d categories", len(a.Categories)))
	})
	return added, err
}
