package web

import (
	"time"

	"tally"
	"tally/report"
)

// Header is what every page shows around its content: who is signed in, for
// which side, and the token every form sends back. Each page's view model
// embeds it.
type Header struct {
	// User is the signed-in person's name as they sign; empty on the login
	// page.
	User string
	// Party is the code of the side the user acts for: a party ("UA", "RU")
	// or the mediator ("TR").
	Party string
	// PartyName is the side's name, such as "Ukraine".
	PartyName string
	// Mediator is set when Party is the mediator.
	Mediator bool
	// Signer is set when the user may sign the side's steps: the page
	// then offers to load the side's key, which signs in the browser.
	Signer bool
	// CSRF is the anti-forgery token written into every form.
	CSRF string
	// Path is the current request path (and query), for the language
	// switcher's links and for marking the current section in the menu.
	Path string
	// Agreement is the agreement the pages are about, if one is chosen.
	Agreement AgreementRef
	// Flash are notices from the step just taken.
	Flash []Flash
	// Admin shows the link to the page of the organisation's people: the
	// user is one of its admins.
	Admin bool
}

// Flash is a notice shown at the top of a page after a step: ID names a
// message of the locales (such as "flash.imported"), Data fills its
// placeholders and Count, when set, picks its plural form.
type Flash struct {
	Kind  string // "ok" or "error"
	ID    string
	Data  map[string]any
	Count *int
}

// AgreementRef names an agreement.
type AgreementRef struct {
	ID    string
	Title string
}

// LoginPage is the sign-in form.
type LoginPage struct {
	Header
	Name string // the name typed before, kept after a failed attempt
	// Error is a message code: "bad-credentials", "expired" or "locked".
	Error string
	// Next is where to go after signing in.
	Next string
}

// ErrorPage says what went wrong, where and what to do. Code is a tally
// error code ("invalid", "not-found", "conflict", "internal") or
// "forbidden"/"unauthorized"; Message and Hint are the domain's words
// (English), shown as details beneath the translated explanation.
type ErrorPage struct {
	Header
	Status  int
	Code    string
	File    string
	Line    int
	Key     string
	Message string
	Hint    string
	Back    string // where "back" leads; "/" when empty
}

// AgreementsPage lists the agreements and, when one is chosen, its terms.
type AgreementsPage struct {
	Header
	Agreements []AgreementView
	Detail     *tally.Agreement
	// Problems are the broken rules of an agreement file just uploaded.
	Problems []tally.AgreementProblem
	File     string // the file the problems are in
	// CanAdd shows the form that adds an agreement: to the mediator's
	// admins, who alone may.
	CanAdd bool
}

// AgreementView is one row of the agreements table.
type AgreementView struct {
	ID         string
	Title      string
	Date       string
	Parties    []string
	Mediator   string
	Categories int
	Lists      int
}

// ImportPage is the import of a list: the form, then a preview of the file
// with its conformity report row by row, then the confirmation.
type ImportPage struct {
	Header
	Agreement  AgreementRef
	Parties    []string
	Kinds      []string
	Categories []CategoryOption
	// The form's current choices.
	Party, Kind, Category string
	Preview               *ImportPreview
	// Progress is set while the import runs.
	Progress *Progress
}

// CategoryOption is a category offered in a form.
type CategoryOption struct {
	ID    string
	Title string
}

// ImportPreview is what importing a file would store.
type ImportPreview struct {
	File   string
	Size   int64
	SHA256 string
	// Token identifies the uploaded file on the server for the
	// confirmation form.
	Token string
	// Columns are the recognised fields in file order (tally.Field names);
	// Unknown the headings tally did not recognise.
	Columns []string
	Unknown []string
	// Rows are the rows shown (the first rows, and every row with a
	// problem); Total counts every row of the file.
	Rows       []PreviewRow
	Total      int
	Problems   []tally.Problem
	Notes      []tally.Note
	Conforming bool
}

// PreviewRow is one row of the file with its problems and notes.
type PreviewRow struct {
	Line     int
	Ref      string
	Cells    []string // one per ImportPreview.Columns
	Problems []tally.Problem
	Notes    []tally.Note
}

// Progress is a long task (import, matching, verification) under way. The
// page polls URL every second for the "progress" fragment until Finished.
type Progress struct {
	ID       string
	Task     string // "import", "match" or "verify"
	URL      string // where the fragment is fetched from
	Done     int64
	Total    int64 // 0 when not known yet
	Finished bool
	Failed   string // the error, in the domain's words, if the task failed
	Next     string // where the result is, once finished
	CSRF     string
}

// ListRef names one version of a list.
type ListRef struct {
	List    string
	Version int
	Party   string
}

// MatchReviewPage is the review of the pairs matching found between two
// lists.
type MatchReviewPage struct {
	Header
	Left, Right ListRef
	// Fields are the fields compared, in order (linkage field names).
	Fields              []string
	Pairs               []PairView
	LeftOnly, RightOnly int
	Progress            *Progress
}

// PairView is one pair: the two rows side by side, the comparison of each
// field, and the decision.
type PairView struct {
	LeftRef, RightRef string
	LeftRow, RightRow map[string]string // field → value
	Score             float64
	// Decision is "match" (taken without review), "review" (waiting for a
	// person), "accepted" or "rejected".
	Decision string
	// By and At say who decided, for accepted and rejected pairs.
	By     string
	At     time.Time
	Fields map[string]string // field → level ("exact", "day-month-swapped", ...)
}

// PairFragment is the data of the "pair" fragment: one pair, swapped in
// place after a decision.
type PairFragment struct {
	CSRF        string
	Left, Right ListRef
	Fields      []string
	Pair        PairView
}

// ReviewPage shows where the review of every list stands and whose move it
// is; Answer is the answer form for one list.
type ReviewPage struct {
	Header
	Lists      []ListStatusView
	Answer     *AnswerForm
	Objections []string
}

// ListStatusView is where the review of one list stands.
type ListStatusView struct {
	List       string
	Kind       string
	Version    int
	Submitter  string
	Receiver   string
	Rows       int
	Accepted   int
	Objections int
	Unanswered int
	WaitingFor string // empty when agreed
	Since      time.Time
	Entry      int64
}

// AnswerForm is the receiving party's answer to the rows of one list.
type AnswerForm struct {
	List    string
	Version int
	Rows    []AnswerRow
}

// AnswerRow is one row to answer.
type AnswerRow struct {
	Ref       string
	Name      string
	Category  string
	Answered  bool
	Accepted  bool
	Objection string
	Text      string
}

// RoundsPage is the exchange rounds: planning and approval, and, in
// handover mode, the handover point.
type RoundsPage struct {
	Header
	Rounds []RoundView
	// Handover, when set, shows the handover point for one round: large
	// buttons, one person per line.
	Handover *HandoverView
}

// RoundView is where one round stands.
type RoundView struct {
	Round      string
	Date       string
	PlannedBy  string
	ApprovedBy []string
	Approved   bool
	Complete   bool
	Manifests  []ManifestView
	Unlisted   int
	CanApprove bool // the user's side has not approved the plan in force
}

// ManifestView is the progress of one manifest.
type ManifestView struct {
	From, To, Category string
	Persons            int
	HandedOver         int
	Received           int
	Disputed           int
	NotDelivered       int
}

// HandoverView is the handover point of one round.
type HandoverView struct {
	Round   string
	Date    string
	Persons []HandoverPerson
}

// HandoverPerson is one person at the handover point.
type HandoverPerson struct {
	List, Ref          string
	Name               string
	BirthDate          string
	From, To, Category string
	HandedOver         bool
	Acknowledgement    string // "", "received-identified", "received-disputed", "not-delivered"
	CanHandOver        bool   // the user's side sends this person, not yet handed over
	CanAcknowledge     bool   // the user's side receives this person, handed over, not acknowledged
}

// HandoverFragment is the data of the "handover-person" fragment.
type HandoverFragment struct {
	CSRF   string
	Round  string
	Person HandoverPerson
}

// RemainsPage is the transfers of remains and the discrepancies between the
// counts.
type RemainsPage struct {
	Header
	Transfers     []TransferView
	Discrepancies []DiscrepancyView
	Categories    []CategoryOption
	Parties       []string
}

// TransferView is one stage's transfer in one direction.
type TransferView struct {
	Stage, Category, From, To string
	Mutual                    bool
	Count                     int
	Tags                      int
	Acknowledged              bool
	AckCount                  int
	Identified                int
	Unidentified              int
	CanAcknowledge            bool
}

// DiscrepancyView is a difference between two counts.
type DiscrepancyView struct {
	ID              int
	Stage, From, To string
	Sent, Received  int
	Status          string
	Opened          time.Time
	History         []StepView
	// Next are the statuses the user's side may set now.
	Next []string
}

// StepView is one recorded step of a case or discrepancy.
type StepView struct {
	Status string
	By     string
	Actor  string
	At     time.Time
	Text   string
}

// ChildrenPage is the children's cases.
type ChildrenPage struct {
	Header
	Cases []ChildCaseView
	// Lists are the verified children lists a case can be opened from.
	Lists []string
}

// ChildCaseView is where one child's case stands.
type ChildCaseView struct {
	Case      string
	List, Ref string
	Name      string
	Step      string
	Reason    string
	History   []StepView
	Next      []string // the steps that may follow
}

// LogPage is the shared record: its latest checkpoint, its witnesses, and
// the result of verifying it.
type LogPage struct {
	Header
	Checkpoint report.Checkpoint
	Witnesses  []WitnessView
	Entries    []EntryView // the latest entries
	Verify     *VerifyResult
	Progress   *Progress
}

// WitnessView is one witness of the log.
type WitnessView struct {
	Name     string
	Size     int64     // the largest checkpoint it cosigned
	At       time.Time // when
	Cosigned bool      // it cosigned the latest checkpoint
}

// EntryView is one entry of the log.
type EntryView struct {
	Index int64
	Kind  string
	By    string
	Actor string
	At    time.Time
}

// VerifyResult is the result of verifying the log.
type VerifyResult struct {
	OK      bool
	Entries int64
	At      time.Time
	Failure string // the first failure, in the domain's words
	Index   int64  // the entry it is at, -1 when none
}

// ReportPage is the public report: counts only, with charts.
type ReportPage struct {
	Header
	Document report.Document
}

// SecurityKeysPage lists the signed-in person's own security keys (the
// second factor), each with a button to remove it.
type SecurityKeysPage struct {
	Header
	Keys []SecurityKeyView
	// Confirmed says the session was confirmed with a security key (or
	// the person is not asked for one): keys may be added and removed.
	Confirmed bool
}

// SecurityKeyView is one security key as the page shows it.
type SecurityKeyView struct {
	ID         string // the credential id, base64url: what the remove form sends
	Name       string
	Transports []string
	Added      time.Time
	LastUsed   time.Time // zero: not used yet
}

// SecurityKeyPage registers a security key ("enrol") or confirms the
// session with one ("verify"); the browser's part is static/webauthn.js.
type SecurityKeyPage struct {
	Header
	// Next is where to go once done.
	Next string
	// First: enrolling right after the password, with no key yet.
	First bool
	// Keys is how many keys the person has.
	Keys int
	// Confirmed says the session is confirmed already.
	Confirmed bool
}

// AdminPage is an organisation's people, for its admins: who may sign in
// how, their API tokens, and the forms that add a person, issue and
// revoke a token, set a password and disable an account.
type AdminPage struct {
	Header
	Org      string // the organisation's code
	OrgName  string
	Accounts []AccountView
	Roles    []string // the roles a person may be given here
	// NewToken is a token just issued: shown this once.
	NewToken *NewTokenView
	// MinPassword is the shortest password accepted.
	MinPassword int
}

// AccountView is one person's account.
type AccountView struct {
	Login    string
	Name     string
	Roles    []string
	Password bool // a password is set
	Disabled bool // no password and no token
	Tokens   []TokenView
	Self     bool // the admin viewing the page
}

// TokenView is an API token as listed: its id and date, never the token.
type TokenView struct {
	ID        string
	CreatedAt time.Time
}

// NewTokenView is a token just issued to Login.
type NewTokenView struct {
	Login string
	ID    string
	Token string
}
