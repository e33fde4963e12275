package listfile

import (
	"bytes"
	"encoding/csv"
	"math"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	xunicode "golang.org/x/text/encoding/unicode"
)

// The encodings tally reads, by the names Reader.Encoding reports.
const (
	encUTF8    = "utf-8"
	encUTF16LE = "utf-16le"
	encUTF16BE = "utf-16be"
	enc1251    = "windows-1251"
	encKOI8U   = "koi8-u"
	encKOI8R   = "koi8-r"
	enc866     = "cp866"
)

// encodingAliases maps a folded encoding name (lower case, without '-', '_'
// and spaces) to the name tally uses.
var encodingAliases = map[string]string{
	"utf8": encUTF8, "utf8bom": encUTF8, "utf8sig": encUTF8, "unicode": encUTF8,
	"utf16": encUTF16LE, "utf16le": encUTF16LE, "utf16be": encUTF16BE,
	"windows1251": enc1251, "cp1251": enc1251, "win1251": enc1251, "1251": enc1251,
	"ansi": enc1251, "xcp1251": enc1251, "mscyrl": enc1251,
	"koi8u": encKOI8U, "koi8": encKOI8U, "koi8r": encKOI8R,
	"cp866": enc866, "ibm866": enc866, "866": enc866, "dos": enc866, "oem866": enc866,
}

// canonicalEncoding returns tally's name for the encoding named s, or "".
func canonicalEncoding(s string) string {
	k := strings.Map(func(r rune) rune {
		switch r {
		case '-', '_', ' ':
			return -1
		}
		return unicode.ToLower(r)
	}, s)
	return encodingAliases[k]
}

// decoder returns the decoder for a canonical encoding name; nil for UTF-8,
// which needs none.
func decoder(enc string) *encoding.Decoder {
	switch enc {
	case encUTF16LE:
		return xunicode.UTF16(xunicode.LittleEndian, xunicode.IgnoreBOM).NewDecoder()
	case encUTF16BE:
		return xunicode.UTF16(xunicode.BigEndian, xunicode.IgnoreBOM).NewDecoder()
	case enc1251:
		return charmap.Windows1251.NewDecoder()
	case encKOI8U:
		return charmap.KOI8U.NewDecoder()
	case encKOI8R:
		return charmap.KOI8R.NewDecoder()
	case enc866:
		return charmap.CodePage866.NewDecoder()
	}
	return nil
}

// bomLen returns the encoding a byte-order mark at the start of b announces
// and the mark's length, or "", 0.
func bomLen(b []byte) (string, int) {
	switch {
	case bytes.HasPrefix(b, []byte{0xEF, 0xBB, 0xBF}):
		return encUTF8, 3
	case bytes.HasPrefix(b, []byte{0xFF, 0xFE}):
		return encUTF16LE, 2
	case bytes.HasPrefix(b, []byte{0xFE, 0xFF}):
		return encUTF16BE, 2
	}
	return "", 0
}

// validUTF8Prefix reports whether b is valid UTF-8, allowing b to end in
// the middle of a character when more of the file follows (atEOF false).
func validUTF8Prefix(b []byte, atEOF bool) bool {
	if utf8.Valid(b) {
		return true
	}
	if atEOF {
		return false
	}
	// Drop an incomplete character at the end, at most 3 bytes.
	for i := 1; i <= 3 && i <= len(b); i++ {
		c := b[len(b)-i]
		if c < 0x80 {
			return false
		}
		if utf8.RuneStart(c) {
			return !utf8.FullRune(b[len(b)-i:]) && utf8.Valid(b[:len(b)-i])
		}
	}
	return false
}

// singleByte are the candidate 8-bit Cyrillic code pages, in the order a
// tie is decided (Windows-1251 is by far the most common in registers).
var singleByte = []struct {
	name string
	cm   *charmap.Charmap
}{
	{enc1251, charmap.Windows1251},
	{encKOI8U, charmap.KOI8U},
	{enc866, charmap.CodePage866},
}

// letterFreq is the approximate frequency, in per mille, of each lower-case
// Cyrillic letter in Ukrainian and Russian text taken together (both
// languages' letters; names and places rather than prose).
var letterFreq = map[rune]float64{
	'о': 95, 'а': 85, 'е': 75, 'и': 65, 'н': 65, 'т': 50, 'і': 45, 'р': 50,
	'с': 45, 'в': 45, 'л': 45, 'к': 38, 'м': 30, 'д': 30, 'п': 25, 'у': 25,
	'я': 20, 'ы': 12, 'ь': 15, 'г': 17, 'з': 17, 'б': 16, 'ч': 14, 'й': 12,
	'х': 9, 'ж': 8, 'ш': 7, 'ю': 6, 'ц': 6, 'щ': 4, 'є': 4, 'ї': 6,
	'э': 2, 'ф': 3, 'ъ': 0.5, 'ё': 1, 'ґ': 0.5,
}

// scoreCyrillic scores text decoded under one code page: how much it reads
// as Ukrainian or Russian. It returns the score and the number of
// characters that came from bytes above 0x7F, and whether the text holds
// characters a list never has (control characters, undefined bytes).
//
// The score adds, per Cyrillic letter, the log of its frequency (a wrong
// code page turns common letters into rare ones), and per word the case
// pattern: "Іваненко" and "ІВАНЕНКО" are words, "іВАНЕНКО" (Windows-1251
// read as KOI8, whose cases are swapped) is not. Box-drawing and other
// symbols where a letter should be cost heavily.
func scoreCyrillic(s string) (score float64, high int, bad bool) {
	var wordLen, upper int
	var firstUpper bool
	var prevLatin, prevCyr bool // the previous rune was a Latin, a Cyrillic letter
	endWord := func() {
		if wordLen >= 2 {
			switch {
			case upper == wordLen: // ІВАНЕНКО
				score += 1
			case firstUpper && upper == 1: // Іваненко
				score += 2
			case upper == 0: // іваненко
				score += 1
			case !firstUpper && upper == wordLen-1: // іВАНЕНКО: cases swapped
				score -= 6
			default: // mixed inside a word
				score -= 3
			}
		}
		wordLen, upper, firstUpper = 0, 0, false
	}
	for _, r := range s {
		if r >= 0x80 {
			high++
		}
		switch {
		case r == utf8.RuneError:
			bad = true
		case r < 0x20 && r != '\t' && r != '\n' && r != '\r':
			bad = true
		case unicode.Is(unicode.Cyrillic, r):
			if prevLatin {
				score -= 3 // Latin and Cyrillic in one word: rare in a real list
			}
			prevLatin, prevCyr = false, true
			lr := unicode.ToLower(r)
			f, ok := letterFreq[lr]
			if !ok {
				f = 0.2
			}
			score += math.Log(f)
			if wordLen == 0 && (lr == 'ь' || lr == 'ъ' || lr == 'ы') {
				score -= 4 // no word begins with a sign or ы
			}
			if lr != r {
				if wordLen == 0 {
					firstUpper = true
				}
				upper++
			}
			wordLen++
			continue
		case r >= 0x80:
			prevLatin, prevCyr = false, false
			endWord()
			switch {
			case r == '№', r == '’', r == '«', r == '»', r == '–', r == '—', r == '\u00a0',
				r == '“', r == '”', r == '„', r == '…', r == '°':
				// punctuation registers use
			case r >= 0x2500 && r <= 0x25FF: // box drawing, blocks
				score -= 8
			default:
				score -= 4
			}
			continue
		}
		latin := r < 0x80 && ('a' <= r|0x20 && r|0x20 <= 'z')
		if latin && prevCyr {
			score -= 3
		}
		prevLatin, prevCyr = latin, false
		if wordLen > 0 {
			endWord()
		}
	}
	endWord()
	return score, high, bad
}

// detectEncoding picks the encoding of a file from its first bytes
// (without a byte-order mark). atEOF says whether prefix is the whole
// file. It returns "" when no encoding fits.
func detectEncoding(prefix []byte, atEOF bool) string {
	if validUTF8Prefix(prefix, atEOF) {
		return encUTF8
	}
	best, bestScore := "", math.Inf(-1)
	for _, c := range singleByte {
		s, err := c.cm.NewDecoder().Bytes(prefix)
		if err != nil {
			continue
		}
		score, high, bad := scoreCyrillic(string(s))
		if bad || high == 0 {
			continue
		}
		// Compare per character above 0x7F, and require text that reads
		// as Cyrillic at all: the log frequency of an average letter is
		// about 3.4, of a rare one below 1.
		avg := score / float64(high)
		if avg < 1.5 {
			continue
		}
		if avg > bestScore {
			best, bestScore = c.name, avg
		}
	}
	return best
}

// delimiters are the delimiters tally detects, in the order a tie is
// decided.
var delimiters = []rune{';', ',', '\t'}

// detectDelimiter picks the delimiter of a CSV file from its first
// decoded bytes: for each candidate it parses the first records and
// prefers the one that splits the header into the most columns, among
// those that split the following records consistently (no record with more
// non-empty cells than the header). A file of one column gets ','.
func detectDelimiter(text string) rune {
	type cand struct {
		d          rune
		cols       int
		consistent bool
	}
	var best *cand
	for _, d := range delimiters {
		cr := csv.NewReader(strings.NewReader(text))
		cr.Comma = d
		cr.FieldsPerRecord = -1
		cr.LazyQuotes = true
		var recs [][]string
		for len(recs) < 30 {
			// A record cut at the end of the prefix has fewer cells, never
			// more, so it does not disturb the comparison.
			rec, err := cr.Read()
			if err != nil {
				break
			}
			if blank(rec) {
				continue
			}
			recs = append(recs, rec)
		}
		if len(recs) == 0 {
			continue
		}
		c := cand{d: d, cols: nonEmptyWidth(recs[0]), consistent: true}
		for _, r := range recs[1:] {
			if nonEmptyWidth(r) > c.cols {
				c.consistent = false
			}
		}
		if c.cols < 2 {
			continue
		}
		switch {
		case best == nil,
			c.consistent && !best.consistent,
			c.consistent == best.consistent && c.cols > best.cols:
			best = &c
		}
	}
	if best == nil {
		// No delimiter splits the header: take the one the first line
		// has most of (a header of empty cells), else ','.
		line, _, _ := strings.Cut(text, "\n")
		d, most := ',', 0
		for _, c := range delimiters {
			if n := strings.Count(line, string(c)); n > most {
				d, most = c, n
			}
		}
		return d
	}
	return best.d
}

// blank reports whether every cell of rec is blank.
func blank(rec []string) bool {
	for _, c := range rec {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// nonEmptyWidth is the number of cells of rec up to its last non-blank one.
func nonEmptyWidth(rec []string) int {
	for i := len(rec) - 1; i >= 0; i-- {
		if strings.TrimSpace(rec[i]) != "" {
			return i + 1
		}
	}
	return 0
}
