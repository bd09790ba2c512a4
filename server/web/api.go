package web

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/wardauth/ward/server/account"
	"github.com/wardauth/ward/server/store"
)

// maxBody bounds API request bodies; a WebAuthn response is a few KB.
const maxBody = 64 << 10

// beginResponse carries a ceremony's options in the WebAuthn JSON encoding,
// ready for PublicKeyCredential.parseCreationOptionsFromJSON (or
// parseRequestOptionsFromJSON).
type beginResponse struct {
	Ceremony  string `json:"ceremony"`
	PublicKey any    `json:"publicKey"`
}

// finishRequest is the body of every finish call. Credential is the
// PublicKeyCredential as its toJSON() encodes it.
type finishRequest struct {
	Ceremony      string          `json:"ceremony"`
	Credential    json.RawMessage `json:"credential"`
	AuthRequestID string          `json:"authRequestID,omitempty"`
	ReturnTo      string          `json:"returnTo,omitempty"`
	Name          string          `json:"name,omitempty"` // new passkey's label
}

// finishResponse tells the page where to go next.
type finishResponse struct {
	Redirect string `json:"redirect"`
}

func (h *Handler) decode(w http.ResponseWriter, r *http.Request, v any) bool {
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	if err := json.NewDecoder(r.Body).Decode(v); err != nil {
		h.fail(w, r, errBadRequest)
		return false
	}
	return true
}

// apiCSRF gives a program the CSRF token for its cookies, setting the
// pre-session cookie if it has none. Pages carry the same token in a meta tag.
func (h *Handler) apiCSRF(w http.ResponseWriter, r *http.Request) {
	v, err := h.visit(w, r, true)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"csrf": v.csrf})
}

func (h *Handler) apiSignupBegin(w http.ResponseWriter, r *http.Request, _ *visitor) {
	var req struct{ Email, Name string }
	if !h.decode(w, r, &req) {
		return
	}
	id, opts, err := h.accounts.BeginSignup(r.Context(), req.Email, req.Name)
	h.begun(w, r, id, opts, err)
}

func (h *Handler) apiLoginBegin(w http.ResponseWriter, r *http.Request, _ *visitor) {
	id, opts, err := h.accounts.BeginLogin(r.Context())
	h.begun(w, r, id, opts, err)
}

func (h *Handler) apiPasskeysBegin(w http.ResponseWriter, r *http.Request, v *visitor) {
	if v.account == nil {
		h.fail(w, r, account.ErrNotSignedIn)
		return
	}
	id, opts, err := h.accounts.BeginAddPasskey(r.Context(), v.account.ID)
	h.begun(w, r, id, opts, err)
}

func (h *Handler) begun(w http.ResponseWriter, r *http.Request, id string, opts any, err error) {
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, beginResponse{Ceremony: id, PublicKey: opts})
}

func (h *Handler) apiSignupFinish(w http.ResponseWriter, r *http.Request, _ *visitor) {
	h.signIn(w, r, h.accounts.FinishSignup)
}

func (h *Handler) apiLoginFinish(w http.ResponseWriter, r *http.Request, _ *visitor) {
	h.signIn(w, r, h.accounts.FinishLogin)
}

type finishFunc func(ctx context.Context, id string, response []byte, c account.Client) (*account.SignedIn, error)

// signIn finishes a sign-up or sign-in, sets the session cookie and says
// where to go: back to the application that asked, or to returnTo.
func (h *Handler) signIn(w http.ResponseWriter, r *http.Request, finish finishFunc) {
	var req finishRequest
	if !h.decode(w, r, &req) {
		return
	}
	in, err := finish(r.Context(), req.Ceremony, req.Credential, clientOf(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.setCookie(w, sessionCookie, in.Token, in.Session.ExpiresAt, http.SameSiteLaxMode)
	next, err := h.next(r.Context(), in.Session, req.AuthRequestID, req.ReturnTo)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, finishResponse{Redirect: next})
}

func (h *Handler) apiPasskeysFinish(w http.ResponseWriter, r *http.Request, v *visitor) {
	if v.account == nil {
		h.fail(w, r, account.ErrNotSignedIn)
		return
	}
	var req finishRequest
	if !h.decode(w, r, &req) {
		return
	}
	_, err := h.accounts.FinishAddPasskey(r.Context(), v.account.ID, req.Ceremony, req.Credential, req.Name)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, finishResponse{Redirect: "/account"})
}

// next is where a signed-in person goes: the application whose
// authorization request brought them, else returnTo, else their account.
func (h *Handler) next(ctx context.Context, s *store.Session, authRequestID, returnTo string) (string, error) {
	if authRequestID != "" {
		if h.authorizer == nil {
			return "", errNoAuthorizer
		}
		return h.authorizer.CompleteAuthRequest(ctx, authRequestID, s)
	}
	if p := localPath(returnTo); p != "" {
		return p, nil
	}
	return "/account", nil
}
