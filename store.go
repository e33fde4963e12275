package tally

import (
	"context"
	"io"
	"time"

	"tally/ledger"
)

// Store is where tally keeps what parties have submitted. It is declared
// here, by the domain that uses it, and implemented by package sqlite (the
// embedded default) and package postgres (production), which share their
// code in package sqlstore and pass the same suite in package storetest.
//
// All reads and writes happen inside a transaction: Update runs fn in one
// read-write transaction that is committed only if fn returns nil, so that
// a list version, its rows, its original bytes and its report are stored
// together or not at all.
type Store interface {
	Update(ctx context.Context, fn func(Tx) error) error
	View(ctx context.Context, fn func(Tx) error) error
	Close() error
}

// Tx is one transaction of a Store. Methods return an *Error with code
// ENotFound or EConflict where those apply.
type Tx interface {
	PayloadTx
	AccountTx
	SecondFactorTx
	// AddAgreement stores a checked agreement with the file it came from.
	// An agreement whose id is taken is EConflict.
	AddAgreement(ctx context.Context, a Agreement, source []byte) error
	// Agreement returns the agreement with the given id and its source file.
	Agreement(ctx context.Context, id string) (Agreement, []byte, error)
	// Agreements returns every stored agreement, by id.
	Agreements(ctx context.Context) ([]Agreement, error)

	// AddListVersion stores a new version of the list v.AgreementID/v.ListID,
	// numbering it one past the list's last version (1 for a new list) and
	// setting v.ID and v.Version.
	AddListVersion(ctx context.Context, v *ListVersion) error
	// UpdateListVersion rewrites the summary of version v.ID (counts,
	// conformity, hash, size, header) once its rows are in.
	UpdateListVersion(ctx context.Context, v ListVersion) error
	// AddFileChunk appends the next chunk (seq 0, 1, ...) of the original
	// file's bytes to version id.
	AddFileChunk(ctx context.Context, id int64, seq int, data []byte) error
	// AddRows appends parsed rows, with their refs, to version id.
	AddRows(ctx context.Context, id int64, rows []StoredRow) error
	// AddReport stores the problems and notes of version id.
	AddReport(ctx context.Context, id int64, problems []Problem, notes []Note) error

	// ListVersion returns version n of a list, or its latest when n is 0.
	ListVersion(ctx context.Context, agreementID, listID string, n int) (ListVersion, error)
	// ListVersions returns every version of a list, oldest first.
	ListVersions(ctx context.Context, agreementID, listID string) ([]ListVersion, error)
	// Lists returns the latest version of each list of an agreement, by list id.
	Lists(ctx context.Context, agreementID string) ([]ListVersion, error)
	// Rows calls fn for each row of version id, in line order, stopping at
	// the first error fn returns.
	Rows(ctx context.Context, id int64, fn func(StoredRow) error) error
	// Report returns the problems and notes of version id, in line order.
	Report(ctx context.Context, id int64) ([]Problem, []Note, error)
	// WriteFile writes the original bytes of version id to w.
	WriteFile(ctx context.Context, id int64, w io.Writer) error
	// RowsAfter returns up to limit rows of version id whose line is
	// after the given one, in line order: a page of rows.
	RowsAfter(ctx context.Context, id int64, afterLine, limit int) ([]StoredRow, error)
	// Row returns the row of version id with the given ref (the first, if
	// a list gives one ref twice), or the error of NoRowError.
	Row(ctx context.Context, id int64, ref string) (StoredRow, error)

	// AddPairDecision stores a person's decision on a proposed pair.
	AddPairDecision(ctx context.Context, d PairDecision) error
	// PairDecisions returns every decision taken on pairs between two list
	// versions, oldest first.
	PairDecisions(ctx context.Context, left, right int64) ([]PairDecision, error)

	// LogKeys returns the keys registered for the shared record, or
	// ENotFound when no log has been set up.
	LogKeys(ctx context.Context) (ledger.Keys, error)
	// AddLogKey registers a public key; a key once registered for a role
	// and id is never replaced (EConflict).
	AddLogKey(ctx context.Context, role ledger.Role, id, vkey string) error
	// LogState is the shared record's state in this transaction: a
	// ledger.Log opened over it appends entries that are committed with
	// the transaction, or not at all.
	LogState(ctx context.Context) ledger.State
	// AddListVersionEntry records that log entry index recorded list
	// version id, committing to its file with salt.
	AddListVersionEntry(ctx context.Context, id, index int64, salt []byte) error
	// ListVersionEntry returns the log entry and salt of list version id.
	ListVersionEntry(ctx context.Context, id int64) (index int64, salt []byte, err error)
	// SetWitnessURL records where witness id (UA for tally-witness-UA) is
	// asked to cosign; an address may change, unlike a key.
	SetWitnessURL(ctx context.Context, id, url string) error
	// WitnessURLs returns the witnesses' addresses by id.
	WitnessURLs(ctx context.Context) (map[string]string, error)

	// AddStep stores a step of the exchange process with the entry that
	// recorded it.
	AddStep(ctx context.Context, s Step) error
	// Steps calls fn with each step of an agreement, in log order.
	Steps(ctx context.Context, agreementID string, fn func(Step) error) error
	// StepsMark returns how many steps of an agreement are stored with an
	// entry below the given one (every step when below is negative), and
	// the entry of the last of them (-1 when there is none): cheap to
	// read, it is what the service's replayed processes are kept by.
	StepsMark(ctx context.Context, agreementID string, below int64) (count, last int64, err error)
}

// Step is one step of the exchange process as stored: what package
// exchange encoded, and the log entry that recorded it.
type Step struct {
	AgreementID string
	Entry       int64  // the log entry recording it
	Kind        string // the entry's kind, such as handed-over
	By          string // the code of the party or mediator that took it
	Payload     []byte // the step, as its process encodes it
	Salt        []byte // of the entry's commitment to Payload
	At          time.Time
}

// StoredRow is a row as stored: its ref and its values after names were
// repaired and a full name split.
type StoredRow struct {
	Ref string
	Row Row
}

// Payload says how a list version's original file is kept.
type Payload struct {
	Encrypted bool      // with age, to the registered recipients
	ErasedAt  time.Time // zero unless the file and rows were erased
	ErasedBy  string
	Reason    string
}

// PayloadTx is the part of Tx that keeps payloads: the original files,
// encrypted to the parties entitled to read them, and erasable.
type PayloadTx interface {
	// AddRecipient registers the age recipient (age1...) that payloads
	// are encrypted to for holder, a party's or the mediator's code.
	AddRecipient(ctx context.Context, holder, recipient string) error
	// Recipients returns the registered recipients by holder.
	Recipients(ctx context.Context) (map[string]string, error)
	// SetPayload records how the file of version id is kept.
	SetPayload(ctx context.Context, id int64, p Payload) error
	// Payload returns how the file of version id is kept.
	Payload(ctx context.Context, id int64) (Payload, error)
	// ErasePayload deletes the file and rows of version id, recording who
	// erased them, when and why. The version, its report and its log
	// entry stay.
	ErasePayload(ctx context.Context, id int64, by, reason string, at time.Time) error
}

// AccountTx is the part of Tx that keeps accounts, their credentials and
// the audit of what was read on their behalf. Secrets (API tokens, session
// ids) are kept only as their SHA-256.
type AccountTx interface {
	// AddOrganization stores an organisation and sets its ID; a code
	// taken already is EConflict.
	AddOrganization(ctx context.Context, o *Organization) error
	// Organization returns the organisation with the given code.
	Organization(ctx context.Context, code string) (Organization, error)
	// AddUser stores an account in u.Org (by its ID) with its password
	// hash ("" for none) and sets u.ID; a login taken already is
	// EConflict.
	AddUser(ctx context.Context, u *User, passwordHash string) error
	// User returns the account with the given login, and its password
	// hash.
	User(ctx context.Context, login string) (User, string, error)
	// UserByID returns the account with the given id.
	UserByID(ctx context.Context, id int64) (User, error)
	// Users returns the accounts of the organisation with the given
	// code, by login.
	Users(ctx context.Context, orgCode string) ([]User, error)

	// AddToken stores an API token's hash.
	AddToken(ctx context.Context, t Token) error
	// TokenUser returns the account whose token has the given hash.
	TokenUser(ctx context.Context, hash []byte) (User, error)
	// Tokens returns the API tokens of an account (their hashes), oldest
	// first.
	Tokens(ctx context.Context, userID int64) ([]Token, error)
	// DeleteToken deletes the API token with the given hash; none is
	// ENotFound.
	DeleteToken(ctx context.Context, hash []byte) error
	// SetPassword replaces an account's password hash ("" for none).
	SetPassword(ctx context.Context, userID int64, passwordHash string) error

	// AddSession stores a session.
	AddSession(ctx context.Context, s Session) error
	// Session returns the session whose id has the given hash.
	Session(ctx context.Context, hash []byte) (Session, error)
	// TouchSession sets the LastSeen of a session.
	TouchSession(ctx context.Context, hash []byte, at time.Time) error
	// DeleteSession deletes a session; deleting none is no error.
	DeleteSession(ctx context.Context, hash []byte) error
	// DeleteUserSessions deletes every session of an account, and
	// returns how many.
	DeleteUserSessions(ctx context.Context, userID int64) (int64, error)
	// DeleteExpiredSessions deletes the sessions last seen before
	// idleSince or expired at now, and returns how many.
	DeleteExpiredSessions(ctx context.Context, idleSince, now time.Time) (int64, error)

	// AddAudit appends audit records, in the order given, and sets
	// nothing: records are numbered by the store. Records written
	// together go in as few statements as the store can.
	AddAudit(ctx context.Context, rs ...AuditRecord) error
	// AuditRecords calls fn with every audit record, oldest first.
	AuditRecords(ctx context.Context, fn func(AuditRecord) error) error
}
