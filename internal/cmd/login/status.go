package login

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/wardauth/ward/client/credstore"
	"github.com/wardauth/ward/client/session"
	"github.com/wardauth/ward/internal/cmd/exit"
	"github.com/wardauth/ward/internal/cmd/factory"
)

// StatusOptions are `ward login status`'s settings.
type StatusOptions struct {
	*factory.Factory
	JSON bool
	Now  func() time.Time
}

// Status is what `ward login status --json` prints.
type Status struct {
	LoggedIn         bool       `json:"logged_in"`
	AuthMode         string     `json:"auth_mode,omitempty"` // "account", "api_key" or "api_key_env"
	Issuer           string     `json:"issuer,omitempty"`
	AccountID        string     `json:"account_id,omitempty"`
	Email            string     `json:"email,omitempty"`
	WorkspaceID      string     `json:"workspace_id,omitempty"`
	APIKey           string     `json:"api_key,omitempty"` // masked
	Store            string     `json:"credential_store,omitempty"`
	AccessExpiresAt  *time.Time `json:"access_token_expires_at,omitempty"`
	SessionExpiresAt *time.Time `json:"session_expires_at,omitempty"`
	Problem          string     `json:"problem,omitempty"`
}

func newStatusCmd(f *factory.Factory) *cobra.Command {
	o := &StatusOptions{Factory: f, Now: time.Now}
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Show how you are logged in",
		Long:  "Show how you are logged in. Exits 0 when logged in, 4 when not logged in or the session has expired.",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return status(cmd.Context(), o)
		},
	}
	cmd.Flags().BoolVar(&o.JSON, "json", false, "print the status as JSON on standard output")
	return cmd
}

func status(ctx context.Context, o *StatusOptions) error {
	s, err := o.current(ctx)
	if err != nil {
		return err
	}
	if o.JSON {
		enc := json.NewEncoder(o.IO.Out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(s); err != nil {
			return err
		}
	} else {
		o.print(s)
	}
	if !s.LoggedIn {
		return exit.Silent(session.ExitCode)
	}
	return nil
}

func (o *StatusOptions) current(ctx context.Context) (*Status, error) {
	if key := o.Getenv("WARD_API_KEY"); key != "" {
		return &Status{LoggedIn: true, AuthMode: "api_key_env", APIKey: credstore.Mask(key), Issuer: o.Getenv("WARD_ISSUER")}, nil
	}
	eff, err := o.Settings()
	if err != nil {
		return nil, err
	}
	src, err := o.Session(ctx, eff)
	if err != nil {
		return nil, err
	}
	c, err := src.Credentials(ctx)
	var se *session.Error
	if errors.As(err, &se) {
		return &Status{LoggedIn: false, Store: src.Store.Name(), Problem: se.Msg}, nil
	}
	if err != nil {
		return nil, err
	}
	s := &Status{
		LoggedIn: true, AuthMode: c.AuthMode, Issuer: c.Issuer, AccountID: c.AccountID,
		Email: c.Email, WorkspaceID: c.WorkspaceID, Store: src.Store.Name(),
	}
	if c.APIKey != "" {
		s.APIKey = credstore.Mask(c.APIKey)
	}
	if c.Tokens != nil {
		s.AccessExpiresAt = &c.Tokens.ExpiresAt
	}
	if !c.SessionExpiresAt.IsZero() {
		s.SessionExpiresAt = &c.SessionExpiresAt
	}
	return s, nil
}

func (o *StatusOptions) print(s *Status) {
	w := o.IO.ErrOut
	if !s.LoggedIn {
		msg := "You are not logged in; run ward login."
		if s.Problem != "" && s.Problem != session.ErrNotLoggedIn.Msg {
			msg = "Your login no longer works: " + s.Problem + "."
		}
		fmt.Fprintln(w, msg)
		return
	}
	switch s.AuthMode {
	case "api_key_env":
		fmt.Fprintf(w, "Using the API key in WARD_API_KEY (%s); nothing is stored.\n", s.APIKey)
		return
	case credstore.AuthModeAPIKey:
		fmt.Fprintf(w, "Logged in to %s with an API key (%s).\n", s.Issuer, s.APIKey)
	default:
		fmt.Fprintf(w, "Logged in to %s as %s (account %s).\n", s.Issuer, s.Email, s.AccountID)
	}
	if s.WorkspaceID != "" {
		fmt.Fprintf(w, "  Workspace:        %s\n", s.WorkspaceID)
	}
	fmt.Fprintf(w, "  Credential store: %s\n", s.Store)
	if s.AccessExpiresAt != nil {
		fmt.Fprintf(w, "  Access token:     valid for %s (until %s)\n",
			s.AccessExpiresAt.Sub(o.Now()).Round(time.Second), s.AccessExpiresAt.UTC().Format(time.RFC3339))
	}
	if s.SessionExpiresAt != nil {
		fmt.Fprintf(w, "  Session:          ends %s\n", s.SessionExpiresAt.UTC().Format(time.RFC3339))
	}
}
