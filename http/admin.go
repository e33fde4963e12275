package http

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"tally"
	"tally/web"
)

// The administration API: an organisation's admins create its people,
// issue and revoke their API tokens, set their passwords and disable
// them; everyone changes their own password. Who may is tally.Authorize's
// (through the Service's *For methods); every change is audited there.

// tokenJSON is an API token as listed: its id and date, never the token.
type tokenJSON struct {
	ID        string `json:"id"`
	CreatedAt string `json:"created_at"`
}

// accountJSON is a person's account as its organisation's admins see it.
type accountJSON struct {
	Login    string      `json:"login"`
	Name     string      `json:"name"`
	Roles    []string    `json:"roles"`
	Password bool        `json:"password"` // a password is set: the person signs in with it
	Disabled bool        `json:"disabled"` // no password and no token: the account cannot authenticate
	Tokens   []tokenJSON `json:"tokens"`
}

func toAccountJSON(a tally.Account) accountJSON {
	u := toUserJSON(a.User)
	j := accountJSON{Login: u.Login, Name: u.Name, Roles: u.Roles, Password: a.Password, Disabled: a.Disabled(), Tokens: []tokenJSON{}}
	for _, k := range a.Tokens {
		j.Tokens = append(j.Tokens, tokenJSON{k.ID(), k.CreatedAt.UTC().Format(time.RFC3339)})
	}
	return j
}

func (s *Server) users(w http.ResponseWriter, r *http.Request, actor tally.Actor) error {
	as, err := s.svc.AccountsFor(r.Context(), actor, r.PathValue("org"))
	if err != nil {
		return err
	}
	out := []accountJSON{}
	for _, a := range as {
		out = append(out, toAccountJSON(a))
	}
	return writeJSON(w, out)
}

// newUserBody is what POST /api/orgs/{org}/users reads.
type newUserBody struct {
	Login    string   `json:"login"`
	Name     string   `json:"name"`
	Roles    []string `json:"roles"`
	Password string   `json:"password,omitempty"` // empty: the person uses API tokens only
}

// apiKey names the JSON field at fault rather than the command line's
// flag: the domain's account errors name --login, --name, --role.
func apiKey(err error) error {
	var e *tally.Error
	if !errors.As(err, &e) || !strings.HasPrefix(e.Key, "--") {
		return err
	}
	c := *e
	c.Key = strings.TrimPrefix(c.Key, "--")
	if c.Key == "role" {
		c.Key = "roles"
	}
	return &c
}

func (s *Server) addUser(w http.ResponseWriter, r *http.Request, actor tally.Actor) error {
	// Refuse before reading: the body may carry a password.
	if err := tally.Authorize(actor, tally.ActionManageUsers, tally.Resource{Org: strings.ToUpper(r.PathValue("org"))}); err != nil {
		return err
	}
	var body newUserBody
	if err := readJSON(w, r, &body); err != nil {
		return err
	}
	in := tally.NewUser{Name: body.Name, Login: body.Login, Password: body.Password}
	for _, x := range body.Roles {
		in.Roles = append(in.Roles, tally.Role(x))
	}
	u, err := s.svc.AddUserFor(r.Context(), actor, r.PathValue("org"), in)
	if err != nil {
		return apiKey(err)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	return writeJSON(w, toAccountJSON(tally.Account{User: u, Password: body.Password != ""}))
}

// newTokenJSON is a token just issued: the only time the token is shown.
type newTokenJSON struct {
	Login     string `json:"login"`
	ID        string `json:"id"`
	Token     string `json:"token"` // send as Authorization: Bearer TOKEN; it is not shown again
	CreatedAt string `json:"created_at"`
}

func (s *Server) newToken(w http.ResponseWriter, r *http.Request, actor tally.Actor) error {
	secret, k, err := s.svc.NewTokenFor(r.Context(), actor, r.PathValue("org"), r.PathValue("login"))
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	return writeJSON(w, newTokenJSON{tally.NormalizeLogin(r.PathValue("login")), k.ID(), secret, k.CreatedAt.UTC().Format(time.RFC3339)})
}

func (s *Server) revokeToken(w http.ResponseWriter, r *http.Request, actor tally.Actor) error {
	if err := s.svc.RevokeTokenFor(r.Context(), actor, r.PathValue("org"), r.PathValue("login"), r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// passwordBody is what the password routes read.
type passwordBody struct {
	Current  string `json:"current,omitempty"` // PUT /api/me/password only
	Password string `json:"password"`
}

func (s *Server) setPassword(w http.ResponseWriter, r *http.Request, actor tally.Actor) error {
	if err := tally.Authorize(actor, tally.ActionManageUsers, tally.Resource{Org: strings.ToUpper(r.PathValue("org"))}); err != nil {
		return err
	}
	var body passwordBody
	if err := readJSON(w, r, &body); err != nil {
		return err
	}
	if body.Current != "" {
		return &tally.Error{Code: tally.EInvalid, Key: "current", Message: "an admin sets a password without the current one", Hint: "send only password"}
	}
	if err := s.svc.SetPasswordFor(r.Context(), actor, r.PathValue("org"), r.PathValue("login"), body.Password); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) disableUser(w http.ResponseWriter, r *http.Request, actor tally.Actor) error {
	if err := s.svc.DisableUserFor(r.Context(), actor, r.PathValue("org"), r.PathValue("login")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) changeOwnPassword(w http.ResponseWriter, r *http.Request, actor tally.Actor) error {
	var body passwordBody
	if err := readJSON(w, r, &body); err != nil {
		return err
	}
	// The current password is guessed no faster here than at sign-in.
	if !s.byIP.allow(s.clientIP(r)) || !s.byLogin.allow(actor.User.Login) {
		return &tally.Error{Code: codeTooMany, Message: "too many attempts", Hint: "wait, then try again"}
	}
	if err := s.svc.ChangePassword(r.Context(), actor, body.Current, body.Password); err != nil {
		return err
	}
	// Every session of the account has ended, this one too.
	if _, err := r.Cookie(SessionCookie); err == nil {
		http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", MaxAge: -1,
			Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode})
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// The page of an organisation's people, for its admins: /admin shows the
// signed-in admin's own organisation; its forms post to /admin/... and
// come back to it.

// adminView is the admin page of the actor's organisation.
func (s *Server) adminView(r *http.Request, pc *pageCtx) (web.AdminPage, error) {
	org := pc.actor.Org()
	as, err := s.svc.AccountsFor(r.Context(), pc.actor, org.Code)
	if err != nil {
		return web.AdminPage{}, err
	}
	page := web.AdminPage{Org: org.Code, OrgName: org.Name, MinPassword: tally.MinPasswordLength}
	for _, ro := range tally.Roles() {
		if (ro == tally.RoleClerk || ro == tally.RoleSigner) && org.Kind != tally.OrgParty && org.Kind != tally.OrgMediator {
			continue // nothing to import nor sign there
		}
		page.Roles = append(page.Roles, string(ro))
	}
	for _, a := range as {
		v := web.AccountView{Login: a.Login, Name: a.Name, Password: a.Password, Disabled: a.Disabled(), Self: a.ID == pc.actor.User.ID}
		for _, ro := range a.Roles {
			v.Roles = append(v.Roles, string(ro))
		}
		for _, k := range a.Tokens {
			v.Tokens = append(v.Tokens, web.TokenView{ID: k.ID(), CreatedAt: k.CreatedAt})
		}
		page.Accounts = append(page.Accounts, v)
	}
	return page, nil
}

func (s *Server) adminPage(w http.ResponseWriter, r *http.Request, pc *pageCtx) error {
	page, err := s.adminView(r, pc)
	if err != nil {
		return err
	}
	if done, login := r.URL.Query().Get("done"), r.URL.Query().Get("login"); done != "" {
		switch done {
		case "added", "revoked", "disabled", "password":
			pc.header.Flash = []web.Flash{{Kind: "ok", ID: "flash.admin." + done, Data: map[string]any{"Login": login}}}
		}
	}
	page.Header = pc.header
	return s.render(w, http.StatusOK, "admin", pc, page)
}

// adminForm reads an admin form, once the actor is known to administer
// its organisation (deny first: the form may carry a password).
func (s *Server) adminForm(w http.ResponseWriter, r *http.Request, pc *pageCtx) (url.Values, error) {
	if err := tally.Authorize(pc.actor, tally.ActionManageUsers, tally.Resource{Org: pc.actor.Org().Code}); err != nil {
		return nil, err
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxJSONBody)
	if err := r.ParseForm(); err != nil {
		return nil, badRequest("the form could not be read: %v", err)
	}
	return r.PostForm, nil
}

// adminDone sends the browser back to the admin page with a notice.
func adminDone(w http.ResponseWriter, r *http.Request, done, login string) error {
	http.Redirect(w, r, "/admin?"+url.Values{"done": {done}, "login": {login}}.Encode(), http.StatusSeeOther)
	return nil
}

func (s *Server) adminAddForm(w http.ResponseWriter, r *http.Request, pc *pageCtx) error {
	f, err := s.adminForm(w, r, pc)
	if err != nil {
		return err
	}
	in := tally.NewUser{Name: f.Get("name"), Login: f.Get("login"), Password: f.Get("password")}
	for _, ro := range f["role"] {
		in.Roles = append(in.Roles, tally.Role(ro))
	}
	u, err := s.svc.AddUserFor(r.Context(), pc.actor, pc.actor.Org().Code, in)
	if err != nil {
		return apiKey(err)
	}
	return adminDone(w, r, "added", u.Login)
}

func (s *Server) adminTokenForm(w http.ResponseWriter, r *http.Request, pc *pageCtx) error {
	f, err := s.adminForm(w, r, pc)
	if err != nil {
		return err
	}
	secret, k, err := s.svc.NewTokenFor(r.Context(), pc.actor, pc.actor.Org().Code, f.Get("login"))
	if err != nil {
		return err
	}
	// Shown on this answer only, never in an address: no redirect.
	page, err := s.adminView(r, pc)
	if err != nil {
		return err
	}
	page.NewToken = &web.NewTokenView{Login: tally.NormalizeLogin(f.Get("login")), ID: k.ID(), Token: secret}
	page.Header = pc.header
	return s.render(w, http.StatusOK, "admin", pc, page)
}

func (s *Server) adminRevokeForm(w http.ResponseWriter, r *http.Request, pc *pageCtx) error {
	f, err := s.adminForm(w, r, pc)
	if err != nil {
		return err
	}
	if err := s.svc.RevokeTokenFor(r.Context(), pc.actor, pc.actor.Org().Code, f.Get("login"), f.Get("id")); err != nil {
		return err
	}
	return adminDone(w, r, "revoked", tally.NormalizeLogin(f.Get("login")))
}

func (s *Server) adminPasswordForm(w http.ResponseWriter, r *http.Request, pc *pageCtx) error {
	f, err := s.adminForm(w, r, pc)
	if err != nil {
		return err
	}
	if err := s.svc.SetPasswordFor(r.Context(), pc.actor, pc.actor.Org().Code, f.Get("login"), f.Get("password")); err != nil {
		return err
	}
	return adminDone(w, r, "password", tally.NormalizeLogin(f.Get("login")))
}

func (s *Server) adminDisableForm(w http.ResponseWriter, r *http.Request, pc *pageCtx) error {
	f, err := s.adminForm(w, r, pc)
	if err != nil {
		return err
	}
	if err := s.svc.DisableUserFor(r.Context(), pc.actor, pc.actor.Org().Code, f.Get("login")); err != nil {
		return err
	}
	return adminDone(w, r, "disabled", tally.NormalizeLogin(f.Get("login")))
}
