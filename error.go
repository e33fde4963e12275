package tally

import (
	"errors"
	"fmt"
)

// ErrorCode classifies an error so that the command line can pick an exit
// code and the HTTP layer a status, each in exactly one place.
type ErrorCode string

const (
	EInvalid  ErrorCode = "invalid"   // the input is malformed or breaks a rule
	ENotFound ErrorCode = "not-found" // the thing asked for does not exist
	EConflict ErrorCode = "conflict"  // it exists already, differently
	EInternal ErrorCode = "internal"  // a fault of ours or of the machine
	// EUnauthorized: who is asking is not known (no session, a wrong
	// password, an expired session or token).
	EUnauthorized ErrorCode = "unauthorized"
	// EForbidden: who is asking is known, and may not do this.
	EForbidden ErrorCode = "forbidden"
)

// Error is an error a user can act on: what is wrong, where (file, line,
// key) and, where we know it, what to do.
type Error struct {
	Code    ErrorCode
	File    string // the file the problem is in, if any
	Line    int    // 1-based line in File, 0 when not known
	Key     string // the key or column at fault, if any
	Message string // what is wrong, in the users' words, lower case
	Hint    string // what to do about it, may be empty
	Err     error  // the underlying cause, for errors.Is/As
}

func (e *Error) Error() string {
	s := ""
	switch {
	case e.File != "" && e.Line > 0:
		s = fmt.Sprintf("%s:%d: ", e.File, e.Line)
	case e.File != "":
		s = e.File + ": "
	case e.Line > 0:
		s = fmt.Sprintf("line %d: ", e.Line)
	}
	if e.Key != "" {
		s += e.Key + ": "
	}
	s += e.Message
	if e.Err != nil && e.Message == "" {
		s += e.Err.Error()
	}
	if e.Hint != "" {
		s += " (" + e.Hint + ")"
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with the given code and formatted message.
func Errorf(code ErrorCode, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCodeOf returns the code of the first *Error in err's chain, or
// EInternal for any other non-nil error.
func ErrorCodeOf(err error) ErrorCode {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EInternal
}

// InFile returns err placed in file (and line, if known and not already
// set), keeping an existing *Error's code and hint.
func InFile(err error, file string, line int) error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		c := *e
		if c.File == "" {
			c.File = file
		}
		if c.Line == 0 {
			c.Line = line
		}
		return &c
	}
	return &Error{Code: EInvalid, File: file, Line: line, Message: err.Error(), Err: err}
}
