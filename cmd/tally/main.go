// Command tally is the command line of tally: agreements, lists and their
// conformity, reconciliation of one side's list with the other's, and the
// shared record. See the README for a tour and ../shared/spec/cli.md for
// the contract its output keeps.
//
// Exit codes: 0 done (and what the command judged holds); 1 the command ran
// and what it judged does not hold (a list does not conform); 2 the command
// could not run, with a one-line reason on stderr naming file and line.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"tally/agreementfile"
)

func main() {
	// A long list's duplicate index is large but holds no pointers, so the
	// collector can run twice as often as by default at little cost, which
	// keeps the peak memory of a million-row validation near 150 MB rather
	// than 200. (GOGC in the environment still overrides this.)
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(50)
	}
	os.Exit(Main(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// app is what every subcommand shares: its streams, the --db flag and the
// clock. It is built anew for each run of Main, so tests can run many.
type app struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	db             string
	logKey         string // --log-key: the mediator's private log key file
	server, token  string // --server, --token: work against a tally server (client.go)
	now            func() time.Time
}

// judged is returned by a command that ran and found that what it checks
// does not hold: exit 1, with the answer already printed.
var judged = errors.New("does not hold")

// Main runs tally with args and returns the exit code.
func Main(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	a := &app{stdin: stdin, stdout: stdout, stderr: stderr, now: time.Now}
	root := a.rootCommand()
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	switch {
	case err == nil:
		return 0
	case errors.Is(err, judged):
		return 1
	}
	var es agreementfile.Errors
	if errors.As(err, &es) {
		for _, e := range es {
			fmt.Fprintf(stderr, "tally: %s\n", e)
		}
		return 2
	}
	msg := err.Error()
	var u usageError
	if errors.As(err, &u) || strings.HasPrefix(msg, "unknown command") {
		msg += " (see tally --help)"
	}
	fmt.Fprintf(stderr, "tally: %s\n", strings.ReplaceAll(msg, "\n", "; "))
	return 2
}

// usageError marks errors in how a command was called.
type usageError struct{ error }

func usagef(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }

func (a *app) rootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "tally",
		Short: "Agreements, lists and exchanges between two parties and a mediator",
		Long: `tally checks lists of prisoners, civilians and remains against the terms two
parties agreed, reconciles one side's list with the other's, and keeps a shared
record of every submission that nobody can rewrite.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.PersistentFlags().StringVar(&a.db, "db", "", "the store: a SQLite file path or a postgres:// URL (default: a SQLite file in your data directory)")
	root.PersistentFlags().StringVar(&a.logKey, "log-key", "", "the mediator's private log key (tally-log-*.key): sign a checkpoint after each change (default: $TALLY_LOG_KEY)")
	root.PersistentFlags().StringVar(&a.server, "server", os.Getenv("TALLY_SERVER"), "work against a tally server at this address: the steps of the process are signed here with --key and recorded there (default: $TALLY_SERVER)")
	root.PersistentFlags().StringVar(&a.token, "token", "", "the API token for --server (default: $TALLY_TOKEN, which keeps it out of the shell's history)")
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error { return usageError{err} })
	root.AddCommand(
		a.validateCommand(),
		a.agreementCommand(),
		a.listCommand(),
		a.namesCommand(),
		a.matchCommand(),
		a.keysCommand(),
		a.logCommand(),
		a.witnessCommand(),
		a.reviewCommand(),
		a.commissionCommand(),
		a.roundCommand(),
		a.remainsCommand(),
		a.childrenCommand(),
		a.reportCommand(),
		a.demoCommand(),
		a.usersCommand(),
		a.serveCommand(),
	)
	return root
}

// exactArgs is cobra.ExactArgs with a message for people.
func exactArgs(n int, what string) cobra.PositionalArgs {
	return func(c *cobra.Command, args []string) error {
		if len(args) != n {
			return usagef("%s needs %s (got %d arguments)", c.CommandPath(), what, len(args))
		}
		return nil
	}
}

func sortStrings(s []string) { sort.Strings(s) }
