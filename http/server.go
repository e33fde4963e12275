// Package http is tally's JSON API over HTTP: the parties, the mediator,
// witnesses and observers share one server, and each sees exactly what
// it is entitled to.
//
// The package is named after the technology it adapts, as package sqlite
// and package postgres are; it imports the standard net/http under its own
// name, and callers import it as tallyhttp.
//
// What this package decides is only HTTP's: routes, authentication
// (session cookie or bearer token), CSRF, rate limits on sign-in, problem
// details, logging. Who may see what is decided by tally.Authorize, in the
// domain, through the Service's methods that take an Actor; a handler never
// reads the store around it.
//
// # Routes
//
// Every route is declared once, in routes (routes.go), with its method and
// pattern, whether it needs a signed-in actor, and its description for the
// OpenAPI document. The tests walk that table: every route × every role ×
// own and other party's resources, so a route added without an expected
// answer fails them.
//
// # Errors
//
// Every error reaches the client through writeError as RFC 9457 problem
// details (application/problem+json), the status chosen from the
// tally.ErrorCode in exactly one place (statusOf).
//
// # Logs
//
// One structured line per request: method, route pattern (never the path
// with its values, nor the query), status, duration, the actor's
// organisation code and the error code. No body, no name, no login.
package http

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"tally"
	"tally/agreementfile"
)

// SessionCookie is the name of the session cookie. The __Host- prefix
// makes browsers insist that it be Secure, for the whole host, and set by
// the host itself.
const SessionCookie = "__Host-tally-session"

// Config is what a Server needs.
type Config struct {
	Service *tally.Service
	// Logger receives one line per request; nil discards them.
	Logger *slog.Logger
	// Version is what /version reports.
	Version string
	// Ready reports whether the server can serve: the store is reachable.
	// Nil: always ready.
	Ready func(context.Context) error
	// Sessions is how long sessions last (tally.DefaultSessionPolicy if
	// zero).
	Sessions tally.SessionPolicy
	// LoginRate and LoginBurst limit sign-in attempts per client address
	// and, separately, per login (default: one every 10 s, bursts of 5).
	LoginRate  rate.Limit
	LoginBurst int
	// TrustProxy says the server runs behind a reverse proxy that appends
	// the client's address to X-Forwarded-For; the last address there is
	// then the client's, for rate limits.
	TrustProxy bool
	// MaxUpload is the largest list file accepted (default 256 MiB).
	MaxUpload int64
	// TempDir is where uploads are spooled while imported (default: the
	// system's).
	TempDir string
	// RPID and Origins are the WebAuthn relying party: the domain security
	// keys are tied to, and the origins (https://...) the pages are served
	// at. Empty: localhost, as the request reached it (webauthn.go).
	RPID    string
	Origins []string
}

// Server serves tally's API.
type Server struct {
	cfg     Config
	svc     *tally.Service
	log     *slog.Logger
	mux     *http.ServeMux
	csrf    *http.CrossOriginProtection
	byIP    *limiters
	byLogin *limiters
	web     *webPages // the web interface (pages.go)
}

// NewServer returns a server over cfg.Service.
func NewServer(cfg Config) *Server {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Sessions == (tally.SessionPolicy{}) {
		cfg.Sessions = tally.DefaultSessionPolicy
	}
	if cfg.LoginRate == 0 {
		cfg.LoginRate = rate.Every(10 * time.Second)
	}
	if cfg.LoginBurst == 0 {
		cfg.LoginBurst = 5
	}
	if cfg.MaxUpload == 0 {
		cfg.MaxUpload = 256 << 20
	}
	if cfg.Version == "" {
		cfg.Version = "devel"
	}
	s := &Server{
		cfg: cfg, svc: cfg.Service, log: cfg.Logger, mux: http.NewServeMux(),
		csrf:    http.NewCrossOriginProtection(),
		byIP:    newLimiters(cfg.LoginRate, cfg.LoginBurst),
		byLogin: newLimiters(cfg.LoginRate, cfg.LoginBurst),
	}
	s.csrf.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.writeError(w, r, &tally.Error{Code: tally.EForbidden, Message: "a cross-origin request was refused",
			Hint: "send requests from the service's own pages, or authenticate with an API token"})
	}))
	for _, rt := range s.routes() {
		s.mux.Handle(rt.Method+" "+rt.Pattern, s.handle(rt))
	}
	s.registerPages()
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.writeError(w, r, &tally.Error{Code: tally.ENotFound, Message: "there is nothing here", Hint: "see /openapi.json"})
	})
	return s
}

// ServeHTTP serves a request: logs it, and routes it.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	info := &requestInfo{pattern: "unmatched"}
	rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
	rec.Header().Set("X-Content-Type-Options", "nosniff")
	rec.Header().Set("Cache-Control", "no-store")
	s.mux.ServeHTTP(rec, r.WithContext(context.WithValue(r.Context(), infoKey{}, info)))
	attrs := []slog.Attr{
		slog.String("method", r.Method),
		slog.String("route", info.pattern),
		slog.Int("status", rec.status),
		slog.Duration("duration", time.Since(start)),
	}
	if info.org != "" {
		attrs = append(attrs, slog.String("org", info.org))
	}
	if info.code != "" {
		attrs = append(attrs, slog.String("error", string(info.code)))
	}
	if info.internal != nil {
		attrs = append(attrs, slog.String("cause", info.internal.Error()))
	}
	s.log.LogAttrs(r.Context(), levelOf(rec.status), "request", attrs...)
}

func levelOf(status int) slog.Level {
	if status >= 500 {
		return slog.LevelError
	}
	return slog.LevelInfo
}

// requestInfo is what a request's log line says beyond method and status,
// filled in as the request is handled.
type requestInfo struct {
	pattern  string
	org      string
	code     tally.ErrorCode
	internal error // the cause of a 5xx, for the operator
}

type infoKey struct{}

func info(r *http.Request) *requestInfo {
	if i, ok := r.Context().Value(infoKey{}).(*requestInfo); ok {
		return i
	}
	return &requestInfo{}
}

type statusRecorder struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (w *statusRecorder) WriteHeader(code int) {
	if !w.wrote {
		w.status, w.wrote = code, true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusRecorder) Write(b []byte) (int, error) {
	w.wrote = true
	return w.ResponseWriter.Write(b)
}

func (w *statusRecorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// handle wraps a route: CSRF for requests a browser's cookies could
// authenticate, then authentication when the route needs it.
func (s *Server) handle(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		info(r).pattern = rt.Method + " " + rt.Pattern
		if r.Header.Get("Authorization") == "" {
			if err := s.csrf.Check(r); err != nil {
				s.writeError(w, r, &tally.Error{Code: tally.EForbidden, Message: "a cross-origin request was refused",
					Hint: "send requests from the service's own pages, or authenticate with an API token"})
				return
			}
		}
		var actor tally.Actor
		if rt.Auth {
			var err error
			if actor, err = s.authenticate(r); err != nil {
				s.writeError(w, r, err)
				return
			}
			info(r).org = actor.Org().Code
		}
		if err := rt.handler(w, r, actor); err != nil {
			s.writeError(w, r, err)
		}
	})
}

// authenticate returns the actor of a request: a bearer token, or else the
// session cookie.
func (s *Server) authenticate(r *http.Request) (tally.Actor, error) {
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, token, ok := strings.Cut(h, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") {
			return tally.Actor{}, &tally.Error{Code: tally.EUnauthorized, Message: "the Authorization header must be Bearer TOKEN"}
		}
		return s.svc.TokenActor(r.Context(), strings.TrimSpace(token))
	}
	c, err := r.Cookie(SessionCookie)
	if err != nil {
		return tally.Actor{}, &tally.Error{Code: tally.EUnauthorized, Message: "sign in first", Hint: "POST /api/login, or send an API token"}
	}
	return s.svc.SessionActor(r.Context(), c.Value, s.cfg.Sessions)
}

// Problem is an RFC 9457 problem details object, with tally's extensions:
// the error code, and the key at fault and a hint when there are any.
type Problem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail,omitempty"`
	Code   string `json:"code"`
	Key    string `json:"key,omitempty"`
	Hint   string `json:"hint,omitempty"`
	// Problems are every fault of an uploaded file, when it has several
	// (an agreement file).
	Problems []FileProblem `json:"problems,omitempty"`
}

// FileProblem is one fault of an uploaded file: where, what, what to do.
type FileProblem struct {
	Line    int    `json:"line,omitempty"`
	Key     string `json:"key,omitempty"`
	Message string `json:"message"`
	Hint    string `json:"hint,omitempty"`
}

// statusOf is the one place an error code becomes an HTTP status.
func statusOf(code tally.ErrorCode) int {
	switch code {
	case tally.EInvalid:
		return http.StatusUnprocessableEntity
	case tally.ENotFound:
		return http.StatusNotFound
	case tally.EConflict:
		return http.StatusConflict
	case tally.EUnauthorized:
		return http.StatusUnauthorized
	case tally.EForbidden, tally.ESecondFactor:
		return http.StatusForbidden
	case codeTooMany:
		return http.StatusTooManyRequests
	case codeBadRequest:
		return http.StatusBadRequest
	case codeUnavailable:
		return http.StatusServiceUnavailable
	case codeNotImplemented:
		return http.StatusNotImplemented
	}
	return http.StatusInternalServerError
}

// Codes of errors only HTTP has.
const (
	codeTooMany     tally.ErrorCode = "too-many-requests" // rate limited
	codeBadRequest  tally.ErrorCode = "bad-request"       // the request itself is malformed (not its content)
	codeUnavailable tally.ErrorCode = "unavailable"       // not ready
)

// writeError writes err as problem details. An internal error's message
// stays in the log; the client is told only that it happened.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	code := tally.ErrorCodeOf(err)
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		code = codeUnavailable
	}
	status := statusOf(code)
	p := Problem{Type: "about:blank", Title: http.StatusText(status), Status: status, Code: string(code)}
	var e *tally.Error
	if status < 500 && errors.As(err, &e) {
		p.Detail, p.Key, p.Hint = e.Error(), e.Key, e.Hint
		if e.Hint != "" {
			p.Detail = strings.TrimSuffix(p.Detail, " ("+e.Hint+")")
		}
		var es agreementfile.Errors
		if errors.As(err, &es) {
			for _, x := range es {
				p.Problems = append(p.Problems, FileProblem{x.Line, x.Key, x.Message, x.Hint})
			}
		}
	}
	if status >= 500 {
		info(r).internal = err
		p.Detail = "the server could not do this; the fault is logged"
	}
	info(r).code = code
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="tally"`)
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(p)
}

// writeJSON writes v as JSON with status 200.
func writeJSON(w http.ResponseWriter, v any) error {
	w.Header().Set("Content-Type", "application/json")
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// limiters keeps a token bucket per key (a client address, a login).
type limiters struct {
	mu    sync.Mutex
	every rate.Limit
	burst int
	m     map[string]*rate.Limiter
}

func newLimiters(every rate.Limit, burst int) *limiters {
	return &limiters{every: every, burst: burst, m: map[string]*rate.Limiter{}}
}

// maxLimiters bounds the memory a flood of distinct keys can take: past
// it, every bucket starts full again.
const maxLimiters = 100_000

func (l *limiters) allow(key string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	lim, ok := l.m[key]
	if !ok {
		if len(l.m) >= maxLimiters {
			l.m = map[string]*rate.Limiter{}
		}
		lim = rate.NewLimiter(l.every, l.burst)
		l.m[key] = lim
	}
	return lim.Allow()
}

// clientIP is the address rate limits are kept by.
func (s *Server) clientIP(r *http.Request) string {
	if s.cfg.TrustProxy {
		if xff := r.Header.Values("X-Forwarded-For"); len(xff) > 0 {
			parts := strings.Split(xff[len(xff)-1], ",")
			if ip := strings.TrimSpace(parts[len(parts)-1]); ip != "" {
				return ip
			}
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func badRequest(format string, args ...any) error {
	return &tally.Error{Code: codeBadRequest, Message: fmt.Sprintf(format, args...)}
}
