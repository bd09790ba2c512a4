// Command ward is Ward's one binary: the identity server, the CLI that
// signs in to it, and the credential auditor.
package main

import (
	"context"
	"os"

	"github.com/wardauth/ward/internal/cmd/factory"
	"github.com/wardauth/ward/internal/cmd/root"
	"github.com/wardauth/ward/internal/iostreams"
)

func main() {
	f := factory.New(iostreams.System())
	err := root.NewCmd(f).ExecuteContext(context.Background())
	os.Exit(root.ExitCode(err, f.IO.ErrOut))
}
