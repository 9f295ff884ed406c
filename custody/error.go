package custody

import (
	"errors"
	"fmt"
)

// Code classifies a refusal. The set is small and stable: transports map each code to
// one status (see the api package) and clients may switch on it.
type Code string

const (
	// Invalid: the command is malformed or a field fails validation.
	Invalid Code = "invalid"
	// NotFound: the command names an entity that does not exist.
	NotFound Code = "not_found"
	// Conflict: the command clashes with an existing entity (a duplicate code,
	// registration number or identifier).
	Conflict Code = "conflict"
	// Refused: the command is well formed but the current state forbids it (for
	// example releasing a person who is already released).
	Refused Code = "refused"
	// Internal: a fault of the system, not of the request.
	Internal Code = "internal"
	// Stale: the command was made against a version of a record (its If-Match)
	// that is no longer the record's version (HTTP 412).
	Stale Code = "precondition_failed"
)

// Error is the one error type that the domain returns. Field names the offending
// field as a JSON path into the command ("person.nationalities[1]"), when there is one.
type Error struct {
	Code    Code
	Field   string
	Message string
	Err     error // the cause, if any
}

func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("%s: %s", e.Field, e.Message)
	}
	return e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with the given code and field.
func Errorf(code Code, field, format string, args ...any) *Error {
	return &Error{Code: code, Field: field, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, or Internal.
func ErrorCode(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// within prefixes the field of an *Error with a parent path, so that validation of a
// nested value can report the full path. Other errors pass unchanged.
func within(prefix string, err error) error {
	var e *Error
	if err == nil || !errors.As(err, &e) {
		return err
	}
	c := *e
	switch {
	case c.Field == "":
		c.Field = prefix
	case c.Field[0] == '[':
		c.Field = prefix + c.Field
	default:
		c.Field = prefix + "." + c.Field
	}
	return &c
}
