package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"tally"
	"tally/agreementfile"
	"tally/listfile"
)

// readFlags are the flags that force how a list file is read.
type readFlags struct {
	encoding, delimiter, sheet string
}

func (f *readFlags) add(c *cobra.Command) {
	c.Flags().StringVar(&f.encoding, "encoding", "", "force the CSV encoding: utf-8, windows-1251, koi8-u or koi8-r (default: detected)")
	c.Flags().StringVar(&f.delimiter, "delimiter", "", `force the CSV delimiter: ",", ";" or "tab" (default: detected)`)
	c.Flags().StringVar(&f.sheet, "sheet", "", "the XLSX sheet to read (default: the first)")
}

func (f *readFlags) options() (listfile.Options, error) {
	o := listfile.Options{Encoding: f.encoding, Sheet: f.sheet}
	switch strings.ToLower(f.delimiter) {
	case "":
	case ",", "comma":
		o.Delimiter = ','
	case ";", "semicolon":
		o.Delimiter = ';'
	case "tab", `\t`, "\t":
		o.Delimiter = '\t'
	default:
		return o, usagef("--delimiter %q: use \",\", \";\" or \"tab\"", f.delimiter)
	}
	return o, nil
}

func (a *app) validateCommand() *cobra.Command {
	var agreement, category string
	var asJSON bool
	var rf readFlags
	c := &cobra.Command{
		Use:   "validate --agreement FILE [--json] LIST...",
		Short: "Check every row of each list against an agreement",
		Long: `validate reads each list (CSV or XLSX) and says, for every row that does not
conform to the agreement, what is wrong and where. It stores nothing.
Exit 0 when every list conforms, 1 when any row does not, 2 when a file cannot be read.`,
		Args: func(c *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usagef("validate needs at least one list file")
			}
			return nil
		},
		RunE: func(c *cobra.Command, args []string) error {
			if agreement == "" {
				return usagef("validate needs --agreement FILE, the agreement the lists are checked against")
			}
			ag, _, err := agreementfile.Load(agreement)
			if err != nil {
				return err
			}
			opt, err := rf.options()
			if err != nil {
				return err
			}
			var reports []tally.Report
			var failed []error
			for _, path := range args {
				rep, err := validateFile(&ag, path, opt, category)
				if err != nil {
					failed = append(failed, err)
					continue
				}
				reports = append(reports, rep)
			}
			if len(failed) > 0 {
				if !asJSON {
					printReports(a.stdout, reports)
				}
				for _, err := range failed[:len(failed)-1] {
					fmt.Fprintf(a.stderr, "tally: %v\n", err)
				}
				return failed[len(failed)-1]
			}
			if asJSON {
				err = writeJSON(a.stdout, struct {
					Lists []tally.Report `json:"lists"`
				}{reports})
			} else {
				printReports(a.stdout, reports)
			}
			if err != nil {
				return err
			}
			for _, r := range reports {
				if !r.Conforming {
					return judged
				}
			}
			return nil
		},
	}
	c.Flags().StringVar(&agreement, "agreement", "", "the agreement file (YAML)")
	c.Flags().StringVar(&category, "category", "", "the category of every row, for lists with no category column")
	c.Flags().BoolVar(&asJSON, "json", false, "print one JSON document (see the CLI spec)")
	rf.add(c)
	return c
}

func validateFile(ag *tally.Agreement, path string, opt listfile.Options, category string) (tally.Report, error) {
	r, err := listfile.Open(path, opt)
	if err != nil {
		return tally.Report{}, err
	}
	defer r.Close()
	return tally.Validate(ag, path, r, category)
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// printReports writes conformity reports for people: a verdict per list,
// then one line per problem, then notes and unknown columns.
func printReports(w io.Writer, reports []tally.Report) {
	for i, r := range reports {
		if i > 0 {
			fmt.Fprintln(w)
		}
		printReport(w, r)
	}
}

func printReport(w io.Writer, r tally.Report) {
	verdict := "conforms"
	if !r.Conforming {
		verdict = fmt.Sprintf("does not conform: %s", plural(len(r.Problems), "problem"))
	}
	fmt.Fprintf(w, "%s: %s, %s\n", r.File, plural(r.Rows, "row"), verdict)
	for _, p := range r.Problems {
		where := p.Field
		if p.Category != "" {
			where += " [" + p.Category + "]"
		}
		fmt.Fprintf(w, "  line %-6d %-10s %-20s %s: %s\n", p.Line, p.Ref, p.Code, where, p.Detail)
	}
	for _, n := range r.Notes {
		fmt.Fprintf(w, "  line %-6d %-10s %-20s %s: %s\n", n.Line, n.Ref, "note", n.Field, n.Detail)
	}
	if len(r.Unknown) > 0 {
		fmt.Fprintf(w, "  columns kept but not checked: %s\n", strings.Join(quoteAll(r.Unknown), ", "))
	}
}

func quoteAll(ss []string) []string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = fmt.Sprintf("%q", s)
	}
	return q
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	if strings.HasSuffix(word, "ch") || strings.HasSuffix(word, "s") {
		return fmt.Sprintf("%d %ses", n, word)
	}
	return fmt.Sprintf("%d %ss", n, word)
}

func writeJSONLine(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
