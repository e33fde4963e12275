package http

import (
	_ "embed"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"tally"
	"tally/exchange"
	"tally/ledger"
)

// route is one operation of the API.
type route struct {
	Method  string
	Pattern string
	Auth    bool   // needs a signed-in actor
	Summary string // for the OpenAPI document
	// Response is the name of the schema of a 200 response (see
	// openapi.go); "" for 204, "text" for text/plain.
	Response string
	handler  func(w http.ResponseWriter, r *http.Request, actor tally.Actor) error
}

// routes is every route the server serves.
func (s *Server) routes() []route {
	return []route{
		{"GET", "/healthz", false, "The process is up", "text", s.healthz},
		{"GET", "/readyz", false, "The server can serve: its store is reachable", "text", s.readyz},
		{"GET", "/version", false, "The server's version", "Version", s.version},
		{"GET", "/openapi.json", false, "This API's OpenAPI 3.1 description", "OpenAPI", s.openapi},
		{"POST", "/api/login", false, "Sign in with a password: a session cookie", "", s.login},
		{"POST", "/api/logout", false, "End the session", "", s.logout},
		{"GET", "/api/me", true, "Who is signed in, in which organisation, with which roles", "Me", s.me},
		{"GET", "/api/agreements", true, "The agreements (id, title, date)", "AgreementList", s.agreements},
		{"POST", "/api/agreements", true, "Add an agreement, as tally agreement add does: the YAML or JSON file as the body (application/yaml, application/json) or as the file of a multipart form; the admins of the mediator it names only. 201 when stored, 200 when the same file was stored already", "Agreement", s.addAgreement},
		{"GET", "/api/agreements/{id}", true, "An agreement's terms", "Agreement", s.agreement},
		{"GET", "/api/agreements/{id}/lists", true, "For each list, the latest version you may read", "ListVersions", s.lists},
		{"POST", "/api/agreements/{id}/lists", true, "Import a list file as a new version of a party's list (multipart: party, kind, name, category, and on a store that keeps the signed log salt and entry as prepared and signed, then file)", "Import", s.importList},
		{"POST", "/api/agreements/{id}/lists/prepare", true, "Prepare the entry of a list version signed by the party: {party, commitment: base64 SHA-256(salt ‖ file)} gives the entry's text; sign it and send it with the salt and the file to the import (fields salt and entry)", "PreparedEntry", s.prepareListEntry},
		{"GET", "/api/agreements/{id}/lists/{list}/versions/{n}", true, "A list version and its conformity report (audited)", "VersionReport", s.listVersion},
		{"GET", "/api/agreements/{id}/lists/{list}/versions/{n}/rows", true, "A page of a list version's rows (personal data, audited): ?after=LINE&limit=N", "Rows", s.rows},
		{"GET", "/api/agreements/{id}/lists/{list}/versions/{n}/original", true, "A list version's original file, byte for byte, its SHA-256 in Repr-Digest and X-Tally-SHA256 (personal data, audited)", "file", s.original},
		{"GET", "/api/agreements/{id}/matches", true, "The decisions taken on the pairs between two list versions, oldest first: ?left=LIST@N&right=LIST@N (personal data, audited)", "Matches", s.matches},
		{"GET", "/api/agreements/{id}/review", true, "Where the review of each list stands, whose move it is", "Review", s.review},
		{"GET", "/api/agreements/{id}/steps", true, "The recorded steps of the process, in the order of the log, for a client that replays it", "Steps", s.steps},
		{"POST", "/api/agreements/{id}/steps/prepare", true, "Prepare steps for the signed-in signer's party to sign: {steps: [{kind, body}]} gives each payload, its salt and the first entry's text", "PreparedSteps", s.prepareSteps},
		{"POST", "/api/agreements/{id}/steps", true, "Record steps signed by the party: {steps: [{kind, payload, salt, entry}]}, as prepared, each entry signed; 409 when the party's chain moved on (prepare again)", "RecordedSteps", s.submitSteps},
		{"GET", "/api/agreements/{id}/report", true, "The public report: counts only, tied to a checkpoint", "PublicReport", s.report},
		{"GET", "/api/log/checkpoint", true, "The shared record's latest signed checkpoint", "text", s.checkpoint},
		{"GET", "/api/log/entries", true, "A page of the shared record's entries (no personal data): ?start=INDEX&n=COUNT", "LogEntries", s.logEntries},
		{"GET", "/api/log/entries/{i}/receipt", true, "The receipt of entry i: the entry, its inclusion proof and the cosigned checkpoint holding it, and all three as a proof for tally log check-proof", "Receipt", s.receipt},
		{"GET", "/api/log/export", true, "The whole shared record as a tar archive of the directory tally log export writes; extract it and run tally log verify on it", "tar", s.logExport},
		{"PUT", "/api/me/password", true, "Change your own password, giving the current one; your sessions end", "", s.changeOwnPassword},
		{"POST", "/api/orgs/{org}/users", true, "Create an account in the organisation (its admins only), with a first password to hand over, or none for an account that uses API tokens only", "Account", s.addUser},
		{"PUT", "/api/orgs/{org}/users/{login}/password", true, "Set a new password on an account (its organisation's admins only); its sessions end", "", s.setPassword},
		{"POST", "/api/orgs/{org}/users/{login}/tokens", true, "Issue an API token to an account (its organisation's admins only): the token is in the answer, and never shown again", "NewToken", s.newToken},
		{"DELETE", "/api/orgs/{org}/users/{login}/tokens/{id}", true, "Revoke an API token by its id (its organisation's admins only)", "", s.revokeToken},
		{"POST", "/api/orgs/{org}/users/{login}/disable", true, "Disable an account: its password removed, its tokens revoked, its sessions ended (its organisation's admins only)", "", s.disableUser},
		{"GET", "/api/orgs/{org}/users", true, "The accounts of an organisation, with their tokens' ids (its admins only)", "Accounts", s.users},
		{"POST", "/api/webauthn/register/begin", true, "Begin registering a security key (WebAuthn): the options for navigator.credentials.create", "CredentialCreation", s.registerBegin},
		{"POST", "/api/webauthn/register/finish", true, "Finish registering a security key: {name, credential}; confirms the session (201)", "SecurityKey", s.registerFinish},
		{"POST", "/api/webauthn/login/begin", true, "Begin confirming the session with a security key: the options for navigator.credentials.get", "CredentialAssertion", s.loginBegin},
		{"POST", "/api/webauthn/login/finish", true, "Finish confirming the session with a security key: {credential}", "", s.loginFinish},
		{"GET", "/api/me/keys", true, "Your security keys", "SecurityKeys", s.keys},
		{"DELETE", "/api/me/keys/{key}", true, "Remove one of your security keys (needs a confirmed session)", "", s.removeKey},
	}
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request, _ tally.Actor) error {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, err := io.WriteString(w, "ok\n")
	return err
}

func (s *Server) readyz(w http.ResponseWriter, r *http.Request, _ tally.Actor) error {
	if s.cfg.Ready != nil {
		if err := s.cfg.Ready(r.Context()); err != nil {
			info(r).internal = err
			return &tally.Error{Code: codeUnavailable, Message: "the store cannot be reached"}
		}
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, err := io.WriteString(w, "ready\n")
	return err
}

func (s *Server) version(w http.ResponseWriter, r *http.Request, _ tally.Actor) error {
	return writeJSON(w, map[string]string{"version": s.cfg.Version})
}

//go:embed openapi.json
var openapiJSON []byte

func (s *Server) openapi(w http.ResponseWriter, r *http.Request, _ tally.Actor) error {
	w.Header().Set("Content-Type", "application/json")
	_, err := w.Write(openapiJSON)
	return err
}

// maxJSONBody bounds the JSON bodies the API reads.
const maxJSONBody = 64 << 10

func readJSON(w http.ResponseWriter, r *http.Request, v any) error {
	return readJSONUpTo(w, r, v, maxJSONBody)
}

// readJSONUpTo reads a JSON body of at most limit bytes into v, refusing
// unknown fields.
func readJSONUpTo(w http.ResponseWriter, r *http.Request, v any, limit int64) error {
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
		return &tally.Error{Code: codeBadRequest, Message: "send the body as application/json"}
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, limit))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return badRequest("the body is not the JSON expected: %v", err)
	}
	return nil
}

func (s *Server) login(w http.ResponseWriter, r *http.Request, _ tally.Actor) error {
	var body struct {
		Login    string `json:"login"`
		Password string `json:"password"`
	}
	if err := readJSON(w, r, &body); err != nil {
		return err
	}
	if _, err := s.startSession(w, r, body.Login, body.Password); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request, _ tally.Actor) error {
	if err := s.endSession(w, r); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

type orgJSON struct {
	Kind string `json:"kind"`
	Code string `json:"code"`
	Name string `json:"name"`
}

type userJSON struct {
	Login string   `json:"login"`
	Name  string   `json:"name"`
	Roles []string `json:"roles"`
	Org   *orgJSON `json:"org,omitempty"`
}

func toUserJSON(u tally.User) userJSON {
	j := userJSON{Login: u.Login, Name: u.Name, Roles: []string{}}
	for _, r := range u.Roles {
		j.Roles = append(j.Roles, string(r))
	}
	return j
}

func (s *Server) me(w http.ResponseWriter, r *http.Request, actor tally.Actor) error {
	j := toUserJSON(actor.User)
	o := actor.Org()
	j.Org = &orgJSON{string(o.Kind), o.Code, o.Name}
	return writeJSON(w, j)
}

type agreementSummary struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	Date  string `json:"date"`
}

func (s *Server) agreements(w http.ResponseWriter, r *http.Request, actor tally.Actor) error {
	as, err := s.svc.AgreementsFor(r.Context(), actor)
	if err != nil {
		return err
	}
	out := []agreementSummary{}
	for _, a := range as {
		out = append(out, agreementSummary{a.ID, a.Title, a.Date.String()})
	}
	return writeJSON(w, out)
}

type partyJSON struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

type categoryJSON struct {
	ID       string `json:"id"`
	Title    string `json:"title,omitempty"`
	Subject  string `json:"subject"`
	Terms    string `json:"terms"`
	Quantity int    `json:"quantity,omitempty"`
	From     string `json:"from,omitempty"`
	To       string `json:"to,omitempty"`
}

type agreementJSON struct {
	agreementSummary
	Parties    []partyJSON    `json:"parties"`
	Mediator   *partyJSON     `json:"mediator,omitempty"`
	Categories []categoryJSON `json:"categories"`
	// Source is the agreement's file as it was added (YAML or JSON): a
	// client (the command line against a server) reads the full terms
	// from it, eligibility rules and all.
	Source string `json:"source"`
}

func (s *Server) agreement(w http.ResponseWriter, r *http.Request, actor tally.Actor) error {
	a, err := s.svc.AgreementFor(r.Context(), actor, r.PathValue("id"))
	if err != nil {
		return err
	}
	_, source, err := s.svc.Agreement(r.Context(), a.ID)
	if err != nil {
		return err
	}
	return writeJSON(w, toAgreementJSON(a, source))
}

// toAgreementJSON is an agreement, and its file as it was added.
func toAgreementJSON(a tally.Agreement, source []byte) agreementJSON {
	j := agreementJSON{agreementSummary: agreementSummary{a.ID, a.Title, a.Date.String()}, Parties: []partyJSON{}, Categories: []categoryJSON{}, Source: string(source)}
	for _, p := range a.Parties {
		j.Parties = append(j.Parties, partyJSON{p.Code, p.Name})
	}
	if a.Mediator != nil {
		j.Mediator = &partyJSON{a.Mediator.Code, a.Mediator.Name}
	}
	for _, c := range a.Categories {
		j.Categories = append(j.Categories, categoryJSON{c.ID, c.Title, string(c.Subject), string(c.Terms), c.Quantity, c.From, c.To})
	}
	return j
}

// versionJSON is a list version as the API gives it; the same fields as
// tally list show --json.
type versionJSON struct {
	Agreement  string   `json:"agreement"`
	List       string   `json:"list"`
	Version    int      `json:"version"`
	Party      string   `json:"party"`
	Kind       string   `json:"kind"`
	File       string   `json:"file"`
	SHA256     string   `json:"sha256"`
	Size       int64    `json:"size"`
	Category   string   `json:"category,omitempty"`
	ImportedAt string   `json:"imported_at"`
	Rows       int      `json:"rows"`
	Problems   int      `json:"problems"`
	Conforming bool     `json:"conforming"`
	Columns    []string `json:"columns"`
	Entry      *int64   `json:"entry,omitempty"`
}

func toVersionJSON(v tally.ListVersion) versionJSON {
	cols := make([]string, len(v.Header.Columns))
	for i, c := range v.Header.Columns {
		cols[i] = c.Name
	}
	j := versionJSON{v.AgreementID, v.ListID, v.Version, v.Party, string(v.Kind), v.FileName, v.SHA256, v.Size,
		v.Category, v.ImportedAt.UTC().Format(time.RFC3339), v.Rows, v.Problems, v.Conforming, cols, nil}
	if v.Entry >= 0 {
		e := v.Entry
		j.Entry = &e
	}
	return j
}

func (s *Server) lists(w http.ResponseWriter, r *http.Request, actor tally.Actor) error {
	vs, err := s.svc.ListsFor(r.Context(), actor, r.PathValue("id"))
	if err != nil {
		return err
	}
	out := []versionJSON{}
	for _, v := range vs {
		v.Entry = -1 // the index is per version; see the version itself
		out = append(out, toVersionJSON(v))
	}
	return writeJSON(w, out)
}

func versionNumber(r *http.Request) (int, error) {
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil || n < 1 {
		return 0, &tally.Error{Code: tally.EInvalid, Key: "n", Message: "a list version is a number from 1"}
	}
	return n, nil
}

func (s *Server) listVersion(w http.ResponseWriter, r *http.Request, actor tally.Actor) error {
	n, err := versionNumber(r)
	if err != nil {
		return err
	}
	v, rep, err := s.svc.ListVersionFor(r.Context(), actor, r.PathValue("id"), r.PathValue("list"), n)
	if err != nil {
		return err
	}
	return writeJSON(w, toVersionReportJSON(v, rep))
}

// versionReportJSON is a list version with its conformity report.
type versionReportJSON struct {
	Version versionJSON  `json:"version"`
	Report  tally.Report `json:"report"`
}

// toVersionReportJSON gives a report's lists as arrays, empty ones too.
func toVersionReportJSON(v tally.ListVersion, rep tally.Report) versionReportJSON {
	if rep.Unknown == nil {
		rep.Unknown = []string{}
	}
	if rep.Problems == nil {
		rep.Problems = []tally.Problem{}
	}
	if rep.Notes == nil {
		rep.Notes = []tally.Note{}
	}
	return versionReportJSON{toVersionJSON(v), rep}
}

// rowsJSON is a page of a list version's rows.
type rowsJSON struct {
	List    string    `json:"list"`
	Version int       `json:"version"`
	Rows    []rowJSON `json:"rows"`
	Next    *int      `json:"next_after"` // null on the last page
}

type rowJSON struct {
	Line   int        `json:"line"`
	Ref    string     `json:"ref"`
	Fields fieldsJSON `json:"fields"`
	Extra  []string   `json:"extra,omitempty"`
}

// fieldsJSON are a row's non-empty recognised cells but the ref, keyed by
// field name in alphabetical order: what encoding/json wrote for the map
// they were, without making and sorting a map for every row of a page.
// TestFieldsJSON keeps it in step with tally's fields.
type fieldsJSON struct {
	BirthDate     string `json:"birth_date,omitempty"`
	BirthPlace    string `json:"birth_place,omitempty"`
	CaptureDate   string `json:"capture_date,omitempty"`
	CapturePlace  string `json:"capture_place,omitempty"`
	Category      string `json:"category,omitempty"`
	Citizenship   string `json:"citizenship,omitempty"`
	Condition     string `json:"condition,omitempty"`
	DeathDate     string `json:"death_date,omitempty"`
	FullName      string `json:"full_name,omitempty"`
	GivenName     string `json:"given_name,omitempty"`
	Guardian      string `json:"guardian,omitempty"`
	Notes         string `json:"notes,omitempty"`
	Patronymic    string `json:"patronymic,omitempty"`
	Rank          string `json:"rank,omitempty"`
	RemainsTag    string `json:"remains_tag,omitempty"`
	ServiceNumber string `json:"service_number,omitempty"`
	Sex           string `json:"sex,omitempty"`
	Surname       string `json:"surname,omitempty"`
	Unit          string `json:"unit,omitempty"`
}

func toFieldsJSON(v *[tally.NumFields]string) fieldsJSON {
	return fieldsJSON{
		BirthDate: v[tally.FieldBirthDate], BirthPlace: v[tally.FieldBirthPlace], CaptureDate: v[tally.FieldCaptureDate],
		CapturePlace: v[tally.FieldCapturePlace], Category: v[tally.FieldCategory], Citizenship: v[tally.FieldCitizenship],
		Condition: v[tally.FieldCondition], DeathDate: v[tally.FieldDeathDate], FullName: v[tally.FieldFullName],
		GivenName: v[tally.FieldGivenName], Guardian: v[tally.FieldGuardian], Notes: v[tally.FieldNotes],
		Patronymic: v[tally.FieldPatronymic], Rank: v[tally.FieldRank], RemainsTag: v[tally.FieldRemainsTag],
		ServiceNumber: v[tally.FieldServiceNumber], Sex: v[tally.FieldSex], Surname: v[tally.FieldSurname], Unit: v[tally.FieldUnit],
	}
}

func (s *Server) rows(w http.ResponseWriter, r *http.Request, actor tally.Actor) error {
	n, err := versionNumber(r)
	if err != nil {
		return err
	}
	after, limit := 0, tally.MaxRowsPerRead
	q := r.URL.Query()
	if a := q.Get("after"); a != "" {
		if after, err = strconv.Atoi(a); err != nil || after < 0 {
			return &tally.Error{Code: tally.EInvalid, Key: "after", Message: "after is the line the page starts after: a number from 0"}
		}
	}
	if l := q.Get("limit"); l != "" {
		if limit, err = strconv.Atoi(l); err != nil || limit < 1 || limit > tally.MaxRowsPerRead {
			return &tally.Error{Code: tally.EInvalid, Key: "limit", Message: "limit is a number from 1 to " + strconv.Itoa(tally.MaxRowsPerRead)}
		}
	}
	v, rows, err := s.svc.RowsFor(r.Context(), actor, r.PathValue("id"), r.PathValue("list"), n, after, limit)
	if err != nil {
		return err
	}
	out := rowsJSON{v.ListID, v.Version, make([]rowJSON, 0, len(rows)), nil}
	for _, row := range rows {
		out.Rows = append(out.Rows, rowJSON{Line: row.Row.Line, Ref: row.Ref, Fields: toFieldsJSON(&row.Row.Values), Extra: row.Row.Extra})
	}
	if len(rows) == limit {
		last := rows[len(rows)-1].Row.Line
		out.Next = &last
	}
	return writeJSON(w, out)
}

// importList reads the form fields, checks that the actor may import the
// party's list before reading the file, spools the file to a private
// temporary file, which the service then reads twice (the bytes as they
// are, and the rows), and removes it.
func (s *Server) importList(w http.ResponseWriter, r *http.Request, actor tally.Actor) error {
	r.Body = http.MaxBytesReader(w, r.Body, s.cfg.MaxUpload+1<<20)
	mr, err := r.MultipartReader()
	if err != nil {
		return badRequest("send the list as multipart/form-data: the fields party, kind (name, category), then the file")
	}
	form, err := readUpload(mr, []string{"party", "kind", "name", "category", "salt", "entry"}, true)
	if err != nil {
		return err
	}
	in := tally.Import{AgreementID: r.PathValue("id"), FileName: form.fileName, Party: strings.ToUpper(form.fields["party"]),
		Name: form.fields["name"], Category: form.fields["category"]}
	if e := form.fields["entry"]; e != "" {
		// Signed by the party away from the server (prepare-entry): the
		// entry commits to the file with the party's own salt.
		if in.Salt, err = base64.StdEncoding.Strict().DecodeString(form.fields["salt"]); err != nil {
			return &tally.Error{Code: tally.EInvalid, Key: "salt", Message: "the salt is not base64"}
		}
		in.Entry = []byte(e + "\n")
	}
	kind, file := form.fields["kind"], form.file
	if in.Party == "" {
		return &tally.Error{Code: tally.EInvalid, Key: "party", Message: "say whose list it is in the field party, before the file"}
	}
	k, err := tally.ParseListKind(kind)
	if err != nil {
		return err
	}
	in.Kind = k
	// Refuse before the file is read; the service asks again.
	a, _, err := s.svc.Agreement(r.Context(), in.AgreementID)
	if err != nil {
		return err
	}
	if err := tally.Authorize(actor, tally.ActionImportList, tally.Resource{Agreement: &a, Party: in.Party}); err != nil {
		return err
	}
	f, err := os.CreateTemp(s.cfg.TempDir, "tally-upload-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	defer f.Close()
	n, err := io.Copy(f, io.LimitReader(file, s.cfg.MaxUpload+1))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return &tally.Error{Code: tally.EInvalid, Key: "file", Message: "the file is larger than the server accepts"}
		}
		return badRequest("reading the file: %v", err)
	}
	if n > s.cfg.MaxUpload {
		return &tally.Error{Code: tally.EInvalid, Key: "file", Message: "the file is larger than the server accepts"}
	}
	v, rep, err := s.importSpooled(r.Context(), actor, in, f.Name())
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/agreements/"+v.AgreementID+"/lists/"+v.ListID+"/versions/"+strconv.Itoa(v.Version))
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	return writeJSON(w, toVersionReportJSON(v, rep))
}

// reviewStatusJSON is where the review of one list stands.
type reviewStatusJSON struct {
	List       string `json:"list"`
	Kind       string `json:"kind"`
	Version    int    `json:"version"`
	Submitter  string `json:"submitter"`
	Receiver   string `json:"receiver"`
	Rows       int    `json:"rows"`
	Accepted   int    `json:"accepted"`
	Objections int    `json:"objections"`
	Unanswered int    `json:"unanswered"`
	WaitingFor string `json:"waiting_for"`
	Since      string `json:"since"`
	Move       string `json:"move"`
	Entry      int64  `json:"entry"`
}

func (s *Server) review(w http.ResponseWriter, r *http.Request, actor tally.Actor) error {
	p, _, err := s.sharedProcess(r, actor, tally.ActionReadProcess)
	if err != nil {
		return err
	}
	out := []reviewStatusJSON{}
	for _, l := range p.Lists() {
		out = append(out, reviewStatusJSON{l.List, l.Kind, l.Version, l.Submitter, l.Receiver, l.Rows, l.Accepted, l.Objections,
			l.Unanswered, l.WaitingFor, l.Since.UTC().Format(time.RFC3339), l.Move(), l.Entry})
	}
	return writeJSON(w, out)
}

// sharedProcess returns the process of the agreement the request names, as the
// service shares it between requests (read only), replayed for action.
func (s *Server) sharedProcess(r *http.Request, actor tally.Actor, action tally.Action) (exchange.Process, *ledger.Checkpoint, error) {
	p, cp, err := s.svc.ProcessFor(r.Context(), actor, action, r.PathValue("id"))
	if err != nil {
		return exchange.Process{}, nil, err
	}
	ep, ok := p.(exchange.Process)
	if !ok {
		return exchange.Process{}, nil, tally.Errorf(tally.EInternal, "the service's process is a %T, not the exchange's", p)
	}
	return ep, cp, nil
}

// publicReportJSON is the public report, tied to the checkpoint it was
// computed at (null when the store keeps no log).
type publicReportJSON struct {
	exchange.Report
	Checkpoint *checkpointJSON `json:"checkpoint"`
}

type checkpointJSON struct {
	Origin    string   `json:"origin"`
	Size      int64    `json:"size"`
	RootHash  string   `json:"root_hash"`
	Time      string   `json:"time"`
	Cosigners []string `json:"cosigners"`
}

func (s *Server) report(w http.ResponseWriter, r *http.Request, actor tally.Actor) error {
	if err := tally.Authorize(actor, tally.ActionReadReport, tally.Resource{}); err != nil {
		return err
	}
	p, cp, err := s.sharedProcess(r, actor, tally.ActionReadReport)
	if err != nil {
		return err
	}
	out := publicReportJSON{Report: p.Report()}
	if cp != nil {
		out.Checkpoint = &checkpointJSON{Origin: cp.Origin, Size: cp.Size, RootHash: base64.StdEncoding.EncodeToString(cp.Hash[:]),
			Time: cp.Time.UTC().Format(time.RFC3339), Cosigners: cp.Cosigners}
		if out.Checkpoint.Cosigners == nil {
			out.Checkpoint.Cosigners = []string{}
		}
	}
	return writeJSON(w, out)
}

func (s *Server) checkpoint(w http.ResponseWriter, r *http.Request, actor tally.Actor) error {
	cp, err := s.svc.CheckpointFor(r.Context(), actor)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, err = w.Write(cp)
	return err
}
