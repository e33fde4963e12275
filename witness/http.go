package witness

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
)

// MaxRequestBytes bounds an add-checkpoint request body: 63 proof lines
// and a checkpoint with a few dozen signatures fit several times over.
const MaxRequestBytes = 16 << 10

// Handler returns the witness's HTTP interface, c2sp.org/tlog-witness,
// with the submission prefix at the root:
//
//	POST /add-checkpoint
//
// Mount it under a prefix with http.StripPrefix.
func (w *Witness) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /add-checkpoint", w.serveAddCheckpoint)
	return mux
}

func (w *Witness) serveAddCheckpoint(rw http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(rw, r.Body, MaxRequestBytes))
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			writeError(rw, errorf(CodeTooLarge, "the request is larger than %d bytes", MaxRequestBytes))
			return
		}
		writeError(rw, errorf(CodeMalformed, "reading the request: %v", err))
		return
	}
	old, proof, cp, err := parseAddCheckpoint(body)
	if err != nil {
		writeError(rw, err)
		return
	}
	sigs, err := w.AddCheckpoint(old, proof, cp)
	if err != nil {
		writeError(rw, err)
		return
	}
	rw.Header().Set("Content-Type", "text/plain; charset=utf-8")
	rw.WriteHeader(http.StatusOK)
	rw.Write(sigs)
}

// writeError writes err as its status: for a conflict, the witness's size
// as text/x.tlog.size, as the protocol requires; otherwise the message.
func writeError(rw http.ResponseWriter, err error) {
	e, ok := errors.AsType[*Error](err)
	if !ok {
		e = errorf(CodeInternal, "%v", err)
	}
	h := rw.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	if e.Code == CodeConflict {
		h.Set("Content-Type", "text/x.tlog.size")
		rw.WriteHeader(e.Code.Status())
		fmt.Fprintf(rw, "%d\n", e.Size)
		return
	}
	h.Set("Content-Type", "text/plain; charset=utf-8")
	rw.WriteHeader(e.Code.Status())
	fmt.Fprintln(rw, e.Error())
}

// parseAddCheckpoint parses an add-checkpoint request body:
//
//	old <size>\n
//	<base64 hash>\n   (0 to 63 consistency proof lines)
//	\n
//	<checkpoint, a signed note>
//
// The size is decimal without leading zeroes; each hash is 32 bytes in
// canonical standard base64. It checks the form only; AddCheckpoint checks
// the rest.
func parseAddCheckpoint(body []byte) (old uint64, proof [][]byte, checkpoint []byte, err error) {
	line, rest, ok := bytes.Cut(body, []byte("\n"))
	if !ok {
		return 0, nil, nil, errorf(CodeMalformed, "the request has no old size line")
	}
	num, ok := bytes.CutPrefix(line, []byte("old "))
	if !ok || !isDecimal(num) {
		return 0, nil, nil, errorf(CodeMalformed, "the first line must be \"old <size>\", the size in decimal without leading zeroes")
	}
	old, perr := strconv.ParseUint(string(num), 10, 64)
	if perr != nil {
		return 0, nil, nil, errorf(CodeMalformed, "old size %q: out of range", num)
	}
	for {
		line, rest, ok = bytes.Cut(rest, []byte("\n"))
		if !ok {
			return 0, nil, nil, errorf(CodeMalformed, "the request has no empty line before the checkpoint")
		}
		if len(line) == 0 {
			break
		}
		if len(proof) == maxProof {
			return 0, nil, nil, errorf(CodeMalformed, "more than %d consistency proof lines", maxProof)
		}
		// Decoding ignores '\r': compare with the canonical encoding instead.
		h, derr := base64.StdEncoding.Strict().DecodeString(string(line))
		if derr != nil || len(h) != 32 || base64.StdEncoding.EncodeToString(h) != string(line) {
			return 0, nil, nil, errorf(CodeMalformed, "consistency proof line %d is not a 32-byte hash in base64", len(proof)+1)
		}
		proof = append(proof, h)
	}
	if len(rest) == 0 {
		return 0, nil, nil, errorf(CodeMalformed, "the request has no checkpoint")
	}
	return old, proof, rest, nil
}

// appendAddCheckpoint appends the add-checkpoint request body for old,
// proof and checkpoint to b.
func appendAddCheckpoint(b []byte, old uint64, proof [][]byte, checkpoint []byte) []byte {
	b = fmt.Appendf(b, "old %d\n", old)
	for _, h := range proof {
		b = base64.StdEncoding.AppendEncode(b, h)
		b = append(b, '\n')
	}
	b = append(b, '\n')
	return append(b, checkpoint...)
}

// isDecimal reports whether s is an ASCII decimal without leading zeroes.
func isDecimal(s []byte) bool {
	if len(s) == 0 || len(s) > 1 && s[0] == '0' {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
