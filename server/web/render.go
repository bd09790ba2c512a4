package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/wardauth/ward/server/account"
	"github.com/wardauth/ward/server/store"
)

// page is what every template gets.
type page struct {
	Title   string
	CSRF    string
	Account *store.Account
	Error   string
	Notice  string

	AuthRequestID string
	ReturnTo      string
	Client        *Request // the application asking, on sign-in and device pages
	Passkeys      []*account.Passkey
	UserCode      string
	Approved      bool
}

func parsePages() (map[string]*template.Template, error) {
	funcs := template.FuncMap{"date": formatTime, "b64": b64}
	names := []string{"signup", "login", "account", "device", "device_approve", "device_done", "error"}
	pages := make(map[string]*template.Template, len(names))
	for _, n := range names {
		t, err := template.New("").Funcs(funcs).ParseFS(templateFS, "templates/base.html", "templates/"+n+".html")
		if err != nil {
			return nil, fmt.Errorf("parsing page %s: %w", n, err)
		}
		pages[n] = t
	}
	return pages, nil
}

func formatTime(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return t.UTC().Format("2 Jan 2006, 15:04 UTC")
}

// render writes a page. Pages are never cached: most show who is signed in.
func (h *Handler) render(w http.ResponseWriter, status int, name string, p *page) {
	var buf bytes.Buffer
	if err := h.pages[name].ExecuteTemplate(&buf, "base", p); err != nil {
		h.log.Error("rendering page", "page", name, "err", err)
		http.Error(w, "Ward could not show this page; try again in a moment.", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}

// writeJSON writes an API response.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// apiError is the body of every failed API call.
type apiError struct {
	Error   string `json:"error"`   // a stable code, e.g. "unknown_passkey"
	Message string `json:"message"` // for the person, shown as is
}

// problem is how a known error is answered.
type problem struct {
	status int
	code   string
}

// problems are the errors a person can cause and read; anything else is
// logged and answered with a generic message.
var problems = map[error]problem{
	account.ErrInvalidEmail:     {http.StatusBadRequest, "invalid_email"},
	account.ErrInvalidName:      {http.StatusBadRequest, "invalid_name"},
	account.ErrEmailTaken:       {http.StatusConflict, "email_taken"},
	account.ErrCeremonyExpired:  {http.StatusBadRequest, "ceremony_expired"},
	account.ErrUnknownPasskey:   {http.StatusUnauthorized, "unknown_passkey"},
	account.ErrPasskeyTaken:     {http.StatusConflict, "passkey_taken"},
	account.ErrPasskeyRejected:  {http.StatusUnauthorized, "passkey_rejected"},
	account.ErrClonedPasskey:    {http.StatusUnauthorized, "cloned_passkey"},
	account.ErrMethodNotAllowed: {http.StatusForbidden, "method_not_allowed"},
	account.ErrLastPasskey:      {http.StatusConflict, "last_passkey"},
	account.ErrNoSuchPasskey:    {http.StatusNotFound, "no_such_passkey"},
	account.ErrNotSignedIn:      {http.StatusUnauthorized, "not_signed_in"},
	errForbidden:                {http.StatusForbidden, "forbidden"},
	errBadRequest:               {http.StatusBadRequest, "bad_request"},
	errNoAuthorizer:             {http.StatusNotFound, "not_available"},
	ErrUnknownRequest:           {http.StatusBadRequest, "unknown_request"},
	ErrUnknownCode:              {http.StatusBadRequest, "unknown_code"},
	ErrTooManyGuesses:           {http.StatusTooManyRequests, "too_many_guesses"},
}

var (
	errBadRequest   = errors.New("Ward could not read this request; reload the page and try again")
	errNoAuthorizer = errors.New("signing in to applications is not available on this server")
	errInternal     = errors.New("something went wrong on Ward's side; try again in a moment")
)

// explain returns the status, code and message to answer err with, logging
// errors that are not the person's to read.
func (h *Handler) explain(r *http.Request, err error) (int, apiError) {
	for known, p := range problems {
		if errors.Is(err, known) {
			return p.status, apiError{Error: p.code, Message: sentence(err.Error())}
		}
	}
	h.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	return http.StatusInternalServerError, apiError{Error: "internal", Message: sentence(errInternal.Error())}
}

// sentence turns a Go error string (lower-case, unpunctuated) into one
// to show a person.
func sentence(s string) string {
	r, size := utf8.DecodeRuneInString(s)
	s = string(unicode.ToUpper(r)) + s[size:]
	if !strings.HasSuffix(s, ".") {
		s += "."
	}
	return s
}

// fail answers a failed request: JSON under /api/, else an error page.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	code, body := h.explain(r, err)
	if isAPI(r) {
		writeJSON(w, code, body)
		return
	}
	h.render(w, code, "error", &page{Title: "Something went wrong", Error: body.Message})
}
