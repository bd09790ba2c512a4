package web

import (
	"net/http"
	"net/url"
)

// The device pages let a signed-in person approve a sign-in started on
// another device (RFC 8628): enter the code, see who asks, approve or deny.
// The Authorizer does the work; these handlers only show it.

func (h *Handler) devicePage(w http.ResponseWriter, r *http.Request) {
	v, ok := h.deviceVisitor(w, r)
	if !ok {
		return
	}
	h.render(w, http.StatusOK, "device", &page{
		Title:    "Sign in on another device",
		CSRF:     v.csrf,
		Account:  v.account,
		UserCode: r.URL.Query().Get("user_code"),
	})
}

// deviceLookup shows the approval page for the code entered.
func (h *Handler) deviceLookup(w http.ResponseWriter, r *http.Request, v *visitor) {
	if !h.deviceReady(w, r, v) {
		return
	}
	code := r.PostFormValue("user_code")
	req, err := h.authorizer.Device(r.Context(), code, clientOf(r).IP)
	if err != nil {
		status, body := h.explain(r, err)
		h.render(w, status, "device", &page{
			Title: "Sign in on another device", CSRF: v.csrf, Account: v.account,
			UserCode: code, Error: body.Message,
		})
		return
	}
	h.render(w, http.StatusOK, "device_approve", &page{
		Title: "Approve sign-in?", CSRF: v.csrf, Account: v.account,
		Client: req, UserCode: req.ID,
	})
}

func (h *Handler) deviceDecide(w http.ResponseWriter, r *http.Request, v *visitor) {
	if !h.deviceReady(w, r, v) {
		return
	}
	approve := r.PostFormValue("decision") == "approve"
	if err := h.authorizer.DecideDevice(r.Context(), r.PostFormValue("user_code"), approve, v.session); err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, http.StatusOK, "device_done", &page{
		Title: "Sign in on another device", CSRF: v.csrf, Account: v.account, Approved: approve,
	})
}

// deviceVisitor identifies the visitor of a device page, sending them to
// sign in first (and back here after) when they are not.
func (h *Handler) deviceVisitor(w http.ResponseWriter, r *http.Request) (*visitor, bool) {
	v, err := h.visit(w, r, true)
	if err != nil {
		h.fail(w, r, err)
		return nil, false
	}
	return v, h.deviceReady(w, r, v)
}

func (h *Handler) deviceReady(w http.ResponseWriter, r *http.Request, v *visitor) bool {
	switch {
	case h.authorizer == nil:
		h.fail(w, r, errNoAuthorizer)
		return false
	case v.account == nil:
		target := "/device"
		if code := r.FormValue("user_code"); code != "" {
			target += "?user_code=" + url.QueryEscape(code)
		}
		http.Redirect(w, r, loginURL(target), http.StatusSeeOther)
		return false
	}
	return true
}
