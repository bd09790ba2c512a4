// Package web serves Ward's pages (sign-up, sign-in, account, device
// approval) and the JSON API their script uses to run WebAuthn ceremonies.
//
// Handlers are thin: they read the request, call the account service or the
// Authorizer, and render. Every page carries a strict Content-Security-Policy,
// so templates hold no inline script or style.
package web

import (
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/url"

	"github.com/wardauth/ward/server/account"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Config is what the web handler needs.
type Config struct {
	Accounts *account.Service
	// Authorizer is the OAuth side. Nil serves the account pages only:
	// sign-in for an application and device approval then say they are
	// not available.
	Authorizer Authorizer
	// Issuer is the server's public URL; it decides the origin POSTs must
	// come from and whether cookies are Secure and __Host- prefixed.
	Issuer string
	Logger *slog.Logger // nil means slog.Default()
}

// Handler serves the pages and the JSON API.
type Handler struct {
	accounts   *account.Service
	authorizer Authorizer
	origin     string // scheme://host[:port] of the issuer
	secure     bool   // issuer is https
	log        *slog.Logger
	pages      map[string]*template.Template
	mux        *http.ServeMux
}

// New returns the handler described by cfg.
func New(cfg Config) (*Handler, error) {
	u, err := url.Parse(cfg.Issuer)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, fmt.Errorf("the issuer %q is not an absolute http(s) URL", cfg.Issuer)
	}
	if cfg.Accounts == nil {
		return nil, errors.New("web: Config.Accounts is required")
	}
	pages, err := parsePages()
	if err != nil {
		return nil, err
	}
	h := &Handler{
		accounts:   cfg.Accounts,
		authorizer: cfg.Authorizer,
		origin:     u.Scheme + "://" + u.Host,
		secure:     u.Scheme == "https",
		log:        cfg.Logger,
		pages:      pages,
		mux:        http.NewServeMux(),
	}
	if h.log == nil {
		h.log = slog.Default()
	}
	h.routes()
	return h, nil
}

func (h *Handler) routes() {
	static, _ := fs.Sub(staticFS, "static")
	h.mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(static)))
	h.mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/account", http.StatusSeeOther)
	})
	h.mux.HandleFunc("GET /signup", h.signupPage)
	h.mux.HandleFunc("GET /login", h.loginPage)
	h.mux.HandleFunc("POST /logout", h.protect(h.logout))
	h.mux.HandleFunc("GET /account", h.accountPage)
	h.mux.HandleFunc("POST /account/passkeys/rename", h.protect(h.renamePasskey))
	h.mux.HandleFunc("POST /account/passkeys/remove", h.protect(h.removePasskey))
	h.mux.HandleFunc("GET /device", h.devicePage)
	h.mux.HandleFunc("POST /device", h.protect(h.deviceLookup))
	h.mux.HandleFunc("POST /device/decide", h.protect(h.deviceDecide))

	h.mux.HandleFunc("GET /api/csrf", h.apiCSRF)
	h.mux.HandleFunc("POST /api/signup/begin", h.protect(h.apiSignupBegin))
	h.mux.HandleFunc("POST /api/signup/finish", h.protect(h.apiSignupFinish))
	h.mux.HandleFunc("POST /api/login/begin", h.protect(h.apiLoginBegin))
	h.mux.HandleFunc("POST /api/login/finish", h.protect(h.apiLoginFinish))
	h.mux.HandleFunc("POST /api/passkeys/begin", h.protect(h.apiPasskeysBegin))
	h.mux.HandleFunc("POST /api/passkeys/finish", h.protect(h.apiPasskeysFinish))
}

// contentSecurityPolicy allows the page's own script, style and fetches,
// and nothing else: no inline code, no framing, no form posts elsewhere.
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// ServeHTTP sets the security headers every response carries and routes.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hd := w.Header()
	hd.Set("Content-Security-Policy", contentSecurityPolicy)
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "no-referrer")
	hd.Set("X-Frame-Options", "DENY")
	h.mux.ServeHTTP(w, r)
}

// clientOf describes the browser behind r. The address is the connection's
// peer: Ward does not trust forwarding headers it cannot verify.
func clientOf(r *http.Request) account.Client {
	ip, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		ip = r.RemoteAddr
	}
	return account.Client{IP: ip, UserAgent: r.UserAgent()}
}
