package ledger

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// Hash is a SHA-256 hash; it prints in base64.
type Hash = tlog.Hash

// Kinds of entry tally writes. Others may be added: a kind is 1 to 64
// characters of lower-case ASCII letters, digits and '-', starting with a letter.
const (
	KindAgreement       = "agreement"       // a party accepts the agreement's terms
	KindListVersion     = "list-version"    // a party submits a version of its list
	KindAcknowledgement = "acknowledgement" // a party acknowledges the other's submission
	KindExchange        = "exchange"        // a party confirms an exchange took place
)

// MaxEntrySize is the largest encoded entry: entry bundles prefix each
// entry with a 16-bit length (C2SP tlog-tiles).
const MaxEntrySize = 1<<16 - 1

// SaltSize is the size of the salts of commitments.
const SaltSize = 32

const entryHeader = "tally/entry/v1"

// timeLayout writes times in UTC with exactly three decimals, so that a time
// has one spelling.
const timeLayout = "2006-01-02T15:04:05.000Z"

// CheckpointRef names a checkpoint by its tree size and root hash.
type CheckpointRef struct {
	Size int64
	Hash Hash
}

// Entry is one record of the log. It carries no personal data: what was
// submitted is bound by Commitment, and the payload itself stays in the
// store, encrypted, where it can be erased without breaking the log.
type Entry struct {
	Kind       string        // what the entry records, e.g. KindListVersion
	Party      string        // the code of the party that makes it, e.g. UA
	Seq        int64         // the party's sequence number, from 1
	Prev       Hash          // SHA-256 of the party's previous entry's encoding; zero when Seq is 1
	Commitment Hash          // Commit(salt, payload)
	Time       time.Time     // when the party made it: UTC, in milliseconds
	Checkpoint CheckpointRef // a recent checkpoint of the log, which the entry cannot predate

	// Signature is the party's signature line over Text, made by Sign.
	Signature note.Signature
}

// Commit returns SHA-256(salt ‖ payload), the commitment an entry carries.
func Commit(salt, payload []byte) Hash {
	h := sha256.New()
	h.Write(salt)
	h.Write(payload)
	var c Hash
	h.Sum(c[:0])
	return c
}

// NewSalt returns SaltSize random bytes.
func NewSalt() []byte {
	b := make([]byte, SaltSize)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail
	}
	return b
}

// EntryHash is SHA-256 of an entry's encoding: what the party's next entry
// carries as Prev.
func EntryHash(encoded []byte) Hash { return sha256.Sum256(encoded) }

// Text returns the signed part of the entry: the note text.
//
//	tally/entry/v1
//	kind list-version
//	party UA
//	seq 3
//	prev <base64 SHA-256>
//	commitment <base64 SHA-256>
//	time 2026-11-22T04:09:00.123Z
//	checkpoint 120 <base64 root hash>
func (e *Entry) Text() ([]byte, error) {
	if err := e.check(); err != nil {
		return nil, err
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s\nkind %s\nparty %s\nseq %d\nprev %s\ncommitment %s\ntime %s\ncheckpoint %d %s\n",
		entryHeader, e.Kind, e.Party, e.Seq, e.Prev, e.Commitment,
		e.Time.UTC().Format(timeLayout), e.Checkpoint.Size, e.Checkpoint.Hash)
	return b.Bytes(), nil
}

func (e *Entry) check() error {
	if err := checkKind(e.Kind); err != nil {
		return err
	}
	if err := checkID(e.Party); err != nil {
		return fmt.Errorf("ledger: entry party: %w", err)
	}
	if e.Seq < 1 {
		return fmt.Errorf("ledger: entry seq %d: sequence numbers start at 1", e.Seq)
	}
	if (e.Seq == 1) != (e.Prev == Hash{}) {
		return fmt.Errorf("ledger: entry seq %d: prev must be zero for the first entry of a party and only then", e.Seq)
	}
	if y := e.Time.UTC().Year(); y < 1 || y > 9999 {
		return fmt.Errorf("ledger: entry time %v is out of range", e.Time)
	}
	if !e.Time.Equal(e.Time.Truncate(time.Millisecond)) {
		return fmt.Errorf("ledger: entry time %v has more than millisecond precision: use NormalTime", e.Time)
	}
	if e.Checkpoint.Size < 0 {
		return fmt.Errorf("ledger: entry cites a checkpoint of negative size")
	}
	return nil
}

func checkKind(k string) error {
	ok := k != "" && len(k) <= 64 && 'a' <= k[0] && k[0] <= 'z'
	for _, c := range []byte(k) {
		ok = ok && ('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-')
	}
	if !ok {
		return fmt.Errorf("ledger: entry kind %q: use 1 to 64 lower-case letters, digits and '-', starting with a letter", k)
	}
	return nil
}

// NormalTime returns t in UTC, truncated to the millisecond, as entries
// and checkpoints keep it.
func NormalTime(t time.Time) time.Time { return t.UTC().Truncate(time.Millisecond) }

// Sign signs the entry with the party's key and returns its encoding.
// The signer must be the party's (named tally-party-CODE); the log checks
// it is the key registered for that party.
func (e *Entry) Sign(s note.Signer) ([]byte, error) {
	if s.Name() != PartyKeyName(e.Party) {
		return nil, fmt.Errorf("ledger: key %s cannot sign for party %s", s.Name(), e.Party)
	}
	text, err := e.Text()
	if err != nil {
		return nil, err
	}
	b, err := note.Sign(&note.Note{Text: string(text)}, s)
	if err != nil {
		return nil, fmt.Errorf("ledger: signing entry: %w", err)
	}
	_, err = note.Open(b, note.VerifierList())
	var u *note.UnverifiedNoteError
	if !errors.As(err, &u) || len(u.Note.UnverifiedSigs) != 1 {
		return nil, fmt.Errorf("ledger: signing entry: %v", err)
	}
	e.Signature = u.Note.UnverifiedSigs[0]
	return b, nil
}

// Encode returns the entry's encoding: a signed note (C2SP signed-note)
// whose text is Text and which carries exactly one signature, the party's.
// This is what the log stores as the leaf.
func (e *Entry) Encode() ([]byte, error) {
	text, err := e.Text()
	if err != nil {
		return nil, err
	}
	if e.Signature.Name == "" {
		return nil, errors.New("ledger: entry is not signed")
	}
	// note.Sign writes the signatures of the note it is given after the
	// text; with no new signer it re-encodes the one the entry carries.
	return note.Sign(&note.Note{Text: string(text), UnverifiedSigs: []note.Signature{e.Signature}})
}

// DecodeEntry parses an entry's encoding without checking its signature
// (see Log.Append and Verify for that). It accepts only the canonical
// encoding: DecodeEntry(b).Encode() is b.
func DecodeEntry(b []byte) (*Entry, error) {
	if len(b) > MaxEntrySize {
		return nil, fmt.Errorf("ledger: entry of %d bytes is longer than %d", len(b), MaxEntrySize)
	}
	_, err := note.Open(b, note.VerifierList())
	var u *note.UnverifiedNoteError
	if !errors.As(err, &u) {
		return nil, fmt.Errorf("ledger: entry is not a signed note: %v", err)
	}
	n := u.Note
	if len(n.UnverifiedSigs) != 1 {
		return nil, fmt.Errorf("ledger: entry carries %d signatures: it must carry exactly one", len(n.UnverifiedSigs))
	}
	if err := strictSigs(n); err != nil {
		return nil, fmt.Errorf("ledger: entry: %v", err)
	}
	e, err := parseEntryText(n.Text)
	if err != nil {
		return nil, err
	}
	e.Signature = n.UnverifiedSigs[0]
	again, err := e.Encode()
	if err != nil {
		return nil, err
	}
	if !bytes.Equal(again, b) {
		return nil, errors.New("ledger: entry is not in canonical form")
	}
	return e, nil
}

// ParseEntryText parses an entry's unsigned text (Text), as a party that
// signs away from the log receives it: it checks the text is canonical, so
// that what the party reads is exactly what it signs.
func ParseEntryText(text []byte) (*Entry, error) {
	if len(text) > MaxEntrySize {
		return nil, fmt.Errorf("ledger: entry text of %d bytes is longer than %d", len(text), MaxEntrySize)
	}
	e, err := parseEntryText(string(text))
	if err != nil {
		return nil, err
	}
	again, err := e.Text()
	if err != nil {
		return nil, err
	}
	if !bytes.Equal(again, text) {
		return nil, errors.New("ledger: entry text is not in canonical form")
	}
	return e, nil
}

// Next returns the entry that follows e in its party's chain, once e is
// signed and encoded as signed: the same time and cited checkpoint, the
// next seq, prev the hash of signed. A party signing several steps at once
// away from the log makes each entry after the first this way, since each
// one's prev depends on the signature of the one before.
func (e *Entry) Next(signed []byte, kind string, commitment Hash) *Entry {
	return &Entry{Kind: kind, Party: e.Party, Seq: e.Seq + 1, Prev: EntryHash(signed),
		Commitment: commitment, Time: e.Time, Checkpoint: e.Checkpoint}
}

// Step is a step a party signs away from the log: its kind and the
// commitment to its payload, as the party computed them itself.
type Step struct {
	Kind       string
	Commitment Hash
}

// SignChain signs the entries of steps prepared away from the log, with
// the party's key s: first is the unsigned text of the first step's entry
// as the log prepared it. Before signing, it checks that the entry is the
// party's and records steps[0] — the kind and the commitment the party
// computed from its own payload and the salt — so that a party never signs
// what it did not mean to. Each following entry is made with Next. It
// returns the signed entries, in order.
func SignChain(first []byte, steps []Step, s note.Signer) ([][]byte, error) {
	if len(steps) == 0 {
		return nil, errors.New("ledger: no step to sign")
	}
	e, err := ParseEntryText(first)
	if err != nil {
		return nil, err
	}
	if want := PartyKeyName(e.Party); s.Name() != want {
		return nil, fmt.Errorf("ledger: the entry prepared is %s's, and the key given is %s", e.Party, s.Name())
	}
	if e.Kind != steps[0].Kind || e.Commitment != steps[0].Commitment {
		return nil, fmt.Errorf("ledger: the entry prepared records %s %s, not the step asked for (%s %s): refusing to sign it",
			e.Kind, e.Commitment, steps[0].Kind, steps[0].Commitment)
	}
	out := make([][]byte, 0, len(steps))
	for i, st := range steps {
		if i > 0 {
			e = e.Next(out[i-1], st.Kind, st.Commitment)
		}
		b, err := e.Sign(s)
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, nil
}

func parseEntryText(text string) (*Entry, error) {
	lines := strings.Split(text, "\n")
	keys := []string{entryHeader, "kind", "party", "seq", "prev", "commitment", "time", "checkpoint", ""}
	if len(lines) != len(keys) || lines[0] != entryHeader {
		return nil, fmt.Errorf("ledger: entry does not begin %q or has %d lines, not %d", entryHeader, len(lines)-1, len(keys)-1)
	}
	val := make([]string, len(keys))
	for i := 1; i < len(keys)-1; i++ {
		v, ok := strings.CutPrefix(lines[i], keys[i]+" ")
		if !ok {
			return nil, fmt.Errorf("ledger: entry line %d is not %q", i+1, keys[i])
		}
		val[i] = v
	}
	e := &Entry{Kind: val[1], Party: val[2]}
	var err error
	if e.Seq, err = strconv.ParseInt(val[3], 10, 64); err != nil {
		return nil, fmt.Errorf("ledger: entry seq: %v", err)
	}
	if e.Prev, err = parseHash(val[4]); err != nil {
		return nil, fmt.Errorf("ledger: entry prev: %v", err)
	}
	if e.Commitment, err = parseHash(val[5]); err != nil {
		return nil, fmt.Errorf("ledger: entry commitment: %v", err)
	}
	if e.Time, err = time.Parse(timeLayout, val[6]); err != nil {
		return nil, fmt.Errorf("ledger: entry time: %v", err)
	}
	size, root, _ := strings.Cut(val[7], " ")
	if e.Checkpoint.Size, err = strconv.ParseInt(size, 10, 64); err != nil {
		return nil, fmt.Errorf("ledger: entry checkpoint size: %v", err)
	}
	if e.Checkpoint.Hash, err = parseHash(root); err != nil {
		return nil, fmt.Errorf("ledger: entry checkpoint hash: %v", err)
	}
	if err := e.check(); err != nil {
		return nil, err
	}
	return e, nil
}

func parseHash(s string) (Hash, error) {
	b, err := base64.StdEncoding.Strict().DecodeString(s)
	if err != nil || len(b) != len(Hash{}) {
		return Hash{}, fmt.Errorf("%q is not a base64 SHA-256 hash", s)
	}
	return Hash(b), nil
}
