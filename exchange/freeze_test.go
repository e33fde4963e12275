package exchange

import (
	"reflect"
	"sync"
	"testing"

	"tally"
)

// A frozen state refuses every step, reports what it reported before it
// was frozen, and gives each caller a report of its own.
func TestFreeze(t *testing.T) {
	f := newFx(t)
	f.must(lists()...)
	want := f.s.Report()
	f.s.Freeze()
	f.check = false
	wantCode(t, "a step after Freeze", f.try("UA", ListAnswered{List: "ru-custody", Version: 1, Answers: []Answer{{Ref: "RC-0001", Accepted: true}}}), tally.EInternal)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			if got := f.s.Report(); !reflect.DeepEqual(got, want) {
				t.Errorf("frozen report %+v, want %+v", got, want)
			}
		})
	}
	wg.Wait()
	r := f.s.Report()
	r.Categories[0].Requested = -1
	if got := f.s.Report(); !reflect.DeepEqual(got, want) {
		t.Error("changing a frozen state's report changed the next one")
	}
}
