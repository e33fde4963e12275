package tally

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"tally/ledger"
)

// The service's operations on behalf of an Actor: each authorizes through
// Authorize before it returns anything, and each read of personal data
// returns only once its AuditRecord is committed (see audit.go), so that
// there is no read without its record; a change is audited in its own
// transaction.

// Reviewing is a Process that also says which list versions were put to
// review (package exchange's Process is one). Authorization needs it: a
// party may read a version of the other party's list only once a
// list-submitted step put that version to it.
type Reviewing interface {
	Process
	// SubmittedTo returns the code of the party version n of a list was
	// put to for review, or "" if no step put it to anyone.
	SubmittedTo(listID string, version int) string
}

// UseProcess gives the service the process of an agreement, which it
// replays to know what was put to review. Without it, nothing counts as
// put to review: parties see only their own lists and the mediator none.
func (s *Service) UseProcess(newProcess func(*Agreement) Reviewing) { s.newProcess = newProcess }

// AuditRecord is one read of personal data (or one change) made through
// the service on behalf of an actor: who, what, when.
type AuditRecord struct {
	ID          int64 // assigned by the store, increasing
	At          time.Time
	UserID      int64
	Login       string
	Org         string // the organisation's code
	Via         string // session, token, cli
	Action      Action
	AgreementID string
	Resource    string // such as ua-request@2
	Detail      string // such as "rows 1 to 1000"
}

// audit appends the record of what actor did, in tx.
func (s *Service) audit(ctx context.Context, tx Tx, actor Actor, action Action, agreementID, resource, detail string) error {
	return tx.AddAudit(ctx, AuditRecord{At: s.now().UTC(), UserID: actor.User.ID, Login: actor.User.Login,
		Org: actor.Org().Code, Via: actor.Via, Action: action, AgreementID: agreementID, Resource: resource, Detail: detail})
}

// AuditRecords calls fn with every audit record, oldest first.
func (s *Service) AuditRecords(ctx context.Context, fn func(AuditRecord) error) error {
	return s.store.View(ctx, func(tx Tx) error { return tx.AuditRecords(ctx, fn) })
}

// AgreementsFor returns the agreements whose public report actor may read,
// that is, for anyone signed in, every agreement.
func (s *Service) AgreementsFor(ctx context.Context, actor Actor) ([]Agreement, error) {
	if err := Authorize(actor, ActionReadReport, Resource{}); err != nil {
		return nil, err
	}
	return s.Agreements(ctx)
}

// AgreementFor returns an agreement's terms, if actor may read them.
func (s *Service) AgreementFor(ctx context.Context, actor Actor, id string) (Agreement, error) {
	a, _, err := s.Agreement(ctx, id)
	if err != nil {
		return Agreement{}, err
	}
	if err := Authorize(actor, ActionReadAgreement, Resource{Agreement: &a}); err != nil {
		return Agreement{}, err
	}
	return a, nil
}

// submissions replays an agreement's steps to learn what was put to review,
// or asks a process replayed from the same steps (see replayed).
func (s *Service) submissions(ctx context.Context, tx Tx, a *Agreement) (func(listID string, version int) string, error) {
	if s.newProcess == nil {
		return func(string, int) string { return "" }, nil
	}
	p, err := s.replayed(ctx, tx, a, -1)
	if err != nil {
		return nil, err
	}
	return p.SubmittedTo, nil
}

// listResource is a list version as a Resource.
func listResource(a *Agreement, v ListVersion, submittedTo func(string, int) string) Resource {
	return Resource{Agreement: a, Party: v.Party, SubmittedTo: submittedTo(v.ListID, v.Version)}
}

// ListsFor returns, for each list of an agreement, the latest version
// actor may read; lists of which it may read no version are left out, as
// if they did not exist.
func (s *Service) ListsFor(ctx context.Context, actor Actor, agreementID string) (vs []ListVersion, err error) {
	err = s.store.View(ctx, func(tx Tx) error {
		a, _, err := tx.Agreement(ctx, agreementID)
		if err != nil {
			return err
		}
		if err := Authorize(actor, ActionReadAgreement, Resource{Agreement: &a}); err != nil {
			return err
		}
		submittedTo, err := s.submissions(ctx, tx, &a)
		if err != nil {
			return err
		}
		latest, err := tx.Lists(ctx, agreementID)
		if err != nil {
			return err
		}
		for _, l := range latest {
			if Authorize(actor, ActionReadList, listResource(&a, l, submittedTo)) == nil {
				vs = append(vs, l)
				continue
			}
			all, err := tx.ListVersions(ctx, agreementID, l.ListID)
			if err != nil {
				return err
			}
			for _, v := range slices.Backward(all) {
				if Authorize(actor, ActionReadList, listResource(&a, v, submittedTo)) == nil {
					vs = append(vs, v)
					break
				}
			}
		}
		return nil
	})
	return vs, err
}

// noListFor is the answer to a list version that does not exist and to one
// actor may not see, the same for both, so that the other party's drafts
// cannot even be counted.
func noListFor(listID string, n int) error {
	return &Error{Code: ENotFound, Message: fmt.Sprintf("there is no list version %s@%d that you may read", listID, n)}
}

// listVersionFor finds version n (n ≥ 1) of a list and authorizes action
// on it, in tx.
func (s *Service) listVersionFor(ctx context.Context, tx Tx, actor Actor, action Action, agreementID, listID string, n int) (ListVersion, error) {
	if n < 1 {
		return ListVersion{}, Errorf(EInvalid, "a list version is numbered from 1 (got %d)", n)
	}
	a, _, err := tx.Agreement(ctx, agreementID)
	if err != nil {
		return ListVersion{}, err
	}
	if err := Authorize(actor, ActionReadAgreement, Resource{Agreement: &a}); err != nil {
		return ListVersion{}, err
	}
	v, err := tx.ListVersion(ctx, agreementID, strings.ToLower(listID), n)
	if ErrorCodeOf(err) == ENotFound {
		return ListVersion{}, noListFor(listID, n)
	}
	if err != nil {
		return ListVersion{}, err
	}
	submittedTo, err := s.submissions(ctx, tx, &a)
	if err != nil {
		return ListVersion{}, err
	}
	if err := Authorize(actor, action, listResource(&a, v, submittedTo)); err != nil {
		if ErrorCodeOf(err) == EForbidden {
			return ListVersion{}, noListFor(listID, n)
		}
		return ListVersion{}, err
	}
	v.Entry = -1
	idx, _, err := tx.ListVersionEntry(ctx, v.ID)
	switch {
	case err == nil:
		v.Entry = idx
	case ErrorCodeOf(err) != ENotFound:
		return ListVersion{}, err
	}
	return v, nil
}

// ListVersionFor returns version n of a list with its conformity report,
// if actor may read it; the read is audited (a report names rows and the
// values at fault), and returned only once its record is committed.
func (s *Service) ListVersionFor(ctx context.Context, actor Actor, agreementID, listID string, n int) (v ListVersion, rep Report, err error) {
	err = s.store.View(ctx, func(tx Tx) error {
		if v, err = s.listVersionFor(ctx, tx, actor, ActionReadList, agreementID, listID, n); err != nil {
			return err
		}
		ps, ns, err := tx.Report(ctx, v.ID)
		if err != nil {
			return err
		}
		rep = Report{File: v.FileName, Rows: v.Rows, Conforming: v.Conforming, Problems: ps, Notes: ns, Unknown: v.Header.Unknown()}
		return nil
	})
	if err == nil {
		err = s.audited(ctx, actor, ActionReadList, agreementID, v.Ref(), "version and conformity report")
	}
	if err != nil {
		return ListVersion{}, Report{}, err
	}
	return v, rep, nil
}

// MaxRowsPerRead is the most rows one RowsFor returns.
const MaxRowsPerRead = 1000

// RowsFor returns up to limit rows (at most MaxRowsPerRead) of version n of
// a list, those after line after, in line order, if actor may read them;
// the read is audited with the lines it returned, and returned only once
// its record is committed.
func (s *Service) RowsFor(ctx context.Context, actor Actor, agreementID, listID string, n, after, limit int) (v ListVersion, rows []StoredRow, err error) {
	if limit <= 0 || limit > MaxRowsPerRead {
		limit = MaxRowsPerRead
	}
	err = s.store.View(ctx, func(tx Tx) error {
		if v, err = s.listVersionFor(ctx, tx, actor, ActionReadRows, agreementID, listID, n); err != nil {
			return err
		}
		rows, err = tx.RowsAfter(ctx, v.ID, after, limit)
		return err
	})
	if err == nil {
		detail := "no rows"
		if len(rows) > 0 {
			detail = fmt.Sprintf("%d rows, lines %d to %d", len(rows), rows[0].Row.Line, rows[len(rows)-1].Row.Line)
		}
		err = s.audited(ctx, actor, ActionReadRows, agreementID, v.Ref(), detail)
	}
	if err != nil {
		return ListVersion{}, nil, err
	}
	return v, rows, nil
}

// ImportListFor imports a list for actor, who must be a clerk of the
// party whose list it is; the import is audited with the version it made.
func (s *Service) ImportListFor(ctx context.Context, actor Actor, in Import) (v ListVersion, rep Report, err error) {
	if _, err := ParseListKind(string(in.Kind)); err != nil {
		return ListVersion{}, Report{}, err
	}
	err = s.store.Update(ctx, func(tx Tx) error {
		a, _, err := tx.Agreement(ctx, in.AgreementID)
		if err != nil {
			return err
		}
		if err := Authorize(actor, ActionImportList, Resource{Agreement: &a, Party: in.Party}); err != nil {
			return err
		}
		if v, rep, err = s.importList(ctx, tx, in); err != nil {
			return err
		}
		return s.audit(ctx, tx, actor, ActionImportList, a.ID, v.Ref(), fmt.Sprintf("%d rows", v.Rows))
	})
	if err != nil {
		return ListVersion{}, Report{}, err
	}
	return v, rep, nil
}

// ReplayFor replays an agreement's steps into p for actor: the process
// (action ActionReadProcess) or the public report (ActionReadReport, tied
// to the latest checkpoint, see ReplaySteps).
func (s *Service) ReplayFor(ctx context.Context, actor Actor, action Action, agreementID string, p Process) (*ledger.Checkpoint, error) {
	if action != ActionReadProcess && action != ActionReadReport {
		return nil, Errorf(EInternal, "replaying steps is not how to %s", action)
	}
	a, _, err := s.Agreement(ctx, agreementID)
	if err != nil {
		return nil, err
	}
	if err := Authorize(actor, action, Resource{Agreement: &a}); err != nil {
		return nil, err
	}
	return s.ReplaySteps(ctx, agreementID, p, action == ActionReadReport)
}

// CheckpointFor returns the log's latest checkpoint, if actor may read the
// log.
func (s *Service) CheckpointFor(ctx context.Context, actor Actor) (cp []byte, err error) {
	if err := Authorize(actor, ActionReadLog, Resource{}); err != nil {
		return nil, err
	}
	err = s.store.View(ctx, func(tx Tx) error {
		if _, err := tx.LogKeys(ctx); err != nil {
			return err
		}
		cp, err = tx.LogState(ctx).LatestCheckpoint()
		return err
	})
	return cp, err
}

// ExportLogFor exports the log (see ExportLog), if actor may read it.
func (s *Service) ExportLogFor(ctx context.Context, actor Actor, w ledger.Writer) error {
	if err := Authorize(actor, ActionReadLog, Resource{}); err != nil {
		return err
	}
	return s.ExportLog(ctx, w)
}

// UsersFor returns the accounts of an organisation, if actor manages it.
func (s *Service) UsersFor(ctx context.Context, actor Actor, orgCode string) ([]User, error) {
	if err := Authorize(actor, ActionManageUsers, Resource{Org: orgCode}); err != nil {
		return nil, err
	}
	return s.Users(ctx, orgCode)
}

// PrepareStepsFor prepares steps for actor to sign (see PrepareSteps):
// each step is taken by actor's own organisation, and actor must be one
// of its signers.
func (s *Service) PrepareStepsFor(ctx context.Context, actor Actor, agreementID string, steps []StepInput, p Process) (PreparedSteps, error) {
	if err := s.authorizeSteps(ctx, actor, agreementID, steps); err != nil {
		return PreparedSteps{}, err
	}
	return s.PrepareSteps(ctx, agreementID, steps, p)
}

// RecordStepsFor records steps actor's organisation signed away from the
// service (see RecordSteps), if actor is one of its signers.
func (s *Service) RecordStepsFor(ctx context.Context, actor Actor, agreementID string, steps []StepInput, p Process) ([]int64, error) {
	if err := s.authorizeSteps(ctx, actor, agreementID, steps); err != nil {
		return nil, err
	}
	for i, st := range steps {
		if st.Entry == nil || st.Signer != nil {
			return nil, stepError(i, len(steps), &Error{Code: EInvalid, Key: "entry", Message: "a step sent to the server must carry its entry, signed by the party",
				Hint: "prepare the step, sign the entry with the party's key, and send it back"})
		}
	}
	return s.RecordSteps(ctx, agreementID, steps, p)
}

func (s *Service) authorizeSteps(ctx context.Context, actor Actor, agreementID string, steps []StepInput) error {
	a, _, err := s.Agreement(ctx, agreementID)
	if err != nil {
		return err
	}
	for _, st := range steps {
		if err := Authorize(actor, ActionTakeStep, Resource{Agreement: &a, Party: st.By}); err != nil {
			return err
		}
	}
	return nil
}

// StepsFor calls fn with each of an agreement's stored steps, in the order
// of the log, if actor may read the process: a client replays them into
// the process as the service does.
func (s *Service) StepsFor(ctx context.Context, actor Actor, agreementID string, fn func(Step) error) error {
	a, _, err := s.Agreement(ctx, agreementID)
	if err != nil {
		return err
	}
	if err := Authorize(actor, ActionReadProcess, Resource{Agreement: &a}); err != nil {
		return err
	}
	return s.store.View(ctx, func(tx Tx) error { return tx.Steps(ctx, agreementID, fn) })
}

// PrepareListEntryFor returns the unsigned text of the entry that would
// record a version of party's list whose file the party committed to as c
// (ledger.Commit, with a salt of its own), for the party to sign away from
// the service and send with the file (Import's Salt and Entry). actor must
// be one of the party's clerks. Nothing is stored.
func (s *Service) PrepareListEntryFor(ctx context.Context, actor Actor, agreementID, party string, c ledger.Hash) (text []byte, err error) {
	a, _, err := s.Agreement(ctx, agreementID)
	if err != nil {
		return nil, err
	}
	if err := Authorize(actor, ActionImportList, Resource{Agreement: &a, Party: party}); err != nil {
		return nil, err
	}
	err = s.store.View(ctx, func(tx Tx) error {
		keys, err := tx.LogKeys(ctx)
		if ErrorCodeOf(err) == ENotFound {
			return &Error{Code: EInvalid, Message: "this store keeps no signed log, so there is no entry to sign", Hint: "import the list without signing it"}
		}
		if err != nil {
			return err
		}
		log, err := ledger.OpenLog(ledger.Config{Keys: keys, Now: s.now}, tx.LogState(ctx))
		if err != nil {
			return err
		}
		e, err := log.NextEntry(ledger.KindListVersion, party, c, s.now())
		if err != nil {
			return &Error{Code: EInvalid, Message: strings.TrimPrefix(err.Error(), "ledger: "), Err: err}
		}
		text, err = e.Text()
		return err
	})
	return text, err
}
