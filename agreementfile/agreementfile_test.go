package agreementfile

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"tally"
)

func TestLoadIstanbul(t *testing.T) {
	a, src, err := Load("testdata/istanbul.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if a.ID != "istanbul-2025-06-02" || a.Date != tally.MustDate("2025-06-02") || len(a.Parties) != 2 || a.Mediator.Code != "TR" {
		t.Errorf("agreement = %+v", a)
	}
	if len(src) == 0 {
		t.Error("source not returned")
	}
	c, ok := a.Category("aged-18-25")
	if !ok || *c.Eligibility.Age.Min != 18 || *c.Eligibility.Age.Max != 25 {
		t.Errorf("aged-18-25 = %+v", c)
	}
	r, _ := a.Category("remains")
	if r.Quantity != 6000 || r.Terms != tally.NForN {
		t.Errorf("remains = %+v", r)
	}
	ch, _ := a.Category("children")
	if ch.From != "RU" || ch.To != "UA" || ch.Eligibility.Age.Min != nil {
		t.Errorf("children = %+v", ch)
	}
	w, _ := a.Category("seriously-wounded-ill")
	if strings.Join(w.Eligibility.Conditions, ",") != "seriously-wounded,seriously-ill" {
		t.Errorf("conditions = %v", w.Eligibility.Conditions)
	}
}

const base = `id: x
date: 2025-06-02
parties:
  - {code: UA, name: Ukraine}
  - {code: RU, name: Russia}
categories:
  - id: c
    subject: prisoner
    terms: all-for-all
`

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, yaml string
		line       int
		want       string
	}{
		{"misspelt key", base + "    eligibilty:\n      age: {min: 18}\n", 10, `unknown key "eligibilty"; did you mean "eligibility"?`},
		{"misspelt top key", "idd: x\n" + base[6:], 1, `unknown key "idd"`},
		{"no id", base[6:], 1, "needs an id"},
		{"one party", strings.Replace(base, "  - {code: RU, name: Russia}\n", "", 1), 3, "exactly two parties"},
		{"same codes", strings.Replace(base, "code: RU", "code: UA", 1), 5, "two parties have the code"},
		{"n-for-n without quantity", strings.Replace(base, "all-for-all", "n-for-n", 1), 7, "positive quantity"},
		{"unilateral without from", strings.Replace(base, "all-for-all", "unilateral\n    to: UA", 1), 7, "need from"},
		{"unilateral to unknown", strings.Replace(base, "all-for-all", "unilateral\n    from: UA\n    to: PL", 1), 11, `"PL" is not one of the agreement's parties`},
		{"min > max", base + "    eligibility:\n      age: {min: 30, max: 18}\n", 11, "greater than age.max"},
		{"bad age.on", base + "    eligibility:\n      age: {max: 17, on: 31.02.2025}\n", 11, "has no day 31"},
		{"quantity not a number", strings.Replace(base, "all-for-all", "n-for-n\n    quantity: many", 1), 10, "whole number"},
		{"duplicate category", base + "  - id: c\n    subject: remains\n    terms: all-for-all\n", 10, "used twice"},
		{"bad subject", strings.Replace(base, "prisoner", "soldier", 1), 8, "not a subject"},
		{"bad terms", strings.Replace(base, "all-for-all", "some-for-some", 1), 9, "not a kind of terms"},
		{"not yaml", "id: [x\n", 1, "not valid YAML"},
		{"no date", strings.Replace(base, "date: 2025-06-02\n", "", 1), 1, "needs the date"},
		{"bad date", strings.Replace(base, "2025-06-02", "2025/06/02", 1), 2, "ambiguous"},
		{"parties not a list", strings.Replace(base, "parties:\n  - {code: UA, name: Ukraine}\n  - {code: RU, name: Russia}", "parties: UA", 1), 3, "expected a list"},
		{"key twice", base + "id: y\n", 10, "given twice"},
		{"empty", "  \n", 0, "empty"},
		{"a list", "- a\n- b\n", 1, "expected keys"},
		{"not utf-8", "id: \xff\xfe\n", 0, "not UTF-8"},
		{"ratio not n-for-n", base + "    ratio: 1:2\n", 10, "n-for-n terms only"},
		{"ratio malformed", strings.Replace(base, "all-for-all", "n-for-n\n    quantity: 10\n    ratio: one to two", 1), 11, "such as 1:2"},
		{"commission without members", base + "commission: {per_party: 0}\n", 10, "at least one member"},
		{"neutral members without a mediator", base + "commission: {per_party: 2, neutral: 1}\n", 10, "has none"},
		{"commission misspelt", base + "commission: {per_partie: 2}\n", 10, `did you mean "per_party"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("a.yaml", []byte(tt.yaml))
			var es Errors
			if !errors.As(err, &es) || len(es) == 0 {
				t.Fatalf("err = %v, want Errors", err)
			}
			if !strings.Contains(es[0].Error(), tt.want) {
				t.Errorf("err = %q, want it to contain %q", es[0].Error(), tt.want)
			}
			if es[0].Line != tt.line {
				t.Errorf("line = %d, want %d (%v)", es[0].Line, tt.line, es[0])
			}
			if !strings.HasPrefix(es[0].Error(), "a.yaml") {
				t.Errorf("error does not name the file: %q", es[0].Error())
			}
		})
	}
}

func TestJSONAccepted(t *testing.T) {
	js := `{"id": "j", "date": "2025-06-02", "parties": [{"code": "UA"}, {"code": "RU"}],
 "categories": [{"id": "r", "subject": "remains", "terms": "n-for-n", "quantity": 10}]}`
	a, err := Parse("a.json", []byte(js))
	if err != nil || a.Categories[0].Quantity != 10 {
		t.Fatalf("a = %+v, err = %v", a, err)
	}
}

func TestLoadFileErrors(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big.yaml")
	os.WriteFile(big, make([]byte, MaxSize+1), 0o644)
	for name, path := range map[string]string{"missing": filepath.Join(dir, "nope.yaml"), "directory": dir, "too big": big} {
		_, _, err := Load(path)
		var e *tally.Error
		if !errors.As(err, &e) || e.File != path {
			t.Errorf("%s: err = %v, want a *tally.Error naming %s", name, err, path)
		}
	}
}

func FuzzParse(f *testing.F) {
	seed, _ := os.ReadFile("testdata/istanbul.yaml")
	f.Add(seed)
	f.Add([]byte(base))
	f.Add([]byte("id: [x\n"))
	f.Add([]byte("{}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := Parse("f.yaml", data)
		if err == nil && len(a.Check()) > 0 {
			t.Fatalf("accepted an agreement that breaks rules: %v", a.Check())
		}
	})
}

func TestCommissionAndRatio(t *testing.T) {
	y := strings.Replace(base, "all-for-all", "n-for-n\n    quantity: 6000\n    ratio: 1:2", 1) +
		"mediator: {code: TR}\ncommission: {per_party: 2, neutral: 1}\n"
	a, err := Parse("a.yaml", []byte(y))
	if err != nil {
		t.Fatal(err)
	}
	if a.Commission == nil || a.Commission.PerParty != 2 || a.Commission.Neutral != 1 {
		t.Errorf("commission = %+v", a.Commission)
	}
	if x, y := a.Categories[0].RatioOf(); x != 1 || y != 2 {
		t.Errorf("ratio = %d:%d", x, y)
	}
}
