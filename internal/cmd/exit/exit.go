// Package exit carries a process exit status through a command's error,
// for cmd/ward to exit with (root.ExitCode reads ExitCode()).
package exit

// Error ends a command with Code. Its message is Err's; with no Err the
// command has already said everything and nothing more is printed.
type Error struct {
	Code int
	Err  error
}

func (e *Error) Error() string {
	if e.Err == nil {
		return ""
	}
	return e.Err.Error()
}

// ExitCode is the status to exit with.
func (e *Error) ExitCode() int { return e.Code }

func (e *Error) Unwrap() error { return e.Err }

// Silent ends a command with code and no message.
func Silent(code int) error { return &Error{Code: code} }
