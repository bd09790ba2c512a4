// Package run implements `ward run`: a command run with a fresh token in
// its environment.
package run

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/wardauth/ward/internal/cmd/exit"
	"github.com/wardauth/ward/internal/cmd/factory"
)

// Options are `ward run`'s settings.
type Options struct {
	*factory.Factory
	Args []string
}

// NewCmd returns `ward run`.
func NewCmd(f *factory.Factory) *cobra.Command {
	o := &Options{Factory: f}
	return &cobra.Command{
		Use:   "run -- COMMAND [ARGS...]",
		Short: "Run a command with a fresh access token in WARD_ACCESS_TOKEN",
		Long: `Run COMMAND with a valid access token in WARD_ACCESS_TOKEN and the server in
WARD_ISSUER. Access tokens live minutes: a long-running command should run
` + "`ward token`" + ` whenever it needs a fresh one (it refreshes safely alongside other
ward processes). Exits with the command's own exit status.`,
		Example: `  ward run -- ./deploy.sh
  ward run -- sh -c 'curl -H "Authorization: Bearer $WARD_ACCESS_TOKEN" "$WARD_ISSUER/v1/me"'`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Args = args
			return run(cmd.Context(), o)
		},
	}
}

func run(ctx context.Context, o *Options) error {
	a, err := o.Auth(ctx)
	if err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, o.Args[0], o.Args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = o.IO.In, o.IO.Out, o.IO.ErrOut
	cmd.Env = append(os.Environ(), "WARD_ACCESS_TOKEN="+a.Token, "WARD_ISSUER="+a.Issuer)
	// Ctrl-C reaches the child through the terminal; ward waits for it to
	// exit rather than dying first and orphaning it.
	signal.Ignore(syscall.SIGINT)
	defer signal.Reset(syscall.SIGINT)
	err = cmd.Run()
	var child *exec.ExitError
	if errors.As(err, &child) {
		code := child.ExitCode()
		if code < 0 { // killed by a signal
			code = 1
		}
		return exit.Silent(code)
	}
	if err != nil {
		return fmt.Errorf("running %s: %w", o.Args[0], err)
	}
	return nil
}
