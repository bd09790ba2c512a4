package login

import (
	"fmt"
	"io"
	"os"
	"time"
)

// spin shows a spinner with msg on w while waiting, if w is a terminal
// (in a log it would only be noise). The returned func stops it.
func spin(w io.Writer, msg string) (stop func()) {
	if f, ok := w.(*os.File); !ok || !isTerminal(f) {
		fmt.Fprintln(w, msg+"...")
		return func() {}
	}
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		frames := `|/-\`
		for i := 0; ; i++ {
			fmt.Fprintf(w, "\r%c %s", frames[i%len(frames)], msg)
			select {
			case <-done:
				fmt.Fprint(w, "\r\033[K")
				return
			case <-time.After(120 * time.Millisecond):
			}
		}
	}()
	return func() { close(done); <-finished }
}

func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
