// Package api is Ward's own resource API, protected by Ward access tokens.
package api

import (
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/wardauth/ward/server/store"
	"github.com/wardauth/ward/verify"
)

// Handler serves /v1/ behind v's bearer-token check.
func Handler(st store.Store, v *verify.Verifier) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /v1/me", v.Middleware(me(st)))
	return mux
}

// Me is the answer of GET /v1/me: who the caller is and how they signed in.
type Me struct {
	AccountID string    `json:"account_id"`
	Email     string    `json:"email"`
	Name      string    `json:"name,omitempty"`
	ClientID  string    `json:"client_id"`
	SessionID string    `json:"session_id"`
	Scopes    []string  `json:"scopes"`
	AMR       []string  `json:"amr"`
	AuthTime  time.Time `json:"auth_time"`
	ExpiresAt time.Time `json:"expires_at"`
}

func me(st store.Store) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := verify.FromContext(r.Context())
		a, err := st.Accounts().Get(r.Context(), c.Subject)
		if errors.Is(err, store.ErrNotFound) {
			writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_token", "error_description": "the account no longer exists"})
			return
		}
		if err != nil {
			writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "server_error"})
			return
		}
		writeJSON(w, http.StatusOK, Me{
			AccountID: a.ID, Email: a.Email, Name: a.Name, ClientID: c.ClientID,
			SessionID: c.SessionID, Scopes: c.Scopes, AMR: c.AMR,
			AuthTime: c.AuthTime, ExpiresAt: c.Expiry,
		})
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}
