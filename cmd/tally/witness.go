package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"tally"
	"tally/witness"
)

func (a *app) witnessCommand() *cobra.Command {
	var keyPath, state, addr string
	var logKeys []string
	c := &cobra.Command{
		Use:   "witness --key FILE.key --log FILE.vkey --state FILE [--addr HOST:PORT]",
		Short: "Run a party's witness: cosign the log's checkpoints only while it only grows",
		Long: `witness serves the C2SP tlog-witness protocol (POST /add-checkpoint). It
cosigns a checkpoint of the log only if the log signed it and it extends, by a
consistency proof, the last checkpoint this witness cosigned; so a log that was
rolled back, forked or rewritten is refused, and receipts, which need every
witness's cosignature, stop. The state file keeps the last checkpoint cosigned:
keep it and back it up, for a witness that loses it can be rolled back.`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(c *cobra.Command, args []string) error {
			if keyPath == "" || len(logKeys) == 0 || state == "" {
				return usagef("witness needs --key (the witness's private key), --log (the log's public key) and --state (a file to keep its state in)")
			}
			skey, err := os.ReadFile(keyPath)
			if err != nil {
				return tally.InFile(err, keyPath, 0)
			}
			cfg := witness.Config{Key: strings.TrimSpace(string(skey)), StatePath: state,
				Logger: slog.New(slog.NewTextHandler(a.stderr, nil))}
			for _, path := range logKeys {
				vkey, err := readVKey(path)
				if err != nil {
					return err
				}
				cfg.Logs = append(cfg.Logs, witness.Log{Verifier: vkey})
			}
			w, err := witness.New(cfg)
			if err != nil {
				return &tally.Error{Code: tally.EInvalid, File: keyPath, Message: strings.TrimPrefix(err.Error(), "witness: ")}
			}
			ln, err := net.Listen("tcp", addr)
			if err != nil {
				return tally.Errorf(tally.EInvalid, "cannot listen on %s: %v", addr, err)
			}
			srv := &http.Server{Handler: w.Handler(), ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second,
				WriteTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute}
			fmt.Fprintf(a.stdout, "witness %s cosigning for %s on http://%s\n", w.Name(), strings.Join(logKeys, ", "), ln.Addr())
			ctx, stop := signal.NotifyContext(c.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			go func() {
				<-ctx.Done()
				shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				defer cancel()
				srv.Shutdown(shut)
			}()
			if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				return err
			}
			return nil
		},
	}
	c.Flags().StringVar(&keyPath, "key", "", "the witness's private key (tally-witness-ID.key)")
	c.Flags().StringArrayVar(&logKeys, "log", nil, "the public key of a log to cosign for (tally-log-CODE.vkey)")
	c.Flags().StringVar(&state, "state", "", "the file keeping the last checkpoint cosigned of each log")
	c.Flags().StringVar(&addr, "addr", "127.0.0.1:7380", "the address to listen on")
	return c
}

// useWitnesses has svc ask the registered witnesses to cosign, when the
// store keeps a log with witnesses and this process holds the log's key.
func useWitnesses(ctx context.Context, svc *tally.Service) error {
	vkeys, urls, err := svc.Witnesses(ctx)
	if tally.ErrorCodeOf(err) == tally.ENotFound || len(vkeys) == 0 {
		return nil
	}
	if err != nil {
		return err
	}
	var remotes []witness.Remote
	for _, vkey := range vkeys {
		id := tally.WitnessID(vkey)
		url, ok := urls[id]
		if !ok {
			return &tally.Error{Code: tally.EInvalid, Message: fmt.Sprintf("witness %s has no address", id),
				Hint: fmt.Sprintf("record it with: tally log witness-url %s http://HOST:PORT", id)}
		}
		remotes = append(remotes, witness.Remote{URL: url, VKey: vkey})
	}
	g, err := witness.NewGroup(remotes, nil)
	if err != nil {
		return err
	}
	svc.UseWitnesses(g)
	return nil
}
