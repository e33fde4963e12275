package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"tally/exchange"
)

func (a *app) commissionCommand() *cobra.Command {
	c := &cobra.Command{Use: "commission", Short: "The medical commission: members, votes and decisions on eligibility"}

	var af stepFlags
	var ma exchange.MemberAppointed
	appoint := &cobra.Command{
		Use:   "appoint --member NAME --as CODE --by NAME --key FILE",
		Short: "Appoint a member for your side (the mediator appoints the neutral members)",
		Args:  exactArgs(0, "no arguments"),
		RunE: func(c *cobra.Command, args []string) error {
			ma.Side = strings.ToUpper(af.as)
			entries, err := a.record(c.Context(), af, ma)
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "%s sits on the commission for %s: %s\n", ma.Member, ma.Side, entriesText(entries))
			return nil
		},
	}
	af.add(appoint)
	appoint.Flags().StringVar(&ma.Member, "member", "", "the member's name")

	var vf stepFlags
	var v exchange.Vote
	var person string
	vote := &cobra.Command{
		Use:   "vote --person LIST:REF --category ID --decision eligible|not-eligible|re-examine --member NAME --as CODE --by NAME --key FILE",
		Short: "Record a member's vote on a person's eligibility for a medical category",
		Args:  exactArgs(0, "no arguments"),
		RunE: func(c *cobra.Command, args []string) error {
			p, err := parsePerson(person)
			if err != nil {
				return err
			}
			v.Person = p
			entries, err := a.record(c.Context(), vf, v)
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "%s voted %s on %s: %s\n", v.Member, v.Decision, p, entriesText(entries))
			return nil
		},
	}
	vf.add(vote)
	vote.Flags().StringVar(&person, "person", "", "the person examined, as LIST:REF")
	vote.Flags().StringVar(&v.Category, "category", "", "the medical category")
	vote.Flags().StringVar(&v.Decision, "decision", "", "eligible, not-eligible or re-examine")
	vote.Flags().StringVar(&v.Member, "member", "", "the member voting")

	var df stepFlags
	var d exchange.CommissionDecided
	var dperson string
	decide := &cobra.Command{
		Use:   "decide --person LIST:REF --category ID --decision D --as CODE --by NAME --key FILE",
		Short: "Record the commission's decision, the one the majority of votes carries",
		Args:  exactArgs(0, "no arguments"),
		RunE: func(c *cobra.Command, args []string) error {
			p, err := parsePerson(dperson)
			if err != nil {
				return err
			}
			d.Person = p
			entries, err := a.record(c.Context(), df, d)
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "the commission decided %s: %s, %s\n", p, d.Decision, entriesText(entries))
			return nil
		},
	}
	df.add(decide)
	decide.Flags().StringVar(&dperson, "person", "", "the person, as LIST:REF")
	decide.Flags().StringVar(&d.Category, "category", "", "the medical category")
	decide.Flags().StringVar(&d.Decision, "decision", "", "eligible, not-eligible or re-examine")

	var agreement string
	status := &cobra.Command{
		Use:   "status",
		Short: "Show the members and every person examined",
		Args:  exactArgs(0, "no arguments"),
		RunE: func(c *cobra.Command, args []string) error {
			p, _, err := a.process(c.Context(), agreement)
			if err != nil {
				return err
			}
			for _, m := range p.Members() {
				fmt.Fprintf(a.stdout, "member %s (%s)\n", m.Name, m.Side)
			}
			for _, e := range p.Examinations() {
				fmt.Fprintf(a.stdout, "%s, %s: %d votes, decision %s\n", e.Person, e.Category, len(e.Votes), orNone(e.Decision))
			}
			return nil
		},
	}
	status.Flags().StringVar(&agreement, "agreement", "", "the agreement's id (default: the only one stored)")
	c.AddCommand(appoint, vote, decide, status)
	return c
}

func orNone(s string) string {
	if s == "" {
		return "none yet"
	}
	return s
}
