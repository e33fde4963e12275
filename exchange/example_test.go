package exchange_test

import (
	"encoding/json"
	"fmt"
	"time"

	"tally"
	"tally/exchange"
)

func Example() {
	a := &tally.Agreement{ID: "istanbul-2025-06-02", Date: tally.MustDate("2025-06-02"),
		Parties:  []tally.Party{{Code: "UA"}, {Code: "RU"}},
		Mediator: &tally.Party{Code: "TR"},
		Categories: []tally.Category{
			{ID: "remains", Subject: tally.SubjectRemains, Terms: tally.NForN, Quantity: 6000}}}
	s := exchange.NewState(a)
	day := time.Date(2025, 6, 5, 9, 0, 0, 0, time.UTC)
	steps := []exchange.Event{
		{Kind: exchange.KindListSubmitted, By: "UA", Actor: "Clerk A (synthetic)", At: day,
			Body: exchange.ListSubmitted{List: "ua-remains", Version: 1, Kind: "remains", Rows: []exchange.ListRow{{Ref: "UA-M-0001"}}}},
		{Kind: exchange.KindRemainsTransferred, By: "TR", Actor: "Clerk T (synthetic)", At: day,
			Body: exchange.RemainsTransferred{Stage: "stage-1", Category: "remains", From: "UA", To: "RU", Count: 1212}},
		{Kind: exchange.KindRemainsTransferred, By: "UA", Actor: "Clerk A (synthetic)", At: day,
			Body: exchange.RemainsTransferred{Stage: "stage-1", Category: "remains", From: "UA", To: "RU", Count: 1212}},
		{Kind: exchange.KindRemainsAcknowledged, By: "RU", Actor: "Clerk R (synthetic)", At: day.Add(24 * time.Hour),
			Body: exchange.RemainsAcknowledged{Stage: "stage-1", From: "UA", Count: 1200}},
	}
	for i, e := range steps {
		if err := s.Apply(int64(i), e); err != nil {
			fmt.Println("refused:", err)
		}
	}
	fmt.Println(s.Lists()[0].Move())
	r := s.Report()
	b, _ := json.Marshal(r.Discrepancies)
	fmt.Println(string(b))
	// Output:
	// refused: the mediator cannot act for UA: only UA can record the remains it hands over
	// waiting for RU since 2025-06-05
	// {"open":1,"explained":0,"disputed":0,"resolved":0,"items":[{"id":1,"stage":"stage-1","from":"UA","to":"RU","sent":1212,"received":1200,"status":"open","transfer_entry":2,"acknowledgement_entry":3}]}
}
