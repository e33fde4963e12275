package exchange

import (
	"strings"
	"testing"

	"tally"
)

// TestCommissionSeats: the agreement sets how many members each side
// appoints; one more is refused.
func TestCommissionSeats(t *testing.T) {
	f := newFx(t)
	f.a.Commission = &tally.Commission{PerParty: 1, Neutral: 1}
	f.must(cat(lists(), []ev{{"UA", memUA}, {"RU", memRU}, {"TR", memTR}})...)
	for _, tc := range []struct {
		by   string
		body MemberAppointed
		msg  string
	}{
		{"UA", MemberAppointed{Member: "Dr Second UA", Side: "UA"}, "UA's seats on the commission to 1 members"},
		{"TR", MemberAppointed{Member: "Dr Second TR", Side: "TR"}, "the neutral seats"},
	} {
		err := f.try(tc.by, tc.body)
		wantCode(t, tc.body.Member, err, tally.EConflict)
		if err == nil || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%s: %v does not say %q", tc.body.Member, err, tc.msg)
		}
	}
}

// TestRoundRatio: n-for-n terms with an agreed ratio balance at that ratio.
func TestRoundRatio(t *testing.T) {
	f := newFx(t)
	for i := range f.a.Categories {
		if f.a.Categories[i].ID == "civilians" {
			f.a.Categories[i].Ratio = [2]int{1, 2} // UA one for every two of RU's
		}
	}
	f.must(cat(lists(), one("UA", ListSubmitted{List: "ua-more", Version: 1, Kind: "custody", Rows: []ListRow{{"X1", "civilians"}}}))...)
	f.must(ev{"RU", ListSubmitted{List: "ru-more", Version: 1, Kind: "custody", Rows: []ListRow{{"Y1", "civilians"}, {"Y2", "civilians"}}}})
	// One for one no longer balances.
	f.must(ev{"TR", civPlan})
	err := f.try("UA", RoundApproved{Round: "round-1"})
	wantCode(t, "1 for 1 under a 1:2 ratio", err, tally.EConflict)
	if err == nil || !strings.Contains(err.Error(), "the agreed ratio is 1 for 2") {
		t.Errorf("message: %v", err)
	}
	// One from UA for two from RU does.
	f.must(ev{"TR", plan("round-1", mf("RU", "UA", "civilians", ref("ru-more", "Y1"), ref("ru-more", "Y2")), mf("UA", "RU", "civilians", ref("ua-more", "X1")))})
	f.must(approve("round-1")...)
}
