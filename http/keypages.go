package http

import (
	"encoding/base64"
	"net/http"
	"net/url"

	"tally"
	"tally/web"
)

// The second factor's pages: after the password, a signer or admin is
// sent to register their first security key (trust on first use: the
// password has just been checked) or to confirm the session with one;
// /security-keys lists one's keys, with a button to remove each. The
// ceremonies themselves run in the browser (web/static/webauthn.js)
// against the API's /api/webauthn routes (webauthn.go).

// afterPassword is where a browser goes once the password is right: on to
// next, or, for those who must confirm their sessions, first to confirm
// with their security key, or to enrol one if they have none.
func (s *Server) afterPassword(r *http.Request, actor tally.Actor, next string) string {
	if !actor.User.NeedsSecondFactor() {
		return next
	}
	ks, err := s.svc.SecurityKeysOf(r.Context(), actor)
	if err != nil {
		info(r).internal = err
		return "/security-keys/verify?" + url.Values{"next": {next}}.Encode() // that page says what it can
	}
	if len(ks) == 0 {
		return "/security-keys/enrol?" + url.Values{"next": {next}, "first": {"1"}}.Encode()
	}
	return "/security-keys/verify?" + url.Values{"next": {next}}.Encode()
}

func keysView(ks []tally.SecurityKey) []web.SecurityKeyView {
	var out []web.SecurityKeyView
	for _, k := range ks {
		out = append(out, web.SecurityKeyView{ID: base64.RawURLEncoding.EncodeToString(k.CredentialID), Name: k.Name,
			Transports: k.Transports, Added: k.CreatedAt, LastUsed: k.LastUsed})
	}
	return out
}

func (s *Server) keysPage(w http.ResponseWriter, r *http.Request, pc *pageCtx) error {
	ks, err := s.svc.SecurityKeysOf(r.Context(), pc.actor)
	if err != nil {
		return err
	}
	return s.render(w, http.StatusOK, "keys", pc, web.SecurityKeysPage{Header: pc.header, Keys: keysView(ks), Confirmed: pc.actor.SecondFactor})
}

// keyPage is the enrolment or verification page.
func (s *Server) keyPage(w http.ResponseWriter, r *http.Request, pc *pageCtx, page string) error {
	ks, err := s.svc.SecurityKeysOf(r.Context(), pc.actor)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	return s.render(w, http.StatusOK, page, pc, web.SecurityKeyPage{Header: pc.header, Next: safeNext(q.Get("next")),
		First: q.Get("first") != "" && len(ks) == 0, Keys: len(ks), Confirmed: pc.actor.SecondFactor})
}

func (s *Server) enrolPage(w http.ResponseWriter, r *http.Request, pc *pageCtx) error {
	return s.keyPage(w, r, pc, "enrol")
}

func (s *Server) verifyPage(w http.ResponseWriter, r *http.Request, pc *pageCtx) error {
	return s.keyPage(w, r, pc, "verify")
}

func (s *Server) removeKeyForm(w http.ResponseWriter, r *http.Request, pc *pageCtx) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxJSONBody)
	if err := r.ParseForm(); err != nil {
		return badRequest("the form could not be read: %v", err)
	}
	id, err := base64.RawURLEncoding.DecodeString(r.PostForm.Get("key"))
	if err != nil || len(id) == 0 {
		return &tally.Error{Code: tally.EInvalid, Key: "key", Message: "the form names no security key", Hint: "reload the page and press the button again"}
	}
	ks, err := s.svc.SecurityKeysOf(r.Context(), pc.actor)
	if err != nil {
		return err
	}
	name := ""
	for _, k := range ks {
		if string(k.CredentialID) == string(id) {
			name = k.Name
		}
	}
	if err := s.svc.RemoveSecurityKey(r.Context(), pc.actor, id); err != nil {
		return err
	}
	if ks, err = s.svc.SecurityKeysOf(r.Context(), pc.actor); err != nil {
		return err
	}
	pc.header.Flash = append(pc.header.Flash, web.Flash{Kind: "ok", ID: "flash.keyremoved", Data: map[string]any{"Name": name}})
	return s.render(w, http.StatusOK, "keys", pc, web.SecurityKeysPage{Header: pc.header, Keys: keysView(ks), Confirmed: pc.actor.SecondFactor})
}
