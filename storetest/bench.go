package storetest

import (
	"context"
	"testing"
	"time"

	"tally"
)

// BenchmarkAddRows measures importing n rows into one new list version of
// s in one transaction, in batches of 1000 as the import service sends
// them, and reports rows/s. s must hold no agreement "bench".
func BenchmarkAddRows(b *testing.B, s tally.Store, n int) {
	ctx := context.Background()
	if err := s.Update(ctx, func(tx tally.Tx) error { return tx.AddAgreement(ctx, agreement("bench"), nil) }); err != nil {
		b.Fatal(err)
	}
	const batch = 1000
	rows := Rows(0, batch)
	var total int
	var elapsed time.Duration
	b.ResetTimer()
	for b.Loop() {
		start := time.Now()
		err := s.Update(ctx, func(tx tally.Tx) error {
			v := version("bench", "ua-request")
			if err := tx.AddListVersion(ctx, &v); err != nil {
				return err
			}
			for line := 2; line < n+2; line += batch {
				rs := rows[:min(batch, n+2-line)]
				for i := range rs {
					rs[i].Row.Line = line + i
				}
				if err := tx.AddRows(ctx, v.ID, rs); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		elapsed += time.Since(start)
		total += n
	}
	b.ReportMetric(float64(total)/elapsed.Seconds(), "rows/s")
	b.ReportMetric(0, "ns/op")
}
