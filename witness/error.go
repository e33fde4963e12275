package witness

import (
	"errors"
	"fmt"
	"net/http"
)

// Code says why a witness refused a checkpoint. Each code is one HTTP
// status of c2sp.org/tlog-witness; status and code are turned into each
// other in exactly one place (Code.Status and codeOf).
type Code int

const (
	CodeInternal     Code = iota + 1 // 500: the witness failed (storage); retry later
	CodeMalformed                    // 400: the request is not an add-checkpoint body, or old size > checkpoint size
	CodeTooLarge                     // 413: the request body is larger than the witness reads
	CodeUnknownLog                   // 404: the witness knows no log of this origin
	CodeBadSignature                 // 403: no signature of the log's key verifies
	CodeConflict                     // 409: old size is not the witness's size, or same size with another root (Error.Size holds the witness's size)
	CodeBadProof                     // 422: the consistency proof does not verify
)

// Status returns the HTTP status of c.
func (c Code) Status() int {
	switch c {
	case CodeMalformed:
		return http.StatusBadRequest
	case CodeTooLarge:
		return http.StatusRequestEntityTooLarge
	case CodeUnknownLog:
		return http.StatusNotFound
	case CodeBadSignature:
		return http.StatusForbidden
	case CodeConflict:
		return http.StatusConflict
	case CodeBadProof:
		return http.StatusUnprocessableEntity
	}
	return http.StatusInternalServerError
}

// codeOf is the inverse of Code.Status, for the client; 0 for a status the
// protocol does not define.
func codeOf(status int) Code {
	for c := CodeInternal; c <= CodeBadProof; c++ {
		if c.Status() == status {
			return c
		}
	}
	return 0
}

func (c Code) String() string {
	switch c {
	case CodeInternal:
		return "internal error"
	case CodeMalformed:
		return "malformed request"
	case CodeTooLarge:
		return "request too large"
	case CodeUnknownLog:
		return "unknown log"
	case CodeBadSignature:
		return "bad log signature"
	case CodeConflict:
		return "conflict"
	case CodeBadProof:
		return "bad consistency proof"
	}
	return fmt.Sprintf("code(%d)", int(c))
}

// Error is a refusal by a witness: returned by Witness.AddCheckpoint,
// written by the handler as its HTTP status, and read back by Client.
type Error struct {
	Code Code
	// Size is, for CodeConflict, the size of the latest checkpoint the
	// witness cosigned: retry with a consistency proof from it. If it is
	// the old size sent, the witness holds another tree of that size (a
	// fork); if it is larger than the checkpoint, the log was rolled back
	// (or the checkpoint is stale).
	Size uint64
	// Status is the HTTP status a Client received (0 on the server side).
	Status int
	Msg    string
}

func (e *Error) Error() string {
	if e.Msg == "" {
		return "witness: " + e.Code.String()
	}
	return "witness: " + e.Msg
}

func errorf(c Code, format string, args ...any) *Error {
	return &Error{Code: c, Msg: fmt.Sprintf(format, args...)}
}

// CodeOf returns the code of err if it is (or wraps) an *Error, and 0 otherwise.
func CodeOf(err error) Code {
	if e, ok := errors.AsType[*Error](err); ok {
		return e.Code
	}
	return 0
}
