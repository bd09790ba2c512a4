package server

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/wardauth/ward/client/policy"
)

// requirementsHandler publishes the login requirements an administrator set
// for this server (--requirements, the same TOML as the CLI's managed
// requirements.toml) at policy.WellKnownPath, where `ward login` fetches
// them; the stricter of these and the machine's own binds. The file is read
// once, at start, so a mistake in it stops the server rather than a login.
func requirementsHandler(path string) (http.Handler, error) {
	r, err := policy.LoadRequirements(path)
	if err != nil {
		return nil, fmt.Errorf("reading --requirements: %w", err)
	}
	body, err := json.Marshal(struct {
		Method     string   `json:"forced_login_method,omitempty"`
		Workspaces []string `json:"forced_workspace_id,omitempty"`
	}{r.LoginMethod.Value, r.Workspaces.Values})
	if err != nil {
		return nil, err
	}
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "max-age=300")
		w.Write(body)
	}), nil
}
