// Package audit implements `ward audit`: find leaked credentials in trees,
// git history and container images, and revoke the Ward ones.
package audit

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"time"

	"github.com/spf13/cobra"

	wardaudit "github.com/wardauth/ward/audit"
	"github.com/wardauth/ward/audit/baseline"
	"github.com/wardauth/ward/audit/detect"
	"github.com/wardauth/ward/audit/gitsrc"
	"github.com/wardauth/ward/audit/host"
	"github.com/wardauth/ward/audit/image"
	"github.com/wardauth/ward/audit/report"
	"github.com/wardauth/ward/audit/tree"
	"github.com/wardauth/ward/internal/buildinfo"
	"github.com/wardauth/ward/internal/cmd/exit"
	"github.com/wardauth/ward/internal/cmd/factory"
)

// Exit codes of `ward audit`, as CI scripts and pre-commit hooks read them.
const (
	exitFindings = 1
	exitError    = 2
)

// Options are `ward audit`'s settings.
type Options struct {
	*factory.Factory
	Paths         []string
	Git           bool
	Staged        bool
	Images        []string
	Host          bool
	Format        string
	NoIgnore      bool
	MaxSize       int64
	Baseline      string
	WriteBaseline string
	CheckLive     bool
	Revoke        bool
	Issuer        string
}

// NewCmd returns `ward audit`.
func NewCmd(f *factory.Factory) *cobra.Command {
	o := &Options{Factory: f}
	cmd := &cobra.Command{
		Use:   "audit [PATH...]",
		Short: "Find leaked credentials in files, git history and container images",
		Long: `Scan for credentials that leaked: Ward API keys and tokens (recognised by their
checksum, so random text is not reported), OpenAI-style keys, JWTs, key assignments
in .env files, and credential files recognised by their structure (Ward and Codex
auth.json, gh hosts.yml, .netrc, docker config.json).

Exits 0 when nothing is found, 1 when something is, 2 when the scan failed (a scan
that could not read everything never reports "clean"). Secrets are never printed:
findings show a redacted form and a fingerprint.`,
		Example: `  ward audit
  ward audit --git --format sarif > ward.sarif
  ward audit --image myapp.tar --image ./oci-layout
  ward audit --staged                       # in a pre-commit hook
  ward audit --write-baseline .ward-baseline.json && ward audit --baseline .ward-baseline.json`,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Paths = args
			return exitCoded(run(cmd.Context(), o))
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&o.Git, "git", false, "scan every blob reachable from all refs of the git repositories at PATH, not the work tree")
	fl.BoolVar(&o.Staged, "staged", false, "scan the staged changes of the repository at PATH (for a pre-commit hook)")
	fl.StringArrayVar(&o.Images, "image", nil, "container image to scan: a docker-save tarball, an OCI layout directory or a registry reference (repeatable)")
	fl.BoolVar(&o.Host, "host", false, "audit this machine: credential files readable by others or in plain text where a keyring exists, sync and dotfile folders, shell history")
	fl.StringVar(&o.Format, "format", "text", "output format: text, json or sarif")
	fl.BoolVar(&o.NoIgnore, "no-ignore", false, "also scan files .gitignore excludes")
	fl.Int64Var(&o.MaxSize, "max-size", 10<<20, "skip files larger than this many bytes")
	fl.StringVar(&o.Baseline, "baseline", "", "ignore the findings recorded in this baseline file")
	fl.StringVar(&o.WriteBaseline, "write-baseline", "", "record the current findings as accepted in this file and exit 0")
	fl.BoolVar(&o.CheckLive, "check-live", false, "ask the issuer whether each Ward access token found still works (network)")
	fl.BoolVar(&o.Revoke, "revoke", false, "revoke every Ward token found at its issuer (RFC 7009), then report")
	fl.StringVar(&o.Issuer, "issuer", "", "issuer for Ward refresh tokens found (default $WARD_ISSUER); JWTs name their own")
	cmd.MarkFlagsMutuallyExclusive("git", "staged")
	return cmd
}

func run(ctx context.Context, o *Options) error {
	if o.Format != "text" && o.Format != "json" && o.Format != "sarif" {
		return fmt.Errorf("--format must be text, json or sarif, not %q", o.Format)
	}
	start := time.Now()
	findings, sum, err := o.scan(ctx)
	if err != nil {
		return err
	}
	if o.WriteBaseline != "" {
		if err := baseline.Write(o.WriteBaseline, findings); err != nil {
			return err
		}
		fmt.Fprintf(o.IO.ErrOut, "Recorded %d findings as accepted in %s.\n", len(findings), o.WriteBaseline)
		return nil
	}
	if o.Baseline != "" {
		b, err := baseline.Load(o.Baseline)
		if err != nil {
			return err
		}
		var suppressed []wardaudit.Finding
		findings, suppressed = b.Filter(findings)
		if len(suppressed) > 0 {
			fmt.Fprintf(o.IO.ErrOut, "%d findings accepted by %s are not shown.\n", len(suppressed), o.Baseline)
		}
	}
	if o.CheckLive || o.Revoke {
		o.live(ctx, findings)
	}
	sum.Duration = time.Since(start)
	if err := o.write(findings, sum); err != nil {
		return err
	}
	if len(findings) > 0 {
		return exit.Silent(exitFindings) // the report said it
	}
	return nil
}

func (o *Options) write(findings []wardaudit.Finding, sum report.Summary) error {
	switch o.Format {
	case "json":
		return report.JSON(o.IO.Out, findings, sum)
	case "sarif":
		return report.SARIF(o.IO.Out, findings, sum, buildinfo.String())
	}
	color := false
	if f, ok := o.IO.Out.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 && o.Getenv("NO_COLOR") == "" {
			color = true
		}
	}
	return report.Text(o.IO.Out, findings, sum, color)
}

// scan runs every source through the detectors.
func (o *Options) scan(ctx context.Context) ([]wardaudit.Finding, report.Summary, error) {
	paths := o.Paths
	if len(paths) == 0 && len(o.Images) == 0 && !o.Host {
		paths = []string{"."}
	}
	var sources []wardaudit.Source
	var findings []wardaudit.Finding
	if o.Host {
		m, err := o.machine()
		if err != nil {
			return nil, report.Summary{}, err
		}
		findings = append(findings, m.Posture()...)
		sources = append(sources, m.Sources()...)
	}
	var repos []*gitsrc.Repo
	for _, p := range paths {
		switch {
		case o.Git || o.Staged:
			r := &gitsrc.Repo{Dir: p, Staged: o.Staged, MaxSize: o.MaxSize}
			repos = append(repos, r)
			sources = append(sources, r)
		default:
			sources = append(sources, &tree.Dir{Root: p, NoIgnore: o.NoIgnore, MaxSize: o.MaxSize})
		}
	}
	for _, ref := range o.Images {
		sources = append(sources, &image.Image{Ref: ref, MaxSize: o.MaxSize})
	}
	sc := &wardaudit.Scanner{Detectors: detect.All()}
	sum := report.Summary{Skipped: map[string]int{}}
	files := map[string]bool{}
	for _, f := range findings {
		files[report.Where(f.Location)] = true
	}
	prog := startProgress(o.IO.ErrOut)
	defer prog.end()
	for _, src := range sources {
		st, err := sc.Scan(ctx, prog.wrap(src), func(f wardaudit.Finding) {
			findings = append(findings, f)
			files[report.Where(f.Location)] = true
		})
		if err != nil {
			return nil, sum, err
		}
		sum.Items += st.Items
		sum.Bytes += st.Bytes
		for k, v := range st.Skipped {
			sum.Skipped[k] += v
		}
	}
	for _, r := range repos {
		sum.Commits += r.Commits()
	}
	sum.Files = len(files)
	return findings, sum, nil
}

// machine describes this machine for --host.
func (o *Options) machine() (host.Machine, error) {
	home, err := os.UserHomeDir()
	if h := o.Getenv("HOME"); h != "" {
		home, err = h, nil
	}
	if err != nil {
		return host.Machine{}, fmt.Errorf("finding your home directory for --host: %w", err)
	}
	keyring := runtime.GOOS == "darwin" || runtime.GOOS == "windows" || o.Getenv("DBUS_SESSION_BUS_ADDRESS") != ""
	return host.Machine{Home: home, WardHome: o.Getenv("WARD_HOME"), KeyringAvailable: keyring}, nil
}

// exitCoded gives every failure of the scan exit status 2, so a script can
// tell "found something" from "could not tell".
func exitCoded(err error) error {
	var e *exit.Error
	if err == nil || errors.As(err, &e) {
		return err
	}
	return &exit.Error{Code: exitError, Err: err}
}
