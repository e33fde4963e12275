package main

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"

	"tally"
	"tally/exchange"
	"tally/report"
)

// publicReport is the report as `tally report --json` prints it: the
// counts, and the checkpoint they were computed at.
type publicReport struct {
	exchange.Report
	Checkpoint *checkpointJSON `json:"checkpoint"`
}

type checkpointJSON struct {
	Origin    string   `json:"origin"`
	Size      int64    `json:"size"`
	RootHash  string   `json:"root_hash"`
	Time      string   `json:"time"`
	Cosigners []string `json:"cosigners"`
}

// computeReport replays the steps the latest checkpoint holds and returns
// the public report, tied to that checkpoint.
func (a *app) computeReport(ctx context.Context, agreementID string) (publicReport, *tally.Agreement, error) {
	svc, done, err := a.service(ctx)
	if err != nil {
		return publicReport{}, nil, err
	}
	defer done()
	agID, err := agreementFlag(ctx, svc, agreementID)
	if err != nil {
		return publicReport{}, nil, err
	}
	ag, _, err := svc.Agreement(ctx, agID)
	if err != nil {
		return publicReport{}, nil, err
	}
	p := exchange.NewProcess(&ag)
	cp, err := svc.ReplaySteps(ctx, agID, p, true)
	if err != nil {
		return publicReport{}, nil, err
	}
	pr := publicReport{Report: p.Report()}
	if cp != nil {
		pr.Checkpoint = &checkpointJSON{Origin: cp.Origin, Size: cp.Size, RootHash: base64.StdEncoding.EncodeToString(cp.Hash[:]),
			Time: cp.Time.UTC().Format("2006-01-02T15:04:05Z"), Cosigners: cp.Cosigners}
		if pr.Checkpoint.Cosigners == nil {
			pr.Checkpoint.Cosigners = []string{}
		}
	}
	return pr, &ag, nil
}

func (a *app) reportCommand() *cobra.Command {
	var agreement, htmlOut, pdfOut string
	var asJSON bool
	c := &cobra.Command{
		Use:   "report [--json] [--html FILE] [--pdf FILE]",
		Short: "The public report: counts only, each tied to the checkpoint it was computed at",
		Long: `report counts, per category and direction, the persons requested, confirmed,
handed over and acknowledged; per stage, the remains handed over, acknowledged and
identified; the children on the lists and returned; and the discrepancies. It never
shows a name or any detail of a person (Third Geneva Convention, art. 13). Every
figure is computed from the steps the latest checkpoint of the shared record holds,
so anyone with the log can check it.`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(c *cobra.Command, args []string) error {
			pr, ag, err := a.computeReport(c.Context(), agreement)
			if err != nil {
				return err
			}
			doc := reportDocument(ag, pr)
			for _, out := range []struct {
				path   string
				render func(io.Writer, report.Document) error
			}{{htmlOut, report.HTML}, {pdfOut, report.PDF}} {
				if out.path == "" {
					continue
				}
				if err := writeFileWith(out.path, func(w io.Writer) error { return out.render(w, doc) }); err != nil {
					return err
				}
				fmt.Fprintf(a.stderr, "wrote %s\n", out.path)
			}
			if asJSON {
				return writeJSON(a.stdout, pr)
			}
			return report.Text(a.stdout, doc)
		},
	}
	c.Flags().StringVar(&agreement, "agreement", "", "the agreement's id (default: the only one stored)")
	c.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	c.Flags().StringVar(&htmlOut, "html", "", "also write the report as an HTML page to this file")
	c.Flags().StringVar(&pdfOut, "pdf", "", "also write the report as a PDF to this file")
	return c
}

// writeFileWith writes a file through a temporary one, so that a failure
// leaves no half-written file.
func writeFileWith(path string, write func(io.Writer) error) error {
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return tally.InFile(err, path, 0)
	}
	if err := write(f); err != nil {
		f.Close()
		os.Remove(tmp)
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return tally.InFile(err, path, 0)
	}
	return tally.InFile(os.Rename(tmp, path), path, 0)
}

// reportDocument lays the public report out as tables (report.Public),
// tied to the checkpoint it was computed at.
func reportDocument(ag *tally.Agreement, pr publicReport) report.Document {
	title := ag.Title
	if title == "" {
		title = ag.ID
	}
	doc := report.Public(title, pr.Report)
	if pr.Checkpoint != nil {
		doc.Checkpoint = report.Checkpoint{Origin: pr.Checkpoint.Origin, Size: pr.Checkpoint.Size, RootHash: pr.Checkpoint.RootHash, Cosigners: pr.Checkpoint.Cosigners}
		if t, err := time.Parse(time.RFC3339, pr.Checkpoint.Time); err == nil {
			doc.Checkpoint.Time = t
		}
	}
	return doc
}

// reportTextTo writes the public report for people.
func reportTextTo(w io.Writer, ag *tally.Agreement, pr publicReport) error {
	return report.Text(w, reportDocument(ag, pr))
}
