package oidc

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// RevocationsPath serves the revocation feed: the token families revoked
// since a time, for resource servers that verify access tokens offline
// (verify.RemoteRevocations). Only confidential clients may read it.
const RevocationsPath = "/oauth/revocations"

// RevocationFeed is the answer of GET /oauth/revocations?since=UNIX.
type RevocationFeed struct {
	// Families lists the IDs of families revoked at or after since.
	Families []string `json:"families"`
	// Now is the server's time of the answer: pass it as the next since.
	Now int64 `json:"now"`
}

// Revocations serves the revocation feed.
func (p *Provider) Revocations() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, secret, ok := r.BasicAuth()
		if !ok || (opStorage{p}).AuthorizeClientIDSecret(r.Context(), id, secret) != nil {
			w.Header().Set("WWW-Authenticate", `Basic realm="ward"`)
			op.WriteError(w, r, op.NewStatusError(oidc.ErrInvalidClient().WithDescription("a confidential client's credentials are required"), http.StatusUnauthorized), nil)
			return
		}
		since, err := strconv.ParseInt(r.URL.Query().Get("since"), 10, 64)
		if err != nil {
			op.WriteError(w, r, oidc.ErrInvalidRequest().WithDescription("since must be a Unix time in seconds"), nil)
			return
		}
		now := p.now()
		families, err := p.store.RefreshTokens().RevokedFamiliesSince(r.Context(), time.Unix(since, 0))
		if err != nil {
			op.WriteError(w, r, oidc.ErrServerError().WithParent(err), nil)
			return
		}
		feed := RevocationFeed{Families: make([]string, 0, len(families)), Now: now.Unix()}
		for _, f := range families {
			feed.Families = append(feed.Families, f.ID)
		}
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(feed)
	})
}
