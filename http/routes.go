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
		{"GET", "/api/agreements/{id}", true, "An agreement's terms", "Agreement", s.agreement},
		{"GET", "/api/agreements/{id}/lists", true, "For each list, the latest version you may read", "ListVersions", s.lists},
		{"POST", "/api/agreements/{id}/lists", true, "Import a list file as a new version of a party's list (multipart: party, kind, name, category, then file)", "Import", s.importList},
		{"GET", "/api/agreements/{id}/lists/{list}/versions/{n}", true, "A list version and its conformity report (audited)", "VersionReport", s.listVersion},
		{"GET", "/api/agreements/{id}/lists/{list}/versions/{n}/rows", true, "A page of a list version's rows (personal data, audited): ?after=LINE&limit=N", "Rows", s.rows},
		{"GET", "/api/agreements/{id}/review", true, "Where the review of each list stands, whose move it is", "Review", s.review},
		{"GET", "/api/agreements/{id}/report", true, "The public report: counts only, tied to a checkpoint", "PublicReport", s.report},
		{"GET", "/api/log/checkpoint", true, "The shared record's latest signed checkpoint", "text", s.checkpoint},
		{"GET", "/api/orgs/{org}/users", true, "The accounts of an organisation (its admins only)", "Users", s.users},
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
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
		return &tally.Error{Code: codeBadRequest, Message: "send the body as application/json"}
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxJSONBody))
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

func (s *Server) users(w http.ResponseWriter, r *http.Request, actor tally.Actor) error {
	us, err := s.svc.UsersFor(r.Context(), actor, strings.ToUpper(r.PathValue("org")))
	if err != nil {
		return err
	}
	out := []userJSON{}
	for _, u := range us {
		out = append(out, toUserJSON(u))
	}
	return writeJSON(w, out)
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
}

func (s *Server) agreement(w http.ResponseWriter, r *http.Request, actor tally.Actor) error {
	a, err := s.svc.AgreementFor(r.Context(), actor, r.PathValue("id"))
	if err != nil {
		return err
	}
	j := agreementJSON{agreementSummary: agreementSummary{a.ID, a.Title, a.Date.String()}, Parties: []partyJSON{}, Categories: []categoryJSON{}}
	for _, p := range a.Parties {
		j.Parties = append(j.Parties, partyJSON{p.Code, p.Name})
	}
	if a.Mediator != nil {
		j.Mediator = &partyJSON{a.Mediator.Code, a.Mediator.Name}
	}
	for _, c := range a.Categories {
		j.Categories = append(j.Categories, categoryJSON{c.ID, c.Title, string(c.Subject), string(c.Terms), c.Quantity, c.From, c.To})
	}
	return writeJSON(w, j)
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
	if rep.Unknown == nil {
		rep.Unknown = []string{}
	}
	return writeJSON(w, struct {
		Version versionJSON  `json:"version"`
		Report  tally.Report `json:"report"`
	}{toVersionJSON(v), rep})
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
	out := struct {
		List    string    `json:"list"`
		Version int       `json:"version"`
		Rows    []rowJSON `json:"rows"`
		Next    *int      `json:"next_after"` // null on the last page
	}{v.ListID, v.Version, make([]rowJSON, 0, len(rows)), nil}
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
	form, err := readUpload(mr, []string{"party", "kind", "name", "category"}, true)
	if err != nil {
		return err
	}
	in := tally.Import{AgreementID: r.PathValue("id"), FileName: form.fileName, Party: strings.ToUpper(form.fields["party"]),
		Name: form.fields["name"], Category: form.fields["category"]}
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
	if rep.Unknown == nil {
		rep.Unknown = []string{}
	}
	return writeJSON(w, struct {
		Version versionJSON  `json:"version"`
		Report  tally.Report `json:"report"`
	}{toVersionJSON(v), rep})
}

func (s *Server) review(w http.ResponseWriter, r *http.Request, actor tally.Actor) error {
	p, _, err := s.sharedProcess(r, actor, tally.ActionReadProcess)
	if err != nil {
		return err
	}
	type status struct {
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
	out := []status{}
	for _, l := range p.Lists() {
		out = append(out, status{l.List, l.Kind, l.Version, l.Submitter, l.Receiver, l.Rows, l.Accepted, l.Objections,
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
	out := struct {
		exchange.Report
		Checkpoint *checkpointJSON `json:"checkpoint"`
	}{Report: p.Report()}
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
