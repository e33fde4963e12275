package ledger

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

// run is the outcome of a scripted run of a log.
type run struct {
	checkpoints [][]byte
	receipts    [][]byte
	entries     [][]byte
	export      fstest.MapFS
}

// script runs the same appends, publications, cosignatures and receipts
// over logs that open returns for every operation, with a clock of its own
// and the fixture's keys; everything signed is deterministic.
func script(t *testing.T, f *fixture, open func(cfg Config) *Log) run {
	t.Helper()
	clock := start
	cfg := Config{Keys: f.keys, Signer: f.logSigner, Now: func() time.Time { clock = clock.Add(time.Second); return clock }}
	witnesses := f.newWitnesses()
	var out run
	publish := func() {
		cp, err := open(cfg).Publish()
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range witnesses {
			l := open(cfg)
			n, err := l.Size()
			if err != nil {
				t.Fatal(err)
			}
			proof, err := l.ConsistencyProof(w.Size(), n)
			if err != nil {
				t.Fatal(err)
			}
			co, err := w.Cosign(cp, proof)
			if err != nil {
				t.Fatal(err)
			}
			if err := open(cfg).AddCosignatures(co); err != nil {
				t.Fatal(err)
			}
		}
	}
	publish()
	for i := int64(0); i < 120; i++ {
		party := []string{"UA", "RU", "UA"}[i%3]
		payload := fmt.Appendf(nil, "%s list %d", party, i)
		e, err := open(cfg).NextEntry(KindListVersion, party, Commit(payload, payload), clock)
		if err != nil {
			t.Fatal(err)
		}
		b, err := e.Sign(f.party[party])
		if err != nil {
			t.Fatal(err)
		}
		if got, err := open(cfg).Append(b); err != nil || got != i {
			t.Fatalf("Append %d: %d, %v", i, got, err)
		}
		if i%17 == 16 {
			publish()
		}
		if i%13 == 12 {
			if _, err := open(cfg).Publish(); err != nil { // not cosigned
				t.Fatal(err)
			}
		}
		if i%10 == 9 {
			for k := int64(0); k <= i; k += 3 {
				r, err := open(cfg).Receipt(k)
				if err != nil {
					out.receipts = append(out.receipts, []byte(err.Error()))
				} else {
					out.receipts = append(out.receipts, r.Encode())
				}
			}
		}
	}
	publish()
	l := open(cfg)
	var err error
	if out.checkpoints, err = l.Checkpoints(); err != nil {
		t.Fatal(err)
	}
	if out.entries, err = l.ReadEntries(0, 120); err != nil {
		t.Fatal(err)
	}
	out.export = fstest.MapFS{}
	if err := Export(mapWriter(out.export), open(cfg)); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestFreshLogPerOperation checks that a Log opened over its State for
// every operation does exactly what one long-lived Log does.
func TestFreshLogPerOperation(t *testing.T) {
	f := newFixture(t)
	var long *Log
	a := script(t, f, func(cfg Config) *Log {
		if long == nil {
			var err error
			if long, err = NewLog(cfg); err != nil {
				t.Fatal(err)
			}
		}
		return long
	})
	st := NewMemState()
	opened := 0
	b := script(t, f, func(cfg Config) *Log {
		l, err := OpenLog(cfg, st)
		if err != nil {
			t.Fatal(err)
		}
		opened++
		return l
	})
	if opened < 200 {
		t.Fatalf("opened only %d logs", opened)
	}
	same := func(what string, x, y [][]byte) {
		t.Helper()
		if len(x) != len(y) {
			t.Fatalf("%s: %d and %d", what, len(x), len(y))
		}
		for k := range x {
			if !bytes.Equal(cosigners(x[k]), cosigners(y[k])) {
				t.Fatalf("%s %d differ:\n%s\n%s", what, k, x[k], y[k])
			}
		}
	}
	if !bytes.Contains(cosigners(a.checkpoints[0]), []byte("— tally-witness-UA (cosigned)\n")) {
		t.Fatalf("cosignatures not found in %s", a.checkpoints[0])
	}
	same("checkpoints", a.checkpoints, b.checkpoints)
	same("receipts", a.receipts, b.receipts)
	same("entries", a.entries, b.entries)
	if len(a.checkpoints) < 10 || len(a.receipts) < 100 {
		t.Fatalf("%d checkpoints, %d receipts", len(a.checkpoints), len(a.receipts))
	}
	failed := 0
	for _, r := range a.receipts {
		if _, err := DecodeReceipt(r); err != nil {
			failed++
		}
	}
	if failed == len(a.receipts) {
		t.Fatal("no receipt was given")
	}
	if len(a.export) != len(b.export) {
		t.Fatalf("exports of %d and %d files", len(a.export), len(b.export))
	}
	for name, file := range a.export {
		if b.export[name] == nil || !bytes.Equal(cosigners(file.Data), cosigners(b.export[name].Data)) {
			t.Fatalf("exports differ in %s", name)
		}
	}
	if _, err := Verify(b.export, VerifyOptions{Keys: &f.keys}); err != nil {
		t.Fatal(err)
	}
}

// cosigners replaces each witness's cosignature in b by the witness's
// name: a cosignature holds the time it was made (cosignature/v1), in
// seconds of the real clock, which differs from one run to another.
func cosigners(b []byte) []byte {
	lines := bytes.SplitAfter(b, []byte("\n"))
	for k, l := range lines {
		if name, ok := bytes.CutPrefix(l, []byte("— "+WitnessKeyPrefix)); ok {
			name, _, _ = bytes.Cut(name, []byte(" "))
			lines[k] = fmt.Appendf(nil, "— %s%s (cosigned)\n", WitnessKeyPrefix, name)
		}
	}
	return bytes.Join(lines, nil)
}

func TestAppendRetry(t *testing.T) {
	f := newFixture(t)
	f.append("RU")
	b, _ := f.entry("UA", []byte("UA's list"), nil)
	i, err := f.log.Append(b)
	if err != nil {
		t.Fatal(err)
	}
	f.append("UA")
	f.append("RU")
	f.publish()
	// The same entry again, by the same Log or another over the same
	// State: its index, and nothing appended.
	again, err := OpenLog(f.log.cfg, f.log.State())
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range []*Log{f.log, again} {
		if got, err := l.Append(bytes.Clone(b)); err != nil || got != i {
			t.Fatalf("retried Append: %d, %v; want %d, nil", got, err, i)
		}
	}
	if n := f.size(); n != 4 {
		t.Fatalf("size %d after retries; want 4", n)
	}
	// Another entry with the same party and seq is refused.
	e, err := DecodeEntry(b)
	if err != nil {
		t.Fatal(err)
	}
	e.Commitment = Commit(NewSalt(), []byte("another list"))
	other, err := e.Sign(f.party["UA"])
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.log.Append(other); !errors.Is(err, ErrRejected) || !strings.Contains(err.Error(), "party UA already has entry 1, with other contents") {
		t.Fatalf("Append of another entry 1 of UA: %v", err)
	}
	// A retry with a bad signature is still refused for its signature.
	forged, err := signEntryAnyKey(e, f.party["RU"])
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.log.Append(forged); !errors.Is(err, ErrRejected) || !strings.Contains(err.Error(), "does not verify under UA's key") {
		t.Fatalf("Append of a forged entry 1 of UA: %v", err)
	}
	if n := f.size(); n != 4 {
		t.Fatalf("size %d after rejections; want 4", n)
	}
}

func TestLogWithoutSigner(t *testing.T) {
	f := newFixture(t)
	f.grow(5, 5)
	cfg := Config{Keys: f.keys, Now: f.now}
	// Not over a log that was never initialised.
	if _, err := OpenLog(cfg, NewMemState()); err == nil || !strings.Contains(err.Error(), "not initialised") {
		t.Fatalf("OpenLog without signer over an empty State: %v", err)
	}
	// Not with a key that is not the log's.
	if _, err := OpenLog(Config{Keys: f.keys, Signer: f.party["UA"]}, f.log.State()); err == nil || !strings.Contains(err.Error(), "not the registered log key") {
		t.Fatalf("OpenLog with UA's key as the log's: %v", err)
	}
	l, err := OpenLog(cfg, f.log.State())
	if err != nil {
		t.Fatal(err)
	}
	e, err := l.NextEntry(KindAcknowledgement, "RU", Commit(NewSalt(), []byte("ack")), f.now())
	if err != nil {
		t.Fatal(err)
	}
	b, err := e.Sign(f.party["RU"])
	if err != nil {
		t.Fatal(err)
	}
	i, err := l.Append(b)
	if err != nil || i != 5 {
		t.Fatalf("Append without the log's key: %d, %v", i, err)
	}
	if _, err := l.Publish(); err == nil || err.Error() != "ledger: publishing needs the log's key" {
		t.Fatalf("Publish without the log's key: %v", err)
	}
	// The mediator publishes; the parties' Log gives the receipt.
	f.publish()
	r, err := l.Receipt(i)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := VerifyReceipt(r, f.keys, 0); err != nil {
		t.Fatal(err)
	}
}

func TestNextEntry(t *testing.T) {
	f := newFixture(t)
	f.append("UA")
	f.publish()
	cp := f.latest()
	// Dated now, but never before the checkpoint it cites or the party's last entry.
	for _, c := range []struct {
		now, want time.Time
	}{
		{cp.Time.Add(time.Minute + 1500*time.Microsecond), cp.Time.Add(time.Minute + time.Millisecond)},
		{cp.Time.Add(-time.Hour), cp.Time},
	} {
		e, err := f.log.NextEntry(KindListVersion, "UA", Hash{9}, c.now)
		if err != nil {
			t.Fatal(err)
		}
		seq, last := f.chain("UA")
		if e.Seq != seq+1 || e.Prev != last || e.Checkpoint != cp.Ref() || !e.Time.Equal(c.want) || e.Commitment != (Hash{9}) {
			t.Fatalf("NextEntry(now %v) = %+v", c.now, e)
		}
	}
	if _, err := f.log.NextEntry(KindListVersion, "XX", Hash{}, start); err == nil {
		t.Fatal("NextEntry for an unregistered party")
	}
	// The party's last entry, dated after the checkpoint, bounds the next.
	e, _ := f.log.NextEntry(KindListVersion, "RU", Hash{1}, f.clock.Add(time.Hour))
	b, _ := e.Sign(f.party["RU"])
	f.log.cfg.MaxSkew = 2 * time.Hour
	if _, err := f.log.Append(b); err != nil {
		t.Fatal(err)
	}
	next, err := f.log.NextEntry(KindListVersion, "RU", Hash{2}, f.clock)
	if err != nil {
		t.Fatal(err)
	}
	if !next.Time.Equal(e.Time) {
		t.Fatalf("next entry dated %v, before the party's last (%v)", next.Time, e.Time)
	}
}
