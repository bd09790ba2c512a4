package web

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/wardauth/ward/server/account"
	"github.com/wardauth/ward/server/store"
)

// Cookie names, before the __Host- prefix that https issuers get.
const (
	sessionCookie = "ward_session"
	csrfCookie    = "ward_csrf"
)

// csrfHeader carries the CSRF token on API calls; forms use a field named csrf.
const csrfHeader = "X-CSRF-Token"

// visitor is who is on the other end of a request: their session, if any,
// and the CSRF token their pages carry.
type visitor struct {
	session *store.Session
	account *store.Account
	csrf    string
}

func (h *Handler) cookieName(name string) string {
	if h.secure {
		return "__Host-" + name
	}
	return name
}

func (h *Handler) setCookie(w http.ResponseWriter, name, value string, expires time.Time, sameSite http.SameSite) {
	http.SetCookie(w, &http.Cookie{
		Name:     h.cookieName(name),
		Value:    value,
		Path:     "/",
		Expires:  expires,
		HttpOnly: true,
		Secure:   h.secure,
		SameSite: sameSite,
	})
}

func (h *Handler) cookie(r *http.Request, name string) string {
	c, err := r.Cookie(h.cookieName(name))
	if err != nil {
		return ""
	}
	return c.Value
}

// visit identifies the visitor. The CSRF token is derived from the session
// cookie when there is a session (so it is bound to it and changes with
// it), else from a random pre-session cookie, which visit sets when issue
// is true and there is none. Both cookies are HttpOnly, so a page on
// another origin can neither read them nor compute the token.
func (h *Handler) visit(w http.ResponseWriter, r *http.Request, issue bool) (*visitor, error) {
	v := &visitor{}
	token := h.cookie(r, sessionCookie)
	sess, a, err := h.accounts.Session(r.Context(), token)
	switch {
	case err == nil:
		v.session, v.account = sess, a
		v.csrf = deriveCSRF(token)
		return v, nil
	case !errors.Is(err, account.ErrNotSignedIn):
		return nil, err
	}
	pre := h.cookie(r, csrfCookie)
	if pre == "" && issue {
		pre = randomToken()
		h.setCookie(w, csrfCookie, pre, time.Time{}, http.SameSiteStrictMode)
	}
	if pre != "" {
		v.csrf = deriveCSRF(pre)
	}
	return v, nil
}

func deriveCSRF(secret string) string {
	sum := sha256.Sum256([]byte("ward csrf v1\x00" + secret))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

func randomToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// errForbidden is shown when a state-changing request fails the origin or
// CSRF checks: most often a page left open past its session.
var errForbidden = errors.New("this request did not come from a Ward page, or the page is out of date; reload it and try again")

// sameOrigin reports whether a POST comes from one of Ward's own pages.
// Pages are served with Referrer-Policy no-referrer, under which browsers
// send "Origin: null" on form posts; they then also send Sec-Fetch-Site,
// which no page can forge. A program sends Origin, as a browser would.
func (h *Handler) sameOrigin(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if site := r.Header.Get("Sec-Fetch-Site"); site != "" {
		return site == "same-origin" && (origin == h.origin || origin == "null")
	}
	return origin == h.origin
}

// protect guards a state-changing handler: the request must come from the
// issuer's origin and carry the visitor's CSRF token.
func (h *Handler) protect(next func(http.ResponseWriter, *http.Request, *visitor)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !h.sameOrigin(r) {
			h.fail(w, r, errForbidden)
			return
		}
		v, err := h.visit(w, r, false)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		got := r.Header.Get(csrfHeader)
		if got == "" && !isAPI(r) {
			got = r.PostFormValue("csrf")
		}
		if v.csrf == "" || subtle.ConstantTimeCompare([]byte(got), []byte(v.csrf)) != 1 {
			h.fail(w, r, errForbidden)
			return
		}
		next(w, r, v)
	}
}

func isAPI(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, "/api/") }

// localPath returns p if it is a path on this server, else "". It keeps
// return addresses from sending people to another site.
func localPath(p string) string {
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.ContainsAny(p, "\\\r\n") {
		return ""
	}
	return p
}
