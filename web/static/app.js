// handover's pages work without this script, except the handover screen, whose
// signing happens here: officers' private keys are read and used in this
// browser only (WebCrypto Ed25519) and are never sent anywhere.
"use strict";

document.addEventListener("submit", (ev) => {
  const f = ev.target;
  if (f.dataset && f.dataset.confirm && !window.confirm(f.dataset.confirm)) {
    ev.preventDefault();
    ev.stopImmediatePropagation();
  }
}, true);

// A refused form stays as it was typed: htmx sends it, and the refusal is put in
// the form itself, each message beside the field at fault (aria-invalid, and the
// message named by aria-describedby), the others at the form's head; said once.
document.addEventListener("htmx:beforeSwap", (ev) => {
  const d = ev.detail;
  const f = d.requestConfig && d.requestConfig.elt;
  if (!d.isError || !f || f.tagName !== "FORM" || !f.dataset.keep) return;
  let box = f.querySelector(":scope > .form-problem");
  if (!box) {
    box = document.createElement("div");
    box.className = "form-problem";
    box.setAttribute("role", "alert");
    f.prepend(box);
  }
  d.target = box;
  d.swapOverride = "innerHTML";
  d.shouldSwap = true;
});

document.addEventListener("htmx:afterSwap", (ev) => {
  const box = ev.detail.target;
  if (!box || !box.classList || !box.classList.contains("form-problem")) return;
  const f = box.closest("form");
  for (const old of f.querySelectorAll(".field-error")) old.remove();
  for (const el of f.querySelectorAll("[aria-invalid]")) { el.removeAttribute("aria-invalid"); el.removeAttribute("aria-describedby"); }
  let n = 0;
  for (const li of box.querySelectorAll("li[data-field]")) {
    const field = f.elements[li.dataset.field];
    const el = field instanceof RadioNodeList ? field[0] : field;
    if (!el || el.type === "hidden") continue;
    const msg = document.createElement("span");
    msg.className = "field-error";
    msg.id = "err-" + (f.id || "f") + "-" + li.dataset.field + "-" + (n++);
    msg.dataset.testid = "field-error-" + li.dataset.field;
    msg.textContent = li.textContent;
    el.setAttribute("aria-invalid", "true");
    el.setAttribute("aria-describedby", msg.id);
    (el.closest("label") || el).after(msg);
    li.remove();
  }
  if (!box.querySelector("li")) box.innerHTML = "";
  // Nothing was recorded: the corrected form is a new request, with a new
  // idempotency key (the API refuses a key reused with another body).
  const idem = f.elements.idem;
  if (idem) idem.value = newKey();
  const first = f.querySelector("[aria-invalid]") || box;
  first.scrollIntoView({ block: "center" });
  if (first.focus) first.focus();
});

document.addEventListener("DOMContentLoaded", () => {
  for (const f of document.querySelectorAll("form.lang input[name=next]")) {
    f.value = location.pathname + location.search;
  }
  const h = document.getElementById("handover");
  if (h) handoverScreen(h);
});

// newKey is a fresh idempotency key (a random UUID).
function newKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
}

// number writes n with the page's digits: Arabic-Indic on the Arabic pages, as
// the server writes them.
function number(n) {
  return new Intl.NumberFormat(document.documentElement.lang === "ar" ? "ar-u-nu-arab" : "en").format(n);
}

function b64(bytes) {
  let s = "";
  for (const b of new Uint8Array(bytes)) s += String.fromCharCode(b);
  return btoa(s);
}

function unb64(s) {
  const bin = atob(s.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(s.length / 4) * 4, "="));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

// PKCS #8 wrapping of an Ed25519 seed (RFC 8410): a fixed 16-byte prefix.
const pkcs8Prefix = Uint8Array.from([0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20]);

// readOfficerKey reads a key file of `handover keygen`:
// "handover-officer-key v1 <base64 of the 32-byte seed>".
async function readOfficerKey(file) {
  const text = (await file.text()).trim();
  const m = /^handover-officer-key v1 ([A-Za-z0-9+/=]+)$/.exec(text);
  if (!m) throw new Error("format");
  const seed = unb64(m[1]);
  if (seed.length !== 32) throw new Error("format");
  const der = new Uint8Array(48);
  der.set(pkcs8Prefix);
  der.set(seed, 16);
  const key = await crypto.subtle.importKey("pkcs8", der, { name: "Ed25519" }, true, ["sign"]);
  const jwk = await crypto.subtle.exportKey("jwk", key);
  return { key, pub: b64(unb64(jwk.x)) };
}

function handoverScreen(form) {
  const msg = form.dataset;
  const problem = document.getElementById("problem");
  const rows = [...form.querySelectorAll(".door-row")];
  const keys = {};
  let draft = null;

  // say shows lines in the page's problem box; link, when given, is [href, text].
  const say = (lines, link) => {
    problem.innerHTML = "";
    if (!lines || !lines.length) return;
    const div = document.createElement("div");
    div.className = "problem";
    const ul = document.createElement("ul");
    for (const l of lines) {
      const li = document.createElement("li");
      li.textContent = l;
      ul.appendChild(li);
    }
    div.appendChild(ul);
    if (link) {
      const a = document.createElement("a");
      a.href = link[0];
      a.textContent = link[1];
      a.className = "button";
      a.dataset.testid = "sign-in-again";
      div.appendChild(a);
    }
    problem.appendChild(div);
    problem.scrollIntoView({ block: "nearest" });
  };

  // The marks are kept in this browser, per movement and stage, so that a reload,
  // a lost connection or an ended session loses none of them.
  const store = (() => { try { return window.localStorage; } catch (e) { return null; } })();
  const saveMarks = () => {
    if (!store) return;
    const marks = {};
    for (const r of rows) {
      const c = r.querySelector("input[type=radio]:checked");
      const note = r.querySelector("input.note");
      if (c || (note && note.value)) marks[r.dataset.person] = { o: c ? c.value : "", n: note ? note.value : "" };
    }
    try { store.setItem(msg.marks, JSON.stringify(marks)); } catch (e) { /* full or refused: the marks stay on the page */ }
  };
  const restoreMarks = () => {
    if (!store) return 0;
    let marks;
    try { marks = JSON.parse(store.getItem(msg.marks) || "{}"); } catch (e) { return 0; }
    let n = 0;
    for (const r of rows) {
      const m = marks[r.dataset.person];
      if (!m) continue;
      const c = m.o && r.querySelector("input[type=radio][value=" + CSS.escape(m.o) + "]");
      if (c) { c.checked = true; n++; }
      const note = r.querySelector("input.note");
      if (note && m.n) note.value = m.n;
    }
    return n;
  };
  // answer reads a reply of the server: its JSON, or a problem to show.
  const answer = async (res) => {
    const type = res.headers.get("Content-Type") || "";
    let body = null;
    if (type.includes("json")) body = await res.json().catch(() => null);
    if (res.status === 401) {
      saveMarks();
      say([(body && body.detail) || msg.msgSession], [msg.login, msg.msgSignin]);
      return null;
    }
    if (!body) { say([msg.msgBadreply.replace("{0}", res.status)]); return null; }
    if (!res.ok) { say(body.messages || [String(res.status)]); return null; }
    return body;
  };

  const count = () => {
    let present = 0, unmarked = 0;
    for (const r of rows) {
      const c = r.querySelector("input[type=radio]:checked");
      if (!c) unmarked++;
      else if (c.value === "present" || (c.value === "medical" && form.stage.value === "arrival")) present++;
    }
    document.getElementById("count-present").textContent = number(present);
    document.getElementById("count-unmarked").textContent = number(unmarked);
  };
  form.addEventListener("change", () => { count(); saveMarks(); });
  form.addEventListener("input", saveMarks);
  const restored = restoreMarks();
  if (restored > 0) {
    const note = document.createElement("p");
    note.className = "notice";
    note.dataset.testid = "marks-restored";
    note.textContent = msg.msgRestored.replace("{0}", number(restored));
    form.parentNode.insertBefore(note, form);
  }
  count();

  document.getElementById("all-present").addEventListener("click", () => {
    for (const r of rows) {
      if (!r.querySelector("input[type=radio]:checked")) {
        const p = r.querySelector("input[value=present]");
        if (p) p.checked = true;
      }
    }
    count();
    saveMarks();
  });

  for (const input of form.querySelectorAll("input[type=file][data-pub]")) {
    input.addEventListener("change", async () => {
      const out = document.getElementById(input.id + "-id");
      delete keys[input.dataset.pub];
      form.elements[input.dataset.pub].value = "";
      out.textContent = "";
      if (!input.files.length) return;
      try {
        const k = await readOfficerKey(input.files[0]);
        keys[input.dataset.pub] = k;
        form.elements[input.dataset.pub].value = k.pub;
        out.textContent = k.pub.slice(0, 12) + "…";
        say([]);
      } catch (e) {
        say([e instanceof Error && e.message === "format" ? msg.msgBadkey : msg.msgNocrypto]);
      }
    });
  }

  const confirmBox = document.getElementById("confirm");
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    if (!keys.from_pub || !keys.to_pub) {
      say([msg.msgNokey]);
      return;
    }
    const res = await fetch(form.action, { method: "POST", body: new URLSearchParams(new FormData(form)), credentials: "same-origin", headers: { Accept: "application/json" } });
    const body = await answer(res);
    if (!body) return;
    if (!body.document || !body.summary) { say([msg.msgBadreply.replace("{0}", res.status)]); return; }
    say([]);
    draft = body;
    document.getElementById("confirm-summary").textContent = body.summary;
    document.getElementById("confirm-sides").textContent = body.from + " → " + body.to;
    const ul = document.getElementById("confirm-missing");
    ul.innerHTML = "";
    for (const l of body.not_handed || []) {
      const li = document.createElement("li");
      li.textContent = l;
      ul.appendChild(li);
    }
    form.hidden = true;
    confirmBox.hidden = false;
    confirmBox.scrollIntoView();
    document.getElementById("sign-submit").focus();
  });

  document.getElementById("sign-back").addEventListener("click", () => {
    confirmBox.hidden = true;
    form.hidden = false;
    draft = null;
  });

  document.getElementById("sign-submit").addEventListener("click", async (ev) => {
    if (!draft) return;
    const button = ev.target;
    button.disabled = true;
    try {
      const doc = unb64(draft.document);
      const sigs = [];
      for (const side of ["from_pub", "to_pub"]) {
        const sig = await crypto.subtle.sign({ name: "Ed25519" }, keys[side].key, doc);
        sigs.push({ pub: keys[side].pub, sig: b64(sig) });
      }
      const res = await fetch(form.dataset.submit, {
        method: "POST", credentials: "same-origin", headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify({ document: draft.document, signatures: sigs, idem: msg.idem }),
      });
      const body = await answer(res);
      if (!body) { button.disabled = false; return; }
      if (store) store.removeItem(msg.marks);
      location.href = body.location;
    } catch (e) {
      say([msg.msgNocrypto + " (" + e + ")"]);
      button.disabled = false;
    }
  });
}

// Checking an event's inclusion in this browser, trusting nothing the server says
// but the log's public key printed on the page (compare it with the one the
// deployment publishes): the event's exact bytes give its leaf (SHA-256 commitment,
// RFC 6962 leaf hash); the inclusion proof must lead from it to the root of the
// latest checkpoint; the checkpoint's signature (C2SP signed note, Ed25519) must
// verify under the key.
document.addEventListener("click", async (ev) => {
  const b = ev.target.closest("button.verify-here");
  if (!b) return;
  const list = b.closest("[data-vkey]");
  const out = document.getElementById("verify-" + b.dataset.index);
  out.textContent = "…";
  try {
    const r = await verifyInBrowser(Number(b.dataset.index), list.dataset.vkey);
    out.innerHTML = "";
    const span = document.createElement("span");
    span.className = "ok";
    span.dataset.testid = "verified-here";
    span.textContent = list.dataset.msgOk.replace("{index}", r.index).replace("{size}", r.size).replace("{key}", r.key);
    out.appendChild(span);
  } catch (e) {
    out.innerHTML = "";
    const span = document.createElement("span");
    span.className = "bad";
    span.dataset.testid = "not-verified-here";
    span.textContent = (window.crypto && crypto.subtle ? list.dataset.msgBad : list.dataset.msgUnsupported) + " " + e.message;
    out.appendChild(span);
  }
});

async function sha256(...parts) {
  let n = 0;
  for (const p of parts) n += p.length;
  const buf = new Uint8Array(n);
  let o = 0;
  for (const p of parts) { buf.set(p, o); o += p.length; }
  return new Uint8Array(await crypto.subtle.digest("SHA-256", buf));
}

const utf8 = (s) => new TextEncoder().encode(s);
const equal = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);

async function getJSON(url) {
  const r = await fetch(url, { credentials: "same-origin" });
  if (!r.ok) throw new Error(url + ": " + r.status);
  return r.json();
}

async function verifyInBrowser(index, vkey) {
  // The log's key: "name+hash+base64(0x01 ‖ Ed25519 public key)".
  // The name holds no "+", the key's base64 may.
  const i = vkey.indexOf("+"), j = vkey.indexOf("+", i + 1);
  const name = vkey.slice(0, i), hash = vkey.slice(i + 1, j), k = vkey.slice(j + 1);
  const kb = unb64(k);
  if (kb.length !== 33 || kb[0] !== 1) throw new Error("the page's log key is not an Ed25519 note key");
  const pub = await crypto.subtle.importKey("raw", kb.slice(1), { name: "Ed25519" }, false, ["verify"]);

  const res = await fetch("/api/v1/events/" + index, { credentials: "same-origin" });
  if (!res.ok) throw new Error("event " + index + ": " + res.status);
  const event = new Uint8Array(await res.arrayBuffer());
  const id = JSON.parse(new TextDecoder().decode(event)).id.replace(/-/g, "");
  const idBytes = Uint8Array.from(id.match(/../g), (h) => parseInt(h, 16));
  const commitment = await sha256(utf8("handover/event/v1\n"), event);
  let r = await sha256(Uint8Array.of(0), idBytes, commitment);

  // The checkpoint: its text, signed by the log's key.
  const cp = await getJSON("/api/v1/checkpoint");
  const cut = cp.note.indexOf("\n\n");
  const text = cp.note.slice(0, cut + 1);
  const lines = text.split("\n");
  const size = Number(lines[1]);
  const root = unb64(lines[2]);
  let signed = false;
  for (const line of cp.note.slice(cut + 2).split("\n")) {
    const m = /^\u2014 (\S+) (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const sig = unb64(m[2]);
    const keyHash = [...sig.slice(0, 4)].map((x) => x.toString(16).padStart(2, "0")).join("");
    if (keyHash !== hash) continue;
    signed = await crypto.subtle.verify({ name: "Ed25519" }, pub, sig.slice(4), utf8(text));
  }
  if (!signed) throw new Error("the checkpoint is not signed by the log's key");

  // The inclusion proof, folded as RFC 9162 §2.1.3.2 says.
  const proof = (await getJSON("/api/v1/proofs/inclusion?index=" + index + "&size=" + size)).proof.map(unb64);
  let fn = index, sn = size - 1;
  for (const p of proof) {
    if (sn === 0) throw new Error("the proof is too long");
    if (fn % 2 === 1 || fn === sn) {
      r = await sha256(Uint8Array.of(1), p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2); }
      }
    } else {
      r = await sha256(Uint8Array.of(1), r, p);
    }
    fn = Math.floor(fn / 2); sn = Math.floor(sn / 2);
  }
  if (sn !== 0 || !equal(r, root)) throw new Error("the proof does not lead to the checkpoint's root");
  return { index, size, key: name };
}
