// ward.js runs Ward's WebAuthn ceremonies for the pages. Each form marked
// data-ward="signup|login|add-passkey" asks the JSON API for options, hands
// them to the browser's authenticator, and posts the answer back in the
// standard WebAuthn JSON encoding (docs/api.md).
"use strict";

(() => {
  const csrf = document.querySelector('meta[name="ward-csrf"]')?.content ?? "";
  const errorBox = document.getElementById("error");

  function showError(message) {
    errorBox.textContent = message;
    errorBox.hidden = false;
  }

  function clearError() {
    errorBox.textContent = "";
    errorBox.hidden = true;
  }

  async function post(path, body) {
    const res = await fetch(path, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify(body ?? {}),
    });
    const data = await res.json().catch(() => ({}));
    if (!res.ok) {
      const err = new Error(data.message || "Ward did not answer as expected; try again.");
      err.code = data.error;
      throw err;
    }
    return data;
  }

  // base64url <-> ArrayBuffer, for browsers without the JSON helpers.
  function fromB64(s) {
    const b64 = s.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(s.length / 4) * 4, "=");
    return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)).buffer;
  }

  function toB64(buf) {
    let bin = "";
    for (const b of new Uint8Array(buf)) bin += String.fromCharCode(b);
    return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  const withIDs = (list) => (list ?? []).map((c) => ({ ...c, id: fromB64(c.id) }));

  function creationOptions(json) {
    if (PublicKeyCredential.parseCreationOptionsFromJSON) {
      return PublicKeyCredential.parseCreationOptionsFromJSON(json);
    }
    return {
      ...json,
      challenge: fromB64(json.challenge),
      user: { ...json.user, id: fromB64(json.user.id) },
      excludeCredentials: withIDs(json.excludeCredentials),
    };
  }

  function requestOptions(json) {
    if (PublicKeyCredential.parseRequestOptionsFromJSON) {
      return PublicKeyCredential.parseRequestOptionsFromJSON(json);
    }
    return { ...json, challenge: fromB64(json.challenge), allowCredentials: withIDs(json.allowCredentials) };
  }

  // credentialJSON encodes a PublicKeyCredential as its toJSON() would.
  function credentialJSON(cred) {
    if (typeof cred.toJSON === "function") return cred.toJSON();
    const r = cred.response;
    const response = { clientDataJSON: toB64(r.clientDataJSON) };
    if (r.attestationObject) {
      response.attestationObject = toB64(r.attestationObject);
      response.transports = r.getTransports?.() ?? [];
      response.authenticatorData = toB64(r.getAuthenticatorData());
      const key = r.getPublicKey?.();
      if (key) response.publicKey = toB64(key);
      response.publicKeyAlgorithm = r.getPublicKeyAlgorithm();
    } else {
      response.authenticatorData = toB64(r.authenticatorData);
      response.signature = toB64(r.signature);
      if (r.userHandle) response.userHandle = toB64(r.userHandle);
    }
    return {
      id: cred.id,
      rawId: toB64(cred.rawId),
      type: cred.type,
      authenticatorAttachment: cred.authenticatorAttachment ?? undefined,
      clientExtensionResults: cred.getClientExtensionResults(),
      response,
    };
  }

  function explain(err) {
    switch (err.name) {
      case "NotAllowedError":
        return "The passkey request was cancelled or timed out. Try again when you're ready.";
      case "InvalidStateError":
        return "This authenticator already holds a passkey for this account. Use a different one.";
      case "SecurityError":
        return "This page's address does not match Ward's, so the browser refused to use a passkey here.";
    }
    return err.message;
  }

  async function register(begin, body, finish, extra) {
    const begun = await post(begin, body);
    const cred = await navigator.credentials.create({ publicKey: creationOptions(begun.publicKey) });
    return post(finish, { ceremony: begun.ceremony, credential: credentialJSON(cred), ...extra });
  }

  async function signIn(extra, mediation, signal) {
    const begun = await post("/api/login/begin");
    const options = { publicKey: requestOptions(begun.publicKey) };
    if (mediation) Object.assign(options, { mediation, signal });
    const cred = await navigator.credentials.get(options);
    try {
      return await post("/api/login/finish", { ceremony: begun.ceremony, credential: credentialJSON(cred), ...extra });
    } catch (err) {
      // Tell the authenticator to forget a passkey Ward no longer knows.
      if (err.code === "unknown_passkey" && PublicKeyCredential.signalUnknownCredential) {
        PublicKeyCredential.signalUnknownCredential({ rpId: begun.publicKey.rpId, credentialId: cred.id }).catch(() => {});
      }
      throw err;
    }
  }

  // wire runs a ceremony when form is submitted and follows its redirect.
  function wire(form, run) {
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      clearError();
      const button = form.querySelector('button[type="submit"]');
      button.disabled = true;
      form.setAttribute("aria-busy", "true");
      try {
        const done = await run(new FormData(form));
        location.assign(done.redirect);
      } catch (err) {
        showError(explain(err));
        button.disabled = false;
        form.removeAttribute("aria-busy");
      }
    });
  }

  const next = (form) => ({ authRequestID: form.dataset.authRequest || undefined, returnTo: form.dataset.return || undefined });

  const signup = document.querySelector('form[data-ward="signup"]');
  if (signup) {
    wire(signup, (data) =>
      register("/api/signup/begin", { email: data.get("email"), name: data.get("name") }, "/api/signup/finish", next(signup)),
    );
  }

  const add = document.querySelector('form[data-ward="add-passkey"]');
  if (add) {
    wire(add, (data) => register("/api/passkeys/begin", {}, "/api/passkeys/finish", { name: data.get("name") }));
  }

  const login = document.querySelector('form[data-ward="login"]');
  if (login) {
    // Conditional UI: offer saved passkeys in the username field's autofill
    // while the page is open; the button stops it and asks outright.
    let conditional = null;
    const startConditional = async () => {
      if (!(await PublicKeyCredential.isConditionalMediationAvailable?.())) return;
      const ctrl = new AbortController();
      const run = signIn(next(login), "conditional", ctrl.signal).then(
        (done) => location.assign(done.redirect),
        (err) => {
          if (err.name !== "AbortError") showError(explain(err));
        },
      );
      conditional = { ctrl, run };
    };
    wire(login, async () => {
      if (conditional) {
        conditional.ctrl.abort();
        await conditional.run;
        conditional = null;
      }
      return signIn(next(login));
    });
    if (window.PublicKeyCredential) startConditional();
  }

  if (!window.PublicKeyCredential && (signup || login || add)) {
    showError("This browser does not support passkeys. Use a current version of Chrome, Edge, Firefox or Safari.");
  }
})();
