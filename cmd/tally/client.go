package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"tally"
	"tally/agreementfile"
	"tally/exchange"
	"tally/ledger"
)

// The command line against a server (--server URL): the steps of the
// process are prepared by the server, signed here with the party's key —
// which never leaves this machine — and sent back (see http/steps.go);
// the status commands replay the steps the server gives, as a local store
// would. The person is the one the API token (--token, or $TALLY_TOKEN)
// belongs to: the server records their name and organisation, so --as and
// --by are not needed.

// serverClient talks to a tally server's JSON API.
type serverClient struct {
	base  *url.URL
	token string
	http  *http.Client
}

// client returns the client of the server --server names.
func (a *app) client() (*serverClient, error) {
	u, err := url.Parse(a.server)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, usagef("--server %q: give the server's address, such as https://tally.example.org", a.server)
	}
	token := a.token
	if token == "" {
		token = os.Getenv("TALLY_TOKEN")
	}
	if token == "" {
		return nil, usagef("--server needs an API token: set $TALLY_TOKEN (or --token) to the token your administrator issued with tally users token")
	}
	return &serverClient{base: u, token: token, http: &http.Client{Timeout: 5 * time.Minute}}, nil
}

// problem is an RFC 9457 problem as the server writes it.
type problem struct {
	Status int    `json:"status"`
	Detail string `json:"detail"`
	Code   string `json:"code"`
	Key    string `json:"key"`
	Hint   string `json:"hint"`
}

// do sends in (JSON, or nothing when nil) and reads the answer into out.
// A problem the server answers becomes a *tally.Error with its code,
// message and hint, so that it reads as a local one would.
func (c *serverClient) do(ctx context.Context, method, path string, in, out any) error {
	if in == nil {
		return c.send(ctx, method, path, "", nil, out)
	}
	b, err := json.Marshal(in)
	if err != nil {
		return err
	}
	return c.send(ctx, method, path, "application/json", bytes.NewReader(b), out)
}

// send sends body, of contentType, and reads the answer as do does.
func (c *serverClient) send(ctx context.Context, method, path, contentType string, body io.Reader, out any) error {
	path, query, _ := strings.Cut(path, "?") // JoinPath would escape the "?"
	u := c.base.JoinPath(path)
	u.RawQuery = query
	req, err := http.NewRequestWithContext(ctx, method, u.String(), body)
	if err != nil {
		return err
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Authorization", "Bearer "+c.token)
	res, err := c.http.Do(req)
	if err != nil {
		return &tally.Error{Code: tally.EInternal, Message: fmt.Sprintf("the server at %s cannot be reached: %v", c.base.Host, errors.Unwrap(err)),
			Hint: "check the address given with --server and the network"}
	}
	defer res.Body.Close()
	b, err := io.ReadAll(io.LimitReader(res.Body, 256<<20))
	if err != nil {
		return fmt.Errorf("reading the server's answer: %w", err)
	}
	if res.StatusCode >= 400 {
		var p problem
		if json.Unmarshal(b, &p) != nil || p.Detail == "" {
			return &tally.Error{Code: tally.EInternal, Message: fmt.Sprintf("the server at %s answered %s", c.base.Host, res.Status)}
		}
		code := tally.ErrorCode(p.Code)
		if res.StatusCode == http.StatusUnauthorized {
			p.Hint = "the API token is not valid (revoked or mistyped?): ask your administrator for one (tally users token)"
		}
		return &tally.Error{Code: code, Key: p.Key, Message: p.Detail, Hint: p.Hint}
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(b, out); err != nil {
		return &tally.Error{Code: tally.EInternal, Message: fmt.Sprintf("the server at %s answered what this tally cannot read (%v): is it the same version?", c.base.Host, err)}
	}
	return nil
}

// remoteAgreement returns the agreement id names, or the only one the
// server shows when id is empty, parsed from its source.
func (c *serverClient) remoteAgreement(ctx context.Context, id string) (*tally.Agreement, error) {
	if id == "" {
		var list []struct {
			ID string `json:"id"`
		}
		if err := c.do(ctx, "GET", "/api/agreements", nil, &list); err != nil {
			return nil, err
		}
		switch len(list) {
		case 0:
			return nil, usagef("the server shows you no agreement")
		case 1:
			id = list[0].ID
		default:
			var ids []string
			for _, a := range list {
				ids = append(ids, a.ID)
			}
			return nil, usagef("the server holds several agreements; say which with --agreement (%s)", strings.Join(ids, ", "))
		}
	}
	var j struct {
		Source string `json:"source"`
	}
	if err := c.do(ctx, "GET", "/api/agreements/"+url.PathEscape(id), nil, &j); err != nil {
		return nil, err
	}
	ag, err := agreementfile.Parse(id+".yaml", []byte(j.Source))
	if err != nil {
		return nil, err
	}
	return &ag, nil
}

// processRemote replays the steps the server gives into a new process.
func (a *app) processRemote(ctx context.Context, agreementID string) (exchange.Process, *tally.Agreement, error) {
	c, err := a.client()
	if err != nil {
		return exchange.Process{}, nil, err
	}
	ag, err := c.remoteAgreement(ctx, agreementID)
	if err != nil {
		return exchange.Process{}, nil, err
	}
	var steps struct {
		Steps []struct {
			Entry   int64  `json:"entry"`
			Kind    string `json:"kind"`
			By      string `json:"by"`
			Payload string `json:"payload"`
		} `json:"steps"`
	}
	if err := c.do(ctx, "GET", "/api/agreements/"+url.PathEscape(ag.ID)+"/steps", nil, &steps); err != nil {
		return exchange.Process{}, nil, err
	}
	p := exchange.NewProcess(ag)
	for _, st := range steps.Steps {
		if err := p.Apply(st.Entry, st.Kind, st.By, []byte(st.Payload)); err != nil {
			return exchange.Process{}, nil, &tally.Error{Code: tally.EInternal,
				Message: fmt.Sprintf("the server's step of entry %d (%s by %s) does not apply here: %v", st.Entry, st.Kind, st.By, err)}
		}
	}
	return p, ag, nil
}

// recordRemote takes steps through the server: prepared there, signed
// here with the key in f.key, recorded there. When the party's chain moved
// on in between (another of its signers took a step), it prepares again.
func (a *app) recordRemote(ctx context.Context, f stepFlags, bodies ...any) ([]int64, error) {
	if f.key == "" {
		return nil, usagef("every step needs --key, the private key of your side (tally-party-CODE.key): it signs here and never leaves this machine")
	}
	signer, err := readSigner(f.key)
	if err != nil {
		return nil, err
	}
	c, err := a.client()
	if err != nil {
		return nil, err
	}
	if f.as != "" {
		var me struct {
			Org struct {
				Code string `json:"code"`
			} `json:"org"`
		}
		if err := c.do(ctx, "GET", "/api/me", nil, &me); err != nil {
			return nil, err
		}
		if !strings.EqualFold(f.as, me.Org.Code) {
			return nil, usagef("--as %s, but your token is %s's: a side signs only for itself", strings.ToUpper(f.as), me.Org.Code)
		}
	}
	ag, err := c.remoteAgreement(ctx, f.agreement)
	if err != nil {
		return nil, err
	}
	type stepIn struct {
		Kind string `json:"kind"`
		Body any    `json:"body"`
	}
	var req struct {
		Steps []stepIn `json:"steps"`
	}
	for _, b := range bodies {
		req.Steps = append(req.Steps, stepIn{exchange.KindOf(b), b})
	}
	path := "/api/agreements/" + url.PathEscape(ag.ID) + "/steps"
	for attempt := 1; ; attempt++ {
		var prep struct {
			Party string `json:"party"`
			Entry string `json:"entry"`
			Steps []struct {
				Kind    string `json:"kind"`
				Payload string `json:"payload"`
				Salt    string `json:"salt"`
			} `json:"steps"`
		}
		if err := c.do(ctx, "POST", path+"/prepare", req, &prep); err != nil {
			return nil, err
		}
		if len(prep.Steps) != len(bodies) {
			return nil, tally.Errorf(tally.EInternal, "the server prepared %d steps, not the %d asked for: nothing was signed", len(prep.Steps), len(bodies))
		}
		// Check that each payload is the step asked for, before signing
		// the commitment to it: the server chose only who, when and the
		// salt.
		var chain []ledger.Step
		for i, st := range prep.Steps {
			e, err := exchange.Decode([]byte(st.Payload))
			if err != nil {
				return nil, tally.Errorf(tally.EInternal, "the server prepared step %d as something this tally cannot read (%v): nothing was signed", i+1, err)
			}
			want, _ := json.Marshal(bodies[i])
			got, _ := json.Marshal(e.Body)
			if e.Kind != req.Steps[i].Kind || e.By != prep.Party || !bytes.Equal(want, got) {
				return nil, tally.Errorf(tally.EInternal, "the server prepared step %d as another step than asked for: nothing was signed", i+1)
			}
			salt, err := base64.StdEncoding.DecodeString(st.Salt)
			if err != nil {
				return nil, tally.Errorf(tally.EInternal, "the server prepared step %d with a salt that is not base64: nothing was signed", i+1)
			}
			chain = append(chain, ledger.Step{Kind: st.Kind, Commitment: ledger.Commit(salt, []byte(st.Payload))})
		}
		signed, err := ledger.SignChain([]byte(prep.Entry), chain, signer)
		if err != nil {
			return nil, &tally.Error{Code: tally.EInvalid, Key: "--key", Message: strings.TrimPrefix(err.Error(), "ledger: ")}
		}
		type signedStep struct {
			Kind    string `json:"kind"`
			Payload string `json:"payload"`
			Salt    string `json:"salt"`
			Entry   string `json:"entry"`
		}
		var sub struct {
			Steps []signedStep `json:"steps"`
		}
		for i, st := range prep.Steps {
			sub.Steps = append(sub.Steps, signedStep{st.Kind, st.Payload, st.Salt, string(signed[i])})
		}
		var out struct {
			Entries []int64 `json:"entries"`
		}
		err = c.do(ctx, "POST", path, sub, &out)
		if tally.ErrorCodeOf(err) == tally.EConflict && attempt < 3 && strings.Contains(err.Error(), "prepare the step") {
			continue
		}
		if err != nil {
			return nil, err
		}
		return out.Entries, nil
	}
}

// importRemote imports a list file through the server. On a server that
// keeps the signed log, the file's entry is signed here: this side picks
// the salt, commits to the file itself, has the server prepare the entry
// for that commitment, signs it with the key in keyPath, and sends the
// salt and the signed entry before the file.
func (a *app) importRemote(ctx context.Context, in tally.Import, kind, path, keyPath string, asJSON bool) error {
	c, err := a.client()
	if err != nil {
		return err
	}
	ag, err := c.remoteAgreement(ctx, in.AgreementID)
	if err != nil {
		return err
	}
	fields := [][2]string{{"party", in.Party}, {"kind", kind}, {"name", in.Name}, {"category", in.Category}}
	if keyPath != "" {
		signer, err := readSigner(keyPath)
		if err != nil {
			return err
		}
		salt := ledger.NewSalt()
		f, err := os.Open(path)
		if err != nil {
			return tally.InFile(err, path, 0)
		}
		h := sha256.New()
		h.Write(salt)
		_, err = io.Copy(h, f)
		f.Close()
		if err != nil {
			return tally.InFile(err, path, 0)
		}
		commitment := ledger.Hash(h.Sum(nil))
		var prep struct {
			Entry string `json:"entry"`
		}
		if err := c.do(ctx, "POST", "/api/agreements/"+url.PathEscape(ag.ID)+"/lists/prepare",
			map[string]string{"party": in.Party, "commitment": commitment.String()}, &prep); err != nil {
			return err
		}
		signed, err := ledger.SignChain([]byte(prep.Entry), []ledger.Step{{Kind: ledger.KindListVersion, Commitment: commitment}}, signer)
		if err != nil {
			return &tally.Error{Code: tally.EInvalid, Key: "--key", Message: strings.TrimPrefix(err.Error(), "ledger: ")}
		}
		fields = append(fields, [2]string{"salt", base64.StdEncoding.EncodeToString(salt)}, [2]string{"entry", string(signed[0])})
	}
	f, err := os.Open(path)
	if err != nil {
		return tally.InFile(err, path, 0)
	}
	defer f.Close()
	// The file streams to the server as it is read: a large list is never
	// held whole.
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		for _, kv := range fields {
			if kv[1] != "" {
				mw.WriteField(kv[0], kv[1])
			}
		}
		fw, err := mw.CreateFormFile("file", filepath.Base(path))
		if err == nil {
			_, err = io.Copy(fw, f)
		}
		if err == nil {
			err = mw.Close()
		}
		pw.CloseWithError(err)
	}()
	var out struct {
		Version versionJSON  `json:"version"`
		Report  tally.Report `json:"report"`
	}
	if err := c.send(ctx, "POST", "/api/agreements/"+url.PathEscape(ag.ID)+"/lists", mw.FormDataContentType(), pr, &out); err != nil {
		return tally.InFile(err, path, 0)
	}
	if asJSON {
		return writeJSON(a.stdout, out)
	}
	v := out.Version
	fmt.Fprintf(a.stdout, "stored %s@%d on %s: %s, version %d of %s's %s list under %s\n  sha256 %s, %d bytes\n",
		v.List, v.Version, c.base.Host, path, v.Version, v.Party, v.Kind, v.Agreement, v.SHA256, v.Size)
	if v.Entry != nil {
		fmt.Fprintf(a.stdout, "  signed by %s and recorded as entry %d of the shared record\n", v.Party, *v.Entry)
	}
	fmt.Fprintln(a.stdout)
	printReport(a.stdout, out.Report)
	return nil
}

// submitRemote puts a list version to review through the server: the
// version's rows (refs and categories) are read from the server, page by
// page, and the step is signed here, as every step is.
func (a *app) submitRemote(ctx context.Context, f stepFlags, ref string) error {
	c, err := a.client()
	if err != nil {
		return err
	}
	ag, err := c.remoteAgreement(ctx, f.agreement)
	if err != nil {
		return err
	}
	f.agreement = ag.ID
	listID, n, err := tally.ParseVersionRef(ref)
	if err != nil {
		return err
	}
	base := "/api/agreements/" + url.PathEscape(ag.ID) + "/lists"
	if n == 0 {
		var latest []struct {
			List    string `json:"list"`
			Version int    `json:"version"`
		}
		if err := c.do(ctx, "GET", base, nil, &latest); err != nil {
			return err
		}
		for _, v := range latest {
			if v.List == listID {
				n = v.Version
			}
		}
		if n == 0 {
			return tally.Errorf(tally.ENotFound, "the server shows you no list %s", listID)
		}
	}
	vpath := base + "/" + url.PathEscape(listID) + "/versions/" + fmt.Sprint(n)
	var vr struct {
		Version versionJSON `json:"version"`
	}
	if err := c.do(ctx, "GET", vpath, nil, &vr); err != nil {
		return err
	}
	body := exchange.ListSubmitted{List: listID, Version: n, Kind: vr.Version.Kind}
	for after := 0; ; {
		var page struct {
			Rows []struct {
				Ref    string            `json:"ref"`
				Fields map[string]string `json:"fields"`
			} `json:"rows"`
			Next *int `json:"next_after"`
		}
		if err := c.do(ctx, "GET", fmt.Sprintf("%s/rows?after=%d&limit=%d", vpath, after, tally.MaxRowsPerRead), nil, &page); err != nil {
			return err
		}
		for _, r := range page.Rows {
			cat := r.Fields[tally.FieldCategory.String()]
			if cat == "" {
				cat = vr.Version.Category
			}
			body.Rows = append(body.Rows, exchange.ListRow{Ref: r.Ref, Category: tally.Code(cat)})
		}
		if page.Next == nil {
			break
		}
		after = *page.Next
	}
	entries, err := a.recordRemote(ctx, f, body)
	if err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "%s@%d put to review: %s, %s\n", listID, n, plural(len(body.Rows), "row"), entriesText(entries))
	return nil
}
