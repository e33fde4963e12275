// tally: the browser's part of the second factor (WebAuthn). The page's
// form#webauthn says which ceremony (data-ceremony: register or login),
// where to go once done (data-next) and, translated, what to tell the
// person (data-wait, -unsupported, -cancelled, -failed). The options come
// from POST /api/webauthn/{ceremony}/begin, the answer goes to
// .../finish; binary fields travel as base64url, as go-webauthn writes and
// reads them. Nothing is fetched from anywhere but this server.
"use strict";
(function () {
  const form = document.getElementById("webauthn");
  if (!form) {
    return;
  }
  const status = document.getElementById("webauthn-status");
  const ceremony = form.dataset.ceremony;

  function say(text, isError) {
    status.textContent = text;
    status.className = isError ? "flash error" : "";
    status.setAttribute("role", isError ? "alert" : "status");
  }

  function fromB64url(s) {
    const b64 = s.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((s.length + 3) % 4);
    return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)).buffer;
  }

  function toB64url(buf) {
    let s = "";
    for (const b of new Uint8Array(buf)) {
      s += String.fromCharCode(b);
    }
    return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  async function post(path, body) {
    const res = await fetch(path, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    let data = null;
    try {
      data = text ? JSON.parse(text) : null;
    } catch (e) {
      data = null;
    }
    if (!res.ok) {
      const p = data || {};
      const err = new Error(p.detail || res.statusText);
      err.problem = p;
      throw err;
    }
    return data;
  }

  function descriptors(list) {
    return (list || []).map((c) => Object.assign({}, c, { id: fromB64url(c.id) }));
  }

  async function register() {
    const options = (await post("/api/webauthn/register/begin", {})).publicKey;
    options.challenge = fromB64url(options.challenge);
    options.user.id = fromB64url(options.user.id);
    options.excludeCredentials = descriptors(options.excludeCredentials);
    const cred = await navigator.credentials.create({ publicKey: options });
    const r = cred.response;
    return post("/api/webauthn/register/finish", {
      name: (form.elements.name && form.elements.name.value) || "",
      credential: {
        id: cred.id,
        rawId: toB64url(cred.rawId),
        type: cred.type,
        authenticatorAttachment: cred.authenticatorAttachment || undefined,
        clientExtensionResults: cred.getClientExtensionResults(),
        response: {
          clientDataJSON: toB64url(r.clientDataJSON),
          attestationObject: toB64url(r.attestationObject),
          transports: r.getTransports ? r.getTransports() : [],
        },
      },
    });
  }

  async function login() {
    const options = (await post("/api/webauthn/login/begin", {})).publicKey;
    options.challenge = fromB64url(options.challenge);
    options.allowCredentials = descriptors(options.allowCredentials);
    const cred = await navigator.credentials.get({ publicKey: options });
    const r = cred.response;
    return post("/api/webauthn/login/finish", {
      credential: {
        id: cred.id,
        rawId: toB64url(cred.rawId),
        type: cred.type,
        authenticatorAttachment: cred.authenticatorAttachment || undefined,
        clientExtensionResults: cred.getClientExtensionResults(),
        response: {
          clientDataJSON: toB64url(r.clientDataJSON),
          authenticatorData: toB64url(r.authenticatorData),
          signature: toB64url(r.signature),
          userHandle: r.userHandle ? toB64url(r.userHandle) : undefined,
        },
      },
    });
  }

  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    if (!window.isSecureContext || !window.PublicKeyCredential || !navigator.credentials) {
      say(form.dataset.unsupported, true);
      return;
    }
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    button.setAttribute("aria-busy", "true");
    say(form.dataset.wait, false);
    try {
      await (ceremony === "register" ? register() : login());
      const next = form.dataset.next || "/";
      window.location.assign(next.startsWith("/") && !next.startsWith("//") ? next : "/");
    } catch (e) {
      if (e && (e.name === "NotAllowedError" || e.name === "AbortError")) {
        say(form.dataset.cancelled, true);
      } else {
        say(form.dataset.failed + (e && e.message ? " (" + e.message + ")" : ""), true);
      }
      button.disabled = false;
      button.removeAttribute("aria-busy");
    }
  });
})();
