package tally

import (
	"strings"
	"testing"
)

func TestParseDate(t *testing.T) {
	tests := []struct {
		in, want string // want: ISO form, or "error: reason fragment"
	}{
		{"1999-06-03", "1999-06-03"},
		{"03.06.1999", "1999-06-03"},
		{"3.6.1999", "1999-06-03"},
		{" 03.06.1999 ", "1999-06-03"},
		{"1999-06", "1999-06"},
		{"06.1999", "1999-06"},
		{"1999", "1999"},
		{"2000-02-29", "2000-02-29"},
		{"29.02.2001", "error: has no day 29"},
		{"31.02.2000", "error: has no day 31"},
		{"2001-13-01", "error: no month 13"},
		{"00.1999", "error: no month 0"},
		{"03/04/2001", "error: ambiguous"},
		{"", "error: empty"},
		{"99", "error: use YYYY-MM-DD"},
		{"1999-6-3", "error: use YYYY-MM-DD"},
		{"03.06.99", "error: use YYYY-MM-DD"},
		{"3 червня 1999", "error: use YYYY-MM-DD"},
		{"1999-06-03T00:00", "error: use YYYY-MM-DD"},
		{"0000", "error: no year 0"},
		{"１９９９", "error: use YYYY-MM-DD"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			d, err := ParseDate(tt.in)
			if strings.HasPrefix(tt.want, "error: ") {
				if err == nil || !strings.Contains(err.Error(), strings.TrimPrefix(tt.want, "error: ")) {
					t.Fatalf("ParseDate(%q) = %v, %v; want error with %q", tt.in, d, err, tt.want)
				}
				return
			}
			if err != nil || d.String() != tt.want {
				t.Fatalf("ParseDate(%q) = %v, %v; want %s", tt.in, d, err, tt.want)
			}
		})
	}
}

func TestAgeOn(t *testing.T) {
	on := MustDate("2025-06-02")
	tests := []struct {
		birth string
		want  int
	}{
		{"1999-06-03", 25}, // the spec's own example: 25 on the day before his 26th birthday
		{"1999-06-02", 26}, // and 26 on his birthday
		{"2007-06-02", 18},
		{"2007-06-03", 17},
		{"2000-02-29", 25},
	}
	for _, tt := range tests {
		if got := AgeOn(MustDate(tt.birth), on); got != tt.want {
			t.Errorf("AgeOn(%s, %s) = %d, want %d", tt.birth, on, got, tt.want)
		}
	}
	// A leap-day birthday comes on 1 March in a common year.
	if got := AgeOn(MustDate("2004-02-29"), MustDate("2022-02-28")); got != 17 {
		t.Errorf("leap day: got %d, want 17", got)
	}
	if got := AgeOn(MustDate("2004-02-29"), MustDate("2022-03-01")); got != 18 {
		t.Errorf("leap day: got %d, want 18", got)
	}
}

func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"1999-06-03", "03.06.1999", "1999", "06.1999", "1999-06", "31.02.2000", "3/4/2001", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDate(s)
		if err != nil {
			return
		}
		// What parses prints in ISO form and parses back to itself.
		again, err := ParseDate(d.String())
		if err != nil || again != d {
			t.Fatalf("ParseDate(%q) = %v, but its ISO form %q reparses as %v, %v", s, d, d.String(), again, err)
		}
		if d.First().Before(d.First()) || d.Last().Before(d.First()) {
			t.Fatalf("%v: first %v after last %v", d, d.First(), d.Last())
		}
	})
}
