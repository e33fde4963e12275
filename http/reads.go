package http

import (
	"archive/tar"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"io"
	"mime"
	"net/http"
	"os"
	"path"
	"strconv"
	"strings"
	"time"

	"tally"
	"tally/ledger"
)

// Downloads and the shared record: a list version's original file and the
// decisions on pairs (personal data, audited by the service), the log a
// page of entries at a time, an entry's receipt, and the whole log as one
// archive.

// countingWriter counts what went through, so that a failure after the
// first byte is not answered with a problem document inside the download.
type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// sent ends a download that failed after its first byte: the status and
// headers are gone, so the failure goes to the log, and the connection is
// cut short of the Content-Length it announced, which clients report.
func sent(r *http.Request, cw *countingWriter, err error) error {
	if err == nil || cw.n == 0 {
		return err
	}
	info(r).internal = err
	info(r).code = tally.ErrorCodeOf(err)
	return nil
}

func (s *Server) original(w http.ResponseWriter, r *http.Request, actor tally.Actor) error {
	n, err := versionNumber(r)
	if err != nil {
		return err
	}
	v, write, err := s.svc.OriginalFor(r.Context(), actor, r.PathValue("id"), r.PathValue("list"), n)
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "application/octet-stream")
	if d := mime.FormatMediaType("attachment", map[string]string{"filename": v.FileName}); d != "" {
		h.Set("Content-Disposition", d)
	} else {
		h.Set("Content-Disposition", "attachment")
	}
	h.Set("Content-Length", strconv.FormatInt(v.Size, 10))
	// The file's SHA-256 as RFC 9530 says (base64) and as tally prints it
	// everywhere else (hex), to compare with tally list show.
	if sum, err := hex.DecodeString(v.SHA256); err == nil {
		h.Set("Repr-Digest", "sha-256=:"+base64.StdEncoding.EncodeToString(sum)+":")
	}
	h.Set("X-Tally-SHA256", v.SHA256)
	cw := &countingWriter{w: w}
	return sent(r, cw, write(cw))
}

// versionRefJSON names a list version.
type versionRefJSON struct {
	List    string `json:"list"`
	Version int    `json:"version"`
}

// pairDecisionJSON is a person's decision on a pair of rows.
type pairDecisionJSON struct {
	Left     string  `json:"left"`  // the row's ref in the left list version
	Right    string  `json:"right"` // in the right one
	Verdict  string  `json:"verdict"`
	Score    float64 `json:"score"`
	By       string  `json:"by"`
	Party    string  `json:"party"`
	At       string  `json:"at"`
	Note     string  `json:"note,omitempty"`
	Replaced bool    `json:"replaced"` // a later decision on the same pair is in force
}

// matchesJSON is the decisions taken on the pairs between two list
// versions, oldest first.
type matchesJSON struct {
	Left      versionRefJSON     `json:"left"`
	Right     versionRefJSON     `json:"right"`
	Decisions []pairDecisionJSON `json:"decisions"`
}

func (s *Server) matches(w http.ResponseWriter, r *http.Request, actor tally.Actor) error {
	q := r.URL.Query()
	for _, k := range []string{"left", "right"} {
		if q.Get(k) == "" {
			return &tally.Error{Code: tally.EInvalid, Key: k, Message: "name both list versions: ?left=LIST@N&right=LIST@N", Hint: "such as ?left=ua-request@2&right=ru-custody@1"}
		}
	}
	left, right, ds, err := s.svc.PairDecisionsFor(r.Context(), actor, r.PathValue("id"), q.Get("left"), q.Get("right"))
	if err != nil {
		return err
	}
	out := matchesJSON{versionRefJSON{left.ListID, left.Version}, versionRefJSON{right.ListID, right.Version}, []pairDecisionJSON{}}
	last := map[string]int{}
	for i, d := range ds {
		last[d.Left+"\x00"+d.Right] = i
	}
	for i, d := range ds {
		out.Decisions = append(out.Decisions, pairDecisionJSON{d.Left, d.Right, d.Verdict(), d.Score, d.By, d.Party,
			d.At.UTC().Format(time.RFC3339), d.Note, last[d.Left+"\x00"+d.Right] != i})
	}
	return writeJSON(w, out)
}

// tarExport is a ledger.Writer into a tar archive, every file under one
// directory, so that extracting the archive gives the directory tally log
// export writes.
type tarExport struct {
	tw   *tar.Writer
	dir  string
	at   time.Time
	dirs map[string]bool
}

func (t *tarExport) mkdir(name string) error {
	if name == "." || name == "" || t.dirs[name] {
		return nil
	}
	if err := t.mkdir(path.Dir(name)); err != nil {
		return err
	}
	t.dirs[name] = true
	return t.tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: name + "/", Mode: 0o755, ModTime: t.at})
}

func (t *tarExport) WriteFile(name string, data []byte) error {
	name = path.Join(t.dir, name)
	if err := t.mkdir(path.Dir(name)); err != nil {
		return err
	}
	if err := t.tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: 0o644, Size: int64(len(data)), ModTime: t.at}); err != nil {
		return err
	}
	_, err := t.tw.Write(data)
	return err
}

// exportDir is the directory an exported log extracts to.
const exportDir = "tally-log"

// logExport answers the whole shared record as a tar archive of the
// directory tally log export writes. The archive is made in a temporary
// file first: an export that fails is a problem document, never half an
// archive; the store's transaction is not held while a slow client reads;
// and a broken download can resume (Range).
func (s *Server) logExport(w http.ResponseWriter, r *http.Request, actor tally.Actor) error {
	f, err := os.CreateTemp(s.cfg.TempDir, "tally-log-*.tar")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	defer f.Close()
	te := &tarExport{tw: tar.NewWriter(f), dir: exportDir, at: time.Now().UTC().Truncate(time.Second), dirs: map[string]bool{}}
	if err := s.svc.ExportLogFor(r.Context(), actor, te); err != nil {
		return err
	}
	if err := te.tw.Close(); err != nil {
		return err
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/x-tar")
	w.Header().Set("Content-Disposition", `attachment; filename="`+exportDir+`.tar"`)
	http.ServeContent(w, r, "", te.at, f)
	return nil
}

// logEntryJSON is one entry of the shared record: what it says, and the
// signed note itself, as the log stores it.
type logEntryJSON struct {
	Index          int64  `json:"index"`
	Kind           string `json:"kind"`
	Party          string `json:"party"`
	Seq            int64  `json:"seq"`
	Time           string `json:"time"`
	Prev           string `json:"prev"`       // SHA-256 of the party's previous entry, base64
	Commitment     string `json:"commitment"` // SHA-256(salt ‖ what was submitted), base64
	CheckpointSize int64  `json:"checkpoint_size"`
	CheckpointHash string `json:"checkpoint_hash"`
	Note           string `json:"note"` // the entry as signed (C2SP signed note)
}

// logEntriesJSON is a page of the log.
type logEntriesJSON struct {
	Size      int64          `json:"size"` // entries in the log
	Entries   []logEntryJSON `json:"entries"`
	NextStart *int64         `json:"next_start"` // null on the last page
}

func queryInt(r *http.Request, key string, def, lo, hi int64) (int64, error) {
	v := r.URL.Query().Get(key)
	if v == "" {
		return def, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < lo || n > hi {
		return 0, &tally.Error{Code: tally.EInvalid, Key: key, Message: key + " is a number from " + strconv.FormatInt(lo, 10) + " to " + strconv.FormatInt(hi, 10)}
	}
	return n, nil
}

func (s *Server) logEntries(w http.ResponseWriter, r *http.Request, actor tally.Actor) error {
	start, err := queryInt(r, "start", 0, 0, 1<<62)
	if err != nil {
		return err
	}
	n, err := queryInt(r, "n", tally.MaxEntriesPerRead, 1, tally.MaxEntriesPerRead)
	if err != nil {
		return err
	}
	size, es, err := s.svc.LogEntriesFor(r.Context(), actor, start, n)
	if err != nil {
		return err
	}
	out := logEntriesJSON{Size: size, Entries: []logEntryJSON{}}
	for _, e := range es {
		x := e.Entry
		out.Entries = append(out.Entries, logEntryJSON{e.Index, x.Kind, x.Party, x.Seq, x.Time.UTC().Format(time.RFC3339Nano),
			x.Prev.String(), x.Commitment.String(), x.Checkpoint.Size, x.Checkpoint.Hash.String(), string(e.Encoded)})
	}
	if next := start + int64(len(es)); len(es) > 0 && next < size {
		out.NextStart = &next
	}
	return writeJSON(w, out)
}

// receiptJSON is the receipt of one entry: the entry, its inclusion proof
// in a cosigned checkpoint, the checkpoint, and all of it as one proof
// that tally log check-proof checks offline.
type receiptJSON struct {
	Index          int64    `json:"index"`
	Entry          string   `json:"entry"`           // the signed note
	InclusionProof []string `json:"inclusion_proof"` // RFC 6962 hashes, base64
	Checkpoint     string   `json:"checkpoint"`      // the signed, cosigned checkpoint
	Proof          string   `json:"proof"`           // tally/proof/v1: save it, then tally log check-proof FILE --keys DIR
}

func (s *Server) receipt(w http.ResponseWriter, r *http.Request, actor tally.Actor) error {
	i, err := strconv.ParseInt(r.PathValue("i"), 10, 64)
	if err != nil || i < 0 {
		return &tally.Error{Code: tally.EInvalid, Key: "i", Message: "an entry's index is a number from 0"}
	}
	rc, err := s.svc.ReceiptFor(r.Context(), actor, i)
	if err != nil {
		return err
	}
	out := receiptJSON{Index: rc.Index, Entry: string(rc.Entry), InclusionProof: []string{}, Checkpoint: string(rc.Checkpoint),
		Proof: string((&ledger.Proof{Receipt: *rc}).Encode())}
	for _, h := range rc.InclusionProof {
		out.InclusionProof = append(out.InclusionProof, h.String())
	}
	return writeJSON(w, out)
}

// verifyOnServer exports the log for actor into a temporary directory and
// verifies it there as tally log verify does (every witness's cosignature
// required), returning the report, or the failure. An error that kept the
// verification from running at all is returned as err.
func (s *Server) verifyOnServer(r *http.Request, actor tally.Actor) (*ledger.VerifyReport, *ledger.VerifyError, error) {
	dir, err := os.MkdirTemp(s.cfg.TempDir, "tally-verify-*")
	if err != nil {
		return nil, nil, err
	}
	defer os.RemoveAll(dir)
	if err := s.svc.ExportLogFor(r.Context(), actor, ledger.DirWriter(dir)); err != nil {
		return nil, nil, err
	}
	rep, err := ledger.Verify(os.DirFS(dir), ledger.VerifyOptions{})
	var verr *ledger.VerifyError
	if errors.As(err, &verr) {
		return nil, verr, nil
	}
	return rep, nil, err
}

// failureText is a verification failure in the domain's words.
func failureText(v *ledger.VerifyError) string {
	return strings.TrimPrefix(v.Error(), "ledger: ")
}
