package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"tally"
	"tally/exchange"
	tallyhttp "tally/http"
)

// version is the build's version, stamped with -ldflags "-X main.version=...".
var version = "devel"

func (a *app) serveCommand() *cobra.Command {
	var addr, certFile, keyFile, rpID string
	var origins []string
	var trustProxy bool
	c := &cobra.Command{
		Use:   "serve [--addr HOST:PORT] [--tls-cert FILE --tls-key FILE] [--trust-proxy] [--rp-id DOMAIN --origin URL...]",
		Short: "Serve the API to the parties, the mediator, witnesses and observers",
		Long: `serve runs tally's server over the store --db names (a PostgreSQL URL in
production). It serves HTTPS with --tls-cert and --tls-key, or plain HTTP behind
a reverse proxy that terminates TLS (--trust-proxy then takes the client's address
from X-Forwarded-For, for sign-in rate limits). With --log-key it also publishes a
checkpoint of the shared record every 500 ms. It stops gracefully on SIGINT or
SIGTERM, finishing the requests under way. Accounts are made with tally users.

Signers and admins confirm each sign-in with a security key (WebAuthn), which is
tied to the server's domain: --rp-id names it (tally.example.org) and --origin the
address people open (https://tally.example.org, the default for --rp-id). Browsers
offer security keys only over HTTPS, or at http://localhost; with --addr on this
machine and no --rp-id, keys are tied to localhost.`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(c *cobra.Command, args []string) error {
			if (certFile == "") != (keyFile == "") {
				return usagef("give both --tls-cert and --tls-key, or neither")
			}
			rp, rpOrigins, err := relyingParty(rpID, origins, addr, certFile != "")
			if err != nil {
				return err
			}
			serverGC()
			ctx, stop := signal.NotifyContext(c.Context(), syscall.SIGINT, syscall.SIGTERM)
			defer stop()
			st, err := a.openStore(ctx)
			if err != nil {
				return err
			}
			defer st.Close()
			svc := tally.NewService(st, a.now)
			svc.UseProcess(func(ag *tally.Agreement) tally.Reviewing { return exchange.NewProcess(ag) })
			logger := slog.New(slog.NewJSONHandler(a.stderr, nil))
			signer, err := a.logSigner()
			if err != nil {
				return err
			}
			if signer != nil {
				svc.UseLogKey(signer)
				if err := useWitnesses(ctx, svc); err != nil {
					return err
				}
				go svc.RunPublisher(ctx, 500*time.Millisecond, func(err error) {
					logger.Error("publishing a checkpoint", slog.String("cause", err.Error()))
				})
			}
			// Before listening, so that no request pays for replaying an
			// agreement's steps (seconds on a large store).
			warm := time.Now()
			if err := svc.WarmUp(ctx); err != nil {
				logger.Error("replaying steps at start", slog.String("cause", err.Error()))
			} else {
				logger.Info("replayed the agreements' steps", slog.Duration("duration", time.Since(warm)))
			}
			srv := tallyhttp.NewServer(tallyhttp.Config{
				Service: svc, Logger: logger, Version: version, TrustProxy: trustProxy, RPID: rp, Origins: rpOrigins,
				Ready: func(ctx context.Context) error { return st.SQL().PingContext(ctx) },
			})
			hs := &http.Server{
				Addr: addr, Handler: srv,
				ReadHeaderTimeout: 10 * time.Second,
				ReadTimeout:       10 * time.Minute, // a large list on a slow line
				WriteTimeout:      10 * time.Minute,
				IdleTimeout:       2 * time.Minute,
				MaxHeaderBytes:    64 << 10,
				ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
				BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
			}
			ln, err := net.Listen("tcp", addr)
			if err != nil {
				return tally.Errorf(tally.EInvalid, "cannot listen on %s: %v", addr, err)
			}
			scheme := "http"
			if certFile != "" {
				scheme = "https"
			}
			fmt.Fprintf(a.stdout, "tally %s serving on %s://%s\n", version, scheme, ln.Addr())
			done := make(chan error, 1)
			go func() {
				if certFile != "" {
					done <- hs.ServeTLS(ln, certFile, keyFile)
				} else {
					done <- hs.Serve(ln)
				}
			}()
			select {
			case err := <-done:
				return err
			case <-ctx.Done():
			}
			logger.Info("shutting down")
			sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
			defer cancel()
			if err := hs.Shutdown(sctx); err != nil {
				return err
			}
			if err := <-done; !errors.Is(err, http.ErrServerClosed) {
				return err
			}
			return nil
		},
	}
	c.Flags().StringVar(&addr, "addr", "127.0.0.1:8080", "the address to listen on")
	c.Flags().StringVar(&certFile, "tls-cert", "", "the TLS certificate (PEM), to serve HTTPS")
	c.Flags().StringVar(&keyFile, "tls-key", "", "the TLS certificate's private key (PEM)")
	c.Flags().BoolVar(&trustProxy, "trust-proxy", false, "run behind a reverse proxy: take the client's address from X-Forwarded-For")
	c.Flags().StringVar(&rpID, "rp-id", "", "the domain security keys are tied to (WebAuthn relying party ID), such as tally.example.org")
	c.Flags().StringArrayVar(&origins, "origin", nil, "an address people open the service at, such as https://tally.example.org (repeat for several; default https://RP-ID)")
	return c
}

// relyingParty is the WebAuthn relying party of the flags: --rp-id (or the
// host of the first --origin) and --origin (or https://RP-ID); with
// neither, localhost when --addr is on this machine, else nothing (the
// server then ties keys to localhost only, and says elsewhere what to
// set).
func relyingParty(rpID string, origins []string, addr string, tls bool) (string, []string, error) {
	scheme := "http"
	if tls {
		scheme = "https"
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", nil, usagef("--addr %q is not HOST:PORT", addr)
	}
	if rpID == "" && len(origins) > 0 {
		u, err := url.Parse(origins[0])
		if err != nil || u.Hostname() == "" {
			return "", nil, &tally.Error{Code: tally.EInvalid, Key: "--origin", Message: fmt.Sprintf("%q is not an origin", origins[0]), Hint: "such as https://tally.example.org"}
		}
		rpID = u.Hostname()
	}
	if rpID == "" {
		switch host {
		case "localhost", "127.0.0.1", "::1":
			return "localhost", []string{scheme + "://" + net.JoinHostPort("localhost", port)}, nil
		}
		return "", nil, nil
	}
	if len(origins) == 0 {
		if rpID == "localhost" {
			origins = []string{scheme + "://" + net.JoinHostPort("localhost", port)}
		} else {
			origins = []string{"https://" + rpID}
		}
	}
	if err := tallyhttp.CheckRelyingParty(rpID, origins); err != nil {
		return "", nil, err
	}
	return rpID, origins, nil
}

// serverGC sets the collector for serving. The command line runs with
// GOGC=50, which keeps validating a million rows under 200 MB; a server's
// live heap is small and its garbage comes and goes with each request, so
// it runs with GOGC=200 — measured with tally-bench-serve, which does the
// same: p99 160 ms at GOGC=50, 131 ms at 100, 120 ms at 200 — under a
// soft limit of 1 GiB, so that a burst of imports cannot balloon the heap.
// GOGC and GOMEMLIMIT in the environment still decide.
func serverGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(200)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(1 << 30)
	}
}
