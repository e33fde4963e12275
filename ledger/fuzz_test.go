package ledger

import (
	"bytes"
	"reflect"
	"testing"
	"testing/fstest"
)

func FuzzDecodeEntry(f *testing.F) {
	fx := newFixture(f)
	b, _ := fx.entry("UA", []byte("p"), nil)
	f.Add(b)
	fx.append("UA")
	b, _ = fx.entry("UA", []byte("q"), nil)
	f.Add(b)
	f.Add([]byte("tally/entry/v1\n\n— x AAAAAAAA\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		e, err := DecodeEntry(b)
		if err != nil {
			return
		}
		again, err := e.Encode()
		if err != nil || !bytes.Equal(again, b) {
			t.Fatalf("Encode(DecodeEntry(b)) = %q, %v; b = %q", again, err, b)
		}
		e2, err := DecodeEntry(again)
		if err != nil || !reflect.DeepEqual(e, e2) {
			t.Fatalf("decode(encode(e)) = %+v, %v; e = %+v", e2, err, e)
		}
		verifyEntrySig(b, e, fxVerifiers(t, fx)) // must not panic
	})
}

func fxVerifiers(t *testing.T, fx *fixture) *verifiers {
	v, err := fx.keys.verifiers()
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func receiptSeeds(f *testing.F) (*fixture, []*Proof) {
	fx := newFixture(f)
	fx.grow(9, 4)
	var out []*Proof
	for _, i := range []int64{0, 5, 8} {
		r, err := fx.log.Receipt(i)
		if err != nil {
			f.Fatal(err)
		}
		out = append(out, &Proof{Receipt: *r}, &Proof{Receipt: *r, Salt: fx.salts[i], Payload: fx.payloads[i]})
	}
	return fx, out
}

func FuzzDecodeReceipt(f *testing.F) {
	fx, seeds := receiptSeeds(f)
	for _, p := range seeds {
		f.Add(p.Receipt.Encode())
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := DecodeReceipt(b)
		if err != nil {
			return
		}
		if again := r.Encode(); !bytes.Equal(again, b) {
			t.Fatalf("Encode(DecodeReceipt(b)) = %q; b = %q", again, b)
		}
		VerifyReceipt(r, fx.keys, 0) // must not panic
	})
}

func FuzzDecodeProof(f *testing.F) {
	fx, seeds := receiptSeeds(f)
	for _, p := range seeds {
		f.Add(p.Encode())
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := DecodeProof(b)
		if err != nil {
			return
		}
		if again := p.Encode(); !bytes.Equal(again, b) {
			t.Fatalf("Encode(DecodeProof(b)) = %q; b = %q", again, b)
		}
		p2, err := DecodeProof(p.Encode())
		if err != nil || !reflect.DeepEqual(p, p2) {
			t.Fatalf("decode(encode(p)) differs: %v", err)
		}
		VerifyProof(p, fx.keys, 0) // must not panic
	})
}

func FuzzOpenCheckpoint(f *testing.F) {
	fx := newFixture(f)
	fx.grow(3, 3)
	for _, cp := range fx.checkpoints() {
		f.Add(cp)
	}
	f.Add([]byte("tally-log-TR\n1\nAAAA\ntime x\n\n— tally-log-TR AAAAAAAA\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := OpenCheckpoint(b, fx.keys)
		if err != nil {
			return
		}
		if c.Origin != "tally-log-TR" || !bytes.HasPrefix(b, c.Text()) {
			t.Fatalf("opened checkpoint %+v from %q", c, b)
		}
		CheckCosignatures(c, fx.keys, 0)
	})
}

func FuzzKeys(f *testing.F) {
	fx := newFixture(f)
	f.Add(fx.keys.Log, fx.keys.Parties["UA"], fx.keys.Witnesses[0])
	f.Fuzz(func(t *testing.T, log, party, witness string) {
		k := Keys{Log: log, Parties: map[string]string{"UA": party}, Witnesses: []string{witness}}
		if v, err := k.verifiers(); err == nil && v.origin != k.Origin() {
			t.Fatalf("origin %q, key name %q", k.Origin(), v.origin)
		}
	})
}

// FuzzVerifyBundle puts arbitrary bytes in place of an entry bundle: Verify
// must never panic, and must accept only the original bundle.
func FuzzVerifyBundle(f *testing.F) {
	fx := newFixture(f)
	fx.grow(5, 5)
	fsys := fx.export()
	const p = "tile/entries/000.p/5"
	orig := fsys[p].Data
	f.Add(orig)
	f.Add(orig[:len(orig)-1])
	f.Fuzz(func(t *testing.T, b []byte) {
		m := fstest.MapFS{}
		for k, v := range fsys {
			m[k] = v
		}
		m[p] = &fstest.MapFile{Data: b}
		if _, err := Verify(m, VerifyOptions{Keys: &fx.keys, Workers: 1}); err == nil && !bytes.Equal(b, orig) {
			t.Fatalf("Verify accepted another bundle: %q", b)
		}
	})
}
