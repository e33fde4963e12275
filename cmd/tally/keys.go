package main

import (
	"fmt"
	"os"
	"strings"

	"filippo.io/age"
	"github.com/spf13/cobra"
	"golang.org/x/mod/sumdb/note"

	"tally"
	"tally/ledger"
)

func (a *app) keysCommand() *cobra.Command {
	c := &cobra.Command{
		Use:   "keys",
		Short: "Make the keys that sign the shared record",
	}
	c.AddCommand(a.keysNewCommand())
	return c
}

func (a *app) keysNewCommand() *cobra.Command {
	var party, logID, witness, dir string
	c := &cobra.Command{
		Use:   "new --party CODE | --log CODE | --witness ID [--dir DIR]",
		Short: "Make a key pair: a party's, the log's (the mediator's) or a witness's",
		Long: `new writes a private key (NAME.key, readable by you alone) and its public
verifier key (NAME.vkey) in the signed-note format, NAME saying what the key is
for: tally-party-UA signs UA's submissions and nothing else; tally-log-TR is the
mediator's, signing the log's checkpoints; tally-witness-UA cosigns checkpoints.
Keep the .key file secret; give the .vkey file to the mediator to register.
It never overwrites a key.`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(c *cobra.Command, args []string) error {
			var role ledger.Role
			var id string
			n := 0
			for _, x := range []struct {
				v string
				r ledger.Role
			}{{party, ledger.RoleParty}, {logID, ledger.RoleLog}, {witness, ledger.RoleWitness}} {
				if x.v != "" {
					role, id = x.r, x.v
					n++
				}
			}
			if n != 1 {
				return usagef("keys new needs one of --party CODE, --log CODE or --witness ID")
			}
			if role == ledger.RoleParty {
				id = strings.ToUpper(id)
			}
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return tally.InFile(err, dir, 0)
			}
			skey, vkey, err := ledger.WriteKeyFiles(dir, role, id)
			if err != nil {
				return tally.Errorf(tally.EInvalid, "%s", strings.TrimPrefix(err.Error(), "ledger: "))
			}
			fmt.Fprintf(a.stdout, "private key: %s (keep it secret)\npublic key:  %s\n", skey, vkey)
			if role == ledger.RoleWitness {
				return nil
			}
			// Parties and the mediator also read payloads (the original
			// files), which are kept encrypted to them with age.
			base := strings.TrimSuffix(skey, ".key")
			if err := writeAgeKey(base); err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "private age key: %s (reads the files kept encrypted; keep it secret)\npublic age key:  %s\n", base+".agekey", base+".agepub")
			return nil
		},
	}
	c.Flags().StringVar(&party, "party", "", "make the key of the party with this code, such as UA")
	c.Flags().StringVar(&logID, "log", "", "make the log's key, held by the mediator with this code, such as TR")
	c.Flags().StringVar(&witness, "witness", "", "make a witness's key, such as UA for UA's witness")
	c.Flags().StringVar(&dir, "dir", ".", "the directory to write the key files in")
	return c
}

// readSigner reads a private key file.
func readSigner(path string) (note.Signer, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, tally.InFile(err, path, 0)
	}
	s, err := ledger.NewSigner(strings.TrimSpace(string(b)))
	if err != nil {
		return nil, &tally.Error{Code: tally.EInvalid, File: path, Message: "this is not a private key made by tally keys new", Err: err}
	}
	return s, nil
}

// readVKey reads a public key file.
func readVKey(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", tally.InFile(err, path, 0)
	}
	vkey := strings.TrimSpace(string(b))
	if strings.HasPrefix(vkey, "PRIVATE+KEY") {
		return "", &tally.Error{Code: tally.EInvalid, File: path, Message: "this is a private key", Hint: "give the .vkey file, and keep the .key file secret"}
	}
	if _, _, ok := ledger.RoleOf(vkeyName(vkey)); !ok {
		return "", &tally.Error{Code: tally.EInvalid, File: path, Message: "this is not a public key made by tally keys new"}
	}
	return vkey, nil
}

func vkeyName(vkey string) string {
	name, _, _ := strings.Cut(vkey, "+")
	return name
}

// writeNew writes a file that must not exist yet.
func writeNew(path, data string, perm os.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return tally.InFile(err, path, 0)
	}
	if _, err := f.WriteString(data); err != nil {
		f.Close()
		return tally.InFile(err, path, 0)
	}
	return tally.InFile(f.Close(), path, 0)
}

// readIdentities reads age identity files (--identity).
func readIdentities(paths []string) ([]age.Identity, error) {
	var ids []age.Identity
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			return nil, tally.InFile(err, p, 0)
		}
		got, err := age.ParseIdentities(f)
		f.Close()
		if err != nil {
			return nil, &tally.Error{Code: tally.EInvalid, File: p, Message: "this is not an age key made by tally keys new", Err: err}
		}
		ids = append(ids, got...)
	}
	return ids, nil
}

// writeAgeKey writes a new age key pair as base.agekey (secret) and
// base.agepub.
func writeAgeKey(base string) error {
	identity, err := age.GenerateX25519Identity()
	if err != nil {
		return err
	}
	secret := fmt.Sprintf("# public key: %s\n%s\n", identity.Recipient(), identity)
	if err := writeNew(base+".agekey", secret, 0o600); err != nil {
		return err
	}
	return writeNew(base+".agepub", identity.Recipient().String()+"\n", 0o644)
}
