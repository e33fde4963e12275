package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"tally"
	"tally/listfile"
)

func (a *app) listCommand() *cobra.Command {
	c := &cobra.Command{
		Use:   "list",
		Short: "Import lists and show their versions",
	}
	c.AddCommand(a.listImportCommand(), a.listShowCommand(), a.listVersionsCommand(), a.listLsCommand(), a.listEraseCommand())
	return c
}

// agreementFlag resolves --agreement: the one given, or the only stored one.
func agreementFlag(ctx context.Context, svc *tally.Service, id string) (string, error) {
	if id != "" {
		return id, nil
	}
	as, err := svc.Agreements(ctx)
	if err != nil {
		return "", err
	}
	switch len(as) {
	case 0:
		return "", usagef("no agreement is stored yet; add one with: tally agreement add FILE")
	case 1:
		return as[0].ID, nil
	}
	ids := make([]string, len(as))
	for i, ag := range as {
		ids[i] = ag.ID
	}
	return "", usagef("several agreements are stored; say which with --agreement (%s)", strings.Join(ids, ", "))
}

// listVersion opens the store and finds the list version ref names
// ("ua-request", "ua-request@2") under the agreement given (or the only
// one). Close the store with done when finished.
func (a *app) listVersion(ctx context.Context, agreementID, ref string) (svc *tally.Service, done func(), v tally.ListVersion, err error) {
	listID, n, err := tally.ParseVersionRef(ref)
	if err != nil {
		return nil, nil, v, err
	}
	if svc, done, err = a.service(ctx); err != nil {
		return nil, nil, v, err
	}
	if agreementID, err = agreementFlag(ctx, svc, agreementID); err == nil {
		v, err = svc.ListVersion(ctx, agreementID, listID, n)
	}
	if err != nil {
		done()
		return nil, nil, v, err
	}
	return svc, done, v, nil
}

func (a *app) listImportCommand() *cobra.Command {
	var in tally.Import
	var kind string
	var asJSON bool
	var keyPath string
	var rf readFlags
	c := &cobra.Command{
		Use:   "import --agreement ID --party CODE --kind request|custody|remains|children FILE",
		Short: "Store a new version of a list, with its conformity report",
		Long: `import stores a list file as a new version of the party's list of that kind:
the original bytes verbatim with their SHA-256, the rows as read, and the
conformity report. A corrected file becomes the next version; nothing is ever
overwritten. A file that cannot be read stores nothing.`,
		Args: exactArgs(1, "the list file"),
		RunE: func(c *cobra.Command, args []string) error {
			ctx := c.Context()
			if in.Party == "" {
				return usagef("import needs --party, the code of the party submitting the list")
			}
			k, err := tally.ParseListKind(kind)
			if err != nil {
				return usageError{err}
			}
			in.Kind = k
			if a.server != "" {
				if rf != (readFlags{}) {
					return usagef("--encoding, --delimiter and --sheet are for a local import: the server detects them")
				}
				return a.importRemote(ctx, in, kind, args[0], keyPath, asJSON)
			}
			opt, err := rf.options()
			if err != nil {
				return err
			}
			svc, done, err := a.service(ctx)
			if err != nil {
				return err
			}
			defer done()
			if in.AgreementID, err = agreementFlag(ctx, svc, in.AgreementID); err != nil {
				return err
			}
			path := args[0]
			rows, err := listfile.Open(path, opt)
			if err != nil {
				return err
			}
			defer rows.Close()
			orig, err := os.Open(path)
			if err != nil {
				return tally.InFile(err, path, 0)
			}
			defer orig.Close()
			in.FileName, in.Original, in.Rows = path, orig, rows
			if keyPath != "" {
				if in.Signer, err = readSigner(keyPath); err != nil {
					return err
				}
			}
			v, rep, err := svc.ImportList(ctx, in)
			if err != nil {
				return tally.InFile(err, path, 0)
			}
			if v.Entry >= 0 {
				// Stored and signed; the witnesses' cosignatures come
				// after the commit, and may come later.
				if err := svc.Cosign(ctx); err != nil {
					fmt.Fprintf(a.stderr, "tally: warning: %v\n", err)
				}
			}
			if asJSON {
				return writeJSON(a.stdout, struct {
					Version versionJSON  `json:"version"`
					Report  tally.Report `json:"report"`
				}{toVersionJSON(v), rep})
			}
			fmt.Fprintf(a.stdout, "stored %s: %s, version %d of %s's %s list under %s\n  sha256 %s, %d bytes\n",
				v.Ref(), v.FileName, v.Version, v.Party, v.Kind, v.AgreementID, v.SHA256, v.Size)
			if v.Entry >= 0 {
				fmt.Fprintf(a.stdout, "  signed by %s and recorded as entry %d of the shared record\n", v.Party, v.Entry)
			}
			fmt.Fprintln(a.stdout)
			printReport(a.stdout, rep)
			return nil
		},
	}
	c.Flags().StringVar(&in.AgreementID, "agreement", "", "the agreement's id (default: the only one stored)")
	c.Flags().StringVar(&in.Party, "party", "", "the code of the party submitting the list, such as UA")
	c.Flags().StringVar(&kind, "kind", "", "what the list holds: request, custody, remains or children")
	c.Flags().StringVar(&in.Name, "name", "", "a name to keep several lists of one kind apart, such as wounded")
	c.Flags().StringVar(&in.Category, "category", "", "the category of every row, for lists with no category column")
	c.Flags().StringVar(&keyPath, "key", "", "the submitting party's private key (tally-party-CODE.key), signing the entry in the shared record")
	c.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	rf.add(c)
	return c
}

// versionJSON is a list version as the commands print it.
type versionJSON struct {
	Agreement  string   `json:"agreement"`
	List       string   `json:"list"`
	Version    int      `json:"version"`
	Party      string   `json:"party"`
	Kind       string   `json:"kind"`
	File       string   `json:"file"`
	SHA256     string   `json:"sha256"`
	Size       int64    `json:"size"`
	Category   string   `json:"category,omitempty"`
	ImportedAt string   `json:"imported_at"`
	Rows       int      `json:"rows"`
	Problems   int      `json:"problems"`
	Conforming bool     `json:"conforming"`
	Columns    []string `json:"columns"`
	Entry      *int64   `json:"entry,omitempty"` // its entry in the shared record
}

func toVersionJSON(v tally.ListVersion) versionJSON {
	cols := make([]string, len(v.Header.Columns))
	for i, c := range v.Header.Columns {
		cols[i] = c.Name
	}
	j := versionJSON{v.AgreementID, v.ListID, v.Version, v.Party, string(v.Kind), v.FileName, v.SHA256, v.Size,
		v.Category, v.ImportedAt.UTC().Format("2006-01-02T15:04:05Z"), v.Rows, v.Problems, v.Conforming, cols, nil}
	if v.Entry >= 0 {
		j.Entry = &v.Entry
	}
	return j
}

func (a *app) listShowCommand() *cobra.Command {
	var agreement string
	var identities []string
	var asJSON, rows, original bool
	c := &cobra.Command{
		Use:   "show LIST[@VERSION]",
		Short: "Show a list version and its conformity report",
		Long: `show prints a stored list version (the latest unless @VERSION is given, as in
ua-request@2) and its conformity report; --rows prints its rows, --original the
file as it was imported, byte for byte.`,
		Args: exactArgs(1, "the list, such as ua-request or ua-request@2"),
		RunE: func(c *cobra.Command, args []string) error {
			ctx := c.Context()
			svc, done, v, err := a.listVersion(ctx, agreement, args[0])
			if err != nil {
				return err
			}
			defer done()
			switch {
			case original:
				ids, err := readIdentities(identities)
				if err != nil {
					return err
				}
				return svc.WriteListFile(ctx, v, a.stdout, ids...)
			case rows:
				return a.printRows(ctx, svc, v, asJSON)
			}
			rep, err := svc.ListReport(ctx, v)
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(a.stdout, struct {
					Version versionJSON  `json:"version"`
					Report  tally.Report `json:"report"`
				}{toVersionJSON(v), rep})
			}
			fmt.Fprintf(a.stdout, "%s: %s, version %d of %s's %s list under %s, imported %s\n  sha256 %s, %d bytes\n\n",
				v.Ref(), v.FileName, v.Version, v.Party, v.Kind, v.AgreementID, v.ImportedAt.UTC().Format("2006-01-02 15:04 UTC"), v.SHA256, v.Size)
			printReport(a.stdout, rep)
			return nil
		},
	}
	c.Flags().StringVar(&agreement, "agreement", "", "the agreement's id (default: the only one stored)")
	c.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	c.Flags().BoolVar(&rows, "rows", false, "print the rows as stored")
	c.Flags().BoolVar(&original, "original", false, "print the original file, byte for byte")
	c.Flags().StringArrayVar(&identities, "identity", nil, "your age key (tally-party-CODE.agekey), to read a file kept encrypted")
	return c
}

func (a *app) printRows(ctx context.Context, svc *tally.Service, v tally.ListVersion, asJSON bool) error {
	if asJSON {
		// One JSON object a line: lists can be long.
		return svc.ListRows(ctx, v, func(r tally.StoredRow) error {
			m := map[string]any{"line": r.Row.Line, "ref": r.Ref}
			for f := tally.FieldRef; f < tally.NumFields; f++ {
				if val := r.Row.Values[f]; val != "" {
					m[f.String()] = val
				}
			}
			if len(r.Row.Extra) > 0 {
				m["extra"] = r.Row.Extra
			}
			return writeJSONLine(a.stdout, m)
		})
	}
	tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "LINE\tREF\tSURNAME\tGIVEN NAME\tPATRONYMIC\tBIRTH DATE\tCATEGORY")
	err := svc.ListRows(ctx, v, func(r tally.StoredRow) error {
		x := r.Row.Values
		_, err := fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", r.Row.Line, r.Ref, x[tally.FieldSurname], x[tally.FieldGivenName],
			x[tally.FieldPatronymic], x[tally.FieldBirthDate], x[tally.FieldCategory])
		return err
	})
	if err != nil {
		return err
	}
	return tw.Flush()
}

func (a *app) listVersionsCommand() *cobra.Command {
	var agreement string
	var asJSON bool
	c := &cobra.Command{
		Use:   "versions LIST",
		Short: "Show every version of a list, oldest first",
		Args:  exactArgs(1, "the list, such as ua-request"),
		RunE: func(c *cobra.Command, args []string) error {
			ctx := c.Context()
			listID, _, err := tally.ParseVersionRef(args[0])
			if err != nil {
				return err
			}
			svc, done, err := a.service(ctx)
			if err != nil {
				return err
			}
			defer done()
			if agreement, err = agreementFlag(ctx, svc, agreement); err != nil {
				return err
			}
			vs, err := svc.ListVersions(ctx, agreement, listID)
			if err != nil {
				return err
			}
			return a.printVersions(vs, asJSON)
		},
	}
	c.Flags().StringVar(&agreement, "agreement", "", "the agreement's id (default: the only one stored)")
	c.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return c
}

func (a *app) listLsCommand() *cobra.Command {
	var agreement string
	var asJSON bool
	c := &cobra.Command{
		Use:   "ls",
		Short: "Show the latest version of every list of an agreement",
		Args:  exactArgs(0, "no arguments"),
		RunE: func(c *cobra.Command, args []string) error {
			ctx := c.Context()
			svc, done, err := a.service(ctx)
			if err != nil {
				return err
			}
			defer done()
			if agreement, err = agreementFlag(ctx, svc, agreement); err != nil {
				return err
			}
			vs, err := svc.Lists(ctx, agreement)
			if err != nil {
				return err
			}
			return a.printVersions(vs, asJSON)
		},
	}
	c.Flags().StringVar(&agreement, "agreement", "", "the agreement's id (default: the only one stored)")
	c.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return c
}

func (a *app) printVersions(vs []tally.ListVersion, asJSON bool) error {
	if asJSON {
		out := make([]versionJSON, len(vs))
		for i, v := range vs {
			out[i] = toVersionJSON(v)
		}
		return writeJSON(a.stdout, struct {
			Versions []versionJSON `json:"versions"`
		}{out})
	}
	tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "VERSION\tIMPORTED\tFILE\tROWS\tPROBLEMS\tSHA-256")
	for _, v := range vs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%s\n", v.Ref(), v.ImportedAt.UTC().Format("2006-01-02 15:04"), v.FileName, v.Rows, v.Problems, v.SHA256[:min(16, len(v.SHA256))])
	}
	return tw.Flush()
}

func (a *app) listEraseCommand() *cobra.Command {
	var agreement, by, reason string
	c := &cobra.Command{
		Use:   "erase LIST@VERSION --by NAME --reason TEXT",
		Short: "Erase the original file and rows of a list version",
		Long: `erase deletes the original file and the rows of one list version, when the
personal data in them must no longer be kept. Who erased them, when and why are
recorded. The version, its conformity report and its entry in the shared record
remain, and the record still verifies: it holds only a commitment to the file.`,
		Args: exactArgs(1, "the list version, such as ua-request@1"),
		RunE: func(c *cobra.Command, args []string) error {
			ctx := c.Context()
			listID, n, err := tally.ParseVersionRef(args[0])
			if err != nil {
				return err
			}
			if n == 0 {
				return usagef("erase needs the version written out, such as %s@1: erasing is never done to whichever is latest", listID)
			}
			if strings.TrimSpace(reason) == "" {
				return usagef("erase needs --reason, recorded with the erasure")
			}
			svc, done, v, err := a.listVersion(ctx, agreement, args[0])
			if err != nil {
				return err
			}
			defer done()
			if err := svc.EraseList(ctx, v, by, reason); err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "erased the file and rows of %s; its report and its entry in the shared record remain\n", v.Ref())
			return nil
		},
	}
	c.Flags().StringVar(&agreement, "agreement", "", "the agreement's id (default: the only one stored)")
	c.Flags().StringVar(&by, "by", "", "the name of the person erasing")
	c.Flags().StringVar(&reason, "reason", "", "why, recorded with the erasure")
	return c
}
