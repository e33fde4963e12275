package sqlstore

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"tally"
)

var codecStrings = []string{
	"", "Шевченко", "Д'Артаньянʼ", `"quoted" \ back/slash`, "\t\n\r\x00\x01\x1f\x7f",
	"😀 𝕏 中文 \u2028\u2029 e\u0301", `\u0041`, "<>&",
}

func TestFieldsRoundTrip(t *testing.T) {
	for _, s := range codecStrings {
		var vs [tally.NumFields]string
		vs[tally.FieldSurname] = s
		vs[tally.FieldNotes] = s + "x"
		enc := string(appendFields(nil, &vs))
		var got [tally.NumFields]string
		if err := decodeFields(enc, &got); err != nil {
			t.Fatalf("decoding %s: %v", enc, err)
		}
		if got != vs {
			t.Errorf("round trip of %q via %s gave %q", s, enc, got)
		}
		// What we write is JSON that encoding/json reads the same.
		var m map[string]string
		if err := json.Unmarshal([]byte(enc), &m); err != nil {
			t.Fatalf("%s is not JSON: %v", enc, err)
		}
		if m["surname"] != s {
			t.Errorf("encoding/json reads %s as %q, want %q", enc, m["surname"], s)
		}
	}
}

func TestFieldsEmpty(t *testing.T) {
	var vs [tally.NumFields]string
	if enc := string(appendFields(nil, &vs)); enc != "{}" {
		t.Errorf("empty row encodes as %s, want {}", enc)
	}
	vs[tally.FieldSurname], vs[tally.FieldBirthDate] = "Коваль", "1990"
	if enc, want := string(appendFields(nil, &vs)), `{"surname":"Коваль","birth_date":"1990"}`; enc != want {
		t.Errorf("encoding = %s, want %s", enc, want)
	}
}

func TestStringsRoundTrip(t *testing.T) {
	for _, ss := range [][]string{{}, {""}, codecStrings} {
		enc := string(appendStrings(nil, ss))
		got, err := decodeStrings(enc)
		if err != nil {
			t.Fatalf("decoding %s: %v", enc, err)
		}
		if !cmp.Equal(got, ss) {
			t.Errorf("round trip of %q gave %q", ss, got)
		}
	}
}

func TestDecodeEscapes(t *testing.T) {
	// Escapes encoding/json (or a database) might write, which ours does not.
	got, err := decodeStrings(` [ "\u0416\/\b\f" , "\ud83d\ude00", "\ud83d", "\ude00x" ] `)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"Ж/\b\f", "😀", "\ufffd", "\ufffdx"}
	if !cmp.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestDecodeErrors(t *testing.T) {
	for _, s := range []string{``, `{`, `{"surname"}`, `{"surname":"a"`, `{"nope":"a"}`, `{"surname":"a",}`,
		`{"surname":"a"}x`, `{"surname":"\x"}`, `{"surname":"\u12"}`, "{\"surname\":\"\n\"}"} {
		var vs [tally.NumFields]string
		if err := decodeFields(s, &vs); err == nil {
			t.Errorf("decodeFields(%q) succeeded", s)
		}
	}
}

func TestInvalidUTF8(t *testing.T) {
	enc := string(appendStrings(nil, []string{"a\xffb"}))
	got, err := decodeStrings(enc)
	if err != nil || len(got) != 1 || got[0] != "a\ufffdb" {
		t.Errorf("invalid UTF-8 came back as %q, %v; want U+FFFD in its place", got, err)
	}
}

func FuzzRowCodec(f *testing.F) {
	for _, s := range codecStrings {
		f.Add(s, "Тарас")
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		var vs [tally.NumFields]string
		vs[tally.FieldSurname], vs[tally.FieldGuardian] = a, b
		var got [tally.NumFields]string
		if err := decodeFields(string(appendFields(nil, &vs)), &got); err != nil {
			t.Fatal(err)
		}
		ss, err := decodeStrings(string(appendStrings(nil, []string{a, b})))
		if err != nil {
			t.Fatal(err)
		}
		if !utf8.ValidString(a) || !utf8.ValidString(b) {
			return // replaced by U+FFFD, as encoding/json does
		}
		if got != vs || !cmp.Equal(ss, []string{a, b}) {
			t.Errorf("round trip of %q, %q gave %q and %q", a, b, got, ss)
		}
	})
}

func FuzzDecode(f *testing.F) {
	f.Add(`{"surname":"a\u0416"}`)
	f.Add(`["a","\ud83d\ude00"]`)
	f.Fuzz(func(t *testing.T, s string) {
		var vs [tally.NumFields]string
		if decodeFields(s, &vs) == nil {
			// What we accept, encoding/json accepts alike.
			var m map[string]string
			if err := json.Unmarshal([]byte(s), &m); err != nil {
				t.Errorf("decodeFields accepted %q, which is not JSON: %v", s, err)
			}
		}
		if ss, err := decodeStrings(s); err == nil && utf8.ValidString(s) && !strings.Contains(s, `\u`) {
			var want []string
			if err := json.Unmarshal([]byte(s), &want); err != nil {
				t.Errorf("decodeStrings accepted %q, which is not JSON: %v", s, err)
			} else if !cmp.Equal(ss, want) {
				t.Errorf("decodeStrings(%q) = %q, encoding/json says %q", s, ss, want)
			}
		}
	})
}

func TestRebind(t *testing.T) {
	got := rebind(`INSERT INTO t (a, b) VALUES (?, ?), (?, ?)`)
	if want := `INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4)`; got != want {
		t.Errorf("rebind = %s, want %s", got, want)
	}
}

func TestAgreementDoc(t *testing.T) {
	// The stored names are the format: a renamed Go field must not change them.
	min := 18
	a := tally.Agreement{
		ID: "a", Date: tally.MustDate("2025-05"), Mediator: &tally.Party{Code: "TR"},
		Categories: []tally.Category{{ID: "c", Eligibility: tally.Eligibility{Age: &tally.AgeRule{Min: &min}}}},
	}
	b, err := encodeAgreement(a)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"id":"a","title":"","date":"2025-05","parties":null,"mediator":{"code":"TR","name":""},` +
		`"categories":[{"id":"c","title":"","subject":"","terms":"","quantity":0,"from":"","to":"",` +
		`"eligibility":{"conditions":null,"age":{"min":18,"max":null,"on":""}}}]}`
	if string(b) != want {
		t.Errorf("agreement document\n got %s\nwant %s", b, want)
	}
}
