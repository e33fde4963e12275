package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"tally"
	"tally/agreementfile"
)

func (a *app) agreementCommand() *cobra.Command {
	c := &cobra.Command{
		Use:   "agreement",
		Short: "Store and show agreements",
	}
	c.AddCommand(a.agreementAddCommand(), a.agreementShowCommand(), a.agreementListCommand())
	return c
}

func (a *app) agreementAddCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "add FILE",
		Short: "Check an agreement file and store it",
		Args:  exactArgs(1, "the agreement file"),
		RunE: func(c *cobra.Command, args []string) error {
			ag, src, err := agreementfile.Load(args[0])
			if err != nil {
				return err
			}
			svc, done, err := a.service(c.Context())
			if err != nil {
				return err
			}
			defer done()
			if err := svc.AddAgreement(c.Context(), ag, src); err != nil {
				return tally.InFile(err, args[0], 0)
			}
			fmt.Fprintf(a.stdout, "stored agreement %s (%d categories)\n", ag.ID, len(ag.Categories))
			return nil
		},
	}
}

func (a *app) agreementShowCommand() *cobra.Command {
	var asJSON, source bool
	c := &cobra.Command{
		Use:   "show ID",
		Short: "Show a stored agreement",
		Args:  exactArgs(1, "the agreement's id"),
		RunE: a.withService(func(c *cobra.Command, args []string, svc *tally.Service) error {
			ag, src, err := svc.Agreement(c.Context(), args[0])
			if err != nil {
				return err
			}
			switch {
			case source:
				_, err = a.stdout.Write(src)
				return err
			case asJSON:
				return writeJSON(a.stdout, agreementJSON(ag))
			}
			printAgreement(a.stdout, ag)
			return nil
		}),
	}
	c.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	c.Flags().BoolVar(&source, "source", false, "print the file as it was added, byte for byte")
	return c
}

func (a *app) agreementListCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List the stored agreements",
		Args:  exactArgs(0, "no arguments"),
		RunE: a.withService(func(c *cobra.Command, args []string, svc *tally.Service) error {
			as, err := svc.Agreements(c.Context())
			if err != nil {
				return err
			}
			if len(as) == 0 {
				fmt.Fprintln(a.stdout, "no agreements stored yet; add one with: tally agreement add FILE")
			}
			for _, ag := range as {
				fmt.Fprintf(a.stdout, "%s  %s  %s\n", ag.ID, ag.Date, ag.Title)
			}
			return nil
		}),
	}
}

func printAgreement(w io.Writer, ag tally.Agreement) {
	fmt.Fprintf(w, "%s — %s\n", ag.ID, ag.Title)
	fmt.Fprintf(w, "reached on %s between %s", ag.Date, partyNames(ag.Parties))
	if ag.Mediator != nil {
		fmt.Fprintf(w, ", mediated by %s (%s)", ag.Mediator.Name, ag.Mediator.Code)
	}
	fmt.Fprintln(w)
	if m := ag.Commission; m != nil {
		fmt.Fprintf(w, "medical commission: %d members from each party, %d neutral\n", m.PerParty, m.Neutral)
	}
	for _, c := range ag.Categories {
		terms := string(c.Terms)
		switch c.Terms {
		case tally.NForN:
			terms = fmt.Sprintf("%d for %d", c.Quantity, c.Quantity)
			if x, y := c.RatioOf(); x != y {
				terms = fmt.Sprintf("%d for %d, up to %d each way", x, y, c.Quantity)
			}
		case tally.Unilateral:
			terms = fmt.Sprintf("unilateral, %s → %s", c.From, c.To)
		}
		fmt.Fprintf(w, "  %-24s %-9s %s", c.ID, c.Subject, terms)
		var rules []string
		if len(c.Eligibility.Conditions) > 0 {
			rules = append(rules, "condition "+strings.Join(c.Eligibility.Conditions, " or "))
		}
		if r := c.Eligibility.Age; r != nil {
			rules = append(rules, fmt.Sprintf("aged %s on %s", r.Takes(), ag.AgeDay(&c)))
		}
		if len(rules) > 0 {
			fmt.Fprintf(w, "; %s", strings.Join(rules, "; "))
		}
		fmt.Fprintln(w)
		if c.Title != "" {
			fmt.Fprintf(w, "  %-24s %s\n", "", c.Title)
		}
	}
}

func partyNames(ps []tally.Party) string {
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = fmt.Sprintf("%s (%s)", p.Name, p.Code)
		if p.Name == "" {
			s[i] = p.Code
		}
	}
	return strings.Join(s, " and ")
}

// agreementJSON is an agreement as `agreement show --json` prints it: the
// keys of the agreement file.
func agreementJSON(ag tally.Agreement) any {
	type age struct {
		Min *int   `json:"min,omitempty"`
		Max *int   `json:"max,omitempty"`
		On  string `json:"on,omitempty"`
	}
	type eligibility struct {
		Condition []string `json:"condition,omitempty"`
		Age       *age     `json:"age,omitempty"`
	}
	type category struct {
		ID          string       `json:"id"`
		Title       string       `json:"title,omitempty"`
		Subject     string       `json:"subject"`
		Terms       string       `json:"terms"`
		Quantity    int          `json:"quantity,omitempty"`
		From        string       `json:"from,omitempty"`
		To          string       `json:"to,omitempty"`
		Eligibility *eligibility `json:"eligibility,omitempty"`
	}
	type party struct {
		Code string `json:"code"`
		Name string `json:"name,omitempty"`
	}
	out := struct {
		ID         string     `json:"id"`
		Title      string     `json:"title,omitempty"`
		Date       string     `json:"date"`
		Parties    []party    `json:"parties"`
		Mediator   *party     `json:"mediator,omitempty"`
		Categories []category `json:"categories"`
	}{ID: ag.ID, Title: ag.Title, Date: ag.Date.String()}
	for _, p := range ag.Parties {
		out.Parties = append(out.Parties, party{p.Code, p.Name})
	}
	if ag.Mediator != nil {
		out.Mediator = &party{ag.Mediator.Code, ag.Mediator.Name}
	}
	for _, c := range ag.Categories {
		cj := category{ID: c.ID, Title: c.Title, Subject: string(c.Subject), Terms: string(c.Terms), Quantity: c.Quantity, From: c.From, To: c.To}
		if len(c.Eligibility.Conditions) > 0 || c.Eligibility.Age != nil {
			cj.Eligibility = &eligibility{Condition: c.Eligibility.Conditions}
			if r := c.Eligibility.Age; r != nil {
				cj.Eligibility.Age = &age{Min: r.Min, Max: r.Max, On: r.On.String()}
			}
		}
		out.Categories = append(out.Categories, cj)
	}
	return out
}
