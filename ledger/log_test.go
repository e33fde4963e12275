package ledger

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"filippo.io/age"
	"golang.org/x/mod/sumdb/note"
)

func TestEntryRoundTrip(t *testing.T) {
	f := newFixture(t)
	b, _ := f.entry("UA", []byte("payload"), nil)
	e, err := DecodeEntry(b)
	if err != nil {
		t.Fatal(err)
	}
	again, err := e.Encode()
	if err != nil || !bytes.Equal(again, b) {
		t.Fatalf("Encode(Decode(b)) = %q, %v; want %q", again, err, b)
	}
	if e.Party != "UA" || e.Seq != 1 || e.Prev != (Hash{}) || e.Kind != KindListVersion {
		t.Fatalf("decoded %+v", e)
	}
	text, _ := e.Text()
	if !strings.HasPrefix(string(b), string(text)+"\n— tally-party-UA ") {
		t.Fatalf("encoding is not the signed note of the text:\n%s", b)
	}
	for name, bad := range map[string]string{
		"leading zero in seq": strings.Replace(string(b), "seq 1\n", "seq 01\n", 1),
		"no signature":        string(text),
		"two signatures":      string(b) + "— tally-party-RU AAAAAAAA\n",
		"extra line":          strings.Replace(string(b), "kind ", "note hello\nkind ", 1),
		"bad kind":            strings.Replace(string(b), "kind list-version", "kind List", 1),
		"bad time":            strings.Replace(string(b), ".000Z", "Z", 1),
	} {
		if _, err := DecodeEntry([]byte(bad)); err == nil {
			t.Errorf("%s: decoded", name)
		}
	}
}

func TestEntrySignRefusesOtherKey(t *testing.T) {
	f := newFixture(t)
	e := &Entry{Kind: KindListVersion, Party: "UA", Seq: 1, Time: NormalTime(start), Checkpoint: f.latest().Ref()}
	if _, err := e.Sign(f.party["RU"]); err == nil {
		t.Fatal("RU's key signed for UA")
	}
	if _, err := e.Sign(f.logSigner); err == nil {
		t.Fatal("the log's key signed for UA")
	}
}

func TestKeys(t *testing.T) {
	f := newFixture(t)
	_, other := mustKey(t, RoleParty, "UA")
	for name, k := range map[string]Keys{
		"log key as a party's":  {Log: f.keys.Log, Parties: map[string]string{"UA": f.keys.Log}},
		"RU's key as UA's":      {Log: f.keys.Log, Parties: map[string]string{"UA": f.keys.Parties["RU"]}},
		"party key as the log":  {Log: f.keys.Parties["UA"]},
		"party key as witness":  {Log: f.keys.Log, Witnesses: []string{f.keys.Parties["UA"]}},
		"one key in two roles":  {Log: f.keys.Log, Parties: map[string]string{"UA": other, "RU": f.keys.Parties["RU"]}, Witnesses: []string{f.keys.Witnesses[0], f.keys.Witnesses[0]}},
		"bad party code":        {Log: f.keys.Log, Parties: map[string]string{"U A": f.keys.Parties["UA"]}},
		"witness in plain form": {Log: f.keys.Log, Witnesses: []string{plainForm(t)}},
	} {
		if _, err := k.verifiers(); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := f.keys.verifiers(); err != nil {
		t.Fatal(err)
	}
	if got := f.keys.Origin(); got != "tally-log-TR" {
		t.Fatalf("origin %q", got)
	}
}

func plainForm(t *testing.T) string {
	_, v, err := GenerateKey("tally-witness-X")
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestWriteKeyFiles(t *testing.T) {
	dir := t.TempDir()
	skf, vkf, err := WriteKeyFiles(dir, RoleParty, "UA")
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Base(skf) != "tally-party-UA.key" || filepath.Base(vkf) != "tally-party-UA.vkey" {
		t.Fatalf("files %s %s", skf, vkf)
	}
	st, err := os.Stat(skf)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("private key mode %v, %v", st.Mode(), err)
	}
	skey, _ := os.ReadFile(skf)
	vkey, _ := os.ReadFile(vkf)
	s, err := NewSigner(string(skey))
	if err != nil {
		t.Fatal(err)
	}
	v, err := note.NewVerifier(strings.TrimSpace(string(vkey)))
	if err != nil || v.Name() != s.Name() || v.KeyHash() != s.KeyHash() {
		t.Fatalf("vkey does not match skey: %v", err)
	}
	if _, _, err := WriteKeyFiles(dir, RoleParty, "UA"); err == nil {
		t.Fatal("overwrote existing key files")
	}
	if again, _ := os.ReadFile(skf); !bytes.Equal(again, skey) {
		t.Fatal("private key changed")
	}
	if _, _, err := WriteKeyFiles(dir, RoleParty, "U/A"); err == nil {
		t.Fatal("accepted a party code with a slash")
	}
	_, wv, err := WriteKeyFiles(dir, RoleWitness, "UA")
	if err != nil {
		t.Fatal(err)
	}
	wk, _ := os.ReadFile(wv)
	if _, err := (Keys{Log: f0(t), Witnesses: []string{string(wk)}}).verifiers(); err != nil {
		t.Fatalf("witness vkey file is not a cosignature key: %v", err)
	}
}

func f0(t *testing.T) string { _, v := mustKey(t, RoleLog, "TR"); return v }

// TestAppendRejects covers every rule of Log.Append.
func TestAppendRejects(t *testing.T) {
	f := newFixture(t)
	f.append("UA")
	f.append("RU")
	f.publish()
	forgedSkey, _ := mustKey(t, RoleParty, "UA")
	seq, last := f.chain("UA")
	base := func() *Entry {
		return &Entry{Kind: KindAcknowledgement, Party: "UA", Seq: seq + 1, Prev: last,
			Commitment: Commit(NewSalt(), []byte("x")), Time: NormalTime(f.clock.Add(time.Second)), Checkpoint: f.latest().Ref()}
	}
	cases := []struct {
		name   string
		mod    func(e *Entry)
		signer note.Signer
		want   string
	}{
		{"RU's key signs for UA", nil, f.party["RU"], "does not verify under UA's key"},
		{"the mediator's key signs for UA", nil, f.logSigner, "does not verify under UA's key"},
		{"an unregistered key named for UA", nil, mustSigner(t, forgedSkey), "does not verify under UA's key"},
		{"unregistered party", func(e *Entry) { e.Party = "XX" }, nil, "no registered key"},
		{"seq skipped", func(e *Entry) { e.Seq++ }, nil, "seq"},
		{"seq replayed", func(e *Entry) { e.Seq--; e.Prev = Hash{} }, nil, "seq"},
		{"wrong prev", func(e *Entry) { e.Prev[0] ^= 1 }, nil, "prev"},
		{"unknown checkpoint", func(e *Entry) { e.Checkpoint.Hash[0] ^= 1 }, nil, "has not signed"},
		{"future checkpoint", func(e *Entry) { e.Checkpoint.Size = 99 }, nil, "has not signed"},
		{"back-dated before its checkpoint", func(e *Entry) { e.Time = f.latest().Time.Add(-time.Millisecond) }, nil, "before the checkpoint it cites"},
		{"dated ahead of the clock", func(e *Entry) { e.Time = NormalTime(f.clock.Add(time.Hour)) }, nil, "ahead of the log's clock"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := base()
			if c.mod != nil {
				c.mod(e)
			}
			s := c.signer
			if s == nil {
				s = f.party[e.Party]
				if s == nil {
					s = f.party["UA"]
				}
			}
			b, err := signEntryAnyKey(e, s)
			if err != nil {
				t.Fatal(err)
			}
			_, err = f.log.Append(b)
			if err == nil || !errors.Is(err, ErrRejected) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("Append: %v; want rejection containing %q", err, c.want)
			}
		})
	}
	// Dated before the party's previous entry, citing an older checkpoint.
	f.append("UA")
	seq, last = f.chain("UA")
	e := &Entry{Kind: KindAcknowledgement, Party: "UA", Seq: seq + 1, Prev: last, Time: f.latest().Time, Checkpoint: f.latest().Ref()}
	b, _ := e.Sign(f.party["UA"])
	if _, err := f.log.Append(b); err == nil || !strings.Contains(err.Error(), "before the party's previous entry") {
		t.Fatalf("Append: %v", err)
	}
	if f.size() != 3 {
		t.Fatalf("size %d after rejections", f.size())
	}
}

func TestReceipt(t *testing.T) {
	f := newFixture(t)
	f.grow(37, 10)
	for _, i := range []int64{0, 1, 17, 36} {
		r, err := f.log.Receipt(i)
		if err != nil {
			t.Fatal(err)
		}
		back, err := DecodeReceipt(r.Encode())
		if err != nil {
			t.Fatal(err)
		}
		e, c, err := VerifyReceipt(back, f.keys, 0)
		if err != nil {
			t.Fatal(err)
		}
		if c.Size != 37 || len(c.Cosigners) != 2 || e.Party != []string{"UA", "RU"}[i%2] {
			t.Fatalf("receipt %d: checkpoint %+v entry %+v", i, c, e)
		}
		// Any one flipped bit of the encoding is refused.
		enc := r.Encode()
		for bit := 0; bit < len(enc)*8; bit += 7 {
			bad := bytes.Clone(enc)
			bad[bit/8] ^= 1 << (bit % 8)
			if br, err := DecodeReceipt(bad); err == nil {
				if _, _, err := VerifyReceipt(br, f.keys, 0); err == nil {
					t.Fatalf("receipt %d with bit %d flipped verifies", i, bit)
				}
			}
		}
	}
	// Without the witnesses' cosignatures there is no receipt.
	f.append("UA")
	if _, err := f.log.Publish(); err != nil {
		t.Fatal(err)
	}
	if _, err := f.log.Receipt(37); err == nil || !strings.Contains(err.Error(), "missing cosignature") {
		t.Fatalf("Receipt before cosigning: %v", err)
	}
	// An older entry's receipt falls back to the latest cosigned checkpoint.
	if r, err := f.log.Receipt(36); err != nil {
		t.Fatal(err)
	} else if _, c, _ := VerifyReceipt(r, f.keys, 0); c == nil || c.Size != 37 {
		t.Fatalf("receipt of 36 in %+v", c)
	}
}

func TestProofDisclosure(t *testing.T) {
	f := newFixture(t)
	f.grow(20, 5)
	i := int64(7)
	r, err := f.log.Receipt(i)
	if err != nil {
		t.Fatal(err)
	}
	p := &Proof{Receipt: *r, Salt: f.salts[i], Payload: f.payloads[i]}
	enc := p.Encode()
	back, err := DecodeProof(enc)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := VerifyProof(back, f.keys, 0); err != nil {
		t.Fatal(err)
	}
	// A payload byte changed.
	back.Payload[3] ^= 0x20
	if _, _, err := VerifyProof(back, f.keys, 0); err == nil || !strings.Contains(err.Error(), "entry 7: the payload does not match the entry's commitment") {
		t.Fatalf("changed payload: %v", err)
	}
	// Without disclosure it still proves inclusion.
	hidden := &Proof{Receipt: *r}
	if back, err := DecodeProof(hidden.Encode()); err != nil || back.Salt != nil {
		t.Fatalf("undisclosed proof: %v", err)
	} else if _, _, err := VerifyProof(back, f.keys, 0); err != nil {
		t.Fatal(err)
	}
	// Another party's key set does not verify it.
	other := newFixture(t)
	if _, _, err := VerifyProof(p, other.keys, 0); err == nil {
		t.Fatal("verified under another log's keys")
	}
}

func TestWitnessRefusesFork(t *testing.T) {
	f := newFixture(t)
	f.grow(10, 10)
	// A second log with the same keys and other entries: a fork.
	g := *f
	g.log = f.newLog()
	g.witnesses = nil
	g.grow(12, 12)
	cp, _ := g.checkpoint(12)
	proof, _ := g.log.ConsistencyProof(10, 12)
	if _, err := f.witnesses[0].Cosign(cp, proof); err == nil || !strings.Contains(err.Error(), "does not extend") {
		t.Fatalf("witness cosigned a fork: %v", err)
	}
	old, _ := f.checkpoint(0)
	if _, err := f.witnesses[0].Cosign(old, nil); err == nil {
		t.Fatal("witness cosigned an older checkpoint")
	}
}

func TestPayloadEncryption(t *testing.T) {
	ua, _ := age.GenerateX25519Identity()
	ru, _ := age.GenerateX25519Identity()
	tr, _ := age.GenerateX25519Identity()
	rs, err := ParseRecipients(ua.Recipient().String(), tr.Recipient().String())
	if err != nil {
		t.Fatal(err)
	}
	payload := []byte("Іваненко Петро, 1999")
	ct, err := EncryptPayload(payload, rs...)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []*age.X25519Identity{ua, tr} {
		got, err := DecryptPayload(ct, id)
		if err != nil || !bytes.Equal(got, payload) {
			t.Fatalf("decrypt: %q, %v", got, err)
		}
	}
	if _, err := DecryptPayload(ct, ru); err == nil {
		t.Fatal("a party not entitled decrypted the payload")
	}
	if _, err := EncryptPayload(payload); err == nil {
		t.Fatal("encrypted to nobody")
	}
	if _, err := ParseRecipients("age1nonsense"); err == nil {
		t.Fatal("parsed a bad recipient")
	}
}
