package witness_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"tally/witness"
)

// The client turns each answer of a witness into a cosignature or an
// *Error, whatever the witness sends.
func TestClientResponses(t *testing.T) {
	tests := []struct {
		name   string
		status int
		ctype  string
		body   string
		code   witness.Code // 0 with ok: a cosignature
		ok     bool
		size   uint64
	}{
		{"cosignature", 200, "", "— tally-witness-UA AAAA\n", 0, true, 0},
		{"two lines", 200, "", "— a AAAA\n— b AAAA\n", 0, true, 0},
		{"empty 200", 200, "", "", 0, false, 0},
		{"200 without newline", 200, "", "— a AAAA", 0, false, 0},
		{"200 HTML", 200, "text/html", "<html>", 0, false, 0},
		{"conflict", 409, "text/x.tlog.size", "42\n", witness.CodeConflict, false, 42},
		{"conflict, charset", 409, "text/x.tlog.size; charset=utf-8", "42\n", witness.CodeConflict, false, 42},
		{"conflict without size", 409, "text/plain", "nope\n", 0, false, 0},
		{"conflict, bad size", 409, "text/x.tlog.size", "042\n", 0, false, 0},
		{"unknown log", 404, "", "", witness.CodeUnknownLog, false, 0},
		{"forbidden", 403, "", "witness: no\n", witness.CodeBadSignature, false, 0},
		{"bad proof", 422, "", "", witness.CodeBadProof, false, 0},
		{"bad request", 400, "", "", witness.CodeMalformed, false, 0},
		{"teapot", 418, "", "", 0, false, 0},
		{"huge", 200, "", strings.Repeat("— a AAAA\n", 10000), 0, false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Method != http.MethodPost || r.URL.Path != "/w/add-checkpoint" {
					http.Error(w, "wrong request", 500)
					return
				}
				if tt.ctype != "" {
					w.Header().Set("Content-Type", tt.ctype)
				}
				w.WriteHeader(tt.status)
				w.Write([]byte(tt.body))
			}))
			defer srv.Close()
			c, err := witness.NewClient(srv.URL+"/w/", nil)
			if err != nil {
				t.Fatal(err)
			}
			got, err := c.AddCheckpoint(ctx(t), 0, nil, []byte("cp\n"))
			if tt.ok {
				if err != nil || string(got) != tt.body {
					t.Fatalf("got %q, %v", got, err)
				}
				return
			}
			if err == nil {
				t.Fatalf("no error; got %q", got)
			}
			e, isE := errors.AsType[*witness.Error](err)
			// A refusal is an *Error; a 200 that is not cosignature lines is not.
			if tt.status != 200 && (!isE || e.Code != tt.code || e.Size != tt.size || e.Status != tt.status) {
				t.Fatalf("err %#v, want code %v size %d", err, tt.code, tt.size)
			}
		})
	}
	if _, err := witness.NewClient("ftp://x", nil); err == nil {
		t.Error("ftp:// accepted")
	}
}
