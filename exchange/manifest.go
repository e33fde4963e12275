package exchange

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"

	"tally"
)

// ReadManifests reads a round's manifests from CSV with the columns from,
// to, category, list, ref (a header row naming them is skipped): one row a
// person, grouped into one manifest per direction and category, in the
// order they first appear. name is the file's name, for errors.
func ReadManifests(r io.Reader, name string) ([]Manifest, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = 5
	var ms []Manifest
	byKey := map[[3]string]int{}
	for line := 1; ; line++ {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, &tally.Error{Code: tally.EInvalid, File: name, Line: line,
				Message: "a manifest has five columns, from, to, category, list, ref: " + err.Error()}
		}
		if line == 1 && strings.EqualFold(strings.TrimSpace(rec[0]), "from") {
			continue
		}
		k := [3]string{strings.ToUpper(strings.TrimSpace(rec[0])), strings.ToUpper(strings.TrimSpace(rec[1])), tally.Code(rec[2])}
		j, ok := byKey[k]
		if !ok {
			j = len(ms)
			byKey[k] = j
			ms = append(ms, Manifest{From: k[0], To: k[1], Category: k[2]})
		}
		ms[j].Persons = append(ms[j].Persons, PersonRef{List: strings.ToLower(strings.TrimSpace(rec[3])), Ref: strings.TrimSpace(rec[4])})
	}
	if len(ms) == 0 {
		return nil, &tally.Error{Code: tally.EInvalid, File: name, Message: "the manifest names no person", Hint: "one row a person: from,to,category,list,ref"}
	}
	return ms, nil
}

// ExpandTags expands a range of tags FIRST:LAST, such as T-0001:T-1212,
// into the tags between: one prefix, numbers of the same width, at most
// 100,000 of them.
func ExpandTags(r string) ([]string, error) {
	first, last, ok := strings.Cut(strings.TrimSpace(r), ":")
	split := func(t string) (string, int, int, bool) {
		i := len(t)
		for i > 0 && t[i-1] >= '0' && t[i-1] <= '9' {
			i--
		}
		n, err := strconv.Atoi(t[i:])
		return t[:i], n, len(t) - i, err == nil
	}
	p1, n1, w1, ok1 := split(first)
	p2, n2, _, ok2 := split(last)
	if !ok || !ok1 || !ok2 || p1 != p2 || n2 < n1 || n2-n1 >= 100000 {
		return nil, tally.Errorf(tally.EInvalid, "%q: write a range FIRST:LAST with one prefix, such as T-0001:T-1212", r)
	}
	tags := make([]string, 0, n2-n1+1)
	for n := n1; n <= n2; n++ {
		tags = append(tags, fmt.Sprintf("%s%0*d", p1, w1, n))
	}
	return tags, nil
}
