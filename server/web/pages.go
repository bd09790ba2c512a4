package web

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"time"
)

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// loginURL sends a signed-out person to sign in and come back to target.
func loginURL(target string) string {
	return "/login?" + url.Values{"return": {target}}.Encode()
}

func (h *Handler) signupPage(w http.ResponseWriter, r *http.Request) {
	v, err := h.visit(w, r, true)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if v.account != nil {
		http.Redirect(w, r, "/account", http.StatusSeeOther)
		return
	}
	h.render(w, http.StatusOK, "signup", &page{
		Title:         "Create your Ward account",
		CSRF:          v.csrf,
		AuthRequestID: r.URL.Query().Get("authRequestID"),
		ReturnTo:      localPath(r.URL.Query().Get("return")),
	})
}

// loginPage offers passkey sign-in. Arriving with authRequestID (where the
// OAuth provider sends people), it names the application asking, and a
// person already signed in goes straight back to it.
func (h *Handler) loginPage(w http.ResponseWriter, r *http.Request) {
	v, err := h.visit(w, r, true)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	q := r.URL.Query()
	p := &page{
		Title:         "Sign in to Ward",
		CSRF:          v.csrf,
		AuthRequestID: q.Get("authRequestID"),
		ReturnTo:      localPath(q.Get("return")),
	}
	if v.session != nil {
		next, err := h.next(r.Context(), v.session, p.AuthRequestID, p.ReturnTo)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		http.Redirect(w, r, next, http.StatusSeeOther)
		return
	}
	if p.AuthRequestID != "" {
		if p.Client, err = h.authRequest(r, p.AuthRequestID); err != nil {
			h.fail(w, r, err)
			return
		}
	}
	h.render(w, http.StatusOK, "login", p)
}

func (h *Handler) authRequest(r *http.Request, id string) (*Request, error) {
	if h.authorizer == nil {
		return nil, errNoAuthorizer
	}
	return h.authorizer.AuthRequest(r.Context(), id)
}

func (h *Handler) logout(w http.ResponseWriter, r *http.Request, v *visitor) {
	if v.session != nil {
		if err := h.accounts.SignOut(r.Context(), v.session.ID); err != nil {
			h.fail(w, r, err)
			return
		}
	}
	h.setCookie(w, sessionCookie, "", time.Unix(1, 0), http.SameSiteLaxMode)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

func (h *Handler) accountPage(w http.ResponseWriter, r *http.Request) {
	v, err := h.visit(w, r, true)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if v.account == nil {
		http.Redirect(w, r, loginURL("/account"), http.StatusSeeOther)
		return
	}
	h.showAccount(w, r, v, http.StatusOK, "")
}

// showAccount renders the account page, with an error from the last action.
func (h *Handler) showAccount(w http.ResponseWriter, r *http.Request, v *visitor, status int, msg string) {
	keys, err := h.accounts.Passkeys(r.Context(), v.account.ID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, status, "account", &page{
		Title:    "Your account",
		CSRF:     v.csrf,
		Account:  v.account,
		Passkeys: keys,
		Error:    msg,
	})
}

func (h *Handler) renamePasskey(w http.ResponseWriter, r *http.Request, v *visitor) {
	h.changePasskey(w, r, v, func(id []byte) error {
		return h.accounts.RenamePasskey(r.Context(), v.account.ID, id, r.PostFormValue("name"))
	})
}

func (h *Handler) removePasskey(w http.ResponseWriter, r *http.Request, v *visitor) {
	h.changePasskey(w, r, v, func(id []byte) error {
		return h.accounts.RemovePasskey(r.Context(), v.account.ID, id)
	})
}

// changePasskey runs a change to the passkey named by the form's id, then
// shows the account page again: after a redirect on success, or with the
// error in place on failure.
func (h *Handler) changePasskey(w http.ResponseWriter, r *http.Request, v *visitor, change func(id []byte) error) {
	if v.account == nil {
		http.Redirect(w, r, loginURL("/account"), http.StatusSeeOther)
		return
	}
	id, err := base64.RawURLEncoding.DecodeString(r.PostFormValue("id"))
	if err != nil {
		h.fail(w, r, errBadRequest)
		return
	}
	if err := change(id); err != nil {
		status, body := h.explain(r, err)
		h.showAccount(w, r, v, status, body.Message)
		return
	}
	http.Redirect(w, r, "/account", http.StatusSeeOther)
}
