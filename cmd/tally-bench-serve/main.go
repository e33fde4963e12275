// Command tally-bench-serve measures the server as issue 6 asks: on a store
// holding -persons persons (in lists put to review, so that the other side
// and the mediator may read them) and a shared record of -entries entries,
// -clients concurrent clients reading lists and reports for -duration must
// see a p99 of at most 100 ms and no errors; and a list of -import-rows
// rows imported through the API must take at most 30 s.
//
// It builds the store (printing how long that took), starts the real
// server of package http on 127.0.0.1:0, and runs the clients there: each
// has its own API token (UA, RU and mediator users in turn) and loops over
// GET lists, GET a list version (with its conformity report, audited), GET
// a page of rows (audited), GET review and GET report until the duration
// is over. Every request's latency is recorded; it prints count, errors,
// p50/p95/p99/max and requests per second, overall and per route.
//
// The import is measured last, on a second store without a signed log: the
// server holds no party's key, so on a store that keeps a signed log an
// import through the API is refused by design (the party's own client
// signs). The figure is therefore that of a store without a log.
//
//	go run ./cmd/tally-bench-serve
//	go run ./cmd/tally-bench-serve -persons 10000 -entries 100000 -duration 5s
//	go run ./cmd/tally-bench-serve -db 'postgres://postgres@127.0.0.1:5432/test?sslmode=disable'
//
// With a postgres:// URL it creates a schema of its own in that database
// for the run (and one for the import) and drops them at the end; with
// -schema NAME the readers' store is that schema instead, created if
// missing and kept. Building the store takes far longer than reading it
// (about 20 minutes for a log of a million entries on a loaded 2-core
// machine), so a store that already holds the benchmark's agreement and
// lists (a -db SQLite file, or a -schema, from an earlier run) is read
// as it is, with fresh tokens for its accounts: runs that compare
// changes then read the same store. -persons and -entries are those it
// was built with.
package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	mrand "math/rand/v2"
	"mime/multipart"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	_ "github.com/jackc/pgx/v5/stdlib"
	"golang.org/x/mod/sumdb/note"

	"tally"
	"tally/agreementfile"
	"tally/exchange"
	tallyhttp "tally/http"
	"tally/ledger"
	"tally/listfile"
	"tally/postgres"
	"tally/sqlite"
	"tally/sqlstore"
)

type options struct {
	db           string
	persons      int
	entries      int
	clients      int
	duration     time.Duration
	importRows   int
	page         int
	batch        int
	cpuProfile   string
	mutexProfile string
	schema       string
	cold         bool
	skipImport   bool
	skipClients  bool
}

func main() {
	// As tally serve runs (see serverGC in cmd/tally/serve.go), so that the
	// figures are the server's.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(200)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(1 << 30)
	}
	var o options
	flag.StringVar(&o.db, "db", "", "the store: a SQLite path or postgres:// URL (default: a new SQLite file in a temporary directory); a postgres database gets a schema of the run's own, dropped after")
	flag.IntVar(&o.persons, "persons", 100_000, "persons in the lists, across both parties")
	flag.IntVar(&o.entries, "entries", 1_000_000, "entries in the shared record, besides those of the lists and steps")
	flag.IntVar(&o.clients, "clients", 200, "concurrent clients")
	flag.DurationVar(&o.duration, "duration", 20*time.Second, "how long the clients read")
	flag.IntVar(&o.importRows, "import-rows", 100_000, "rows of the list imported through the API")
	flag.IntVar(&o.page, "page", 100, "rows per page a client asks for")
	flag.IntVar(&o.batch, "batch", 1024, "entries per submission while building the log")
	flag.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of the clients' run (server and clients: one process) to this file")
	flag.StringVar(&o.mutexProfile, "mutexprofile", "", "write a mutex contention profile of the clients' run to this file")
	flag.StringVar(&o.schema, "schema", "", "with a postgres:// -db, the schema of the readers' store: created if missing, kept after, and read as it is if an earlier run built it")
	flag.BoolVar(&o.cold, "cold", false, "serve without replaying the steps first (as servers did before WarmUp): the first requests replay them")
	flag.BoolVar(&o.skipImport, "no-import", false, "skip the import")
	flag.BoolVar(&o.skipClients, "no-clients", false, "skip the clients (measure the import only)")
	flag.Parse()
	if o.clients < 1 || o.persons < 4 || o.duration <= 0 || o.duration > 10*time.Minute || o.clients > 2000 {
		fmt.Fprintln(os.Stderr, "tally-bench-serve: -clients 1 to 2000, -persons at least 4, -duration up to 10m")
		os.Exit(2)
	}
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "tally-bench-serve:", err)
		os.Exit(1)
	}
}

func run(o options) error {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "tally-bench-serve-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	fmt.Printf("go: %s, GOMAXPROCS %d, %d CPUs\n", runtime.Version(), runtime.GOMAXPROCS(0), runtime.NumCPU())
	if !o.skipClients {
		st, where, cleanup, err := openStore(ctx, o.db, o.schema, filepath.Join(dir, "bench.db"))
		if err != nil {
			return err
		}
		fmt.Printf("store: %s\n", where)
		err = readers(ctx, o, st)
		st.Close()
		cleanup()
		if err != nil {
			return err
		}
	}
	if o.skipImport {
		return nil
	}
	db := o.db
	if db != "" && !isPostgres(db) {
		db = "" // a SQLite path given is the readers' store; the import gets its own
	}
	st, where, cleanup, err := openStore(ctx, db, "", filepath.Join(dir, "import.db"))
	if err != nil {
		return err
	}
	defer cleanup()
	defer st.Close()
	fmt.Printf("import store (a signed log; the client signs its entry): %s\n", where)
	return importThroughAPI(ctx, o, st)
}

func isPostgres(db string) bool {
	return strings.HasPrefix(db, "postgres://") || strings.HasPrefix(db, "postgresql://")
}

// openStore opens a SQLite file (path when db is empty) or, for a
// postgres URL, a fresh schema in that database, dropped by cleanup; or,
// when schema is given, that one, created if missing and kept.
func openStore(ctx context.Context, db, schema, path string) (st *sqlstore.DB, where string, cleanup func(), err error) {
	if !isPostgres(db) {
		if db != "" {
			path = db
		}
		st, err = sqlite.Open(ctx, path)
		return st, "sqlite " + path, func() {}, err
	}
	admin, err := sql.Open("pgx", db)
	if err != nil {
		return nil, "", nil, err
	}
	keep := schema != ""
	if !keep {
		schema = "tally_bench_" + strings.ToLower(rand.Text()[:10])
	}
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA IF NOT EXISTS "+pgx.Identifier{schema}.Sanitize()); err != nil {
		admin.Close()
		return nil, "", nil, fmt.Errorf("creating schema %s: %w", schema, err)
	}
	cleanup = func() {
		if keep {
			admin.Close()
			return
		}
		if _, err := admin.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			fmt.Fprintf(os.Stderr, "tally-bench-serve: dropping schema %s: %v\n", schema, err)
		}
		admin.Close()
	}
	u, err := url.Parse(db)
	if err != nil {
		cleanup()
		return nil, "", nil, err
	}
	q := u.Query()
	q.Set("search_path", schema)
	q.Set("application_name", "tally-bench-serve") // to find the server's processes (cpuMeter)
	u.RawQuery = q.Encode()
	if st, err = postgres.Open(ctx, u.String()); err != nil {
		cleanup()
		return nil, "", nil, err
	}
	if keep {
		return st, "postgres, schema " + schema + " (kept)", cleanup, nil
	}
	return st, "postgres, schema " + schema + " (dropped after)", cleanup, nil
}

const agreementYAML = `id: bench
title: Synthetic exchange (benchmark)
date: 2025-06-02
parties: [{code: UA, name: Side A}, {code: RU, name: Side B}]
mediator: {code: TR, name: Mediator}
categories:
  - id: aged-18-25
    subject: prisoner
    terms: all-for-all
    eligibility: {age: {min: 18, max: 25}}
`

// lists are the lists of the readers' store, each put to the other party.
var lists = []struct {
	party string
	kind  tally.ListKind
}{{"UA", tally.KindRequest}, {"UA", tally.KindCustody}, {"RU", tally.KindRequest}, {"RU", tally.KindCustody}}

// readers builds the store (unless an earlier run did), serves it, and
// runs the clients.
func readers(ctx context.Context, o options, st *sqlstore.DB) error {
	buildStart := time.Now()
	svc := tally.NewService(st, nil)
	svc.UseProcess(func(a *tally.Agreement) tally.Reviewing { return exchange.NewProcess(a) })
	agreementID, per := "bench", o.persons/len(lists)
	v, err := svc.ListVersion(ctx, agreementID, tally.ListID(lists[len(lists)-1].party, lists[len(lists)-1].kind, ""), 1)
	switch {
	case err == nil:
		per = v.Rows
		fmt.Printf("build: the store holds the lists of an earlier run (%d persons each): read as it is\n", per)
	case tally.ErrorCodeOf(err) == tally.ENotFound:
		if err := build(ctx, o, svc); err != nil {
			return err
		}
	default:
		return err
	}

	// One account and token per client: UA, RU and the mediator in turn.
	start := time.Now()
	orgs := []struct {
		code string
		kind tally.OrgKind
	}{{"UA", tally.OrgParty}, {"RU", tally.OrgParty}, {"TR", tally.OrgMediator}}
	tokens := make([]string, o.clients)
	for i := range tokens {
		org := orgs[i%len(orgs)]
		login := fmt.Sprintf("%s-viewer-%d", strings.ToLower(org.code), i)
		if tokens[i], err = svc.NewToken(ctx, login); tally.ErrorCodeOf(err) == tally.ENotFound {
			if _, err := svc.AddUser(ctx, tally.NewUser{OrgCode: org.code, OrgKind: org.kind, Name: "Viewer " + login,
				Login: login, Roles: []tally.Role{tally.RoleViewer}}); err != nil {
				return err
			}
			tokens[i], err = svc.NewToken(ctx, login)
		}
		if err != nil {
			return err
		}
	}
	status, err := svc.LogStatus(ctx)
	if err != nil {
		return err
	}
	fmt.Printf("build: %d accounts with tokens: %.1f s\n", o.clients, time.Since(start).Seconds())
	fmt.Printf("build: store ready in %.1f s: %d persons, a log of %d entries, %d accounts\n",
		time.Since(buildStart).Seconds(), per*len(lists), status.Size, o.clients)

	if !o.cold {
		// As tally serve does before it listens.
		start = time.Now()
		if err := svc.WarmUp(ctx); err != nil {
			return err
		}
		fmt.Printf("serve: replayed the steps before listening: %.1f s\n", time.Since(start).Seconds())
	}
	base, stop, err := serve(svc)
	if err != nil {
		return err
	}
	defer stop()
	if o.cpuProfile != "" {
		f, err := os.Create(o.cpuProfile)
		if err != nil {
			return err
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer f.Close()
		defer pprof.StopCPUProfile()
	}
	if o.mutexProfile != "" {
		runtime.SetMutexProfileFraction(5)
		defer func() {
			runtime.SetMutexProfileFraction(0)
			if err := writeProfile("mutex", o.mutexProfile); err != nil {
				fmt.Fprintln(os.Stderr, "tally-bench-serve:", err)
			}
		}()
	}
	cpu := startCPU(ctx, st.SQL())
	n, err := load(ctx, base, agreementID, tokens, per, o)
	if err == nil {
		cpu.print(ctx, n)
	}
	return err
}

// cpuMeter measures the processor time the run takes, so that runs on a
// machine others share can be compared: latency follows the load the
// others put on it, time per request much less. It counts this process
// (server and clients) and, on PostgreSQL, the server's processes that
// serve the store's connections (read from /proc: PostgreSQL must run on
// this machine).
type cpuMeter struct {
	db      *sql.DB
	self    time.Duration
	backend map[int]time.Duration
}

func startCPU(ctx context.Context, db *sql.DB) *cpuMeter {
	m := &cpuMeter{db: db, self: selfCPU()}
	m.backend = backendCPU(ctx, db)
	return m
}

func (m *cpuMeter) print(ctx context.Context, requests int) {
	if requests == 0 {
		return
	}
	per := func(d time.Duration) string {
		return fmt.Sprintf("%.0f µs", float64(d.Microseconds())/float64(requests))
	}
	self := selfCPU() - m.self
	line := fmt.Sprintf("cpu: this process (server and clients) %.1f s, %s per request", self.Seconds(), per(self))
	if after := backendCPU(ctx, m.db); after != nil {
		var d time.Duration
		for pid, t := range after {
			d += t - m.backend[pid]
		}
		line += fmt.Sprintf("; PostgreSQL's %d server processes %.1f s, %s per request", len(after), d.Seconds(), per(d))
	}
	fmt.Println(line)
}

func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// backendCPU returns the processor time of each PostgreSQL server process
// of this run's connections (application_name tally-bench-serve), or nil
// when the store is not PostgreSQL on this machine.
func backendCPU(ctx context.Context, db *sql.DB) map[int]time.Duration {
	rows, err := db.QueryContext(ctx, `SELECT pid FROM pg_stat_activity WHERE application_name = 'tally-bench-serve'`)
	if err != nil {
		return nil // SQLite
	}
	defer rows.Close()
	m := map[int]time.Duration{}
	for rows.Next() {
		var pid int
		if rows.Scan(&pid) != nil {
			return nil
		}
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			return nil
		}
		// Fields after the command, which ends with the last ')':
		// state is the 3rd field of stat, utime the 14th, stime the 15th.
		f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
		if len(f) < 13 {
			return nil
		}
		var ut, st int64
		fmt.Sscan(f[11], &ut)
		fmt.Sscan(f[12], &st)
		m[pid] = time.Duration(ut+st) * (time.Second / 100) // USER_HZ
	}
	if rows.Err() != nil || len(m) == 0 {
		return nil
	}
	return m
}

func writeProfile(name, path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := pprof.Lookup(name).WriteTo(f, 0); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// build fills the store: the signed log, the agreement, and the lists put
// to review.
func build(ctx context.Context, o options, svc *tally.Service) error {
	keys := ledger.Keys{Parties: map[string]string{}}
	logSKey, logVKey, err := ledger.GenerateRoleKey(ledger.RoleLog, "TR")
	if err != nil {
		return err
	}
	keys.Log = logVKey
	signers := map[string]note.Signer{}
	for _, p := range []string{"UA", "RU"} {
		skey, vkey, err := ledger.GenerateRoleKey(ledger.RoleParty, p)
		if err != nil {
			return err
		}
		keys.Parties[p] = vkey
		if signers[p], err = ledger.NewSigner(skey); err != nil {
			return err
		}
	}
	logSigner, err := ledger.NewSigner(logSKey)
	if err != nil {
		return err
	}
	svc.UseLogKey(logSigner)
	if err := svc.SetUpLog(ctx, keys, logSigner); err != nil {
		return err
	}

	// The log: entries the parties' clients signed, submitted in batches.
	start := time.Now()
	if err := buildLog(ctx, svc, keys, signers, o.entries, o.batch); err != nil {
		return err
	}
	fmt.Printf("build: %d log entries signed and submitted in batches of %d: %.1f s\n", o.entries, o.batch, time.Since(start).Seconds())

	// The agreement, the lists, and the steps that put them to review.
	start = time.Now()
	ag, err := agreementfile.Parse("bench.yaml", []byte(agreementYAML))
	if err != nil {
		return err
	}
	if err := svc.AddAgreement(ctx, ag, []byte(agreementYAML)); err != nil {
		return err
	}
	per := o.persons / len(lists)
	for i, l := range lists {
		csv := listCSV(strings.ToUpper(l.party[:1])+strings.ToUpper(string(l.kind[:1])), per, uint64(i+1))
		rows, err := listfile.NewReader("list.csv", bytes.NewReader(csv), listfile.Options{})
		if err != nil {
			return err
		}
		v, _, err := svc.ImportList(ctx, tally.Import{AgreementID: ag.ID, Party: l.party, Kind: l.kind, FileName: "list.csv",
			Original: bytes.NewReader(csv), Rows: rows, Signer: signers[l.party]})
		if err != nil {
			return err
		}
		body := exchange.ListSubmitted{List: v.ListID, Version: v.Version, Kind: string(v.Kind)}
		if err := svc.ListRows(ctx, v, func(r tally.StoredRow) error {
			body.Rows = append(body.Rows, exchange.ListRow{Ref: r.Ref, Category: r.Row.Values[tally.FieldCategory]})
			return nil
		}); err != nil {
			return err
		}
		e := exchange.Event{Kind: exchange.KindListSubmitted, By: l.party, Actor: "Clerk", At: time.Now(), Body: body}
		payload, err := exchange.Encode(e)
		if err != nil {
			return err
		}
		if _, err := svc.RecordSteps(ctx, ag.ID, []tally.StepInput{{Kind: e.Kind, By: l.party, Payload: payload, Signer: signers[l.party]}},
			exchange.NewProcess(&ag)); err != nil {
			return err
		}
	}
	fmt.Printf("build: %d lists of %d persons imported and put to review: %.1f s\n", len(lists), per, time.Since(start).Seconds())
	return nil
}

// buildLog appends n entries signed by the parties, as their clients
// would: two goroutines sign (one per party's chain) while this one
// submits, so that signing and appending overlap.
func buildLog(ctx context.Context, svc *tally.Service, keys ledger.Keys, signers map[string]note.Signer, n, batch int) error {
	status, err := svc.LogStatus(ctx)
	if err != nil {
		return err
	}
	first, err := ledger.OpenCheckpoint(status.Checkpoint, keys)
	if err != nil {
		return err
	}
	t0 := ledger.NormalTime(time.Now())
	ch := make(chan [][]byte, 8)
	errc := make(chan error, 2)
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	for pi, p := range []string{"UA", "RU"} {
		count := n / 2
		if pi == 0 {
			count += n % 2
		}
		wg.Go(func() {
			var prev ledger.Hash
			b := make([][]byte, 0, batch)
			for seq := int64(1); seq <= int64(count); seq++ {
				e := &ledger.Entry{Kind: ledger.KindListVersion, Party: p, Seq: seq, Prev: prev,
					Commitment: sha256.Sum256(fmt.Appendf(nil, "%s-%d", p, seq)), Time: t0, Checkpoint: first.Ref()}
				s, err := e.Sign(signers[p])
				if err != nil {
					errc <- err
					return
				}
				prev = ledger.EntryHash(s)
				if b = append(b, s); len(b) == batch || seq == int64(count) {
					select {
					case ch <- b:
					case <-sctx.Done():
						return
					}
					b = make([][]byte, 0, batch)
				}
			}
		})
	}
	go func() { wg.Wait(); close(ch) }()
	for b := range ch {
		if _, err := svc.Submit(ctx, b); err != nil {
			return err
		}
	}
	select {
	case err := <-errc:
		return err
	default:
	}
	return nil
}

var (
	surnames = []string{"Шевченко", "Коваленко", "Бондаренко", "Ткаченко", "Кравченко", "Олійник", "Шевчук", "Поліщук", "Мельник", "Бойко", "Лисенко", "Руденко", "Савченко", "Петренко", "Мороз", "Марченко", "Павленко", "Левченко", "Гончаренко", "Кузьменко", "Литвиненко", "Клименко", "Карпенко", "Гаврилюк", "Ковальчук", "Пономаренко", "Сидоренко", "Ярошенко", "Кравчук", "Дмитренко"}
	given    = []string{"Олександр", "Микола", "Іван", "Сергій", "Андрій", "Юрій", "Дмитро", "Олексій", "Василь", "Петро", "Павло", "Михайло", "Володимир", "Віталій", "Ігор", "Олег", "Євген", "Богдан", "Тарас", "Степан"}
	fathers  = []string{"Олександрович", "Миколайович", "Іванович", "Сергійович", "Андрійович", "Юрійович", "Дмитрович", "Олексійович", "Васильович", "Петрович"}
	places   = []string{"м. Київ", "м. Харків", "м. Одеса", "м. Дніпро", "м. Запоріжжя", "м. Львів", "с. Олешки", "м. Рівне"}
)

// listCSV returns n synthetic persons (invented: random combinations of
// common name parts and dates), refs prefix-0000001 on; about 1 row in
// 200 has a date clerks type wrongly.
func listCSV(prefix string, n int, seed uint64) []byte {
	rng := mrand.New(mrand.NewPCG(seed, 6))
	var b bytes.Buffer
	b.Grow(n * 120)
	b.WriteString("ref,surname,given_name,patronymic,birth_date,birth_place,category\n")
	for i := 1; i <= n; i++ {
		date := fmt.Sprintf("%02d.%02d.%d", 1+rng.IntN(28), 1+rng.IntN(12), 2001+rng.IntN(5))
		if i%200 == 0 {
			date = fmt.Sprintf("%02d/%02d/%d", 1+rng.IntN(28), 1+rng.IntN(12), 2001+rng.IntN(5))
		}
		fmt.Fprintf(&b, "%s-%07d,%s,%s,%s,%s,%s,aged-18-25\n", prefix, i, surnames[rng.IntN(len(surnames))],
			given[rng.IntN(len(given))], fathers[rng.IntN(len(fathers))], date, places[rng.IntN(len(places))])
	}
	return b.Bytes()
}

// serve starts the real server on loopback and returns its base URL.
func serve(svc *tally.Service) (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	hs := &http.Server{
		Handler: tallyhttp.NewServer(tallyhttp.Config{Service: svc, Version: "bench",
			Logger: slog.New(slog.NewTextHandler(&firstLines{w: os.Stderr, n: 5}, &slog.HandlerOptions{Level: slog.LevelError}))}),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       10 * time.Minute,
		WriteTimeout:      10 * time.Minute,
		IdleTimeout:       2 * time.Minute,
	}
	go hs.Serve(ln)
	return "http://" + ln.Addr().String(), func() {
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = hs.Shutdown(sctx)
	}, nil
}

// firstLines writes the first n lines written to it (the server's first
// errors, with their cause) and counts the rest.
type firstLines struct {
	mu   sync.Mutex
	w    io.Writer
	n    int
	seen int
}

func (f *firstLines) Write(p []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.seen++; f.seen <= f.n {
		fmt.Fprintf(f.w, "server: %s", p)
	}
	return len(p), nil
}

// sample is one request's outcome.
type sample struct {
	route string
	d     time.Duration
	err   bool
}

// load runs the clients against base until o.duration is over.
func load(ctx context.Context, base, agreementID string, tokens []string, perList int, o options) (int, error) {
	tr := &http.Transport{MaxIdleConns: len(tokens) + 10, MaxIdleConnsPerHost: len(tokens) + 10, IdleConnTimeout: time.Minute,
		DialContext: (&net.Dialer{Timeout: 5 * time.Second}).DialContext}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 60 * time.Second}
	runCtx, cancel := context.WithTimeout(ctx, o.duration)
	defer cancel()
	results := make([][]sample, len(tokens))
	firstErr := make([]string, len(tokens))
	var wg sync.WaitGroup
	start := time.Now()
	for c := range tokens {
		wg.Go(func() {
			rng := mrand.New(mrand.NewPCG(uint64(c), 7))
			a := "/api/agreements/" + agreementID
			get := func(route, path string) {
				if runCtx.Err() != nil {
					return
				}
				req, err := http.NewRequestWithContext(ctx, "GET", base+path, nil)
				if err != nil {
					panic(err)
				}
				req.Header.Set("Authorization", "Bearer "+tokens[c])
				t := time.Now()
				res, err := client.Do(req)
				bad := err != nil
				if err == nil {
					_, err = io.Copy(io.Discard, res.Body)
					res.Body.Close()
					if bad = err != nil || res.StatusCode != http.StatusOK; bad && firstErr[c] == "" {
						firstErr[c] = fmt.Sprintf("%s: %d %v", path, res.StatusCode, err)
					}
				} else if firstErr[c] == "" {
					firstErr[c] = err.Error()
				}
				results[c] = append(results[c], sample{route, time.Since(t), bad})
			}
			for runCtx.Err() == nil {
				l := lists[rng.IntN(len(lists))]
				list := tally.ListID(l.party, l.kind, "")
				get("lists", a+"/lists")
				get("version", a+"/lists/"+list+"/versions/1")
				get("rows", fmt.Sprintf("%s/lists/%s/versions/1/rows?after=%d&limit=%d", a, list, 1+rng.IntN(perList), o.page))
				get("review", a+"/review")
				get("report", a+"/report")
			}
		})
	}
	wg.Wait()
	wall := time.Since(start)
	var all []sample
	for _, r := range results {
		all = append(all, r...)
	}
	fmt.Printf("clients: %d for %v on loopback, rows pages of %d\n", len(tokens), o.duration, o.page)
	printStats("all", all, wall)
	for _, route := range []string{"lists", "version", "rows", "review", "report"} {
		var rs []sample
		for _, s := range all {
			if s.route == route {
				rs = append(rs, s)
			}
		}
		printStats(route, rs, wall)
	}
	for _, e := range firstErr {
		if e != "" {
			fmt.Printf("  first error: %s\n", e)
			break
		}
	}
	return len(all), nil
}

func printStats(name string, ss []sample, wall time.Duration) {
	if len(ss) == 0 {
		fmt.Printf("  %-8s no requests\n", name)
		return
	}
	ds := make([]time.Duration, len(ss))
	errs := 0
	for i, s := range ss {
		ds[i] = s.d
		if s.err {
			errs++
		}
	}
	slices.Sort(ds)
	q := func(p float64) time.Duration {
		return ds[min(len(ds)-1, int(p*float64(len(ds))))].Round(100 * time.Microsecond)
	}
	fmt.Printf("  %-8s %7d requests, %d errors, p50 %v, p95 %v, p99 %v, max %v, %.0f req/s\n", name, len(ss), errs,
		q(0.50), q(0.95), q(0.99), ds[len(ds)-1].Round(time.Millisecond), float64(len(ss))/wall.Seconds())
}

// importThroughAPI imports a list of o.importRows rows as a UA clerk,
// through POST /api/agreements/{id}/lists, and prints the wall time.
func importThroughAPI(ctx context.Context, o options, st *sqlstore.DB) error {
	svc := tally.NewService(st, nil)
	svc.UseProcess(func(a *tally.Agreement) tally.Reviewing { return exchange.NewProcess(a) })
	ag, err := agreementfile.Parse("bench.yaml", []byte(agreementYAML))
	if err != nil {
		return err
	}
	if err := svc.AddAgreement(ctx, ag, []byte(agreementYAML)); err != nil {
		return err
	}
	if _, err := svc.AddUser(ctx, tally.NewUser{OrgCode: "UA", OrgKind: tally.OrgParty, Name: "Clerk", Login: "ua-clerk",
		Roles: []tally.Role{tally.RoleClerk}}); err != nil {
		return err
	}
	token, err := svc.NewToken(ctx, "ua-clerk")
	if err != nil {
		return err
	}
	// A signed log, as in production: the clerk's side signs the entry
	// of its import itself (the server holds no party key).
	keys := ledger.Keys{Parties: map[string]string{}}
	lkey, lvkey, err := ledger.GenerateRoleKey(ledger.RoleLog, "TR")
	if err != nil {
		return err
	}
	logSigner, err := ledger.NewSigner(lkey)
	if err != nil {
		return err
	}
	keys.Log = lvkey
	pkey, pvkey, err := ledger.GenerateRoleKey(ledger.RoleParty, "UA")
	if err != nil {
		return err
	}
	uaSigner, err := ledger.NewSigner(pkey)
	if err != nil {
		return err
	}
	keys.Parties["UA"] = pvkey
	svc.UseLogKey(logSigner)
	if err := svc.SetUpLog(ctx, keys, logSigner); err != nil {
		return err
	}
	csv := listCSV("UI", o.importRows, 99)
	base, stop, err := serve(svc)
	if err != nil {
		return err
	}
	defer stop()
	client := &http.Client{Timeout: 5 * time.Minute}
	start := time.Now()

	// The client commits to its file with its own salt, has the server
	// prepare the entry, and signs it: all in the figure.
	salt := ledger.NewSalt()
	commitment := ledger.Commit(salt, csv)
	preq, err := http.NewRequestWithContext(ctx, "POST", base+"/api/agreements/"+ag.ID+"/lists/prepare",
		strings.NewReader(`{"party":"UA","commitment":"`+commitment.String()+`"}`))
	if err != nil {
		return err
	}
	preq.Header.Set("Content-Type", "application/json")
	preq.Header.Set("Authorization", "Bearer "+token)
	pres, err := client.Do(preq)
	if err != nil {
		return err
	}
	var prep struct {
		Entry string `json:"entry"`
	}
	err = json.NewDecoder(pres.Body).Decode(&prep)
	pres.Body.Close()
	if err != nil || pres.StatusCode != http.StatusOK {
		return fmt.Errorf("prepare: %s: %v", pres.Status, err)
	}
	signed, err := ledger.SignChain([]byte(prep.Entry), []ledger.Step{{Kind: ledger.KindListVersion, Commitment: commitment}}, uaSigner)
	if err != nil {
		return err
	}

	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		for _, f := range [][2]string{{"party", "UA"}, {"kind", "request"},
			{"salt", base64.StdEncoding.EncodeToString(salt)}, {"entry", string(signed[0])}} {
			if err := mw.WriteField(f[0], f[1]); err != nil {
				pw.CloseWithError(err)
				return
			}
		}
		fw, err := mw.CreateFormFile("file", "ua-request.csv")
		if err == nil {
			_, err = fw.Write(csv)
		}
		if err == nil {
			err = mw.Close()
		}
		pw.CloseWithError(err)
	}()
	req, err := http.NewRequestWithContext(ctx, "POST", base+"/api/agreements/"+ag.ID+"/lists", pr)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := client.Do(req)
	if err != nil {
		return err
	}
	body, err := io.ReadAll(res.Body)
	res.Body.Close()
	wall := time.Since(start)
	if err != nil {
		return err
	}
	if res.StatusCode != http.StatusCreated {
		return fmt.Errorf("import: %s: %s", res.Status, bytes.TrimSpace(body[:min(len(body), 500)]))
	}
	v, err := svc.ListVersion(ctx, ag.ID, "ua-request", 1)
	if err != nil {
		return err
	}
	if v.Rows != o.importRows || v.Entry < 0 {
		return errors.New("import: the version holds " + fmt.Sprint(v.Rows) + " rows, entry " + fmt.Sprint(v.Entry))
	}
	fmt.Printf("import through the API, signed by the client: %d rows, %.1f MB, %.2f s wall, %.0f rows/s (201 Created, %s, entry %d)\n",
		v.Rows, float64(len(csv))/1e6, wall.Seconds(), float64(v.Rows)/wall.Seconds(), res.Header.Get("Location"), v.Entry)
	return nil
}
