package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"tally"
	"tally/ledger"
)

func (a *app) logCommand() *cobra.Command {
	c := &cobra.Command{
		Use:   "log",
		Short: "The shared record: set it up, publish, export, verify, prove",
		Long: `Every submission is signed by the party that makes it and appended to a log
nobody can rewrite: not the parties, not the mediator who keeps it. Anyone holding
an export of the log and the public keys can check it, offline.`,
	}
	c.AddCommand(a.logInitCommand(), a.logShowCommand(), a.logPublishCommand(),
		a.logExportCommand(), a.logVerifyCommand(), a.logProveCommand(), a.logCheckProofCommand(), a.logWitnessURLCommand())
	return c
}

func (a *app) logInitCommand() *cobra.Command {
	var partyKeys, witnessKeys, witnessURLs []string
	c := &cobra.Command{
		Use:   "init --log-key FILE.key --party-key FILE.vkey --party-key FILE.vkey [--witness-key FILE.vkey]...",
		Short: "Set up the store's log: register the keys and sign the first checkpoint",
		Long: `init is done once, by the mediator: it registers the log's key (the mediator's
own, whose private half signs checkpoints), each party's public key (only
entries signed with it are accepted for that party) and each witness's public
key, and signs the first, empty checkpoint. Registered keys are never replaced.`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(c *cobra.Command, args []string) error {
			ctx := c.Context()
			signer, err := a.logSigner()
			if err != nil {
				return err
			}
			if signer == nil {
				return usagef("log init needs --log-key, the mediator's private log key (tally keys new --log CODE)")
			}
			keys := ledger.Keys{Parties: map[string]string{}}
			logVKey, err := vkeyOf(a.logKeyPath())
			if err != nil {
				return err
			}
			keys.Log = logVKey
			for _, path := range partyKeys {
				vkey, err := readVKey(path)
				if err != nil {
					return err
				}
				role, id, _ := ledger.RoleOf(vkeyName(vkey))
				if role != ledger.RoleParty {
					return &tally.Error{Code: tally.EInvalid, File: path, Message: fmt.Sprintf("this is a %s key, not a party's", role)}
				}
				keys.Parties[id] = vkey
			}
			for _, path := range witnessKeys {
				vkey, err := readVKey(path)
				if err != nil {
					return err
				}
				keys.Witnesses = append(keys.Witnesses, vkey)
			}
			if len(keys.Parties) == 0 {
				return usagef("log init needs the parties' public keys: --party-key FILE.vkey, once for each party")
			}
			urls, err := parseWitnessURLs(witnessURLs)
			if err != nil {
				return err
			}
			svc, done, err := a.service(ctx)
			if err != nil {
				return err
			}
			defer done()
			if err := svc.SetUpLog(ctx, keys, signer); err != nil {
				return err
			}
			// The age keys beside the signing keys, if there are, are who
			// the original files are kept encrypted to.
			holders := map[string]string{}
			for _, path := range partyKeys {
				vkey, _ := readVKey(path)
				_, id, _ := ledger.RoleOf(vkeyName(vkey))
				holders[id] = path
			}
			_, mediator, _ := ledger.RoleOf(signer.Name())
			holders[mediator] = a.logKeyPath()
			var encrypted []string
			for _, holder := range sortedKeys(holders) {
				pub := strings.TrimSuffix(strings.TrimSuffix(holders[holder], ".vkey"), ".key") + ".agepub"
				b, err := os.ReadFile(pub)
				if err != nil {
					continue
				}
				if err := svc.AddRecipient(ctx, holder, string(b)); err != nil {
					return tally.InFile(err, pub, 0)
				}
				encrypted = append(encrypted, holder)
			}
			fmt.Fprintf(a.stdout, "the log %s is set up for %s", signer.Name(), strings.Join(sortedKeys(keys.Parties), " and "))
			if len(keys.Witnesses) > 0 {
				fmt.Fprintf(a.stdout, ", with %s", plural(len(keys.Witnesses), "witness"))
			}
			fmt.Fprintln(a.stdout)
			if len(encrypted) > 0 {
				fmt.Fprintf(a.stdout, "original files will be kept encrypted to %s\n", strings.Join(encrypted, ", "))
			}
			for _, id := range sortedKeys(urls) {
				if err := svc.SetWitnessURL(ctx, id, urls[id]); err != nil {
					return err
				}
			}
			return nil
		},
	}
	c.Flags().StringArrayVar(&partyKeys, "party-key", nil, "a party's public key file (tally-party-CODE.vkey); once for each party")
	c.Flags().StringArrayVar(&witnessKeys, "witness-key", nil, "a witness's public key file (tally-witness-ID.vkey)")
	c.Flags().StringArrayVar(&witnessURLs, "witness-url", nil, "where a witness listens, as ID=URL (UA=http://127.0.0.1:7380)")
	return c
}

func parseWitnessURLs(specs []string) (map[string]string, error) {
	urls := map[string]string{}
	for _, s := range specs {
		id, url, ok := strings.Cut(s, "=")
		if !ok || id == "" || !strings.HasPrefix(url, "http") {
			return nil, usagef("--witness-url %q: write ID=URL, such as UA=http://127.0.0.1:7380", s)
		}
		urls[id] = url
	}
	return urls, nil
}

func (a *app) logWitnessURLCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "witness-url ID URL",
		Short: "Record where a registered witness listens",
		Args:  exactArgs(2, "the witness's id and its URL"),
		RunE: func(c *cobra.Command, args []string) error {
			urls, err := parseWitnessURLs([]string{args[0] + "=" + args[1]})
			if err != nil {
				return err
			}
			svc, done, err := a.service(c.Context())
			if err != nil {
				return err
			}
			defer done()
			if err := svc.SetWitnessURL(c.Context(), args[0], urls[args[0]]); err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "witness %s is asked at %s\n", args[0], args[1])
			return nil
		},
	}
}

// vkeyOf returns the public key of the private key file at path, from the
// .vkey file beside it.
func vkeyOf(skeyPath string) (string, error) {
	path := strings.TrimSuffix(skeyPath, ".key") + ".vkey"
	vkey, err := readVKey(path)
	if err != nil {
		return "", &tally.Error{Code: tally.EInvalid, File: path, Message: "the public key of --log-key is needed beside it", Hint: "keep NAME.vkey next to NAME.key, as tally keys new writes them", Err: err}
	}
	return vkey, nil
}

func sortedKeys(m map[string]string) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sortStrings(ks)
	return ks
}

func (a *app) logShowCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "show",
		Short: "Show where the log stands: its size, latest checkpoint and keys",
		Args:  exactArgs(0, "no arguments"),
		RunE: a.withService(func(c *cobra.Command, args []string, svc *tally.Service) error {
			st, err := svc.LogStatus(c.Context())
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "%d entries\nlatest checkpoint:\n%s\nkeys:\n  %s\n", st.Size, indent(string(st.Checkpoint)), st.Keys.Log)
			for _, p := range sortedKeys(st.Keys.Parties) {
				fmt.Fprintf(a.stdout, "  %s\n", st.Keys.Parties[p])
			}
			for _, w := range st.Keys.Witnesses {
				fmt.Fprintf(a.stdout, "  %s\n", w)
			}
			return nil
		}),
	}
}

func indent(s string) string {
	return "  " + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n  ")
}

func (a *app) logPublishCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "publish --log-key FILE.key",
		Short: "Sign a checkpoint of the log as it stands, and have the witnesses cosign it",
		Args:  exactArgs(0, "no arguments"),
		RunE: a.withService(func(c *cobra.Command, args []string, svc *tally.Service) error {
			if err := svc.PublishAndCosign(c.Context()); err != nil {
				return err
			}
			st, err := svc.LogStatus(c.Context())
			if err != nil {
				return err
			}
			_, err = a.stdout.Write(st.Checkpoint)
			return err
		}),
	}
}

func (a *app) logExportCommand() *cobra.Command {
	var out string
	c := &cobra.Command{
		Use:   "export --out DIR",
		Short: "Write the log as static files anyone can verify (C2SP tlog-tiles, plus the public keys)",
		Args:  exactArgs(0, "no arguments"),
		RunE: func(c *cobra.Command, args []string) error {
			if out == "" {
				return usagef("log export needs --out DIR")
			}
			svc, done, err := a.service(c.Context())
			if err != nil {
				return err
			}
			defer done()
			if err := svc.ExportLog(c.Context(), ledger.DirWriter(out)); err != nil {
				return err
			}
			st, err := svc.LogStatus(c.Context())
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "exported %d entries to %s\n", st.Size, out)
			return nil
		},
	}
	c.Flags().StringVar(&out, "out", "", "the directory to write the export in")
	return c
}

func (a *app) logVerifyCommand() *cobra.Command {
	var trusted, keysDir string
	var quorum int
	var asJSON bool
	c := &cobra.Command{
		Use:   "verify DIR [--trusted-checkpoint FILE] [--keys DIR]",
		Short: "Check an exported log, offline: every entry, signature, hash and checkpoint",
		Long: `verify checks an export, offline: every entry's signature under its party's
key, each party's chain, the Merkle tree against the checkpoint, the checkpoint's
signature and cosignatures, and, with --trusted-checkpoint, that the log only
grew since that earlier checkpoint. With --keys, the keys are your own copies
(a directory laid out as the export's keys/), not the export's.
Exit 0 when everything holds; 1 naming the first entry or step that fails.`,
		Args: exactArgs(1, "the export's directory"),
		RunE: func(c *cobra.Command, args []string) error {
			dir := args[0]
			if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
				return &tally.Error{Code: tally.EInvalid, File: dir, Message: "this is not a directory holding an export", Hint: "give the directory tally log export wrote"}
			}
			opt := ledger.VerifyOptions{Quorum: quorum}
			if trusted != "" {
				b, err := os.ReadFile(trusted)
				if err != nil {
					return tally.InFile(err, trusted, 0)
				}
				opt.Trusted = b
			}
			if keysDir != "" {
				k, err := readKeysDir(keysDir)
				if err != nil {
					return err
				}
				opt.Keys = &k
			}
			rep, err := ledger.Verify(os.DirFS(dir), opt)
			var verr *ledger.VerifyError
			if errors.As(err, &verr) {
				if asJSON {
					writeJSON(a.stdout, map[string]any{"verified": false, "step": verr.Step, "index": verr.Index, "error": verr.Error()})
				}
				fmt.Fprintf(a.stderr, "tally: %s does not verify: %v\n", dir, verr)
				return judged
			}
			if err != nil {
				return &tally.Error{Code: tally.EInvalid, File: dir, Message: strings.TrimPrefix(err.Error(), "ledger: ")}
			}
			if asJSON {
				return writeJSON(a.stdout, struct {
					Verified bool `json:"verified"`
					*ledger.VerifyReport
				}{true, rep})
			}
			fmt.Fprintf(a.stdout, "%s verifies: %d entries, root %s, checkpoint of %s by %s",
				dir, rep.Size, rep.RootHash, rep.Time.UTC().Format("2006-01-02 15:04:05 UTC"), rep.Origin)
			if len(rep.Cosigners) > 0 {
				fmt.Fprintf(a.stdout, ", cosigned by %s", strings.Join(rep.Cosigners, ", "))
			}
			fmt.Fprintln(a.stdout)
			if rep.TrustedSize != nil {
				fmt.Fprintf(a.stdout, "it extends the trusted checkpoint of size %d\n", *rep.TrustedSize)
			}
			if opt.Keys == nil {
				fmt.Fprintln(a.stdout, "checked against the keys in the export; compare them with your own copies:")
				fmt.Fprintf(a.stdout, "  %s\n", rep.Keys.Log)
				for _, p := range sortedKeys(rep.Keys.Parties) {
					fmt.Fprintf(a.stdout, "  %s\n", rep.Keys.Parties[p])
				}
			}
			return nil
		},
	}
	c.Flags().StringVar(&trusted, "trusted-checkpoint", "", "an earlier checkpoint you kept: the log must extend it")
	c.Flags().StringVar(&keysDir, "keys", "", "a directory with your own copies of the keys (log.vkey, parties/CODE.vkey, witnesses/ID.vkey)")
	c.Flags().IntVar(&quorum, "quorum", 0, "how many witnesses must have cosigned (default: all)")
	c.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return c
}

func (a *app) logProveCommand() *cobra.Command {
	var list, agreementID, out string
	var identities []string
	var disclose bool
	c := &cobra.Command{
		Use:   "prove --list LIST[@VERSION] [--disclose] [--out FILE]",
		Short: "Write a self-contained proof that a list version is in the log",
		Long: `prove writes the entry that recorded a list version, its inclusion proof and the
signed, cosigned checkpoint that holds it: anyone with the public keys can check
it (tally log check-proof). With --disclose it also holds the original file and
the salt of its commitment, so that anyone can see the file is the one submitted.`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(c *cobra.Command, args []string) error {
			ctx := c.Context()
			if list == "" {
				return usagef("log prove needs --list, such as ua-request@2")
			}
			svc, done, v, err := a.listVersion(ctx, agreementID, list)
			if err != nil {
				return err
			}
			defer done()
			ids, err := readIdentities(identities)
			if err != nil {
				return err
			}
			p, err := svc.ListProof(ctx, v, disclose, ids...)
			if err != nil {
				return err
			}
			if out == "" {
				_, err = a.stdout.Write(p.Encode())
				return err
			}
			if err := os.WriteFile(out, p.Encode(), 0o644); err != nil {
				return tally.InFile(err, out, 0)
			}
			fmt.Fprintf(a.stdout, "wrote the proof of %s (log entry %d) to %s\n", v.Ref(), p.Index, out)
			return nil
		},
	}
	c.Flags().StringVar(&list, "list", "", "the list version, such as ua-request@2")
	c.Flags().StringVar(&agreementID, "agreement", "", "the agreement's id (default: the only one stored)")
	c.Flags().BoolVar(&disclose, "disclose", false, "include the original file and its salt")
	c.Flags().StringArrayVar(&identities, "identity", nil, "your age key (tally-party-CODE.agekey), to read a file kept encrypted")
	c.Flags().StringVar(&out, "out", "", "write the proof to this file (default: standard output)")
	return c
}

func (a *app) logCheckProofCommand() *cobra.Command {
	var keysDir string
	var quorum int
	c := &cobra.Command{
		Use:   "check-proof FILE --keys DIR",
		Short: "Check a proof written by tally log prove, offline",
		Args:  exactArgs(1, "the proof file"),
		RunE: func(c *cobra.Command, args []string) error {
			if keysDir == "" {
				return usagef("check-proof needs --keys DIR: the public keys (an export's keys/ directory)")
			}
			b, err := os.ReadFile(args[0])
			if err != nil {
				return tally.InFile(err, args[0], 0)
			}
			p, err := ledger.DecodeProof(b)
			if err != nil {
				return &tally.Error{Code: tally.EInvalid, File: args[0], Message: strings.TrimPrefix(err.Error(), "ledger: ")}
			}
			k, err := readKeysDir(keysDir)
			if err != nil {
				return err
			}
			e, cp, err := ledger.VerifyProof(p, k, quorum)
			if err != nil {
				fmt.Fprintf(a.stderr, "tally: %s does not hold: %v\n", args[0], strings.TrimPrefix(err.Error(), "ledger: "))
				return judged
			}
			fmt.Fprintf(a.stdout, "%s holds: entry %d, %s by %s (seq %d) at %s, in the checkpoint of size %d",
				args[0], p.Index, e.Kind, e.Party, e.Seq, e.Time.UTC().Format("2006-01-02 15:04:05 UTC"), cp.Size)
			if p.Payload != nil {
				fmt.Fprintf(a.stdout, "; the disclosed file (%d bytes) is the one committed to", len(p.Payload))
			}
			fmt.Fprintln(a.stdout)
			return nil
		},
	}
	c.Flags().StringVar(&keysDir, "keys", "", "the directory of public keys (an export's keys/)")
	c.Flags().IntVar(&quorum, "quorum", 0, "how many witnesses must have cosigned (default: all)")
	return c
}

// readKeysDir reads public keys from an export (DIR/keys/...) or from a
// directory laid out as an export's keys/ (DIR/log.vkey, DIR/parties/...).
func readKeysDir(dir string) (ledger.Keys, error) {
	var fsys fs.FS = os.DirFS(dir)
	if _, err := os.Stat(filepath.Join(dir, "log.vkey")); err == nil {
		fsys = keysFS{fsys}
	}
	k, err := ledger.ReadKeys(fsys)
	if err != nil {
		return k, &tally.Error{Code: tally.EInvalid, File: dir, Message: "cannot read the keys: " + strings.TrimPrefix(err.Error(), "ledger: "),
			Hint: "give an export's directory, or its keys/ directory"}
	}
	return k, nil
}

// keysFS shows a keys/ directory as the root of an export.
type keysFS struct{ fs.FS }

func (k keysFS) Open(name string) (fs.File, error) {
	if name == "." || name == "keys" {
		return k.FS.Open(".")
	}
	rest, ok := strings.CutPrefix(name, "keys/")
	if !ok {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	return k.FS.Open(rest)
}
