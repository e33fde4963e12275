package tally

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Precision says how much of a Date is known. Registers often give only a
// year of birth, or a year and month; such a date stands for every day it
// could be, and rules are judged over all of them.
type Precision uint8

const (
	NoDate Precision = iota
	YearOnly
	YearMonth
	FullDate
)

// Date is a calendar date that may be partial. The zero Date is no date.
type Date struct {
	Year      int
	Month     time.Month // 0 when Precision < YearMonth
	Day       int        // 0 when Precision < FullDate
	Precision Precision
}

// DateError says why a text is not a date; Reason is for the user.
type DateError struct {
	Text   string
	Reason string
}

func (e *DateError) Error() string { return fmt.Sprintf("%q is not a date: %s", e.Text, e.Reason) }

// ParseDate reads the date forms lists use: YYYY-MM-DD, DD.MM.YYYY,
// YYYY-MM, MM.YYYY and YYYY. Anything else, or an impossible day such as
// 31.02, is an error, never a guess. Slashed dates are refused as ambiguous:
// 03/04/2001 is the 3rd of April in Kyiv and the 4th of March in a US
// spreadsheet, and a wrong guess sends the wrong man home.
func ParseDate(s string) (Date, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return Date{}, &DateError{s, "it is empty"}
	}
	if strings.ContainsRune(t, '/') {
		return Date{}, &DateError{s, "slashed dates are ambiguous (day/month or month/day); write DD.MM.YYYY or YYYY-MM-DD"}
	}
	bad := func() (Date, error) {
		return Date{}, &DateError{s, "use YYYY-MM-DD, DD.MM.YYYY, YYYY-MM, MM.YYYY or YYYY"}
	}
	var parts []string
	dotted := false
	switch {
	case strings.ContainsRune(t, '-'):
		parts = strings.Split(t, "-")
	case strings.ContainsRune(t, '.'):
		parts = strings.Split(t, ".")
		dotted = true
	default:
		parts = []string{t}
	}
	nums := make([]int, len(parts))
	for i, p := range parts {
		if p == "" || len(p) > 4 {
			return bad()
		}
		for _, r := range p {
			if r < '0' || r > '9' {
				return bad()
			}
		}
		nums[i], _ = strconv.Atoi(p)
	}
	var d Date
	switch {
	case !dotted && len(parts) == 1 && len(parts[0]) == 4:
		d = Date{Year: nums[0], Precision: YearOnly}
	case !dotted && len(parts) == 2 && len(parts[0]) == 4 && len(parts[1]) == 2:
		d = Date{Year: nums[0], Month: time.Month(nums[1]), Precision: YearMonth}
	case !dotted && len(parts) == 3 && len(parts[0]) == 4 && len(parts[1]) == 2 && len(parts[2]) == 2:
		d = Date{Year: nums[0], Month: time.Month(nums[1]), Day: nums[2], Precision: FullDate}
	case dotted && len(parts) == 2 && len(parts[0]) <= 2 && len(parts[1]) == 4:
		d = Date{Year: nums[1], Month: time.Month(nums[0]), Precision: YearMonth}
	case dotted && len(parts) == 3 && len(parts[0]) <= 2 && len(parts[1]) <= 2 && len(parts[2]) == 4:
		d = Date{Year: nums[2], Month: time.Month(nums[1]), Day: nums[0], Precision: FullDate}
	default:
		return bad()
	}
	if d.Year < 1 {
		return Date{}, &DateError{s, "there is no year 0"}
	}
	if d.Precision >= YearMonth && (d.Month < 1 || d.Month > 12) {
		return Date{}, &DateError{s, fmt.Sprintf("there is no month %d", d.Month)}
	}
	if d.Precision == FullDate && (d.Day < 1 || d.Day > daysIn(d.Year, d.Month)) {
		return Date{}, &DateError{s, fmt.Sprintf("%s %d has no day %d", d.Month, d.Year, d.Day)}
	}
	return d, nil
}

// MustDate is ParseDate for literals in code and tests; it panics on a bad date.
func MustDate(s string) Date {
	d, err := ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

func daysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// IsZero reports whether d holds no date.
func (d Date) IsZero() bool { return d.Precision == NoDate }

// String writes d in ISO form at its precision: 2001-04-03, 2001-04, 2001.
func (d Date) String() string {
	// By hand rather than with fmt: it is on the path of every row.
	var b [10]byte
	out := b[:0]
	pad := func(n, width int) {
		s := strconv.Itoa(n)
		for i := len(s); i < width; i++ {
			out = append(out, '0')
		}
		out = append(out, s...)
	}
	if d.Precision == NoDate {
		return ""
	}
	pad(d.Year, 4)
	if d.Precision >= YearMonth {
		out = append(out, '-')
		pad(int(d.Month), 2)
	}
	if d.Precision == FullDate {
		out = append(out, '-')
		pad(d.Day, 2)
	}
	return string(out)
}

// First and Last return the earliest and latest full dates d can stand for.
func (d Date) First() Date {
	f := Date{Year: d.Year, Month: d.Month, Day: d.Day, Precision: FullDate}
	if d.Precision < YearMonth {
		f.Month = 1
	}
	if d.Precision < FullDate {
		f.Day = 1
	}
	return f
}

func (d Date) Last() Date {
	l := Date{Year: d.Year, Month: d.Month, Day: d.Day, Precision: FullDate}
	if d.Precision < YearMonth {
		l.Month = 12
	}
	if d.Precision < FullDate {
		l.Day = daysIn(l.Year, l.Month)
	}
	return l
}

// Before reports whether full date d is strictly before full date e.
func (d Date) Before(e Date) bool {
	if d.Year != e.Year {
		return d.Year < e.Year
	}
	if d.Month != e.Month {
		return d.Month < e.Month
	}
	return d.Day < e.Day
}

// AgeOn returns the completed years, on full date on, of a person born on
// full date birth: a man born on 3 June 1999 is 25 on 2 June 2025. One born
// on 29 February has his birthday on 1 March in common years.
func AgeOn(birth, on Date) int {
	age := on.Year - birth.Year
	bm, bd := birth.Month, birth.Day
	if bm == time.February && bd == 29 && daysIn(on.Year, time.February) == 28 {
		bm, bd = time.March, 1
	}
	if on.Month < bm || (on.Month == bm && on.Day < bd) {
		age--
	}
	return age
}
