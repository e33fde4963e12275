package ledger

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	fnote "github.com/transparency-dev/formats/note"
	"golang.org/x/mod/sumdb/note"
)

// Role is what a key may sign: entries for one party, checkpoints of the
// log, or cosignatures of a witness. The role is written into the key's
// name, so a key can never be taken for another role's.
type Role int

const (
	RoleParty   Role = iota + 1 // signs the entries of one party
	RoleLog                     // the mediator's key: signs checkpoints, nothing else
	RoleWitness                 // cosigns checkpoints (C2SP tlog-cosignature)
)

// Key name prefixes, one per role. A key name is the prefix followed by an
// identifier: tally-party-UA, tally-log-TR, tally-witness-UA.
const (
	PartyKeyPrefix   = "tally-party-"
	LogKeyPrefix     = "tally-log-"
	WitnessKeyPrefix = "tally-witness-"
)

func (r Role) String() string {
	switch r {
	case RoleParty:
		return "party"
	case RoleLog:
		return "log"
	case RoleWitness:
		return "witness"
	}
	return fmt.Sprintf("role(%d)", int(r))
}

func (r Role) prefix() string {
	switch r {
	case RoleParty:
		return PartyKeyPrefix
	case RoleLog:
		return LogKeyPrefix
	case RoleWitness:
		return WitnessKeyPrefix
	}
	return ""
}

// KeyName returns the name of the key of role r for id: the party code for
// a party (UA), the mediator's log identifier for the log (TR, or
// TR-istanbul-2025), a free identifier for a witness. Identifiers are 1 to
// 64 characters of ASCII letters, digits, '.', '_' and '-': they are codes,
// not names of people, and end up in file names.
//
// The log's key name is also its checkpoint origin (C2SP tlog-checkpoint
// says the key name SHOULD match the origin).
func KeyName(r Role, id string) (string, error) {
	if r.prefix() == "" {
		return "", fmt.Errorf("ledger: unknown key role %d", int(r))
	}
	if err := checkID(id); err != nil {
		return "", fmt.Errorf("ledger: %s key: %w", r, err)
	}
	return r.prefix() + id, nil
}

// PartyKeyName is KeyName(RoleParty, party) for a party code already checked.
func PartyKeyName(party string) string { return PartyKeyPrefix + party }

// RoleOf returns the role and identifier a key name encodes.
func RoleOf(name string) (Role, string, bool) {
	for _, r := range []Role{RoleParty, RoleLog, RoleWitness} {
		if id, ok := strings.CutPrefix(name, r.prefix()); ok && checkID(id) == nil {
			return r, id, true
		}
	}
	return 0, "", false
}

func checkID(id string) error {
	if id == "" || len(id) > 64 {
		return fmt.Errorf("identifier %q must be 1 to 64 characters", id)
	}
	for _, c := range []byte(id) {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c == '-') {
			return fmt.Errorf("identifier %q may hold only ASCII letters, digits, '.', '_' and '-'", id)
		}
	}
	return nil
}

// GenerateKey returns a new Ed25519 signed-note key pair named name: skey
// ("PRIVATE+KEY+name+hash+key") is secret, vkey ("name+hash+key") is
// public. It is note.GenerateKey with the system's random source.
func GenerateKey(name string) (skey, vkey string, err error) {
	return note.GenerateKey(rand.Reader, name)
}

// GenerateRoleKey generates the key of role r for id. A witness's vkey is
// returned in its C2SP tlog-cosignature (cosignature/v1) form, the form
// witnesses publish; its skey serves both forms.
func GenerateRoleKey(r Role, id string) (skey, vkey string, err error) {
	name, err := KeyName(r, id)
	if err != nil {
		return "", "", err
	}
	skey, vkey, err = GenerateKey(name)
	if err != nil {
		return "", "", err
	}
	if r == RoleWitness {
		vkey, err = fnote.VKeyToCosignatureV1(vkey)
	}
	return skey, vkey, err
}

// WriteKeyFiles generates the key of role r for id and writes it into dir
// as NAME.key (the private key, mode 0600) and NAME.vkey (the verifier key,
// mode 0644), NAME being the key name. It never overwrites: if either file
// exists it fails and leaves what was there. It returns the two paths.
func WriteKeyFiles(dir string, r Role, id string) (skeyFile, vkeyFile string, err error) {
	skey, vkey, err := GenerateRoleKey(r, id)
	if err != nil {
		return "", "", err
	}
	name, _ := KeyName(r, id)
	skeyFile = filepath.Join(dir, name+".key")
	vkeyFile = filepath.Join(dir, name+".vkey")
	if _, err := os.Lstat(vkeyFile); err == nil {
		return "", "", fmt.Errorf("ledger: %s exists already: move it away or choose another directory", vkeyFile)
	}
	if err := writeExclusive(skeyFile, []byte(skey+"\n"), 0o600); err != nil {
		return "", "", err
	}
	if err := writeExclusive(vkeyFile, []byte(vkey+"\n"), 0o644); err != nil {
		os.Remove(skeyFile)
		return "", "", err
	}
	return skeyFile, vkeyFile, nil
}

func writeExclusive(path string, data []byte, perm os.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		if errors.Is(err, os.ErrExist) {
			return fmt.Errorf("ledger: %s exists already: move it away or choose another directory", path)
		}
		return fmt.Errorf("ledger: %w", err)
	}
	if err := f.Chmod(perm); err != nil { // umask may have narrowed or (0600) not: be exact
		f.Close()
		os.Remove(path)
		return fmt.Errorf("ledger: %w", err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		os.Remove(path)
		return fmt.Errorf("ledger: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		os.Remove(path)
		return fmt.Errorf("ledger: %w", err)
	}
	return f.Close()
}

// NewSigner returns the signer for a private key: a plain Ed25519 note
// signer for a party or the log, a cosignature/v1 signer for a witness
// (decided by the key's name).
func NewSigner(skey string) (note.Signer, error) {
	skey = strings.TrimSpace(skey)
	s, err := note.NewSigner(skey)
	if err != nil {
		return nil, fmt.Errorf("ledger: not a private key in signed-note form: %w", err)
	}
	if r, _, ok := RoleOf(s.Name()); ok && r == RoleWitness {
		return fnote.NewSignerForCosignatureV1(skey)
	}
	return s, nil
}

// Keys are the public keys a log is checked against: the agreement
// registers them, the export carries them, and every party should compare
// them with the ones it holds before trusting a verification.
type Keys struct {
	Log       string            `json:"log"`       // the log's (mediator's) vkey; its name, tally-log-ID, is the origin
	Parties   map[string]string `json:"parties"`   // party code → vkey named tally-party-CODE
	Witnesses []string          `json:"witnesses"` // cosignature/v1 vkeys named tally-witness-ID
}

// verifiers are Keys parsed and checked.
type verifiers struct {
	origin    string
	log       note.Verifier
	parties   map[string]note.Verifier // by party code
	witnesses []note.Verifier          // sorted by name
	all       note.Verifiers           // log and witnesses, for checkpoints
}

// Origin returns the log's origin: the name of its key.
func (k Keys) Origin() string {
	name, _, _ := strings.Cut(strings.TrimSpace(k.Log), "+")
	return name
}

// verifiers checks the keys (each named for its role, no key registered
// twice) and parses them.
func (k Keys) verifiers() (*verifiers, error) {
	v := &verifiers{parties: map[string]note.Verifier{}}
	seen := map[string]string{} // key bytes → name
	dup := func(vkey, name string) error {
		_, rest, _ := strings.Cut(vkey, "+")
		_, key64, _ := strings.Cut(rest, "+")
		raw, err := base64.StdEncoding.DecodeString(key64)
		if err != nil || len(raw) < 2 {
			return fmt.Errorf("ledger: key %s is malformed", name)
		}
		pub := string(raw[1:]) // the same Ed25519 key under another algorithm byte is the same key
		if other, ok := seen[pub]; ok {
			return fmt.Errorf("ledger: the key of %s is registered again as %s: each role needs its own key", other, name)
		}
		seen[pub] = name
		return nil
	}
	lv, err := note.NewVerifier(strings.TrimSpace(k.Log))
	if err != nil {
		return nil, fmt.Errorf("ledger: log key: %w", err)
	}
	if r, _, ok := RoleOf(lv.Name()); !ok || r != RoleLog {
		return nil, fmt.Errorf("ledger: log key is named %q: a log key's name must be %sID", lv.Name(), LogKeyPrefix)
	}
	if err := dup(strings.TrimSpace(k.Log), lv.Name()); err != nil {
		return nil, err
	}
	v.log, v.origin = lv, lv.Name()
	codes := make([]string, 0, len(k.Parties))
	for code := range k.Parties {
		codes = append(codes, code)
	}
	sort.Strings(codes)
	for _, code := range codes {
		vkey := strings.TrimSpace(k.Parties[code])
		name, err := KeyName(RoleParty, code)
		if err != nil {
			return nil, err
		}
		pv, err := note.NewVerifier(vkey)
		if err != nil {
			return nil, fmt.Errorf("ledger: key of party %s: %w", code, err)
		}
		if pv.Name() != name {
			return nil, fmt.Errorf("ledger: key of party %s is named %q, not %q: it is not a key of that party", code, pv.Name(), name)
		}
		if err := dup(vkey, name); err != nil {
			return nil, err
		}
		v.parties[code] = pv
	}
	for _, vkey := range k.Witnesses {
		vkey = strings.TrimSpace(vkey)
		wv, err := fnote.NewVerifierForCosignatureV1(vkey)
		if err != nil {
			return nil, fmt.Errorf("ledger: witness key %q: %w (a witness key is a cosignature/v1 key)", vkey, err)
		}
		if vkeyAlg(vkey) != algCosignatureV1 {
			return nil, fmt.Errorf("ledger: witness key %s is not a cosignature/v1 key: convert it with VKeyToCosignatureV1", wv.Name())
		}
		if r, _, ok := RoleOf(wv.Name()); !ok || r != RoleWitness {
			return nil, fmt.Errorf("ledger: witness key is named %q: a witness key's name must be %sID", wv.Name(), WitnessKeyPrefix)
		}
		if err := dup(vkey, wv.Name()); err != nil {
			return nil, err
		}
		v.witnesses = append(v.witnesses, wv)
	}
	sort.Slice(v.witnesses, func(i, j int) bool { return v.witnesses[i].Name() < v.witnesses[j].Name() })
	v.all = note.VerifierList(append([]note.Verifier{v.log}, v.witnesses...)...)
	return v, nil
}

// keyFile is the content of a .vkey file: the key and a newline.
func keyFile(vkey string) []byte { return []byte(strings.TrimSpace(vkey) + "\n") }

// sameKey reports whether two vkeys are the same text, ignoring surrounding space.
func sameKey(a, b string) bool {
	return bytes.Equal([]byte(strings.TrimSpace(a)), []byte(strings.TrimSpace(b)))
}

// algCosignatureV1 is the signed-note algorithm byte of Ed25519
// cosignature/v1 keys (C2SP tlog-cosignature).
const algCosignatureV1 = 4

// vkeyAlg returns the algorithm byte of a vkey name+hash+base64(alg‖key), or 0.
func vkeyAlg(vkey string) byte {
	parts := strings.SplitN(vkey, "+", 3)
	if len(parts) != 3 {
		return 0
	}
	raw, err := base64.StdEncoding.DecodeString(parts[2])
	if err != nil || len(raw) == 0 {
		return 0
	}
	return raw[0]
}
