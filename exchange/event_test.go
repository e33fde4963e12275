package exchange

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
	"time"

	"tally"
)

// samples has one event of every kind.
func samples() []Event {
	at := time.Date(2025, 6, 5, 10, 30, 0, 123e6, time.UTC)
	m := ref("ru-request", "RR-0001")
	bodies := []any{
		ListSubmitted{List: "ua-request", Version: 1, Kind: "request", Rows: []ListRow{{"UA-0017", "aged-18-25"}, {"UA-0018", ""}}},
		ListAnswered{List: "ua-request", Version: 1, Answers: []Answer{{Ref: "UA-0017", Accepted: true}, {Ref: "UA-0018", Objection: ObjectionOther, Text: "<held> & \"moved\""}}},
		MemberAppointed{Member: "Dr Örnek (synthetic)", Side: "TR"},
		Vote{Person: ref("ua-request", "UA-0017"), Category: swi, Decision: Eligible, Member: "Dr Örnek (synthetic)"},
		CommissionDecided{Person: ref("ua-request", "UA-0017"), Category: swi, Decision: Reexamine},
		PairConfirmed{Request: ref("ua-request", "UA-0017"), Custody: ref("ru-custody", "RC-0042")},
		PairRejected{Request: ref("ua-request", "UA-0017"), Custody: ref("ru-custody", "RC-0042"), Text: "different birth year"},
		RoundPlanned{Round: "round-1", Date: "2025-06-14", Manifests: []Manifest{mf("RU", "UA", swi, ref("ru-custody", "RC-0042"))},
			Omissions: []Omission{{From: "RU", Category: swi, Person: ref("ru-custody", "RC-0043"), Reason: "in surgery"}}},
		RoundApproved{Round: "round-1"},
		HandedOver{Round: "round-1", Person: ref("ru-custody", "RC-0042")},
		Acknowledged{Round: "round-1", Person: ref("ru-custody", "RC-0042"), Status: ReceivedDisputed, Note: "papers differ"},
		DeliveredUnlisted{Round: "round-1", From: "RU", Category: swi, Ref: "unlisted-1"},
		RemainsTransferred{Stage: "stage-1", Category: "remains", From: "RU", To: "UA", Count: 2, Tags: []string{"B-1", "B-2"}, Mutual: true},
		RemainsAcknowledged{Stage: "stage-1", From: "RU", Count: 2},
		RemainsIdentified{Stage: "stage-1", From: "RU", Tag: "B-1", Result: Identified, Missing: &m, Method: "dna"},
		DiscrepancyStatusSet{Discrepancy: 1, Status: Explained, Text: "counted twice"},
		ChildCaseOpened{Case: "case-1", Child: ref("ua-children", "CH-0001")},
		ChildCaseStep{Case: "case-1", Step: StepDeclined, Reason: "the guardian declined"},
	}
	var es []Event
	for _, b := range bodies {
		es = append(es, Event{Kind: kindOf(b), By: "UA", Actor: "Olena Testenko (synthetic)", At: at, Body: b})
	}
	return es
}

func TestSamplesCoverEveryKind(t *testing.T) {
	var got []string
	for _, e := range samples() {
		got = append(got, e.Kind)
	}
	if !reflect.DeepEqual(got, Kinds()) {
		t.Fatalf("samples %v, kinds %v", got, Kinds())
	}
	for _, k := range Kinds() {
		if !idPattern.MatchString(k) || k[0] < 'a' || k[0] > 'z' {
			t.Errorf("kind %q is not a valid ledger entry kind", k)
		}
	}
}

func TestRoundTrip(t *testing.T) {
	for _, e := range samples() {
		b, err := Encode(e)
		if err != nil {
			t.Fatalf("%s: %v", e.Kind, err)
		}
		d, err := Decode(b)
		if err != nil {
			t.Fatalf("%s: %v\n%s", e.Kind, err, b)
		}
		if !reflect.DeepEqual(d, e) {
			t.Errorf("%s: round trip\n got %#v\nwant %#v", e.Kind, d, e)
		}
		b2, _ := Encode(d)
		if !bytes.Equal(b, b2) {
			t.Errorf("%s: encodings differ", e.Kind)
		}
	}
}

func TestEncodeKnownAnswer(t *testing.T) {
	e := samples()[1]
	e.At = time.Date(2025, 6, 5, 13, 30, 0, 123456789, time.FixedZone("TRT", 3*3600))
	b, err := Encode(e)
	if err != nil {
		t.Fatal(err)
	}
	const want = `{"kind":"list-answered","by":"UA","actor":"Olena Testenko (synthetic)","at":"2025-06-05T10:30:00.123Z",` +
		`"body":{"list":"ua-request","version":1,"answers":[{"ref":"UA-0017","accepted":true},` +
		`{"ref":"UA-0018","objection":"other","text":"<held> & \"moved\""}]}}`
	if string(b) != want {
		t.Fatalf("got\n%s\nwant\n%s", b, want)
	}
}

func TestEncodeRefuses(t *testing.T) {
	e := samples()[0]
	for name, mod := range map[string]func(*Event){
		"unknown kind": func(e *Event) { e.Kind = "list-stolen" },
		"wrong body":   func(e *Event) { e.Body = RoundApproved{Round: "1"} },
		"pointer body": func(e *Event) { b := e.Body.(ListSubmitted); e.Body = &b },
		"no body":      func(e *Event) { e.Body = nil },
		"no time":      func(e *Event) { e.At = time.Time{} },
		"year 10000":   func(e *Event) { e.At = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC) },
	} {
		x := e
		mod(&x)
		if _, err := Encode(x); tally.ErrorCodeOf(err) != tally.EInvalid {
			t.Errorf("%s: got %v", name, err)
		}
	}
}

func TestDecodeRefuses(t *testing.T) {
	good, _ := Encode(samples()[9]) // handed-over
	g := string(good)
	for name, b := range map[string]string{
		"empty":              "",
		"not json":           "handed-over UA",
		"trailing data":      g + "{}",
		"trailing newline":   g + "\n",
		"spaces":             strings.Replace(g, `"kind":`, `"kind": `, 1),
		"unknown field":      strings.Replace(g, `"by":"UA"`, `"by":"UA","party":"UA"`, 1),
		"unknown body field": strings.Replace(g, `"round":"round-1"`, `"round":"round-1","name":"x"`, 1),
		"unknown kind":       strings.Replace(g, `handed-over`, `handed-back`, 1),
		"kind in capitals":   strings.Replace(g, `"kind"`, `"KIND"`, 1),
		"field order":        strings.Replace(g, `"by":"UA","actor":"Olena Testenko (synthetic)"`, `"actor":"Olena Testenko (synthetic)","by":"UA"`, 1),
		"time without ms":    strings.Replace(g, `10:30:00.123Z`, `10:30:00Z`, 1),
		"time in a zone":     strings.Replace(g, `10:30:00.123Z`, `10:30:00.123+00:00`, 1),
		"escaped letter":     strings.Replace(g, `UA","actor`, `\u0055A","actor`, 1),
		"null body":          g[:strings.Index(g, `"body":`)] + `"body":null}`,
		"empty field":        strings.Replace(g, `"round":"round-1"`, `"round":""`, 1),
		"duplicate key":      strings.Replace(g, `"by":"UA"`, `"by":"RU","by":"UA"`, 1),
		"zero time":          strings.Replace(g, `2025-06-05T10:30:00.123Z`, `0001-01-01T00:00:00.000Z`, 1),
	} {
		if _, err := Decode([]byte(b)); tally.ErrorCodeOf(err) != tally.EInvalid {
			t.Errorf("%s: got %v for %s", name, err, b)
		}
	}
}

func FuzzDecode(f *testing.F) {
	for _, e := range samples() {
		b, _ := Encode(e)
		f.Add(b)
	}
	f.Add([]byte(`{"kind":"round-approved","by":"UA","actor":"x","at":"2025-06-05T10:30:00.123Z","body":{}}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		e, err := Decode(b)
		if err != nil {
			return
		}
		again, err := Encode(e)
		if err != nil {
			t.Fatalf("decoded but does not encode: %v", err)
		}
		if !bytes.Equal(again, b) {
			t.Fatalf("not canonical:\n%s\n%s", b, again)
		}
		e2, err := Decode(again)
		if err != nil || !reflect.DeepEqual(e, e2) {
			t.Fatalf("decode(encode(decode(b))) differs: %v", err)
		}
		// Whatever decodes, Apply must judge without panicking.
		_ = NewState(testAgreement()).Apply(0, e)
	})
}

func TestApplyAtTheMillisecond(t *testing.T) {
	e := Event{Kind: KindListSubmitted, By: "UA", Actor: actors["UA"], At: time.Date(2025, 6, 5, 10, 0, 0, 123456789, time.UTC), Body: v1}
	live := NewState(testAgreement())
	if err := live.Apply(0, e); err != nil {
		t.Fatal(err)
	}
	b, _ := Encode(e)
	d, _ := Decode(b)
	replayed := NewState(testAgreement())
	if err := replayed.Apply(0, d); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(live.Lists(), replayed.Lists()) {
		t.Fatalf("live %+v, replayed %+v", live.Lists(), replayed.Lists())
	}
}
