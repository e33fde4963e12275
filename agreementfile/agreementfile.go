// Package agreementfile reads agreements in the YAML format of the
// agreement spec (JSON being YAML too). It decodes the YAML tree by hand,
// key by key, so that every error names the line and the key at fault and
// a misspelt key is an error, never a silently dropped rule. The rules an
// agreement must keep are the domain's ([tally.Agreement.Check]); this
// package only knows where in the file each value came from.
package agreementfile

import (
	"errors"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"tally"
)

// MaxSize is the largest agreement file read. Agreements are a page or two;
// anything near this is not one.
const MaxSize = 1 << 20

// Errors is every error found in one agreement file, each with its line.
type Errors []*tally.Error

func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// Load reads and checks the agreement in file path. It returns the
// agreement and the file's bytes, or an error: an *tally.Error when the file
// cannot be read, or Errors listing every fault with its line.
func Load(path string) (tally.Agreement, []byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return tally.Agreement{}, nil, fileError(path, err)
	}
	if fi.IsDir() {
		return tally.Agreement{}, nil, &tally.Error{Code: tally.EInvalid, File: path, Message: "this is a directory, not an agreement file", Hint: "give the path of the .yaml file"}
	}
	if fi.Size() > MaxSize {
		return tally.Agreement{}, nil, &tally.Error{Code: tally.EInvalid, File: path, Message: fmt.Sprintf("the file is %d bytes; an agreement file is at most %d", fi.Size(), MaxSize), Hint: "check that this is the agreement, not a list"}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return tally.Agreement{}, nil, fileError(path, err)
	}
	a, err := Parse(path, data)
	return a, data, err
}

func fileError(path string, err error) error {
	switch {
	case errors.Is(err, os.ErrNotExist):
		return &tally.Error{Code: tally.EInvalid, File: path, Message: "no such file", Hint: "check the path", Err: err}
	case errors.Is(err, os.ErrPermission):
		return &tally.Error{Code: tally.EInvalid, File: path, Message: "permission denied", Hint: "check the file's permissions", Err: err}
	}
	return &tally.Error{Code: tally.EInvalid, File: path, Message: "cannot read the file: " + err.Error(), Err: err}
}

var yamlLine = regexp.MustCompile(`^yaml: (?:line (\d+): )?(.*)$`)

// Parse decodes and checks an agreement. name is used in errors.
func Parse(name string, data []byte) (tally.Agreement, error) {
	fail := func(line int, msg, hint string) (tally.Agreement, error) {
		return tally.Agreement{}, Errors{{Code: tally.EInvalid, File: name, Line: line, Message: msg, Hint: hint}}
	}
	if len(strings.TrimSpace(string(data))) == 0 {
		return fail(0, "the file is empty", "an agreement needs at least id, date, parties and categories")
	}
	if !utf8.Valid(data) {
		return fail(0, "the file is not UTF-8 text", "save it as UTF-8")
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		line, msg := 0, err.Error()
		if m := yamlLine.FindStringSubmatch(msg); m != nil {
			line, _ = strconv.Atoi(m[1])
			msg = m[2]
		}
		return fail(line, "this is not valid YAML: "+msg, "check indentation and quotes around that line")
	}
	if len(doc.Content) == 0 {
		return fail(0, "the file is empty", "")
	}
	d := &decoder{file: name, lines: map[string]int{}}
	a := d.agreement(doc.Content[0])
	if len(d.errs) > 0 {
		return tally.Agreement{}, d.errs
	}
	for _, p := range a.Check() {
		d.errs = append(d.errs, &tally.Error{Code: tally.EInvalid, File: name, Line: d.lineOf(p.Path), Key: p.Path, Message: p.Message})
	}
	if len(d.errs) > 0 {
		return tally.Agreement{}, d.errs
	}
	return a, nil
}

type decoder struct {
	file  string
	lines map[string]int // path → line of its value
	errs  Errors
}

func (d *decoder) errorf(n *yaml.Node, path, format string, args ...any) {
	d.errs = append(d.errs, &tally.Error{Code: tally.EInvalid, File: d.file, Line: n.Line, Key: path, Message: fmt.Sprintf(format, args...)})
}

// lineOf returns the line of path, or of its nearest parent that has one.
func (d *decoder) lineOf(path string) int {
	for p := path; p != ""; {
		if l, ok := d.lines[p]; ok {
			return l
		}
		i := strings.LastIndexAny(p, ".[")
		if i < 0 {
			break
		}
		p = p[:i]
	}
	return 1
}

// fields walks mapping n, calling set for each known key and reporting
// unknown and repeated keys with the keys that were expected.
func (d *decoder) fields(n *yaml.Node, path string, known []string, set func(key string, v *yaml.Node, path string)) {
	if n.Kind != yaml.MappingNode {
		d.errorf(n, path, "expected keys (%s) here, not %s", strings.Join(known, ", "), kindWords(n))
		return
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		p := k.Value
		if path != "" {
			p = path + "." + k.Value
		}
		if seen[k.Value] {
			d.errorf(k, p, "the key %q is given twice", k.Value)
			continue
		}
		seen[k.Value] = true
		if !contains(known, k.Value) {
			hint := ""
			if s := closest(k.Value, known); s != "" {
				hint = fmt.Sprintf("; did you mean %q?", s)
			}
			d.errorf(k, p, "unknown key %q%s (known here: %s)", k.Value, hint, strings.Join(known, ", "))
			continue
		}
		d.lines[p] = k.Line
		set(k.Value, v, p)
	}
}

func (d *decoder) str(v *yaml.Node, path string) string {
	if v.Kind != yaml.ScalarNode {
		d.errorf(v, path, "expected a single value, not %s", kindWords(v))
		return ""
	}
	if v.Tag == "!!null" {
		return ""
	}
	return strings.TrimSpace(v.Value)
}

func (d *decoder) int(v *yaml.Node, path string) *int {
	s := d.str(v, path)
	if s == "" {
		return nil
	}
	n, err := strconv.Atoi(strings.ReplaceAll(s, "_", ""))
	if err != nil {
		d.errorf(v, path, "expected a whole number, not %q", s)
		return nil
	}
	return &n
}

func (d *decoder) date(v *yaml.Node, path string) tally.Date {
	s := d.str(v, path)
	if s == "" {
		return tally.Date{}
	}
	dt, err := tally.ParseDate(s)
	if err != nil {
		d.errorf(v, path, "%s", err)
	}
	return dt
}

func (d *decoder) agreement(n *yaml.Node) tally.Agreement {
	var a tally.Agreement
	d.fields(n, "", []string{"id", "title", "date", "parties", "mediator", "categories", "commission"}, func(k string, v *yaml.Node, p string) {
		switch k {
		case "id":
			a.ID = d.str(v, p)
		case "title":
			a.Title = d.str(v, p)
		case "date":
			a.Date = d.date(v, p)
		case "parties":
			d.list(v, p, func(i int, e *yaml.Node, ep string) { a.Parties = append(a.Parties, d.party(e, ep)) })
		case "mediator":
			m := d.party(v, p)
			a.Mediator = &m
		case "categories":
			d.list(v, p, func(i int, e *yaml.Node, ep string) { a.Categories = append(a.Categories, d.category(e, ep)) })
		case "commission":
			m := &tally.Commission{}
			d.fields(v, p, []string{"per_party", "neutral"}, func(k string, v *yaml.Node, kp string) {
				n := d.int(v, kp)
				if n == nil {
					return
				}
				switch k {
				case "per_party":
					m.PerParty = *n
				case "neutral":
					m.Neutral = *n
				}
			})
			a.Commission = m
		}
	})
	return a
}

func (d *decoder) list(v *yaml.Node, path string, each func(i int, e *yaml.Node, path string)) {
	if v.Kind != yaml.SequenceNode {
		d.errorf(v, path, "expected a list (lines starting with '-'), not %s", kindWords(v))
		return
	}
	for i, e := range v.Content {
		p := fmt.Sprintf("%s[%d]", path, i)
		d.lines[p] = e.Line
		each(i, e, p)
	}
}

func (d *decoder) party(n *yaml.Node, path string) tally.Party {
	var p tally.Party
	d.fields(n, path, []string{"code", "name"}, func(k string, v *yaml.Node, kp string) {
		switch k {
		case "code":
			p.Code = d.str(v, kp)
		case "name":
			p.Name = d.str(v, kp)
		}
	})
	return p
}

func (d *decoder) category(n *yaml.Node, path string) tally.Category {
	var c tally.Category
	d.fields(n, path, []string{"id", "title", "subject", "terms", "quantity", "ratio", "from", "to", "eligibility"}, func(k string, v *yaml.Node, p string) {
		switch k {
		case "id":
			c.ID = d.str(v, p)
		case "title":
			c.Title = d.str(v, p)
		case "subject":
			c.Subject = tally.Subject(strings.ToLower(d.str(v, p)))
		case "terms":
			c.Terms = tally.Terms(strings.ToLower(d.str(v, p)))
		case "quantity":
			if q := d.int(v, p); q != nil {
				c.Quantity = *q
			}
		case "ratio":
			c.Ratio = d.ratio(v, p)
		case "from":
			c.From = d.str(v, p)
		case "to":
			c.To = d.str(v, p)
		case "eligibility":
			c.Eligibility = d.eligibility(v, p)
		}
	})
	return c
}

// ratio reads "1:2".
func (d *decoder) ratio(v *yaml.Node, path string) [2]int {
	s := d.str(v, path)
	a, b, ok := strings.Cut(s, ":")
	x, err1 := strconv.Atoi(strings.TrimSpace(a))
	y, err2 := strconv.Atoi(strings.TrimSpace(b))
	if !ok || err1 != nil || err2 != nil {
		d.errorf(v, path, "a ratio is written as two whole numbers with a colon, such as 1:2, not %q", s)
		return [2]int{}
	}
	return [2]int{x, y}
}

func (d *decoder) eligibility(n *yaml.Node, path string) tally.Eligibility {
	var e tally.Eligibility
	d.fields(n, path, []string{"condition", "age"}, func(k string, v *yaml.Node, p string) {
		switch k {
		case "condition":
			if v.Kind == yaml.ScalarNode {
				if s := d.str(v, p); s != "" {
					e.Conditions = []string{tally.Code(s)}
				}
				return
			}
			d.list(v, p, func(i int, c *yaml.Node, cp string) { e.Conditions = append(e.Conditions, tally.Code(d.str(c, cp))) })
		case "age":
			r := &tally.AgeRule{}
			d.fields(v, p, []string{"min", "max", "on"}, func(k string, v *yaml.Node, ap string) {
				switch k {
				case "min":
					r.Min = d.int(v, ap)
				case "max":
					r.Max = d.int(v, ap)
				case "on":
					r.On = d.date(v, ap)
				}
			})
			e.Age = r
		}
	})
	return e
}

func kindWords(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a set of keys"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	}
	return fmt.Sprintf("the value %q", n.Value)
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// closest returns the known key within edit distance 2 of k, if one is.
func closest(k string, known []string) string {
	best, bestD := "", 3
	for _, c := range known {
		if d := editDistance(strings.ToLower(k), c); d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
