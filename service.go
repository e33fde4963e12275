package tally

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"filippo.io/age"
	"golang.org/x/mod/sumdb/note"

	"tally/ledger"
)

// Service carries out tally's operations on a Store: it checks what is
// asked against the agreement and what is stored, then writes everything
// the operation changes in one transaction.
type Service struct {
	store     Store
	now       func() time.Time
	logSigner note.Signer // the log's key, when this process is the mediator's (see UseLogKey)
	cosigner  Cosigner    // the log's witnesses (see UseWitnesses)
	// publisher is set while RunPublisher runs: changes then leave their
	// checkpoint to its next tick instead of each signing one.
	publisher atomic.Bool
	// newProcess makes an agreement's process, replayed to know which
	// list versions were put to review (see UseProcess).
	newProcess func(*Agreement) Reviewing
	// replays keeps replayed processes, shared read only between
	// requests while the steps they were built from are the store's
	// (see replayed.go).
	replays replayCache
	// audits gathers the records of audited reads, written together
	// (see audit.go).
	audits auditQueue
	// opened is the checkpoint last opened (see openCheckpoint).
	opened openedCheckpoint
}

// NewService returns a Service over store. now is the clock (time.Now in
// production, a fixed clock in tests).
func NewService(store Store, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{store: store, now: now}
}

// AddAgreement stores a checked agreement and the file it came from.
// Adding the same file again is harmless; a different agreement under an id
// already taken is refused, since stored agreements are never changed.
func (s *Service) AddAgreement(ctx context.Context, a Agreement, source []byte) error {
	if ps := a.Check(); len(ps) > 0 {
		return &Error{Code: EInvalid, Key: ps[0].Path, Message: ps[0].Message}
	}
	return s.store.Update(ctx, func(tx Tx) error {
		_, err := s.addAgreement(ctx, tx, a, source)
		return err
	})
}

// addAgreement is AddAgreement in tx, for a checked agreement; it reports
// whether the agreement was stored now (false: the same file was stored
// already).
func (s *Service) addAgreement(ctx context.Context, tx Tx, a Agreement, source []byte) (bool, error) {
	_, old, err := tx.Agreement(ctx, a.ID)
	switch {
	case err == nil && bytes.Equal(old, source):
		return false, nil
	case err == nil:
		return false, &Error{Code: EConflict, Key: "id",
			Message: fmt.Sprintf("agreement %s is already stored, with other terms", a.ID),
			Hint:    "a stored agreement is never changed: give the new terms a new id"}
	case ErrorCodeOf(err) != ENotFound:
		return false, err
	}
	return true, tx.AddAgreement(ctx, a, source)
}

// Agreement returns a stored agreement and its source file.
func (s *Service) Agreement(ctx context.Context, id string) (a Agreement, source []byte, err error) {
	err = s.store.View(ctx, func(tx Tx) error {
		a, source, err = tx.Agreement(ctx, id)
		return err
	})
	return a, source, err
}

// Agreements returns every stored agreement.
func (s *Service) Agreements(ctx context.Context) (as []Agreement, err error) {
	err = s.store.View(ctx, func(tx Tx) error {
		as, err = tx.Agreements(ctx)
		return err
	})
	return as, err
}

// Import is a list file to store as a new version of a party's list.
type Import struct {
	AgreementID string
	Party       string   // the submitting party's code
	Kind        ListKind // request, custody, remains or children
	Name        string   // optional, to keep several lists of one kind apart
	Category    string   // category of every row, for a list with no category column
	FileName    string   // as the user named it
	Original    io.Reader
	Rows        RowReader   // reads the same bytes as Original
	Signer      note.Signer // the party's key, signing the log entry; nil when the store keeps no log
	// Or, when the party signed the entry away from the service (the
	// command line against a server): the salt it committed to the file
	// with, and the entry it signed (see PrepareListEntryFor).
	Salt  []byte
	Entry []byte
}

// ListID returns the id of the list an import goes to: party and kind, and
// the name if one was given ("ua-request", "ua-request-wounded").
func ListID(party string, kind ListKind, name string) string {
	id := strings.ToLower(party) + "-" + string(kind)
	if name = strings.ToLower(strings.TrimSpace(name)); name != "" {
		id += "-" + name
	}
	return id
}

var listNamePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)

// fileChunk is how much of an original file is stored per row of the
// files table: large enough to be quick, small enough never to matter.
const fileChunk = 1 << 20

// rowBatch is how many rows go to the store at a time.
const rowBatch = 1000

// ImportList stores a new version of a list: the original bytes verbatim
// with their SHA-256, the rows as read and normalized, and the conformity
// report, all in one transaction. A list that does not conform is stored
// all the same (its problems are what the other side will see); a file that
// cannot be read stores nothing.
func (s *Service) ImportList(ctx context.Context, in Import) (ListVersion, Report, error) {
	if _, err := ParseListKind(string(in.Kind)); err != nil {
		return ListVersion{}, Report{}, err
	}
	if in.Name != "" && !listNamePattern.MatchString(strings.ToLower(in.Name)) {
		return ListVersion{}, Report{}, Errorf(EInvalid, "list name %q may hold only letters, digits and '-'", in.Name)
	}
	var v ListVersion
	var rep Report
	err := s.store.Update(ctx, func(tx Tx) error {
		var err error
		v, rep, err = s.importList(ctx, tx, in)
		return err
	})
	if err != nil {
		return ListVersion{}, Report{}, err
	}
	return v, rep, nil
}

// importList is ImportList in tx.
func (s *Service) importList(ctx context.Context, tx Tx, in Import) (v ListVersion, rep Report, err error) {
	if in.Name != "" && !listNamePattern.MatchString(strings.ToLower(in.Name)) {
		return ListVersion{}, Report{}, Errorf(EInvalid, "list name %q may hold only letters, digits and '-'", in.Name)
	}
	err = func() error {
		a, _, err := tx.Agreement(ctx, in.AgreementID)
		if err != nil {
			return err
		}
		party, ok := a.Party(in.Party)
		if !ok {
			return &Error{Code: EInvalid, Key: "--party",
				Message: fmt.Sprintf("%q is not a party to agreement %s", in.Party, a.ID),
				Hint:    "use " + a.Parties[0].Code + " or " + a.Parties[1].Code}
		}
		if _, err := NewChecker(&a, in.Rows.Header(), in.Category); err != nil {
			return err // before anything is written: the list cannot be checked at all
		}
		v = ListVersion{
			AgreementID: a.ID, ListID: ListID(party.Code, in.Kind, in.Name), Party: party.Code,
			Kind: in.Kind, FileName: in.FileName, Category: in.Category,
			ImportedAt: s.now().UTC(), Header: in.Rows.Header(), Conforming: true,
		}
		if err := tx.AddListVersion(ctx, &v); err != nil {
			return err
		}
		c, err := newCommitment()
		if err != nil {
			return err
		}
		if in.Entry != nil {
			// The party committed to the file with its own salt.
			if len(in.Salt) < 16 {
				return &Error{Code: EInvalid, Key: "salt", Message: "the salt of a signed import is at least 16 random bytes"}
			}
			c = &commitment{salt: in.Salt, h: sha256.New()}
			c.h.Write(in.Salt)
		}
		recipients, err := s.recipients(ctx, tx)
		if err != nil {
			return err
		}
		if err := s.storeFile(ctx, tx, &v, io.TeeReader(in.Original, c), recipients); err != nil {
			return err
		}
		rep = Report{File: in.FileName, Problems: []Problem{}, Notes: []Note{}, Unknown: v.Header.Unknown()}
		batch := make([]StoredRow, 0, rowBatch)
		flush := func() error {
			if len(batch) == 0 {
				return nil
			}
			err := tx.AddRows(ctx, v.ID, batch)
			batch = batch[:0]
			return err
		}
		err = EachRow(&a, in.Rows, in.Category, func(ref string, row *Row, ps []Problem, ns []Note) error {
			rep.Rows++
			rep.Problems = append(rep.Problems, ps...)
			rep.Notes = append(rep.Notes, ns...)
			batch = append(batch, StoredRow{Ref: ref, Row: *row})
			if len(batch) == rowBatch {
				return flush()
			}
			return nil
		})
		if err != nil {
			return InFile(err, in.FileName, 0)
		}
		if err := flush(); err != nil {
			return err
		}
		if rep.Unknown == nil {
			rep.Unknown = []string{}
		}
		rep.Conforming = len(rep.Problems) == 0
		v.Rows, v.Problems, v.Conforming = rep.Rows, len(rep.Problems), rep.Conforming
		if err := tx.AddReport(ctx, v.ID, rep.Problems, rep.Notes); err != nil {
			return err
		}
		if err := tx.UpdateListVersion(ctx, v); err != nil {
			return err
		}
		// Last, the entry in the shared record, committing to the file's
		// bytes: if anything before failed, no entry was made.
		if in.Entry != nil {
			var again bool
			if v.Entry, again, err = s.appendSigned(ctx, tx, ledger.KindListVersion, party.Code, c.hash(), in.Entry); err != nil {
				return InFile(err, in.FileName, 0)
			}
			if again {
				return &Error{Code: EConflict, Message: fmt.Sprintf("this signed entry records a version of %s stored already (entry %d)", v.ListID, v.Entry),
					Hint: "to store the file again as a new version, sign a new entry"}
			}
		} else if v.Entry, err = s.record(ctx, tx, ledger.KindListVersion, party.Code, in.Signer, c.hash()); err != nil || v.Entry < 0 {
			return err
		}
		return tx.AddListVersionEntry(ctx, v.ID, v.Entry, c.salt)
	}()
	if err != nil {
		return ListVersion{}, Report{}, err
	}
	return v, rep, nil
}

// storeFile stores the original bytes of a list version in chunks, with
// their SHA-256 and size, encrypted with age to recipients when there are
// any. Nothing is held whole: the file streams through.
func (s *Service) storeFile(ctx context.Context, tx Tx, v *ListVersion, r io.Reader, recipients []age.Recipient) error {
	h := sha256.New()
	cw := &chunkWriter{ctx: ctx, tx: tx, id: v.ID, buf: make([]byte, 0, fileChunk)}
	var sink io.Writer = cw
	var enc io.WriteCloser
	if len(recipients) > 0 {
		var err error
		if enc, err = age.Encrypt(cw, recipients...); err != nil {
			return err
		}
		sink = enc
	}
	n, err := io.Copy(io.MultiWriter(h, sink), r)
	if err != nil {
		return InFile(err, v.FileName, 0)
	}
	if enc != nil {
		if err := enc.Close(); err != nil {
			return err
		}
	}
	if err := cw.flush(); err != nil {
		return err
	}
	v.Size, v.SHA256 = n, hex.EncodeToString(h.Sum(nil))
	return tx.SetPayload(ctx, v.ID, Payload{Encrypted: enc != nil})
}

// chunkWriter stores what is written to it as the file chunks of a list
// version, fileChunk bytes at a time.
type chunkWriter struct {
	ctx context.Context
	tx  Tx
	id  int64
	seq int
	buf []byte
}

func (c *chunkWriter) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		k := min(len(p), fileChunk-len(c.buf))
		c.buf = append(c.buf, p[:k]...)
		p = p[k:]
		if len(c.buf) == fileChunk {
			if err := c.flush(); err != nil {
				return 0, err
			}
		}
	}
	return n, nil
}

func (c *chunkWriter) flush() error {
	if len(c.buf) == 0 {
		return nil
	}
	err := c.tx.AddFileChunk(c.ctx, c.id, c.seq, c.buf)
	c.seq++
	c.buf = c.buf[:0]
	return err
}

// ParseVersionRef splits "ua-request@2" into list id and version; a ref
// without "@" means the latest version (0).
func ParseVersionRef(ref string) (listID string, version int, err error) {
	listID, n, found := strings.Cut(strings.ToLower(strings.TrimSpace(ref)), "@")
	if listID == "" {
		return "", 0, Errorf(EInvalid, "%q names no list; write it as party-kind, such as ua-request, or ua-request@2 for a version", ref)
	}
	if found {
		version, err = strconv.Atoi(n)
		if err != nil || version < 1 {
			return "", 0, Errorf(EInvalid, "%q: the version after @ must be a number from 1", ref)
		}
	}
	return listID, version, nil
}

// ListVersion returns version n of a list (0: the latest).
func (s *Service) ListVersion(ctx context.Context, agreementID, listID string, n int) (v ListVersion, err error) {
	err = s.store.View(ctx, func(tx Tx) error {
		if v, err = tx.ListVersion(ctx, agreementID, listID, n); err != nil {
			return err
		}
		v.Entry = -1
		idx, _, err := tx.ListVersionEntry(ctx, v.ID)
		switch {
		case err == nil:
			v.Entry = idx
		case ErrorCodeOf(err) != ENotFound:
			return err
		}
		return nil
	})
	return v, err
}

// ListVersions returns every version of a list, oldest first.
func (s *Service) ListVersions(ctx context.Context, agreementID, listID string) (vs []ListVersion, err error) {
	err = s.store.View(ctx, func(tx Tx) error {
		vs, err = tx.ListVersions(ctx, agreementID, listID)
		return err
	})
	return vs, err
}

// Lists returns the latest version of each list of an agreement.
func (s *Service) Lists(ctx context.Context, agreementID string) (vs []ListVersion, err error) {
	err = s.store.View(ctx, func(tx Tx) error {
		vs, err = tx.Lists(ctx, agreementID)
		return err
	})
	return vs, err
}

// ListReport returns the stored report of a list version.
func (s *Service) ListReport(ctx context.Context, v ListVersion) (rep Report, err error) {
	err = s.store.View(ctx, func(tx Tx) error {
		ps, ns, err := tx.Report(ctx, v.ID)
		rep = Report{File: v.FileName, Rows: v.Rows, Conforming: v.Conforming, Problems: ps, Notes: ns, Unknown: v.Header.Unknown()}
		return err
	})
	return rep, err
}

// ListRows calls fn for each stored row of a list version, in line order.
func (s *Service) ListRows(ctx context.Context, v ListVersion, fn func(StoredRow) error) error {
	return s.store.View(ctx, func(tx Tx) error { return tx.Rows(ctx, v.ID, fn) })
}

// WriteListFile writes the original bytes of a list version to w. A file
// kept encrypted needs the identity (age private key) of one of the parties
// it was encrypted to.
func (s *Service) WriteListFile(ctx context.Context, v ListVersion, w io.Writer, identities ...age.Identity) error {
	return s.store.View(ctx, func(tx Tx) error {
		p, err := tx.Payload(ctx, v.ID)
		if err != nil {
			return err
		}
		switch {
		case !p.ErasedAt.IsZero():
			return &Error{Code: ENotFound, Message: fmt.Sprintf("the file of %s was erased on %s by %s (%s)", v.Ref(), p.ErasedAt.Format("2006-01-02"), p.ErasedBy, p.Reason),
				Hint: "its entry in the shared record and its report remain"}
		case !p.Encrypted:
			return tx.WriteFile(ctx, v.ID, w)
		case len(identities) == 0:
			return &Error{Code: EInvalid, Key: "--identity", Message: fmt.Sprintf("the file of %s is kept encrypted to the parties", v.Ref()),
				Hint: "give --identity with your party's age key (tally-party-CODE.agekey)"}
		}
		pr, pw := io.Pipe()
		go func() { pw.CloseWithError(tx.WriteFile(ctx, v.ID, pw)) }()
		defer pr.Close()
		dec, err := age.Decrypt(pr, identities...)
		if err != nil {
			return &Error{Code: EInvalid, Key: "--identity", Message: "cannot decrypt the file with the identity given: " + err.Error()}
		}
		_, err = io.Copy(w, dec)
		return err
	})
}

// recipients returns the age recipients payloads are encrypted to.
func (s *Service) recipients(ctx context.Context, tx Tx) ([]age.Recipient, error) {
	m, err := tx.Recipients(ctx)
	if err != nil || len(m) == 0 {
		return nil, err
	}
	var rs []age.Recipient
	for holder, r := range m {
		x, err := age.ParseX25519Recipient(r)
		if err != nil {
			return nil, fmt.Errorf("the recipient registered for %s: %w", holder, err)
		}
		rs = append(rs, x)
	}
	return rs, nil
}

// AddRecipient registers the age recipient that payloads are encrypted to
// for holder, a party's or the mediator's code.
func (s *Service) AddRecipient(ctx context.Context, holder, recipient string) error {
	if _, err := age.ParseX25519Recipient(strings.TrimSpace(recipient)); err != nil {
		return &Error{Code: EInvalid, Message: fmt.Sprintf("%s's recipient is not an age public key (age1...)", holder), Err: err}
	}
	return s.store.Update(ctx, func(tx Tx) error { return tx.AddRecipient(ctx, holder, strings.TrimSpace(recipient)) })
}

// EraseList erases the original file and the rows of a list version, when
// they must no longer be kept; who did it, when and why are recorded. The
// version, its report and its entry in the shared record remain, and the
// log still verifies: it holds only a commitment to the file.
func (s *Service) EraseList(ctx context.Context, v ListVersion, by, reason string) error {
	if strings.TrimSpace(by) == "" {
		return &Error{Code: EInvalid, Key: "--by", Message: "erasing needs the name of the person doing it"}
	}
	return s.store.Update(ctx, func(tx Tx) error { return tx.ErasePayload(ctx, v.ID, by, reason, s.now().UTC()) })
}
