package http

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"tally"
	"tally/exchange"
	"tally/ledger"
	"tally/listfile"
	"tally/report"
	"tally/web"
)

// The web interface: the pages of package web, served beside the API by
// the same server, with the same sessions, sign-in rate limits, CSRF
// protection and authorization. Every page asks the Service's methods that
// take an Actor (or tally.Authorize) before it shows anything, so a page
// can show no more than the API would; an error is web's error page with
// the problem's what, where and what to do, and the status the API would
// give.
//
// The server holds no party's signing key, so the steps of the process
// (answers, approvals, handovers, acknowledgements, remains, children's
// cases) are signed in the browser, with the key file the signer chooses,
// by the pages' script (see pagesteps.go). An import into a store that
// keeps a signed log is not yet signed there: the entry must be signed by
// the party, with the command line.
//
// CSRF: the forms' hidden csrf field is left empty; unsafe requests are
// checked by http.CrossOriginProtection (Sec-Fetch-Site, Origin), as the
// API's are.

// Cookies of the web interface besides the session.
const (
	langCookie      = "tally-lang"
	agreementCookie = "tally-agreement"
)

// codeNotImplemented is a step the server cannot take for lack of the
// party's key.
const codeNotImplemented tally.ErrorCode = "not-implemented"

// pageRoute is one route of the web interface.
type pageRoute struct {
	Method  string
	Pattern string
	Auth    bool // needs a signed-in actor; a GET without one is sent to /login
	handler func(w http.ResponseWriter, r *http.Request, pc *pageCtx) error
}

// pageCtx is what a page handler knows of its request.
type pageCtx struct {
	actor  tally.Actor
	lang   string
	header web.Header
}

// webPages is the state of the web interface.
type webPages struct {
	render  *web.Renderer
	err     error // why the renderer could not be made
	mu      sync.Mutex
	pending map[string]*pendingImport
	// verifying is set while the log is verified on the server.
	verifying atomic.Bool
}

// pageRoutes is every route of the web interface.
func (s *Server) pageRoutes() []pageRoute {
	return []pageRoute{
		{"GET", "/{$}", true, s.agreementsPage},
		{"GET", "/login", false, s.loginPage},
		{"POST", "/login", false, s.loginForm},
		{"POST", "/logout", false, s.logoutForm},
		{"GET", "/static/", false, s.static},
		{"GET", "/agreements", true, s.agreementsPage},
		{"GET", "/agreements/{id}", true, s.agreementsPage},
		{"GET", "/import", true, s.importPage},
		{"POST", "/import", true, s.importPreview},
		{"POST", "/import/confirm", true, s.importConfirm},
		{"GET", "/review", true, s.reviewPage},
		{"GET", "/review/{list}", true, s.reviewPage},
		{"GET", "/match", true, s.matchPage},
		{"GET", "/rounds", true, s.roundsPage},
		{"GET", "/rounds/{round}/handover", true, s.roundsPage},
		{"GET", "/remains", true, s.remainsPage},
		{"GET", "/children", true, s.childrenPage},
		{"GET", "/log", true, s.logPage},
		{"GET", "/report", true, s.reportPage},
		{"GET", "/report.pdf", true, s.reportFile},
		{"GET", "/report.txt", true, s.reportFile},
		{"GET", "/report.json", true, s.reportFile},
		{"POST", "/agreements", true, s.agreementForm},
		{"POST", "/review/answer", true, s.stepPage("answering a list", "tally review answer LIST@N --as PARTY --key tally-party-PARTY.key ...", stepForms["answer"])},
		{"POST", "/match/decide", true, s.stepPage("deciding a pair", "tally match accept|reject --list A --list B --key tally-party-PARTY.key ...", stepForms["decide"])},
		{"POST", "/rounds/plan", true, s.stepPage("planning a round", "tally round plan --round R --date D --manifest FILE --as TR ...", stepForms["plan"])},
		{"POST", "/rounds/approve", true, s.stepPage("approving a round", "tally round approve --round R --as PARTY --key tally-party-PARTY.key", stepForms["approve"])},
		{"POST", "/rounds/handover", true, s.stepPage("recording a handover", "tally round handover --round R --person LIST:REF --as PARTY --key tally-party-PARTY.key", stepForms["handover"])},
		{"POST", "/rounds/ack", true, s.stepPage("acknowledging a handover", "tally round ack --round R --person LIST:REF --status STATUS --as PARTY --key tally-party-PARTY.key", stepForms["ack"])},
		{"POST", "/remains/transfer", true, s.stepPage("recording a transfer of remains", "tally remains transfer --stage S ... --as PARTY --key tally-party-PARTY.key", stepForms["remains-transfer"])},
		{"POST", "/remains/ack", true, s.stepPage("acknowledging remains", "tally remains ack --stage S --from PARTY --count N --as PARTY --key tally-party-PARTY.key", stepForms["remains-ack"])},
		{"POST", "/remains/discrepancy", true, s.stepPage("a step on a discrepancy", "tally remains discrepancy ... --key tally-party-PARTY.key", stepForms["discrepancy"])},
		{"POST", "/children/open", true, s.stepPage("opening a child's case", "tally children open --case C --child LIST:REF --as PARTY --key tally-party-PARTY.key", stepForms["child-open"])},
		{"POST", "/children/step", true, s.stepPage("a step of a child's case", "tally children step ... --key tally-party-PARTY.key", stepForms["child-step"])},
		{"POST", "/steps", true, s.stepsSubmit},
		{"POST", "/log/verify", true, s.logVerifyForm},
		{"GET", "/security-keys", true, s.keysPage},
		{"GET", "/security-keys/enrol", true, s.enrolPage},
		{"GET", "/security-keys/verify", true, s.verifyPage},
		{"POST", "/security-keys/remove", true, s.removeKeyForm},
		{"GET", "/admin", true, s.adminPage},
		{"POST", "/admin/users", true, s.adminAddForm},
		{"POST", "/admin/tokens", true, s.adminTokenForm},
		{"POST", "/admin/tokens/revoke", true, s.adminRevokeForm},
		{"POST", "/admin/password", true, s.adminPasswordForm},
		{"POST", "/admin/disable", true, s.adminDisableForm},
	}
}

// registerPages adds the web interface's routes to the server's mux.
func (s *Server) registerPages() {
	s.web = &webPages{pending: map[string]*pendingImport{}}
	s.web.render, s.web.err = web.New()
	for _, rt := range s.pageRoutes() {
		s.mux.Handle(rt.Method+" "+rt.Pattern, s.handlePage(rt))
	}
}

// handlePage wraps a page: language, CSRF, then authentication when the
// page needs it.
func (s *Server) handlePage(rt pageRoute) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		info(r).pattern = rt.Method + " " + rt.Pattern
		pc := &pageCtx{lang: s.pageLang(w, r)}
		pc.header.Path = r.URL.Path
		if r.Header.Get("Authorization") == "" {
			if err := s.csrf.Check(r); err != nil {
				s.writePageError(w, r, pc, &tally.Error{Code: tally.EForbidden, Message: "a cross-origin request was refused",
					Hint: "use the service's own pages"})
				return
			}
		}
		if rt.Auth {
			actor, err := s.authenticate(r)
			if err != nil {
				if tally.ErrorCodeOf(err) == tally.EUnauthorized && r.Method == http.MethodGet {
					q := url.Values{"next": {r.URL.RequestURI()}}
					if _, cerr := r.Cookie(SessionCookie); cerr == nil {
						q.Set("e", "expired")
					}
					http.Redirect(w, r, "/login?"+q.Encode(), http.StatusSeeOther)
					return
				}
				s.writePageError(w, r, pc, err)
				return
			}
			pc.actor = actor
			o := actor.Org()
			info(r).org = o.Code
			pc.header.User, pc.header.Party, pc.header.PartyName = actor.User.Name, o.Code, o.Name
			pc.header.Mediator = o.Kind == tally.OrgMediator
			pc.header.Signer = actor.User.Has(tally.RoleSigner)
			pc.header.Admin = tally.Authorize(actor, tally.ActionManageUsers, tally.Resource{Org: o.Code}) == nil
		}
		if err := rt.handler(w, r, pc); err != nil {
			s.writePageError(w, r, pc, err)
		}
	})
}

// pageLang is the language of the page: ?lang= (which also sets the
// cookie), else the cookie, else Accept-Language.
func (s *Server) pageLang(w http.ResponseWriter, r *http.Request) string {
	cookie := ""
	if c, err := r.Cookie(langCookie); err == nil {
		cookie = c.Value
	}
	if q := strings.ToLower(r.URL.Query().Get("lang")); slices.Contains(web.Languages(), q) {
		http.SetCookie(w, &http.Cookie{Name: langCookie, Value: q, Path: "/", MaxAge: 365 * 24 * 3600,
			Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode})
		cookie = q
	}
	return web.Negotiate(r.Header.Get("Accept-Language"), cookie)
}

// render writes a page with status.
func (s *Server) render(w http.ResponseWriter, status int, page string, pc *pageCtx, data any) error {
	if s.web.err != nil {
		return s.web.err
	}
	var b strings.Builder
	if err := s.web.render.Render(&b, page, pc.lang, data); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Language", pc.lang)
	w.WriteHeader(status)
	_, err := io.WriteString(w, b.String())
	return err
}

// writePageError writes err as web's error page, with the status and the
// details writeError would give; problem details if even that fails.
func (s *Server) writePageError(w http.ResponseWriter, r *http.Request, pc *pageCtx, err error) {
	code := tally.ErrorCodeOf(err)
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		code = codeUnavailable
	}
	status := statusOf(code)
	info(r).code = code
	page := web.ErrorPage{Header: pc.header, Status: status, Code: string(code), Back: "/"}
	var e *tally.Error
	if status < 500 || code == codeNotImplemented {
		if errors.As(err, &e) {
			page.File, page.Line, page.Key, page.Message, page.Hint = e.File, e.Line, e.Key, e.Message, e.Hint
		}
	} else {
		info(r).internal = err
		page.Code = string(tally.EInternal)
	}
	if status == http.StatusUnauthorized {
		page.Back = "/login"
	}
	if code == tally.ESecondFactor {
		page.Back = "/security-keys/verify"
	}
	if status == http.StatusTooManyRequests {
		w.Header().Set("Retry-After", "10")
	}
	if r.Header.Get("HX-Request") == "true" {
		// htmx swaps only 2xx answers: tell it to put the error page's
		// content in place of the page's, the status in a header.
		w.Header().Set("HX-Retarget", "#main")
		w.Header().Set("HX-Reswap", "outerHTML")
		w.Header().Set("HX-Reselect", "#main")
		w.Header().Set("X-Tally-Status", strconv.Itoa(status))
		status = http.StatusOK
	}
	if rerr := s.render(w, status, "error", pc, page); rerr != nil {
		info(r).internal = rerr
		s.writeError(w, r, err)
	}
}

// chosenAgreement is the agreement the pages are about: id when given,
// else ?agreement=, else the cookie, else the first the actor may read. It
// is authorized through AgreementFor.
func (s *Server) chosenAgreement(r *http.Request, pc *pageCtx, id string) (*tally.Agreement, error) {
	if id == "" {
		id = r.URL.Query().Get("agreement")
	}
	if id == "" {
		if c, err := r.Cookie(agreementCookie); err == nil {
			id = c.Value
		}
	}
	if id != "" {
		a, err := s.svc.AgreementFor(r.Context(), pc.actor, id)
		if err != nil {
			return nil, err
		}
		pc.header.Agreement = web.AgreementRef{ID: a.ID, Title: a.Title}
		return &a, nil
	}
	as, err := s.svc.AgreementsFor(r.Context(), pc.actor)
	if err != nil {
		return nil, err
	}
	last := error(&tally.Error{Code: tally.ENotFound, Message: "there is no agreement yet", Hint: "an administrator adds one with tally agreement add"})
	for _, x := range as {
		a, err := s.svc.AgreementFor(r.Context(), pc.actor, x.ID)
		if err == nil {
			pc.header.Agreement = web.AgreementRef{ID: a.ID, Title: a.Title}
			return &a, nil
		}
		last = err
	}
	return nil, last
}

// process replays the chosen agreement's steps for the actor.
func (s *Server) process(r *http.Request, pc *pageCtx) (*tally.Agreement, exchange.Process, error) {
	a, err := s.chosenAgreement(r, pc, "")
	if err != nil {
		return nil, exchange.Process{}, err
	}
	p := exchange.NewProcess(a)
	if _, err := s.svc.ReplayFor(r.Context(), pc.actor, tally.ActionReadProcess, a.ID, p); err != nil {
		return nil, exchange.Process{}, err
	}
	return a, p, nil
}

func (s *Server) static(w http.ResponseWriter, r *http.Request, _ *pageCtx) error {
	w.Header().Set("Cache-Control", "public, max-age=3600")
	http.StripPrefix("/static/", http.FileServerFS(web.Assets())).ServeHTTP(w, r)
	return nil
}

// safeNext is where to go after signing in: a path of this server only.
func safeNext(next string) string {
	u, err := url.Parse(next)
	if err != nil || next == "" || u.IsAbs() || u.Host != "" || !strings.HasPrefix(next, "/") ||
		strings.HasPrefix(next, "//") || strings.Contains(next, `\`) {
		return "/"
	}
	return next
}

func (s *Server) loginPage(w http.ResponseWriter, r *http.Request, pc *pageCtx) error {
	q := r.URL.Query()
	page := web.LoginPage{Header: pc.header, Next: safeNext(q.Get("next"))}
	if q.Get("e") == "expired" {
		page.Error = "expired"
	}
	if q.Get("out") != "" {
		page.Flash = []web.Flash{{Kind: "ok", ID: "flash.signedout"}}
	}
	return s.render(w, http.StatusOK, "login", pc, page)
}

func (s *Server) loginForm(w http.ResponseWriter, r *http.Request, pc *pageCtx) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxJSONBody)
	if err := r.ParseForm(); err != nil {
		return badRequest("the sign-in form could not be read: %v", err)
	}
	name := r.PostForm.Get("name")
	next := safeNext(r.PostForm.Get("next"))
	actor, err := s.startSession(w, r, name, r.PostForm.Get("password"))
	if err == nil {
		http.Redirect(w, r, s.afterPassword(r, actor, next), http.StatusSeeOther)
		return nil
	}
	page := web.LoginPage{Header: pc.header, Name: name, Next: next, Error: "other"}
	switch tally.ErrorCodeOf(err) {
	case tally.EUnauthorized:
		page.Error = "bad-credentials"
	case codeTooMany:
		page.Error = "locked"
	default:
		if statusOf(tally.ErrorCodeOf(err)) >= 500 {
			return err
		}
	}
	info(r).code = tally.ErrorCodeOf(err)
	return s.render(w, statusOf(tally.ErrorCodeOf(err)), "login", pc, page)
}

func (s *Server) logoutForm(w http.ResponseWriter, r *http.Request, pc *pageCtx) error {
	if err := s.endSession(w, r); err != nil {
		return err
	}
	http.Redirect(w, r, "/login?out=1", http.StatusSeeOther)
	return nil
}

// agreementsPage lists the agreements and, for /agreements/{id}, shows
// one, which becomes the agreement the other pages are about.
func (s *Server) agreementsPage(w http.ResponseWriter, r *http.Request, pc *pageCtx) error {
	page, err := s.agreementsView(r, pc)
	if err != nil {
		return err
	}
	if id := r.PathValue("id"); id != "" {
		a, err := s.chosenAgreement(r, pc, id)
		if err != nil {
			return err
		}
		page.Detail = a
		pc.header.Flash = addedFlash(r, a.ID)
		http.SetCookie(w, &http.Cookie{Name: agreementCookie, Value: a.ID, Path: "/", Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode})
	} else if _, err := s.chosenAgreement(r, pc, ""); err != nil && tally.ErrorCodeOf(err) != tally.EForbidden && tally.ErrorCodeOf(err) != tally.ENotFound {
		return err
	}
	page.Header = pc.header
	return s.render(w, http.StatusOK, "agreements", pc, page)
}

// agreementsView is the table of agreements, and whether the actor may
// add one.
func (s *Server) agreementsView(r *http.Request, pc *pageCtx) (web.AgreementsPage, error) {
	ctx := r.Context()
	as, err := s.svc.AgreementsFor(ctx, pc.actor)
	if err != nil {
		return web.AgreementsPage{}, err
	}
	page := web.AgreementsPage{CanAdd: tally.MayAddAgreements(pc.actor) == nil}
	for _, a := range as {
		v := web.AgreementView{ID: a.ID, Title: a.Title, Date: a.Date.String()}
		// The terms and lists only for those who may read them.
		if full, err := s.svc.AgreementFor(ctx, pc.actor, a.ID); err == nil {
			for _, p := range full.Parties {
				v.Parties = append(v.Parties, p.Code)
			}
			if full.Mediator != nil {
				v.Mediator = full.Mediator.Code
			}
			v.Categories = len(full.Categories)
			ls, err := s.svc.ListsFor(ctx, pc.actor, a.ID)
			if err != nil {
				return web.AgreementsPage{}, err
			}
			v.Lists = len(ls)
		}
		page.Agreements = append(page.Agreements, v)
	}
	return page, nil
}

// importForm is the import page's form for agreement a.
func importForm(pc *pageCtx, a *tally.Agreement) web.ImportPage {
	page := web.ImportPage{Agreement: web.AgreementRef{ID: a.ID, Title: a.Title}, Party: pc.actor.Org().Code,
		Kind: string(tally.KindRequest)}
	if _, ok := a.Party(pc.actor.Org().Code); ok {
		page.Parties = []string{pc.actor.Org().Code}
	} else {
		for _, p := range a.Parties {
			page.Parties = append(page.Parties, p.Code)
		}
	}
	for _, k := range []tally.ListKind{tally.KindRequest, tally.KindCustody, tally.KindRemains, tally.KindChildren} {
		page.Kinds = append(page.Kinds, string(k))
	}
	for _, c := range a.Categories {
		t := c.Title
		if t == "" {
			t = c.ID
		}
		page.Categories = append(page.Categories, web.CategoryOption{ID: c.ID, Title: t})
	}
	return page
}

func (s *Server) importPage(w http.ResponseWriter, r *http.Request, pc *pageCtx) error {
	a, err := s.chosenAgreement(r, pc, "")
	if err != nil {
		return err
	}
	page := importForm(pc, a)
	page.Header = pc.header
	return s.render(w, http.StatusOK, "import", pc, page)
}

// pendingImport is a file checked and shown, waiting for its confirmation:
// spooled in the server's temporary directory, for the user who sent it,
// for pendingLifetime at most.
type pendingImport struct {
	userID  int64
	path    string
	in      tally.Import
	expires time.Time
}

const (
	pendingLifetime = 15 * time.Minute
	maxPending      = 1000
	previewFirst    = 20   // rows shown from the top of a file
	previewMax      = 1000 // rows shown at most, problems first
)

// sweep removes the previews past their time; with mu held.
func (wp *webPages) sweep(now time.Time) {
	for tok, p := range wp.pending {
		if now.After(p.expires) {
			os.Remove(p.path)
			delete(wp.pending, tok)
		}
	}
}

// takePending removes and returns the preview token names, if it is the
// user's and not expired.
func (wp *webPages) takePending(token string, userID int64, now time.Time) *pendingImport {
	wp.mu.Lock()
	defer wp.mu.Unlock()
	wp.sweep(now)
	p := wp.pending[token]
	if p == nil || p.userID != userID {
		return nil
	}
	delete(wp.pending, token)
	return p
}

// importPreview reads an uploaded list (multipart: csrf, agreement, party,
// kind, name, category, then file), once the actor is known to be allowed
// to import the party's list, checks it row by row as tally validate does
// and shows the conformity report; the file waits for the confirmation.
func (s *Server) importPreview(w http.ResponseWriter, r *http.Request, pc *pageCtx) error {
	r.Body = http.MaxBytesReader(w, r.Body, s.cfg.MaxUpload+1<<20)
	mr, err := r.MultipartReader()
	if err != nil {
		return badRequest("send the list as multipart/form-data, as the import form does")
	}
	form, err := readUpload(mr, []string{"agreement", "party", "kind", "name", "category"}, false)
	if err != nil {
		return err
	}
	in := tally.Import{FileName: form.fileName, Party: strings.ToUpper(form.fields["party"]),
		Name: form.fields["name"], Category: form.fields["category"]}
	agreementID, kind, file := form.fields["agreement"], form.fields["kind"], form.file
	a, err := s.chosenAgreement(r, pc, agreementID)
	if err != nil {
		return err
	}
	in.AgreementID = a.ID
	if in.Party == "" {
		in.Party = pc.actor.Org().Code
	}
	if in.Kind, err = tally.ParseListKind(kind); err != nil {
		return err
	}
	// Refuse before the file is read; ImportListFor asks again.
	if err := tally.Authorize(pc.actor, tally.ActionImportList, tally.Resource{Agreement: a, Party: in.Party}); err != nil {
		return err
	}
	f, err := os.CreateTemp(s.cfg.TempDir, "tally-preview-*")
	if err != nil {
		return err
	}
	keep := false
	defer func() {
		f.Close()
		if !keep {
			os.Remove(f.Name())
		}
	}()
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(f, h), io.LimitReader(file, s.cfg.MaxUpload+1))
	if err != nil {
		return badRequest("reading the file: %v", err)
	}
	if n > s.cfg.MaxUpload {
		return &tally.Error{Code: tally.EInvalid, Key: "file", Message: "the file is larger than the server accepts"}
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	rows, err := listfile.NewReader(in.FileName, f, listfile.Options{})
	if err != nil {
		return tally.InFile(err, in.FileName, 0)
	}
	defer rows.Close()
	prev := &web.ImportPreview{File: in.FileName, Size: n, SHA256: hex.EncodeToString(h.Sum(nil)),
		Unknown: rows.Header().Unknown(), Problems: []tally.Problem{}, Notes: []tally.Note{}}
	var fields []tally.Field
	for _, c := range rows.Header().Columns {
		if c.Field != tally.FieldUnknown {
			fields = append(fields, c.Field)
			prev.Columns = append(prev.Columns, c.Field.String())
		}
	}
	err = tally.EachRow(a, rows, in.Category, func(ref string, row *tally.Row, ps []tally.Problem, ns []tally.Note) error {
		prev.Total++
		prev.Problems = append(prev.Problems, ps...)
		prev.Notes = append(prev.Notes, ns...)
		if (prev.Total <= previewFirst || len(ps) > 0 || len(ns) > 0) && len(prev.Rows) < previewMax {
			pr := web.PreviewRow{Line: row.Line, Ref: ref, Problems: ps, Notes: ns}
			for _, fd := range fields {
				pr.Cells = append(pr.Cells, row.Values[fd])
			}
			prev.Rows = append(prev.Rows, pr)
		}
		return nil
	})
	if err != nil {
		return tally.InFile(err, in.FileName, 0)
	}
	prev.Conforming = len(prev.Problems) == 0
	prev.Token = rand.Text()
	now := time.Now()
	s.web.mu.Lock()
	s.web.sweep(now)
	if len(s.web.pending) >= maxPending {
		s.web.mu.Unlock()
		return &tally.Error{Code: codeTooMany, Message: "too many files are waiting for confirmation", Hint: "confirm or cancel one, or wait a few minutes"}
	}
	s.web.pending[prev.Token] = &pendingImport{userID: pc.actor.User.ID, path: f.Name(), in: in, expires: now.Add(pendingLifetime)}
	s.web.mu.Unlock()
	keep = true
	page := importForm(pc, a)
	page.Header = pc.header
	page.Party, page.Kind, page.Category, page.Preview = in.Party, string(in.Kind), in.Category, prev
	return s.render(w, http.StatusOK, "import", pc, page)
}

// importConfirm stores the previewed file as the next version of the
// party's list, through ImportListFor as the API's import does, or drops
// it.
func (s *Server) importConfirm(w http.ResponseWriter, r *http.Request, pc *pageCtx) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxJSONBody)
	if err := r.ParseForm(); err != nil {
		return badRequest("the form could not be read: %v", err)
	}
	p := s.web.takePending(r.PostForm.Get("token"), pc.actor.User.ID, time.Now())
	if p == nil {
		return &tally.Error{Code: tally.ENotFound, Message: "there is no file waiting for your confirmation",
			Hint: "files wait 15 minutes after they are checked: send the file again"}
	}
	defer os.Remove(p.path)
	if r.PostForm.Get("confirm") != "yes" {
		http.Redirect(w, r, "/import", http.StatusSeeOther)
		return nil
	}
	v, rep, err := s.importSpooled(r.Context(), pc.actor, p.in, p.path)
	if err != nil {
		return err
	}
	a, err := s.chosenAgreement(r, pc, v.AgreementID)
	if err != nil {
		return err
	}
	page := importForm(pc, a)
	page.Header = pc.header
	count := rep.Rows
	page.Flash = []web.Flash{{Kind: "ok", ID: "flash.imported", Data: map[string]any{"Version": v.Version, "List": v.ListID}, Count: &count}}
	return s.render(w, http.StatusOK, "import", pc, page)
}

// importSpooled imports the list file at path for actor: the service reads
// it twice, the bytes as they are and the rows. The API's import and the
// import page both come here.
func (s *Server) importSpooled(ctx context.Context, actor tally.Actor, in tally.Import, path string) (tally.ListVersion, tally.Report, error) {
	orig, err := os.Open(path)
	if err != nil {
		return tally.ListVersion{}, tally.Report{}, err
	}
	defer orig.Close()
	rowsFile, err := os.Open(path)
	if err != nil {
		return tally.ListVersion{}, tally.Report{}, err
	}
	defer rowsFile.Close()
	rows, err := listfile.NewReader(in.FileName, rowsFile, listfile.Options{})
	if err != nil {
		return tally.ListVersion{}, tally.Report{}, tally.InFile(err, in.FileName, 0)
	}
	defer rows.Close()
	in.Original, in.Rows = orig, rows
	v, rep, err := s.svc.ImportListFor(ctx, actor, in)
	if err != nil {
		return tally.ListVersion{}, tally.Report{}, tally.InFile(err, in.FileName, 0)
	}
	return v, rep, nil
}

// reviewPage shows where the review of each list stands, whose move it
// is; for /review/{list}, the list's rows with the answer form when the
// list was put to the actor's side.
func (s *Server) reviewPage(w http.ResponseWriter, r *http.Request, pc *pageCtx) error {
	a, p, err := s.process(r, pc)
	if err != nil {
		return err
	}
	page := web.ReviewPage{Objections: exchange.Objections()}
	var chosen *exchange.ListStatus
	for _, l := range p.Lists() {
		page.Lists = append(page.Lists, web.ListStatusView{List: l.List, Kind: l.Kind, Version: l.Version, Submitter: l.Submitter,
			Receiver: l.Receiver, Rows: l.Rows, Accepted: l.Accepted, Objections: l.Objections, Unanswered: l.Unanswered,
			WaitingFor: l.WaitingFor, Since: l.Since, Entry: l.Entry})
		if l.List == r.PathValue("list") {
			chosen = &l
		}
	}
	if id := r.PathValue("list"); id != "" {
		if chosen == nil {
			// A draft and a list that does not exist are answered alike.
			return &tally.Error{Code: tally.ENotFound, Message: fmt.Sprintf("there is no list %s under review", id)}
		}
		if strings.EqualFold(chosen.Receiver, pc.actor.Org().Code) {
			form, err := s.answerForm(r.Context(), pc.actor, a, p, chosen)
			if err != nil {
				return err
			}
			page.Answer = form
		}
	}
	page.Header = pc.header
	return s.render(w, http.StatusOK, "review", pc, page)
}

// answerForm reads the rows of a list put to the actor's side (an audited
// read, through RowsFor) with the answers given so far.
func (s *Server) answerForm(ctx context.Context, actor tally.Actor, a *tally.Agreement, p exchange.Process, l *exchange.ListStatus) (*web.AnswerForm, error) {
	_, rows, err := s.svc.RowsFor(ctx, actor, a.ID, l.List, l.Version, 0, tally.MaxRowsPerRead)
	if err != nil {
		return nil, err
	}
	answers, err := p.Answers(l.List)
	if err != nil {
		return nil, err
	}
	byRef := map[string]exchange.Answer{}
	for _, an := range answers {
		byRef[an.Ref] = an
	}
	form := &web.AnswerForm{List: l.List, Version: l.Version}
	for _, row := range rows {
		name := strings.Join(strings.Fields(row.Row.Values[tally.FieldSurname]+" "+row.Row.Values[tally.FieldGivenName]+" "+
			row.Row.Values[tally.FieldPatronymic]), " ")
		ar := web.AnswerRow{Ref: row.Ref, Name: name, Category: row.Row.Values[tally.FieldCategory]}
		if an, ok := byRef[row.Ref]; ok {
			ar.Answered, ar.Accepted, ar.Objection, ar.Text = true, an.Accepted, an.Objection, an.Text
		}
		form.Rows = append(form.Rows, ar)
	}
	return form, nil
}

// matchPage shows the pairs the process holds: confirmed by a party's
// signed step. Matching two lists afresh is tally match's, for now.
func (s *Server) matchPage(w http.ResponseWriter, r *http.Request, pc *pageCtx) error {
	_, p, err := s.process(r, pc)
	if err != nil {
		return err
	}
	page := web.MatchReviewPage{}
	for _, pr := range p.Pairs() {
		if page.Left.List == "" {
			page.Left = web.ListRef{List: pr.Request.List}
			page.Right = web.ListRef{List: pr.Custody.List}
		}
		page.Pairs = append(page.Pairs, web.PairView{LeftRef: pr.Request.Ref, RightRef: pr.Custody.Ref, Decision: "accepted", By: pr.By})
	}
	page.Header = pc.header
	return s.render(w, http.StatusOK, "match", pc, page)
}

// signerOf reports whether the actor may take steps for side, by the one
// rule (tally.Authorize), so that buttons show only to those who may.
func signerOf(actor tally.Actor, a *tally.Agreement, side string) bool {
	return strings.EqualFold(actor.Org().Code, side) &&
		tally.Authorize(actor, tally.ActionTakeStep, tally.Resource{Agreement: a, Party: side}) == nil
}

// roundsPage shows the rounds; for /rounds/{round}/handover, the handover
// point of one round, persons by ref (names stay in the lists).
func (s *Server) roundsPage(w http.ResponseWriter, r *http.Request, pc *pageCtx) error {
	a, p, err := s.process(r, pc)
	if err != nil {
		return err
	}
	org := pc.actor.Org().Code
	page := web.RoundsPage{}
	id := r.PathValue("round")
	for _, rs := range p.Rounds() {
		v := web.RoundView{Round: rs.Round, Date: rs.Date, PlannedBy: rs.PlannedBy, ApprovedBy: rs.ApprovedBy, Approved: rs.Approved,
			Complete: rs.Complete, Unlisted: rs.Unlisted,
			CanApprove: !rs.Approved && !slices.Contains(rs.ApprovedBy, org) && signerOf(pc.actor, a, org) && pc.actor.Org().Kind == tally.OrgParty}
		for _, m := range rs.Manifests {
			v.Manifests = append(v.Manifests, web.ManifestView{From: m.From, To: m.To, Category: m.Category, Persons: m.Persons,
				HandedOver: m.HandedOver, Received: m.Received, Disputed: m.Disputed, NotDelivered: m.NotDelivered})
		}
		page.Rounds = append(page.Rounds, v)
		if rs.Round == id && rs.Approved {
			h := &web.HandoverView{Round: rs.Round, Date: rs.Date}
			for _, ps := range rs.Persons {
				h.Persons = append(h.Persons, web.HandoverPerson{List: ps.Person.List, Ref: ps.Person.Ref, Name: ps.Person.Ref,
					From: ps.From, To: ps.To, Category: ps.Category, HandedOver: ps.HandedOver, Acknowledgement: ps.Acknowledgement,
					CanHandOver:    !ps.HandedOver && signerOf(pc.actor, a, ps.From),
					CanAcknowledge: ps.HandedOver && ps.Acknowledgement == "" && signerOf(pc.actor, a, ps.To)})
			}
			page.Handover = h
		}
	}
	if id != "" && page.Handover == nil {
		return &tally.Error{Code: tally.ENotFound, Message: fmt.Sprintf("there is no approved round %s", id),
			Hint: "a round's handover point opens once both parties approved its plan"}
	}
	page.Header = pc.header
	return s.render(w, http.StatusOK, "rounds", pc, page)
}

func stepViews(cs []exchange.StatusChange) []web.StepView {
	var out []web.StepView
	for _, c := range cs {
		out = append(out, web.StepView{Status: c.Status, By: c.By, Actor: c.Actor, At: c.At, Text: c.Text})
	}
	return out
}

func (s *Server) remainsPage(w http.ResponseWriter, r *http.Request, pc *pageCtx) error {
	a, p, err := s.process(r, pc)
	if err != nil {
		return err
	}
	page := web.RemainsPage{}
	for _, t := range p.Transfers() {
		page.Transfers = append(page.Transfers, web.TransferView{Stage: t.Stage, Category: t.Category, From: t.From, To: t.To,
			Mutual: t.Mutual, Count: t.Count, Tags: t.Tags, Acknowledged: t.Acknowledged, AckCount: t.AckCount,
			Identified: t.Identified, Unidentified: t.Unidentified, CanAcknowledge: !t.Acknowledged && signerOf(pc.actor, a, t.To)})
	}
	for _, d := range p.Discrepancies() {
		page.Discrepancies = append(page.Discrepancies, web.DiscrepancyView{ID: d.ID, Stage: d.Stage, From: d.From, To: d.To,
			Sent: d.Sent, Received: d.Received, Status: d.Status, Opened: d.Opened, History: stepViews(d.History)})
	}
	if pc.actor.Org().Kind == tally.OrgParty {
		for _, c := range a.Categories {
			if c.Subject == tally.SubjectRemains {
				page.Categories = append(page.Categories, web.CategoryOption{ID: c.ID, Title: firstOf(c.Title, c.ID)})
			}
		}
		for _, pt := range a.Parties {
			page.Parties = append(page.Parties, pt.Code)
		}
	}
	page.Header = pc.header
	return s.render(w, http.StatusOK, "remains", pc, page)
}

// firstOf returns the first of its arguments that is not empty.
func firstOf(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}

// childrenPage shows the children's cases by ref: a child's name stays in
// the list it is on.
func (s *Server) childrenPage(w http.ResponseWriter, r *http.Request, pc *pageCtx) error {
	_, p, err := s.process(r, pc)
	if err != nil {
		return err
	}
	page := web.ChildrenPage{}
	for _, c := range p.ChildCases() {
		v := web.ChildCaseView{Case: c.Case, List: c.Child.List, Ref: c.Child.Ref, Name: c.Child.Ref, Step: c.Step, Reason: c.Reason}
		for _, h := range c.History {
			v.History = append(v.History, web.StepView{Status: h.Step, By: h.By, Actor: h.Actor, At: h.At, Text: h.Reason})
		}
		page.Cases = append(page.Cases, v)
	}
	page.Header = pc.header
	return s.render(w, http.StatusOK, "children", pc, page)
}

// logPage shows the shared record's latest checkpoint and its witnesses.
func (s *Server) logPage(w http.ResponseWriter, r *http.Request, pc *pageCtx) error {
	page, err := s.logView(r, pc)
	if err != nil {
		return err
	}
	page.Header = pc.header
	return s.render(w, http.StatusOK, "log", pc, page)
}

// logView is the log page's content: the latest checkpoint, the witnesses
// and the latest entries.
func (s *Server) logView(r *http.Request, pc *pageCtx) (web.LogPage, error) {
	ctx := r.Context()
	page := web.LogPage{}
	b, err := s.svc.CheckpointFor(ctx, pc.actor)
	switch {
	case tally.ErrorCodeOf(err) == tally.ENotFound: // no log kept: nothing to show
	case err != nil:
		return page, err
	default:
		keys, err := s.svc.LogKeys(ctx)
		if err != nil {
			return page, err
		}
		cp, err := ledger.OpenCheckpoint(b, keys)
		if err != nil {
			return page, err
		}
		page.Checkpoint = checkpointOf(cp)
		for _, vk := range keys.Witnesses {
			name, _, _ := strings.Cut(vk, "+")
			wv := web.WitnessView{Name: name, Cosigned: slices.Contains(cp.Cosigners, name)}
			if wv.Cosigned {
				wv.Size, wv.At = cp.Size, cp.Time
			}
			page.Witnesses = append(page.Witnesses, wv)
		}
		if page.Entries, err = s.latestEntries(r, pc, cp.Size); err != nil {
			return page, err
		}
	}
	return page, nil
}

func checkpointOf(cp *ledger.Checkpoint) report.Checkpoint {
	c := report.Checkpoint{Origin: cp.Origin, Size: cp.Size, RootHash: base64.StdEncoding.EncodeToString(cp.Hash[:]),
		Time: cp.Time, Cosigners: cp.Cosigners}
	if c.Cosigners == nil {
		c.Cosigners = []string{}
	}
	return c
}

// publicReport computes the public report of the chosen agreement (or,
// for one who may not read agreements' terms, of the first agreement): any
// signed-in actor may read it.
func (s *Server) publicReport(r *http.Request, pc *pageCtx) (*tally.Agreement, exchange.Report, *ledger.Checkpoint, error) {
	if err := tally.Authorize(pc.actor, tally.ActionReadReport, tally.Resource{}); err != nil {
		return nil, exchange.Report{}, nil, err
	}
	id := r.URL.Query().Get("agreement")
	if id == "" {
		if a, err := s.chosenAgreement(r, pc, ""); err == nil {
			id = a.ID
		} else if as, err := s.svc.AgreementsFor(r.Context(), pc.actor); err == nil && len(as) > 0 {
			id = as[0].ID
		} else if err != nil {
			return nil, exchange.Report{}, nil, err
		} else {
			return nil, exchange.Report{}, nil, &tally.Error{Code: tally.ENotFound, Message: "there is no agreement yet"}
		}
	}
	a, _, err := s.svc.Agreement(r.Context(), id)
	if err != nil {
		return nil, exchange.Report{}, nil, err
	}
	p := exchange.NewProcess(&a)
	cp, err := s.svc.ReplayFor(r.Context(), pc.actor, tally.ActionReadReport, a.ID, p)
	if err != nil {
		return nil, exchange.Report{}, nil, err
	}
	pc.header.Agreement = web.AgreementRef{ID: a.ID, Title: a.Title}
	return &a, p.Report(), cp, nil
}

func (s *Server) reportPage(w http.ResponseWriter, r *http.Request, pc *pageCtx) error {
	a, rep, cp, err := s.publicReport(r, pc)
	if err != nil {
		return err
	}
	return s.render(w, http.StatusOK, "report", pc, web.ReportPage{Header: pc.header, Document: reportDocument(a, rep, cp)})
}

// reportFile serves the public report as PDF, text or JSON.
func (s *Server) reportFile(w http.ResponseWriter, r *http.Request, pc *pageCtx) error {
	a, rep, cp, err := s.publicReport(r, pc)
	if err != nil {
		return err
	}
	doc := reportDocument(a, rep, cp)
	var b strings.Builder
	ext := filepath.Ext(r.URL.Path)
	switch ext {
	case ".pdf":
		w.Header().Set("Content-Type", "application/pdf")
		err = report.PDF(&b, doc)
	case ".txt":
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		err = report.Text(&b, doc)
	default:
		out := publicReportJSON{Report: rep}
		if cp != nil {
			c := checkpointOf(cp)
			out.Checkpoint = &checkpointJSON{Origin: c.Origin, Size: c.Size, RootHash: c.RootHash,
				Time: cp.Time.UTC().Format(time.RFC3339), Cosigners: c.Cosigners}
		}
		return writeJSON(w, out)
	}
	if err != nil {
		return err
	}
	w.Header().Set("Content-Disposition", `attachment; filename="`+a.ID+"-report"+ext+`"`)
	_, err = io.WriteString(w, b.String())
	return err
}

// reportDocument lays the public report out as tables (report.Public),
// tied to the checkpoint it was computed at.
func reportDocument(ag *tally.Agreement, r exchange.Report, cp *ledger.Checkpoint) report.Document {
	doc := report.Public(firstOf(ag.Title, ag.ID), r)
	if cp != nil {
		doc.Checkpoint = checkpointOf(cp)
	}
	return doc
}

// startSession signs in with a password, within the sign-in rate limits,
// and sets the session cookie: the API's POST /api/login and the sign-in
// form both come here.
func (s *Server) startSession(w http.ResponseWriter, r *http.Request, login, password string) (tally.Actor, error) {
	if !s.byIP.allow(s.clientIP(r)) || !s.byLogin.allow(tally.NormalizeLogin(login)) {
		w.Header().Set("Retry-After", strconv.Itoa(int(max(1, time.Duration(float64(time.Second)/float64(s.cfg.LoginRate))/time.Second))))
		return tally.Actor{}, &tally.Error{Code: codeTooMany, Message: "too many sign-in attempts", Hint: "wait, then try again"}
	}
	id, sess, actor, err := s.svc.SignIn(r.Context(), login, password, s.cfg.Sessions)
	if err != nil {
		return tally.Actor{}, err
	}
	info(r).org = actor.Org().Code
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: id, Path: "/", Expires: sess.ExpiresAt,
		Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode})
	return actor, nil
}

// endSession ends the request's session, if any, and clears the cookie.
func (s *Server) endSession(w http.ResponseWriter, r *http.Request) error {
	if c, err := r.Cookie(SessionCookie); err == nil {
		if err := s.svc.SignOut(r.Context(), c.Value); err != nil {
			return err
		}
	}
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", MaxAge: -1,
		Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode})
	return nil
}
