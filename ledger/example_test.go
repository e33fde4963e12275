package ledger_test

import (
	"fmt"
	"testing/fstest"
	"time"

	"tally/ledger"
)

type mapWriter fstest.MapFS

func (m mapWriter) WriteFile(name string, data []byte) error {
	m[name] = &fstest.MapFile{Data: data}
	return nil
}

// The life of one entry: UA submits a list version, the log appends it,
// signs a checkpoint, UA's witness cosigns it, UA gets a receipt, and
// anyone can verify the export.
func Example() {
	must := func(err error) {
		if err != nil {
			panic(err)
		}
	}
	logSkey, logVkey, err := ledger.GenerateRoleKey(ledger.RoleLog, "TR")
	must(err)
	uaSkey, uaVkey, err := ledger.GenerateRoleKey(ledger.RoleParty, "UA")
	must(err)
	witSkey, witVkey, err := ledger.GenerateRoleKey(ledger.RoleWitness, "UA")
	must(err)
	keys := ledger.Keys{Log: logVkey, Parties: map[string]string{"UA": uaVkey}, Witnesses: []string{witVkey}}

	logSigner, err := ledger.NewSigner(logSkey)
	must(err)
	log, err := ledger.NewLog(ledger.Config{Keys: keys, Signer: logSigner})
	must(err)
	witness, err := ledger.NewWitness(witSkey, logVkey)
	must(err)

	// UA, holding its key, makes and signs its first entry.
	payload := []byte("UA's list, version 1")
	salt := ledger.NewSalt()
	e, err := log.NextEntry(ledger.KindListVersion, "UA", ledger.Commit(salt, payload), time.Now())
	must(err)
	ua, err := ledger.NewSigner(uaSkey)
	must(err)
	signed, err := e.Sign(ua)
	must(err)

	// The log appends it, publishes, and the witness cosigns.
	i, err := log.Append(signed)
	must(err)
	cp, err := log.Publish()
	must(err)
	size, err := log.Size()
	must(err)
	proof, err := log.ConsistencyProof(witness.Size(), size)
	must(err)
	cosigned, err := witness.Cosign(cp, proof)
	must(err)
	must(log.AddCosignatures(cosigned))

	// UA's receipt, and a proof it may show anyone, payload included.
	r, err := log.Receipt(i)
	must(err)
	p := &ledger.Proof{Receipt: *r, Salt: salt, Payload: payload}
	entry, c, err := ledger.VerifyProof(p, keys, 0)
	must(err)
	fmt.Printf("entry %d by %s (seq %d) in checkpoint of size %d, cosigned by %v\n", i, entry.Party, entry.Seq, c.Size, c.Cosigners)

	// The export verifies with nothing but its files.
	fsys := fstest.MapFS{}
	must(ledger.Export(mapWriter(fsys), log))
	rep, err := ledger.Verify(fsys, ledger.VerifyOptions{Keys: &keys})
	must(err)
	fmt.Printf("%s: %d entries verified, parties %v\n", rep.Origin, rep.Size, rep.Parties)
	// Output:
	// entry 0 by UA (seq 1) in checkpoint of size 1, cosigned by [tally-witness-UA]
	// tally-log-TR: 1 entries verified, parties map[UA:1]
}
