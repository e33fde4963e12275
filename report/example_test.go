package report_test

import (
	"os"
	"time"

	"tally/report"
)

func ExampleText() {
	d := report.Document{
		Title:    "Istanbul, 2 June 2025 — humanitarian terms",
		Subtitle: "Public report — counts only",
		Checkpoint: report.Checkpoint{
			Origin:    "tally.example/log",
			Size:      4096,
			RootHash:  "qs1nZ8y4b0k2e6Xo3Lw9V7uR5tP1mN4jH8gF2dC6aB0=",
			Time:      time.Date(2025, 6, 9, 12, 0, 0, 0, time.UTC),
			Cosigners: []string{"Україна", "Российская Федерация", "Türkiye"},
		},
		Sections: []report.Section{{
			Title:   "Prisoners of war, Україна → Российская Федерация",
			Columns: []string{"requested", "confirmed", "handed over", "acknowledged"},
			Rows: []report.Row{
				{Label: "Поранені", Values: []int64{1212, 1200, 1200, 1200}},
				{Label: "İade bekleyen", Values: []int64{12}, Highlight: true},
			},
		}},
	}
	report.Text(os.Stdout, d)
	// Output:
	// Istanbul, 2 June 2025 — humanitarian terms
	// Public report — counts only
	//
	// Checkpoint
	//   Origin     tally.example/log
	//   Size       4096
	//   Root hash  qs1nZ8y4b0k2e6Xo3Lw9V7uR5tP1mN4jH8gF2dC6aB0=
	//   Time       2025-06-09T12:00:00Z
	//   Cosigners  Україна, Российская Федерация, Türkiye
	//
	// Prisoners of war, Україна → Российская Федерация
	//                  requested  confirmed  handed over  acknowledged
	//   Поранені            1212       1200         1200          1200
	// ! İade bekleyen         12
}
