package main

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"tally"
	"tally/exchange"
)

// stepFlags are what every step of the exchange process takes: the
// agreement, the side taking the step, the person taking it, and that
// side's key.
type stepFlags struct {
	agreement, as, by, key string
}

func (f *stepFlags) add(c *cobra.Command) {
	c.Flags().StringVar(&f.agreement, "agreement", "", "the agreement's id (default: the only one stored)")
	c.Flags().StringVar(&f.as, "as", "", "the code of the party (or the mediator) taking the step, such as UA")
	c.Flags().StringVar(&f.by, "by", "", "the name of the person taking the step, as they sign")
	c.Flags().StringVar(&f.key, "key", "", "the private key of the side taking the step (tally-party-CODE.key)")
}

// record takes steps of the exchange process: it checks them against the
// process as it stands and records them, each as an entry of the shared
// record signed with --key, all or none.
func (a *app) record(ctx context.Context, f stepFlags, bodies ...any) ([]int64, error) {
	if a.server != "" {
		return a.recordRemote(ctx, f, bodies...)
	}
	if f.as == "" || f.by == "" || f.key == "" {
		return nil, usagef("every step needs --as (the side taking it), --by (the person) and --key (the side's private key)")
	}
	signer, err := readSigner(f.key)
	if err != nil {
		return nil, err
	}
	svc, done, err := a.service(ctx)
	if err != nil {
		return nil, err
	}
	defer done()
	agID, err := agreementFlag(ctx, svc, f.agreement)
	if err != nil {
		return nil, err
	}
	ag, _, err := svc.Agreement(ctx, agID)
	if err != nil {
		return nil, err
	}
	var steps []tally.StepInput
	for _, b := range bodies {
		e := exchange.Event{Kind: exchange.KindOf(b), By: strings.ToUpper(f.as), Actor: f.by, At: a.now(), Body: b}
		payload, err := exchange.Encode(e)
		if err != nil {
			return nil, err
		}
		steps = append(steps, tally.StepInput{Kind: e.Kind, By: e.By, Payload: payload, Signer: signer})
	}
	entries, err := svc.RecordSteps(ctx, agID, steps, exchange.NewProcess(&ag))
	if err != nil {
		return nil, err
	}
	if err := svc.Cosign(ctx); err != nil {
		fmt.Fprintf(a.stderr, "tally: warning: %v\n", err)
	}
	return entries, nil
}

// process replays the agreement's steps and returns where the process
// stands.
func (a *app) process(ctx context.Context, agreementID string) (exchange.Process, *tally.Agreement, error) {
	if a.server != "" {
		return a.processRemote(ctx, agreementID)
	}
	svc, done, err := a.service(ctx)
	if err != nil {
		return exchange.Process{}, nil, err
	}
	defer done()
	agID, err := agreementFlag(ctx, svc, agreementID)
	if err != nil {
		return exchange.Process{}, nil, err
	}
	ag, _, err := svc.Agreement(ctx, agID)
	if err != nil {
		return exchange.Process{}, nil, err
	}
	p := exchange.NewProcess(&ag)
	_, err = svc.ReplaySteps(ctx, agID, p, false)
	return p, &ag, err
}

// parsePerson reads LIST:REF, such as ua-request:UA-0017.
func parsePerson(s string) (exchange.PersonRef, error) {
	list, ref, ok := strings.Cut(s, ":")
	if !ok || list == "" || ref == "" {
		return exchange.PersonRef{}, usagef("%q: name a person as LIST:REF, such as ua-request:UA-0017", s)
	}
	return exchange.PersonRef{List: strings.ToLower(list), Ref: ref}, nil
}

func entriesText(entries []int64) string {
	switch len(entries) {
	case 0:
		return "no entry"
	case 1:
		return fmt.Sprintf("entry %d", entries[0])
	}
	return fmt.Sprintf("entries %d to %d", entries[0], entries[len(entries)-1])
}

func (a *app) reviewCommand() *cobra.Command {
	c := &cobra.Command{Use: "review", Short: "Put lists to the other side, answer them row by row, and see whose move it is"}
	var sf stepFlags
	submit := &cobra.Command{
		Use:   "submit LIST@VERSION --as CODE --by NAME --key FILE",
		Short: "Put a stored list version to the other party for review",
		Args:  exactArgs(1, "the list version, such as ua-request@2"),
		RunE: func(c *cobra.Command, args []string) error {
			ctx := c.Context()
			if a.server != "" {
				return a.submitRemote(ctx, sf, args[0])
			}
			svc, done, v, err := a.listVersion(ctx, sf.agreement, args[0])
			if err != nil {
				return err
			}
			body := exchange.ListSubmitted{List: v.ListID, Version: v.Version, Kind: string(v.Kind)}
			err = svc.ListRows(ctx, v, func(r tally.StoredRow) error {
				cat := r.Row.Values[tally.FieldCategory]
				if cat == "" {
					cat = v.Category
				}
				body.Rows = append(body.Rows, exchange.ListRow{Ref: r.Ref, Category: tally.Code(cat)})
				return nil
			})
			done()
			if err != nil {
				return err
			}
			entries, err := a.record(ctx, sf, body)
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "%s put to review: %s, %s\n", v.Ref(), plural(len(body.Rows), "row"), entriesText(entries))
			return nil
		},
	}
	sf.add(submit)

	var af stepFlags
	var accept, object []string
	var acceptAll bool
	answer := &cobra.Command{
		Use:   "answer LIST@VERSION [--accept-all] [--accept REF]... [--object REF=CODE[:TEXT]]... --as CODE --by NAME --key FILE",
		Short: "Answer a list's rows: accepted, or an objection with a code",
		Long: "Objection codes: " + strings.Join(exchange.Objections(), ", ") + ` (other needs a text).
--accept-all accepts every row not named by --object.`,
		Args: exactArgs(1, "the list version, such as ua-request@2"),
		RunE: func(c *cobra.Command, args []string) error {
			ctx := c.Context()
			listID, n, err := tally.ParseVersionRef(args[0])
			if err != nil {
				return err
			}
			p, _, err := a.process(ctx, af.agreement)
			if err != nil {
				return err
			}
			var st *exchange.ListStatus
			for _, l := range p.Lists() {
				if l.List == listID {
					st = &l
				}
			}
			if st == nil {
				return tally.Errorf(tally.ENotFound, "list %s has not been put to review", listID)
			}
			if n == 0 {
				n = st.Version
			}
			body := exchange.ListAnswered{List: listID, Version: n}
			objected := map[string]bool{}
			for _, o := range object {
				ref, rest, ok := strings.Cut(o, "=")
				if !ok {
					return usagef("--object %q: write REF=CODE or REF=other:TEXT", o)
				}
				code, text, _ := strings.Cut(rest, ":")
				body.Answers = append(body.Answers, exchange.Answer{Ref: ref, Objection: code, Text: text})
				objected[ref] = true
			}
			for _, ref := range accept {
				body.Answers = append(body.Answers, exchange.Answer{Ref: ref, Accepted: true})
				objected[ref] = true
			}
			if acceptAll {
				refs, err := p.Refs(listID)
				if err != nil {
					return err
				}
				for _, ref := range refs {
					if !objected[ref] {
						body.Answers = append(body.Answers, exchange.Answer{Ref: ref, Accepted: true})
					}
				}
			}
			if len(body.Answers) == 0 {
				return usagef("answer needs --accept-all, --accept REF or --object REF=CODE")
			}
			entries, err := a.record(ctx, af, body)
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "answered %s of %s@%d: %s\n", plural(len(body.Answers), "row"), listID, n, entriesText(entries))
			return nil
		},
	}
	af.add(answer)
	answer.Flags().StringArrayVar(&accept, "accept", nil, "a row to accept, by its ref")
	answer.Flags().StringArrayVar(&object, "object", nil, "a row objected to: REF=CODE, or REF=other:TEXT")
	answer.Flags().BoolVar(&acceptAll, "accept-all", false, "accept every row not objected to")

	var agreement string
	status := &cobra.Command{
		Use:   "status",
		Short: "Show every list under review and whose move it is, since when",
		Args:  exactArgs(0, "no arguments"),
		RunE: func(c *cobra.Command, args []string) error {
			p, _, err := a.process(c.Context(), agreement)
			if err != nil {
				return err
			}
			for _, l := range p.Lists() {
				fmt.Fprintf(a.stdout, "%s@%d (%s, %s → %s): %d rows, %d accepted, %d objected to, %d unanswered — %s\n",
					l.List, l.Version, l.Kind, l.Submitter, l.Receiver, l.Rows, l.Accepted, l.Objections, l.Unanswered, l.Move())
			}
			return nil
		},
	}
	status.Flags().StringVar(&agreement, "agreement", "", "the agreement's id (default: the only one stored)")
	c.AddCommand(submit, answer, status)
	return c
}

// readManifests reads a round's manifests from a CSV file (see
// exchange.ReadManifests).
func readManifests(path string) ([]exchange.Manifest, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, tally.InFile(err, path, 0)
	}
	defer f.Close()
	return exchange.ReadManifests(f, path)
}

func (a *app) roundCommand() *cobra.Command {
	c := &cobra.Command{Use: "round", Short: "Plan exchange rounds, approve them, record handovers and acknowledgements"}

	var pf stepFlags
	var round, date, manifest string
	plan := &cobra.Command{
		Use:   "plan --round ID --date YYYY-MM-DD --manifest FILE.csv --as CODE --by NAME --key FILE",
		Short: "Plan a round (or replan it until both sides approve): manifests per direction and category",
		Long: `The manifest file is CSV with the columns from, to, category, list, ref: one row a
person, named by a row of a list under review. The balance is checked against the
terms when both sides approve.`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(c *cobra.Command, args []string) error {
			if round == "" || date == "" || manifest == "" {
				return usagef("round plan needs --round, --date and --manifest")
			}
			ms, err := readManifests(manifest)
			if err != nil {
				return err
			}
			entries, err := a.record(c.Context(), pf, exchange.RoundPlanned{Round: round, Date: date, Manifests: ms})
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "round %s planned for %s: %s, %s\n", round, date, plural(len(ms), "manifest"), entriesText(entries))
			return nil
		},
	}
	pf.add(plan)
	plan.Flags().StringVar(&round, "round", "", "the round's id, such as 1")
	plan.Flags().StringVar(&date, "date", "", "the planned day, YYYY-MM-DD")
	plan.Flags().StringVar(&manifest, "manifest", "", "the manifests, a CSV file: from,to,category,list,ref")

	var apf stepFlags
	var approveRound string
	approve := &cobra.Command{
		Use:   "approve --round ID --as CODE --by NAME --key FILE",
		Short: "Approve a round's plan, once its balance holds",
		Args:  exactArgs(0, "no arguments"),
		RunE: func(c *cobra.Command, args []string) error {
			entries, err := a.record(c.Context(), apf, exchange.RoundApproved{Round: approveRound})
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "round %s approved by %s: %s\n", approveRound, strings.ToUpper(apf.as), entriesText(entries))
			return nil
		},
	}
	apf.add(approve)
	approve.Flags().StringVar(&approveRound, "round", "", "the round's id")

	var hf stepFlags
	var handRound string
	var handPersons []string
	handover := &cobra.Command{
		Use:   "handover --round ID --person LIST:REF... --as CODE --by NAME --key FILE",
		Short: "Record, on the day, that persons on the manifest were handed over",
		Args:  exactArgs(0, "no arguments"),
		RunE: func(c *cobra.Command, args []string) error {
			var bodies []any
			for _, s := range handPersons {
				p, err := parsePerson(s)
				if err != nil {
					return err
				}
				bodies = append(bodies, exchange.HandedOver{Round: handRound, Person: p})
			}
			if len(bodies) == 0 {
				return usagef("handover needs --person LIST:REF, once for each person")
			}
			entries, err := a.record(c.Context(), hf, bodies...)
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "%s handed over in round %s: %s\n", plural(len(bodies), "person"), handRound, entriesText(entries))
			return nil
		},
	}
	hf.add(handover)
	handover.Flags().StringVar(&handRound, "round", "", "the round's id")
	handover.Flags().StringArrayVar(&handPersons, "person", nil, "a person handed over, as LIST:REF")

	var kf stepFlags
	var ackRound, ackStatus, ackNote string
	var ackPersons []string
	ack := &cobra.Command{
		Use:   "ack --round ID --person LIST:REF... --status received-identified|received-disputed|not-delivered --as CODE --by NAME --key FILE",
		Short: "Acknowledge persons of a round, as the receiving side",
		Args:  exactArgs(0, "no arguments"),
		RunE: func(c *cobra.Command, args []string) error {
			var bodies []any
			for _, s := range ackPersons {
				p, err := parsePerson(s)
				if err != nil {
					return err
				}
				bodies = append(bodies, exchange.Acknowledged{Round: ackRound, Person: p, Status: ackStatus, Note: ackNote})
			}
			if len(bodies) == 0 {
				return usagef("ack needs --person LIST:REF, once for each person")
			}
			entries, err := a.record(c.Context(), kf, bodies...)
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "%s acknowledged as %s in round %s: %s\n", plural(len(bodies), "person"), ackStatus, ackRound, entriesText(entries))
			return nil
		},
	}
	kf.add(ack)
	ack.Flags().StringVar(&ackRound, "round", "", "the round's id")
	ack.Flags().StringArrayVar(&ackPersons, "person", nil, "a person acknowledged, as LIST:REF")
	ack.Flags().StringVar(&ackStatus, "status", exchange.ReceivedIdentified, "received-identified, received-disputed or not-delivered")
	ack.Flags().StringVar(&ackNote, "note", "", "a note, such as why the identity is disputed")

	var uf stepFlags
	var du exchange.DeliveredUnlisted
	unlisted := &cobra.Command{
		Use:   "unlisted --round ID --from CODE --category ID --ref REF --as CODE --by NAME --key FILE",
		Short: "Record a person delivered in a round who was on no manifest",
		Long: `unlisted records, as the receiving side, a person delivered who was on no manifest.
REF points at a description kept off the record (a file or a row of your own).`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(c *cobra.Command, args []string) error {
			du.From = strings.ToUpper(du.From)
			entries, err := a.record(c.Context(), uf, du)
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "a person delivered off the manifests of round %s recorded: %s\n", du.Round, entriesText(entries))
			return nil
		},
	}
	uf.add(unlisted)
	unlisted.Flags().StringVar(&du.Round, "round", "", "the round's id")
	unlisted.Flags().StringVar(&du.From, "from", "", "the party that delivered the person")
	unlisted.Flags().StringVar(&du.Category, "category", "", "the person's category")
	unlisted.Flags().StringVar(&du.Ref, "ref", "", "a reference to the person's description, kept off the record")

	var agreement string
	status := &cobra.Command{
		Use:   "status",
		Short: "Show every round and how far it has gone",
		Args:  exactArgs(0, "no arguments"),
		RunE: func(c *cobra.Command, args []string) error {
			p, _, err := a.process(c.Context(), agreement)
			if err != nil {
				return err
			}
			for _, r := range p.Rounds() {
				state := "planned"
				switch {
				case r.Complete:
					state = "complete"
				case r.Approved:
					state = "approved by both sides"
				case len(r.ApprovedBy) > 0:
					state = "approved by " + strings.Join(r.ApprovedBy, ", ")
				}
				fmt.Fprintf(a.stdout, "round %s on %s: %s\n", r.Round, r.Date, state)
				for _, m := range r.Manifests {
					fmt.Fprintf(a.stdout, "  %s → %s %-22s %5d on the manifest, %5d handed over, %5d received, %d disputed, %d not delivered\n",
						m.From, m.To, m.Category, m.Persons, m.HandedOver, m.Received, m.Disputed, m.NotDelivered)
				}
				if r.Unlisted > 0 {
					fmt.Fprintf(a.stdout, "  %s delivered off the manifests\n", plural(r.Unlisted, "person"))
				}
			}
			return nil
		},
	}
	status.Flags().StringVar(&agreement, "agreement", "", "the agreement's id (default: the only one stored)")
	c.AddCommand(plan, approve, handover, ack, unlisted, status)
	return c
}

func (a *app) remainsCommand() *cobra.Command {
	c := &cobra.Command{Use: "remains", Short: "Transfers of remains in stages, their acknowledgement, identification and discrepancies"}

	var tf stepFlags
	var tr exchange.RemainsTransferred
	var tagRange string
	transfer := &cobra.Command{
		Use:   "transfer --stage ID --category ID --to CODE --count N [--tags FIRST:LAST] --as CODE --by NAME --key FILE",
		Short: "Record a stage's transfer of remains: a count and the tags (body numbers)",
		Args:  exactArgs(0, "no arguments"),
		RunE: func(c *cobra.Command, args []string) error {
			tr.From = strings.ToUpper(tf.as)
			tr.To = strings.ToUpper(tr.To)
			if tagRange != "" {
				tags, err := expandTags(tagRange)
				if err != nil {
					return err
				}
				tr.Tags = tags
			}
			entries, err := a.record(c.Context(), tf, tr)
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "stage %s: %d remains handed over %s → %s, %s\n", tr.Stage, tr.Count, tr.From, tr.To, entriesText(entries))
			return nil
		},
	}
	tf.add(transfer)
	transfer.Flags().StringVar(&tr.Stage, "stage", "", "the stage's id, such as 1")
	transfer.Flags().StringVar(&tr.Category, "category", "", "the agreement's category of remains")
	transfer.Flags().StringVar(&tr.To, "to", "", "the receiving party's code")
	transfer.Flags().IntVar(&tr.Count, "count", 0, "how many remains are handed over")
	transfer.Flags().StringVar(&tagRange, "tags", "", "the tags, as a range FIRST:LAST such as T-0001:T-1212")
	transfer.Flags().BoolVar(&tr.Mutual, "mutual", false, "the stage is mutual: a transfer each way")

	var af stepFlags
	var ra exchange.RemainsAcknowledged
	acknowledge := &cobra.Command{
		Use:   "ack --stage ID --from CODE --count N --as CODE --by NAME --key FILE",
		Short: "Acknowledge the count received; a different count opens a discrepancy",
		Args:  exactArgs(0, "no arguments"),
		RunE: func(c *cobra.Command, args []string) error {
			ra.From = strings.ToUpper(ra.From)
			entries, err := a.record(c.Context(), af, ra)
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "stage %s from %s: %d acknowledged, %s\n", ra.Stage, ra.From, ra.Count, entriesText(entries))
			return nil
		},
	}
	af.add(acknowledge)
	acknowledge.Flags().StringVar(&ra.Stage, "stage", "", "the stage's id")
	acknowledge.Flags().StringVar(&ra.From, "from", "", "the sending party's code")
	acknowledge.Flags().IntVar(&ra.Count, "count", 0, "how many remains were received")

	var idf stepFlags
	var ri exchange.RemainsIdentified
	var missing string
	identify := &cobra.Command{
		Use:   "identify --stage ID --from CODE --tag TAG --result identified|unidentified [--missing LIST:REF --method M] --as CODE --by NAME --key FILE",
		Short: "Record the identification result for one tag",
		Args:  exactArgs(0, "no arguments"),
		RunE: func(c *cobra.Command, args []string) error {
			ri.From = strings.ToUpper(ri.From)
			if missing != "" {
				p, err := parsePerson(missing)
				if err != nil {
					return err
				}
				ri.Missing = &p
			}
			entries, err := a.record(c.Context(), idf, ri)
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "tag %s of stage %s: %s, %s\n", ri.Tag, ri.Stage, ri.Result, entriesText(entries))
			return nil
		},
	}
	idf.add(identify)
	identify.Flags().StringVar(&ri.Stage, "stage", "", "the stage's id")
	identify.Flags().StringVar(&ri.From, "from", "", "the party that handed the remains over")
	identify.Flags().StringVar(&ri.Tag, "tag", "", "the tag (body number)")
	identify.Flags().StringVar(&ri.Result, "result", "", "identified or unidentified")
	identify.Flags().StringVar(&missing, "missing", "", "the missing person identified, as LIST:REF")
	identify.Flags().StringVar(&ri.Method, "method", "", "how: DNA, dental records, documents ...")

	var df stepFlags
	var ds exchange.DiscrepancyStatusSet
	discrepancy := &cobra.Command{
		Use:   "discrepancy --id N --status explained|disputed|resolved [--text TEXT] --as CODE --by NAME --key FILE",
		Short: "Explain, dispute or agree to resolve a discrepancy",
		Args:  exactArgs(0, "no arguments"),
		RunE: func(c *cobra.Command, args []string) error {
			entries, err := a.record(c.Context(), df, ds)
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "discrepancy %d: %s by %s, %s\n", ds.Discrepancy, ds.Status, strings.ToUpper(df.as), entriesText(entries))
			return nil
		},
	}
	df.add(discrepancy)
	discrepancy.Flags().IntVar(&ds.Discrepancy, "id", 0, "the discrepancy's number")
	discrepancy.Flags().StringVar(&ds.Status, "status", "", "explained, disputed or resolved")
	discrepancy.Flags().StringVar(&ds.Text, "text", "", "the explanation, or why it is disputed")

	var agreement string
	status := &cobra.Command{
		Use:   "status",
		Short: "Show every stage: handed over, acknowledged, identified, and the discrepancies",
		Args:  exactArgs(0, "no arguments"),
		RunE: func(c *cobra.Command, args []string) error {
			p, _, err := a.process(c.Context(), agreement)
			if err != nil {
				return err
			}
			for _, t := range p.Transfers() {
				ack := "not yet acknowledged"
				if t.Acknowledged {
					ack = fmt.Sprintf("%d acknowledged", t.AckCount)
				}
				fmt.Fprintf(a.stdout, "stage %s %s → %s: %d handed over, %s, %d identified, %d unidentified\n",
					t.Stage, t.From, t.To, t.Count, ack, t.Identified, t.Unidentified)
			}
			for _, d := range p.Discrepancies() {
				fmt.Fprintf(a.stdout, "discrepancy %d (%s): stage %s, %s says %d handed over (entry %d), %s says %d received (entry %d)\n",
					d.ID, d.Status, d.Stage, d.From, d.Sent, d.SentEntry, d.To, d.Received, d.AckEntry)
			}
			return nil
		},
	}
	status.Flags().StringVar(&agreement, "agreement", "", "the agreement's id (default: the only one stored)")
	c.AddCommand(transfer, acknowledge, identify, discrepancy, status)
	return c
}

// expandTags expands --tags FIRST:LAST (see exchange.ExpandTags).
func expandTags(r string) ([]string, error) {
	tags, err := exchange.ExpandTags(r)
	if err != nil {
		return nil, usagef("--tags %s", strings.TrimPrefix(err.Error(), "invalid: "))
	}
	return tags, nil
}

func (a *app) childrenCommand() *cobra.Command {
	c := &cobra.Command{Use: "children", Short: "Children's cases, step by step: located, identity verified, guardian consenting, return arranged, returned"}

	var of stepFlags
	var open exchange.ChildCaseOpened
	var child string
	openCmd := &cobra.Command{
		Use:   "open --case ID --child LIST:REF --as CODE --by NAME --key FILE",
		Short: "Open the case of a child on a verified list",
		Args:  exactArgs(0, "no arguments"),
		RunE: func(c *cobra.Command, args []string) error {
			p, err := parsePerson(child)
			if err != nil {
				return err
			}
			open.Child = p
			entries, err := a.record(c.Context(), of, open)
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "case %s opened: %s\n", open.Case, entriesText(entries))
			return nil
		},
	}
	of.add(openCmd)
	openCmd.Flags().StringVar(&open.Case, "case", "", "the case's id")
	openCmd.Flags().StringVar(&child, "child", "", "the child, as LIST:REF")

	var sf stepFlags
	var step exchange.ChildCaseStep
	stepCmd := &cobra.Command{
		Use:   "step --case ID --step STEP [--reason TEXT] --as CODE --by NAME --key FILE",
		Short: "Record a step of a child's case: located, identity-verified, guardian-consenting, return-arranged, returned, not-found, declined",
		Args:  exactArgs(0, "no arguments"),
		RunE: func(c *cobra.Command, args []string) error {
			entries, err := a.record(c.Context(), sf, step)
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "case %s: %s, %s\n", step.Case, step.Step, entriesText(entries))
			return nil
		},
	}
	sf.add(stepCmd)
	stepCmd.Flags().StringVar(&step.Case, "case", "", "the case's id")
	stepCmd.Flags().StringVar(&step.Step, "step", "", "the step taken")
	stepCmd.Flags().StringVar(&step.Reason, "reason", "", "why, for not-found and declined")

	var agreement string
	status := &cobra.Command{
		Use:   "status",
		Short: "Show every child's case and its step",
		Args:  exactArgs(0, "no arguments"),
		RunE: func(c *cobra.Command, args []string) error {
			p, _, err := a.process(c.Context(), agreement)
			if err != nil {
				return err
			}
			for _, cs := range p.ChildCases() {
				since := ""
				if n := len(cs.History); n > 0 {
					since = " since " + cs.History[n-1].At.UTC().Format("2006-01-02")
				}
				fmt.Fprintf(a.stdout, "case %s: %s%s\n", cs.Case, cs.Step, since)
			}
			return nil
		},
	}
	status.Flags().StringVar(&agreement, "agreement", "", "the agreement's id (default: the only one stored)")
	c.AddCommand(openCmd, stepCmd, status)
	return c
}
