package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"tally"
	"tally/agreementfile"
	"tally/exchange"
	"tally/linkage"
	"tally/listfile"
)

// matchSide is one of the two lists a match reads: a file, or a stored
// list version.
type matchSide struct {
	name    string             // as the user named it
	version *tally.ListVersion // nil for a file
	records []linkage.Record
}

func (a *app) matchCommand() *cobra.Command {
	var lists []string
	var agreement, agreementID string
	var asJSON bool
	var opt linkage.Options
	var rf readFlags
	c := &cobra.Command{
		Use:   "match LEFT RIGHT [--json] [--agreement FILE]",
		Short: "Reconcile one side's list with the other's",
		Long: `match pairs the rows of two lists that are one person, across Ukrainian,
Russian and Latin spellings, typos and date slips. Each row pairs with at most
one row of the other list. A pair is a "match" when the model is sure enough to
accept it without review, and "review" when a person must look; every pair says,
field by field, which comparison decided it.

LEFT and RIGHT are list files (CSV or XLSX), or stored lists named with --list,
as in: tally match --list ua-request --list ru-custody@2. With stored lists, the
decisions people took on pairs (tally match accept / reject) are shown too.`,
		RunE: func(c *cobra.Command, args []string) error {
			ctx := c.Context()
			if len(args)+len(lists) != 2 {
				return usagef("match needs two lists, LEFT and RIGHT: files, or stored lists with --list (got %d)", len(args)+len(lists))
			}
			ropt, err := rf.options()
			if err != nil {
				return err
			}
			var ag *tally.Agreement
			if agreement != "" {
				loaded, _, err := agreementfile.Load(agreement)
				if err != nil {
					return err
				}
				ag = &loaded
			}
			var sides []*matchSide
			for _, path := range args {
				s, err := readMatchFile(path, ropt, ag)
				if err != nil {
					return err
				}
				sides = append(sides, s)
			}
			var svc *tally.Service
			if len(lists) > 0 {
				var done func()
				if svc, done, err = a.service(ctx); err != nil {
					return err
				}
				defer done()
				if agreementID, err = agreementFlag(ctx, svc, agreementID); err != nil {
					return err
				}
				for _, ref := range lists {
					s, err := readMatchList(ctx, svc, agreementID, ref)
					if err != nil {
						return err
					}
					sides = append(sides, s)
				}
			}
			res, err := linkage.Link(sides[0].records, sides[1].records, opt)
			if err != nil {
				return err
			}
			var decisions map[string]tally.PairDecision
			if svc != nil && sides[0].version != nil && sides[1].version != nil {
				if decisions, _, err = svc.PairDecisions(ctx, sides[0].version.ID, sides[1].version.ID); err != nil {
					return err
				}
			}
			if asJSON {
				return writeJSON(a.stdout, res)
			}
			printMatch(a.stdout, sides[0].name, sides[1].name, res, decisions)
			return nil
		},
	}
	c.Flags().StringArrayVar(&lists, "list", nil, "a stored list (such as ua-request or ua-request@2) as LEFT or RIGHT; give it twice for both")
	c.Flags().StringVar(&agreementID, "in", "", "with --list: the agreement the lists are under (default: the only one stored)")
	c.Flags().StringVar(&agreement, "agreement", "", "an agreement file: list files are read with its categories, as validate reads them")
	c.Flags().BoolVar(&asJSON, "json", false, "print one JSON document (see the CLI spec)")
	c.Flags().Float64Var(&opt.MatchThreshold, "match-at", 0, "the score from which a pair is accepted without review (default 0.99)")
	c.Flags().Float64Var(&opt.ReviewThreshold, "review-at", 0, "the score from which a pair goes to review (default 0.5)")
	rf.add(c)
	c.AddCommand(a.decideCommand(true), a.decideCommand(false))
	return c
}

func readMatchFile(path string, opt listfile.Options, ag *tally.Agreement) (*matchSide, error) {
	r, err := listfile.Open(path, opt)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	s := &matchSide{name: path}
	seen := map[string]int{}
	var dup error
	add := func(ref string, row *tally.Row) {
		if first, ok := seen[ref]; ok && dup == nil {
			dup = &tally.Error{Code: tally.EInvalid, File: path, Line: row.Line, Key: "ref",
				Message: fmt.Sprintf("ref %s is used already on line %d", ref, first), Hint: "every row needs its own ref to be matched"}
		}
		seen[ref] = row.Line
		s.records = append(s.records, linkage.FromRow(ref, *row))
	}
	if ag != nil && (r.Header().Has(tally.FieldCategory) || len(ag.Categories) == 1) {
		category := ""
		if !r.Header().Has(tally.FieldCategory) {
			category = ag.Categories[0].ID
		}
		err := tally.EachRow(ag, r, category, func(ref string, row *tally.Row, _ []tally.Problem, _ []tally.Note) error {
			add(ref, row)
			return nil
		})
		if err == nil {
			err = dup
		}
		return s, tally.InFile(err, path, 0)
	}
	for {
		row, err := r.Next()
		if err == io.EOF {
			if dup != nil {
				return nil, dup
			}
			return s, nil
		}
		if err != nil {
			return nil, tally.InFile(err, path, 0)
		}
		tally.NormalizeRow(&row)
		add(tally.RefOf(&row), &row)
	}
}

func readMatchList(ctx context.Context, svc *tally.Service, agreementID, ref string) (*matchSide, error) {
	listID, n, err := tally.ParseVersionRef(ref)
	if err != nil {
		return nil, err
	}
	v, err := svc.ListVersion(ctx, agreementID, listID, n)
	if err != nil {
		return nil, err
	}
	s := &matchSide{name: v.Ref(), version: &v}
	err = svc.ListRows(ctx, v, func(r tally.StoredRow) error {
		s.records = append(s.records, linkage.FromRow(r.Ref, r.Row))
		return nil
	})
	return s, err
}

func printMatch(w io.Writer, left, right string, res *linkage.Result, decisions map[string]tally.PairDecision) {
	matches, reviews := 0, 0
	for _, p := range res.Pairs {
		if p.Decision == linkage.DecisionMatch {
			matches++
		} else {
			reviews++
		}
	}
	fmt.Fprintf(w, "%s ~ %s: %s, %s for review; %d only on the left, %d only on the right\n",
		left, right, plural(matches, "match"), plural(reviews, "pair"), len(res.LeftOnly), len(res.RightOnly))
	// Review first: that is where a person is needed.
	pairs := slices.Clone(res.Pairs)
	sort.SliceStable(pairs, func(i, j int) bool {
		return pairs[i].Decision == linkage.DecisionReview && pairs[j].Decision != linkage.DecisionReview
	})
	for _, p := range pairs {
		fmt.Fprintf(w, "  %-6s %s ~ %s  %.3f  %s", strings.ToUpper(p.Decision), p.Left, p.Right, p.Score, explain(p.Fields))
		if d, ok := decisions[p.Left+"\x00"+p.Right]; ok {
			fmt.Fprintf(w, "  [%s by %s, %s]", d.Verdict(), d.By, d.At.Format("2006-01-02 15:04"))
		}
		fmt.Fprintln(w)
	}
	if len(res.LeftOnly) > 0 {
		fmt.Fprintf(w, "  only in %s: %s\n", left, strings.Join(res.LeftOnly, ", "))
	}
	if len(res.RightOnly) > 0 {
		fmt.Fprintf(w, "  only in %s: %s\n", right, strings.Join(res.RightOnly, ", "))
	}
}

// explain lists a pair's fields in a fixed order: names first.
func explain(fields map[string]string) string {
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	order := func(k string) int {
		if f := tally.FieldNamed(k); f != tally.FieldUnknown {
			return int(f)
		}
		return 100
	}
	sort.Slice(keys, func(i, j int) bool {
		if oi, oj := order(keys[i]), order(keys[j]); oi != oj {
			return oi < oj
		}
		return keys[i] < keys[j]
	})
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + ": " + fields[k]
	}
	return strings.Join(parts, ", ")
}

// decideCommand is `tally match accept` (accept true) or `tally match reject`.
func (a *app) decideCommand(accept bool) *cobra.Command {
	var lists []string
	var agreementID, keyPath string
	d := tally.PairDecision{Accepted: accept}
	verb := "reject"
	if accept {
		verb = "accept"
	}
	c := &cobra.Command{
		Use:   verb + " --list LEFT --list RIGHT --by NAME LEFTREF RIGHTREF",
		Short: map[bool]string{true: "Record that a proposed pair is one person", false: "Record that a proposed pair is two different people"}[accept],
		Long: `Records a person's decision on a pair that matching proposed between two stored
list versions, with who took it and when. Decisions are never erased: a later
decision on the same pair supersedes an earlier one, and both stay on record.`,
		Args: exactArgs(2, "the two refs, LEFTREF and RIGHTREF"),
		RunE: func(c *cobra.Command, args []string) error {
			ctx := c.Context()
			if len(lists) != 2 {
				return usagef("%s needs the two stored lists: --list LEFT --list RIGHT", verb)
			}
			svc, done, err := a.service(ctx)
			if err != nil {
				return err
			}
			defer done()
			if agreementID, err = agreementFlag(ctx, svc, agreementID); err != nil {
				return err
			}
			var vs [2]tally.ListVersion
			for i, ref := range lists {
				listID, n, err := tally.ParseVersionRef(ref)
				if err != nil {
					return err
				}
				if vs[i], err = svc.ListVersion(ctx, agreementID, listID, n); err != nil {
					return err
				}
			}
			d.LeftVersion, d.RightVersion, d.Left, d.Right = vs[0].ID, vs[1].ID, args[0], args[1]
			if err := svc.DecidePair(ctx, d); err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "%sed: %s (%s) ~ %s (%s), by %s\n", verb, d.Left, vs[0].Ref(), d.Right, vs[1].Ref(), d.By)
			if keyPath == "" {
				return nil
			}
			// With the side's key, the decision is also a step of the
			// exchange process, signed in the shared record.
			request := exchange.PersonRef{List: vs[0].ListID, Ref: d.Left}
			custody := exchange.PersonRef{List: vs[1].ListID, Ref: d.Right}
			if vs[0].Kind == tally.KindCustody {
				request, custody = custody, request
			}
			var body any = exchange.PairConfirmed{Request: request, Custody: custody}
			if !accept {
				body = exchange.PairRejected{Request: request, Custody: custody, Text: d.Note}
			}
			entries, err := a.record(ctx, stepFlags{agreement: agreementID, as: d.Party, by: d.By, key: keyPath}, body)
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "recorded in the shared record: %s\n", entriesText(entries))
			return nil
		},
	}
	c.Flags().StringArrayVar(&lists, "list", nil, "the stored lists the pair is between: give it twice, LEFT then RIGHT")
	c.Flags().StringVar(&agreementID, "in", "", "the agreement the lists are under (default: the only one stored)")
	c.Flags().StringVar(&d.By, "by", "", "the name of the person deciding")
	c.Flags().StringVar(&d.Party, "as", "", "the code of the party the person decides for")
	c.Flags().StringVar(&keyPath, "key", "", "that party's private key: the decision is then also a step signed in the shared record")
	c.Flags().StringVar(&d.Note, "note", "", "why, in a few words")
	c.Flags().Float64Var(&d.Score, "score", 0, "the score the match showed, for the record")
	return c
}
