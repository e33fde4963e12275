package witness_test

import (
	"testing"

	"tally/witness"
)

// BenchmarkCosign measures one checkpoint cosigned by two witnesses on
// loopback, each writing and syncing its state file: the witnesses' part
// of submit → receipt.
func BenchmarkCosign(b *testing.B) {
	f := newFixture(b)
	a := f.newLog()
	_, urlUA := f.server("UA", statePath(b, "UA"))
	_, urlRU := f.server("RU", statePath(b, "RU"))
	g := f.group(witness.Remote{URL: urlUA, VKey: f.witVkeys["UA"]}, witness.Remote{URL: urlRU, VKey: f.witVkeys["RU"]})
	for b.Loop() {
		b.StopTimer()
		cp := f.grow(a, 1, "a")
		b.StartTimer()
		if _, err := g.Cosign(b.Context(), cp, a); err != nil {
			b.Fatal(err)
		}
	}
}
