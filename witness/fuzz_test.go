package witness

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"

	"golang.org/x/mod/sumdb/note"

	"tally/ledger"
)

// FuzzParseAddCheckpoint: the request parser never panics, accepts only
// what appendAddCheckpoint writes (parse, encode, get the same bytes), and
// the whole handler answers any body with a protocol status, never 200
// for what the log did not sign.
func FuzzParseAddCheckpoint(f *testing.F) {
	logS, logV, err := ledger.GenerateRoleKey(ledger.RoleLog, "TR")
	if err != nil {
		f.Fatal(err)
	}
	witS, _, err := ledger.GenerateRoleKey(ledger.RoleWitness, "UA")
	if err != nil {
		f.Fatal(err)
	}
	w, err := New(Config{Key: witS, Logs: []Log{{Verifier: logV}}})
	if err != nil {
		f.Fatal(err)
	}
	h := w.Handler()
	ls, _ := ledger.NewSigner(logS)
	cp0, _ := note.Sign(&note.Note{Text: "tally-log-TR\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\ntime 2026-11-22T04:00:00.000Z\n"}, ls)
	cp2, _ := note.Sign(&note.Note{Text: "tally-log-TR\n2\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"}, ls)
	f.Add([]byte("old 0\n\n"))
	f.Add(append([]byte("old 0\n\n"), cp0...))
	f.Add(append([]byte("old 0\nPlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=\n\n"), cp2...))
	f.Add(append([]byte("old 1\nPlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=\r\n\n"), cp2...))
	f.Add([]byte("old 18446744073709551616\n\nx\n"))
	f.Add([]byte("old 00\n\nx"))
	f.Add([]byte("\n\n\n"))
	f.Fuzz(func(t *testing.T, body []byte) {
		old, proof, cp, err := parseAddCheckpoint(body)
		if err == nil {
			if got := appendAddCheckpoint(nil, old, proof, cp); !bytes.Equal(got, body) {
				t.Fatalf("parsed %q, encoded %q", body, got)
			}
		} else if CodeOf(err) != CodeMalformed {
			t.Fatalf("parse error of code %v: %v", CodeOf(err), err)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/add-checkpoint", bytes.NewReader(body)))
		switch rec.Code {
		case 200, 400, 403, 404, 409, 413, 422:
		default:
			t.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
		if rec.Code == 200 && !bytes.Contains(body, []byte("— tally-log-TR ")) {
			t.Fatalf("cosigned what the log did not sign: %q", body)
		}
	})
}

func TestParseAddCheckpoint(t *testing.T) {
	hash := "PlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=\n"
	tests := []struct {
		name  string
		body  string
		ok    bool
		old   uint64
		proof int
	}{
		{"empty proof", "old 0\n\ncp", true, 0, 0},
		{"one hash", "old 7\n" + hash + "\ncp", true, 7, 1},
		{"63 hashes", "old 7\n" + string(bytes.Repeat([]byte(hash), 63)) + "\ncp", true, 7, 63},
		{"64 hashes", "old 7\n" + string(bytes.Repeat([]byte(hash), 64)) + "\ncp", false, 0, 0},
		{"max size", "old 18446744073709551615\n\ncp", true, 1<<64 - 1, 0},
		{"overflow", "old 18446744073709551616\n\ncp", false, 0, 0},
		{"leading zero", "old 07\n\ncp", false, 0, 0},
		{"plus sign", "old +7\n\ncp", false, 0, 0},
		{"two spaces", "old  7\n\ncp", false, 0, 0},
		{"CRLF", "old 7\r\n\r\ncp", false, 0, 0},
		{"CR in hash", "old 7\n" + hash[:44] + "\r\n\ncp", false, 0, 0},
		{"short hash", "old 7\nAAAA\n\ncp", false, 0, 0},
		{"unpadded hash", "old 7\n" + hash[:43] + "\n\ncp", false, 0, 0},
		{"no checkpoint", "old 7\n\n", false, 0, 0},
		{"no empty line", "old 7\n" + hash, false, 0, 0},
		{"empty", "", false, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			old, proof, cp, err := parseAddCheckpoint([]byte(tt.body))
			if (err == nil) != tt.ok {
				t.Fatalf("err = %v, want ok = %v", err, tt.ok)
			}
			if err == nil && (old != tt.old || len(proof) != tt.proof || string(cp) != "cp") {
				t.Errorf("got %d, %d hashes, %q", old, len(proof), cp)
			}
		})
	}
}
