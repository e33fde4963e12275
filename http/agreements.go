package http

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"tally"
	"tally/agreementfile"
	"tally/web"
)

// Adding an agreement, as tally agreement add does: over the API (the file
// as the body, or as the file of a multipart form) and through the
// agreements page's form. Who may is tally.Authorize's: the admins of the
// mediator the agreement names (see authz.go). The file is checked by
// package agreementfile, every fault with its line and key.

// readAgreementFile reads an uploaded agreement file: a multipart form's
// file part, or the body itself as YAML or JSON. It returns the file's
// name (for errors) and its bytes.
func readAgreementFile(w http.ResponseWriter, r *http.Request) (string, []byte, error) {
	r.Body = http.MaxBytesReader(w, r.Body, agreementfile.MaxSize+64<<10)
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	name := "agreement.yaml"
	var body io.Reader = r.Body
	switch mt {
	case "multipart/form-data":
		mr, err := r.MultipartReader()
		if err != nil {
			return "", nil, badRequest("the form could not be read: %v", err)
		}
		form, err := readUpload(mr, nil, false)
		if err != nil {
			return "", nil, err
		}
		name, body = form.fileName, form.file
	case "application/json":
		name = "agreement.json"
	case "application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml", "text/plain":
	default:
		return "", nil, badRequest("send the agreement file as application/yaml or application/json, or as the file of a multipart form")
	}
	data, err := io.ReadAll(io.LimitReader(body, agreementfile.MaxSize+1))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return "", nil, &tally.Error{Code: tally.EInvalid, Key: "file", Message: "the file is larger than an agreement file can be"}
		}
		return "", nil, badRequest("reading the file: %v", err)
	}
	if len(data) > agreementfile.MaxSize {
		return "", nil, &tally.Error{Code: tally.EInvalid, File: name, Message: fmt.Sprintf("the file is larger than %d bytes; an agreement file is a page or two", agreementfile.MaxSize),
			Hint: "check that this is the agreement, not a list"}
	}
	return name, data, nil
}

// agreementProblems turns the faults package agreementfile found into one
// error that keeps them all (problem details list them; see writeError).
func agreementProblems(err error, name string) error {
	var es agreementfile.Errors
	if !errors.As(err, &es) || len(es) == 0 {
		return err
	}
	if len(es) == 1 {
		c := *es[0]
		c.Err = es
		return &c
	}
	return &tally.Error{Code: tally.EInvalid, File: name,
		Message: fmt.Sprintf("the agreement file has %d problems; nothing was stored", len(es)),
		Hint:    "correct the file at each line named, and send it again", Err: es}
}

func (s *Server) addAgreement(w http.ResponseWriter, r *http.Request, actor tally.Actor) error {
	// Refuse before reading the file.
	if err := tally.MayAddAgreements(actor); err != nil {
		return err
	}
	name, data, err := readAgreementFile(w, r)
	if err != nil {
		return err
	}
	a, err := agreementfile.Parse(name, data)
	if err != nil {
		return agreementProblems(err, name)
	}
	added, err := s.svc.AddAgreementFor(r.Context(), actor, a, data)
	if err != nil {
		return tally.InFile(err, name, 0)
	}
	w.Header().Set("Location", "/api/agreements/"+url.PathEscape(a.ID))
	w.Header().Set("Content-Type", "application/json")
	if added {
		w.WriteHeader(http.StatusCreated)
	}
	return writeJSON(w, toAgreementJSON(a, data))
}

// agreementForm adds the agreement a mediator's admin uploaded through the
// agreements page; a file with faults is shown again with each one named.
func (s *Server) agreementForm(w http.ResponseWriter, r *http.Request, pc *pageCtx) error {
	if err := tally.MayAddAgreements(pc.actor); err != nil {
		return err
	}
	name, data, err := readAgreementFile(w, r)
	if err != nil {
		return err
	}
	a, err := agreementfile.Parse(name, data)
	var added bool
	if err == nil {
		added, err = s.svc.AddAgreementFor(r.Context(), pc.actor, a, data)
	}
	if err != nil {
		var es agreementfile.Errors
		var e *tally.Error
		switch {
		case errors.As(err, &es):
		case errors.As(err, &e) && e.Code == tally.EInvalid:
			es = agreementfile.Errors{e}
		default:
			return tally.InFile(err, name, 0)
		}
		page, perr := s.agreementsView(r, pc)
		if perr != nil {
			return perr
		}
		page.File = name
		for _, e := range es {
			where := e.Key
			if e.Line > 0 {
				where = strings.TrimSpace(name + ":" + strconv.Itoa(e.Line) + " " + e.Key)
			}
			msg := e.Message
			if e.Hint != "" {
				msg += " (" + e.Hint + ")"
			}
			page.Problems = append(page.Problems, tally.AgreementProblem{Path: where, Message: msg})
		}
		info(r).code = tally.EInvalid
		page.Header = pc.header
		return s.render(w, http.StatusUnprocessableEntity, "agreements", pc, page)
	}
	q := url.Values{"added": {"1"}}
	if !added {
		q.Set("added", "0")
	}
	http.Redirect(w, r, "/agreements/"+url.PathEscape(a.ID)+"?"+q.Encode(), http.StatusSeeOther)
	return nil
}

// addedFlash is the notice after an agreement was added (?added=1) or was
// found stored already (?added=0).
func addedFlash(r *http.Request, id string) []web.Flash {
	switch r.URL.Query().Get("added") {
	case "1":
		return []web.Flash{{Kind: "ok", ID: "flash.agreement.added", Data: map[string]any{"ID": id}}}
	case "0":
		return []web.Flash{{Kind: "ok", ID: "flash.agreement.same", Data: map[string]any{"ID": id}}}
	}
	return nil
}
