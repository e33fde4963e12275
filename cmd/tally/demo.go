package main

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/csv"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/text/encoding/charmap"

	"tally"
	"tally/agreementfile"
	"tally/exchange"
	"tally/ledger"
	"tally/linkage"
	"tally/linkage/synth"
	"tally/listfile"
	"tally/witness"
)

//go:embed demodata/istanbul.yaml
var istanbulYAML []byte

func (a *app) demoCommand() *cobra.Command {
	var dir string
	c := &cobra.Command{
		Use:   "demo",
		Short: "Play the Istanbul scenario end to end on synthetic people, in an embedded store",
		Long: `demo replays the exchanges agreed in Istanbul on 2 June 2025, on invented people:
the agreement; both sides' lists, with the faults registers have; a review with
objections and a late answer; matching across Ukrainian, Russian and Latin
spellings; a 1000-for-1000 round with a few disputed identities; the first stage
of remains, 1,212 handed over and 1,200 acknowledged; children's cases; the public
report; and the shared record, signed by each side, cosigned by two witnesses
and verified. It uses a fresh store of its own (demo.db beside the default
store) unless --db is given, and leaves it, with the keys, for you to explore.`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(c *cobra.Command, args []string) error { return a.demo(c.Context(), dir) },
	}
	c.Flags().StringVar(&dir, "dir", "", "where to write the demo's files and keys (default: a new temporary directory)")
	return c
}

// demo is the Istanbul scenario. Its clock starts on 3 June 2025 and moves
// as the story does; everything else is what a user's commands do.
func (a *app) demo(ctx context.Context, dir string) error {
	d, err := newDemo(a, dir)
	if err != nil {
		return err
	}
	defer d.close()
	for _, act := range []func(context.Context) error{d.setUp, d.lists, d.review, d.match, d.commission, d.round, d.remains, d.children, d.finish} {
		if err := act(ctx); err != nil {
			return err
		}
	}
	return nil
}

type demo struct {
	a       *app
	out     io.Writer
	dir     string
	clock   time.Time
	svc     *tally.Service
	done    func()
	ag      tally.Agreement
	signers map[string]note.Signer
	servers []*http.Server
	started time.Time

	// What the story carries from one act to the next.
	uaRequest, ruCustody, ruRequest, uaCustody []tally.Row
	truthUA, truthRU                           map[string]string // request ref → custody ref
	pairsRU, pairsUA                           [][2]string       // confirmed (request, custody)
	missing                                    []string          // UA-requested refs RU does not hold
	missingList                                string            // UA's list of them
}

func newDemo(a *app, dir string) (*demo, error) {
	if a.db == "" {
		def, err := defaultDB()
		if err != nil {
			return nil, err
		}
		a.db = filepath.Join(filepath.Dir(def), "demo.db")
		for _, suffix := range []string{"", "-wal", "-shm"} {
			if err := os.Remove(a.db + suffix); err != nil && !os.IsNotExist(err) {
				return nil, fmt.Errorf("cannot start the demo afresh: %w", err)
			}
		}
	} else if _, err := os.Stat(a.db); err == nil {
		return nil, &tally.Error{Code: tally.EInvalid, File: a.db, Message: "the demo plays on a fresh store, and this one exists",
			Hint: "remove it, or give --db a new file"}
	}
	if dir == "" {
		d, err := os.MkdirTemp("", "tally-demo-")
		if err != nil {
			return nil, err
		}
		dir = d
	}
	if err := os.MkdirAll(filepath.Join(dir, "keys"), 0o755); err != nil {
		return nil, err
	}
	d := &demo{a: a, out: a.stdout, dir: dir, clock: time.Date(2025, 6, 3, 9, 0, 0, 0, time.UTC),
		signers: map[string]note.Signer{}, started: time.Now()}
	a.now = func() time.Time { return d.clock }
	return d, nil
}

func (d *demo) close() {
	if d.done != nil {
		d.done()
	}
	for _, s := range d.servers {
		s.Close()
	}
}

func (d *demo) say(format string, args ...any) { fmt.Fprintf(d.out, format+"\n", args...) }

// day moves the story's clock to a day of June 2025, at a given hour.
func (d *demo) day(day, hour int) { d.clock = time.Date(2025, 6, day, hour, 0, 0, 0, time.UTC) }

// step records steps taken by one side, each an entry of the shared record.
func (d *demo) step(ctx context.Context, by, actor string, bodies ...any) ([]int64, error) {
	var steps []tally.StepInput
	for _, b := range bodies {
		e := exchange.Event{Kind: exchange.KindOf(b), By: by, Actor: actor, At: d.clock, Body: b}
		payload, err := exchange.Encode(e)
		if err != nil {
			return nil, err
		}
		steps = append(steps, tally.StepInput{Kind: e.Kind, By: by, Payload: payload, Signer: d.signers[by]})
	}
	entries, err := d.svc.RecordSteps(ctx, d.ag.ID, steps, exchange.NewProcess(&d.ag))
	if err != nil {
		return nil, err
	}
	return entries, d.svc.Cosign(ctx)
}

// state replays the process as it stands.
func (d *demo) state(ctx context.Context) (exchange.Process, error) {
	p := exchange.NewProcess(&d.ag)
	_, err := d.svc.ReplaySteps(ctx, d.ag.ID, p, false)
	return p, err
}

// setUp makes the keys, starts the parties' witnesses, sets up the shared
// record and stores the agreement.
func (d *demo) setUp(ctx context.Context) error {
	d.say("tally demo — the Istanbul terms of 2 June 2025, played on invented people\n")
	d.say("store: %s\nfiles and keys: %s\n", d.a.db, d.dir)
	keysDir := filepath.Join(d.dir, "keys")
	keys := ledger.Keys{Parties: map[string]string{}}
	readKey := func(path string) (string, error) {
		b, err := os.ReadFile(path)
		return strings.TrimSpace(string(b)), err
	}
	for _, code := range []string{"UA", "RU", "TR"} {
		skey, vkey, err := ledger.WriteKeyFiles(keysDir, ledger.RoleParty, code)
		if err != nil {
			return err
		}
		if d.signers[code], err = readSigner(skey); err != nil {
			return err
		}
		if keys.Parties[code], err = readKey(vkey); err != nil {
			return err
		}
		if err := writeAgeKey(strings.TrimSuffix(skey, ".key")); err != nil {
			return err
		}
	}
	logSKey, logVKey, err := ledger.WriteKeyFiles(keysDir, ledger.RoleLog, "TR")
	if err != nil {
		return err
	}
	if keys.Log, err = readKey(logVKey); err != nil {
		return err
	}
	d.a.logKey = logSKey
	urls := map[string]string{}
	for _, id := range []string{"UA", "RU"} {
		skey, vkey, err := ledger.WriteKeyFiles(keysDir, ledger.RoleWitness, id)
		if err != nil {
			return err
		}
		s, _ := readKey(skey)
		v, _ := readKey(vkey)
		keys.Witnesses = append(keys.Witnesses, v)
		w, err := witness.New(witness.Config{Key: s, Logs: []witness.Log{{Verifier: keys.Log}}, StatePath: filepath.Join(d.dir, "witness-"+id+".json")})
		if err != nil {
			return err
		}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return err
		}
		srv := &http.Server{Handler: w.Handler(), ReadHeaderTimeout: 5 * time.Second}
		go srv.Serve(ln)
		d.servers = append(d.servers, srv)
		urls[id] = "http://" + ln.Addr().String()
	}

	// The mediator sets up the record; from here on every change is signed.
	st, err := d.a.openStore(ctx)
	if err != nil {
		return err
	}
	logSigner, err := readSigner(logSKey)
	if err != nil {
		st.Close()
		return err
	}
	d.svc, d.done = tally.NewService(st, d.a.now), func() { st.Close() }
	d.svc.UseLogKey(logSigner)
	if err := d.svc.SetUpLog(ctx, keys, logSigner); err != nil {
		return err
	}
	for _, code := range []string{"UA", "RU", "TR"} {
		pub, err := os.ReadFile(filepath.Join(keysDir, ledger.PartyKeyName(code)+".agepub"))
		if err != nil {
			return err
		}
		if err := d.svc.AddRecipient(ctx, code, string(pub)); err != nil {
			return err
		}
	}
	for id, url := range urls {
		if err := d.svc.SetWitnessURL(ctx, id, url); err != nil {
			return err
		}
	}
	if err := useWitnesses(ctx, d.svc); err != nil {
		return err
	}
	if err := d.svc.Cosign(ctx); err != nil {
		return err
	}

	agPath := filepath.Join(d.dir, "istanbul-2025-06-02.yaml")
	if err := os.WriteFile(agPath, istanbulYAML, 0o644); err != nil {
		return err
	}
	ag, src, err := agreementfile.Load(agPath)
	if err != nil {
		return err
	}
	if err := d.svc.AddAgreement(ctx, ag, src); err != nil {
		return err
	}
	d.ag = ag
	d.say("1. The terms, and the record nobody can rewrite")
	printAgreement(d.out, ag)
	d.say("   Each side holds its own key and signs what it submits; the mediator's key signs the")
	d.say("   record's checkpoints only; UA's and RU's witnesses cosign them while the record only grows.")
	return nil
}

// category is the agreement category a synthetic man falls in: 18 to 25 on
// 2 June 2025 when his birth date says so, seriously wounded otherwise.
func category(r *tally.Row) (category, condition string) {
	b, err := tally.ParseDate(r.Values[tally.FieldBirthDate])
	on := tally.MustDate("2025-06-02")
	switch {
	case err != nil:
	case b.Precision == tally.FullDate:
		if age := tally.AgeOn(b, on); age >= 18 && age <= 25 {
			return "aged-18-25", ""
		}
	case b.Year >= 2000 && b.Year <= 2006:
		return "aged-18-25", ""
	}
	return "seriously-wounded-ill", "seriously-wounded"
}

// lists writes both sides' lists as their clerks would and imports them.
func (d *demo) lists(ctx context.Context) error {
	d.say("\n2. The lists, as the clerks made them (3–4 June)")
	// UA asks for its men held by RU; RU writes the men it holds its own way.
	one, err := synth.Generate(synth.Config{N: 1250, Seed: 20250602, Overlap: 0.93})
	if err != nil {
		return err
	}
	// RU asks for its men held by UA; UA's register writes them its way.
	two, err := synth.Generate(synth.Config{N: 1200, Seed: 20250603, Overlap: 0.95})
	if err != nil {
		return err
	}
	// The generator's men are of all ages; these lists are mostly of men
	// 18 to 25, so each birth year is moved into 1999–2006, the same way on
	// both sides' rows of one man.
	for _, rows := range [][]tally.Row{one.Left, one.Right, two.Left, two.Right} {
		youngen(rows)
	}
	d.uaRequest, d.ruCustody, d.truthUA = one.Left, one.Right, one.Truth
	d.uaCustody, d.ruRequest = two.Left, two.Right
	d.truthRU = map[string]string{}
	for left, right := range two.Truth {
		d.truthRU[right] = left // RU's request ref → UA's custody ref
	}
	inCustody := map[string]bool{}
	for _, c := range d.truthUA {
		inCustody[c] = true
	}
	// Each man's category comes from the list that asks for him; the
	// holding side copies it (its own dates may disagree: a fault found).
	cats := map[string]map[string][2]string{"ua-request": {}, "ru-custody": {}, "ru-request": {}, "ua-custody": {}}
	own := func(list string, rows []tally.Row) {
		for i := range rows {
			if _, ok := cats[list][rows[i].Values[tally.FieldRef]]; !ok {
				c, cond := category(&rows[i])
				cats[list][rows[i].Values[tally.FieldRef]] = [2]string{c, cond}
			}
		}
	}
	own("ua-request", d.uaRequest)
	own("ru-request", d.ruRequest)
	for ref, cus := range d.truthUA {
		cats["ru-custody"][cus] = cats["ua-request"][ref]
	}
	for ref, cus := range d.truthRU {
		cats["ua-custody"][cus] = cats["ru-request"][ref]
	}
	own("ru-custody", d.ruCustody)
	own("ua-custody", d.uaCustody)
	for _, r := range d.uaRequest {
		if _, ok := d.truthUA[r.Values[tally.FieldRef]]; !ok {
			d.missing = append(d.missing, r.Values[tally.FieldRef])
		}
	}
	files := []struct {
		name, party string
		kind        tally.ListKind
		rows        []tally.Row
		russian     bool
		say         string
	}{
		{"ua-request.csv", "UA", tally.KindRequest, d.uaRequest, false, "UA asks for its men: UTF-8, Ukrainian headers"},
		{"ru-custody.csv", "RU", tally.KindCustody, d.ruCustody, true, "RU lists the men it holds: Windows-1251, semicolons, Russian headers, Russian and Latin spellings"},
		{"ru-request.csv", "RU", tally.KindRequest, d.ruRequest, true, "RU asks for its men"},
		{"ua-custody.csv", "UA", tally.KindCustody, d.uaCustody, false, "UA lists the men it holds"},
	}
	d.day(3, 10)
	for i, f := range files {
		if i == 2 {
			d.day(4, 11)
		}
		path := filepath.Join(d.dir, f.name)
		if err := writeList(path, f.rows, cats[strings.TrimSuffix(f.name, ".csv")], f.russian); err != nil {
			return err
		}
		v, rep, err := d.importList(ctx, path, f.party, f.kind, "")
		if err != nil {
			return err
		}
		d.say("   %s — %s\n   stored as %s, %d rows, signed by %s as entry %d; %s", f.name, f.say, v.Ref(), v.Rows, v.Party, v.Entry, verdict(rep))
		for _, p := range rep.Problems[:min(3, len(rep.Problems))] {
			d.say("     line %d %s %s: %s", p.Line, p.Ref, p.Code, p.Detail)
		}
		if len(rep.Problems) > 3 {
			d.say("     … and %d more (tally list show %s)", len(rep.Problems)-3, v.ListID)
		}
	}
	return nil
}

// youngen moves every birth year into 1999–2006, keeping the rest of the
// date as written (swapped, slipped or partial as the generator made it).
func youngen(rows []tally.Row) {
	for i := range rows {
		v := []byte(rows[i].Values[tally.FieldBirthDate])
		for j := 0; j+4 <= len(v); j++ {
			if (v[j] == '1' && v[j+1] == '9') || (v[j] == '2' && v[j+1] == '0') {
				if y, err := strconv.Atoi(string(v[j : j+4])); err == nil {
					copy(v[j:], strconv.Itoa(1999+y%8))
					break
				}
			}
		}
		rows[i].Values[tally.FieldBirthDate] = string(v)
	}
}

func verdict(rep tally.Report) string {
	if rep.Conforming {
		return "it conforms"
	}
	return fmt.Sprintf("%s found", plural(len(rep.Problems), "problem"))
}

func (d *demo) importListNamed(ctx context.Context, path, party string, kind tally.ListKind, name string) (tally.ListVersion, tally.Report, error) {
	return d.importAs(ctx, path, party, kind, name, "")
}

func (d *demo) importList(ctx context.Context, path, party string, kind tally.ListKind, category string) (tally.ListVersion, tally.Report, error) {
	return d.importAs(ctx, path, party, kind, "", category)
}

func (d *demo) importAs(ctx context.Context, path, party string, kind tally.ListKind, name, category string) (tally.ListVersion, tally.Report, error) {
	rows, err := listfile.Open(path, listfile.Options{})
	if err != nil {
		return tally.ListVersion{}, tally.Report{}, err
	}
	defer rows.Close()
	orig, err := os.Open(path)
	if err != nil {
		return tally.ListVersion{}, tally.Report{}, err
	}
	defer orig.Close()
	v, rep, err := d.svc.ImportList(ctx, tally.Import{AgreementID: d.ag.ID, Party: party, Kind: kind, Name: name, Category: category,
		FileName: filepath.Base(path), Original: orig, Rows: rows, Signer: d.signers[party]})
	if err != nil {
		return v, rep, err
	}
	return v, rep, d.svc.Cosign(ctx)
}

// writeList writes rows as a clerk's CSV: UTF-8 with Ukrainian headers, or
// Windows-1251 with semicolons and Russian headers.
func writeList(path string, rows []tally.Row, cats map[string][2]string, russian bool) error {
	fields := []tally.Field{tally.FieldRef, tally.FieldSurname, tally.FieldGivenName, tally.FieldPatronymic,
		tally.FieldBirthDate, tally.FieldBirthPlace, tally.FieldServiceNumber, tally.FieldUnit}
	header := []string{"№", "Прізвище", "Ім'я", "По батькові", "Дата народження", "Місце народження", "Особистий номер", "Військова частина", "Категорія", "Стан здоров'я"}
	if russian {
		header = []string{"№", "Фамилия", "Имя", "Отчество", "Дата рождения", "Место рождения", "Личный номер", "Воинская часть", "Категория", "Состояние здоровья"}
	}
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	if russian {
		w.Comma = ';'
	}
	w.Write(header)
	for _, r := range rows {
		rec := make([]string, 0, len(header))
		for _, f := range fields {
			rec = append(rec, r.Values[f])
		}
		c := cats[r.Values[tally.FieldRef]]
		rec = append(rec, c[0], c[1])
		w.Write(rec)
	}
	w.Flush()
	data := b.Bytes()
	if russian {
		enc, err := charmap.Windows1251.NewEncoder().Bytes(data)
		if err != nil {
			return err
		}
		data = enc
	}
	return os.WriteFile(path, data, 0o644)
}

// review: each side puts its lists to the other; RU answers UA's request
// late, with objections; UA answers with a new version.
func (d *demo) review(ctx context.Context) error {
	d.say("\n3. Review: answered row by row, and whose move it is")
	submit := func(party, listID string, version int) error {
		v, err := d.svc.ListVersion(ctx, d.ag.ID, listID, version)
		if err != nil {
			return err
		}
		body := exchange.ListSubmitted{List: v.ListID, Version: v.Version, Kind: string(v.Kind)}
		err = d.svc.ListRows(ctx, v, func(r tally.StoredRow) error {
			body.Rows = append(body.Rows, exchange.ListRow{Ref: r.Ref, Category: tally.Code(r.Row.Values[tally.FieldCategory])})
			return nil
		})
		if err != nil {
			return err
		}
		_, err = d.step(ctx, party, clerk(party), body)
		return err
	}
	answerAll := func(party, listID string, version int, objections map[string]exchange.Answer) error {
		p, err := d.state(ctx)
		if err != nil {
			return err
		}
		refs, err := p.Refs(listID)
		if err != nil {
			return err
		}
		body := exchange.ListAnswered{List: listID, Version: version}
		for _, ref := range refs {
			if o, ok := objections[ref]; ok {
				o.Ref = ref
				body.Answers = append(body.Answers, o)
			} else {
				body.Answers = append(body.Answers, exchange.Answer{Ref: ref, Accepted: true})
			}
		}
		_, err = d.step(ctx, party, clerk(party), body)
		return err
	}
	d.day(4, 15)
	for _, s := range []struct{ party, list string }{{"UA", "ua-request"}, {"RU", "ru-custody"}, {"RU", "ru-request"}, {"UA", "ua-custody"}} {
		if err := submit(s.party, s.list, 1); err != nil {
			return err
		}
	}
	d.day(5, 10)
	for _, s := range []struct{ party, list string }{{"UA", "ru-custody"}, {"UA", "ru-request"}, {"RU", "ua-custody"}} {
		if err := answerAll(s.party, s.list, 1, nil); err != nil {
			return err
		}
	}
	d.day(9, 12)
	if err := d.showMoves(ctx); err != nil {
		return err
	}
	// RU answers late: the men it says it does not hold, and the rows whose
	// birth year leaves eligibility unknown.
	d.day(11, 16)
	objections := map[string]exchange.Answer{}
	for _, ref := range d.missing {
		objections[ref] = exchange.Answer{Objection: exchange.ObjectionNotInCustody}
	}
	if err := answerAll("RU", "ua-request", 1, objections); err != nil {
		return err
	}
	d.say("   11 June: RU answers at last — %d rows \"not in custody\"; the rest accepted.", len(objections))
	// UA answers with a second version: the men RU says it does not hold
	// are set aside for the search for the missing.
	d.day(13, 10)
	var kept []tally.Row
	notHeld := map[string]bool{}
	for _, ref := range d.missing {
		notHeld[ref] = true
	}
	for _, r := range d.uaRequest {
		if !notHeld[r.Values[tally.FieldRef]] {
			kept = append(kept, r)
		}
	}
	cats := map[string][2]string{}
	for i := range kept {
		c, cond := category(&kept[i])
		cats[kept[i].Values[tally.FieldRef]] = [2]string{c, cond}
	}
	path := filepath.Join(d.dir, "ua-request-v2.csv")
	if err := writeList(path, kept, cats, false); err != nil {
		return err
	}
	v, _, err := d.importList(ctx, path, "UA", tally.KindRequest, "")
	if err != nil {
		return err
	}
	if err := submit("UA", "ua-request", v.Version); err != nil {
		return err
	}
	d.day(14, 11)
	if err := answerAll("RU", "ua-request", v.Version, nil); err != nil {
		return err
	}
	d.say("   13 June: UA answers with %s (%d rows); 14 June: RU accepts it.", v.Ref(), v.Rows)
	// The men RU says it does not hold go on UA's list of the missing.
	var missingRows []tally.Row
	for _, r := range d.uaRequest {
		if notHeld[r.Values[tally.FieldRef]] {
			missingRows = append(missingRows, r)
		}
	}
	path = filepath.Join(d.dir, "ua-missing.csv")
	if err := writeList(path, missingRows, cats, false); err != nil {
		return err
	}
	mv, _, err := d.importListNamed(ctx, path, "UA", tally.KindRequest, "missing")
	if err != nil {
		return err
	}
	if err := submit("UA", mv.ListID, mv.Version); err != nil {
		return err
	}
	d.day(14, 15)
	notInCustody := map[string]exchange.Answer{}
	for ref := range notHeld {
		notInCustody[ref] = exchange.Answer{Objection: exchange.ObjectionNotInCustody}
	}
	if err := answerAll("RU", mv.ListID, mv.Version, notInCustody); err != nil {
		return err
	}
	d.missingList = mv.ListID
	d.say("   UA puts the %d men RU does not hold on its list of the missing, %s.", mv.Rows, mv.Ref())
	return d.showMoves(ctx)
}

func clerk(party string) string {
	return map[string]string{"UA": "Clerk O. (UA)", "RU": "Clerk M. (RU)", "TR": "Clerk A. (TR)"}[party]
}

func (d *demo) showMoves(ctx context.Context) error {
	p, err := d.state(ctx)
	if err != nil {
		return err
	}
	d.say("   On %s:", d.clock.Format("2 January"))
	for _, l := range p.Lists() {
		d.say("     %-12s v%d  %4d rows, %4d accepted, %3d objected to — %s", l.List, l.Version, l.Rows, l.Accepted, l.Objections, l.Move())
	}
	return nil
}

// match reconciles each request list with the other side's custody list;
// the requesting side confirms the pairs matching is sure of, and a person
// looks at the others.
func (d *demo) match(ctx context.Context) error {
	d.say("\n4. Matching: the same men across Ukrainian, Russian and Latin spellings (15 June)")
	d.day(15, 10)
	link := func(request, custody string, truth map[string]string, party string) ([][2]string, error) {
		recs := func(listID string) ([]linkage.Record, error) {
			v, err := d.svc.ListVersion(ctx, d.ag.ID, listID, 0)
			if err != nil {
				return nil, err
			}
			var rs []linkage.Record
			err = d.svc.ListRows(ctx, v, func(r tally.StoredRow) error {
				rs = append(rs, linkage.FromRow(r.Ref, r.Row))
				return nil
			})
			return rs, err
		}
		left, err := recs(request)
		if err != nil {
			return nil, err
		}
		right, err := recs(custody)
		if err != nil {
			return nil, err
		}
		res, err := linkage.Link(left, right, linkage.Options{})
		if err != nil {
			return nil, err
		}
		var bodies []any
		var pairs [][2]string
		matches, reviews, rejected := 0, 0, 0
		for _, p := range res.Pairs {
			// A person looks at each pair sent for review; in the demo
			// they know the truth of the synthetic lists.
			if p.Decision == linkage.DecisionReview {
				reviews++
				if truth[p.Left] != p.Right {
					rejected++
					continue
				}
			} else {
				matches++
			}
			bodies = append(bodies, exchange.PairConfirmed{Request: exchange.PersonRef{List: request, Ref: p.Left}, Custody: exchange.PersonRef{List: custody, Ref: p.Right}})
			pairs = append(pairs, [2]string{p.Left, p.Right})
		}
		if _, err := d.step(ctx, party, clerk(party), bodies...); err != nil {
			return nil, err
		}
		d.say("   %s ~ %s: %d matched without review, %d looked at by a person (%d rejected); %d pairs confirmed by %s",
			request, custody, matches, reviews, rejected, len(pairs), party)
		if len(res.Pairs) > 0 {
			p := res.Pairs[0]
			d.say("     for instance %s ~ %s, score %.3f: %s", p.Left, p.Right, p.Score, explain(p.Fields))
		}
		return pairs, nil
	}
	var err error
	if d.pairsRU, err = link("ua-request", "ru-custody", d.truthUA, "UA"); err != nil {
		return err
	}
	d.pairsUA, err = link("ru-request", "ua-custody", d.truthRU, "RU")
	return err
}

// commission: the medical commission examines a few of the seriously
// wounded.
func (d *demo) commission(ctx context.Context) error {
	d.say("\n5. The medical commission (16 June)")
	d.day(16, 9)
	members := map[string]string{"UA": "Dr. Kovalenko (UA)", "RU": "Dr. Smirnova (RU)", "TR": "Dr. Demir (TR)"}
	for _, side := range []string{"UA", "RU", "TR"} {
		if _, err := d.step(ctx, side, members[side], exchange.MemberAppointed{Member: members[side], Side: side}); err != nil {
			return err
		}
	}
	examined := 0
	for _, pr := range d.pairsRU {
		if examined == 5 {
			break
		}
		r := findRow(d.uaRequest, pr[0])
		if c, _ := category(r); c != "seriously-wounded-ill" {
			continue
		}
		person := exchange.PersonRef{List: "ua-request", Ref: pr[0]}
		decision := exchange.Eligible
		if examined == 4 {
			decision = exchange.Reexamine
		}
		for _, side := range []string{"UA", "RU", "TR"} {
			if _, err := d.step(ctx, side, members[side], exchange.Vote{Person: person, Category: "seriously-wounded-ill", Decision: decision, Member: members[side]}); err != nil {
				return err
			}
		}
		if _, err := d.step(ctx, "TR", members["TR"], exchange.CommissionDecided{Person: person, Category: "seriously-wounded-ill", Decision: decision}); err != nil {
			return err
		}
		examined++
	}
	d.say("   three members, one from each side and one neutral; %d men examined, 4 found eligible, 1 sent back for re-examination", examined)
	return nil
}

func findRow(rows []tally.Row, ref string) *tally.Row {
	for i := range rows {
		if rows[i].Values[tally.FieldRef] == ref {
			return &rows[i]
		}
	}
	return &tally.Row{}
}

// round: the first exchange, 1000 for 1000 men of 18 to 25.
func (d *demo) round(ctx context.Context) error {
	d.say("\n6. Round 1: a thousand for a thousand (planned 18 June, held 20 June)")
	d.day(18, 10)
	manifest := func(pairs [][2]string, requests []tally.Row, custody string) []exchange.PersonRef {
		var ps []exchange.PersonRef
		for _, pr := range pairs {
			if c, _ := category(findRow(requests, pr[0])); c == "aged-18-25" && len(ps) < 1000 {
				ps = append(ps, exchange.PersonRef{List: custody, Ref: pr[1]})
			}
		}
		return ps
	}
	toUA := manifest(d.pairsRU, d.uaRequest, "ru-custody")
	toRU := manifest(d.pairsUA, d.ruRequest, "ua-custody")
	n := min(len(toUA), len(toRU))
	toUA, toRU = toUA[:n], toRU[:n]
	plan := exchange.RoundPlanned{Round: "1", Date: "2025-06-20", Manifests: []exchange.Manifest{
		{From: "RU", To: "UA", Category: "aged-18-25", Persons: toUA},
		{From: "UA", To: "RU", Category: "aged-18-25", Persons: toRU},
	}}
	// All-for-all: every confirmed man of the category not on the manifest
	// needs a recorded reason.
	onManifest := map[string]bool{}
	for _, p := range append(append([]exchange.PersonRef{}, toUA...), toRU...) {
		onManifest[p.List+":"+p.Ref] = true
	}
	addOmissions := func(pairs [][2]string, requests []tally.Row, custody, from string) {
		for _, pr := range pairs {
			if c, _ := category(findRow(requests, pr[0])); c == "aged-18-25" && !onManifest[custody+":"+pr[1]] {
				plan.Omissions = append(plan.Omissions, exchange.Omission{From: from, Category: "aged-18-25",
					Person: exchange.PersonRef{List: custody, Ref: pr[1]}, Reason: "round 2"})
			}
		}
	}
	addOmissions(d.pairsRU, d.uaRequest, "ru-custody", "RU")
	addOmissions(d.pairsUA, d.ruRequest, "ua-custody", "UA")
	if _, err := d.step(ctx, "TR", clerk("TR"), plan); err != nil {
		return err
	}
	d.day(19, 10)
	for _, side := range []string{"UA", "RU"} {
		if _, err := d.step(ctx, side, clerk(side), exchange.RoundApproved{Round: "1"}); err != nil {
			return err
		}
	}
	d.say("   the mediator plans %d men each way (%d more set aside for round 2); both sides approve on 19 June", n, len(plan.Omissions))
	d.day(20, 8)
	for _, side := range []struct {
		from    string
		persons []exchange.PersonRef
	}{{"RU", toUA}, {"UA", toRU}} {
		for i := 0; i < len(side.persons); i += 250 {
			var bodies []any
			for _, p := range side.persons[i:min(i+250, len(side.persons))] {
				bodies = append(bodies, exchange.HandedOver{Round: "1", Person: p})
			}
			if _, err := d.step(ctx, side.from, "Officer at the exchange point ("+side.from+")", bodies...); err != nil {
				return err
			}
		}
	}
	d.day(20, 14)
	disputed := map[string]int{"UA": 3, "RU": 1}
	for _, side := range []struct {
		to      string
		persons []exchange.PersonRef
	}{{"UA", toUA}, {"RU", toRU}} {
		for i := 0; i < len(side.persons); i += 250 {
			var bodies []any
			for j, p := range side.persons[i:min(i+250, len(side.persons))] {
				status, note := exchange.ReceivedIdentified, ""
				if i == 0 && j < disputed[side.to] {
					status, note = exchange.ReceivedDisputed, "documents do not match the face; to be checked by DNA"
				}
				bodies = append(bodies, exchange.Acknowledged{Round: "1", Person: p, Status: status, Note: note})
			}
			if _, err := d.step(ctx, side.to, "Officer at the exchange point ("+side.to+")", bodies...); err != nil {
				return err
			}
		}
	}
	p, err := d.state(ctx)
	if err != nil {
		return err
	}
	for _, r := range p.Rounds() {
		for _, m := range r.Manifests {
			d.say("   %s → %s: %d handed over, %d received and identified, %d received with identity disputed",
				m.From, m.To, m.HandedOver, m.Received, m.Disputed)
		}
	}
	return nil
}

// remains: the first stage, brought unilaterally: 1,212 announced, 1,200
// received.
func (d *demo) remains(ctx context.Context) error {
	d.say("\n7. Remains, stage 1 (21 June): 1,212 handed over, 1,200 received")
	d.day(21, 9)
	tags, _ := expandTags("T-0001:T-1212")
	if _, err := d.step(ctx, "RU", clerk("RU"), exchange.RemainsTransferred{Stage: "1", Category: "remains", From: "RU", To: "UA", Count: 1212, Tags: tags}); err != nil {
		return err
	}
	d.day(21, 18)
	if _, err := d.step(ctx, "UA", clerk("UA"), exchange.RemainsAcknowledged{Stage: "1", From: "RU", Count: 1200}); err != nil {
		return err
	}
	p, err := d.state(ctx)
	if err != nil {
		return err
	}
	for _, x := range p.Discrepancies() {
		d.say("   discrepancy %d opened by the record itself: RU says %d (entry %d, signed by RU), UA says %d (entry %d, signed by UA)",
			x.ID, x.Sent, x.SentEntry, x.Received, x.AckEntry)
	}
	d.day(23, 10)
	if _, err := d.step(ctx, "RU", clerk("RU"), exchange.DiscrepancyStatusSet{Discrepancy: 1, Status: exchange.Explained, Text: "12 bags held back at the crossing for paperwork"}); err != nil {
		return err
	}
	d.day(24, 10)
	if _, err := d.step(ctx, "UA", clerk("UA"), exchange.DiscrepancyStatusSet{Discrepancy: 1, Status: exchange.Disputed, Text: "no record of bags held back; the 12 tags are missing from the crossing log"}); err != nil {
		return err
	}
	// Identification takes weeks: the first results.
	d.day(30, 10)
	var bodies []any
	for i := 0; i < 40 && i < len(d.missing); i++ {
		m := exchange.PersonRef{List: d.missingList, Ref: d.missing[i]}
		bodies = append(bodies, exchange.RemainsIdentified{Stage: "1", From: "RU", Tag: tags[i], Result: exchange.Identified, Missing: &m, Method: "DNA"})
	}
	for i := 40; i < 50; i++ {
		bodies = append(bodies, exchange.RemainsIdentified{Stage: "1", From: "RU", Tag: tags[i], Result: exchange.Unidentified})
	}
	if _, err := d.step(ctx, "UA", "Forensic lab (UA)", bodies...); err != nil {
		return err
	}
	d.say("   RU explains, UA disputes: the discrepancy stays on the record with both figures and both signatures.")
	d.say("   30 June: %d identified by DNA as men on UA's list of the missing, 10 still unidentified.", min(40, len(d.missing)))
	return nil
}

// children: UA's verified list of deported children, case by case.
func (d *demo) children(ctx context.Context) error {
	d.say("\n8. Children: a verified list, worked through case by case")
	d.day(5, 12)
	rng := rand.New(rand.NewPCG(2, 6))
	surnames := []string{"Шевченко", "Коваленко", "Бондаренко", "Ткаченко", "Мельник", "Бойко", "Лисенко", "Руденко", "Савченко", "Петренко"}
	given := []string{"Марія", "Анна", "Софія", "Олександр", "Максим", "Дмитро", "Вікторія", "Іван", "Артем", "Поліна"}
	var b strings.Builder
	b.WriteString("№,Прізвище,Ім'я,Дата народження,Опікун\n")
	for i := 1; i <= 40; i++ {
		fmt.Fprintf(&b, "CH-%03d,%s,%s,%02d.%02d.%d,законний представник %d\n", i, surnames[rng.IntN(len(surnames))], given[rng.IntN(len(given))],
			1+rng.IntN(28), 1+rng.IntN(12), 2009+rng.IntN(14), i)
	}
	path := filepath.Join(d.dir, "ua-children.csv")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		return err
	}
	d.clock = time.Date(2025, 6, 2, 12, 0, 0, 0, time.UTC).AddDate(0, 0, 30) // 2 July
	v, rep, err := d.importList(ctx, path, "UA", tally.KindChildren, "children")
	if err != nil {
		return err
	}
	body := exchange.ListSubmitted{List: v.ListID, Version: v.Version, Kind: string(v.Kind)}
	for i := 1; i <= 40; i++ {
		body.Rows = append(body.Rows, exchange.ListRow{Ref: fmt.Sprintf("CH-%03d", i), Category: "children"})
	}
	if _, err := d.step(ctx, "UA", clerk("UA"), body); err != nil {
		return err
	}
	answers := exchange.ListAnswered{List: v.ListID, Version: v.Version}
	for i := 1; i <= 40; i++ {
		a := exchange.Answer{Ref: fmt.Sprintf("CH-%03d", i), Accepted: true}
		if i > 36 {
			a = exchange.Answer{Ref: a.Ref, Objection: exchange.ObjectionUnknownPerson}
		}
		answers.Answers = append(answers.Answers, a)
	}
	if _, err := d.step(ctx, "RU", clerk("RU"), answers); err != nil {
		return err
	}
	var opens []any
	for i := 1; i <= 36; i++ {
		opens = append(opens, exchange.ChildCaseOpened{Case: fmt.Sprintf("c%02d", i), Child: exchange.PersonRef{List: v.ListID, Ref: fmt.Sprintf("CH-%03d", i)}})
	}
	if _, err := d.step(ctx, "UA", clerk("UA"), opens...); err != nil {
		return err
	}
	// Each case moves as far as it has: the further along, the fewer.
	steps := []struct {
		step, by string
		cases    int
	}{
		{exchange.StepLocated, "TR", 24},
		{exchange.StepIdentityVerified, "RU", 18},
		{exchange.StepGuardianConsenting, "UA", 14},
		{exchange.StepReturnArranged, "TR", 11},
		{exchange.StepReturned, "TR", 9},
	}
	for k, s := range steps {
		d.clock = d.clock.AddDate(0, 0, 5+k)
		var bodies []any
		for i := 1; i <= s.cases; i++ {
			bodies = append(bodies, exchange.ChildCaseStep{Case: fmt.Sprintf("c%02d", i), Step: s.step})
		}
		if _, err := d.step(ctx, s.by, clerk(s.by), bodies...); err != nil {
			return err
		}
	}
	if _, err := d.step(ctx, "TR", clerk("TR"), exchange.ChildCaseStep{Case: "c36", Step: exchange.StepNotFound, Reason: "no trace at the address given"}); err != nil {
		return err
	}
	d.say("   %s: %d children; RU accepts 36 and does not know 4; 36 cases opened, 24 located, 9 returned, 1 not found (%s)",
		v.Ref(), v.Rows, verdict(rep))
	return nil
}

// finish publishes, prints the public report and verifies the record.
func (d *demo) finish(ctx context.Context) error {
	if err := d.svc.PublishAndCosign(ctx); err != nil {
		return err
	}
	d.done()
	d.done = nil
	d.say("\n9. The public report: counts only, tied to a checkpoint anyone can check")
	pr, ag, err := d.a.computeReport(ctx, d.ag.ID)
	if err != nil {
		return err
	}
	if err := reportTextTo(d.out, ag, pr); err != nil {
		return err
	}
	out := filepath.Join(d.dir, "record")
	svc, done, err := d.a.service(ctx)
	if err != nil {
		return err
	}
	defer done()
	if err := svc.ExportLog(ctx, ledger.DirWriter(out)); err != nil {
		return err
	}
	rep, err := ledger.Verify(os.DirFS(out), ledger.VerifyOptions{})
	if err != nil {
		return fmt.Errorf("the record does not verify: %w", err)
	}
	d.say("\n10. The record, exported and verified offline: %d entries signed by %s, root %s, cosigned by %s",
		rep.Size, strings.Join(sortedKeys(partyCounts(rep.Parties)), ", "), rep.RootHash, strings.Join(rep.Cosigners, " and "))
	d.say("\nDone in %.1f s. Go on from here:", time.Since(d.started).Seconds())
	d.say("  tally --db %s report --json", d.a.db)
	d.say("  tally --db %s review status", d.a.db)
	d.say("  tally --db %s round status", d.a.db)
	d.say("  tally log verify %s", out)
	d.say("  tally --db %s list show ru-custody --original --identity %s", d.a.db, filepath.Join(d.dir, "keys", "tally-party-UA.agekey"))
	d.say("and serve it, with an account for UA's clerk:")
	d.say("  echo 'a long passphrase' | tally --db %s users add --org UA --kind party --name 'Clerk O.' --login clerk-ua --role clerk --password-stdin", d.a.db)
	d.say("  tally --db %s serve --addr 127.0.0.1:8080", d.a.db)
	return nil
}

func partyCounts(m map[string]int64) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		out[k] = fmt.Sprint(v)
	}
	return out
}
