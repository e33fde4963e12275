// sign.js signs the steps of the exchange process in the browser, with
// the private key of the signer's side, which the signer loads from its
// file (made by `tally keys new`). The key is read here and kept in this
// page's memory only, as a non-extractable WebCrypto key: it is never sent
// to the server, and it is forgotten when the page is closed or reloaded.
//
// A form marked data-sign is taken over: posted with the header
// X-Tally-Sign: prepare, the server answers the steps prepared (each
// payload, its salt, the text of the first entry: see http/pagesteps.go).
// This script checks that each entry names this side, the step's kind and
// the commitment SHA-256(salt ‖ payload) it computes itself; signs each
// entry as a signed note (C2SP signed-note, Ed25519), chaining the
// following ones as ledger.Entry.Next does; posts them to /steps; and
// shows the page again as it now stands.
(function () {
  "use strict";

  var key = null; // {name, hash: Uint8Array(4), crypto: CryptoKey}
  var box = document.getElementById("signing");
  if (!box) {
    return;
  }
  var party = box.dataset.party;
  var state = document.getElementById("signing-state");
  var input = document.getElementById("signing-key");
  var details = document.getElementById("signing-details");
  var utf8 = new TextEncoder();

  function msg(name) {
    return box.dataset["msg" + name.charAt(0).toUpperCase() + name.slice(1)] || name;
  }

  // say shows text in the page's status region and beside the form.
  function say(text, bad, form) {
    state.textContent = text;
    state.className = bad ? "flash error" : "flash ok";
    if (form) {
      var p = form.nextElementSibling;
      if (!p || !p.classList.contains("sign-msg")) {
        p = document.createElement("p");
        p.className = "sign-msg";
        p.setAttribute("role", "status");
        form.after(p);
      }
      p.textContent = text;
      p.classList.toggle("bad", !!bad);
    }
  }

  function b64(bytes) {
    var s = "";
    for (var i = 0; i < bytes.length; i++) {
      s += String.fromCharCode(bytes[i]);
    }
    return btoa(s);
  }

  function unb64(s) {
    var bin = atob(s);
    var out = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) {
      out[i] = bin.charCodeAt(i);
    }
    return out;
  }

  function concat(a, b) {
    var out = new Uint8Array(a.length + b.length);
    out.set(a, 0);
    out.set(b, a.length);
    return out;
  }

  async function sha256(bytes) {
    return new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  }

  // loadKey reads a private key file: PRIVATE+KEY+<name>+<hash>+<base64 of
  // the algorithm byte 1 (Ed25519) and the 32-byte seed>.
  async function loadKey(file) {
    // The base64 may itself hold "+": split off the first four fields only.
    var text = (await file.text()).trim();
    var m = /^PRIVATE\+KEY\+([^+]+)\+([0-9a-f]{8})\+([A-Za-z0-9+\/=]+)$/.exec(text);
    if (!m) {
      throw new Error(msg("badkey"));
    }
    var parts = ["PRIVATE", "KEY", m[1], m[2], m[3]];
    var raw;
    try {
      raw = unb64(parts[4]);
    } catch (e) {
      throw new Error(msg("badkey"));
    }
    if (raw.length !== 33 || raw[0] !== 1) {
      throw new Error(msg("badkey"));
    }
    if (parts[2] !== "tally-party-" + party) {
      throw new Error(msg("wrongkey"));
    }
    // PKCS #8 for an Ed25519 seed (RFC 8410): a fixed prefix, then the seed.
    var prefix = new Uint8Array([0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20]);
    var ck;
    try {
      ck = await crypto.subtle.importKey("pkcs8", concat(prefix, raw.slice(1)), { name: "Ed25519" }, false, ["sign"]);
    } catch (e) {
      throw new Error(msg("unsupported"));
    }
    var h = parseInt(parts[3], 16);
    return { name: parts[2], hash: new Uint8Array([h >>> 24, (h >>> 16) & 255, (h >>> 8) & 255, h & 255]), crypto: ck };
  }

  // sign returns the signed note of text: the text, a blank line, and one
  // signature line, "— <name> <base64(key hash ‖ signature)>".
  async function sign(text) {
    var sig = new Uint8Array(await crypto.subtle.sign({ name: "Ed25519" }, key.crypto, utf8.encode(text)));
    return text + "\n\u2014 " + key.name + " " + b64(concat(key.hash, sig)) + "\n";
  }

  // line returns the value of an entry text's line "<name> <value>".
  function line(text, name) {
    var lines = text.split("\n");
    for (var i = 0; i < lines.length; i++) {
      if (lines[i].indexOf(name + " ") === 0) {
        return lines[i].slice(name.length + 1);
      }
    }
    return null;
  }

  function setLine(text, name, value) {
    return text.split("\n").map(function (l) {
      return l.indexOf(name + " ") === 0 ? name + " " + value : l;
    }).join("\n");
  }

  // signSteps checks what the server prepared and signs it.
  async function signSteps(prep) {
    var text = prep.entry;
    var out = [];
    for (var i = 0; i < prep.steps.length; i++) {
      var st = prep.steps[i];
      var event = JSON.parse(st.payload);
      var commitment = b64(await sha256(concat(unb64(st.salt), utf8.encode(st.payload))));
      if (i > 0) {
        text = setLine(text, "kind", st.kind);
        text = setLine(text, "seq", String(Number(line(text, "seq")) + 1));
        text = setLine(text, "prev", b64(await sha256(utf8.encode(out[i - 1].entry))));
        text = setLine(text, "commitment", commitment);
      }
      if (prep.key !== key.name || line(text, "party") !== party || line(text, "kind") !== st.kind ||
          line(text, "commitment") !== commitment || st.commitment !== commitment ||
          event.kind !== st.kind || event.by !== party) {
        throw new Error(msg("mismatch"));
      }
      out.push({ kind: st.kind, payload: st.payload, salt: st.salt, entry: await sign(text) });
    }
    return out;
  }

  async function problem(res) {
    try {
      var p = await res.json();
      return [p.detail, p.hint].filter(Boolean).join(" — ");
    } catch (e) {
      return res.status + " " + res.statusText;
    }
  }

  // refresh shows the page as it now stands, keeping this script's state
  // (the key) where a reload would lose it.
  async function refresh() {
    var res = await fetch(location.href, { headers: { Accept: "text/html" } });
    var doc = new DOMParser().parseFromString(await res.text(), "text/html");
    var fresh = doc.getElementById("main");
    var main = document.getElementById("main");
    if (fresh && main) {
      main.replaceWith(fresh);
      if (window.htmx) {
        window.htmx.process(fresh);
      }
    }
  }

  async function take(form, data) {
    for (var attempt = 1; ; attempt++) {
      var res = await fetch(form.action, { method: "POST", body: data, headers: { "X-Tally-Sign": "prepare", Accept: "application/json" } });
      if (!res.ok) {
        throw new Error(await problem(res));
      }
      var steps = await signSteps(await res.json());
      var agreement = box.dataset.agreement ? "?agreement=" + encodeURIComponent(box.dataset.agreement) : "";
      res = await fetch("/steps" + agreement, {
        method: "POST",
        body: JSON.stringify({ steps: steps }),
        headers: { "Content-Type": "application/json", Accept: "application/json" }
      });
      if (res.status === 409 && attempt < 3) {
        continue; // the side's chain moved on: prepare again
      }
      if (!res.ok) {
        throw new Error(await problem(res));
      }
      return (await res.json()).entries;
    }
  }

  input.addEventListener("change", async function () {
    key = null;
    document.getElementById("signing-name").textContent = msg("none");
    if (!input.files.length) {
      return;
    }
    try {
      key = await loadKey(input.files[0]);
      document.getElementById("signing-name").textContent = key.name;
      say(msg("loaded"), false);
      details.open = false;
    } catch (e) {
      say(e.message, true);
    }
    input.value = ""; // the file is read; keep no handle on it
  });

  document.addEventListener("submit", async function (ev) {
    var form = ev.target;
    if (!form.matches || !form.matches("form[data-sign]")) {
      return;
    }
    ev.preventDefault();
    ev.stopImmediatePropagation();
    if (!key) {
      details.open = true;
      input.focus();
      say(msg("nokey"), true, form);
      return;
    }
    // Read the form, with the button pressed, before the buttons are
    // disabled: a disabled button is no part of a form's data.
    var data = new FormData(form, ev.submitter);
    var buttons = form.querySelectorAll("button");
    buttons.forEach(function (b) { b.disabled = true; });
    form.setAttribute("aria-busy", "true");
    say(msg("working"), false, form);
    try {
      var entries = await take(form, data);
      await refresh();
      say(msg("done").replace("{entry}", entries.join(", ")), false);
    } catch (e) {
      say(msg("failed") + " " + e.message, true, form);
    } finally {
      buttons.forEach(function (b) { b.disabled = false; });
      form.removeAttribute("aria-busy");
    }
  }, true);
})();
