package main

import (
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"tally/names"
)

func (a *app) namesCommand() *cobra.Command {
	var lang string
	var asJSON bool
	c := &cobra.Command{
		Use:   "names [--lang uk|ru] [--json] NAME...",
		Short: "Show the script, language, national romanization and matching key of names",
		Long: `names tells, for each name, the script and language it is written in (or the
one --lang gives), its national romanization — Ukrainian by the Cabinet of
Ministers' resolution No. 55 of 27 January 2010, Russian by ICAO Doc 9303 as
Russian passports use it since 2014 — and the key tally matches it by, which is
the same for the Ukrainian, Russian and Latin spellings of one name.`,
		Args: func(c *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usagef("names needs at least one name")
			}
			return nil
		},
		RunE: func(c *cobra.Command, args []string) error {
			if _, err := names.ParseLang(lang); err != nil || lang == "latin" {
				return usagef("--lang %q: use uk or ru", lang)
			}
			ds := make([]names.Description, len(args))
			for i, n := range args {
				ds[i] = names.Describe(n, lang)
			}
			if asJSON {
				return writeJSON(a.stdout, struct {
					Names []names.Description `json:"names"`
				}{ds})
			}
			tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "NAME\tLANG\tSCRIPT\tLATIN\tKEY")
			for _, d := range ds {
				l := string(d.Lang)
				if d.Guessed {
					l += "?"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", d.Input, l, d.Script, d.Latin, d.Key)
			}
			return tw.Flush()
		},
	}
	c.Flags().StringVar(&lang, "lang", "", "the language the names are in: uk or ru (default: detected)")
	c.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return c
}
